// SPDX-License-Identifier: GPL-2.0
/*
 * In the testbed VM (mock profile, each testbed kernel): the least
 * privilege each command needs, under setpriv. trace as uid 65534 with only
 * CAP_BPF and CAP_PERFMON (in the bounding, inheritable and ambient sets)
 * attaches and counts a root mock-dirty run exactly where iommufd is built
 * in (6.12); where it is a module (7.3), attaching to a module's function
 * takes its BTF object, which only CAP_SYS_ADMIN may open: without it the
 * iommufd probes are skipped, said in one warning, and with it the counts
 * are exact again. Without CAP_PERFMON trace is refused in one line.
 * mock-dirty and bench --no-trace need no capability at all, only access
 * to /dev/iommu, and RLIMIT_MEMLOCK for what they map (iommufd
 * charges pinned pages to the user). See docs/reliability.md, Privileges.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "syshelp.h"

#define SETPRIV "/usr/bin/setpriv"

static char dir[] = "/tmp/ds-privs-XXXXXX";
static mode_t iommu_mode;

/* argv[0..] of cmd behind setpriv: uid/gid 65534, no groups, caps only. */
static void as_user(const char **argv, const char *caps, const char *const *cmd)
{
	static char inh[64], amb[64], bnd[64];
	size_t n = 0;

	snprintf(inh, sizeof(inh), "--inh-caps=-all%s", caps);
	snprintf(amb, sizeof(amb), "--ambient-caps=-all%s", caps);
	snprintf(bnd, sizeof(bnd), "--bounding-set=-all%s", caps);
	argv[n++] = SETPRIV;
	argv[n++] = "--reuid=65534";
	argv[n++] = "--regid=65534";
	argv[n++] = "--clear-groups";
	argv[n++] = inh;
	if (*caps)
		argv[n++] = amb;
	argv[n++] = bnd;
	while (*cmd)
		argv[n++] = *cmd++;
	argv[n] = NULL;
}

/* iommufd as a loadable module: /sys/module/NAME/initstate exists for
 * those only. */
static bool iommufd_is_module(void)
{
	return access("/sys/module/iommufd/initstate", F_OK) == 0;
}

/* trace as uid 65534 with caps beside a root mock-dirty run; counted says
 * whether the iommufd probes could attach (else they count nothing). */
static void trace_counts_mock_run(const char *caps, bool counted)
{
	char csvdir[128], path[192];
	const char *cmd[] = { dirtyscope_bin(), "trace", "--csv", csvdir,
			      NULL };
	const char *mock[] = { dirtyscope_bin(), "mock-dirty", "--size", "2M",
			       "--pages",	 "100",	       NULL };
	const char *argv[16];
	struct csv sum;
	struct run t, m;

	snprintf(csvdir, sizeof(csvdir), "%s/trace%s", dir, caps);
	as_user(argv, caps, cmd);
	assert_int_equal(run_start(&t, RUN_AS_ROOT, argv), 0);
	assert_true(run_wait_stderr(&t, "Tracing with ", 120));
	assert_int_equal(run_sync(&m, RUN_AS_ROOT, mock, 120), 0);
	run_free(&m);
	kill(t.pid, SIGINT);
	assert_int_equal(run_wait(&t, 60), 0);
	/* Skipped for want of CAP_SYS_ADMIN: said in the one warning. */
	assert_true(!counted ==
		    (strstr(t.err, " needs CAP_SYS_ADMIN (-v lists them)") ||
		     strstr(t.err, " needs CAP_SYS_ADMIN, ")));
	run_free(&t);
	snprintf(path, sizeof(path), "%s/summary.csv", csvdir);
	assert_int_equal(csv_load(&sum, path), 0);
	assert_true(csv_get(&sum, "sync_noclear", "count") == 2 * counted);
	assert_true(csv_get(&sum, "sync_noclear", "dirty_pages") ==
		    100 * counted);
	assert_true(csv_get(&sum, "read_clear", "count") == counted);
	assert_true(csv_get(&sum, "read_clear", "dirty_pages") ==
		    100 * counted);
	assert_true(csv_get(&sum, "set_tracking", "count") == 2 * counted);
	/* iommu:map is in vmlinux on every kernel: counted regardless. The
	 * calls themselves are timed only with --call-latency. */
	assert_true(csv_get(&sum, "map", "bytes") == 2 << 20);
	assert_true(csv_get(&sum, "map_call", "count") == 0);
	assert_true(csv_get(&sum, "lost_events", "count") == 0);
	csv_free(&sum);
}

static void trace_with_bpf_and_perfmon_only(void **state)
{
	(void)state;
	trace_counts_mock_run(",+bpf,+perfmon", !iommufd_is_module());
}

/* A modular kernel: CAP_SYS_ADMIN too, and the iommufd probes count. */
static void trace_on_modules_needs_sys_admin(void **state)
{
	(void)state;
	if (!iommufd_is_module())
		skip();
	trace_counts_mock_run(",+bpf,+perfmon,+sys_admin", true);
}

static void trace_without_perfmon_is_refused(void **state)
{
	const char *cmd[] = { dirtyscope_bin(), "trace", "-d", "1", NULL };
	const char *argv[16];
	struct run r;

	(void)state;
	as_user(argv, ",+bpf", cmd);
	assert_int_equal(run_sync(&r, RUN_AS_ROOT, argv, 120), 1);
	assert_string_equal(r.err + strlen(r.err) -
				    strlen("(needs CAP_BPF "
					   "and CAP_PERFMON)\n"),
			    "(needs CAP_BPF and CAP_PERFMON)\n");
	assert_non_null(strstr(r.err, "dirtyscope: trace: not permitted to "
				      "load BPF programs"));
	run_free(&r);
}

/* No capability: what the device node's mode allows, nothing else. */
static void mock_dirty_and_bench_need_the_device_only(void **state)
{
	const char *md[] = { dirtyscope_bin(), "mock-dirty", "--size", "2M",
			     "--pages",	       "100",	     NULL };
	const char *bench[] = {
		dirtyscope_bin(), "bench", "--no-trace", "--size", "2M",
		"--rate",	  "0",	   "--downtime", "0",	   NULL
	};
	const char *big[] = {
		dirtyscope_bin(), "bench", "--no-trace", "--size", "64M",
		"--rate",	  "0",	   NULL
	};
	const char *argv[16];
	struct run r;

	(void)state;
	assert_int_equal(chmod("/dev/iommu", 0600), 0);
	as_user(argv, "", md);
	assert_int_equal(run_sync(&r, RUN_AS_ROOT, argv, 120), 1);
	assert_string_equal(r.err, "dirtyscope: mock-dirty: open /dev/iommu "
				   "failed: Permission denied\n");
	run_free(&r);

	assert_int_equal(chmod("/dev/iommu", 0666), 0);
	assert_int_equal(run_sync(&r, RUN_AS_ROOT, argv, 120), 0);
	assert_non_null(strstr(r.out, "read and clear          100 dirty"));
	run_free(&r);
	as_user(argv, "", bench);
	assert_int_equal(run_sync(&r, RUN_AS_ROOT, argv, 120), 0);
	run_free(&r);
	/* 64 MiB pinned is over the 8 MiB RLIMIT_MEMLOCK of a user. */
	as_user(argv, "", big);
	assert_int_equal(run_sync(&r, RUN_AS_ROOT, argv, 120), 1);
	assert_non_null(strstr(r.err, "IOMMU_IOAS_MAP failed"));
	assert_int_equal(count_lines(r.err), 1);
	run_free(&r);
}

static int setup(void **state)
{
	struct stat st;

	(void)state;
	if (stat("/dev/iommu", &st))
		return -1;
	iommu_mode = st.st_mode & 07777;
	if (tmpdir_create(dir) || chmod(dir, 0777))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	chmod("/dev/iommu", iommu_mode);
	return tmpdir_remove(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(trace_with_bpf_and_perfmon_only),
		cmocka_unit_test(trace_on_modules_needs_sys_admin),
		cmocka_unit_test(trace_without_perfmon_is_refused),
		cmocka_unit_test(mock_dirty_and_bench_need_the_device_only),
	};

	return cmocka_run_group_tests_name("privs_vm", tests, setup, teardown);
}
