/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The iommufd selftest mock device (CONFIG_IOMMUFD_TEST) as a DMA source with
 * hardware-style dirty tracking: an IOAS, a mock device attached to a
 * dirty-tracking HWPT, one anonymous buffer mapped at the start of the mock
 * aperture, and "device writes" injected with IOMMU_TEST_OP_DIRTY.
 *
 * Every call returns 0 or -errno; on failure m->failed names the step (the
 * ioctl) that failed, for a one-line error.
 */
#ifndef DIRTYSCOPE_IOMMUFD_MOCK_H
#define DIRTYSCOPE_IOMMUFD_MOCK_H

#include <stdbool.h>
#include <stdint.h>
#include "backing.h"

struct mock_dev {
	int fd;
	uint32_t ioas_id;
	uint32_t stdev_id;  /* selftest device object */
	uint32_t idev_id;   /* the device's iommufd binding */
	uint32_t hwpt_id;   /* our dirty-tracking HWPT */
	uint64_t iova;	    /* start of the mapping */
	uint64_t length;    /* bytes mapped, 0 when nothing is */
	uint64_t page_size; /* mock IO page: PAGE_SIZE / 2 */
	uint64_t map_chunk; /* bytes per IOAS_MAP (see mock_dev_map()) */
	enum backing backing;
	bool per_page; /* 6.12's mock (dirty bits per mock page), not 7.x's */
	void *buf;
	bool tracking;
	const char *failed;
};

/* Open /dev/iommu (or path), create the IOAS, a mock device with dev_flags
 * (DS_MOCK_DEV_*), and a dirty-tracking HWPT it is attached to; the
 * buffer mock_dev_map() maps will have this backing. */
int mock_dev_open(struct mock_dev *m, const char *path, uint32_t dev_flags,
		  enum backing backing);
/* Map length bytes of fresh memory with the backing at the first aperture
 * address aligned to a backing page. 4k: each mock page one IOPTE; else
 * 6.12 maps 1 MiB IOPTEs (its largest), 7.x one IOPTE per backing page.
 * One IOMMU_IOAS_MAP, or one per backing page (4k: per mock page) on a mock
 * whose IOPTEs follow physical contiguity (7.x; m->map_chunk says). */
int mock_dev_map(struct mock_dev *m, uint64_t length);
int mock_dev_set_tracking(struct mock_dev *m, bool enable);
/* "Device DMA": mark the mock pages whose bits are set in pages (one bit per
 * mock page from m->iova) dirty. *marked gets the kernel's count. */
int mock_dev_write(struct mock_dev *m, const uint64_t *pages, uint64_t *marked);
/* The same over [iova, iova + length) of the mapping: bit i of pages is the
 * mock page at iova + i * m->page_size. The kernel wants iova and length
 * multiples of m->page_size and tracking enabled (EINVAL otherwise); it
 * marks only mapped pages and counts those in *marked. */
int mock_dev_write_range(struct mock_dev *m, uint64_t iova, uint64_t length,
			 const uint64_t *pages, uint64_t *marked);
/* GET_DIRTY_BITMAP over [iova, iova + length) with bitmap page size
 * m->page_size; flags 0 (read and clear) or NO_CLEAR. Bits are ORed into
 * bitmap, which the caller zeroes. */
int mock_dev_read_dirty(struct mock_dev *m, uint32_t flags, uint64_t iova,
			uint64_t length, uint64_t *bitmap);
/* Disable tracking, unmap, destroy every object, close. Safe after any
 * mock_dev_open(), failed or not, and twice. Returns the first error, all
 * steps run. */
int mock_dev_close(struct mock_dev *m);

/* Number of mock pages in the mapping. */
static inline uint64_t mock_dev_pages(const struct mock_dev *m)
{
	return m->length / m->page_size;
}

#endif
