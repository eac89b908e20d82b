// SPDX-License-Identifier: GPL-2.0
/*
 * In the testbed VM (mock profile): Debian's Prometheus scrapes
 * `dirtyscope trace --metrics` every second while two mock-dirty runs do
 * what the test asks; Prometheus's HTTP API then returns exactly the
 * counts the mock was made to do, and promtool accepts a scrape. Both
 * processes are stopped and their files removed on every path.
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

#define TRACE_ADDR "127.0.0.1:19464"
#define PROM_ADDR  "127.0.0.1:19090"

static char dir[] = "/tmp/ds-metrics-XXXXXX";
static struct run trace, prom;
static bool trace_up, prom_up;

/* A PromQL query's one value, as Prometheus prints it; "none" if empty. */
static void query(const char *promql, char *out, size_t len)
{
	const char *prog =
		"import json, sys, urllib.parse as p, urllib.request as u\n"
		"url = 'http://" PROM_ADDR "/api/v1/query?query=' + "
		"p.quote(sys.argv[1])\n"
		"r = json.load(u.urlopen(url, timeout=20))['data']['result']\n"
		"print(r[0]['value'][1] if r else 'none')\n";
	const char *argv[] = { PYTHON3, "-c", prog, promql, NULL };
	struct run r;

	out[0] = '\0';
	if (run_sync(&r, RUN_AS_ROOT, argv, 60) == 0)
		snprintf(out, len, "%.*s", (int)strcspn(r.out, "\n"), r.out);
	run_free(&r);
}

static void expect(const char *promql, const char *want)
{
	char got[64];

	query(promql, got, sizeof(got));
	if (strcmp(got, want))
		fail_msg("%s: %s, not %s", promql, got, want);
}

static void mock_dirty(const char *size, const char *pages)
{
	const char *argv[] = { dirtyscope_bin(), "mock-dirty", "--size", size,
			       "--pages",	 pages,	       NULL };
	struct run r;

	assert_int_equal(run_sync(&r, RUN_AS_ROOT, argv, 120), 0);
	run_free(&r);
}

static void scraped_counts_are_exact(void **state)
{
	const char *check[] = {
		"sh", "-c",
		PYTHON3 " -c \"import urllib.request as u; print(u.urlopen("
			"'http://" TRACE_ADDR "/metrics').read().decode(), "
			"end='')\" | promtool check metrics",
		NULL
	};
	char got[64];
	struct run r;
	int i;

	(void)state;
	/* 100 and 300 mock pages: each run reads them with NO_CLEAR, reads
	 * and clears them, then reads nothing with NO_CLEAR. */
	mock_dirty("2M", "100");
	mock_dirty("4M", "300");
	/* Wait for a scrape that saw both runs end. */
	for (i = 0; i < 120; i++) {
		query("dirtyscope_operations_total{op=\"set_tracking\"}", got,
		      sizeof(got));
		if (!strcmp(got, "4"))
			break;
		sleep(1);
	}
	print_message("# Prometheus saw the runs after %d s\n", i);
	expect("dirtyscope_operations_total{op=\"set_tracking\"}", "4");
	expect("dirtyscope_operations_total{op=\"sync_noclear\"}", "4");
	expect("dirtyscope_operations_total{op=\"read_clear\"}", "2");
	expect("dirtyscope_dirty_pages_total{op=\"sync_noclear\"}", "400");
	expect("dirtyscope_dirty_pages_total{op=\"read_clear\"}", "400");
	expect("dirtyscope_operation_errors_total{op=\"read_clear\"}", "0");
	expect("dirtyscope_operation_duration_seconds_count{op=\"read_clear\"}",
	       "2");
	expect("dirtyscope_operation_duration_seconds_bucket{op="
	       "\"read_clear\",le=\"+Inf\"}",
	       "2");
	/* The mock has no IOTLB. */
	expect("sum(dirtyscope_iotlb_invalidations_total)", "0");
	expect("dirtyscope_events_lost_total", "0");
	expect("up{job=\"dirtyscope\"}", "1");
	assert_int_equal(run_sync(&r, RUN_AS_ROOT, check, 60), 0);
	run_free(&r);
}

static int setup(void **state)
{
	char cfg[160], tsdb[160], flag_cfg[200], flag_tsdb[200];
	const char *targv[] = { dirtyscope_bin(), "trace", "--metrics",
				TRACE_ADDR, NULL };
	const char *pargv[] = { "/usr/bin/prometheus", flag_cfg, flag_tsdb,
				"--web.listen-address=" PROM_ADDR, NULL };
	FILE *f;

	(void)state;
	if (tmpdir_create(dir))
		return -1;
	snprintf(cfg, sizeof(cfg), "%s/prometheus.yml", dir);
	snprintf(tsdb, sizeof(tsdb), "%s/tsdb", dir);
	snprintf(flag_cfg, sizeof(flag_cfg), "--config.file=%s", cfg);
	snprintf(flag_tsdb, sizeof(flag_tsdb), "--storage.tsdb.path=%s", tsdb);
	f = fopen(cfg, "w");
	if (!f)
		return -1;
	fputs("global:\n  scrape_interval: 1s\n"
	      "scrape_configs:\n  - job_name: dirtyscope\n"
	      "    static_configs:\n      - targets: ['" TRACE_ADDR "']\n",
	      f);
	fclose(f);
	if (run_start(&trace, RUN_AS_ROOT, targv))
		return -1;
	trace_up = true;
	if (!run_wait_stderr(&trace, "Tracing with ", 120))
		return -1;
	if (run_start(&prom, RUN_AS_ROOT, pargv))
		return -1;
	prom_up = true;
	/* Ready when it scrapes: up{job} exists. */
	for (int i = 0; i < 120; i++) {
		char got[16];

		query("up{job=\"dirtyscope\"}", got, sizeof(got));
		if (!strcmp(got, "1"))
			return 0;
		sleep(1);
	}
	return -1;
}

static int teardown(void **state)
{
	int ret = 0;

	(void)state;
	if (prom_up) {
		kill(prom.pid, SIGTERM);
		run_wait(&prom, 60);
		run_free(&prom);
	}
	if (trace_up) {
		kill(trace.pid, SIGINT);
		/* trace ends with its summary, exit 0. */
		if (run_wait(&trace, 60)) {
			fprintf(stderr, "metrics_vm: trace ended with %d: %s\n",
				trace.status, trace.err);
			ret = -1;
		}
		run_free(&trace);
	}
	if (tmpdir_remove(dir)) {
		fprintf(stderr, "metrics_vm: cannot remove %s\n", dir);
		ret = -1;
	}
	return ret;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(scraped_counts_are_exact),
	};

	return cmocka_run_group_tests_name("metrics_vm", tests, setup,
					   teardown);
}
