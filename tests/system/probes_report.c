// SPDX-License-Identifier: GPL-2.0
/*
 * The table `dirtyscope probes` prints, as test_probes.c reads it: run the
 * command, parse and check the layout of its three sections, and compare
 * one line with what the test expects.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "probes_report.h"

/*
 * Parse the table: a header line per section ("PROBES  STATUS  DETAIL"),
 * then "name  status  detail" lines, a blank line between sections. Also
 * checks the layout: at most 110 columns, STATUS and DETAIL columns
 * aligned on every line.
 */
void parse_table(const char *out, struct report *rep)
{
	const char *line = out, *nl;
	char sec[256] = "";
	int status_col = -1, detail_col = -1;

	rep->n = 0;
	for (; *line; line = nl + 1) {
		char buf[256], *p, *name, *status, *detail;
		struct row *r;

		nl = strchr(line, '\n');
		assert_non_null(nl);
		assert_true(nl - line <= 110);
		assert_true((size_t)(nl - line) < sizeof(buf));
		memcpy(buf, line, nl - line);
		buf[nl - line] = '\0';
		if (!buf[0])
			continue;
		name = buf;
		p = strchr(buf, ' ');
		assert_non_null(p);
		*p++ = '\0';
		while (*p == ' ')
			p++;
		status = p;
		p = strchr(p, ' ');
		assert_non_null(p);
		*p++ = '\0';
		while (*p == ' ')
			p++;
		detail = p;
		/* Every line has the same column offsets. */
		if (status_col < 0) {
			status_col = status - buf;
			detail_col = detail - buf;
		}
		assert_int_equal(status - buf, status_col);
		if (*detail)
			assert_int_equal(detail - buf, detail_col);
		if (!strcmp(status, "STATUS")) {
			assert_string_equal(detail, "DETAIL");
			snprintf(sec, sizeof(sec), "%s", name);
			for (p = sec; *p; p++)
				*p = *p - 'A' + 'a';
			continue;
		}
		assert_true(sec[0]);
		assert_true(rep->n < MAX_ROWS);
		r = &rep->rows[rep->n++];
		snprintf(r->sec, sizeof(r->sec), "%s", sec);
		snprintf(r->name, sizeof(r->name), "%s", name);
		snprintf(r->status, sizeof(r->status), "%s", status);
		snprintf(r->detail, sizeof(r->detail), "%s", detail);
	}
}

static const struct row *find(const struct report *rep, const char *sec,
			      const char *name)
{
	const struct row *found = NULL;

	for (size_t i = 0; i < rep->n; i++) {
		if (strcmp(rep->rows[i].sec, sec) ||
		    strcmp(rep->rows[i].name, name))
			continue;
		assert_null(found); /* one line per item */
		found = &rep->rows[i];
	}
	if (!found)
		fail_msg("no %s line for %s", sec, name);
	return found;
}

void expect(const struct report *rep, const char *sec, const char *name,
	    const char *status, const char *detail)
{
	const struct row *r = find(rep, sec, name);

	if (strcmp(r->status, status))
		fail_msg("%s %s: status '%s', expected '%s' (%s)", sec, name,
			 r->status, status, r->detail);
	if (detail && strcmp(r->detail, detail))
		fail_msg("%s %s: detail '%s', expected '%s'", sec, name,
			 r->detail, detail);
}

void run_probes(struct report *rep, enum run_as as)
{
	const char *argv[] = { dirtyscope_bin(), "probes", NULL };
	struct run r;

	assert_int_equal(run_sync(&r, as, argv, 120), 0);
	assert_string_equal(r.err, "");
	parse_table(r.out, rep);
	run_free(&r);
}
