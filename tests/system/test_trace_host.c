// SPDX-License-Identifier: GPL-2.0
/*
 * dirtyscope trace on the build machine's own kernel: the BPF object loads,
 * the probes this kernel has attach, the ones it lacks are named and
 * skipped, and wrong use gets one error line. Needs root.
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
#include "ksyms.h"
#include "syshelp.h"

static char dir[] = "/tmp/ds-host-XXXXXX";

static void trace_attaches_what_kernel_has(void **state)
{
	const char *fn[] = { "iommufd_hwpt_get_dirty_bitmap" };
	char csvdir[128], path[160];
	const char *argv[] = { dirtyscope_bin(), "trace", "-d", "1",
			       "--csv",		 csvdir,  NULL };
	bool has_iommufd;
	struct csv sum;
	struct run r;

	(void)state;
	if (geteuid() != 0)
		skip();
	assert_int_equal(ksyms_present(fn, 1, &has_iommufd), 0);
	snprintf(csvdir, sizeof(csvdir), "%s/out", dir);
	assert_int_equal(run_sync(&r, RUN_AS_ROOT, argv, 60), 0);
	assert_non_null(strstr(r.err, "Tracing with "));
	/* A kernel without iommufd: its probes are skipped, with the reason
	 * summed up on one line. */
	if (!has_iommufd) {
		assert_non_null(strstr(r.err, "probes skipped: "));
		assert_non_null(strstr(r.err, "not in kernel BTF"));
	}
	assert_non_null(strstr(r.out, "OPERATION"));
	assert_non_null(strstr(r.out, "0 lost"));

	snprintf(path, sizeof(path), "%s/summary.csv", csvdir);
	assert_int_equal(csv_load(&sum, path), 0);
	/* Header, 22 operations, 6 IOTLB causes, 5 pseudo-operations. */
	assert_int_equal(sum.nrows, 1 + 22 + 6 + 5);
	assert_true(csv_get(&sum, "lost_events", "count") == 0);
	assert_true(csv_get(&sum, "read_clear", "count") >= 0);
	csv_free(&sum);
	snprintf(path, sizeof(path), "%s/syncs.csv", csvdir);
	assert_int_equal(access(path, R_OK), 0);
	run_free(&r);
}

static void trace_needs_privilege(void **state)
{
	const char *argv[] = { dirtyscope_bin(), "trace", "-d", "1", NULL };
	struct run r;

	(void)state;
	assert_int_equal(run_sync(&r, RUN_AS_NOBODY, argv, 30), 1);
	assert_int_equal(count_lines(r.err), 1);
	assert_non_null(strstr(r.err, "dirtyscope: trace: not permitted to "
				      "load BPF programs: run as root"));
	assert_string_equal(r.out, "");
	run_free(&r);
}

/* A kernel without CONFIG_BPF_SYSCALL, or a sandbox that filters bpf(2):
 * trace says so in one line, probes reports it and exits 0. */
static void trace_without_bpf_is_one_line(void **state)
{
	const char *trace[] = { dirtyscope_bin(), "trace", "-d", "1", NULL };
	const char *probes[] = { dirtyscope_bin(), "probes", NULL };
	struct run r;

	(void)state;
	assert_int_equal(run_sync(&r, RUN_WITHOUT_BPF, trace, 60), 1);
	assert_string_equal(r.err, "dirtyscope: trace: the kernel has no BPF "
				   "support (CONFIG_BPF_SYSCALL)\n");
	assert_string_equal(r.out, "");
	run_free(&r);

	assert_int_equal(run_sync(&r, RUN_WITHOUT_BPF, probes, 60), 0);
	assert_non_null(strstr(r.out, "\nbpf-syscall "));
	assert_non_null(
		strstr(r.out, " missing    no BPF (CONFIG_BPF_SYSCALL)\n"));
	assert_null(strstr(r.out, " attached\n"));
	run_free(&r);
}

static void bad_usage_is_one_line(void **state)
{
	const char *cases[][6] = {
		{ "trace", "-d", "abc", NULL },
		{ "trace", "-p", "-5", NULL },
		{ "trace", "1", "2", "3", NULL },
		{ "trace", "soon", NULL },
		{ "trace", "1", "0", NULL },
		{ "mock-dirty", "--size", "12Q", NULL },
		{ "no-such-command", NULL },
	};
	const char *want[] = {
		"dirtyscope: trace: invalid duration 'abc'\n",
		"dirtyscope: trace: invalid PID '-5'\n",
		"dirtyscope: trace: unexpected argument '3'\n",
		"dirtyscope: trace: invalid interval 'soon'\n",
		"dirtyscope: trace: invalid count '0'\n",
		"dirtyscope: mock-dirty: invalid --size '12Q'\n",
		"dirtyscope: unknown command 'no-such-command' (see "
		"'dirtyscope --help')\n",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const char *argv[8] = { dirtyscope_bin() };
		struct run r;

		for (int j = 0; cases[i][j]; j++)
			argv[j + 1] = cases[i][j];
		assert_int_equal(run_sync(&r, RUN_AS_ROOT, argv, 10), 2);
		assert_string_equal(r.err, want[i]);
		run_free(&r);
	}
}

/* [interval] [count]: COUNT tables, then the total, then exit by itself. */
static void intervals_end_after_count(void **state)
{
	char csvdir[128], path[160];
	const char *argv[] = { dirtyscope_bin(), "trace", "0.2", "3",
			       "--csv",		 csvdir,  NULL };
	const char *p;
	struct csv iv;
	struct run r;
	int tables = 0;

	(void)state;
	if (geteuid() != 0)
		skip();
	snprintf(csvdir, sizeof(csvdir), "%s/iv", dir);
	assert_int_equal(run_sync(&r, RUN_AS_ROOT, argv, 60), 0);
	for (p = r.out; (p = strstr(p, "OPERATION")); p++)
		tables++;
	/* Three intervals and the total. */
	assert_int_equal(tables, 4);
	assert_non_null(strstr(r.out, "\nTotal:\n"));
	snprintf(path, sizeof(path), "%s/intervals.csv", csvdir);
	assert_int_equal(csv_load(&iv, path), 0);
	assert_int_equal(csv_col(&iv, "interval"), 0);
	assert_int_equal(csv_col(&iv, "lat_max_ns"), 9);
	csv_free(&iv);
	run_free(&r);
}

/* --json: one document per line, per interval and the summary. */
static void json_lines(void **state)
{
	const char *argv[] = {
		dirtyscope_bin(), "trace", "--json", "0.2", "2", NULL
	};
	struct run r;
	char *v;

	(void)state;
	if (geteuid() != 0)
		skip();
	assert_int_equal(run_sync(&r, RUN_AS_ROOT, argv, 60), 0);
	assert_int_equal(count_lines(r.out), 3);
	v = json_eval(r.out, "[x['type'] for x in d], len(d[2]['ops']), "
			     "d[2]['counters']['lost_events'], "
			     "sorted(d[2]['ops'][0])[:3]");
	assert_non_null(v);
	/* 22 operations and 6 IOTLB causes in the summary. */
	assert_string_equal(v, "['interval', 'interval', 'summary'] 28 0 "
			       "['bytes', 'count', 'dirty_bytes']\n");
	free(v);
	run_free(&r);
}

static void csv_target_must_be_a_folder(void **state)
{
	char file[128];
	const char *argv[] = { dirtyscope_bin(), "trace", "-d", "1",
			       "--csv",		 file,	  NULL };
	struct run r;
	FILE *f;

	(void)state;
	snprintf(file, sizeof(file), "%s/plain-file", dir);
	f = fopen(file, "w");
	fputs("keep me\n", f);
	fclose(f);
	assert_int_equal(run_sync(&r, RUN_AS_ROOT, argv, 10), 1);
	assert_int_equal(count_lines(r.err), 1);
	assert_non_null(strstr(r.err, "cannot write to"));
	assert_non_null(strstr(r.err, "Not a directory"));
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
		cmocka_unit_test(trace_attaches_what_kernel_has),
		cmocka_unit_test(trace_needs_privilege),
		cmocka_unit_test(trace_without_bpf_is_one_line),
		cmocka_unit_test(bad_usage_is_one_line),
		cmocka_unit_test(intervals_end_after_count),
		cmocka_unit_test(json_lines),
		cmocka_unit_test(csv_target_must_be_a_folder),
	};

	return cmocka_run_group_tests_name("trace_host", tests, setup,
					   teardown);
}
