// SPDX-License-Identifier: GPL-2.0
/*
 * The consumer benchmark (tests/perf/consumer_bench.c) on the host kernel,
 * for a small fixed count: every event the BPF producer submitted reaches
 * the tracer's ring buffer callback and the trace report, exactly, and with
 * flow control none is dropped. No timing is asserted. Needs root.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "consumer_bench.h"
#include "consumer_mix.h"
#include "syshelp.h"

#define BATCH  256
/* 40 runs of the producer: 10 ring buffers' worth, so flow control has to
 * hold the producer back many times. */
#define EVENTS (40 * BATCH * CB_MIX_LEN)
#define BENCH  "build/tests/bench_consumer"

static char dir[] = "/tmp/ds-consumer-XXXXXX";

/* What the producer emits in n events, per report row, from the mix. */
static void expected_rows(uint64_t n, uint64_t *rows)
{
	uint64_t i;

	memset(rows, 0, REPORT_ROWS * sizeof(*rows));
	for (i = 0; i < n; i++) {
		unsigned int e = cb_mix[i % CB_MIX_LEN];

		rows[CB_OP(e)]++;
		if (CB_OP(e) == DS_OP_IOTLB_FLUSH)
			rows[DS_OP__COUNT + CB_CAUSE(e)]++;
	}
}

static uint64_t report_dirty_pages(const struct trace_report *r)
{
	uint64_t sum = 0;
	unsigned int i;

	for (i = 0; i < DS_OP__COUNT; i++)
		sum += r->total.row[i].dirty_pages;
	return sum;
}

static void flow_control_loses_nothing(void **state)
{
	const struct cb_opts o = { .events = EVENTS,
				   .batch = BATCH,
				   .mode = CB_FLOW_CONTROL };
	struct cb_sink *sink = calloc(1, sizeof(*sink));
	struct trace_report *report = &sink->report;
	uint64_t want[REPORT_ROWS];
	char csvdir[128], path[160], pid[16];
	struct cb_result res;
	struct csv c;
	unsigned int i;
	size_t row;
	int col;

	(void)state;
	if (geteuid() != 0)
		skip();
	assert_non_null(sink);
	snprintf(csvdir, sizeof(csvdir), "%s/flow", dir);
	report_init(report);
	assert_int_equal(report_csv_open(&sink->csv, csvdir), 0);
	assert_int_equal(cb_run(&o, sink, &res), 0);

	assert_int_equal(res.produced, EVENTS);
	assert_int_equal(res.drops, 0);
	assert_int_equal(res.consumed, EVENTS);
	assert_int_equal(report->consumed, EVENTS);
	expected_rows(EVENTS, want);
	for (i = 0; i < REPORT_ROWS; i++) {
		assert_int_equal(res.submitted[i], want[i]);
		assert_int_equal(report->total.row[i].count, want[i]);
	}
	/* Timed operations went into their latency histogram, flushes into
	 * their cause's too. */
	assert_int_equal(report->total.row[DS_OP_MAP_CALL].lat.count,
			 want[DS_OP_MAP_CALL]);
	assert_int_equal(report->total.row[DS_OP_UNMAP_CALL].lat.count,
			 want[DS_OP_UNMAP_CALL]);
	assert_int_equal(
		report->total.row[DS_OP__COUNT + DS_CAUSE_UNMAP].lat.count,
		want[DS_OP__COUNT + DS_CAUSE_UNMAP]);
	assert_true(res.dirty_pages > 0);
	assert_int_equal(report_dirty_pages(report), res.dirty_pages);

	/* The CSV files trace --csv writes: one syncs.csv row per dirty
	 * read, from this process's producer thread. */
	assert_int_equal(report_csv_write(&sink->csv, report), 0);
	snprintf(path, sizeof(path), "%s/syncs.csv", csvdir);
	assert_int_equal(csv_load(&c, path), 0);
	assert_int_equal(c.nrows - 1,
			 want[DS_OP_READ_CLEAR] + want[DS_OP_SYNC_NOCLEAR]);
	snprintf(pid, sizeof(pid), "%d", getpid());
	col = csv_col(&c, "comm");
	assert_true(col >= 0);
	for (row = 1; row < c.nrows; row++) {
		assert_string_equal(c.rows[row][csv_col(&c, "pid")], pid);
		assert_string_equal(c.rows[row][col], "cb-producer");
	}
	csv_free(&c);
	snprintf(path, sizeof(path), "%s/summary.csv", csvdir);
	assert_int_equal(csv_load(&c, path), 0);
	for (i = 0; i < REPORT_ROWS; i++)
		assert_int_equal(csv_get(&c, report_row_name(i), "count"),
				 want[i]);
	assert_int_equal(csv_get(&c, "read_clear", "dirty_pages") +
				 csv_get(&c, "sync_noclear", "dirty_pages"),
			 res.dirty_pages);
	csv_free(&c);
	report_csv_abort(&sink->csv);
	free(sink);
}

/* Flat out the ring may overflow; what is not dropped is consumed. With
 * interval tables every millisecond, which must not touch the totals. */
static void flat_out_counts_add_up(void **state)
{
	struct cb_opts o = { .events = 4 * EVENTS,
			     .batch = BATCH,
			     .mode = CB_FLAT_OUT,
			     .interval_ns = 1000000 };
	struct cb_sink *sink = calloc(1, sizeof(*sink));
	struct trace_report *report = &sink->report;
	struct cb_result res;
	uint64_t ops = 0;
	unsigned int i;

	(void)state;
	if (geteuid() != 0)
		skip();
	assert_non_null(sink);
	o.interval_out = fopen("/dev/null", "w");
	assert_non_null(o.interval_out);
	report_init(report);
	assert_int_equal(cb_run(&o, sink, &res), 0);
	assert_int_equal(res.produced, 4 * EVENTS);
	assert_int_equal(res.consumed + res.drops, res.produced);
	assert_int_equal(report->consumed, res.consumed);
	for (i = 0; i < REPORT_ROWS; i++) {
		assert_int_equal(report->total.row[i].count, res.submitted[i]);
		if (i < DS_OP__COUNT)
			ops += res.submitted[i];
	}
	assert_int_equal(ops, res.consumed);
	assert_int_equal(report_dirty_pages(report), res.dirty_pages);
	fclose(o.interval_out);
	report_csv_abort(&sink->csv);
	free(sink);
}

/* make bench-consumer's program: a line per run, the medians as CSV. */
static void bench_prints_runs_and_rows(void **state)
{
	const char *argv[] = { BENCH, "-n", "65536", "-r", "2", NULL };
	struct run r;

	(void)state;
	if (geteuid() != 0)
		skip();
	assert_int_equal(run_sync(&r, RUN_AS_ROOT, argv, 120), 0);
	assert_int_equal(count_lines(r.err), 6);
	assert_non_null(strstr(r.err, "flow-control run 2: 65536 events "
				      "consumed, "));
	assert_non_null(strstr(r.err, " 0 drops (of 65536 produced)"));
	assert_non_null(strstr(r.err, "paced run 2: "));
	assert_non_null(strstr(r.err, "flat-out run 2: "));
	assert_int_equal(count_lines(r.out), 6);
	assert_non_null(strstr(r.out, "consumer,events_per_s,"));
	assert_non_null(strstr(r.out, "\nconsumer,flat_out_drop_pct,"));
	run_free(&r);
}

static void bench_bad_usage_is_one_line(void **state)
{
	const char *cases[][5] = {
		{ BENCH, "-n", "1000", NULL },
		{ BENCH, "-p", "fast", NULL },
		{ BENCH, "-r", "0", NULL },
		{ BENCH, "-s", "3", NULL },
		{ BENCH, "-n", "65536", "extra", NULL },
		{ BENCH, "-x", NULL },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *argv[6] = { NULL };
		struct run r;

		memcpy(argv, cases[i], sizeof(cases[i]));
		assert_int_equal(run_sync(&r, RUN_AS_ROOT, argv, 10), 2);
		assert_int_equal(count_lines(r.err), 1);
		assert_non_null(strstr(r.err, "usage: bench_consumer"));
		run_free(&r);
	}
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
		cmocka_unit_test(flow_control_loses_nothing),
		cmocka_unit_test(flat_out_counts_add_up),
		cmocka_unit_test(bench_prints_runs_and_rows),
		cmocka_unit_test(bench_bad_usage_is_one_line),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
