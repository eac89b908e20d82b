// SPDX-License-Identifier: GPL-2.0
/*
 * dirtyscope trace on the build machine's own kernel: the BPF object loads,
 * the probes this kernel has attach, the ones it lacks are named and
 * skipped, and wrong use gets one error line. Needs root.
 */
#include <setjmp.h>
#include <stdbool.h>
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
	struct ksym_where has_iommufd;
	struct csv sum;
	struct run r;

	(void)state;
	if (geteuid() != 0)
		skip();
	assert_int_equal(ksyms_find(fn, 1, &has_iommufd), 0);
	snprintf(csvdir, sizeof(csvdir), "%s/out", dir);
	assert_int_equal(run_sync(&r, RUN_AS_ROOT, argv, 60), 0);
	assert_non_null(strstr(r.err, "Tracing with "));
	/* A kernel without iommufd: its probes are skipped, with the reason
	 * summed up on one line. */
	if (!has_iommufd.present) {
		assert_non_null(strstr(r.err, "probes skipped: "));
		assert_non_null(strstr(r.err, "not in kernel BTF"));
	}
	assert_non_null(strstr(r.out, "OPERATION"));
	assert_non_null(strstr(r.out, "0 lost"));

	snprintf(path, sizeof(path), "%s/summary.csv", csvdir);
	assert_int_equal(csv_load(&sum, path), 0);
	/* Header, 32 operations, 6 IOTLB causes, 5 counters (as
	 * test_signals_vm.c). */
	assert_int_equal(sum.nrows, 1 + 32 + 6 + 5);
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

/* Root, and a program load refused with EACCES, as the verifier refuses
 * a program it rejects: not a privilege problem, and not said to be. */
static void refused_program_as_root_is_not_privilege(void **state)
{
	const char *trace[] = { dirtyscope_bin(), "trace", "-d", "1", NULL };
	struct run r;

	(void)state;
	assert_int_equal(run_sync(&r, RUN_REFUSING_PROGS, trace, 60), 1);
	assert_string_equal(r.err, "dirtyscope: trace: the kernel's verifier "
				   "rejected a BPF program (run with -v for "
				   "its log)\n");
	assert_string_equal(r.out, "");
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
		{ "bench", "-S", "x", NULL },
		{ "type1-dirty", "-g", "/dev/vfio/1", "-s", "0", NULL },
		{ "no-such-command", NULL },
	};
	const char *want[] = {
		"dirtyscope: trace: invalid duration 'abc'\n",
		"dirtyscope: trace: invalid PID '-5'\n",
		"dirtyscope: trace: unexpected argument '3'\n",
		"dirtyscope: trace: invalid interval 'soon'\n",
		"dirtyscope: trace: invalid count '0'\n",
		"dirtyscope: mock-dirty: invalid --size '12Q'\n",
		/* The common options' parser names the command. */
		"dirtyscope: bench: invalid --seed 'x'\n",
		"dirtyscope: type1-dirty: invalid --size '0'\n",
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
	/* 32 operations and 6 IOTLB causes in the summary. */
	assert_string_equal(v, "['interval', 'interval', 'summary'] 38 0 "
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

/* GET url with the given Accept header (or none): "STATUS\nCONTENT-TYPE\n"
 * then the body, on r's stdout. */
static int http_get(struct run *r, const char *url, const char *accept)
{
	const char *prog =
		"import sys, urllib.request as u, urllib.error as e\n"
		"q = u.Request(sys.argv[1])\n"
		"if sys.argv[2]: q.add_header('Accept', sys.argv[2])\n"
		"try:\n"
		"    x = u.urlopen(q, timeout=20)\n"
		"    print(x.status); print(x.headers['Content-Type'])\n"
		"    sys.stdout.write(x.read().decode())\n"
		"except e.HTTPError as h:\n"
		"    print(h.code); print(h.headers['Content-Type'])\n";
	const char *argv[] = { PYTHON3, "-c", prog, url, accept, NULL };

	return run_sync(r, RUN_AS_ROOT, argv, 60);
}

static bool starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* Is the text valid Prometheus exposition format, for promtool? */
static bool promtool_accepts(const char *text)
{
	char path[160], cmd[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/scrape.prom", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "promtool check metrics < %s >/dev/null",
		 path);
	return system(cmd) == 0;
}

/*
 * --metrics and --textfile on this kernel: /metrics answers in the text
 * format (OpenMetrics when asked), promtool accepts it, other paths are
 * 404; the textfile is rewritten and complete at the end; a port in use
 * and a bad address are one line.
 */
static void metrics_for_prometheus(void **state)
{
	char prom[160], pass[256];
	const char *argv[] = {
		dirtyscope_bin(),  "trace",	 "-d", "6", "--metrics",
		"127.0.0.1:19464", "--textfile", prom, "1", NULL
	};
	const char *busy[] = {
		dirtyscope_bin(), "trace", "--metrics", "19464", "-d", "1", NULL
	};
	const char *bad[] = { dirtyscope_bin(), "trace", "--metrics",
			      "localhost:http", NULL };
	struct run t, r;
	char *body, text[4096];
	FILE *f;
	size_t n;

	(void)state;
	if (geteuid() != 0)
		skip();
	snprintf(prom, sizeof(prom), "%s/ds.prom", dir);
	assert_int_equal(run_start(&t, RUN_AS_ROOT, argv), 0);
	assert_true(run_wait_stderr(&t, "Tracing with ", 60));

	assert_int_equal(http_get(&r, "http://127.0.0.1:19464/metrics", ""), 0);
	if (!starts_with(r.out, "200\ntext/plain; version=0.0.4"))
		fail_msg("got: %.200s / %.300s", r.out, r.err);
	body = strchr(strchr(r.out, '\n') + 1, '\n') + 1;
	assert_non_null(strstr(body, "\ndirtyscope_events_lost_total 0\n"));
	assert_non_null(strstr(body, "# TYPE dirtyscope_operations_total "
				     "counter\n"));
	assert_true(promtool_accepts(body));
	run_free(&r);

	assert_int_equal(http_get(&r, "http://127.0.0.1:19464/metrics",
				  "application/openmetrics-text; "
				  "version=1.0.0"),
			 0);
	assert_true(starts_with(r.out, "200\napplication/openmetrics-text; "
				       "version=1.0.0"));
	n = strlen(r.out);
	assert_string_equal(r.out + n - 6, "# EOF\n");
	run_free(&r);

	assert_int_equal(http_get(&r, "http://127.0.0.1:19464/other", ""), 0);
	assert_true(starts_with(r.out, "404\n"));
	run_free(&r);

	/* The same port again: one line, before any probe loads. */
	assert_int_equal(run_sync(&r, RUN_AS_ROOT, busy, 60), 1);
	assert_string_equal(r.err, "dirtyscope: trace: --metrics: cannot "
				   "listen on 19464: Address already in "
				   "use\n");
	run_free(&r);

	assert_int_equal(run_wait(&t, 60), 0);
	run_free(&t);
	f = fopen(prom, "r");
	assert_non_null(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	assert_non_null(strstr(text, "# HELP dirtyscope_operations_total "));
	snprintf(pass, sizeof(pass), "promtool check metrics < %s", prom);
	assert_int_equal(system(pass), 0);

	assert_int_equal(run_sync(&r, RUN_AS_ROOT, bad, 60), 2);
	assert_string_equal(r.err, "dirtyscope: trace: invalid --metrics "
				   "'localhost:http' (ADDR:PORT with an IPv4 "
				   "ADDR, or PORT)\n");
	run_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(trace_attaches_what_kernel_has),
		cmocka_unit_test(trace_needs_privilege),
		cmocka_unit_test(trace_without_bpf_is_one_line),
		cmocka_unit_test(refused_program_as_root_is_not_privilege),
		cmocka_unit_test(bad_usage_is_one_line),
		cmocka_unit_test(intervals_end_after_count),
		cmocka_unit_test(json_lines),
		cmocka_unit_test(csv_target_must_be_a_folder),
		cmocka_unit_test(metrics_for_prometheus),
	};

	return cmocka_run_group_tests_name("trace_host", tests, setup,
					   teardown);
}
