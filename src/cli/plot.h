/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dirtyscope plot's pieces (cmd_plot.c): the CSV reading every image
 * shares (plot_data.c) and one file per image, each reading its CSV and
 * writing the gnuplot commands of its panels (plot_rounds.c, plot_sweep.c,
 * plot_latency.c). Numbers reach gnuplot only as values plot_num() parsed.
 */
#ifndef DIRTYSCOPE_PLOT_H
#define DIRTYSCOPE_PLOT_H

#include <stdbool.h>
#include <stdio.h>
#include "csv_read.h"

struct plot_args {
	const char *dir;
	const char *out;
};

/* One image, both formats: the plot commands are emitted twice. */
struct image {
	const char *name; /* rounds, iotlb, sweep, latency */
	int width, height;
	char *body; /* gnuplot commands after the terminal */
};

#define MAX_IMAGES 4

struct plot {
	struct plot_args a;
	struct image img[MAX_IMAGES];
	int nimg;
};

/* Auto and manual in every panel: same name, same colour (lt 1, 2). */
extern const char *const plot_strategies[2];

/* Read a CSV and check it has these columns (NULL-terminated); one error
 * line otherwise. */
int plot_load(struct csv_table *t, const char *path, const char *const *cols);
/* Field col of row as a number (NaN when empty or when there is no such
 * column), or -EINVAL after one error line. */
int plot_num(const struct csv_table *t, size_t row, int col, double *v);
/* A datablock value: " NaN" or the number. */
void plot_put(FILE *f, double v);
/* Names that go into the script between quotes: letters, digits, _. */
bool plot_word(const char *s);
/* Close the memstream f of *body and keep the text as an image. */
int plot_add(struct plot *p, const char *name, int width, int height, FILE *f,
	     char **body);

/* Each image from its CSV at path: 0 (also when there is nothing to draw),
 * -ENOMEM, or -EINVAL after one error line. */
int plot_rounds(struct plot *p, const char *path);
int plot_sweep(struct plot *p, const char *path);
int plot_latency(struct plot *p, const char *path);

#endif
