// SPDX-License-Identifier: GPL-2.0
/* dirtyscope plot: the sweep image, from sweep.csv. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "log.h"
#include "plot.h"

/*
 * One inline datablock per strategy ($auto, $manual): the rows of sweep.csv
 * alternate plot_strategies, and a plot filtered with NaN would not join them.
 * Columns: value, pages sent, its CI, migration ns, its CI, redundant %.
 * Returns the rows written, or -EINVAL.
 */
static int sweep_block(FILE *f, const struct csv_table *t, const char *s)
{
	static const char *const cols[] = {
		"value",	"pages_sent",	     "pages_sent_ci95",
		"migration_ns", "migration_ns_ci95", "redundant_pct"
	};
	int strat = csv_column(t, "strategy", NULL, 0);
	int n = 0, c;
	size_t i;
	double v;

	fprintf(f, "$%s << EOD\n", s);
	for (i = 0; i < t->nrows; i++) {
		if (strcmp(t->rows[i][strat], s))
			continue;
		for (c = 0; c < 6; c++) {
			if (plot_num(t, i, csv_column(t, cols[c], NULL, 0), &v))
				return -EINVAL;
			/* No interval: no error bar. */
			plot_put(f, isnan(v) && (c == 2 || c == 4) ? 0 : v);
		}
		fputc('\n', f);
		n++;
	}
	fputs("EOD\n", f);
	return n;
}

/* One panel of the sweep: `using` of each strategy that has rows. */
static void sweep_panel(FILE *f, const int *rows, const char *using,
			const char *with)
{
	const char *sep = "plot ";
	int k;

	for (k = 0; k < 2; k++) {
		if (!rows[k])
			continue;
		fprintf(f, "%s$%s using %s with %s lt %d lw 2 title '%s'", sep,
			plot_strategies[k], using, with, k + 1,
			plot_strategies[k]);
		sep = ", ";
	}
	fputc('\n', f);
}

/*
 * The sweep, one quantity per panel over the same x axis: pages sent,
 * redundant sends when the backend knows them, migration time. Each panel
 * scaled to its own data, which is where auto and manual differ.
 */
int plot_sweep(struct plot *p, const char *path)
{
	static const char *const cols[] = { "param",	    "value",
					    "strategy",	    "pages_sent",
					    "migration_ns", NULL };
	struct csv_table t;
	char param[64] = "value", *body = NULL;
	size_t len = 0, i;
	const char *sep = "set xtics (";
	int rows[2], k, red_col, vc;
	bool red = false;
	double v;
	FILE *f;

	if (plot_load(&t, path, cols))
		return -EINVAL;
	if (t.nrows && plot_word(t.rows[0][csv_column(&t, "param", NULL, 0)]))
		snprintf(param, sizeof(param), "%s",
			 t.rows[0][csv_column(&t, "param", NULL, 0)]);
	red_col = csv_column(&t, "redundant_pct", NULL, 0);
	vc = csv_column(&t, "value", NULL, 0);
	for (i = 0; i < t.nrows && !red; i++) {
		if (plot_num(&t, i, red_col, &v)) {
			csv_table_free(&t);
			return -EINVAL;
		}
		red = !isnan(v);
	}
	f = open_memstream(&body, &len);
	if (!f) {
		csv_table_free(&t);
		return -ENOMEM;
	}
	for (k = 0; k < 2; k++) {
		rows[k] = sweep_block(f, &t, plot_strategies[k]);
		if (rows[k] < 0) {
			csv_table_free(&t);
			fclose(f);
			free(body);
			return -EINVAL;
		}
	}
	if (!rows[0] && !rows[1]) {
		csv_table_free(&t);
		fclose(f);
		free(body);
		return 0;
	}
	fprintf(f,
		"set multiplot layout %d,1 title 'Auto vs manual clear "
		"against %s (means over repeats, 95 %% CI)'\n"
		"set logscale x 2\nset autoscale fix\nset offsets graph "
		"0.04, graph 0.04, graph 0.12, graph 0.12\nset lmargin 12\n"
		"set key outside right top\n",
		red ? 3 : 2, param);
	/* A tick at each swept value, not at powers of two between them.
	 * The rows of one value come together (auto, manual). */
	for (i = 0; i < t.nrows; i++) {
		if ((i && !strcmp(t.rows[i][vc], t.rows[i - 1][vc])) ||
		    plot_num(&t, i, vc, &v) || !(v > 0))
			continue;
		fprintf(f, "%s%.15g", sep, v);
		sep = ", ";
	}
	if (*sep == ',')
		fputs(")\n", f);
	csv_table_free(&t);
	/* chunk and bandwidth are bytes: 1MiB, not 1.04858e+06. */
	if (strcmp(param, "rate"))
		fputs("set format x '%.0b%BB'\n", f);
	fputs("set title 'pages sent'\nset ylabel 'pages'\n", f);
	sweep_panel(f, rows, "1:2:3", "yerrorlines");
	if (red) {
		fputs("set title 'redundant sends (% of pages sent)'\n"
		      "set ylabel '%'\n",
		      f);
		sweep_panel(f, rows, "1:6", "linespoints");
	}
	fprintf(f,
		"set title 'migration time'\nset ylabel 'ms'\n"
		"set xlabel '%s'\n",
		!strcmp(param, "rate") ? "rate (pages/s)" : param);
	sweep_panel(f, rows, "1:($4/1e6):($5/1e6)", "yerrorlines");
	fputs("unset multiplot\n", f);
	return plot_add(p, "sweep", 1000, red ? 1000 : 700, f, &body);
}
