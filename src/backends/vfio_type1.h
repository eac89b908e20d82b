/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A VFIO type1 container with one IOMMU group and one DMA mapping, driven
 * through the type1 dirty page uAPI (VFIO_IOMMU_DIRTY_PAGES). type1 has no
 * hardware dirty tracking: it reports the pages a driver pinned, or every
 * mapped page as soon as one group in the container does not pin (vfio-pci).
 *
 * Every call returns 0 or -errno; on failure t->failed names the step (the
 * ioctl) that failed, and type1_reason() says why, for a one-line error.
 */
#ifndef DIRTYSCOPE_VFIO_TYPE1_H
#define DIRTYSCOPE_VFIO_TYPE1_H

#include <stdbool.h>
#include <stdint.h>

/*
 * The VFIO_CHECK_EXTENSION argument of the 2021 "manual clear" series (read
 * without clearing, then clear per chunk). It was never merged upstream (it
 * shipped in openEuler 5.10), so no <linux/vfio.h> defines it; upstream
 * kernels answer 0. Our own name, with the value of that series' v2.
 */
#define DS_VFIO_DIRTY_LOG_MANUAL_CLEAR 11

struct type1 {
	int container;		   /* /dev/vfio/vfio, -1 when closed */
	int group;		   /* /dev/vfio/N, -1 when closed */
	bool attached;		   /* group added to the container */
	uint64_t iova_pgsizes;	   /* VFIO_IOMMU_GET_INFO */
	uint64_t dirty_pgsize;	   /* migration capability, 0 without */
	uint64_t max_bitmap_bytes; /* migration capability */
	uint64_t iova;		   /* start of the mapping */
	uint64_t length;	   /* bytes mapped, 0 when nothing is */
	void *buf;
	bool tracking;
	const char *failed; /* the step that failed */
	const char *reason; /* why, when errno alone would not say */
	char step[96];
	char why[160];
};

/* Open the container and the group (a path like /dev/vfio/N), check the
 * group is viable, attach it, select the type1v2 IOMMU and read its page
 * sizes and migration capability. Undoes everything on failure. */
int type1_open(struct type1 *t, const char *group_path);
/* Map length bytes of fresh anonymous memory at iova, read and write. */
int type1_map(struct type1 *t, uint64_t iova, uint64_t length);
/* VFIO_IOMMU_DIRTY_PAGES START or STOP. */
int type1_set_tracking(struct type1 *t, bool enable);
/* GET_BITMAP over [iova, iova + length), which must cover whole mappings,
 * one bit per t->dirty_pgsize page from iova; the caller zeroes bitmap. */
int type1_read_dirty(struct type1 *t, uint64_t iova, uint64_t length,
		     uint64_t *bitmap);
/* One VFIO_IOMMU_DIRTY_PAGES call with a range and a bitmap of
 * t->dirty_pgsize pages: flags GET_BITMAP (what type1_read_dirty does) or,
 * on a kernel with the 2021 manual-clear series, GET_BITMAP_NOCLEAR or
 * CLEAR_BITMAP (vfio_manual_clear.h; CLEAR_BITMAP reads bitmap: the pages
 * to clear). */
int type1_dirty_bitmap(struct type1 *t, uint32_t flags, uint64_t iova,
		       uint64_t length, uint64_t *bitmap);
/* Unmap the whole mapping; with a bitmap, also get its dirty bits
 * (VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP, needs tracking on). *unmapped
 * gets the bytes the kernel says it unmapped. */
int type1_unmap(struct type1 *t, uint64_t *bitmap, uint64_t *unmapped);
/* 1 if the container offers DS_VFIO_DIRTY_LOG_MANUAL_CLEAR, 0 if not. On a
 * kernel with that series asking also switches the container to manual
 * clear, so ask after the reads whose default behaviour you want. */
int type1_has_manual_clear(struct type1 *t);
/* Stop tracking, unmap, detach the group, close both. Every step runs even
 * if one fails; returns the first error and keeps the first failed step.
 * Safe after any type1_open(), failed or not, and twice. */
int type1_close(struct type1 *t);

/* Why the last step failed: t->reason, or strerror(-err). */
const char *type1_reason(const struct type1 *t, int err);

/* Dirty bitmap pages in the mapping. */
static inline uint64_t type1_pages(const struct type1 *t)
{
	return t->dirty_pgsize ? t->length / t->dirty_pgsize : 0;
}

#endif
