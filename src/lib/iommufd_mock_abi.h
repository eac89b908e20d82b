/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The iommufd selftest command, as far as dirtyscope uses it.
 *
 * The kernel keeps this ABI in drivers/iommu/iommufd/iommufd_test.h, which is
 * not exported to user space. These are our own definitions of the same
 * layout, only what dirtyscope uses; tests/unit/test_mock_abi.c checks every
 * size, offset and constant against the kernel header of each testbed
 * kernel's source (6.12 and 7.x: the ABI only grew in between).
 */
#ifndef DIRTYSCOPE_IOMMUFD_MOCK_ABI_H
#define DIRTYSCOPE_IOMMUFD_MOCK_ABI_H

#include <linux/iommufd.h>
#include <linux/types.h>

/* Selftest ops (IOMMU_TEST_OP_*) */
#define DS_MOCK_OP_MOCK_DOMAIN_REPLACE 10
#define DS_MOCK_OP_MOCK_DOMAIN_FLAGS   12
#define DS_MOCK_OP_DIRTY	       13

/* Mock device flags (MOCK_FLAGS_DEVICE_*) */
#define DS_MOCK_DEV_NO_DIRTY  (1u << 0)
/* 6.12 only (7.x dropped it): the domain maps 1 MiB IOPTEs too. */
#define DS_MOCK_DEV_HUGE_IOVA (1u << 1)
#define DS_MOCK_HUGE_IOPTE    (512ull * 2048)

/* The IOVA window every mock domain accepts. */
#define DS_MOCK_APERTURE_START (1ull << 24)
#define DS_MOCK_APERTURE_LAST  ((1ull << 31) - 1)

#define DS_MOCK_CMD _IO(IOMMUFD_TYPE, IOMMUFD_CMD_BASE + 32)

struct ds_mock_cmd {
	__u32 size;
	__u32 op;
	__u32 id;
	__u32 __reserved;
	union {
		struct {
			__u32 out_stdev_id;
			__u32 out_hwpt_id;
			__u32 out_idev_id;
			__u32 dev_flags;
		} mock_domain_flags;
		struct {
			__u32 pt_id;
		} mock_domain_replace;
		struct {
			__u32 flags;
			__aligned_u64 iova;
			__aligned_u64 length;
			__aligned_u64 page_size;
			__aligned_u64 uptr;
			__aligned_u64 out_nr_dirty;
		} dirty;
		/* The kernel's union has members we do not use; this keeps
		 * 'last' at the kernel's offset. */
		__aligned_u64 __union_size[6];
	};
	__u32 last;
};

#endif
