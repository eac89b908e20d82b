/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dirtyscope gate: compare the runs.csv of a baseline and a current bench
 * folder, metric by metric, per strategy and sweep point, and say whether
 * the current one regressed. Higher is worse for every metric. See
 * docs/gate.md.
 */
#ifndef DIRTYSCOPE_GATE_H
#define DIRTYSCOPE_GATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "csv_read.h"

enum gate_kind {
	GATE_EXACT,  /* deterministic for a seed: means compared */
	GATE_TIMING, /* noisy: threshold and Mann-Whitney U */
};

struct gate_metric {
	const char *name;
	enum gate_kind kind;
};

extern const struct gate_metric gate_metrics[];
extern const size_t gate_nmetrics;

struct gate_rule {
	double max_increase; /* %, relative to the baseline mean */
	double max_decrease; /* %, or < 0: any decrease passes */
	double tolerance;    /* absolute, in the metric's unit */
};

struct gate_config {
	struct gate_rule rule[16]; /* by index in gate_metrics */
	double alpha;		   /* significance level of the U test */
	size_t min_repeats;	   /* per side, for timing metrics */
};

enum gate_verdict {
	GATE_PASS,
	GATE_REGRESSION,
	GATE_INCONCLUSIVE,
};

struct gate_result {
	size_t metric;
	char group[64]; /* strategy, @point if several; as csv_printable */
	size_t nbase, ncur;
	double base, cur; /* means */
	double change;	  /* %, relative; NAN if the baseline mean is 0 */
	enum gate_verdict verdict;
	char detail[160];
};

struct gate_report {
	struct gate_result *res;
	size_t n;
	size_t regressions, inconclusive;
};

void gate_config_default(struct gate_config *c);
/* Apply a rules file to c. 0, or -EINVAL with "FILE:LINE: ..." in err and
 * c unchanged. */
int gate_rules_load(struct gate_config *c, const char *path, char *err,
		    size_t errlen);
/* Same, for rules text (name: the file named in messages). */
int gate_rules_parse(struct gate_config *c, const char *name, const char *text,
		     char *err, size_t errlen);
/* Compare two runs.csv tables. 0, or -EINVAL with a message in err. */
int gate_compare(const struct gate_config *c, const struct csv_table *base,
		 const struct csv_table *cur, struct gate_report *rep,
		 char *err, size_t errlen);
void gate_report_free(struct gate_report *rep);
const char *gate_verdict_name(enum gate_verdict v);
/* The terminal table. */
void gate_print_table(FILE *f, const struct gate_report *rep);
/* JUnit XML: one testcase per metric and group. */
void gate_write_junit(FILE *f, const struct gate_report *rep);
/* s with & < > " ' escaped and control characters other than tab and line
 * breaks replaced by '?', as XML 1.0 allows no others. */
void xml_escape(FILE *f, const char *s);

#endif
