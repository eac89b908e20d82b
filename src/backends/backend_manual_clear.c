// SPDX-License-Identifier: GPL-2.0
/*
 * "vfio-manual-clear": a VFIO type1 container with the 2021 "manual dirty
 * log clear" series (posted to the iommu list in 2021, never merged; it
 * shipped in openEuler's 5.10 kernel). No kernel here has it: on every
 * kernel we can test, open() fails with "not supported by this kernel".
 * This file is written from the series' uAPI description, not its code.
 *
 * Our reading of the uAPI, and the assumptions in it:
 *  - VFIO_CHECK_EXTENSION(VFIO_DIRTY_LOG_MANUAL_CLEAR = 11) on a container
 *    whose IOMMU is set answers 1 and, in doing so, switches that container
 *    to manual clear. Nothing switches it back: we ask once, in open().
 *  - read(clear=false): VFIO_IOMMU_DIRTY_PAGES with GET_BITMAP_NOCLEAR
 *    (1 << 3) and the same vfio_iommu_type1_dirty_bitmap_get range and
 *    bitmap as GET_BITMAP. Assumed to share GET_BITMAP's rule that the
 *    range covers whole mappings (here: the one mapping).
 *  - clear(): DIRTY_PAGES with CLEAR_BITMAP (1 << 4), the same range
 *    struct, and a bitmap of the pages to clear (a set bit clears that
 *    page; the kernel reads bitmap.size bytes). We pass exactly the pages
 *    of [iova, iova + len). The series walks the mappings the range
 *    overlaps, so a sub-range of a mapping is allowed.
 *  - read(clear=true): plain GET_BITMAP. The flag values 1 << 3 and 1 << 4
 *    are those of the series' QEMU side; its kernel posting v2 had only
 *    CLEAR_BITMAP = 1 << 3, and there GET_BITMAP no longer cleared once
 *    manual clear was on. On such a kernel read(clear=false) fails with
 *    EINVAL and read(clear=true) stops clearing: bench would see pages
 *    that never go clean, not pages silently lost.
 * The flag values live in vfio_manual_clear.h.
 */
#include <errno.h>
#include <string.h>
#include "backend_impl.h"
#include "bitmap.h"
#include "vfio_manual_clear.h"
#include "vfio_type1.h"

static int mc_open(struct backend *b, const struct backend_config *cfg)
{
	return type1b_open(b, cfg, true);
}

static int mc_read(struct backend *b, uint64_t iova, uint64_t len, bool clear,
		   uint64_t *bitmap)
{
	int ret;

	if (clear)
		return type1b_read_clear(b, iova, len, bitmap);
	ret = type1_dirty_bitmap(type1b_container(b),
				 VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP_NOCLEAR,
				 iova, len, bitmap);
	return ret ? type1b_failed(b, ret) : 0;
}

static int mc_clear(struct backend *b, uint64_t iova, uint64_t len)
{
	uint64_t *bits = type1b_scratch(b), n;
	int ret;

	/* The bitmap is sized for the mapping: stay inside it. */
	ret = backend_check_range(b, iova, len,
				  "clear (range outside the mapping)");
	if (ret)
		return ret;
	n = len / b->page_size;
	memset(bits, 0xff, n / 64 * 8);
	if (n % 64)
		bits[n / 64] = (1ull << (n % 64)) - 1;
	ret = type1_dirty_bitmap(type1b_container(b),
				 VFIO_IOMMU_DIRTY_PAGES_FLAG_CLEAR_BITMAP, iova,
				 len, bits);
	return ret ? type1b_failed(b, ret) : 0;
}

const struct backend_ops backend_manual_clear_ops = {
	.name = "vfio-manual-clear",
	.open = mc_open,
	.set_tracking = type1b_set_tracking,
	.read = mc_read,
	.clear = mc_clear,
	.write = type1b_write,
	.close = type1b_close,
};
