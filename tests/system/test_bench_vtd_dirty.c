// SPDX-License-Identifier: GPL-2.0
/*
 * In the testbed VM, vtd-dirty profile: dirtyscope bench on the iommufd
 * backend, edu doing the device's DMA through the emulated VT-d and the
 * Intel driver reading and clearing the hardware's D flags. The scheduled
 * writes of test_bench_vm.c give the same hand-computed counts here, in
 * 4 KiB pages, and the profiler sees the invalidations the driver makes:
 * intel_iommu_tlb_sync() ends every read-and-clear (iopt_read_and_clear_
 * dirty_data() calls iommu_iotlb_sync() unless NO_CLEAR), one IOTLB cache
 * tag for edu's domain (edu has no ATS, so no device-TLB tag), so one
 * invalidation per clearing read and none per NO_CLEAR read. On 7.x
 * iommu_iotlb_sync() skips the driver for an empty gather: a clearing read
 * that cleared nothing costs no invalidation there.
 */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <cmocka.h>
#include "syshelp.h"

#define PAGES_16M ((16 << 20) / 4096)
#define DEVICE	  "/dev/vfio/devices/vfio0"

static char dir[] = "/tmp/ds-bench-vtd-XXXXXX";

/* 7.x's iommu_iotlb_sync() calls the driver only for a non-empty gather
 * (6.12's always does): the testbed's two kernels, told apart by release. */
static bool empty_clears_flush(void)
{
	struct utsname u;

	assert_int_equal(uname(&u), 0);
	return atoi(u.release) < 7;
}
static char group[64];

/* bench on the iommufd backend with edu, the common arguments and extra
 * (NULL-terminated), its CSV into dir/name. */
static void bench(const char *name, const char *const *extra)
{
	char csvdir[128];
	const char *argv[32] = {
		dirtyscope_bin(), "bench",  "--backend", "iommufd", "--device",
		DEVICE,		  "--size", "16M",	 "--rate",  "0",
		"--downtime",	  "0",	    "--csv",	 csvdir
	};
	struct run r;
	int n = 14;

	snprintf(csvdir, sizeof(csvdir), "%s/%s", dir, name);
	while (*extra)
		argv[n++] = *extra++;
	argv[n] = NULL;
	if (run_sync(&r, RUN_AS_ROOT, argv, 300) != 0)
		fail_msg("bench exited %d: %s", r.status, r.err);
	run_free(&r);
}

/* Round 1: pages 0-99 written before the sync, 50-149 after it (see
 * assert_sched_hand_computed() in syshelp.c for the hand computation). */
static void scheduled_writes_hand_computed(void **state)
{
	const char *extra[] = { "--schedule", "1@sync:0-99;1@send:50-149",
				NULL };
	const char *lat = getenv("DIRTYSCOPE_VM_INV_LATENCY_NS");
	int64_t latency = lat ? strtoll(lat, NULL, 10) : 0;
	static const struct {
		const char *op;
		int64_t dirty_pages;
	} reads[] = {
		{ "read_clear", 100 },	 { "read_clear", 100 },
		{ "read_clear", 0 },	 { "read_clear", 0 },
		{ "sync_noclear", 100 }, { "read_clear", 150 },
		{ "sync_noclear", 0 },	 { "read_clear", 0 },
	};
	struct csv runs, syncs, sum;
	size_t a, m;
	int clears = 0, noclears = 0, flushed = 0;

	(void)state;
	bench("sched", extra);

	csv_load_or_fail(&runs, "%s/sched/runs.csv", dir);
	a = csv_run_row(&runs, "auto");
	m = csv_run_row(&runs, "manual");
	assert_sched_hand_computed(&runs, a, m, PAGES_16M);
	for (size_t i = 1; i < runs.nrows; i++) {
		assert_true(csv_int(&runs, i, "kernel_reads") ==
			    csv_int(&runs, i, "syncs") +
				    csv_int(&runs, i, "clear_calls"));
		assert_true(csv_int(&runs, i, "kernel_dirty_pages") ==
			    csv_int(&runs, i, "received_pages"));
		assert_true(csv_int(&runs, i, "lost_events") == 0);
	}
	/* Auto: 4 clearing reads, 2 of them with pages. Manual: 2 NO_CLEAR
	 * reads, the chunk's clear (150 pages) and the last read and clear
	 * (none). */
	assert_true(csv_int(&runs, a, "iotlb_invalidations") ==
		    (empty_clears_flush() ? 4 : 2));
	assert_true(csv_int(&runs, m, "iotlb_invalidations") ==
		    (empty_clears_flush() ? 2 : 1));
	csv_free(&runs);

	/* Per read, in order: its operation and dirty pages (auto: 0-99,
	 * 50-149, then nothing twice; manual: 0-99 without clearing, the
	 * chunk's clear 0-149, nothing without clearing, the last read and
	 * clear nothing), one walk; the invalidation of each clearing read
	 * lasts at least the latency the emulated IOMMU was given. */
	csv_load_or_fail(&syncs, "%s/sched/syncs.csv", dir);
	assert_int_equal(syncs.nrows, 1 + sizeof(reads) / sizeof(reads[0]));
	for (size_t i = 1; i < syncs.nrows; i++) {
		const char *op = syncs.rows[i][csv_col(&syncs, "op")];

		assert_string_equal(op, reads[i - 1].op);
		assert_true(csv_int(&syncs, i, "dirty_pages") ==
			    reads[i - 1].dirty_pages);
		assert_true(csv_int(&syncs, i, "walk_calls") == 1);
		if (!strcmp(op, "read_clear")) {
			clears++;
			if (!empty_clears_flush() &&
			    !csv_int(&syncs, i, "dirty_pages")) {
				assert_true(csv_int(&syncs, i,
						    "iotlb_invalidations") ==
					    0);
				continue;
			}
			assert_true(csv_int(&syncs, i, "iotlb_invalidations") ==
				    1);
			flushed++;
			if (csv_int(&syncs, i, "iotlb_ns") < latency)
				fail_msg("row %zu: invalidation %" PRId64
					 " ns < %" PRId64 " ns",
					 i, csv_int(&syncs, i, "iotlb_ns"),
					 latency);
		} else {
			assert_string_equal(op, "sync_noclear");
			noclears++;
			assert_true(csv_int(&syncs, i, "iotlb_invalidations") ==
				    0);
		}
	}
	assert_int_equal(clears, 4 + 2);
	assert_int_equal(noclears, 2);
	csv_free(&syncs);

	/* By cause: each clearing read's invalidation is a dirty_clear one,
	 * and no NO_CLEAR read made any. */
	csv_load_or_fail(&sum, "%s/sched/summary.csv", dir);
	assert_true(csv_get(&sum, "iotlb_flush:dirty_clear", "count") ==
		    flushed);
	assert_true(csv_get(&sum, "iotlb_flush:dirty_read", "count") == 0);
	assert_true(csv_get(&sum, "read_clear", "count") == clears);
	assert_true(csv_get(&sum, "sync_noclear", "count") == noclears);
	csv_free(&sum);
}

/*
 * The buffer on 2 MiB hugetlb pages: the Intel driver maps it with 2 MiB
 * IOPTEs, 512 pages each, and one D flag covers them all. edu writes pages
 * 0 and 1500 in round 1 (IOPTEs 0 and 2: 1024 pages reported, 2 written)
 * and page 700 in round 2 (IOPTE 1: 512 pages, 1 written). Every other page
 * reported was sent in round 0 and not written since: sent again only for
 * its IOPTE. The same counts as on the mock (test_bench_vm.c), with real
 * DMA through the emulated VT-d.
 */
static void huge_ioptes_hand_computed(void **state)
{
	const int64_t p = 512;
	const char *extra[] = { "--backing", "hugetlb-2m", "--schedule",
				"1@sync:0,1500;2@sync:700", NULL };
	struct csv runs;
	size_t a, m;

	(void)state;
	assert_int_equal(reserve_hugepages_2m(8), 0);
	bench("huge", extra);
	assert_int_equal(reserve_hugepages_2m(0), 0);

	csv_load_or_fail(&runs, "%s/huge/runs.csv", dir);
	a = csv_run_row(&runs, "auto");
	m = csv_run_row(&runs, "manual");
	assert_string_equal(runs.rows[a][csv_col(&runs, "backing")],
			    "hugetlb-2m");
	assert_true(csv_int(&runs, a, "received_pages") == 3 * p);
	assert_true(csv_int(&runs, a, "received_written") == 3);
	assert_string_equal(runs.rows[a][csv_col(&runs, "amplification")],
			    "512.000");
	assert_true(csv_int(&runs, a, "pages_granularity") == 3 * p - 3);
	assert_true(csv_int(&runs, a, "pages_redundant") == 3 * p - 3);
	assert_true(csv_int(&runs, a, "pages_sent") == PAGES_16M + 3 * p);
	assert_true(csv_int(&runs, m, "received_pages") == 6 * p);
	assert_true(csv_int(&runs, m, "received_written") == 6);
	assert_true(csv_int(&runs, m, "pages_granularity") == 3 * p - 3);
	assert_true(csv_int(&runs, m, "pages_sent") == PAGES_16M + 3 * p);
	for (size_t i = 1; i < runs.nrows; i++)
		assert_true(csv_int(&runs, i, "kernel_dirty_pages") ==
			    csv_int(&runs, i, "received_pages"));
	csv_free(&runs);
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	return vfio_bind(EDU_ID, group, sizeof(group));
}

static int teardown(void **state)
{
	(void)state;
	return tmpdir_remove(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(scheduled_writes_hand_computed),
		cmocka_unit_test(huge_ioptes_hand_computed),
	};

	return cmocka_run_group_tests_name("bench_vtd_dirty", tests, setup,
					   teardown);
}
