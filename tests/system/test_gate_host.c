// SPDX-License-Identifier: GPL-2.0
/*
 * dirtyscope gate as CI runs it: baseline and current folders with runs.csv
 * files built here (the columns docs/csv.md gives for bench), exit codes,
 * the table, the messages for bad input, and the JUnit file read back by
 * python3's XML parser. Needs no privilege and no kernel feature.
 */
#include <setjmp.h>
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

static char dir[] = "/tmp/ds-gate-XXXXXX";
static char base[64], cur[64];

#define HEADER                                                            \
	"run,strategy,backend,size_bytes,page_size,chunk_bytes,rounds,"   \
	"pages_sent,pages_redundant,redundant_pct,syncs,clear_calls,"     \
	"sync_ns_p50,sync_ns_p99,clear_ns_p50,clear_ns_p99,"              \
	"iotlb_invalidations,iotlb_ns,migration_ns,downtime_ns,workload," \
	"rate_pages_s,bandwidth_bytes_s,seed,repeat,point,writes,"        \
	"received_pages,kernel_reads,kernel_dirty_pages\n"

struct runs {
	unsigned int repeats;
	double pages;	       /* factor on pages_sent */
	double timing;	       /* factor on migration_ns */
	const char *strategy2; /* name of the second strategy */
	const char *bad;       /* replaces pages_sent of run 2 */
};

/* Write folder d/runs.csv: each strategy repeats times. */
static void write_runs(const char *d, const struct runs *s)
{
	char path[128];
	unsigned int i, k, run = 1;
	FILE *f;

	mkdir(d, 0755);
	snprintf(path, sizeof(path), "%s/runs.csv", d);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(HEADER, f);
	for (i = 0; i < s->repeats; i++) {
		for (k = 0; k < 2; k++, run++) {
			const char *st = k ? s->strategy2 : "auto";
			unsigned long sent = (k ? 800 : 1000) * s->pages;
			/* Spread within a side, far apart between sides
			 * when timing is 1.5: 1.000..1.004 vs 1.5..1.506. */
			unsigned long mig =
				(1000000000UL + i * 1000000UL) * s->timing;

			fprintf(f, "%u,", run);
			if (strpbrk(st, ",\"")) {
				fputc('"', f);
				for (; *st; st++)
					fprintf(f, *st == '"' ? "\"\"" : "%c",
						*st);
				fputc('"', f);
			} else {
				fputs(st, f);
			}
			fputs(",mock,67108864,4096,134217728,5,", f);
			if (s->bad && run == 2)
				fputs(s->bad, f);
			else
				fprintf(f, "%lu", sent);
			fprintf(f,
				",100,%.3f,6,%u,20000,40000,30000,60000,12,"
				"3000,%lu,2000000,\"zipf:1.1\",20000,"
				"268435456,1,%u,0,5000,%lu,6,%lu\n",
				100.0 * 100 / sent, k ? 32 : 0, mig, i, sent,
				sent);
		}
	}
	fclose(f);
}

static void setup_dirs(const struct runs *b, const struct runs *c)
{
	write_runs(base, b);
	write_runs(cur, c);
}

static int gate(struct run *r, const char *extra1, const char *extra2)
{
	const char *argv[] = {
		dirtyscope_bin(), "gate", "--baseline", base, "--current", cur,
		extra1,		  extra2, NULL
	};

	return run_sync(r, RUN_AS_ROOT, argv, 60);
}

/* The table line of metric for strategy. */
static const char *row(const char *out, const char *metric, const char *st)
{
	static char line[512];
	const char *p = out;

	while (p && *p) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		char m[64], s[64];

		snprintf(line, sizeof(line), "%.*s", (int)n, p);
		if (sscanf(line, "%63s %63s", m, s) == 2 &&
		    !strcmp(m, metric) && !strcmp(s, st))
			return line;
		p = e ? e + 1 : NULL;
	}
	fail_msg("no row %s %s in:\n%s", metric, st, out);
	return NULL;
}

static const struct runs same5 = { 5, 1, 1, "manual", NULL };

static void identical_passes(void **state)
{
	struct run r;

	(void)state;
	setup_dirs(&same5, &same5);
	assert_int_equal(gate(&r, NULL, NULL), 0);
	assert_non_null(strstr(row(r.out, "pages_sent", "auto"), " pass "));
	assert_non_null(strstr(r.out, "22 checks: 0 regressions, 0 "
				      "inconclusive: PASS"));
	assert_string_equal(r.err, "");
	run_free(&r);
}

static void pages_sent_up_10pct_fails(void **state)
{
	const struct runs more = { 5, 1.1, 1, "manual", NULL };
	struct run r;
	const char *l;

	(void)state;
	setup_dirs(&same5, &more);
	assert_int_equal(gate(&r, NULL, NULL), 1);
	l = row(r.out, "pages_sent", "auto");
	assert_non_null(strstr(l, "REGRESSION"));
	assert_non_null(strstr(l, "+10.0%"));
	assert_non_null(
		strstr(row(r.out, "pages_sent", "manual"), "REGRESSION"));
	/* Redundancy fell: lower is better, so it passes. */
	assert_non_null(strstr(row(r.out, "redundant_pct", "auto"), " pass "));
	assert_non_null(strstr(r.out, "2 regressions"));
	run_free(&r);
}

static void timing_up_50pct_significant(void **state)
{
	const struct runs slow = { 5, 1, 1.5, "manual", NULL };
	struct run r;
	const char *l;

	(void)state;
	setup_dirs(&same5, &slow);
	assert_int_equal(gate(&r, NULL, NULL), 1);
	l = row(r.out, "migration_ns", "auto");
	assert_non_null(strstr(l, "REGRESSION"));
	assert_non_null(strstr(l, "+50.0%"));
	/* 5 vs 5 fully separated: exact p = 2/252. */
	assert_non_null(strstr(l, "Mann-Whitney U (exact) p=0.007937"));
	/* Equal timings: all tied, p = 1. */
	assert_non_null(strstr(row(r.out, "sync_ns_p50", "auto"), "p=1,"));
	run_free(&r);
}

static void timing_two_repeats_inconclusive(void **state)
{
	const struct runs b = { 2, 1, 1, "manual", NULL };
	const struct runs c = { 2, 1, 1.5, "manual", NULL };
	struct run r;

	(void)state;
	setup_dirs(&b, &c);
	assert_int_equal(gate(&r, NULL, NULL), 0);
	assert_non_null(
		strstr(row(r.out, "migration_ns", "auto"), "inconclusive"));
	assert_non_null(strstr(r.out, "2 and 2 runs"));
	assert_non_null(strstr(r.out, "0 regressions, 8 inconclusive: PASS"));
	run_free(&r);
}

static void rules_allow_20pct(void **state)
{
	const struct runs more = { 5, 1.1, 1, "manual", NULL };
	char rules[128], bad[128];
	struct run r;
	FILE *f;

	(void)state;
	setup_dirs(&same5, &more);
	snprintf(rules, sizeof(rules), "%s/rules", dir);
	f = fopen(rules, "w");
	fputs("# pages_sent may grow a little\n"
	      "\n"
	      "metric = pages_sent; max_increase = 20%  # per strategy\n"
	      "metric = migration_ns ; max_increase=5% ; tolerance = 1000\n",
	      f);
	fclose(f);
	assert_int_equal(gate(&r, "--rules", rules), 0);
	assert_non_null(strstr(row(r.out, "pages_sent", "auto"), " pass "));
	run_free(&r);

	/* Unknown metric or key: exit 2 naming file and line. */
	snprintf(bad, sizeof(bad), "%s/bad", dir);
	f = fopen(bad, "w");
	fputs("metric = pages_sent; max_increase = 5%\n"
	      "metric = pages; max_increase = 5%\n",
	      f);
	fclose(f);
	assert_int_equal(gate(&r, "--rules", bad), 2);
	assert_int_equal(count_lines(r.err), 1);
	assert_non_null(strstr(r.err, "dirtyscope: gate: "));
	assert_non_null(strstr(r.err, "/bad:2: unknown metric 'pages'"));
	run_free(&r);
	f = fopen(bad, "w");
	fputs("# x\nmetric = pages_sent; max_rise = 5%\n", f);
	fclose(f);
	assert_int_equal(gate(&r, "--rules", bad), 2);
	assert_non_null(strstr(r.err, "/bad:2: unknown key 'max_rise'"));
	run_free(&r);
}

static void bad_input_exits_2(void **state)
{
	const struct runs broken = { 5, 1, 1, "manual", "abc" };
	char want[256], path[128];
	struct run r;
	FILE *f;

	(void)state;
	setup_dirs(&same5, &broken);
	assert_int_equal(gate(&r, NULL, NULL), 2);
	/* Run 2 is on line 3 (header, run 1). */
	snprintf(want, sizeof(want),
		 "dirtyscope: gate: %s/runs.csv:3: column 'pages_sent': 'abc' "
		 "is not a number\n",
		 cur);
	assert_string_equal(r.err, want);
	assert_string_equal(r.out, "");
	run_free(&r);

	/* Truncated: the last line lost its end. */
	setup_dirs(&same5, &same5);
	snprintf(path, sizeof(path), "%s/runs.csv", cur);
	f = fopen(path, "a");
	fputs("11,auto,mock,6710", f);
	fclose(f);
	assert_int_equal(gate(&r, NULL, NULL), 2);
	snprintf(want, sizeof(want),
		 "dirtyscope: gate: %s/runs.csv:12: last line has no line "
		 "break (truncated file?)\n",
		 cur);
	assert_string_equal(r.err, want);
	run_free(&r);

	/* Missing folder. */
	snprintf(path, sizeof(path), "%s/nothing", dir);
	{
		const char *argv[] = {
			dirtyscope_bin(), "gate", "--baseline", base,
			"--current",	  path,	  NULL
		};

		assert_int_equal(run_sync(&r, RUN_AS_ROOT, argv, 60), 2);
		assert_non_null(strstr(r.err, "gate: current folder '"));
		assert_non_null(strstr(r.err, "No such file or directory"));
		assert_int_equal(count_lines(r.err), 1);
		run_free(&r);
	}

	/* A missing column. */
	setup_dirs(&same5, &same5);
	snprintf(path, sizeof(path), "%s/runs.csv", base);
	f = fopen(path, "w");
	fputs("run,strategy,point\n1,auto,0\n", f);
	fclose(f);
	assert_int_equal(gate(&r, NULL, NULL), 2);
	snprintf(want, sizeof(want),
		 "dirtyscope: gate: %s/runs.csv: no column of gate's metrics "
		 "(not a bench runs.csv?)\n",
		 base);
	assert_string_equal(r.err, want);
	run_free(&r);
}

/* Drop the named columns from d/runs.csv, as an older bench wrote it. */
static void drop_columns(const char *d, const char *cols)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd),
		 PYTHON3
		 " -c 'import csv,sys\n"
		 "p=sys.argv[1]; drop=sys.argv[2].split(\",\")\n"
		 "rows=list(csv.reader(open(p)))\n"
		 "keep=[i for i,c in enumerate(rows[0]) if c not in drop]\n"
		 "w=csv.writer(open(p,\"w\"), lineterminator=\"\\n\")\n"
		 "[w.writerow([r[i] for i in keep]) for r in rows]' "
		 "%s/runs.csv %s",
		 d, cols);
	assert_int_equal(system(cmd), 0);
}

/*
 * A baseline written before columns were appended still gates: a column
 * the reader needs takes its documented default (point: 0), a metric the
 * baseline lacks is said per group ("no column ... in ...", inconclusive)
 * and the rest is compared, so a regression elsewhere still fails.
 */
static void older_baseline_still_gates(void **state)
{
	const struct runs worse = { 5, 1.1, 1, "manual", NULL };
	char want[256];
	struct run r;

	(void)state;
	setup_dirs(&same5, &same5);
	drop_columns(base, "point,migration_ns");
	assert_int_equal(gate(&r, NULL, NULL), 0);
	snprintf(want, sizeof(want), "no column 'migration_ns' in %s/runs.csv",
		 base);
	assert_non_null(strstr(row(r.out, "migration_ns", "auto"), want));
	assert_non_null(strstr(row(r.out, "migration_ns", "manual"), want));
	assert_non_null(
		strstr(row(r.out, "migration_ns", "auto"), "inconclusive"));
	assert_non_null(strstr(row(r.out, "pages_sent", "auto"), "pass"));
	assert_null(strstr(r.out, "@"));
	run_free(&r);

	setup_dirs(&same5, &worse);
	drop_columns(base, "point,migration_ns");
	assert_int_equal(gate(&r, NULL, NULL), 1);
	assert_non_null(strstr(row(r.out, "pages_sent", "auto"), "REGRESSION"));
	assert_non_null(strstr(row(r.out, "migration_ns", "auto"), want));
	run_free(&r);
}

static void junit_is_valid_xml(void **state)
{
	/* A strategy name that needs both CSV quoting and XML escaping. */
	const struct runs b = { 5, 1, 1, "m<&\"'>,x", NULL };
	const struct runs c = { 5, 1.1, 1, "m<&\"'>,x", NULL };
	char junit[128], prog[512];
	const char *py[] = { PYTHON3, "-c", prog, junit, NULL };
	struct run r;

	(void)state;
	setup_dirs(&b, &c);
	snprintf(junit, sizeof(junit), "%s/report.xml", dir);
	assert_int_equal(gate(&r, "--junit", junit), 1);
	run_free(&r);
	snprintf(prog, sizeof(prog),
		 "import sys, xml.etree.ElementTree as E\n"
		 "t = E.parse(sys.argv[1]).getroot()\n"
		 "c = t.findall('.//testcase')\n"
		 "f = [x.get('classname') for x in c if x.find('failure') is "
		 "not None]\n"
		 "print(len(c), len(f), len(t.findall('.//skipped')), "
		 "t.get('failures'), sorted(f))\n");
	assert_int_equal(run_sync(&r, RUN_AS_ROOT, py, 30), 0);
	assert_string_equal(r.out, "22 2 0 2 ['dirtyscope.gate.auto', "
				   "'dirtyscope.gate.m<&\"\\'>,x']\n");
	run_free(&r);

	/* Inconclusive checks are skipped testcases. */
	{
		const struct runs b2 = { 2, 1, 1, "manual", NULL };

		setup_dirs(&b2, &b2);
		assert_int_equal(gate(&r, "--junit", junit), 0);
		run_free(&r);
		assert_int_equal(run_sync(&r, RUN_AS_ROOT, py, 30), 0);
		assert_string_equal(r.out, "22 0 8 0 []\n");
		run_free(&r);
	}
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	snprintf(base, sizeof(base), "%s/base", dir);
	snprintf(cur, sizeof(cur), "%s/cur", dir);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) ? -1 : 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(identical_passes),
		cmocka_unit_test(pages_sent_up_10pct_fails),
		cmocka_unit_test(timing_up_50pct_significant),
		cmocka_unit_test(timing_two_repeats_inconclusive),
		cmocka_unit_test(rules_allow_20pct),
		cmocka_unit_test(bad_input_exits_2),
		cmocka_unit_test(older_baseline_still_gates),
		cmocka_unit_test(junit_is_valid_xml),
	};

	return cmocka_run_group_tests_name("gate_host", tests, setup, teardown);
}
