// SPDX-License-Identifier: GPL-2.0
/*
 * In the testbed VM (mock profile): kernel fault injection into dirtyscope
 * (issue 6). For nth = 1, 2, 3, ... the nth fault point the command passes
 * fails: any slab allocation (failslab, GFP_KERNEL included, as the
 * kernel's iommufd_fail_nth selftest sets it) or one of iommufd's own fault
 * points (object lookup, the mock's map_pages, page pinning). faultinj.c
 * has the mechanism (fail-nth in a forked child that calls the command's
 * entry point) and the rules every run keeps: exit 0, or exit 1 with one
 * "dirtyscope: ...: STEP failed: STRERROR" line; no fd left open, nothing
 * pinned, no mock device left, no kernel splat.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include "commands.h"
#include "faultinj.h"
#include "syshelp.h"

#define MOCK_BUS "/sys/bus/iommufd_mock/devices"

static void sweep(struct fi_sweep *sw, int (*cmd)(int, char **),
		  const char *const *argv, unsigned int patience)
{
	sw->cmd = cmd;
	sw->argv = argv;
	sw->patience = patience;
	fi_sweep(sw);
}

/* Afterwards the mock works as before: nothing was left half done. */
static void fresh_run_works(void)
{
	const char *argv[] = { dirtyscope_bin(), "mock-dirty", "--size", "2M",
			       NULL };
	int devs = fi_count_dir(MOCK_BUS);
	struct run r;

	assert_int_equal(run_sync(&r, RUN_AS_ROOT, argv, 60), 0);
	assert_int_equal(fi_count_dir(MOCK_BUS), devs);
	run_free(&r);
	fi_check_kmsg("fresh run");
}

/*
 * One 4 KiB page mapped: the mock's map_pages fault point runs once per
 * physically contiguous run of the buffer, so with 2 MiB the count varies
 * from run to run (measured: 124 to 611 fault points for the same
 * mock-dirty); with one page every nth lands on the same step every time.
 */
static void mock_dirty_one_page(void **state)
{
	const char *argv[] = { "mock-dirty", "--size", "4K",
			       "--pages",    "1",      NULL };
	static struct fi_sweep sw = { .name = "mock-dirty --size 4K" };

	(void)state;
	sweep(&sw, cmd_mock_dirty, argv, 1);
	fi_assert_hit(&sw, "open /dev/iommu");
	fi_assert_hit(&sw, "IOMMU_IOAS_ALLOC");
	fi_assert_hit(&sw, "IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS");
	fi_assert_hit(&sw, "IOMMU_HWPT_ALLOC (dirty tracking)");
	fi_assert_hit(&sw, "IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE");
	fi_assert_hit(&sw, "IOMMU_IOAS_MAP");
	fi_assert_hit(&sw, "IOMMU_HWPT_SET_DIRTY_TRACKING");
	fi_assert_hit(&sw, "IOMMU_TEST_OP_DIRTY");
	fi_assert_hit(&sw, "IOMMU_HWPT_GET_DIRTY_BITMAP");
	fresh_run_works();
	fi_sweep_free(&sw);
}

static void mock_dirty_2m(void **state)
{
	const char *argv[] = { "mock-dirty", "--size", "2M", NULL };
	static struct fi_sweep sw = { .name = "mock-dirty --size 2M" };

	(void)state;
	sweep(&sw, cmd_mock_dirty, argv, 40);
	fi_assert_hit(&sw, "IOMMU_IOAS_ALLOC");
	fi_assert_hit(&sw, "IOMMU_HWPT_ALLOC (dirty tracking)");
	fi_assert_hit(&sw, "IOMMU_IOAS_MAP");
	fresh_run_works();
	fi_sweep_free(&sw);
}

#define BENCH_ARGS(size, pages)                                             \
	"bench", "--no-trace", "--size", size, "--rate", "0", "--downtime", \
		"0", "--max-rounds", "3", "--schedule", "1@sync:" pages, NULL

static void bench_one_page(void **state)
{
	const char *argv[] = { BENCH_ARGS("4K", "0-1") };
	static struct fi_sweep sw = { .name = "bench --no-trace --size 4K" };

	(void)state;
	sweep(&sw, cmd_bench, argv, 1);
	fi_assert_hit(&sw, "IOMMU_IOAS_ALLOC");
	fi_assert_hit(&sw, "IOMMU_HWPT_ALLOC (dirty tracking)");
	fi_assert_hit(&sw, "IOMMU_IOAS_MAP");
	fi_assert_hit(&sw, "IOMMU_HWPT_SET_DIRTY_TRACKING");
	fi_assert_hit(&sw, "IOMMU_HWPT_GET_DIRTY_BITMAP");
	fi_assert_hit(&sw, "IOMMU_TEST_OP_DIRTY");
	fresh_run_works();
	fi_sweep_free(&sw);
}

static void bench_2m(void **state)
{
	const char *argv[] = { BENCH_ARGS("2M", "0-9") };
	static struct fi_sweep sw = { .name = "bench --no-trace --size 2M" };

	(void)state;
	sweep(&sw, cmd_bench, argv, 40);
	fi_assert_hit(&sw, "IOMMU_IOAS_ALLOC");
	fi_assert_hit(&sw, "IOMMU_HWPT_ALLOC (dirty tracking)");
	fi_assert_hit(&sw, "IOMMU_IOAS_MAP");
	fresh_run_works();
	fi_sweep_free(&sw);
}

/*
 * The device writer (bench --rate > 0, src/writer.c): a second thread that
 * issues IOMMU_TEST_OP_DIRTY while the main thread syncs. fail-nth is per
 * thread, so the fault is aimed with one attribute's task filter and
 * make-it-fail on the thread named ds-writer (faultinj.c): its nth
 * iommufd fault point (the object lookup of each write) or its nth slab
 * allocation (the kernel's copy of each write's bitmap) fails. About ten
 * writes a run: 8 pages of 2 KiB, the first copy 0.5 s on a 32 KiB/s link,
 * 20 writes a second, then one final round with the writer paused.
 */
#define WRITER_ARGS                                                      \
	"bench", "--no-trace", "--strategy", "auto", "--size", "16K",    \
		"--rate", "20", "--bandwidth", "32K", "--downtime", "0", \
		"--max-rounds", "1", NULL

static void writer_sweep(struct fi_sweep *sw)
{
	const char *argv[] = { WRITER_ARGS };
	const char *const outcomes[] = { "writer thread: IOMMU_TEST_OP_DIRTY",
					 "(not reached)", NULL };

	sw->mode = FI_THREAD;
	sw->thread = "ds-writer";
	sweep(sw, cmd_bench, argv, 2);
	/* Every fault the writer met ended the run with its step. */
	fi_assert_hit(sw, "writer thread: IOMMU_TEST_OP_DIRTY");
	fi_assert_only(sw, outcomes);
	fresh_run_works();
	fi_sweep_free(sw);
}

static void writer_iommufd(void **state)
{
	static struct fi_sweep sw = {
		.name = "bench --rate 20, writer thread (fail_iommufd)",
		.attr = "fail_iommufd",
	};

	(void)state;
	writer_sweep(&sw);
}

static void writer_failslab(void **state)
{
	static struct fi_sweep sw = {
		.name = "bench --rate 20, writer thread (failslab)",
		.attr = "failslab",
	};

	(void)state;
	writer_sweep(&sw);
}

static int setup(void **state)
{
	(void)state;
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
		cmocka_unit_test(mock_dirty_one_page),
		cmocka_unit_test(bench_one_page),
		cmocka_unit_test(mock_dirty_2m),
		cmocka_unit_test(bench_2m),
		cmocka_unit_test(writer_iommufd),
		cmocka_unit_test(writer_failslab),
	};

	/* FAULTS_ONLY=writer_* runs only the sweeps that match. */
	if (getenv("FAULTS_ONLY"))
		cmocka_set_test_filter(getenv("FAULTS_ONLY"));
	return cmocka_run_group_tests_name("faults", tests, setup, teardown);
}
