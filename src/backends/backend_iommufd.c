// SPDX-License-Identifier: GPL-2.0
/*
 * "iommufd": a real VFIO device (its cdev, /dev/vfio/devices/vfioN) bound to
 * iommufd and attached to a dirty-tracking HWPT: the IOMMU's own dirty bits
 * (Intel SSADS, AMD HDSup, SMMUv3 HTTU). Only the device the user names is
 * used. The tool cannot make an arbitrary device do DMA: can_write is
 * false and the dirty pages are whatever the device really writes. The one
 * exception is the testbed's DMA engine, QEMU's edu (1234:11e8) with our
 * x-dma-sync patch: write() makes it DMA 8 bytes into each page, through
 * the IOMMU, and each DMA is done when its command write returns.
 *
 * open: open the device and /dev/iommu, VFIO_DEVICE_BIND_IOMMUFD,
 * IOMMU_IOAS_ALLOC, IOMMU_GET_HW_INFO (refuse an IOMMU without
 * IOMMU_HW_CAP_DIRTY_TRACKING before asking for a dirty HWPT), IOMMU_HWPT_ALLOC
 * with IOMMU_HWPT_ALLOC_DIRTY_TRACKING, VFIO_DEVICE_ATTACH_IOMMUFD_PT, and
 * IOMMU_IOAS_MAP of an anonymous buffer at IOMMUFD_IOVA. close undoes each
 * step that was done, in reverse.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/iommufd.h>
#include <linux/vfio.h>
#include "backend_impl.h"
#include "bitmap.h"
#include "iommufd_ioctl.h"

#define IOMMUFD_IOVA (1ull << 32)

/* QEMU's edu device: BAR0 registers and its 4 KiB DMA buffer. */
#define EDU_VENDOR     0x1234
#define EDU_DEVICE     0x11e8
#define EDU_DMA_SRC    0x80
#define EDU_DMA_DST    0x88
#define EDU_DMA_CNT    0x90
#define EDU_DMA_CMD    0x98
#define EDU_DMA_BUF    0x40000
#define EDU_CMD_RUN    0x1
#define EDU_CMD_TO_RAM 0x2 /* from the device's buffer to memory */
#define EDU_DMA_LEN    8
#define EDU_BAR0_LEN   0x100000

struct iommufd_priv {
	int dev;	/* the VFIO device cdev, -1 when closed */
	int fd;		/* /dev/iommu, -1 when closed */
	uint32_t devid; /* the device's iommufd binding, 0 when unbound */
	uint32_t ioas;
	uint32_t hwpt;
	bool attached;
	bool tracking;
	void *buf; /* the anonymous buffer, buf_len bytes */
	uint64_t buf_len;
	uint64_t mapped; /* bytes at IOMMUFD_IOVA, 0 when nothing is */
	uint64_t *scratch;
	volatile uint8_t *edu; /* edu's BAR0 when it is the DMA engine */
};

static int iommufd_close(struct backend *b);

static void mmio_write64(volatile uint8_t *bar, uint32_t reg, uint64_t val)
{
	*(volatile uint64_t *)(bar + reg) = val;
}

static uint64_t mmio_read64(volatile uint8_t *bar, uint32_t reg)
{
	return *(volatile uint64_t *)(bar + reg);
}

/*
 * If the device is edu with x-dma-sync, map its BAR0, turn bus mastering
 * on and keep the BAR in p->edu. Any other device, or an edu whose DMA
 * still waits for its 100 ms timer, is left alone: no error, no engine.
 */
static void edu_engine_open(struct iommufd_priv *p)
{
	struct vfio_region_info cfg = { .argsz = sizeof(cfg),
					.index = VFIO_PCI_CONFIG_REGION_INDEX };
	struct vfio_region_info bar = { .argsz = sizeof(bar),
					.index = VFIO_PCI_BAR0_REGION_INDEX };
	uint16_t id[2], cmd;
	void *m;

	if (ioctl(p->dev, VFIO_DEVICE_GET_REGION_INFO, &cfg) ||
	    pread(p->dev, id, sizeof(id), cfg.offset) != sizeof(id) ||
	    id[0] != EDU_VENDOR || id[1] != EDU_DEVICE)
		return;
	if (ioctl(p->dev, VFIO_DEVICE_GET_REGION_INFO, &bar) ||
	    !(bar.flags & VFIO_REGION_INFO_FLAG_MMAP) ||
	    bar.size < EDU_BAR0_LEN ||
	    pread(p->dev, &cmd, 2, cfg.offset + 4) != 2)
		return;
	cmd |= 0x6; /* PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER */
	if (pwrite(p->dev, &cmd, 2, cfg.offset + 4) != 2)
		return;
	m = mmap(NULL, EDU_BAR0_LEN, PROT_READ | PROT_WRITE, MAP_SHARED, p->dev,
		 bar.offset);
	if (m == MAP_FAILED)
		return;
	p->edu = m;
	/* A read DMA of the first mapped page sets no dirty bit and tells a
	 * synchronous engine from one that runs on edu's timer. */
	mmio_write64(p->edu, EDU_DMA_CNT, EDU_DMA_LEN);
	mmio_write64(p->edu, EDU_DMA_SRC, IOMMUFD_IOVA);
	mmio_write64(p->edu, EDU_DMA_DST, EDU_DMA_BUF);
	mmio_write64(p->edu, EDU_DMA_CMD, EDU_CMD_RUN);
	if (mmio_read64(p->edu, EDU_DMA_CMD) & EDU_CMD_RUN) {
		/* Let the timed DMA finish before the BAR goes away. */
		for (int i = 0;
		     i < 50 && (mmio_read64(p->edu, EDU_DMA_CMD) & EDU_CMD_RUN);
		     i++)
			usleep(10000);
		munmap(m, EDU_BAR0_LEN);
		p->edu = NULL;
		return;
	}
	mmio_write64(p->edu, EDU_DMA_SRC, EDU_DMA_BUF);
}

static int do_ioctl(struct backend *b, int fd, unsigned long req, void *arg,
		    const char *step)
{
	return iommufd_ioctl(fd, req, arg, step, &b->failed);
}

static const char *hw_type_name(uint32_t type, char *buf, size_t len)
{
	switch (type) {
	case IOMMU_HW_INFO_TYPE_NONE:
		return "the device's (no driver-specific info)";
	case IOMMU_HW_INFO_TYPE_INTEL_VTD:
		return "intel-vtd";
	case 2: /* IOMMU_HW_INFO_TYPE_ARM_SMMUV3, 6.13+ headers */
		return "arm-smmuv3";
	}
	snprintf(buf, len, "type %u", type);
	return buf;
}

/* Bind, the IOAS and the hardware check: everything before the HWPT. */
static int bind_and_check(struct backend *b, struct iommufd_priv *p)
{
	struct vfio_device_bind_iommufd bind = {
		.argsz = sizeof(bind),
		.iommufd = p->fd,
	};
	struct iommu_hw_info info = { .size = sizeof(info) };
	char type[32];
	int ret;

	if (ioctl(p->dev, VFIO_DEVICE_BIND_IOMMUFD, &bind)) {
		ret = -errno;
		/* iommufd's one EPERM of bind: MSIs not isolated. */
		if (ret == -EPERM)
			return backend_fail(b, ret,
					    "VFIO_DEVICE_BIND_IOMMUFD: no "
					    "interrupt remapping (iommufd."
					    "allow_unsafe_interrupts=1 "
					    "accepts that)");
		b->failed = "VFIO_DEVICE_BIND_IOMMUFD";
		return ret;
	}
	p->devid = bind.out_devid;
	ret = iommufd_ioas_alloc(p->fd, &p->ioas, &b->failed);
	if (ret)
		return ret;

	info.dev_id = p->devid;
	ret = do_ioctl(b, p->fd, IOMMU_GET_HW_INFO, &info, "IOMMU_GET_HW_INFO");
	if (ret)
		return ret;
	if (!(info.out_capabilities & IOMMU_HW_CAP_DIRTY_TRACKING))
		return backend_fail(
			b, -EOPNOTSUPP,
			"%s IOMMU has no dirty tracking "
			"(IOMMU_HW_CAP_DIRTY_TRACKING not set)",
			hw_type_name(info.out_data_type, type, sizeof(type)));
	return 0;
}

static int iommufd_open(struct backend *b, const struct backend_config *cfg)
{
	struct vfio_device_attach_iommufd_pt attach = {
		.argsz = sizeof(attach),
	};
	const char *iommu = cfg->iommufd ? cfg->iommufd : "/dev/iommu";
	uint64_t pg = sysconf(_SC_PAGESIZE);
	struct iommufd_priv *p;
	void *buf;
	int ret;

	/* Never pick a device on the user's behalf. */
	if (!cfg->device)
		return backend_fail(b, -EINVAL,
				    "iommufd: no device given (--device "
				    "/dev/vfio/devices/vfioN)");
	if (!cfg->size || cfg->size % pg)
		return backend_fail(b, -EINVAL,
				    "iommufd: size %llu is not a multiple of "
				    "the %llu B page",
				    (unsigned long long)cfg->size,
				    (unsigned long long)pg);
	p = calloc(1, sizeof(*p));
	if (!p)
		return backend_fail(b, -ENOMEM, "iommufd: out of memory");
	p->dev = p->fd = -1;
	b->priv = p;

	p->dev = open(cfg->device, O_RDWR | O_CLOEXEC);
	if (p->dev < 0) {
		ret = backend_fail_step(b, -errno, "open %s", cfg->device);
		goto err;
	}
	p->fd = open(iommu, O_RDWR | O_CLOEXEC);
	if (p->fd < 0) {
		ret = backend_fail_step(b, -errno, "open %s", iommu);
		goto err;
	}
	ret = bind_and_check(b, p);
	if (ret)
		goto err;

	ret = iommufd_hwpt_alloc_dirty(p->fd, p->devid, p->ioas, &p->hwpt,
				       &b->failed);
	if (ret)
		goto err;
	attach.pt_id = p->hwpt;
	ret = do_ioctl(b, p->dev, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach,
		       "VFIO_DEVICE_ATTACH_IOMMUFD_PT");
	if (ret)
		goto err;
	p->attached = true;

	p->scratch = calloc(bitmap_words(cfg->size / pg), 8);
	if (!p->scratch) {
		ret = backend_fail(b, -ENOMEM, "iommufd: out of memory");
		goto err;
	}
	/* IOMMUFD_IOVA is 1 GiB aligned: the driver may map the backing's
	 * huge pages with IOPTEs as large. */
	ret = backing_map(cfg->backing, cfg->size, &buf, &b->failed);
	if (ret)
		goto err;
	p->buf = buf;
	p->buf_len = cfg->size;
	ret = iommufd_map_fixed(p->fd, p->ioas, IOMMUFD_IOVA, p->buf, cfg->size,
				&b->failed);
	if (ret)
		goto err;
	p->mapped = cfg->size;
	edu_engine_open(p);

	b->iova = IOMMUFD_IOVA;
	b->length = cfg->size;
	b->page_size = pg;
	b->can_read_noclear = true;
	b->can_write = p->edu != NULL;
	return 0;
err:
	iommufd_close(b);
	return ret;
}

static int iommufd_set_tracking(struct backend *b, bool enable)
{
	struct iommufd_priv *p = b->priv;
	int ret = iommufd_set_dirty(p->fd, p->hwpt, enable, &b->failed);

	if (!ret)
		p->tracking = enable;
	return ret;
}

static int get_bitmap(struct backend *b, uint32_t flags, uint64_t iova,
		      uint64_t len, uint64_t *bitmap)
{
	struct iommufd_priv *p = b->priv;

	return iommufd_get_dirty(p->fd, p->hwpt, flags, iova, len, b->page_size,
				 bitmap, &b->failed);
}

static int iommufd_read(struct backend *b, uint64_t iova, uint64_t len,
			bool clear, uint64_t *bitmap)
{
	/* The kernel drops a walk's errors: out-of-range reads say nothing. */
	int ret = backend_check_range(b, iova, len,
				      "read (range outside the mapping)");

	if (ret)
		return ret;
	return get_bitmap(b, clear ? 0 : IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR,
			  iova, len, bitmap);
}

/* No clear-only ioctl in iommufd: read and clear into a scratch bitmap.
 * Only the thread that reads clears, so no other thread shares it. */
static int iommufd_clear(struct backend *b, uint64_t iova, uint64_t len)
{
	struct iommufd_priv *p = b->priv;
	int ret = backend_check_range(b, iova, len,
				      "clear (range outside the mapping)");

	if (ret)
		return ret;
	return get_bitmap(b, 0, iova, len, p->scratch);
}

/* One edu DMA per page set in bitmap, to the page's first 8 bytes. */
static int iommufd_write(struct backend *b, uint64_t iova, uint64_t len,
			 const uint64_t *bitmap)
{
	struct iommufd_priv *p = b->priv;
	uint64_t i, pages = len / b->page_size;
	int ret;

	if (!p->edu) {
		b->failed = "iommufd: the tool cannot make a real device write";
		return -EOPNOTSUPP;
	}
	ret = backend_check_range(b, iova, len,
				  "write (range outside the mapping)");
	if (ret)
		return ret;
	for (i = 0; i < pages; i++) {
		if (!bitmap_test_bit(bitmap, i))
			continue;
		mmio_write64(p->edu, EDU_DMA_DST, iova + i * b->page_size);
		mmio_write64(p->edu, EDU_DMA_CMD, EDU_CMD_RUN | EDU_CMD_TO_RAM);
	}
	return 0;
}

static int iommufd_close(struct backend *b)
{
	struct iommufd_priv *p = b->priv;
	struct vfio_device_detach_iommufd_pt detach = {
		.argsz = sizeof(detach),
	};
	const char *failed = b->failed, *first = NULL;
	int ret = 0, r;

	if (!p)
		return 0;
	/* Each step records its own failure; keep the first one. */
	if (p->tracking) {
		r = iommufd_set_tracking(b, false);
		if (r && !ret) {
			ret = r;
			first = b->failed;
		}
		p->tracking = false;
	}
	if (p->mapped) {
		r = iommufd_unmap(p->fd, p->ioas, IOMMUFD_IOVA, p->mapped,
				  &b->failed);
		if (r && !ret) {
			ret = r;
			first = b->failed;
		}
		p->mapped = 0;
	}
	if (p->buf)
		munmap(p->buf, p->buf_len);
	if (p->edu)
		munmap((void *)p->edu, EDU_BAR0_LEN);
	if (p->attached) {
		r = do_ioctl(b, p->dev, VFIO_DEVICE_DETACH_IOMMUFD_PT, &detach,
			     "VFIO_DEVICE_DETACH_IOMMUFD_PT");
		if (r && !ret) {
			ret = r;
			first = b->failed;
		}
		p->attached = false;
	}
	/* The HWPT holds the IOAS. */
	r = iommufd_destroy(p->fd, &p->hwpt, "IOMMU_DESTROY (hwpt)",
			    &b->failed);
	if (r && !ret) {
		ret = r;
		first = b->failed;
	}
	r = iommufd_destroy(p->fd, &p->ioas, "IOMMU_DESTROY (ioas)",
			    &b->failed);
	if (r && !ret) {
		ret = r;
		first = b->failed;
	}
	/* Closing the device unbinds it from iommufd. */
	if (p->dev >= 0)
		close(p->dev);
	if (p->fd >= 0)
		close(p->fd);
	free(p->scratch);
	free(p);
	b->priv = NULL;
	b->failed = failed ? failed : first;
	return ret;
}

const struct backend_ops backend_iommufd_ops = {
	.name = "iommufd",
	.any_backing = true,
	.open = iommufd_open,
	.set_tracking = iommufd_set_tracking,
	.read = iommufd_read,
	.clear = iommufd_clear,
	.write = iommufd_write,
	.close = iommufd_close,
};
