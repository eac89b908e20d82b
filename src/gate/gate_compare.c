// SPDX-License-Identifier: GPL-2.0
/* gate's comparison: runs.csv grouped by strategy and point, judged. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "errmsg.h"
#include "gate.h"
#include "mannwhitney.h"

/* One (strategy, point) group of runs. */
struct group {
	const char *strategy, *point;
	bool in_base, in_cur;
};

struct side {
	const struct csv_table *t;
	int strategy;
	int point;   /* -1: no such column, every run at point 0 */
	int col[16]; /* -1: no such column (a file older than the metric) */
};

/* docs/csv.md: a column an older file lacks takes its default. */
static const char *point_of(const struct side *s, size_t row)
{
	return s->point < 0 ? "0" : s->t->rows[row][s->point];
}

static int side_init(struct side *s, const struct csv_table *t, char *err,
		     size_t errlen)
{
	size_t i, r, found;
	double v;

	s->t = t;
	s->strategy = csv_column(t, "strategy", err, errlen);
	if (s->strategy < 0)
		return -EINVAL;
	s->point = csv_column(t, "point", NULL, 0);
	for (i = 0, found = 0; i < gate_nmetrics; i++) {
		s->col[i] = csv_column(t, gate_metrics[i].name, NULL, 0);
		found += s->col[i] >= 0;
	}
	if (!found)
		return err_msg(err, errlen,
			       "%s: no column of gate's metrics (not a bench "
			       "runs.csv?)",
			       t->name);
	if (!t->nrows)
		return err_msg(err, errlen, "%s: no runs", t->name);
	/* Every value is checked, row by row, before anything is compared. */
	for (r = 0; r < t->nrows; r++)
		for (i = 0; i < gate_nmetrics; i++)
			if (s->col[i] >= 0 &&
			    csv_number(t, r, s->col[i], &v, err, errlen) < 0)
				return -EINVAL;
	return 0;
}

static int add_groups(struct group **g, size_t *n, const struct side *s,
		      bool base)
{
	size_t r, i;

	for (r = 0; r < s->t->nrows; r++) {
		const char *st = s->t->rows[r][s->strategy];
		const char *pt = point_of(s, r);

		for (i = 0; i < *n; i++)
			if (!strcmp((*g)[i].strategy, st) &&
			    !strcmp((*g)[i].point, pt))
				break;
		if (i == *n) {
			struct group *ng = realloc(*g, (*n + 1) * sizeof(**g));

			if (!ng)
				return -ENOMEM;
			*g = ng;
			ng[i] = (struct group){ st, pt, false, false };
			(*n)++;
		}
		if (base)
			(*g)[i].in_base = true;
		else
			(*g)[i].in_cur = true;
	}
	return 0;
}

/* The metric's values in the group's rows; empty fields are skipped. */
static size_t collect(const struct side *s, const struct group *g, size_t m,
		      double *out)
{
	size_t r, n = 0;

	if (s->col[m] < 0)
		return 0;
	for (r = 0; r < s->t->nrows; r++) {
		if (strcmp(s->t->rows[r][s->strategy], g->strategy) ||
		    strcmp(point_of(s, r), g->point))
			continue;
		if (csv_number(s->t, r, s->col[m], &out[n], NULL, 0) == 0)
			n++;
	}
	return n;
}

static double mean(const double *x, size_t n)
{
	double s = 0;
	size_t i;

	for (i = 0; i < n; i++)
		s += x[i];
	return n ? s / n : 0;
}

/* How much worse (or, for a decrease, better) the current mean may be. */
static double allowance(const struct gate_rule *r, double pct, double base)
{
	double rel = fabs(base) * pct / 100;

	return rel > r->tolerance ? rel : r->tolerance;
}

static void judge(const struct gate_config *c, struct gate_result *res,
		  const double *b, const double *k)
{
	const struct gate_metric *gm = &gate_metrics[res->metric];
	const struct gate_rule *r = &c->rule[res->metric];
	double diff, inc_ok, dec_ok, eps;
	bool over, under;
	struct mw_result mw;

	res->base = mean(b, res->nbase);
	res->cur = mean(k, res->ncur);
	diff = res->cur - res->base;
	res->change = res->base ? 100 * diff / fabs(res->base) : diff ? NAN : 0;
	if (!res->nbase || !res->ncur) {
		res->verdict = GATE_INCONCLUSIVE;
		snprintf(res->detail, sizeof(res->detail), "no values in %s",
			 res->nbase ? "current" : "baseline");
		return;
	}
	/* Means of equal integers are equal; this only absorbs rounding. */
	eps = 1e-9 * fabs(res->base);
	inc_ok = allowance(r, r->max_increase, res->base);
	dec_ok = allowance(r, r->max_decrease, res->base);
	over = diff > inc_ok + eps;
	under = r->max_decrease >= 0 && -diff > dec_ok + eps;
	if (gm->kind == GATE_EXACT) {
		res->verdict = over || under ? GATE_REGRESSION : GATE_PASS;
		if (over)
			snprintf(res->detail, sizeof(res->detail),
				 "above max_increase %g%% / tolerance %g",
				 r->max_increase, r->tolerance);
		else if (under)
			snprintf(res->detail, sizeof(res->detail),
				 "below max_decrease %g%% / tolerance %g",
				 r->max_decrease, r->tolerance);
		else
			snprintf(res->detail, sizeof(res->detail),
				 "within max_increase %g%% / tolerance %g",
				 r->max_increase, r->tolerance);
		return;
	}
	if (res->nbase < c->min_repeats || res->ncur < c->min_repeats) {
		res->verdict = GATE_INCONCLUSIVE;
		snprintf(res->detail, sizeof(res->detail),
			 "%zu and %zu runs, Mann-Whitney U needs %zu per side",
			 res->nbase, res->ncur, c->min_repeats);
		return;
	}
	mann_whitney(b, res->nbase, k, res->ncur, &mw);
	res->verdict = (over || under) && mw.p < c->alpha ? GATE_REGRESSION
							  : GATE_PASS;
	snprintf(res->detail, sizeof(res->detail),
		 "Mann-Whitney U (%s) p=%.4g%s", mw_method(&mw), mw.p,
		 !over && !under    ? ", within threshold"
		 : mw.p >= c->alpha ? ", beyond threshold, not significant"
				    : ", beyond threshold, significant");
}

int gate_compare(const struct gate_config *c, const struct csv_table *base,
		 const struct csv_table *cur, struct gate_report *rep,
		 char *err, size_t errlen)
{
	struct side sb, sc;
	struct group *g = NULL;
	size_t ng = 0, i, m, npoints = 0;
	double *vb = NULL, *vc = NULL;
	char label[160];
	int ret = -ENOMEM;

	memset(rep, 0, sizeof(*rep));
	if (side_init(&sb, base, err, errlen) ||
	    side_init(&sc, cur, err, errlen))
		return -EINVAL;
	if (add_groups(&g, &ng, &sb, true) || add_groups(&g, &ng, &sc, false))
		goto out;
	for (i = 0; i < ng; i++) {
		if (!g[i].in_base || !g[i].in_cur) {
			char st[64], pt[64];

			ret = err_msg(
				err, errlen,
				"strategy '%s' point %s is in %s only",
				csv_printable(st, sizeof(st), g[i].strategy),
				csv_printable(pt, sizeof(pt), g[i].point),
				g[i].in_base ? base->name : cur->name);
			goto out;
		}
		if (!i || strcmp(g[i].point, g[0].point))
			npoints++;
	}
	vb = malloc(base->nrows * sizeof(*vb));
	vc = malloc(cur->nrows * sizeof(*vc));
	rep->res = calloc(ng * gate_nmetrics, sizeof(*rep->res));
	if (!vb || !vc || !rep->res)
		goto out;
	for (m = 0; m < gate_nmetrics; m++) {
		for (i = 0; i < ng; i++) {
			struct gate_result *res = &rep->res[rep->n];

			res->metric = m;
			res->nbase = collect(&sb, &g[i], m, vb);
			res->ncur = collect(&sc, &g[i], m, vc);
			/* A column empty on both sides (no profiler, real
			 * hardware) has nothing to compare. */
			if (!res->nbase && !res->ncur && sb.col[m] >= 0 &&
			    sc.col[m] >= 0)
				continue;
			/* Shown like messages: a line per check. */
			if (npoints > 1)
				snprintf(label, sizeof(label), "%s@%s",
					 g[i].strategy, g[i].point);
			else
				snprintf(label, sizeof(label), "%s",
					 g[i].strategy);
			csv_printable(res->group, sizeof(res->group), label);
			if (sb.col[m] < 0 || sc.col[m] < 0) {
				/* Said, not failed: the rest is compared. */
				res->verdict = GATE_INCONCLUSIVE;
				res->base = mean(vb, res->nbase);
				res->cur = mean(vc, res->ncur);
				res->change = NAN;
				snprintf(res->detail, sizeof(res->detail),
					 "no column '%s' in %.100s",
					 gate_metrics[m].name,
					 sb.col[m] < 0 ? base->name
						       : cur->name);
			} else {
				judge(c, res, vb, vc);
			}
			rep->regressions += res->verdict == GATE_REGRESSION;
			rep->inconclusive += res->verdict == GATE_INCONCLUSIVE;
			rep->n++;
		}
	}
	ret = 0;
out:
	if (ret == -ENOMEM)
		err_msg(err, errlen, "out of memory");
	if (ret)
		gate_report_free(rep);
	free(g);
	free(vb);
	free(vc);
	return ret;
}

void gate_report_free(struct gate_report *rep)
{
	free(rep->res);
	memset(rep, 0, sizeof(*rep));
}

const char *gate_verdict_name(enum gate_verdict v)
{
	switch (v) {
	case GATE_PASS:
		return "pass";
	case GATE_REGRESSION:
		return "REGRESSION";
	default:
		return "inconclusive";
	}
}
