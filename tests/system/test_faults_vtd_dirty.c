// SPDX-License-Identifier: GPL-2.0
/*
 * In the testbed VM, vtd-dirty profile (the Intel driver's iommufd dirty
 * tracking on our emulated VT-d, edu as the DMA engine): iommufd's own
 * fault points (fail_iommufd) fail in turn while bench drives the iommufd
 * backend through both strategies, with the device writing. The rules of
 * faultinj_checks.c hold for every run (exit 0 or 1, one error line naming
 * the step, no fd left, nothing pinned, no splat); after every run edu is
 * still on vfio-pci and its group free; after the sweep a plain run works.
 *
 * Not swept: failslab, for the reason test_faults_vtd.c gives (a failed
 * allocation in vfio-pci's enable corrupts ACPI's reference counts), and
 * the writer thread, which makes no system call here: edu's DMA is two
 * MMIO stores into its mapped BAR, no kernel fault point on the way.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "commands.h"
#include "faultinj.h"
#include "syshelp.h"

#define DEVICE "/dev/vfio/devices/vfio0"

static char group[64];

/* The after_run of the sweeps here: edu and this file's group free. */
static void edu_still_on_vfio_pci(const struct fi_sweep *sw, unsigned int nth,
				  int status)
{
	(void)status;
	fi_assert_edu_free(sw, nth, group);
}

static void bench_iommufd_dirty(void **state)
{
	const char *argv[] = { "bench",	       "--backend",  "iommufd",
			       "--device",     DEVICE,	     "--no-trace",
			       "--size",       "64K",	     "--rate",
			       "200",	       "--downtime", "0",
			       "--max-rounds", "2",	     NULL };
	const char *plain[] = { dirtyscope_bin(),
				"bench",
				"--backend",
				"iommufd",
				"--device",
				DEVICE,
				"--no-trace",
				"--size",
				"64K",
				"--rate",
				"200",
				"--downtime",
				"0",
				"--max-rounds",
				"2",
				NULL };
	static struct fi_sweep sw = {
		.name = "bench --backend iommufd, edu writing (fail_iommufd)",
		.cmd = cmd_bench,
		.mode = FI_THREAD,
		.attr = "fail_iommufd",
		.patience = 1,
		.after_run = edu_still_on_vfio_pci,
	};
	struct run r;

	(void)state;
	sw.argv = argv;
	fi_sweep(&sw);
	assert_int_equal(sw.base_status, 0);
	fi_assert_hit(&sw, "IOMMU_HWPT_ALLOC (dirty tracking)");
	fi_assert_hit(&sw, "IOMMU_IOAS_MAP");
	fi_assert_hit(&sw, "IOMMU_HWPT_SET_DIRTY_TRACKING");
	fi_assert_hit(&sw, "IOMMU_HWPT_GET_DIRTY_BITMAP");
	assert_int_equal(run_sync(&r, RUN_AS_ROOT, plain, 120), 0);
	run_free(&r);
	edu_still_on_vfio_pci(&sw, 0, 0);
	fi_check_kmsg("plain run");
	fi_sweep_free(&sw);
}

static int setup(void **state)
{
	(void)state;
	if (vfio_bind(EDU_ID, group, sizeof(group)))
		return -1;
	return fi_setup();
}

static int teardown(void **state)
{
	(void)state;
	fi_teardown();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bench_iommufd_dirty),
	};

	return cmocka_run_group_tests_name("faults_vtd_dirty", tests, setup,
					   teardown);
}
