// SPDX-License-Identifier: GPL-2.0
/*
 * csv_parse, csv_column and csv_number on the input as a file. A table it
 * accepts has ncols fields in every row and rows on the lines they start
 * on; written back out with csv_field (the writer bench uses) it parses to
 * the identical table. csv_number agrees with a model of a decimal number.
 * Every error is one line naming the file, and leaves nothing to free.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include "csv_read.h"
#include "fuzz.h"
#include "outfile.h"

#define NAME "fz/runs.csv"

/* One line that names the file: what every message must be. Nothing
 * from the file may break it up or drive the terminal either. */
static void check_message(const char *err)
{
	CHECK(!strncmp(err, NAME ":", strlen(NAME ":")));
	for (; *err; err++)
		CHECK(!iscntrl((unsigned char)*err));
}

static size_t count_lf(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* [+-]? (D+ (. D*)? | . D+) ([eE] [+-]? D+)?, the whole string. */
static bool model_decimal(const char *s)
{
	bool digits = false;

	if (*s == '+' || *s == '-')
		s++;
	for (; isdigit((unsigned char)*s); s++)
		digits = true;
	if (*s == '.')
		for (s++; isdigit((unsigned char)*s); s++)
			digits = true;
	if (!digits)
		return false;
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (!isdigit((unsigned char)*s))
			return false;
		while (isdigit((unsigned char)*s))
			s++;
	}
	return !*s;
}

static void check_number(const struct csv_table *t, size_t r, int c)
{
	const char *s = t->rows[r][c];
	char err[512], want[64];
	double v = 42, again = 42;
	int ret = csv_number(t, r, c, &v, err, sizeof(err));

	/* Messages are optional: no buffer, the same answer. */
	CHECK(csv_number(t, r, c, &again, NULL, 0) == ret);
	if (ret == 1) {
		CHECK(!*s && v == 42);
		return;
	}
	if (ret == 0) {
		CHECK(model_decimal(s) && isfinite(v) && v == again);
		return;
	}
	CHECK(ret == -EINVAL && *s && v == 42);
	/* A well-formed decimal is refused only out of double's range. */
	if (model_decimal(s)) {
		errno = 0;
		strtod(s, NULL);
		CHECK(errno == ERANGE);
	}
	check_message(err);
	snprintf(want, sizeof(want), NAME ":%zu: column '", t->lines[r]);
	CHECK(!strncmp(err, want, strlen(want)));
}

/* Header and rows, each field as csv_field writes it. */
static char *write_table(const struct csv_table *t, size_t *len)
{
	char *text;
	FILE *f = open_memstream(&text, len);
	size_t r, c;

	CHECK(f);
	for (c = 0; c < t->ncols; c++) {
		fputs(c ? "," : "", f);
		csv_field(f, t->header[c]);
	}
	fputc('\n', f);
	for (r = 0; r < t->nrows; r++) {
		for (c = 0; c < t->ncols; c++) {
			fputs(c ? "," : "", f);
			csv_field(f, t->rows[r][c]);
		}
		fputc('\n', f);
	}
	CHECK(!fclose(f));
	return text;
}

static void check_same(const struct csv_table *a, const struct csv_table *b)
{
	size_t r, c;

	CHECK(a->ncols == b->ncols && a->nrows == b->nrows);
	for (c = 0; c < a->ncols; c++)
		CHECK(!strcmp(a->header[c], b->header[c]));
	for (r = 0; r < a->nrows; r++) {
		CHECK(a->lines[r] == b->lines[r]);
		for (c = 0; c < a->ncols; c++)
			CHECK(!strcmp(a->rows[r][c], b->rows[r][c]));
	}
}

static void check_table(const struct csv_table *t, const uint8_t *data,
			size_t size)
{
	size_t r, c, line, lf = 0;
	char err[512];

	CHECK(t->ncols >= 1 && t->header);
	for (r = 0; r < size; r++)
		lf += data[r] == '\n';
	/* Each record takes its line break and those inside its fields. */
	line = 1;
	for (c = 0; c < t->ncols; c++)
		line += count_lf(t->header[c]);
	for (r = 0; r < t->nrows; r++) {
		CHECK(t->lines[r] == line + 1);
		line = t->lines[r];
		for (c = 0; c < t->ncols; c++)
			line += count_lf(t->rows[r][c]);
	}
	/* The last record ends with the text's last line break. */
	CHECK(line == lf);
	for (c = 0; c < t->ncols; c++) {
		int i = csv_column(t, t->header[c], err, sizeof(err));

		/* The first column of that name. */
		CHECK(i >= 0 && (size_t)i <= c);
		CHECK(!strcmp(t->header[i], t->header[c]));
	}
	for (c = 0; c < t->ncols && strcmp(t->header[c], "no such"); c++)
		;
	if (c == t->ncols) {
		CHECK(csv_column(t, "no such", err, sizeof(err)) == -1);
		check_message(err);
	}
	for (r = 0; r < t->nrows; r++)
		for (c = 0; c < t->ncols; c++)
			check_number(t, r, c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct csv_table t, again;
	char err[512] = "", *text;
	size_t len;
	int ret =
		csv_parse(&t, NAME, (const char *)data, size, err, sizeof(err));

	CHECK(ret == 0 || ret == -EINVAL || ret == -ENOMEM);
	if (ret) {
		check_message(err);
		/* Nothing left to free. */
		CHECK(!t.header && !t.rows && !t.lines && !t.ncols && !t.nrows);
		return 0;
	}
	/* Fields are C strings: a NUL would cut one short unnoticed. */
	CHECK(!memchr(data, '\0', size));
	check_table(&t, data, size);
	text = write_table(&t, &len);
	if (csv_parse(&again, NAME, text, len, err, sizeof(err))) {
		fprintf(stderr, "written back, it does not parse: %s\n", err);
		CHECK(0);
	}
	check_same(&t, &again);
	csv_table_free(&again);
	csv_table_free(&t);
	CHECK(!t.header && !t.rows && !t.lines && !t.ncols && !t.nrows);
	free(text);
	return 0;
}
