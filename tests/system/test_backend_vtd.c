// SPDX-License-Identifier: GPL-2.0
/*
 * In the testbed VM (vtd profile: the real Intel IOMMU driver on QEMU's
 * emulated VT-d, which has no hardware dirty tracking; QEMU's edu device
 * bound to vfio-pci): the backends of bench that drive real VFIO devices.
 * vfio-type1 works and reports every mapped page (vfio-pci pins nothing);
 * vfio-manual-clear and iommufd must refuse, each with a one-line reason,
 * and leave the device free for the next user.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <linux/iommufd.h>
#include <linux/vfio.h>
#include "backend.h"
#include "bitmap.h"
#include "syshelp.h"

#define PAGE	  4096ull /* VT-d's smallest page, type1's bitmap unit */
#define SIZE	  (16ull << 20)
#define PAGES	  (SIZE / PAGE)
#define WORDS	  (PAGES / 64)
/* edu is the only VFIO device of the vtd profile (test_vtd_vm.c checks its
 * address), so its cdev is the first one. */
#define EDU_SYSFS "/sys/bus/pci/devices/0000:00:01.0/vfio-dev/vfio0"
#define DEVICE	  "/dev/vfio/devices/vfio0"
#define UNSAFE	  "/sys/module/iommufd/parameters/allow_unsafe_interrupts"

static char group[64]; /* /dev/vfio/N, from vfio-bind.sh */

static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static void set_unsafe_interrupts(const char *v)
{
	int fd = open(UNSAFE, O_WRONLY);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, v, 1), 1);
	close(fd);
}

static void type1_reports_every_page_and_reads_only_with_clear(void **state)
{
	struct backend_config cfg = { .size = SIZE, .group = group };
	static uint64_t got[WORDS];
	int fds = open_fds();
	struct backend b;

	(void)state;
	assert_int_equal(backend_open(&b, "vfio-type1", &cfg), 0);
	assert_null(b.failed);
	assert_int_equal(b.iova, 1ull << 32);
	assert_int_equal(b.length, SIZE);
	assert_int_equal(b.page_size, PAGE);
	assert_int_equal(backend_pages(&b), 4096);
	assert_false(b.can_read_noclear);
	assert_false(b.can_write);
	assert_int_equal(b.ops->set_tracking(&b, true), 0);

	/* Every mapped page, and again: nothing is pinned, so type1 cannot
	 * tell and says all, on every read. */
	for (int i = 0; i < 2; i++) {
		memset(got, 0, sizeof(got));
		assert_int_equal(b.ops->read(&b, b.iova, b.length, true, got),
				 0);
		assert_int_equal(bitmap_weight(got, PAGES), 4096);
	}

	memset(got, 0, sizeof(got));
	assert_int_equal(b.ops->read(&b, b.iova, b.length, false, got),
			 -EOPNOTSUPP);
	assert_string_equal(b.failed,
			    "vfio-type1: type1 cannot read without clearing; "
			    "the manual strategy needs the vfio-manual-clear "
			    "backend");
	assert_int_equal(bitmap_weight(got, PAGES), 0);
	assert_int_equal(b.ops->clear(&b, b.iova, b.length), -EOPNOTSUPP);
	assert_string_equal(b.failed,
			    "vfio-type1: type1 has no clear-only call; the "
			    "manual strategy needs the vfio-manual-clear "
			    "backend");
	assert_int_equal(b.ops->write(&b, b.iova, b.length, got), -EOPNOTSUPP);
	assert_string_equal(b.failed, "vfio-type1: the tool cannot make a "
				      "real device write");
	/* The kernel's rule: a read covers whole mappings. */
	assert_int_equal(b.ops->read(&b, b.iova, b.length / 2, true, got),
			 -EINVAL);
	assert_string_equal(b.failed, "VFIO_IOMMU_DIRTY_PAGES GET_BITMAP");

	/* Closed with tracking on and the buffer mapped. */
	b.failed = NULL;
	assert_int_equal(backend_close(&b), 0);
	assert_null(b.failed);
	assert_null(b.priv);
	assert_int_equal(backend_close(&b), 0);
	assert_int_equal(open_fds(), fds);
	assert_group_free(group);
}

static void type1_open_errors(void **state)
{
	struct backend_config nogroup = { .size = SIZE };
	struct backend_config missing = { .size = SIZE,
					  .group = "/dev/vfio/9999" };
	struct backend_config odd = { .size = 6144, .group = group };
	int fds = open_fds();
	struct backend b;

	(void)state;
	/* Never a group the user did not name. */
	assert_int_equal(backend_open(&b, "vfio-type1", &nogroup), -EINVAL);
	assert_string_equal(b.failed, "vfio-type1: no group given (--group "
				      "/dev/vfio/N)");
	assert_int_equal(backend_open(&b, "vfio-type1", &missing), -ENOENT);
	assert_string_equal(b.failed, "open /dev/vfio/9999");
	assert_int_equal(backend_open(&b, "vfio-type1", &odd), -EINVAL);
	assert_string_equal(b.failed,
			    "map size: size 6144 and iova 0x100000000 must be "
			    "multiples of the 4096 B IOMMU page");
	assert_null(b.priv);
	assert_int_equal(backend_close(&b), 0);
	assert_int_equal(open_fds(), fds);
	assert_group_free(group);
}

/* 6.12 has no extension 11: the backend refuses, and asked nothing else
 * of the container. */
static void manual_clear_is_not_in_this_kernel(void **state)
{
	struct backend_config cfg = { .size = SIZE, .group = group };
	struct backend_config nogroup = { .size = SIZE };
	int fds = open_fds();
	struct backend b;

	(void)state;
	assert_int_equal(backend_open(&b, "vfio-manual-clear", &cfg),
			 -EOPNOTSUPP);
	assert_string_equal(b.failed, "vfio-manual-clear: not supported by "
				      "this kernel (VFIO_CHECK_EXTENSION 11)");
	assert_null(b.priv);
	assert_int_equal(backend_close(&b), 0);
	assert_string_equal(b.failed, "vfio-manual-clear: not supported by "
				      "this kernel (VFIO_CHECK_EXTENSION 11)");
	assert_int_equal(open_fds(), fds);
	assert_group_free(group);

	assert_int_equal(backend_open(&b, "vfio-manual-clear", &nogroup),
			 -EINVAL);
	assert_string_equal(b.failed, "vfio-manual-clear: no group given "
				      "(--group /dev/vfio/N)");
}

/*
 * The emulated VT-d has no SSADS: IOMMU_GET_HW_INFO says intel-vtd without
 * IOMMU_HW_CAP_DIRTY_TRACKING, and the backend stops there. Before that,
 * binding needs iommufd's own allow_unsafe_interrupts (the vtd profile
 * only sets type1's): without it bind is EPERM. Either way the device is
 * free afterwards.
 */
static void iommufd_on_vtd_has_no_dirty_tracking(void **state)
{
	struct backend_config cfg = { .size = SIZE, .device = DEVICE };
	const char *no_dirty = "intel-vtd IOMMU has no dirty tracking "
			       "(IOMMU_HW_CAP_DIRTY_TRACKING not set)";
	int fds = open_fds();
	struct backend b;
	struct stat st;

	(void)state;
	assert_int_equal(stat(EDU_SYSFS, &st), 0);
	assert_int_equal(stat(DEVICE, &st), 0);
	assert_true(S_ISCHR(st.st_mode));

	set_unsafe_interrupts("N");
	assert_int_equal(backend_open(&b, "iommufd", &cfg), -EPERM);
	assert_string_equal(b.failed,
			    "VFIO_DEVICE_BIND_IOMMUFD: no interrupt remapping "
			    "(iommufd.allow_unsafe_interrupts=1 accepts that)");
	assert_null(b.priv);
	assert_int_equal(open_fds(), fds);
	assert_group_free(group);

	set_unsafe_interrupts("Y");
	for (int i = 0; i < 2; i++) {
		/* The second time also shows the first held nothing. */
		assert_int_equal(backend_open(&b, "iommufd", &cfg),
				 -EOPNOTSUPP);
		assert_string_equal(b.failed, no_dirty);
		assert_null(b.priv);
		assert_int_equal(backend_close(&b), 0);
		assert_string_equal(b.failed, no_dirty);
		assert_int_equal(open_fds(), fds);
		assert_group_free(group);
	}
	set_unsafe_interrupts("N");
}

/* Our check agrees with the kernel's: asked for a dirty-tracking HWPT
 * anyway, the Intel driver refuses it. Also prints what GET_HW_INFO says. */
static void kernel_refuses_a_dirty_hwpt_too(void **state)
{
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct iommu_ioas_alloc ioas = { .size = sizeof(ioas) };
	struct iommu_hw_info_vtd vtd;
	struct iommu_hw_info info = {
		.size = sizeof(info),
		.data_len = sizeof(vtd),
		.data_uptr = (uintptr_t)&vtd,
	};
	struct iommu_hwpt_alloc hwpt = {
		.size = sizeof(hwpt),
		.flags = IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
	};
	int dev, fd;

	(void)state;
	set_unsafe_interrupts("Y");
	dev = open(DEVICE, O_RDWR | O_CLOEXEC);
	fd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	assert_true(dev >= 0 && fd >= 0);
	bind.iommufd = fd;
	assert_int_equal(ioctl(dev, VFIO_DEVICE_BIND_IOMMUFD, &bind), 0);
	assert_int_equal(ioctl(fd, IOMMU_IOAS_ALLOC, &ioas), 0);
	info.dev_id = bind.out_devid;
	assert_int_equal(ioctl(fd, IOMMU_GET_HW_INFO, &info), 0);
	print_message("# GET_HW_INFO: type %u, capabilities 0x%llx, "
		      "cap_reg 0x%llx, ecap_reg 0x%llx\n",
		      info.out_data_type,
		      (unsigned long long)info.out_capabilities,
		      (unsigned long long)vtd.cap_reg,
		      (unsigned long long)vtd.ecap_reg);
	assert_int_equal(info.out_data_type, IOMMU_HW_INFO_TYPE_INTEL_VTD);
	assert_int_equal(info.out_capabilities & IOMMU_HW_CAP_DIRTY_TRACKING,
			 0);
	hwpt.dev_id = bind.out_devid;
	hwpt.pt_id = ioas.out_ioas_id;
	assert_int_equal(ioctl(fd, IOMMU_HWPT_ALLOC, &hwpt), -1);
	assert_int_equal(errno, EOPNOTSUPP);
	/* Without the dirty flag the same HWPT is fine. */
	hwpt.flags = 0;
	assert_int_equal(ioctl(fd, IOMMU_HWPT_ALLOC, &hwpt), 0);
	close(dev);
	close(fd);
	set_unsafe_interrupts("N");
	assert_group_free(group);
}

static void iommufd_needs_a_named_device(void **state)
{
	struct backend_config nodev = { .size = SIZE };
	struct backend_config missing = { .size = SIZE,
					  .device =
						  "/dev/vfio/devices/vfio99" };
	struct backend b;

	(void)state;
	/* Never a device the user did not name. */
	assert_int_equal(backend_open(&b, "iommufd", &nodev), -EINVAL);
	assert_string_equal(b.failed, "iommufd: no device given (--device "
				      "/dev/vfio/devices/vfioN)");
	assert_int_equal(backend_open(&b, "iommufd", &missing), -ENOENT);
	assert_string_equal(b.failed, "open /dev/vfio/devices/vfio99");
	assert_null(b.priv);
	assert_int_equal(backend_close(&b), 0);
	assert_group_free(group);
}

static void unknown_backend_is_enoent(void **state)
{
	struct backend_config cfg = { .size = SIZE, .group = group };
	struct backend b;

	(void)state;
	assert_int_equal(backend_open(&b, "vfio", &cfg), -ENOENT);
	assert_string_equal(b.failed, "unknown backend 'vfio' (mock, iommufd, "
				      "vfio-type1, vfio-manual-clear)");
	assert_null(b.ops);
	assert_int_equal(backend_close(&b), 0);
	assert_null(backend_find("vfio"));
	assert_string_equal(backend_find("mock")->name, "mock");
	assert_string_equal(backend_find("iommufd")->name, "iommufd");
	assert_string_equal(backend_find("vfio-type1")->name, "vfio-type1");
	assert_string_equal(backend_find("vfio-manual-clear")->name,
			    "vfio-manual-clear");
}

static int setup(void **state)
{
	(void)state;
	return vfio_bind(EDU_ID, group, sizeof(group));
}

/* iommufd's parameter back to its default, whatever a test left. */
static int teardown(void **state)
{
	int fd = open(UNSAFE, O_WRONLY);

	(void)state;
	if (fd < 0 || write(fd, "N", 1) != 1)
		return -1;
	close(fd);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			type1_reports_every_page_and_reads_only_with_clear),
		cmocka_unit_test(type1_open_errors),
		cmocka_unit_test(manual_clear_is_not_in_this_kernel),
		cmocka_unit_test(iommufd_on_vtd_has_no_dirty_tracking),
		cmocka_unit_test(kernel_refuses_a_dirty_hwpt_too),
		cmocka_unit_test(iommufd_needs_a_named_device),
		cmocka_unit_test(unknown_backend_is_enoent),
	};

	return cmocka_run_group_tests_name("backend_vtd", tests, setup,
					   teardown);
}
