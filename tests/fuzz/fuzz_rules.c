// SPDX-License-Identifier: GPL-2.0
/*
 * gate_rules_parse on the input as a rules file, applied to the defaults.
 * What it accepts is in the documented ranges, touches only the metrics it
 * names, and written back out as canonical rules parses to the same
 * config. An error is one line, "NAME:LINE: ...", for the first bad line:
 * the lines before it parse, and it alone fails with the same message;
 * the config is left as it was.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include "fuzz.h"
#include "gate.h"

#define NAME "fz/rules.txt"

static int same_config(const struct gate_config *a, const struct gate_config *b)
{
	size_t i;

	/* Doubles compared with ==: exactly the same, not close. */
	for (i = 0; i < gate_nmetrics; i++)
		if (a->rule[i].max_increase != b->rule[i].max_increase ||
		    a->rule[i].max_decrease != b->rule[i].max_decrease ||
		    a->rule[i].tolerance != b->rule[i].tolerance)
			return 0;
	return a->alpha == b->alpha && a->min_repeats == b->min_repeats;
}

static int parse(struct gate_config *c, const char *text, char *err)
{
	gate_config_default(c);
	return gate_rules_parse(c, NAME, text, err, 512);
}

/* Every metric's rule, each value exact (%.17g reads back the same). */
static char *canonical(const struct gate_config *c)
{
	char *text;
	size_t len, i;
	FILE *f = open_memstream(&text, &len);

	CHECK(f);
	for (i = 0; i < gate_nmetrics; i++) {
		const struct gate_rule *r = &c->rule[i];

		fprintf(f, "metric = %s; max_increase = %.17g%%; tolerance = %.17g",
			gate_metrics[i].name, r->max_increase, r->tolerance);
		/* Not given: any decrease passes (the default, -1). */
		if (r->max_decrease >= 0)
			fprintf(f, "; max_decrease = %.17g%%", r->max_decrease);
		fputc('\n', f);
	}
	CHECK(!fclose(f));
	return text;
}

static void check_ranges(const struct gate_config *c, const char *text)
{
	struct gate_config def;
	size_t i;

	gate_config_default(&def);
	CHECK(c->alpha == def.alpha && c->min_repeats == def.min_repeats);
	for (i = 0; i < gate_nmetrics; i++) {
		const struct gate_rule *r = &c->rule[i];

		CHECK(isfinite(r->max_increase) && r->max_increase >= 0);
		CHECK(isfinite(r->tolerance) && r->tolerance >= 0);
		CHECK(r->max_decrease == -1 ||
		      (isfinite(r->max_decrease) && r->max_decrease >= 0));
		/* A metric the text does not name keeps its defaults. */
		if (!strstr(text, gate_metrics[i].name))
			CHECK(!memcmp(r, &def.rule[i], sizeof(*r)));
	}
}

/* An error names the first bad line: the lines before it parse, and that
 * line alone gives the same message. */
static void check_error(const char *text, const char *err)
{
	struct gate_config c;
	char again[512], *copy, *p;
	unsigned long line;
	const char *s;
	size_t start = 0, end, i;

	for (s = err; *s; s++)
		CHECK(!iscntrl((unsigned char)*s));
	CHECK(!strncmp(err, NAME ":", strlen(NAME ":")));
	if (!strcmp(err, NAME ": out of memory"))
		return;
	line = strtoul(err + strlen(NAME ":"), &p, 10);
	CHECK(line >= 1 && !strncmp(p, ": ", 2));
	for (i = 1; i < line; i++) {
		s = strchr(text + start, '\n');
		CHECK(s);
		start = s - text + 1;
	}
	s = strchr(text + start, '\n');
	end = s ? (size_t)(s - text) : strlen(text);
	copy = strndup(text, start);
	CHECK(copy);
	CHECK(parse(&c, copy, again) == 0);
	free(copy);
	copy = strndup(text + start, end - start);
	CHECK(copy);
	CHECK(parse(&c, copy, again) == -EINVAL);
	/* The same message, but for the line number. */
	p = strchr(again + strlen(NAME ":"), ':');
	CHECK(p && !strcmp(p, strchr(err + strlen(NAME ":"), ':')));
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_string(data, size), *canon, err[512] = "";
	struct gate_config c, def, again;
	int ret;

	gate_config_default(&def);
	c = def;
	ret = gate_rules_parse(&c, NAME, text, err, sizeof(err));
	CHECK(ret == 0 || ret == -EINVAL);
	if (ret) {
		CHECK(same_config(&c, &def));
		check_error(text, err);
		free(text);
		return 0;
	}
	check_ranges(&c, text);
	canon = canonical(&c);
	if (parse(&again, canon, err)) {
		fprintf(stderr, "canonical rules do not parse: %s\n", err);
		CHECK(0);
	}
	CHECK(same_config(&again, &c));
	free(canon);
	free(text);
	return 0;
}
