// SPDX-License-Identifier: GPL-2.0
/*
 * gate_compare on two runs.csv texts, the input split at its first NUL
 * (without one, the text is compared with itself), under the default
 * rules. It fails exactly when a side lacks the strategy column or every
 * metric column, has no runs or a value that is not a number, or the two
 * sides' (strategy, point) groups differ; then with one line. A side
 * without a point column has every run at point 0. Otherwise every metric
 * of every group with a value on either side, or whose column a side
 * lacks (inconclusive), gets exactly one verdict, in order, with the
 * counts of values it saw; the totals, the table's last line (gate's exit
 * status) and the JUnit XML agree with the verdicts; a decrease never
 * fails, and a table compared with itself never regresses.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include "csv_read.h"
#include "fuzz.h"
#include "gate.h"

#define BASE "fz/base/runs.csv"
#define CUR  "fz/cur/runs.csv"

/* The columns gate needs (strategy and one metric at least), or false;
 * an absent point or metric column is -1. */
static bool model_columns(const struct csv_table *t, int *st, int *pt, int *col)
{
	bool any = false;
	size_t m;

	*st = csv_column(t, "strategy", NULL, 0);
	*pt = csv_column(t, "point", NULL, 0);
	for (m = 0; m < gate_nmetrics; m++) {
		col[m] = csv_column(t, gate_metrics[m].name, NULL, 0);
		any |= col[m] >= 0;
	}
	return *st >= 0 && any;
}

/* Row r's point: "0" in a file older than the column. */
static const char *point_at(const struct csv_table *t, size_t r, int pt)
{
	return pt < 0 ? "0" : t->rows[r][pt];
}

/* Columns, runs, and every metric value a number or empty. */
static bool model_valid(const struct csv_table *t, int *st, int *pt, int *col)
{
	size_t r, m;
	double v;

	if (!model_columns(t, st, pt, col) || !t->nrows)
		return false;
	for (r = 0; r < t->nrows; r++)
		for (m = 0; m < gate_nmetrics; m++)
			if (col[m] >= 0 &&
			    csv_number(t, r, col[m], &v, NULL, 0) < 0)
				return false;
	return true;
}

static bool in_group(const struct csv_table *t, size_t r, int st, int pt,
		     const char *strategy, const char *point)
{
	return !strcmp(t->rows[r][st], strategy) &&
	       !strcmp(point_at(t, r, pt), point);
}

/* Is row r's group among a's rows? */
static bool has_group(const struct csv_table *a, int ast, int apt,
		      const struct csv_table *b, size_t r, int bst, int bpt)
{
	size_t i;

	for (i = 0; i < a->nrows; i++)
		if (in_group(a, i, ast, apt, b->rows[r][bst],
			     point_at(b, r, bpt)))
			return true;
	return false;
}

/* Values of metric column col in the group. */
static size_t count_values(const struct csv_table *t, int st, int pt, int col,
			   const char *strategy, const char *point)
{
	size_t r, n = 0;
	double v;

	if (col < 0)
		return 0;
	for (r = 0; r < t->nrows; r++)
		n += in_group(t, r, st, pt, strategy, point) &&
		     csv_number(t, r, col, &v, NULL, 0) == 0;
	return n;
}

static size_t count_str(const char *s, const char *what)
{
	size_t n = 0;

	while ((s = strstr(s, what))) {
		n++;
		s++;
	}
	return n;
}

/* The table and the JUnit XML say what the verdicts say. */
static void check_output(const struct gate_report *rep)
{
	size_t len, i, lines = 0;
	char *out, want[128];
	const char *last;
	FILE *f = open_memstream(&out, &len);

	CHECK(f);
	gate_print_table(f, rep);
	CHECK(!fclose(f));
	for (i = 0; i < len; i++)
		lines += out[i] == '\n';
	/* Header, one line per check, the summary. */
	CHECK(lines == rep->n + 2);
	CHECK(len && out[len - 1] == '\n');
	out[len - 1] = '\0';
	last = strrchr(out, '\n') + 1;
	snprintf(want, sizeof(want),
		 "%zu checks: %zu regressions, %zu "
		 "inconclusive: %s",
		 rep->n, rep->regressions, rep->inconclusive,
		 rep->regressions ? "FAIL" : "PASS");
	CHECK(!strcmp(last, want));
	free(out);

	f = open_memstream(&out, &len);
	CHECK(f);
	gate_write_junit(f, rep);
	CHECK(!fclose(f));
	CHECK(strlen(out) == len);
	for (i = 0; i < len; i++)
		CHECK(!iscntrl((unsigned char)out[i]) || out[i] == '\n');
	CHECK(count_str(out, "<testcase ") == rep->n);
	CHECK(count_str(out, "<failure ") == rep->regressions);
	CHECK(count_str(out, "<skipped ") == rep->inconclusive);
	free(out);
}

static void check_report(const struct csv_table *b, const struct csv_table *c,
			 const struct gate_report *rep, int bst, int bpt,
			 const int *bcol, int cst, int cpt, const int *ccol)
{
	size_t m, r, i, k = 0, nreg = 0, ninc = 0;
	bool points = false;
	char label[160], shown[64];

	for (r = 1; r < b->nrows; r++)
		points |= !!strcmp(point_at(b, r, bpt), point_at(b, 0, bpt));
	/* Metric by metric, each group in the order of its first run. */
	for (m = 0; m < gate_nmetrics; m++) {
		for (r = 0; r < b->nrows; r++) {
			const char *st = b->rows[r][bst];
			const char *pt = point_at(b, r, bpt);
			const struct gate_result *res;
			size_t nb, nc;

			for (i = 0; i < r && !in_group(b, i, bst, bpt, st, pt);
			     i++)
				;
			if (i < r)
				continue;
			nb = count_values(b, bst, bpt, bcol[m], st, pt);
			nc = count_values(c, cst, cpt, ccol[m], st, pt);
			if (!nb && !nc && bcol[m] >= 0 && ccol[m] >= 0)
				continue;
			CHECK(k < rep->n);
			res = &rep->res[k++];
			CHECK(res->metric == m && res->nbase == nb &&
			      res->ncur == nc);
			if (points)
				snprintf(label, sizeof(label), "%s@%s", st, pt);
			else
				snprintf(label, sizeof(label), "%s", st);
			csv_printable(shown, sizeof(shown), label);
			CHECK(!strcmp(res->group, shown));
			CHECK(res->verdict == GATE_PASS ||
			      res->verdict == GATE_REGRESSION ||
			      res->verdict == GATE_INCONCLUSIVE);
			nreg += res->verdict == GATE_REGRESSION;
			ninc += res->verdict == GATE_INCONCLUSIVE;
			/* Inconclusive: no values on a side, or a timing
			 * with fewer runs than the U test needs. */
			CHECK((res->verdict == GATE_INCONCLUSIVE) ==
			      (!nb || !nc ||
			       (gate_metrics[m].kind == GATE_TIMING &&
				(nb < 3 || nc < 3))));
			/* Defaults: a decrease passes, a count that rose
			 * fails. */
			if (res->verdict == GATE_REGRESSION)
				CHECK(res->cur > res->base);
			if (gate_metrics[m].kind == GATE_EXACT && nb && nc &&
			    res->cur - res->base > 2e-9 * fabs(res->base))
				CHECK(res->verdict == GATE_REGRESSION);
		}
	}
	CHECK(k == rep->n);
	CHECK(rep->regressions == nreg && rep->inconclusive == ninc);
	check_output(rep);
}

static void compare(const struct csv_table *b, const struct csv_table *c)
{
	struct gate_config cfg;
	struct gate_report rep;
	int bst, bpt, cst, cpt, bcol[16], ccol[16];
	bool valid;
	char err[512] = "";
	size_t r;
	int ret;

	gate_config_default(&cfg);
	ret = gate_compare(&cfg, b, c, &rep, err, sizeof(err));
	CHECK(ret == 0 || ret == -EINVAL);
	valid = model_valid(b, &bst, &bpt, bcol) &&
		model_valid(c, &cst, &cpt, ccol);
	for (r = 0; valid && r < b->nrows; r++)
		valid = has_group(c, cst, cpt, b, r, bst, bpt);
	for (r = 0; valid && r < c->nrows; r++)
		valid = has_group(b, bst, bpt, c, r, cst, cpt);
	if (ret) {
		const char *s;

		CHECK(!valid || !strcmp(err, "out of memory"));
		CHECK(!rep.res && !rep.n);
		for (s = err; *s; s++)
			CHECK(!iscntrl((unsigned char)*s));
		CHECK(strstr(err, b->name) || strstr(err, c->name) ||
		      !strcmp(err, "out of memory"));
		return;
	}
	CHECK(valid);
	check_report(b, c, &rep, bst, bpt, bcol, cst, cpt, ccol);
	if (b == c)
		CHECK(rep.regressions == 0);
	gate_report_free(&rep);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	const char *sep = size ? memchr(text, '\0', size) : NULL;
	size_t blen = sep ? (size_t)(sep - text) : size;
	struct csv_table b, c;

	if (csv_parse(&b, BASE, text, blen, NULL, 0))
		return 0;
	if (!sep) {
		compare(&b, &b);
	} else if (!csv_parse(&c, CUR, sep + 1, size - blen - 1, NULL, 0)) {
		compare(&b, &c);
		csv_table_free(&c);
	}
	csv_table_free(&b);
	return 0;
}
