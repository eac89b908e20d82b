// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "csv_read.h"
#include "errmsg.h"

/* A growing array of pointers. */
static int push(void ***v, size_t *n, size_t *cap, void *p)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 16;
		void **nv = realloc(*v, c * sizeof(**v));

		if (!nv)
			return -ENOMEM;
		*v = nv;
		*cap = c;
	}
	(*v)[(*n)++] = p;
	return 0;
}

struct cursor {
	const char *p, *end;
	size_t line;
};

/*
 * Read one record: its fields into *fields (each malloc'd). Returns 1 for a
 * record, 0 at the end of the text, -EINVAL or -ENOMEM.
 */
static int read_record(struct cursor *c, const char *name, char ***fields,
		       size_t *nfields, char *err, size_t errlen)
{
	size_t cap = 0, start = c->line;
	char *buf = NULL;
	size_t blen = 0, bcap = 0;

	*fields = NULL;
	*nfields = 0;
	if (c->p == c->end)
		return 0;
	for (;;) {
		bool quoted = c->p < c->end && *c->p == '"';
		char ch = 0;
		char *f;

		blen = 0;
		if (quoted)
			c->p++;
		for (;;) {
			if (c->p == c->end) {
				if (quoted) {
					free(buf);
					return err_msg(
						err, errlen,
						"%s:%zu: quoted field not "
						"closed",
						name, start);
				}
				ch = 0;
				break;
			}
			ch = *c->p;
			if (quoted && ch == '"') {
				if (c->p + 1 < c->end && c->p[1] == '"') {
					c->p++;
				} else {
					c->p++;
					quoted = false;
					ch = c->p < c->end ? *c->p : 0;
					if (c->p < c->end && ch != ',' &&
					    ch != '\n' && ch != '\r') {
						free(buf);
						return err_msg(
							err, errlen,
							"%s:%zu: text after a "
							"closing quote",
							name, c->line);
					}
					if (c->p == c->end)
						break;
					continue;
				}
			} else if (!quoted &&
				   (ch == ',' || ch == '\n' || ch == '\r')) {
				break;
			} else if (!quoted && ch == '"') {
				free(buf);
				return err_msg(err, errlen,
					       "%s:%zu: quote inside an "
					       "unquoted field",
					       name, c->line);
			}
			if (ch == '\n')
				c->line++;
			if (blen + 1 >= bcap) {
				size_t nc = bcap ? bcap * 2 : 64;
				char *nb = realloc(buf, nc);

				if (!nb) {
					free(buf);
					return -ENOMEM;
				}
				buf = nb;
				bcap = nc;
			}
			buf[blen++] = ch;
			c->p++;
		}
		f = malloc(blen + 1);
		if (!f || push((void ***)fields, nfields, &cap, f)) {
			free(f);
			free(buf);
			return -ENOMEM;
		}
		memcpy(f, buf ? buf : "", blen);
		f[blen] = '\0';
		if (c->p == c->end) {
			free(buf);
			return err_msg(err, errlen,
				       "%s:%zu: last line has no line break "
				       "(truncated file?)",
				       name, c->line);
		}
		ch = *c->p++;
		if (ch == ',')
			continue;
		if (ch == '\r') {
			if (c->p == c->end || *c->p != '\n') {
				free(buf);
				return err_msg(
					err, errlen,
					"%s:%zu: carriage return without "
					"line feed",
					name, c->line);
			}
			c->p++;
		}
		c->line++;
		free(buf);
		return 1;
	}
}

static void free_fields(char **f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(f[i]);
	free(f);
}

int csv_parse(struct csv_table *t, const char *name, const char *text,
	      size_t len, char *err, size_t errlen)
{
	struct cursor c = { text, text + len, 1 };
	size_t rcap = 0, n, line;
	const char *nul = len ? memchr(text, '\0', len) : NULL;
	char **f;
	int ret;

	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s", name);
	/* Fields are C strings: one with a NUL would be cut short. */
	if (nul) {
		for (line = 1; text < nul; text++)
			line += *text == '\n';
		return err_msg(err, errlen,
			       "%s:%zu: NUL byte (not a text file)", t->name,
			       line);
	}
	ret = read_record(&c, t->name, &t->header, &t->ncols, err, errlen);
	if (ret == 0)
		ret = err_msg(err, errlen, "%s: empty file, no header",
			      t->name);
	if (ret < 0)
		goto out;
	for (;;) {
		line = c.line;
		ret = read_record(&c, t->name, &f, &n, err, errlen);
		if (ret <= 0) {
			if (ret < 0)
				free_fields(f, n);
			break;
		}
		if (n != t->ncols) {
			free_fields(f, n);
			ret = err_msg(err, errlen,
				      "%s:%zu: %zu fields, the header has %zu",
				      t->name, line, n, t->ncols);
			break;
		}
		if (t->nrows == rcap) {
			size_t nc = rcap ? rcap * 2 : 64;
			char ***nr = realloc(t->rows, nc * sizeof(*nr));
			size_t *nl =
				nr ? realloc(t->lines, nc * sizeof(*nl)) : NULL;

			if (nr)
				t->rows = nr;
			if (nl)
				t->lines = nl;
			if (!nr || !nl) {
				free_fields(f, n);
				ret = -ENOMEM;
				break;
			}
			rcap = nc;
		}
		t->rows[t->nrows] = f;
		t->lines[t->nrows++] = line;
	}
out:
	if (ret == -ENOMEM)
		err_msg(err, errlen, "%s: out of memory", t->name);
	if (ret < 0) {
		csv_table_free(t);
		return ret;
	}
	return 0;
}

int csv_read_file(struct csv_table *t, const char *path, const char *name,
		  char *err, size_t errlen)
{
	char *text = NULL;
	size_t len = 0, cap = 0, got;
	FILE *f = fopen(path, "rb");
	int ret;

	memset(t, 0, sizeof(*t));
	if (!f) {
		ret = -errno;
		err_msg(err, errlen, "%s: %s", name, strerror(-ret));
		return ret;
	}
	do {
		if (cap - len < 4096) {
			char *nt = realloc(text, cap = cap ? cap * 2 : 65536);

			if (!nt) {
				free(text);
				fclose(f);
				return err_msg(err, errlen, "%s: out of memory",
					       name);
			}
			text = nt;
		}
		got = fread(text + len, 1, cap - len, f);
		len += got;
	} while (got);
	if (ferror(f)) {
		ret = err_msg(err, errlen, "%s: read error", name);
		fclose(f);
		free(text);
		return ret;
	}
	fclose(f);
	ret = csv_parse(t, name, text, len, err, errlen);
	free(text);
	return ret;
}

void csv_table_free(struct csv_table *t)
{
	size_t i;

	for (i = 0; i < t->nrows; i++)
		free_fields(t->rows[i], t->ncols);
	free(t->rows);
	free(t->lines);
	if (t->header)
		free_fields(t->header, t->ncols);
	t->rows = NULL;
	t->lines = NULL;
	t->header = NULL;
	t->nrows = t->ncols = 0;
}

int csv_column(const struct csv_table *t, const char *col, char *err,
	       size_t errlen)
{
	size_t i;

	for (i = 0; i < t->ncols; i++)
		if (!strcmp(t->header[i], col))
			return (int)i;
	err_msg(err, errlen, "%s: no column '%s'", t->name, col);
	return -1;
}

const char *csv_printable(char *buf, size_t len, const char *s)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < len; i++)
		buf[i] = iscntrl((unsigned char)s[i]) ? '?' : s[i];
	buf[i] = '\0';
	/* Cut short: say so. */
	if (s[i] && i >= 3)
		memcpy(buf + i - 3, "...", 3);
	return buf;
}

int csv_number(const struct csv_table *t, size_t row, int col, double *out,
	       char *err, size_t errlen)
{
	const char *s = t->rows[row][col];
	char value[64], name[64];
	char *end;
	double v;

	if (!*s)
		return 1;
	errno = 0;
	v = strtod(s, &end);
	/* Decimal only: strtod would also take hex, "inf" and blanks. */
	if (*end || end == s || errno || !isfinite(v) ||
	    s[strspn(s, "0123456789+-.eE")]) {
		csv_printable(value, sizeof(value), s);
		csv_printable(name, sizeof(name), t->header[col]);
		return err_msg(err, errlen,
			       "%s:%zu: column '%s': '%s' is not a number",
			       t->name, t->lines[row], name, value);
	}
	*out = v;
	return 0;
}
