// SPDX-License-Identifier: GPL-2.0
/*
 * In the testbed VM (mock profile): dirtyscope bench against numbers the
 * test works out by hand from the writes it schedules.
 */
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "syshelp.h"

#define MOCK_PAGE 2048
#define PAGES_16M ((16 << 20) / MOCK_PAGE)

static char dir[] = "/tmp/ds-bench-XXXXXX";

/* Run bench with extra arguments (NULL-terminated) into csvdir/name. */
static void bench(const char *name, char *csvdir, size_t len,
		  const char *const *extra)
{
	const char *argv[32] = { dirtyscope_bin(), "bench", "--csv", csvdir };
	struct run r;
	int n = 4;

	snprintf(csvdir, len, "%s/%s", dir, name);
	while (*extra)
		argv[n++] = *extra++;
	argv[n] = NULL;
	if (run_sync(&r, RUN_AS_ROOT, argv, 300) != 0)
		fail_msg("bench exited %d: %s", r.status, r.err);
	run_free(&r);
}

/* The profiler sees every read the loop makes, and the same pages. */
static void assert_profiler_agrees(const struct csv *runs, size_t row)
{
	assert_true(csv_int(runs, row, "kernel_reads") ==
		    csv_int(runs, row, "syncs") +
			    csv_int(runs, row, "clear_calls"));
	assert_true(csv_int(runs, row, "kernel_dirty_pages") ==
		    csv_int(runs, row, "received_pages"));
	/* The mock has no IOTLB. */
	assert_true(csv_int(runs, row, "iotlb_invalidations") == 0);
	/* The agreement above holds because nothing was lost. */
	assert_true(csv_int(runs, row, "lost_events") == 0);
}

/* No device writes at all: both send every page once, nothing more. */
static void idle_device_same_pages_no_redundancy(void **state)
{
	const char *extra[] = { "--size", "16M", "--rate", "0", NULL };
	char csvdir[128];
	struct csv runs;

	(void)state;
	bench("idle", csvdir, sizeof(csvdir), extra);
	csv_load_or_fail(&runs, "%s/runs.csv", csvdir);
	assert_int_equal(runs.nrows, 1 + 2);
	for (size_t i = 1; i < 3; i++) {
		assert_true(csv_int(&runs, i, "pages_sent") == PAGES_16M);
		assert_true(csv_int(&runs, i, "pages_redundant") == 0);
		/* Round 0, then round 1 finds nothing and is the last. */
		assert_true(csv_int(&runs, i, "rounds") == 2);
		assert_true(csv_int(&runs, i, "syncs") == 2);
		assert_true(csv_int(&runs, i, "clear_calls") == 0);
		assert_true(csv_int(&runs, i, "writes") == 0);
		assert_profiler_agrees(&runs, i);
	}
	csv_free(&runs);
}

/*
 * Round 1: pages 0-99 written before the sync, 50-149 after it; syshelp.c
 * works the counts out by hand (assert_sched_hand_computed()).
 */
static void scheduled_writes_hand_computed(void **state)
{
	const char *extra[] = { "--size",     "16M",
				"--rate",     "0",
				"--downtime", "0",
				"--schedule", "1@sync:0-99;1@send:50-149",
				NULL };
	char csvdir[128];
	struct csv runs, rounds, sum;
	size_t a, m;

	(void)state;
	bench("sched", csvdir, sizeof(csvdir), extra);
	csv_load_or_fail(&runs, "%s/runs.csv", csvdir);
	a = csv_run_row(&runs, "auto");
	m = csv_run_row(&runs, "manual");
	assert_sched_hand_computed(&runs, a, m, PAGES_16M);
	assert_true(csv_int(&runs, a, "writes") == 200);
	/* Base pages: one mock page per IOPTE, nothing amplified. */
	assert_true(csv_int(&runs, a, "received_written") == 200);
	assert_true(csv_int(&runs, m, "received_written") == 250);
	assert_true(csv_int(&runs, a, "pages_granularity") == 0);
	assert_true(csv_int(&runs, m, "pages_granularity") == 0);
	assert_string_equal(runs.rows[a][csv_col(&runs, "amplification")],
			    "1.000");
	assert_string_equal(runs.rows[a][csv_col(&runs, "backing")], "4k");
	assert_profiler_agrees(&runs, a);
	assert_profiler_agrees(&runs, m);
	csv_free(&runs);

	/* Per round: auto's round 2 re-sends 50-149, 50 of them needlessly. */
	csv_load_or_fail(&rounds, "%s/rounds.csv", csvdir);
	assert_int_equal(rounds.nrows, 1 + 4 + 3);
	for (size_t i = 1; i < rounds.nrows; i++) {
		const char *s = rounds.rows[i][csv_col(&rounds, "strategy")];
		int64_t round = csv_int(&rounds, i, "round");

		if (strcmp(s, "auto") || round != 2)
			continue;
		assert_true(csv_int(&rounds, i, "dirty_reported") == 100);
		assert_true(csv_int(&rounds, i, "pages_sent") == 100);
		assert_true(csv_int(&rounds, i, "pages_redundant") == 50);
	}
	csv_free(&rounds);

	/* The profiler's own files, beside: auto read and cleared 4 times;
	 * manual read without clearing twice, cleared its chunk once and
	 * read and cleared once at the end. Tracking on and off per run. */
	csv_load_or_fail(&sum, "%s/summary.csv", csvdir);
	assert_true(csv_get(&sum, "read_clear", "count") == 4 + 2);
	assert_true(csv_get(&sum, "sync_noclear", "count") == 2);
	assert_true(csv_get(&sum, "read_clear", "dirty_pages") +
			    csv_get(&sum, "sync_noclear", "dirty_pages") ==
		    200 + 250);
	assert_true(csv_get(&sum, "set_tracking", "count") == 4);
	csv_free(&sum);
}

/* With the writer running, whatever it does: the loop and the profiler
 * agree on every read, and redundancy is within what was sent. */
static void running_writer_profiler_agrees(void **state)
{
	/* Writes keep coming: the rounds run until --max-rounds, or until
	 * the rest fits 5 ms. */
	const char *extra[] = { "--size",     "16M",	     "--rate",
				"4000",	      "--bandwidth", "64M",
				"--workload", "hotcold",     "--repeat",
				"2",	      "--chunk",     "4M",
				"--downtime", "0.005",	     "--max-rounds",
				"6",	      NULL };
	char csvdir[128];
	struct csv runs;

	(void)state;
	bench("writer", csvdir, sizeof(csvdir), extra);
	csv_load_or_fail(&runs, "%s/runs.csv", csvdir);
	assert_int_equal(runs.nrows, 1 + 4);
	for (size_t i = 1; i < runs.nrows; i++) {
		assert_true(csv_int(&runs, i, "writes") > 0);
		assert_true(csv_int(&runs, i, "pages_sent") >= PAGES_16M);
		assert_true(csv_int(&runs, i, "pages_redundant") <
			    csv_int(&runs, i, "pages_sent"));
		assert_profiler_agrees(&runs, i);
		if (!strcmp(runs.rows[i][csv_col(&runs, "strategy")], "manual"))
			/* 4M chunks of a 16M mapping, every non-final
			 * round. */
			assert_true(csv_int(&runs, i, "clear_calls") ==
				    4 * (csv_int(&runs, i, "rounds") - 2));
	}
	csv_free(&runs);
}

/* Dogfooding the CI gate: the scheduled bench against the baseline
 * committed in tests/baseline/bench-schedule passes on its exact counts,
 * also with that baseline cut to runs.csv's original 20 columns; a
 * baseline that sent fewer pages makes the same run a regression. */
static void gate_against_committed_baseline(void **state)
{
	const char *extra[] = { "--size",     "16M",
				"--rate",     "0",
				"--downtime", "0",
				"--repeat",   "2",
				"--schedule", "1@sync:0-99;1@send:50-149",
				NULL };
	char csvdir[128], worse[160], cmd[512];
	const char *gate[] = { dirtyscope_bin(),
			       "gate",
			       "--baseline",
			       "tests/baseline/bench-schedule",
			       "--current",
			       csvdir,
			       NULL };
	struct run r;

	(void)state;
	bench("gate", csvdir, sizeof(csvdir), extra);
	assert_int_equal(run_sync(&r, RUN_AS_ROOT, gate, 60), 0);
	assert_non_null(strstr(r.out, "inconclusive"));
	assert_null(strstr(r.out, "REGRESSION"));
	run_free(&r);

	/* A baseline that lasts: the committed one cut to the 20 columns
	 * runs.csv first had (no point, writes, kernel_*, ...). The columns
	 * gate reads default (point 0); every count is still compared. */
	snprintf(worse, sizeof(worse), "%s/old20", dir);
	snprintf(cmd, sizeof(cmd),
		 "mkdir -p %s && cut -d, -f1-20 "
		 "tests/baseline/bench-schedule/runs.csv > %s/runs.csv",
		 worse, worse);
	assert_int_equal(system(cmd), 0);
	gate[3] = worse;
	assert_int_equal(run_sync(&r, RUN_AS_ROOT, gate, 60), 0);
	assert_non_null(strstr(r.out,
			       "pages_sent           auto                   "
			       "8392             8392"));
	assert_null(strstr(r.out, "REGRESSION"));
	assert_null(strstr(r.out, "no column"));
	run_free(&r);

	/* The baseline's auto runs sent 8391 pages instead of 8392. */
	snprintf(worse, sizeof(worse), "%s/worse", dir);
	snprintf(cmd, sizeof(cmd),
		 "mkdir -p %s && sed 's/,8392,/,8391,/' "
		 "tests/baseline/bench-schedule/runs.csv > %s/runs.csv",
		 worse, worse);
	assert_int_equal(system(cmd), 0);
	gate[3] = worse;
	assert_int_equal(run_sync(&r, RUN_AS_ROOT, gate, 60), 1);
	assert_non_null(strstr(r.out, "REGRESSION"));
	run_free(&r);
}

/*
 * Huge IOPTEs over a 16M buffer of 2 MiB pages: IOPTEs of P mock pages,
 * 512 (1 MiB) on the 6.12 mock, whose largest IOPTE that is, 1024 (2 MiB)
 * on 7.x's, which maps each backing page with one. Round 1 writes pages 0
 * and 1500 (two IOPTEs): 2P pages reported, 2 written, 2P - 2 sent again
 * for nothing. Round 2 writes page 700: its IOPTE, P pages, of which one
 * was written since the round-1 clear. Auto reads each once, manual twice
 * (its sync, then its chunk's clear).
 */
static void huge_ioptes_hand_computed(const char *backing)
{
	const char *extra[] = { "--size",     "16M",
				"--rate",     "0",
				"--downtime", "0",
				"--backing",  backing,
				"--schedule", "1@sync:0,1500;2@sync:700",
				NULL };
	int64_t p =
		kernel_has_function("pt_iommu_amdv1_mock_read_and_clear_dirty")
			? 1024
			: 512;
	char csvdir[128], name[32], want[48], tracedir[160], path[192];
	const char *targv[] = { dirtyscope_bin(), "trace",  "--iopte-stats",
				"--csv",	  tracedir, NULL };
	struct csv runs, sum, hists;
	struct run tr;
	size_t a, m, n;

	/* trace beside it sees the IOPTEs themselves: 3 reported by auto's
	 * reads, 6 by manual's, each P mock pages. */
	snprintf(tracedir, sizeof(tracedir), "%s/trace-%s", dir, backing);
	assert_int_equal(run_start(&tr, RUN_AS_ROOT, targv), 0);
	assert_true(run_wait_stderr(&tr, "Tracing with ", 60));
	snprintf(name, sizeof(name), "huge-%s", backing);
	bench(name, csvdir, sizeof(csvdir), extra);
	kill(tr.pid, SIGINT);
	assert_int_equal(run_wait(&tr, 60), 0);
	/* The table's IOPTE sizes: one row, P mock pages, 9 of them. */
	snprintf(want, sizeof(want), "\n%-20s %8d\n",
		 p == 512 ? "1 MiB" : "2 MiB", 9);
	if (!strstr(tr.out, "DIRTY IOPTES") || !strstr(tr.out, want))
		fail_msg("no '%s' row under DIRTY IOPTES in:\n%s", want,
			 tr.out);
	run_free(&tr);
	snprintf(path, sizeof(path), "%s/summary.csv", tracedir);
	assert_int_equal(csv_load(&sum, path), 0);
	assert_true(csv_get(&sum, "dirty_iopte", "count") == 9);
	assert_true(csv_get(&sum, "dirty_iopte", "bytes") == 9 * p * MOCK_PAGE);
	csv_free(&sum);
	snprintf(path, sizeof(path), "%s/histograms.csv", tracedir);
	assert_int_equal(csv_load(&hists, path), 0);
	n = 0;
	for (size_t i = 1; i < hists.nrows; i++) {
		char **row = hists.rows[i];

		if (strcmp(row[csv_col(&hists, "op")], "dirty_iopte"))
			continue;
		n++;
		assert_true(strtoll(row[csv_col(&hists, "bucket_low")], NULL,
				    10) == p * MOCK_PAGE);
		assert_string_equal(row[csv_col(&hists, "count")], "9");
	}
	/* One size only: every IOPTE P mock pages. */
	assert_int_equal(n, 1);
	csv_free(&hists);
	csv_load_or_fail(&runs, "%s/runs.csv", csvdir);
	a = csv_run_row(&runs, "auto");
	m = csv_run_row(&runs, "manual");
	assert_string_equal(runs.rows[a][csv_col(&runs, "backing")], backing);
	assert_true(csv_int(&runs, a, "received_pages") == 3 * p);
	assert_true(csv_int(&runs, a, "received_written") == 3);
	assert_true(csv_int(&runs, a, "pages_granularity") == 3 * p - 3);
	assert_true(csv_int(&runs, a, "pages_redundant") == 3 * p - 3);
	assert_true(csv_int(&runs, a, "pages_sent") == PAGES_16M + 3 * p);
	snprintf(want, sizeof(want), "%.3f", p / 1.0);
	assert_string_equal(runs.rows[a][csv_col(&runs, "amplification")],
			    want);
	assert_true(csv_int(&runs, m, "received_pages") == 6 * p);
	assert_true(csv_int(&runs, m, "received_written") == 6);
	assert_true(csv_int(&runs, m, "pages_granularity") == 3 * p - 3);
	assert_true(csv_int(&runs, m, "pages_sent") == PAGES_16M + 3 * p);
	assert_profiler_agrees(&runs, a);
	assert_profiler_agrees(&runs, m);
	csv_free(&runs);
}

static void hugetlb_2m_ioptes_hand_computed(void **state)
{
	(void)state;
	/* 8 pages for 16M; the pool goes back to empty afterwards. */
	assert_int_equal(reserve_hugepages_2m(8), 0);
	huge_ioptes_hand_computed("hugetlb-2m");
	assert_int_equal(reserve_hugepages_2m(0), 0);
}

static void thp_ioptes_hand_computed(void **state)
{
	(void)state;
	huge_ioptes_hand_computed("thp");
}

/* No hugetlb page reserved: one line saying where to reserve them. */
static void hugetlb_without_pool_one_line(void **state)
{
	const char *argv[] = { dirtyscope_bin(), "bench", "--no-trace",
			       "--size",	 "16M",	  "--backing",
			       "hugetlb-2m",	 NULL };
	struct run r;

	(void)state;
	assert_int_equal(reserve_hugepages_2m(0), 0);
	assert_int_equal(run_sync(&r, RUN_AS_ROOT, argv, 60), 1);
	assert_int_equal(count_lines(r.err), 1);
	assert_non_null(strstr(r.err, "hugepages-2048kB/nr_hugepages"));
	run_free(&r);
}

static void bad_input_one_line(void **state)
{
	const char *cases[][6] = {
		{ "--size", "4G", NULL },
		{ "--backend", "nosuch", NULL },
		{ "--workload", "bogus", NULL },
		{ "--schedule", "1@never:3", NULL },
		{ "--backend", "iommufd", "--device", "/dev/vfio/devices/nope",
		  NULL },
		{ "--backing", "huge", NULL },
		{ "--backend", "vfio-type1", "--backing", "thp", NULL },
	};
	const int status[] = { 1, 2, 2, 1, 1, 2, 1 };
	const char *want[] = {
		"outside the mock aperture",
		"dirtyscope: bench: unknown backend 'nosuch'\n",
		"dirtyscope: bench: invalid --workload 'bogus'\n",
		"invalid --schedule",
		"/dev/vfio/devices/nope",
		"dirtyscope: bench: invalid --backing 'huge' (4k, thp, "
		"hugetlb-2m, hugetlb-1g)\n",
		"the vfio-type1 backend maps base pages only",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const char *argv[10] = { dirtyscope_bin(), "bench",
					 "--no-trace" };
		struct run r;

		for (int j = 0; cases[i][j]; j++)
			argv[3 + j] = cases[i][j];
		assert_int_equal(run_sync(&r, RUN_AS_ROOT, argv, 60),
				 status[i]);
		assert_int_equal(count_lines(r.err), 1);
		if (!strstr(r.err, want[i]))
			fail_msg("case %zu: '%s' not in '%s'", i, want[i],
				 r.err);
		run_free(&r);
	}
}

/* SIGINT mid-run: exit 1 at once, no CSV written, the mock freed. */
static void interrupt_leaves_no_files(void **state)
{
	char csvdir[128], path[192];
	const char *argv[] = { dirtyscope_bin(), "bench",  "--csv",
			       csvdir,		 "--size", "64M",
			       "--bandwidth",	 "4M",	   NULL };
	struct run r;

	(void)state;
	snprintf(csvdir, sizeof(csvdir), "%s/intr", dir);
	assert_int_equal(run_start(&r, RUN_AS_ROOT, argv), 0);
	/* 64 MiB at 4 MiB/s: round 0 alone takes 16 s. */
	sleep(3);
	kill(r.pid, SIGINT);
	/* A signal during BPF loading takes effect once loading is done:
	 * on a loaded 2-core TCG guest that can take tens of seconds. */
	assert_int_equal(run_wait(&r, 120), 1);
	assert_non_null(strstr(r.err, "interrupted"));
	snprintf(path, sizeof(path), "%s/runs.csv", csvdir);
	assert_int_not_equal(access(path, F_OK), 0);
	run_free(&r);
}

static int setup(void **state)
{
	(void)state;
	return tmpdir_create(dir);
}

static int teardown(void **state)
{
	(void)state;
	return tmpdir_remove(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(idle_device_same_pages_no_redundancy),
		cmocka_unit_test(scheduled_writes_hand_computed),
		cmocka_unit_test(running_writer_profiler_agrees),
		cmocka_unit_test(gate_against_committed_baseline),
		cmocka_unit_test(hugetlb_2m_ioptes_hand_computed),
		cmocka_unit_test(thp_ioptes_hand_computed),
		cmocka_unit_test(hugetlb_without_pool_one_line),
		cmocka_unit_test(bad_input_one_line),
		cmocka_unit_test(interrupt_leaves_no_files),
	};

	return cmocka_run_group_tests_name("bench_vm", tests, setup, teardown);
}
