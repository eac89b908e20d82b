// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "gate.h"
#include "mannwhitney.h"

const struct gate_metric gate_metrics[] = {
	{ "pages_sent", GATE_EXACT },
	{ "pages_redundant", GATE_EXACT },
	{ "redundant_pct", GATE_EXACT },
	{ "syncs", GATE_EXACT },
	{ "clear_calls", GATE_EXACT },
	{ "rounds", GATE_EXACT },
	{ "iotlb_invalidations", GATE_EXACT },
	{ "migration_ns", GATE_TIMING },
	{ "downtime_ns", GATE_TIMING },
	{ "sync_ns_p50", GATE_TIMING },
	{ "clear_ns_p50", GATE_TIMING },
};
const size_t gate_nmetrics = sizeof(gate_metrics) / sizeof(gate_metrics[0]);
_Static_assert(sizeof(gate_metrics) / sizeof(gate_metrics[0]) <=
		       sizeof(((struct gate_config *)0)->rule) /
			       sizeof(struct gate_rule),
	       "gate_config.rule too small");

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

void gate_config_default(struct gate_config *c)
{
	size_t i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < gate_nmetrics; i++) {
		c->rule[i].max_increase =
			gate_metrics[i].kind == GATE_TIMING ? 10 : 0;
		c->rule[i].max_decrease = -1;
		c->rule[i].tolerance = 0;
	}
	c->alpha = 0.05;
	c->min_repeats = 3;
}

static int metric_index(const char *name)
{
	size_t i;

	for (i = 0; i < gate_nmetrics; i++)
		if (!strcmp(gate_metrics[i].name, name))
			return (int)i;
	return -1;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* A non-negative number, with a '%' sign when pct. */
static int parse_value(const char *s, bool pct, double *out)
{
	char *end;
	double v;

	if (!*s || isspace((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno || !isfinite(v) || v < 0)
		return -EINVAL;
	end = trim(end);
	if (pct ? strcmp(end, "%") && *end : *end != '\0')
		return -EINVAL;
	*out = v;
	return 0;
}

/* Text of the file as a message quotes it: one line, cut if long. */
static const char *shown(char *buf, size_t len, const char *s)
{
	csv_printable(buf, len, s);
	return buf;
}

/* One rule line (comment already cut off), not blank. */
static int parse_rule(struct gate_config *c, const char *name, size_t line,
		      char *text, char *err, size_t errlen)
{
	struct gate_rule r;
	char *save = NULL, *item, q[64];
	int m = -1;
	bool has_inc = false, has_dec = false, has_tol = false;

	for (item = strtok_r(text, ";", &save); item;
	     item = strtok_r(NULL, ";", &save)) {
		char *eq = strchr(item, '='), *key, *val;
		double v;

		if (!*trim(item))
			continue;
		if (!eq)
			return fail(err, errlen,
				    "%s:%zu: '%s' is not KEY = VALUE", name,
				    line, shown(q, sizeof(q), trim(item)));
		*eq = '\0';
		key = trim(item);
		val = trim(eq + 1);
		if (!strcmp(key, "metric")) {
			m = metric_index(val);
			if (m < 0)
				return fail(err, errlen,
					    "%s:%zu: unknown metric '%s'", name,
					    line, shown(q, sizeof(q), val));
		} else if (!strcmp(key, "max_increase") ||
			   !strcmp(key, "max_decrease")) {
			if (parse_value(val, true, &v))
				return fail(err, errlen,
					    "%s:%zu: %s: '%s' is not a "
					    "percentage",
					    name, line, key,
					    shown(q, sizeof(q), val));
			if (key[4] == 'i') {
				r.max_increase = v;
				has_inc = true;
			} else {
				r.max_decrease = v;
				has_dec = true;
			}
		} else if (!strcmp(key, "tolerance")) {
			if (parse_value(val, false, &v))
				return fail(err, errlen,
					    "%s:%zu: tolerance: '%s' is not a "
					    "number",
					    name, line,
					    shown(q, sizeof(q), val));
			r.tolerance = v;
			has_tol = true;
		} else {
			return fail(err, errlen, "%s:%zu: unknown key '%s'",
				    name, line, shown(q, sizeof(q), key));
		}
	}
	if (m < 0)
		return fail(err, errlen, "%s:%zu: no 'metric = NAME'", name,
			    line);
	if (has_inc)
		c->rule[m].max_increase = r.max_increase;
	if (has_dec)
		c->rule[m].max_decrease = r.max_decrease;
	if (has_tol)
		c->rule[m].tolerance = r.tolerance;
	return 0;
}

int gate_rules_parse(struct gate_config *c, const char *name, const char *text,
		     char *err, size_t errlen)
{
	char *copy = strdup(text), *p, *nl, *hash;
	/* Rules go to a copy: a bad line leaves c as it was. */
	struct gate_config next = *c;
	size_t line = 1;
	int ret = 0;

	if (!copy)
		return fail(err, errlen, "%s: out of memory", name);
	for (p = copy; *p && !ret; p = nl ? nl + 1 : p + strlen(p), line++) {
		nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		hash = strchr(p, '#');
		if (hash)
			*hash = '\0';
		if (*trim(p))
			ret = parse_rule(&next, name, line, p, err, errlen);
		if (!nl)
			break;
	}
	free(copy);
	if (!ret)
		*c = next;
	return ret;
}

int gate_rules_load(struct gate_config *c, const char *path, char *err,
		    size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	size_t len = 0;
	FILE *m;
	int ch, ret;

	if (!f)
		return fail(err, errlen, "%s: %s", path, strerror(errno));
	m = open_memstream(&text, &len);
	if (!m) {
		fclose(f);
		return fail(err, errlen, "%s: out of memory", path);
	}
	while ((ch = fgetc(f)) != EOF)
		fputc(ch, m);
	ret = ferror(f);
	fclose(f);
	fclose(m);
	if (ret)
		ret = fail(err, errlen, "%s: read error", path);
	else if (memchr(text, '\0', len))
		ret = fail(err, errlen, "%s: not a text file", path);
	else
		ret = gate_rules_parse(c, path, text, err, errlen);
	free(text);
	return ret;
}

/* One (strategy, point) group of runs. */
struct group {
	const char *strategy, *point;
	bool in_base, in_cur;
};

struct side {
	const struct csv_table *t;
	int strategy, point;
	int col[16];
};

static int side_init(struct side *s, const struct csv_table *t, char *err,
		     size_t errlen)
{
	size_t i, r;
	double v;

	s->t = t;
	s->strategy = csv_column(t, "strategy", err, errlen);
	if (s->strategy < 0)
		return -EINVAL;
	s->point = csv_column(t, "point", err, errlen);
	if (s->point < 0)
		return -EINVAL;
	for (i = 0; i < gate_nmetrics; i++) {
		s->col[i] = csv_column(t, gate_metrics[i].name, err, errlen);
		if (s->col[i] < 0)
			return -EINVAL;
	}
	if (!t->nrows)
		return fail(err, errlen, "%s: no runs", t->name);
	/* Every value is checked, row by row, before anything is compared. */
	for (r = 0; r < t->nrows; r++)
		for (i = 0; i < gate_nmetrics; i++)
			if (csv_number(t, r, s->col[i], &v, err, errlen) < 0)
				return -EINVAL;
	return 0;
}

static int add_groups(struct group **g, size_t *n, const struct side *s,
		      bool base)
{
	size_t r, i;

	for (r = 0; r < s->t->nrows; r++) {
		const char *st = s->t->rows[r][s->strategy];
		const char *pt = s->t->rows[r][s->point];

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

	for (r = 0; r < s->t->nrows; r++) {
		if (strcmp(s->t->rows[r][s->strategy], g->strategy) ||
		    strcmp(s->t->rows[r][s->point], g->point))
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

			ret = fail(err, errlen,
				   "strategy '%s' point %s is in %s only",
				   shown(st, sizeof(st), g[i].strategy),
				   shown(pt, sizeof(pt), g[i].point),
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
			if (!res->nbase && !res->ncur)
				continue;
			/* Shown like messages: a line per check. */
			if (npoints > 1)
				snprintf(label, sizeof(label), "%s@%s",
					 g[i].strategy, g[i].point);
			else
				snprintf(label, sizeof(label), "%s",
					 g[i].strategy);
			shown(res->group, sizeof(res->group), label);
			judge(c, res, vb, vc);
			rep->regressions += res->verdict == GATE_REGRESSION;
			rep->inconclusive += res->verdict == GATE_INCONCLUSIVE;
			rep->n++;
		}
	}
	ret = 0;
out:
	if (ret == -ENOMEM)
		fail(err, errlen, "out of memory");
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

static void fmt_num(char *buf, size_t len, double v)
{
	if (fabs(v) < 1e15 && v == floor(v))
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, "%.3f", v);
}

static void fmt_change(char *buf, size_t len, const struct gate_result *r)
{
	if (isnan(r->change))
		snprintf(buf, len, "n/a");
	else
		snprintf(buf, len, "%+.1f%%", r->change);
}

void gate_print_table(FILE *f, const struct gate_report *rep)
{
	char b[32], c[32], ch[32];
	size_t i;

	fprintf(f, "%-20s %-10s %16s %16s %9s %-13s %s\n", "METRIC", "STRATEGY",
		"BASELINE", "CURRENT", "CHANGE", "VERDICT", "DETAIL");
	for (i = 0; i < rep->n; i++) {
		const struct gate_result *r = &rep->res[i];

		fmt_num(b, sizeof(b), r->base);
		fmt_num(c, sizeof(c), r->cur);
		fmt_change(ch, sizeof(ch), r);
		fprintf(f, "%-20s %-10s %16s %16s %9s %-13s %s\n",
			gate_metrics[r->metric].name, r->group, b, c, ch,
			gate_verdict_name(r->verdict), r->detail);
	}
	fprintf(f, "%zu checks: %zu regressions, %zu inconclusive: %s\n",
		rep->n, rep->regressions, rep->inconclusive,
		rep->regressions ? "FAIL" : "PASS");
}

void xml_escape(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = *s;

		switch (c) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&apos;", f);
			break;
		default:
			fputc(c < 0x20 && c != '\t' && c != '\n' && c != '\r'
				      ? '?'
				      : c,
			      f);
		}
	}
}

void gate_write_junit(FILE *f, const struct gate_report *rep)
{
	char b[32], c[32], ch[32], what[160];
	size_t i;

	fprintf(f,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<testsuites name=\"dirtyscope gate\" tests=\"%zu\" "
		"failures=\"%zu\" skipped=\"%zu\">\n"
		"  <testsuite name=\"dirtyscope gate\" tests=\"%zu\" "
		"failures=\"%zu\" errors=\"0\" skipped=\"%zu\">\n",
		rep->n, rep->regressions, rep->inconclusive, rep->n,
		rep->regressions, rep->inconclusive);
	for (i = 0; i < rep->n; i++) {
		const struct gate_result *r = &rep->res[i];

		fmt_num(b, sizeof(b), r->base);
		fmt_num(c, sizeof(c), r->cur);
		fmt_change(ch, sizeof(ch), r);
		snprintf(what, sizeof(what),
			 "baseline %s (%zu runs), current %s (%zu runs), "
			 "change %s",
			 b, r->nbase, c, r->ncur, ch);
		fputs("    <testcase classname=\"dirtyscope.gate.", f);
		xml_escape(f, r->group);
		fputs("\" name=\"", f);
		xml_escape(f, gate_metrics[r->metric].name);
		fputs("\">\n", f);
		if (r->verdict == GATE_REGRESSION) {
			fputs("      <failure type=\"regression\" message=\"",
			      f);
			xml_escape(f, r->detail);
			fputs("\">", f);
			xml_escape(f, what);
			fputs("</failure>\n", f);
		} else if (r->verdict == GATE_INCONCLUSIVE) {
			fputs("      <skipped message=\"", f);
			xml_escape(f, r->detail);
			fputs("\"/>\n", f);
		}
		fputs("      <system-out>", f);
		xml_escape(f, what);
		fputs("</system-out>\n    </testcase>\n", f);
	}
	fputs("  </testsuite>\n</testsuites>\n", f);
}
