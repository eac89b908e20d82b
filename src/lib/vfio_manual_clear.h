/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The 2021 VFIO "manual dirty log clear" series (RFC, v1, v2; shipped in
 * openEuler's 5.10 kernel) was never merged upstream, so no kernel header
 * defines it. This is our own definition of the one number dirtyscope asks
 * about.
 *
 * VFIO_CHECK_EXTENSION with this number on a type1 container answers 1 on a
 * kernel with the series (and, on a container with an IOMMU set, switches
 * that container to manual clear). Upstream has no extension 11 as of 6.12
 * (VFIO_UPDATE_VADDR = 10 is the last), so upstream answers 0. The series'
 * first RFC used 9, which upstream has since given to VFIO_UNMAP_ALL: only
 * 11 can be asked about safely.
 */
#ifndef DIRTYSCOPE_VFIO_MANUAL_CLEAR_H
#define DIRTYSCOPE_VFIO_MANUAL_CLEAR_H

#ifndef VFIO_DIRTY_LOG_MANUAL_CLEAR
#define VFIO_DIRTY_LOG_MANUAL_CLEAR 11
#endif

/*
 * VFIO_IOMMU_DIRTY_PAGES flags of the series, with the values of its QEMU
 * side's header update (and of trace_event.h): read without clearing, and
 * clear the pages whose bits are set in the bitmap passed in. Both take the
 * same vfio_iommu_type1_dirty_bitmap_get range as GET_BITMAP. The kernel
 * patch "[PATCH v2 11/11] vfio/iommu_type1: Add support for manual dirty log
 * clear" (2021-03-10) has only CLEAR_BITMAP, as 1 << 3, and there plain
 * GET_BITMAP stops clearing once the extension was checked: a kernel built
 * from that posting would answer these with EINVAL or read-without-clear.
 */
#ifndef VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP_NOCLEAR
#define VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP_NOCLEAR (1 << 3)
#endif
#ifndef VFIO_IOMMU_DIRTY_PAGES_FLAG_CLEAR_BITMAP
#define VFIO_IOMMU_DIRTY_PAGES_FLAG_CLEAR_BITMAP (1 << 4)
#endif

#endif
