/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Our definitions of the iommufd selftest ABI (src/lib/iommufd_mock_abi.h)
 * must match the kernel's private header (iommufd_test.h) in a testbed
 * kernel's source, which the Makefile puts on the include path of the test
 * including this: test_mock_abi.c for the first testbed kernel,
 * test_mock_abi_next.c for the second (scripts/testbed-kernels). The first
 * defines MOCK_ABI_HUGE_IOVA: 6.12 has MOCK_FLAGS_DEVICE_HUGE_IOVA.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "iommufd_mock_abi.h"
#include "iommufd_test.h"
#include <linux/vfio.h>
#include "trace_event.h"
#include "vfio_manual_clear.h"

#define SAME_FIELD(ours, theirs)                                           \
	do {                                                               \
		assert_int_equal(offsetof(struct ds_mock_cmd, ours),       \
				 offsetof(struct iommu_test_cmd, theirs)); \
		assert_int_equal(                                          \
			sizeof(((struct ds_mock_cmd *)0)->ours),           \
			sizeof(((struct iommu_test_cmd *)0)->theirs));     \
	} while (0)

static void cmd_layout(void **state)
{
	(void)state;
	assert_int_equal(sizeof(struct ds_mock_cmd),
			 sizeof(struct iommu_test_cmd));
	SAME_FIELD(size, size);
	SAME_FIELD(op, op);
	SAME_FIELD(id, id);
	SAME_FIELD(mock_domain_flags, mock_domain_flags);
	SAME_FIELD(mock_domain_flags.out_stdev_id,
		   mock_domain_flags.out_stdev_id);
	SAME_FIELD(mock_domain_flags.out_hwpt_id,
		   mock_domain_flags.out_hwpt_id);
	SAME_FIELD(mock_domain_flags.out_idev_id,
		   mock_domain_flags.out_idev_id);
	SAME_FIELD(mock_domain_flags.dev_flags, mock_domain_flags.dev_flags);
	SAME_FIELD(mock_domain_replace.pt_id, mock_domain_replace.pt_id);
	SAME_FIELD(dirty, dirty);
	SAME_FIELD(dirty.flags, dirty.flags);
	SAME_FIELD(dirty.iova, dirty.iova);
	SAME_FIELD(dirty.length, dirty.length);
	SAME_FIELD(dirty.page_size, dirty.page_size);
	SAME_FIELD(dirty.uptr, dirty.uptr);
	SAME_FIELD(dirty.out_nr_dirty, dirty.out_nr_dirty);
	SAME_FIELD(last, last);
}

static void constants(void **state)
{
	(void)state;
	assert_int_equal(DS_MOCK_CMD, IOMMU_TEST_CMD);
	assert_int_equal(DS_MOCK_OP_MOCK_DOMAIN_REPLACE,
			 IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE);
	assert_int_equal(DS_MOCK_OP_MOCK_DOMAIN_FLAGS,
			 IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS);
	assert_int_equal(DS_MOCK_OP_DIRTY, IOMMU_TEST_OP_DIRTY);
	assert_int_equal(DS_MOCK_DEV_NO_DIRTY, MOCK_FLAGS_DEVICE_NO_DIRTY);
#ifdef MOCK_ABI_HUGE_IOVA
	/* 6.12: a device flag; its IOPTE size is private to selftest.c. */
	assert_int_equal(DS_MOCK_DEV_HUGE_IOVA, MOCK_FLAGS_DEVICE_HUGE_IOVA);
#else
	/* 7.x: the flag is gone, the size is in the header. */
	assert_true(DS_MOCK_HUGE_IOPTE == MOCK_HUGE_PAGE_SIZE);
#endif
	assert_true(DS_MOCK_APERTURE_START == MOCK_APERTURE_START);
	assert_true(DS_MOCK_APERTURE_LAST == MOCK_APERTURE_LAST);
}

/* What bpf/trace.bpf.c hard-codes, from the uAPI headers. */
static void trace_event_uapi_values(void **state)
{
	(void)state;
	assert_int_equal(DS_GET_DIRTY_NO_CLEAR,
			 IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR);
	assert_int_equal(DS_VFIO_IOMMU_MAP_DMA, VFIO_IOMMU_MAP_DMA);
	assert_int_equal(DS_VFIO_IOMMU_UNMAP_DMA, VFIO_IOMMU_UNMAP_DMA);
	assert_int_equal(DS_VFIO_IOMMU_DIRTY_PAGES, VFIO_IOMMU_DIRTY_PAGES);
	assert_int_equal(DS_VFIO_DIRTY_START,
			 VFIO_IOMMU_DIRTY_PAGES_FLAG_START);
	assert_int_equal(DS_VFIO_DIRTY_STOP, VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP);
	assert_int_equal(DS_VFIO_DIRTY_GET_BITMAP,
			 VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP);
	assert_int_equal(DS_VFIO_DIRTY_GET_BITMAP_NOCLEAR,
			 VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP_NOCLEAR);
	assert_int_equal(DS_VFIO_DIRTY_CLEAR_BITMAP,
			 VFIO_IOMMU_DIRTY_PAGES_FLAG_CLEAR_BITMAP);
	assert_int_equal(DS_VFIO_UNMAP_GET_DIRTY_BITMAP,
			 VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cmd_layout),
		cmocka_unit_test(constants),
		cmocka_unit_test(trace_event_uapi_values),
	};

	return cmocka_run_group_tests_name("mock_abi", tests, NULL, NULL);
}
