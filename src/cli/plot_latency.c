// SPDX-License-Identifier: GPL-2.0
/* dirtyscope plot: the latency image, from histograms.csv. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "log.h"
#include "plot.h"

/* An operation with latency buckets, in the order histograms.csv has. */
struct op_hist {
	const char *name;
	double calls, max;
};

#define MAX_OPS 64

/*
 * Latency, small multiples: one panel per operation with latency buckets,
 * each with its own scales, so a handful of dirty reads shows next to
 * thousands of map calls. Bars span their bucket (32 per power of two) on
 * a log time axis.
 */
int plot_latency(struct plot *p, const char *path)
{
	static const char *const cols[] = { "op", "kind", "bucket_low", "count",
					    NULL };
	struct op_hist ops[MAX_OPS];
	struct csv_table t;
	char *body = NULL;
	size_t len = 0, i;
	int op, kind, low, high, count, n = 0, j, ncols, nrows, err = 0;
	double lo, hi, c;
	FILE *f;

	if (plot_load(&t, path, cols))
		return -EINVAL;
	op = csv_column(&t, "op", NULL, 0);
	kind = csv_column(&t, "kind", NULL, 0);
	low = csv_column(&t, "bucket_low", NULL, 0);
	high = csv_column(&t, "bucket_high", NULL, 0);
	count = csv_column(&t, "count", NULL, 0);
	f = open_memstream(&body, &len);
	if (!f) {
		csv_table_free(&t);
		return -ENOMEM;
	}
	/* First the operations, their calls and their largest bucket. */
	for (i = 0; i < t.nrows; i++) {
		const char *name = t.rows[i][op];

		if (strcmp(t.rows[i][kind], "latency_ns") || !plot_word(name))
			continue;
		if (plot_num(&t, i, low, &lo) || plot_num(&t, i, high, &hi) ||
		    plot_num(&t, i, count, &c)) {
			err = -EINVAL;
			goto out;
		}
		/* No lower bound, or 0 ns: nowhere on a log axis. */
		if (isnan(lo) || lo <= 0 || isnan(c) || c <= 0)
			continue;
		for (j = 0; j < n; j++)
			if (!strcmp(ops[j].name, name))
				break;
		if (j == n) {
			if (n == MAX_OPS)
				continue;
			ops[n++] = (struct op_hist){ name, 0, 0 };
		}
		ops[j].calls += c;
		if (c > ops[j].max)
			ops[j].max = c;
	}
	if (!n)
		goto out;
	/* Then one datablock each: low, high, count. */
	for (j = 0; j < n; j++) {
		fprintf(f, "$d%d << EOD\n", j);
		for (i = 0; i < t.nrows; i++) {
			if (strcmp(t.rows[i][kind], "latency_ns") ||
			    strcmp(t.rows[i][op], ops[j].name))
				continue;
			plot_num(&t, i, low, &lo);
			plot_num(&t, i, high, &hi);
			plot_num(&t, i, count, &c);
			if (isnan(lo) || lo <= 0 || isnan(c) || c <= 0)
				continue;
			plot_put(f, lo);
			plot_put(f, isnan(hi) || hi < lo ? lo : hi);
			plot_put(f, c);
			fputc('\n', f);
		}
		fputs("EOD\n", f);
	}
	ncols = n == 1 ? 1 : n <= 4 ? 2 : 3;
	nrows = (n + ncols - 1) / ncols;
	fprintf(f,
		"set multiplot layout %d,%d title 'Latency per operation "
		"(calls per bucket, 32 buckets per power of two; each panel "
		"its own scale)'\n"
		"set logscale x 10\nset format x '%%.0s%%cs'\nset yrange "
		"[0:*]\nset offsets graph 0.05, graph 0.05, graph 0.08, 0\n"
		"set ylabel 'calls'\nset style fill solid 0.6 border\n"
		"set key off\n",
		nrows, ncols);
	for (j = 0; j < n; j++) {
		fprintf(f, "set title '%s (%.0f calls)'\n", ops[j].name,
			ops[j].calls);
		/* Counts are whole: no 0.5 ticks on a panel of a few. */
		fputs(ops[j].max < 10 ? "set ytics 1\n"
				      : "set ytics autofreq\n",
		      f);
		fprintf(f,
			"plot $d%d using (($1+$2+1)/2e9):3:(($2+1-$1)/1e9) "
			"with boxes lt 1 lw 2 title '%s'\n",
			j, ops[j].name);
	}
	fputs("unset multiplot\n", f);
	csv_table_free(&t);
	return plot_add(p, "latency", ncols == 3 ? 1200 : 1000,
			60 + 260 * nrows, f, &body);
out:
	csv_table_free(&t);
	fclose(f);
	free(body);
	return err;
}
