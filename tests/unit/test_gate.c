// SPDX-License-Identifier: GPL-2.0
/* gate's rules parser, its verdicts on small tables, and XML escaping. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "csv_read.h"
#include "gate.h"

static int metric(const char *name)
{
	size_t i;

	for (i = 0; i < gate_nmetrics; i++)
		if (!strcmp(gate_metrics[i].name, name))
			return (int)i;
	fail_msg("no metric %s", name);
	return -1;
}

static void defaults(void **state)
{
	struct gate_config c;

	(void)state;
	gate_config_default(&c);
	assert_true(c.rule[metric("pages_sent")].max_increase == 0);
	assert_true(c.rule[metric("pages_sent")].tolerance == 0);
	assert_true(c.rule[metric("migration_ns")].max_increase == 10);
	assert_true(c.rule[metric("downtime_ns")].max_decrease < 0);
	assert_true(c.alpha == 0.05);
	assert_int_equal(c.min_repeats, 3);
	assert_int_equal(gate_nmetrics, 11);
}

static void rules(void **state)
{
	struct gate_config c;
	char err[256] = "";

	(void)state;
	gate_config_default(&c);
	assert_int_equal(
		gate_rules_parse(&c, "r",
				 "# comment\n\n  metric = pages_sent ; "
				 "max_increase = 5% # why\n"
				 "metric=syncs;tolerance=2;max_decrease=1.5\n"
				 "metric = sync_ns_p50; max_increase = 20 %\n",
				 err, sizeof(err)),
		0);
	assert_true(c.rule[metric("pages_sent")].max_increase == 5);
	assert_true(c.rule[metric("pages_sent")].tolerance == 0);
	assert_true(c.rule[metric("syncs")].tolerance == 2);
	assert_true(c.rule[metric("syncs")].max_decrease == 1.5);
	assert_true(c.rule[metric("sync_ns_p50")].max_increase == 20);
	/* Untouched keys keep their defaults. */
	assert_true(c.rule[metric("sync_ns_p50")].max_decrease < 0);

	assert_int_equal(
		gate_rules_parse(&c, "r", "\nmetric = foo\n", err, sizeof(err)),
		-EINVAL);
	assert_string_equal(err, "r:2: unknown metric 'foo'");
	assert_int_equal(gate_rules_parse(&c, "r",
					  "metric = rounds; slack = 1\n", err,
					  sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "r:1: unknown key 'slack'");
	assert_int_equal(gate_rules_parse(&c, "r", "max_increase = 1%\n", err,
					  sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "r:1: no 'metric = NAME'");
	assert_int_equal(gate_rules_parse(&c, "r",
					  "metric = rounds; max_increase = "
					  "-1%\n",
					  err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err,
			    "r:1: max_increase: '-1%' is not a percentage");
	assert_int_equal(gate_rules_parse(&c, "r",
					  "metric = rounds; tolerance = 2%\n",
					  err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "r:1: tolerance: '2%' is not a number");
	assert_int_equal(
		gate_rules_parse(&c, "r", "metric rounds\n", err, sizeof(err)),
		-EINVAL);
	assert_string_equal(err, "r:1: 'metric rounds' is not KEY = VALUE");
	/* Text quoted from the file keeps the message on one line. */
	assert_int_equal(gate_rules_parse(&c, "r", "metric = pages\rsent\n",
					  err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "r:1: unknown metric 'pages?sent'");
	assert_int_equal(
		gate_rules_parse(&c, "r", "\x1b[2J = 1\n", err, sizeof(err)),
		-EINVAL);
	assert_string_equal(err, "r:1: unknown key '?[2J'");
}

/* A bad line anywhere: none of the file applies, not the lines above it. */
static void rules_all_or_nothing(void **state)
{
	struct gate_config c, before;
	char err[256] = "";

	(void)state;
	gate_config_default(&c);
	before = c;
	assert_int_equal(gate_rules_parse(&c, "r",
					  "metric = syncs; max_increase = 5%\n"
					  "metric = pages; tolerance = 1\n",
					  err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "r:2: unknown metric 'pages'");
	assert_memory_equal(&c, &before, sizeof(c));
}

/* A runs.csv with the columns gate reads: strategy, point, the metrics. */
static void table(struct csv_table *t, const char *name, const double *sent,
		  const double *mig, size_t n)
{
	char *text = NULL, err[256];
	size_t len = 0, i;
	FILE *f = open_memstream(&text, &len);

	fputs("strategy,point,pages_sent,pages_redundant,redundant_pct,syncs,"
	      "clear_calls,rounds,iotlb_invalidations,migration_ns,"
	      "downtime_ns,sync_ns_p50,clear_ns_p50\n",
	      f);
	for (i = 0; i < n; i++)
		fprintf(f, "auto,0,%g,1,1,1,1,1,,%g,1,1,1\n", sent[i], mig[i]);
	fclose(f);
	assert_int_equal(csv_parse(t, name, text, len, err, sizeof(err)), 0);
	free(text);
}

static const struct gate_result *find(const struct gate_report *r,
				      const char *name)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (!strcmp(gate_metrics[r->res[i].metric].name, name))
			return &r->res[i];
	return NULL;
}

static void verdicts(void **state)
{
	const double s0[] = { 100, 100, 100, 100 },
		     s1[] = { 102, 102, 102, 102 };
	const double m0[] = { 100, 101, 102, 103 },
		     m1[] = { 200, 201, 202, 203 };
	const double m2[] = { 90, 91, 92, 93 };
	struct csv_table b, c;
	struct gate_config cfg;
	struct gate_report rep;
	char err[256];

	(void)state;
	gate_config_default(&cfg);
	table(&b, "b", s0, m0, 4);
	table(&c, "c", s1, m1, 4);
	assert_int_equal(gate_compare(&cfg, &b, &c, &rep, err, sizeof(err)), 0);
	/* iotlb_invalidations is empty on both sides: not checked. */
	assert_int_equal(rep.n, 10);
	assert_null(find(&rep, "iotlb_invalidations"));
	assert_int_equal(find(&rep, "pages_sent")->verdict, GATE_REGRESSION);
	assert_true(fabs(find(&rep, "pages_sent")->change - 2) < 1e-9);
	/* 4 vs 4 separated: exact p = 2/70 < 0.05, +100 %. */
	assert_int_equal(find(&rep, "migration_ns")->verdict, GATE_REGRESSION);
	assert_non_null(strstr(find(&rep, "migration_ns")->detail,
			       "Mann-Whitney U (exact) p=0.02857"));
	assert_int_equal(rep.regressions, 2);
	gate_report_free(&rep);

	/* tolerance 2 absorbs +2 pages; a faster current run passes unless
	 * max_decrease is set. */
	assert_int_equal(gate_rules_parse(&cfg, "r",
					  "metric = pages_sent; tolerance = 2\n"
					  "metric = migration_ns; "
					  "max_increase = 150%\n",
					  err, sizeof(err)),
			 0);
	assert_int_equal(gate_compare(&cfg, &b, &c, &rep, err, sizeof(err)), 0);
	assert_int_equal(rep.regressions, 0);
	gate_report_free(&rep);
	csv_table_free(&c);
	table(&c, "c", s0, m2, 4);
	assert_int_equal(gate_compare(&cfg, &b, &c, &rep, err, sizeof(err)), 0);
	assert_int_equal(rep.regressions, 0);
	gate_report_free(&rep);
	assert_int_equal(gate_rules_parse(&cfg, "r",
					  "metric = migration_ns; "
					  "max_decrease = 5%\n",
					  err, sizeof(err)),
			 0);
	assert_int_equal(gate_compare(&cfg, &b, &c, &rep, err, sizeof(err)), 0);
	assert_int_equal(find(&rep, "migration_ns")->verdict, GATE_REGRESSION);
	gate_report_free(&rep);
	csv_table_free(&b);
	csv_table_free(&c);
}

static void groups_must_match(void **state)
{
	const char *a = "strategy,point,pages_sent,pages_redundant,"
			"redundant_pct,syncs,clear_calls,rounds,"
			"iotlb_invalidations,migration_ns,downtime_ns,"
			"sync_ns_p50,clear_ns_p50\n"
			"auto,0,1,1,1,1,1,1,1,1,1,1,1\n";
	char text[512], err[256];
	struct csv_table b, c;
	struct gate_config cfg;
	struct gate_report rep;

	(void)state;
	gate_config_default(&cfg);
	snprintf(text, sizeof(text), "%smanual,0,1,1,1,1,1,1,1,1,1,1,1\n", a);
	assert_int_equal(csv_parse(&b, "b", a, strlen(a), err, sizeof(err)), 0);
	assert_int_equal(
		csv_parse(&c, "c", text, strlen(text), err, sizeof(err)), 0);
	assert_int_equal(gate_compare(&cfg, &b, &c, &rep, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "strategy 'manual' point 0 is in c only");
	csv_table_free(&c);
	/* A line break in a quoted strategy: one line still, in the message
	 * and in the table. */
	snprintf(text, sizeof(text), "%s\"man\nual\",0,1,1,1,1,1,1,1,1,1,1,1\n",
		 a);
	assert_int_equal(
		csv_parse(&c, "c", text, strlen(text), err, sizeof(err)), 0);
	assert_int_equal(gate_compare(&cfg, &b, &c, &rep, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "strategy 'man?ual' point 0 is in c only");
	assert_int_equal(gate_compare(&cfg, &c, &c, &rep, err, sizeof(err)), 0);
	assert_int_equal(rep.n, 2 * gate_nmetrics);
	assert_string_equal(rep.res[1].group, "man?ual");
	gate_report_free(&rep);
	csv_table_free(&b);
	csv_table_free(&c);
}

static void escaping(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	xml_escape(f, "a<b>&\"c'\x01\td");
	fclose(f);
	assert_string_equal(buf, "a&lt;b&gt;&amp;&quot;c&apos;?\td");
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults),
		cmocka_unit_test(rules),
		cmocka_unit_test(rules_all_or_nothing),
		cmocka_unit_test(verdicts),
		cmocka_unit_test(groups_must_match),
		cmocka_unit_test(escaping),
	};

	return cmocka_run_group_tests_name("gate", tests, NULL, NULL);
}
