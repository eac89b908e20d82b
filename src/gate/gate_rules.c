// SPDX-License-Identifier: GPL-2.0
/* gate's metrics, its default thresholds and the rules file (docs/gate.md). */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "errmsg.h"
#include "gate.h"

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
			return err_msg(err, errlen,
				       "%s:%zu: '%s' is not KEY = VALUE", name,
				       line,
				       csv_printable(q, sizeof(q), trim(item)));
		*eq = '\0';
		key = trim(item);
		val = trim(eq + 1);
		if (!strcmp(key, "metric")) {
			m = metric_index(val);
			if (m < 0)
				return err_msg(
					err, errlen,
					"%s:%zu: unknown metric '%s'", name,
					line, csv_printable(q, sizeof(q), val));
		} else if (!strcmp(key, "max_increase") ||
			   !strcmp(key, "max_decrease")) {
			if (parse_value(val, true, &v))
				return err_msg(
					err, errlen,
					"%s:%zu: %s: '%s' is not a "
					"percentage",
					name, line, key,
					csv_printable(q, sizeof(q), val));
			if (key[4] == 'i') {
				r.max_increase = v;
				has_inc = true;
			} else {
				r.max_decrease = v;
				has_dec = true;
			}
		} else if (!strcmp(key, "tolerance")) {
			if (parse_value(val, false, &v))
				return err_msg(
					err, errlen,
					"%s:%zu: tolerance: '%s' is not a "
					"number",
					name, line,
					csv_printable(q, sizeof(q), val));
			r.tolerance = v;
			has_tol = true;
		} else {
			return err_msg(err, errlen, "%s:%zu: unknown key '%s'",
				       name, line,
				       csv_printable(q, sizeof(q), key));
		}
	}
	if (m < 0)
		return err_msg(err, errlen, "%s:%zu: no 'metric = NAME'", name,
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
		return err_msg(err, errlen, "%s: out of memory", name);
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
		return err_msg(err, errlen, "%s: %s", path, strerror(errno));
	m = open_memstream(&text, &len);
	if (!m) {
		fclose(f);
		return err_msg(err, errlen, "%s: out of memory", path);
	}
	while ((ch = fgetc(f)) != EOF)
		fputc(ch, m);
	ret = ferror(f);
	fclose(f);
	fclose(m);
	if (ret)
		ret = err_msg(err, errlen, "%s: read error", path);
	else if (memchr(text, '\0', len))
		ret = err_msg(err, errlen, "%s: not a text file", path);
	else
		ret = gate_rules_parse(c, path, text, err, errlen);
	free(text);
	return ret;
}
