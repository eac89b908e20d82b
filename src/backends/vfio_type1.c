// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/vfio.h>
#include "bitmap.h"
#include "vfio_manual_clear.h"
#include "vfio_type1.h"

static int fail(struct type1 *t, const char *step, int err)
{
	t->failed = step;
	t->reason = NULL;
	return err;
}

static int fail_why(struct type1 *t, const char *step, int err, const char *fmt,
		    ...) __attribute__((format(printf, 4, 5)));

static int fail_why(struct type1 *t, const char *step, int err, const char *fmt,
		    ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->why, sizeof(t->why), fmt, ap);
	va_end(ap);
	t->failed = step;
	t->reason = t->why;
	return err;
}

const char *type1_reason(const struct type1 *t, int err)
{
	return t->reason ? t->reason : strerror(-err);
}

/* Smallest IOMMU page: the unit of MAP_DMA, UNMAP_DMA and the bitmaps. */
static uint64_t min_pgsize(const struct type1 *t)
{
	if (t->dirty_pgsize)
		return t->dirty_pgsize;
	return t->iova_pgsizes & -t->iova_pgsizes;
}

/* VFIO_IOMMU_GET_INFO, twice if the capabilities do not fit the first. */
static int get_info(struct type1 *t)
{
	struct vfio_iommu_type1_info *info, *bigger;
	struct vfio_iommu_type1_info_cap_migration *mig;
	struct vfio_info_cap_header *cap;
	uint32_t argsz = sizeof(*info), off;
	int ret = 0;

	info = calloc(1, argsz);
	if (!info)
		return fail(t, "VFIO_IOMMU_GET_INFO", -ENOMEM);
	for (;;) {
		info->argsz = argsz;
		if (ioctl(t->container, VFIO_IOMMU_GET_INFO, info)) {
			ret = fail(t, "VFIO_IOMMU_GET_INFO", -errno);
			goto out;
		}
		if (info->argsz <= argsz)
			break;
		argsz = info->argsz;
		bigger = realloc(info, argsz);
		if (!bigger) {
			ret = fail(t, "VFIO_IOMMU_GET_INFO", -ENOMEM);
			goto out;
		}
		info = bigger;
		memset(info, 0, argsz);
	}
	if (info->flags & VFIO_IOMMU_INFO_PGSIZES)
		t->iova_pgsizes = info->iova_pgsizes;
	if (!t->iova_pgsizes) {
		ret = fail_why(t, "VFIO_IOMMU_GET_INFO", -EOPNOTSUPP,
			       "no IOMMU page sizes reported");
		goto out;
	}
	if (!(info->flags & VFIO_IOMMU_INFO_CAPS))
		goto out;
	/* The chain: offsets from the start of info, 0 ends it. */
	for (off = info->cap_offset; off; off = cap->next) {
		if (off < sizeof(*info) || off + sizeof(*cap) > argsz)
			break;
		cap = (void *)((char *)info + off);
		if (cap->id == VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION &&
		    off + sizeof(*mig) <= argsz) {
			mig = (void *)cap;
			t->dirty_pgsize =
				mig->pgsize_bitmap & -mig->pgsize_bitmap;
			t->max_bitmap_bytes = mig->max_dirty_bitmap_size;
		}
		if (cap->next && cap->next <= off)
			break;
	}
out:
	free(info);
	return ret;
}

int type1_open(struct type1 *t, const char *group_path)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	const char *name;
	int ret, v;

	memset(t, 0, sizeof(*t));
	t->group = -1;
	t->container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (t->container < 0)
		return fail(t, "open /dev/vfio/vfio", -errno);

	v = ioctl(t->container, VFIO_GET_API_VERSION);
	if (v < 0) {
		ret = fail(t, "VFIO_GET_API_VERSION", -errno);
		goto err;
	}
	if (v != VFIO_API_VERSION) {
		ret = fail_why(t, "VFIO_GET_API_VERSION", -EPROTO,
			       "API version %d, expected %d", v,
			       VFIO_API_VERSION);
		goto err;
	}
	v = ioctl(t->container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU);
	if (v <= 0) {
		ret = fail(t, "VFIO_CHECK_EXTENSION(VFIO_TYPE1v2_IOMMU)",
			   v < 0 ? -errno : -EOPNOTSUPP);
		goto err;
	}

	t->group = open(group_path, O_RDWR | O_CLOEXEC);
	if (t->group < 0) {
		ret = -errno;
		snprintf(t->step, sizeof(t->step), "open %s", group_path);
		fail(t, t->step, ret);
		goto err;
	}
	if (ioctl(t->group, VFIO_GROUP_GET_STATUS, &status)) {
		ret = fail(t, "VFIO_GROUP_GET_STATUS", -errno);
		goto err;
	}
	if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		name = strrchr(group_path, '/');
		ret = fail_why(t, "VFIO_GROUP_GET_STATUS", -EBUSY,
			       "group %s is not viable: bind every device in "
			       "it to vfio-pci",
			       name ? name + 1 : group_path);
		goto err;
	}
	if (ioctl(t->group, VFIO_GROUP_SET_CONTAINER, &t->container)) {
		ret = fail(t, "VFIO_GROUP_SET_CONTAINER", -errno);
		goto err;
	}
	t->attached = true;
	if (ioctl(t->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU)) {
		ret = -errno;
		/* The one EPERM of attach: MSIs not isolated by the IOMMU. */
		if (ret == -EPERM)
			fail_why(t, "VFIO_SET_IOMMU(VFIO_TYPE1v2_IOMMU)", ret,
				 "%s: no interrupt remapping (dmesg says more; "
				 "vfio_iommu_type1.allow_unsafe_interrupts=1 "
				 "accepts that)",
				 strerror(-ret));
		else
			fail(t, "VFIO_SET_IOMMU(VFIO_TYPE1v2_IOMMU)", ret);
		goto err;
	}
	ret = get_info(t);
	if (ret)
		goto err;
	return 0;
err:
	type1_close(t);
	return ret;
}

int type1_map(struct type1 *t, uint64_t iova, uint64_t length)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.iova = iova,
		.size = length,
	};
	uint64_t pg = min_pgsize(t);
	void *buf;

	if (!length || length % pg || iova % pg)
		return fail_why(t, "map size", -EINVAL,
				"size %llu and iova 0x%llx must be multiples "
				"of the %llu B IOMMU page",
				(unsigned long long)length,
				(unsigned long long)iova,
				(unsigned long long)pg);
	if (t->dirty_pgsize &&
	    bitmap_words(length / pg) * 8 > t->max_bitmap_bytes)
		return fail_why(t, "map size", -E2BIG,
				"its dirty bitmap would exceed the kernel's "
				"%llu B",
				(unsigned long long)t->max_bitmap_bytes);
	buf = mmap(NULL, length, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		return fail(t, "mmap", -errno);
	map.vaddr = (uintptr_t)buf;
	if (ioctl(t->container, VFIO_IOMMU_MAP_DMA, &map)) {
		int ret = fail(t, "VFIO_IOMMU_MAP_DMA", -errno);

		munmap(buf, length);
		return ret;
	}
	t->buf = buf;
	t->iova = iova;
	t->length = length;
	return 0;
}

int type1_set_tracking(struct type1 *t, bool enable)
{
	struct vfio_iommu_type1_dirty_bitmap dirty = {
		.argsz = sizeof(dirty),
		.flags = enable ? VFIO_IOMMU_DIRTY_PAGES_FLAG_START
				: VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP,
	};

	if (enable && !t->dirty_pgsize)
		return fail_why(t, "VFIO_IOMMU_DIRTY_PAGES START", -EOPNOTSUPP,
				"the container has no migration capability "
				"(dirty page tracking)");
	if (ioctl(t->container, VFIO_IOMMU_DIRTY_PAGES, &dirty))
		return fail(t,
			    enable ? "VFIO_IOMMU_DIRTY_PAGES START"
				   : "VFIO_IOMMU_DIRTY_PAGES STOP",
			    -errno);
	t->tracking = enable;
	return 0;
}

static const char *dirty_step(uint32_t flags)
{
	switch (flags) {
	case VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP:
		return "VFIO_IOMMU_DIRTY_PAGES GET_BITMAP";
	case VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP_NOCLEAR:
		return "VFIO_IOMMU_DIRTY_PAGES GET_BITMAP_NOCLEAR";
	case VFIO_IOMMU_DIRTY_PAGES_FLAG_CLEAR_BITMAP:
		return "VFIO_IOMMU_DIRTY_PAGES CLEAR_BITMAP";
	}
	return "VFIO_IOMMU_DIRTY_PAGES";
}

int type1_dirty_bitmap(struct type1 *t, uint32_t flags, uint64_t iova,
		       uint64_t length, uint64_t *bitmap)
{
	/* The range follows the header in the same argument. */
	union {
		struct vfio_iommu_type1_dirty_bitmap dirty;
		char bytes[sizeof(struct vfio_iommu_type1_dirty_bitmap) +
			   sizeof(struct vfio_iommu_type1_dirty_bitmap_get)];
		uint64_t align;
	} arg;
	struct vfio_iommu_type1_dirty_bitmap_get *get = (void *)arg.dirty.data;

	memset(&arg, 0, sizeof(arg));
	arg.dirty.argsz = sizeof(arg.bytes);
	arg.dirty.flags = flags;
	get->iova = iova;
	get->size = length;
	get->bitmap.pgsize = t->dirty_pgsize;
	get->bitmap.size = t->dirty_pgsize
				   ? bitmap_words(length / t->dirty_pgsize) * 8
				   : 0;
	get->bitmap.data = (void *)bitmap;
	if (ioctl(t->container, VFIO_IOMMU_DIRTY_PAGES, &arg))
		return fail(t, dirty_step(flags), -errno);
	return 0;
}

int type1_read_dirty(struct type1 *t, uint64_t iova, uint64_t length,
		     uint64_t *bitmap)
{
	return type1_dirty_bitmap(t, VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP,
				  iova, length, bitmap);
}

int type1_unmap(struct type1 *t, uint64_t *bitmap, uint64_t *unmapped)
{
	union {
		struct vfio_iommu_type1_dma_unmap unmap;
		char bytes[sizeof(struct vfio_iommu_type1_dma_unmap) +
			   sizeof(struct vfio_bitmap)];
		uint64_t align;
	} arg;
	struct vfio_bitmap *bm = (void *)arg.unmap.data;

	memset(&arg, 0, sizeof(arg));
	arg.unmap.argsz = sizeof(arg.unmap);
	arg.unmap.iova = t->iova;
	arg.unmap.size = t->length;
	if (bitmap) {
		arg.unmap.argsz = sizeof(arg.bytes);
		arg.unmap.flags = VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP;
		bm->pgsize = t->dirty_pgsize;
		bm->size = bitmap_words(type1_pages(t)) * 8;
		bm->data = (void *)bitmap;
	}
	if (ioctl(t->container, VFIO_IOMMU_UNMAP_DMA, &arg))
		return fail(t,
			    bitmap ? "VFIO_IOMMU_UNMAP_DMA GET_DIRTY_BITMAP"
				   : "VFIO_IOMMU_UNMAP_DMA",
			    -errno);
	if (unmapped)
		*unmapped = arg.unmap.size;
	munmap(t->buf, t->length);
	t->buf = NULL;
	t->length = 0;
	return 0;
}

int type1_has_manual_clear(struct type1 *t)
{
	int v = ioctl(t->container, VFIO_CHECK_EXTENSION,
		      DS_VFIO_DIRTY_LOG_MANUAL_CLEAR);

	if (v < 0)
		return fail(t, "VFIO_CHECK_EXTENSION(MANUAL_CLEAR)", -errno);
	return v > 0;
}

int type1_close(struct type1 *t)
{
	const char *failed = t->failed, *reason = t->reason;
	const char *first = NULL, *first_reason = NULL;
	int ret = 0, r;

	if (t->container < 0 && t->group < 0)
		return 0;
	if (t->tracking) {
		r = type1_set_tracking(t, false);
		if (r && !ret) {
			ret = r;
			first = t->failed;
			first_reason = t->reason;
		}
		t->tracking = false;
	}
	if (t->length) {
		r = type1_unmap(t, NULL, NULL);
		if (r && !ret) {
			ret = r;
			first = t->failed;
			first_reason = t->reason;
		}
		/* Still mapped if that failed: closing the container below
		 * makes the kernel unmap and unpin it. */
		if (t->length)
			munmap(t->buf, t->length);
		t->buf = NULL;
		t->length = 0;
	}
	if (t->attached) {
		if (ioctl(t->group, VFIO_GROUP_UNSET_CONTAINER) && !ret) {
			ret = fail(t, "VFIO_GROUP_UNSET_CONTAINER", -errno);
			first = t->failed;
			first_reason = NULL;
		}
		t->attached = false;
	}
	if (t->group >= 0)
		close(t->group);
	if (t->container >= 0)
		close(t->container);
	t->group = t->container = -1;
	/* The caller reports the failure that brought it here, if any. */
	t->failed = failed ? failed : first;
	t->reason = failed ? reason : first_reason;
	return ret;
}
