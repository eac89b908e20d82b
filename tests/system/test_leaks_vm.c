// SPDX-License-Identifier: GPL-2.0
/*
 * In the testbed VM (mock profile): the main paths of the tool, built with
 * ASan+UBSan (build/asan/dirtyscope), successful and failing. Each must
 * exit with its documented status and no sanitizer report: no leak
 * (LeakSanitizer at exit), no invalid access, no undefined behaviour.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include "syshelp.h"

#define DS "build/asan/dirtyscope"

static char dir[] = "/tmp/ds-leaks-XXXXXX";

static void assert_clean(const struct run *r, int want)
{
	if (r->status != want || strstr(r->err, "Sanitizer") ||
	    strstr(r->err, "runtime error"))
		fail_msg("exit %d (want %d): %s", r->status, want, r->err);
}

static void check(int want, const char *const *argv)
{
	struct run r;

	run_sync(&r, RUN_AS_ROOT, argv, 600);
	print_message("# %s %s: exit %d\n", argv[1], argv[2] ? argv[2] : "",
		      r.status);
	assert_clean(&r, want);
	run_free(&r);
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void mock_dirty_and_probes(void **state)
{
	const char *mock[] = { DS, "mock-dirty", "--size", "2M", NULL };
	const char *probes[] = { DS, "probes", NULL };
	const char *outside[] = { DS, "mock-dirty", "--size", "4G", NULL };

	(void)state;
	check(0, mock);
	check(0, probes);
	check(1, outside);
}

/* trace beside mock-dirty, ended by SIGINT: the common profiler path,
 * with CSV, intervals and --bitmap-analysis; then JSON. */
static void trace_paths(void **state)
{
	char csvdir[128];
	const char *trace[] = {
		DS, "trace", "--csv", csvdir, "--bitmap-analysis", "1", NULL
	};
	const char *json[] = { DS, "trace", "--json", "-d", "2", NULL };
	const char *mock[] = { DS,	  "mock-dirty", "--size", "2M",
			       "--pages", "100",	NULL };
	struct run t;

	(void)state;
	snprintf(csvdir, sizeof(csvdir), "%s/trace", dir);
	assert_int_equal(run_start(&t, RUN_AS_ROOT, trace), 0);
	assert_true(run_wait_stderr(&t, "Tracing with ", 300));
	check(0, mock);
	sleep_ms(1500);
	kill(t.pid, SIGINT);
	run_wait(&t, 300);
	print_message("# trace --csv: exit %d\n", t.status);
	assert_clean(&t, 0);
	run_free(&t);
	check(0, json);
}

/* trace interrupted while it loads: the error path of the setup. */
static void trace_interrupted_early(void **state)
{
	const char *trace[] = { DS, "trace", "-v", NULL };
	struct run t;

	(void)state;
	assert_int_equal(run_start(&t, RUN_AS_ROOT, trace), 0);
	/* libbpf's first debug line: the handler is installed (before the
	 * object is opened), the probes are not attached yet. */
	assert_true(run_wait_stderr(&t, "libbpf: loading object", 300));
	kill(t.pid, SIGINT);
	run_wait(&t, 300);
	print_message("# trace, SIGINT during setup: exit %d\n", t.status);
	assert_clean(&t, 1);
	assert_non_null(strstr(t.err, "dirtyscope: trace: interrupted\n"));
	run_free(&t);
}

static void bench_paths(void **state)
{
	char csvdir[128];
	const char *traced[] = { DS,	 "bench", "--size", "8M", "--rate",
				 "2000", "--csv", csvdir,   NULL };
	const char *json[] = { DS,	  "bench",  "--no-trace", "--size",
			       "4M",	  "--json", "--strategy", "manual",
			       "--chunk", "1M",	    NULL };
	const char *sched[] = { DS,	      "bench",	    "--size",
				"4M",	      "--rate",	    "0",
				"--schedule", "1@sync:0-9", "--downtime",
				"0",	      NULL };
	const char *bad[] = { DS, "bench", "--size", "12Q", NULL };
	const char *nodev[] = { DS,	    "bench",	 "--backend", "iommufd",
				"--device", "/dev/null", NULL };

	(void)state;
	snprintf(csvdir, sizeof(csvdir), "%s/bench", dir);
	check(0, traced);
	check(0, json);
	check(0, sched);
	check(2, bad);
	check(1, nodev);
}

static void bench_interrupted(void **state)
{
	const char *bench[] = { DS,   "bench", "--size", "16M", "--bandwidth",
				"8M", NULL };
	struct run b;

	(void)state;
	assert_int_equal(run_start(&b, RUN_AS_ROOT, bench), 0);
	assert_true(run_wait_stderr(&b, "run 1/2", 300));
	kill(b.pid, SIGINT);
	run_wait(&b, 300);
	print_message("# bench, SIGINT in run 1: exit %d\n", b.status);
	assert_clean(&b, 1);
	run_free(&b);
}

static void gate_paths(void **state)
{
	const char *same[] = { DS,	     "gate",
			       "--baseline", "tests/baseline/bench-schedule",
			       "--current",  "tests/baseline/bench-schedule",
			       NULL };
	const char *missing[] = { DS,		"gate",
				  "--baseline", "/nonexistent",
				  "--current",	"tests/baseline/bench-schedule",
				  NULL };

	(void)state;
	check(0, same);
	check(2, missing);
}

static int setup(void **state)
{
	(void)state;
	/* A leak makes the run exit 99, whatever its status was. */
	setenv("ASAN_OPTIONS", "detect_leaks=1:exitcode=99", 1);
	setenv("UBSAN_OPTIONS", "print_stacktrace=1", 1);
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
		cmocka_unit_test(mock_dirty_and_probes),
		cmocka_unit_test(trace_paths),
		cmocka_unit_test(trace_interrupted_early),
		cmocka_unit_test(bench_paths),
		cmocka_unit_test(bench_interrupted),
		cmocka_unit_test(gate_paths),
	};

	return cmocka_run_group_tests_name("leaks_vm", tests, setup, teardown);
}
