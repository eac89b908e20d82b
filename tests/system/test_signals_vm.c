// SPDX-License-Identifier: GPL-2.0
/*
 * In the testbed VM (mock profile): SIGINT and SIGTERM at many points of a
 * trace and a bench run. Whatever the moment, the CSV folder holds complete
 * files or none (and no temp file), no BPF program of ours stays loaded,
 * and bench leaves no mock device behind.
 *
 * What the exit codes are (README, Tests): trace exits 0 with its summary
 * once it printed "Tracing with", 1 ("interrupted") before; bench exits 1
 * ("interrupted") with no CSV at any point of a run. A signal that comes
 * before main() has installed its handler (exec, the dynamic loader) ends
 * the process by the signal; nothing has been created then.
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
#include "sigcheck.h"
#include "syshelp.h"

/* The rows of summary.csv: the header, 32 operations, 6 IOTLB causes and
 * 6 counters (test_trace_host.c counts the same). */
#define SUMMARY_ROWS 44

static char dir[] = "/tmp/ds-sig-XXXXXX";
static int mock_baseline;
static struct run loop; /* the mock-dirty loop beside trace */

static int mock_devices(void)
{
	return dir_entries("/sys/bus/iommufd_mock/devices");
}

/* A shell loop of mock-dirty runs, ended by SIGTERM after a run. */
static int mock_loop_start(void **state)
{
	char cmd[512];
	const char *argv[] = { "sh", "-c", cmd, NULL };

	(void)state;
	snprintf(cmd, sizeof(cmd),
		 "trap 'exit 0' TERM; while :; do %s mock-dirty --size 2M "
		 "--pages 100 >/dev/null || exit 1; done",
		 dirtyscope_bin());
	return run_start(&loop, RUN_AS_ROOT, argv);
}

/* A teardown: the loop must end even when the test failed. */
static int mock_loop_stop(void **state)
{
	int status;

	(void)state;
	kill(loop.pid, SIGTERM);
	status = run_wait(&loop, 60);
	run_free(&loop);
	return status;
}

/*
 * One trace run, signalled at ms after start, or after it attached when
 * after_attach is set. Returns whether the signal came after the attach.
 */
static bool trace_signal_once(int sig, unsigned int ms, bool after_attach,
			      int n)
{
	char csvdir[128], path[192];
	const char *argv[] = { dirtyscope_bin(), "trace", "--csv", csvdir,
			       NULL };
	struct csv c;
	struct run r;
	bool attached;

	snprintf(csvdir, sizeof(csvdir), "%s/trace-%d", dir, n);
	assert_int_equal(run_start(&r, RUN_AS_ROOT, argv), 0);
	if (after_attach)
		assert_true(run_wait_stderr(&r, "Tracing with ", 120));
	sleep_ms(ms);
	kill(r.pid, sig);
	run_wait(&r, 60);
	attached = strstr(r.err, "Tracing with ") != NULL;
	print_message("# trace, %s %u ms after %s: exit %d, %s\n",
		      strsignal(sig), ms, after_attach ? "attach" : "start",
		      r.status, attached ? "attached" : "not attached");
	assert_no_temp_files(csvdir);
	if (attached) {
		assert_int_equal(r.status, 0);
		snprintf(path, sizeof(path), "%s/summary.csv", csvdir);
		assert_int_equal(csv_load(&c, path), 0);
		assert_int_equal(c.nrows, SUMMARY_ROWS);
		assert_int_equal(csv_col(&c, "op"), 0);
		csv_free(&c);
		snprintf(path, sizeof(path), "%s/histograms.csv", csvdir);
		assert_int_equal(csv_load(&c, path), 0);
		csv_free(&c);
		snprintf(path, sizeof(path), "%s/syncs.csv", csvdir);
		assert_int_equal(csv_load(&c, path), 0);
		csv_free(&c);
		/* summary, histograms, syncs; intervals.csv needs -i. */
		assert_int_equal(dir_entries(csvdir), 3);
	} else if (!died_early(&r, sig, csvdir)) {
		if (r.status != 1 || !strstr(r.err, "interrupted"))
			fail_msg("exit %d before the attach: %s", r.status,
				 r.err);
		assert_true(dir_entries(csvdir) <= 0);
	}
	run_free(&r);
	assert_int_equal(our_bpf_progs(), 0);
	return attached;
}

static void trace_signals_leave_complete_or_no_files(void **state)
{
	static const unsigned int from_start[] = { 50,	 150,  300, 600,
						   1000, 1500, 2000 };
	static const unsigned int from_attach[] = { 0, 100, 500 };
	static const int sigs[] = { SIGINT, SIGTERM };
	int n = 0, before = 0, after = 0;

	(void)state;
	for (size_t s = 0; s < 2; s++) {
		for (size_t i = 0; i < sizeof(from_start) / sizeof(*from_start);
		     i++) {
			if (trace_signal_once(sigs[s], from_start[i], false,
					      n++))
				after++;
			else
				before++;
		}
		for (size_t i = 0;
		     i < sizeof(from_attach) / sizeof(*from_attach); i++) {
			assert_true(trace_signal_once(sigs[s], from_attach[i],
						      true, n++));
			after++;
		}
	}
	print_message("# trace: %d runs signalled before the attach, %d "
		      "after\n",
		      before, after);
	/* Both cases must have happened for the test to mean anything. */
	assert_true(before > 0);
	assert_true(after > 0);
}

static void bench_signals_leave_no_files(void **state)
{
	static const unsigned int offsets[] = { 50, 300, 1000, 2000, 3500 };
	static const int sigs[] = { SIGINT, SIGTERM };
	int n = 0;

	(void)state;
	for (size_t s = 0; s < 2; s++) {
		for (size_t i = 0; i < sizeof(offsets) / sizeof(*offsets);
		     i++) {
			char csvdir[128];
			const char *argv[] = {
				dirtyscope_bin(), "bench",  "--csv",
				csvdir,		  "--size", "16M",
				"--bandwidth",	  "8M",	    NULL
			};
			static const char *const outputs[] = {
				"runs.csv", "rounds.csv", "sweep.csv",
				"summary.csv", "syncs.csv"
			};
			struct run r;
			uint64_t t0;

			snprintf(csvdir, sizeof(csvdir), "%s/bench-%d", dir,
				 n++);
			assert_int_equal(run_start(&r, RUN_AS_ROOT, argv), 0);
			t0 = ms_now();
			sleep_ms(offsets[i]);
			kill(r.pid, sigs[s]);
			run_wait(&r, 120);
			print_message("# bench, %s %u ms after start: exit %d "
				      "after %" PRIu64 " ms\n",
				      strsignal(sigs[s]), offsets[i], r.status,
				      ms_now() - t0);
			if (!died_early(&r, sigs[s], csvdir)) {
				if (r.status != 1 ||
				    !strstr(r.err, "interrupted"))
					fail_msg("exit %d: %s", r.status,
						 r.err);
			}
			for (size_t k = 0; k < 5; k++)
				if (file_in(csvdir, outputs[k]))
					fail_msg("%s/%s written", csvdir,
						 outputs[k]);
			assert_no_temp_files(csvdir);
			assert_true(dir_entries(csvdir) <= 0);
			run_free(&r);
			assert_int_equal(mock_devices(), mock_baseline);
			assert_int_equal(our_bpf_progs(), 0);
		}
	}
}

static int setup(void **state)
{
	(void)state;
	mock_baseline = mock_devices();
	if (our_bpf_progs() != 0)
		return -1;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[64];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			trace_signals_leave_complete_or_no_files,
			mock_loop_start, mock_loop_stop),
		cmocka_unit_test(bench_signals_leave_no_files),
	};

	return cmocka_run_group_tests_name("signals_vm", tests, setup,
					   teardown);
}
