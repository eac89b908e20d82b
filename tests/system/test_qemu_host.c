// SPDX-License-Identifier: GPL-2.0
/*
 * dirtyscope trace -p beside a real live migration on the host: two QEMU 10
 * processes (scripts/qemu10.sh; tiny TCG guests, no device), the source
 * migrated to the destination over a unix socket through QMP. What trace
 * reports of QEMU's side is checked against QEMU's own two counts: the
 * migration_bitmap_sync_start lines of its trace log and query-migrate's
 * ram.dirty-sync-count. And trace -p on a process that is not QEMU warns
 * once and traces the kernel. Needs root.
 */
#include <errno.h>
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
#include "qemu_mig.h"
#include "syshelp.h"

static char dir[] = "/tmp/ds-qemu-XXXXXX";
/* The migration of the test, stopped by the teardown if it failed. */
static struct migration mig;

static void trace_follows_a_migration(void **state)
{
	struct migration *m = &mig;
	struct csv sum;

	(void)state;
	if (geteuid() != 0)
		skip();
	m->dir = dir;
	migrate_traced(m);
	assert_rounds_agree(m);
	/* No VFIO device: QEMU's VFIO reads never run. */
	csv_load_or_fail(&sum, "%s/summary.csv", m->csvdir);
	assert_int_equal(csv_get(&sum, "qemu_vfio_read", "count"), 0);
	csv_free(&sum);
	print_message("# %lld syncs: query-migrate, QEMU's log and trace\n",
		      (long long)m->dirty_sync_count);
	migration_free(m);
}

/* probes -p lists the uprobes trace would put on a QEMU, all attached. */
static void probes_lists_qemu_uprobes(void **state)
{
	const char *qemu_argv[] = {
		qemu_bin,   "-L",   qemu_data, "-machine", "q35", "-accel",
		"tcg",	    "-m",   "64M",     "-smp",	   "1",	  "-nodefaults",
		"-display", "none", "-S",      NULL
	};
	char pidstr[16];
	const char *argv[] = { dirtyscope_bin(), "probes", "-p", pidstr, NULL };
	struct run vm, r;
	char *line, *save;
	int attached = 0;

	(void)state;
	if (geteuid() != 0)
		skip();
	assert_int_equal(run_start(&vm, RUN_AS_ROOT, qemu_argv), 0);
	snprintf(pidstr, sizeof(pidstr), "%d", (int)vm.pid);
	assert_int_equal(run_sync(&r, RUN_AS_ROOT, argv, 120), 0);
	kill(vm.pid, SIGTERM);
	run_wait(&vm, 60);
	assert_true(process_gone(vm.pid));
	assert_int_equal(qemu_programs_loaded(), 0);
	/* 8 functions, 5 of them timed (a uretprobe too). */
	for (line = strtok_r(r.out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		if ((!strncmp(line, "uprobe/", 7) ||
		     !strncmp(line, "uretprobe/", 10)) &&
		    strstr(line, " attached"))
			attached++;
	assert_int_equal(attached, QEMU_UPROBE_PROGRAMS);
	run_free(&vm);
	run_free(&r);
}

/* A process that is not QEMU: one warning line, the kernel traced. */
static void trace_pid_without_qemu_functions(void **state)
{
	const char *sleep_argv[] = { "sleep", "600", NULL };
	char pidstr[16], csvdir[128], path[160];
	const char *argv[] = { dirtyscope_bin(), "trace", "-p",
			       pidstr,		 "-d",	  "1",
			       "--csv",		 csvdir,  NULL };
	char want[256];
	struct run sl, r;

	(void)state;
	if (geteuid() != 0)
		skip();
	snprintf(csvdir, sizeof(csvdir), "%s/sleep", dir);
	assert_int_equal(run_start(&sl, RUN_AS_ROOT, sleep_argv), 0);
	snprintf(pidstr, sizeof(pidstr), "%d", (int)sl.pid);
	assert_int_equal(run_sync(&r, RUN_AS_ROOT, argv, 120), 0);
	kill(sl.pid, SIGTERM);
	run_wait(&sl, 60);
	assert_true(process_gone(sl.pid));
	snprintf(want, sizeof(want),
		 "warning: PID %s: none of QEMU's functions dirtyscope knows "
		 "(not in the process's binary): tracing the kernel only\n",
		 pidstr);
	assert_non_null(strstr(r.err, want));
	assert_int_equal(count_matching_lines(r.err_path, "QEMU"), 1);
	assert_non_null(strstr(r.err, "Tracing with "));
	/* No rounds without a VMM to mark them. */
	assert_null(strstr(r.out, "ROUND"));
	snprintf(path, sizeof(path), "%s/rounds.csv", csvdir);
	assert_int_equal(access(path, F_OK), -1);
	snprintf(path, sizeof(path), "%s/summary.csv", csvdir);
	assert_int_equal(access(path, R_OK), 0);
	run_free(&sl);
	run_free(&r);
}

/* After the migration test, also when it failed half way: no QEMU or
 * trace of it left running into the next test. */
static int stop_migration(void **state)
{
	(void)state;
	migration_free(&mig);
	return 0;
}

static int setup(void **state)
{
	(void)state;
	/* Every test skips without root, which may not write the cache. */
	if (geteuid() == 0 && qemu_find()) {
		fprintf(stderr, "test_qemu_host: no QEMU 10 (scripts/qemu10.sh "
				"failed)\n");
		return -1;
	}
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
		cmocka_unit_test_teardown(trace_follows_a_migration,
					  stop_migration),
		cmocka_unit_test(probes_lists_qemu_uprobes),
		cmocka_unit_test(trace_pid_without_qemu_functions),
	};

	return cmocka_run_group_tests_name("qemu_host", tests, setup, teardown);
}
