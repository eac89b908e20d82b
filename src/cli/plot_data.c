// SPDX-License-Identifier: GPL-2.0
/* What every image of dirtyscope plot shares; see plot.h. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "log.h"
#include "plot.h"

/* Read a CSV and check it has these columns; one error line otherwise. */
int plot_load(struct csv_table *t, const char *path, const char *const *cols)
{
	char err[512];

	if (csv_read_file(t, path, path, err, sizeof(err))) {
		ds_err("plot: %s", err);
		return -EINVAL;
	}
	for (; *cols; cols++) {
		if (csv_column(t, *cols, err, sizeof(err)) < 0) {
			ds_err("plot: %s", err);
			csv_table_free(t);
			return -EINVAL;
		}
	}
	return 0;
}

/*
 * Field col of row as a number (NaN when empty or when there is no such
 * column), or -EINVAL after one error line. The data reach gnuplot as
 * numbers this function parsed, in inline datablocks: a field cannot carry
 * script text.
 */
int plot_num(const struct csv_table *t, size_t row, int col, double *v)
{
	char err[512];
	int rc;

	*v = NAN;
	if (col < 0)
		return 0;
	rc = csv_number(t, row, col, v, err, sizeof(err));
	if (rc < 0) {
		ds_err("plot: %s", err);
		return -EINVAL;
	}
	if (rc)
		*v = NAN;
	return 0;
}

void plot_put(FILE *f, double v)
{
	if (isnan(v))
		fputs(" NaN", f);
	else
		fprintf(f, " %.15g", v);
}

/* Names that go into the script between quotes: letters, digits, _. */
bool plot_word(const char *s)
{
	return *s && !s[strspn(s, "abcdefghijklmnopqrstuvwxyz"
				  "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")];
}

/* Close the memstream f of *body and keep the text as an image. */
int plot_add(struct plot *p, const char *name, int width, int height, FILE *f,
	     char **body)
{
	if (fclose(f) || !*body || p->nimg == MAX_IMAGES) {
		free(*body);
		return -ENOMEM;
	}
	p->img[p->nimg].name = name;
	p->img[p->nimg].width = width;
	p->img[p->nimg].height = height;
	p->img[p->nimg++].body = *body;
	return 0;
}

const char *const plot_strategies[2] = { "auto", "manual" };
