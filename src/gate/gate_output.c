// SPDX-License-Identifier: GPL-2.0
/* gate's verdicts as a terminal table and as JUnit XML. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "gate.h"

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

/* Baseline, current and change of r as shown, each in 32 bytes; a side
 * with no values (a column an older file lacks) is "-". */
static void fmt_sides(const struct gate_result *r, char *b, char *c, char *ch)
{
	if (r->nbase)
		fmt_num(b, 32, r->base);
	else
		snprintf(b, 32, "-");
	if (r->ncur)
		fmt_num(c, 32, r->cur);
	else
		snprintf(c, 32, "-");
	fmt_change(ch, 32, r);
}

void gate_print_table(FILE *f, const struct gate_report *rep)
{
	char b[32], c[32], ch[32];
	size_t i;

	fprintf(f, "%-20s %-10s %16s %16s %9s %-13s %s\n", "METRIC", "STRATEGY",
		"BASELINE", "CURRENT", "CHANGE", "VERDICT", "DETAIL");
	for (i = 0; i < rep->n; i++) {
		const struct gate_result *r = &rep->res[i];

		fmt_sides(r, b, c, ch);
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

		fmt_sides(r, b, c, ch);
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
