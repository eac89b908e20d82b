// SPDX-License-Identifier: GPL-2.0
/*
 * In the testbed VM, vtd-dirty profile: SIGINT and SIGTERM at many points
 * of a traced bench run on the iommufd backend, edu writing through the
 * Intel driver's dirty tracking. Whatever the moment, bench exits 1
 * ("interrupted") with no CSV and no temp file (or died by the signal
 * before its handler existed, having made nothing), no BPF program of ours
 * stays loaded, edu stays on vfio-pci with its device free, and a plain
 * run afterwards gets the exact counts of a fresh device: the HWPT, its
 * dirty tracking and the IOAS went with the process.
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
#include <cmocka.h>
#include "sigcheck.h"
#include "syshelp.h"

#define DEVICE "/dev/vfio/devices/vfio0"

static char dir[] = "/tmp/ds-sig-vtd-XXXXXX";
static char group[64];

static void edu_device_free(const char *when)
{
	int err = group_open_check(group);

	if (err)
		fail_msg("%s: %s cannot be opened: %s", when, group,
			 strerror(-err));
}

static void bench_signals_leave_nothing(void **state)
{
	/* Setting up takes about 4 s in the TCG guest (a signal then takes
	 * effect once it is done), then each strategy's round 0 sends
	 * 16 MiB at 8 MiB/s: the last two land in the runs of auto and of
	 * manual. */
	static const unsigned int offsets[] = {
		50, 400, 1500, 3000, 5000, 7500
	};
	static const int sigs[] = { SIGINT, SIGTERM };
	static const char *const outputs[] = { "runs.csv", "rounds.csv",
					       "sweep.csv", "summary.csv",
					       "syncs.csv" };
	int n = 0;

	(void)state;
	for (size_t s = 0; s < 2; s++) {
		for (size_t i = 0; i < sizeof(offsets) / sizeof(*offsets);
		     i++) {
			char csvdir[128], when[96];
			const char *argv[] = { dirtyscope_bin(),
					       "bench",
					       "--backend",
					       "iommufd",
					       "--device",
					       DEVICE,
					       "--csv",
					       csvdir,
					       "--size",
					       "16M",
					       "--bandwidth",
					       "8M",
					       "--rate",
					       "2000",
					       NULL };
			struct run r;
			uint64_t t0;

			snprintf(csvdir, sizeof(csvdir), "%s/bench-%d", dir,
				 n++);
			snprintf(when, sizeof(when), "%s %u ms after start",
				 strsignal(sigs[s]), offsets[i]);
			assert_int_equal(run_start(&r, RUN_AS_ROOT, argv), 0);
			t0 = ms_now();
			sleep_ms(offsets[i]);
			kill(r.pid, sigs[s]);
			run_wait(&r, 120);
			print_message("# bench, %s: exit %d after %" PRIu64
				      " ms\n",
				      when, r.status, ms_now() - t0);
			if (!died_early(&r, sigs[s], csvdir) &&
			    (r.status != 1 || !strstr(r.err, "interrupted")))
				fail_msg("%s: exit %d: %s", when, r.status,
					 r.err);
			for (size_t k = 0; k < 5; k++)
				if (file_in(csvdir, outputs[k]))
					fail_msg("%s: %s/%s written", when,
						 csvdir, outputs[k]);
			assert_no_temp_files(csvdir);
			assert_true(dir_entries(csvdir) <= 0);
			run_free(&r);
			edu_device_free(when);
			assert_int_equal(our_bpf_progs(), 0);
		}
	}
}

/*
 * After the signals: page 7 written before round 1's sync and nothing
 * else, so each strategy sends the 16 pages of 64 KiB once and page 7 once
 * more (the schedule of docs/bench.md).
 */
static void plain_run_after_signals_is_exact(void **state)
{
	char csvdir[128], path[192];
	const char *argv[] = { dirtyscope_bin(),
			       "bench",
			       "--backend",
			       "iommufd",
			       "--device",
			       DEVICE,
			       "--no-trace",
			       "--size",
			       "64K",
			       "--rate",
			       "0",
			       "--downtime",
			       "0",
			       "--schedule",
			       "1@sync:7",
			       "--csv",
			       csvdir,
			       NULL };
	struct csv c;
	struct run r;

	(void)state;
	snprintf(csvdir, sizeof(csvdir), "%s/plain", dir);
	assert_int_equal(run_sync(&r, RUN_AS_ROOT, argv, 300), 0);
	run_free(&r);
	snprintf(path, sizeof(path), "%s/runs.csv", csvdir);
	assert_int_equal(csv_load(&c, path), 0);
	assert_int_equal(c.nrows, 3);
	for (size_t row = 1; row < 3; row++) {
		int col = csv_col(&c, "pages_sent");

		assert_true(col >= 0);
		assert_int_equal(strtoll(c.rows[row][col], NULL, 10), 16 + 1);
	}
	csv_free(&c);
	edu_device_free("after the plain run");
}

static int setup(void **state)
{
	(void)state;
	if (vfio_bind(EDU_ID, group, sizeof(group)))
		return -1;
	if (our_bpf_progs() != 0)
		return -1;
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
		cmocka_unit_test(bench_signals_leave_nothing),
		cmocka_unit_test(plain_run_after_signals_is_exact),
	};

	return cmocka_run_group_tests_name("signals_vtd_dirty", tests, setup,
					   teardown);
}
