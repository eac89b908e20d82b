// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include "iommufd_ioctl.h"
#include "iommufd_mock.h"
#include "iommufd_mock_abi.h"
#include "ksyms.h"

static int do_ioctl(struct mock_dev *m, unsigned long req, void *arg,
		    const char *step)
{
	return iommufd_ioctl(m->fd, req, arg, step, &m->failed);
}

/* Does the mock keep dirty bits per mock page whatever the mapping (1)?
 * Not the 7.x one, whose walk is the generic page table's (0). -errno if
 * kallsyms cannot tell: guessing wrong would make the counts wrong. */
static int mock_iopte_per_page(void)
{
	static const char *const generic_pt_walk[] = {
		"pt_iommu_amdv1_mock_read_and_clear_dirty"
	};
	struct ksym_where where;
	int err = ksyms_find(generic_pt_walk, 1, &where);

	return err ? err : !where.present;
}

int mock_dev_open(struct mock_dev *m, const char *path, uint32_t dev_flags,
		  enum backing backing)
{
	struct ds_mock_cmd mock = {
		.size = sizeof(mock),
		.op = DS_MOCK_OP_MOCK_DOMAIN_FLAGS,
		.mock_domain_flags.dev_flags = dev_flags,
	};
	struct ds_mock_cmd replace = {
		.size = sizeof(replace),
		.op = DS_MOCK_OP_MOCK_DOMAIN_REPLACE,
	};
	int ret;

	memset(m, 0, sizeof(*m));
	m->fd = -1;
	m->page_size = sysconf(_SC_PAGESIZE) / 2;
	m->backing = backing;
	ret = mock_iopte_per_page();
	if (ret < 0) {
		m->failed = "reading /proc/kallsyms";
		return ret;
	}
	m->per_page = ret;
	/* The 6.12 mock maps 1 MiB IOPTEs only on a device that asks. */
	if (m->per_page && backing != BACKING_4K)
		mock.mock_domain_flags.dev_flags |= DS_MOCK_DEV_HUGE_IOVA;
	m->fd = open(path ? path : "/dev/iommu", O_RDWR | O_CLOEXEC);
	if (m->fd < 0) {
		m->failed = "open /dev/iommu";
		return -errno;
	}
	ret = iommufd_ioas_alloc(m->fd, &m->ioas_id, &m->failed);
	if (ret)
		goto err;

	mock.id = m->ioas_id;
	ret = do_ioctl(m, DS_MOCK_CMD, &mock,
		       "IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS");
	if (ret)
		goto err;
	m->stdev_id = mock.mock_domain_flags.out_stdev_id;
	m->idev_id = mock.mock_domain_flags.out_idev_id;

	ret = iommufd_hwpt_alloc_dirty(m->fd, m->idev_id, m->ioas_id,
				       &m->hwpt_id, &m->failed);
	if (ret)
		goto err;

	replace.id = m->stdev_id;
	replace.mock_domain_replace.pt_id = m->hwpt_id;
	ret = do_ioctl(m, DS_MOCK_CMD, &replace,
		       "IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE");
	if (ret)
		goto err;
	return 0;
err:
	mock_dev_close(m);
	return ret;
}

int mock_dev_map(struct mock_dev *m, uint64_t length)
{
	uint64_t align = backing_page_size(m->backing), iova;
	const char *undo_failed;
	void *buf;
	int ret;

	/* Large IOPTEs need the IOVA aligned as the physical pages are. */
	iova = (DS_MOCK_APERTURE_START + align - 1) & ~(align - 1);
	if (!length || length % m->page_size ||
	    length - 1 > DS_MOCK_APERTURE_LAST - iova) {
		m->failed = "map size (outside the mock aperture or unaligned)";
		return -EINVAL;
	}
	ret = backing_map(m->backing, length, &buf, &m->failed);
	if (ret)
		return ret;
	/*
	 * The 7.x mock walks the generic page table, which maps a physically
	 * contiguous run of one mapping with IOPTEs as large as the run
	 * allows, each dirty as a whole. There one IOAS_MAP per backing page
	 * (per mock page for 4k backing) keeps every IOPTE one backing page,
	 * as an IOMMU with 4 KiB, 2 MiB and 1 GiB IOPTEs (VT-d) would map it,
	 * whatever lies next to it physically (one area each, so one walk
	 * each: costs not comparable with a 6.12 mock's). The 6.12 mock
	 * tracks each mock page on its own, or 1 MiB IOPTEs on a huge-IOVA
	 * device: one IOAS_MAP for all.
	 */
	if (m->per_page)
		m->map_chunk = length;
	else
		m->map_chunk = m->backing == BACKING_4K ? m->page_size : align;
	for (uint64_t off = 0; off < length; off += m->map_chunk) {
		ret = iommufd_map_fixed(m->fd, m->ioas_id, iova + off,
					(char *)buf + off, m->map_chunk,
					&m->failed);
		if (!ret)
			continue;
		/* The map's failure is the one to report. */
		if (off)
			iommufd_unmap(m->fd, m->ioas_id, iova, off,
				      &undo_failed);
		munmap(buf, length);
		return ret;
	}
	m->buf = buf;
	m->iova = iova;
	m->length = length;
	return 0;
}

int mock_dev_set_tracking(struct mock_dev *m, bool enable)
{
	int ret = iommufd_set_dirty(m->fd, m->hwpt_id, enable, &m->failed);

	if (!ret)
		m->tracking = enable;
	return ret;
}

int mock_dev_write_range(struct mock_dev *m, uint64_t iova, uint64_t length,
			 const uint64_t *pages, uint64_t *marked)
{
	struct ds_mock_cmd dirty = {
		.size = sizeof(dirty),
		.op = DS_MOCK_OP_DIRTY,
		.id = m->hwpt_id,
		.dirty.iova = iova,
		.dirty.length = length,
		.dirty.page_size = m->page_size,
		.dirty.uptr = (uintptr_t)pages,
	};
	int ret;

	ret = do_ioctl(m, DS_MOCK_CMD, &dirty, "IOMMU_TEST_OP_DIRTY");
	if (!ret && marked)
		*marked = dirty.dirty.out_nr_dirty;
	return ret;
}

int mock_dev_write(struct mock_dev *m, const uint64_t *pages, uint64_t *marked)
{
	return mock_dev_write_range(m, m->iova, m->length, pages, marked);
}

int mock_dev_read_dirty(struct mock_dev *m, uint32_t flags, uint64_t iova,
			uint64_t length, uint64_t *bitmap)
{
	return iommufd_get_dirty(m->fd, m->hwpt_id, flags, iova, length,
				 m->page_size, bitmap, &m->failed);
}

int mock_dev_close(struct mock_dev *m)
{
	const char *failed = m->failed;
	int ret = 0, r;

	if (m->fd < 0)
		return 0;
	/* Keep the first failure's step for the caller's message. */
	if (m->tracking) {
		r = mock_dev_set_tracking(m, false);
		ret = ret ?: r;
	}
	if (m->length) {
		r = iommufd_unmap(m->fd, m->ioas_id, m->iova, m->length,
				  &m->failed);
		ret = ret ?: r;
		munmap(m->buf, m->length);
		m->length = 0;
		m->buf = NULL;
	}
	/* The device holds the HWPT, the HWPT holds the IOAS. */
	r = iommufd_destroy(m->fd, &m->stdev_id, "IOMMU_DESTROY (mock device)",
			    &m->failed);
	ret = ret ?: r;
	r = iommufd_destroy(m->fd, &m->hwpt_id, "IOMMU_DESTROY (hwpt)",
			    &m->failed);
	ret = ret ?: r;
	r = iommufd_destroy(m->fd, &m->ioas_id, "IOMMU_DESTROY (ioas)",
			    &m->failed);
	ret = ret ?: r;
	close(m->fd);
	m->fd = -1;
	if (failed)
		m->failed = failed;
	return ret;
}
