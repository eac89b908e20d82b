// SPDX-License-Identifier: GPL-2.0
/* dirtyscope plot: the rounds and iotlb images, from rounds.csv. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "log.h"
#include "plot.h"

/*
 * rounds.csv, the first run of each strategy (the rounds of one migration):
 * per round the numbers the plots need, in the order of the file. In the
 * datablocks, quantity q is column q + 1.
 */
enum { RD_ROUND, RD_SENT, RD_REDUNDANT, RD_IOTLB, RD_N };

static const char *const round_cols[RD_N] = { "round", "pages_sent",
					      "pages_redundant",
					      "iotlb_invalidations" };

struct run_rounds {
	double (*row)[RD_N];
	size_t n;
	double round0[RD_N]; /* NaN: no round 0 */
};

static int rounds_read(const struct csv_table *t, struct run_rounds *rr)
{
	int run = csv_column(t, "run", NULL, 0);
	int strat = csv_column(t, "strategy", NULL, 0);
	double first[2] = { NAN, NAN }, r;
	size_t i;
	int k, q;

	for (k = 0; k < 2; k++) {
		rr[k].row = calloc(t->nrows ?: 1, sizeof(*rr[k].row));
		if (!rr[k].row)
			return -ENOMEM;
		for (q = 0; q < RD_N; q++)
			rr[k].round0[q] = NAN;
	}
	for (i = 0; i < t->nrows; i++) {
		double *w;

		for (k = 0; k < 2; k++)
			if (!strcmp(t->rows[i][strat], plot_strategies[k]))
				break;
		if (k == 2)
			continue;
		if (plot_num(t, i, run, &r))
			return -EINVAL;
		if (isnan(first[k]))
			first[k] = r;
		if (r != first[k])
			continue;
		w = rr[k].row[rr[k].n++];
		for (q = 0; q < RD_N; q++)
			if (plot_num(t, i,
				     csv_column(t, round_cols[q], NULL, 0),
				     &w[q]))
				return -EINVAL;
		if (w[RD_ROUND] == 0)
			memcpy(rr[k].round0, w, sizeof(rr[k].round0));
	}
	return 0;
}

/* Whether one strategy has a value of q in the rounds from `from` on. */
static bool has(const struct run_rounds *rr, int q, double from)
{
	size_t i;

	for (i = 0; i < rr->n; i++)
		if (rr->row[i][RD_ROUND] >= from && !isnan(rr->row[i][q]))
			return true;
	return false;
}

/* Whether either strategy has. */
static bool either(const struct run_rounds *rr, int q, double from)
{
	return has(&rr[0], q, from) || has(&rr[1], q, from);
}

/* $auto and $manual: the rounds from `from` on. */
static void rounds_blocks(FILE *f, const struct run_rounds *rr, double from)
{
	size_t i;
	int k, q;

	for (k = 0; k < 2; k++) {
		fprintf(f, "$%s << EOD\n", plot_strategies[k]);
		for (i = 0; i < rr[k].n; i++) {
			if (!(rr[k].row[i][RD_ROUND] >= from))
				continue;
			for (q = 0; q < RD_N; q++)
				plot_put(f, rr[k].row[i][q]);
			fputc('\n', f);
		}
		fputs("EOD\n", f);
	}
}

/* One panel: q of each strategy that has it, against the round. */
static void rounds_panel(FILE *f, const struct run_rounds *rr, int q,
			 double from)
{
	const char *sep = "plot ";
	int k;

	for (k = 0; k < 2; k++) {
		if (!has(&rr[k], q, from))
			continue;
		fprintf(f,
			"%s$%s using 1:%d with linespoints lt %d lw 2 "
			"title '%s'",
			sep, plot_strategies[k], q + 1, k + 1,
			plot_strategies[k]);
		sep = ", ";
	}
	fputc('\n', f);
}

/* "auto 32768, manual 32768": round 0's q per strategy, for a title. */
static void round0(FILE *f, const struct run_rounds *rr, int q)
{
	const char *sep = "";
	int k;

	for (k = 0; k < 2; k++) {
		if (isnan(rr[k].round0[q]))
			continue;
		fprintf(f, "%s%s %.0f", sep, plot_strategies[k],
			rr[k].round0[q]);
		sep = ", ";
	}
}

/* Rounds on x, integers, a little room either side. */
static const char rounds_x[] =
	"set xlabel 'round'\nset xtics 1\nset autoscale xfix\n"
	"set yrange [0:*]\nset offsets 0.3, 0.3, graph 0.08, 0\n"
	"set key outside right top\nset lmargin 12\n";

/*
 * Round 0 sends every page: drawn, it flattens the rounds that show the
 * difference (tens of thousands against hundreds). It is left out of the
 * axes when there are later rounds, and its numbers go in the title.
 */
int plot_rounds(struct plot *p, const char *path)
{
	static const char *const cols[] = {
		"run",	      "strategy",	 "round",
		"pages_sent", "pages_redundant", "iotlb_invalidations",
		NULL
	};
	struct run_rounds rr[2] = {};
	struct csv_table t;
	char *body = NULL;
	size_t len = 0;
	double from;
	bool sent, red, io;
	FILE *f;
	int k, err;

	if (plot_load(&t, path, cols))
		return -EINVAL;
	err = rounds_read(&t, rr);
	csv_table_free(&t);
	if (err)
		goto out;
	from = either(rr, RD_ROUND, 1) ? 1 : 0;
	sent = either(rr, RD_SENT, from);
	/* Empty on real hardware (redundant) and with bench --no-trace
	 * (invalidations): no panel or image rather than a failed one. */
	red = either(rr, RD_REDUNDANT, from);
	io = either(rr, RD_IOTLB, from);
	if (sent) {
		f = open_memstream(&body, &len);
		err = -ENOMEM;
		if (!f)
			goto out;
		rounds_blocks(f, rr, from);
		fprintf(f,
			"set multiplot layout %d,1 title 'Per round, first "
			"run of each strategy",
			red ? 2 : 1);
		if (from) {
			fputs("; round 0 (the full copy) not shown: ", f);
			round0(f, rr, RD_SENT);
			fputs(" pages sent", f);
		}
		fprintf(f,
			"'\n%sset xrange [%g:*]\nset title 'pages sent "
			"per round'\nset ylabel 'pages'\n",
			rounds_x, from - 0.3);
		rounds_panel(f, rr, RD_SENT, from);
		if (red) {
			fputs("set title 'redundant pages per round (sent "
			      "again, not written since)'\n",
			      f);
			rounds_panel(f, rr, RD_REDUNDANT, from);
		}
		fputs("unset multiplot\n", f);
		err = plot_add(p, "rounds", 1000, red ? 800 : 500, f, &body);
		if (err)
			goto out;
	}
	if (io) {
		body = NULL;
		f = open_memstream(&body, &len);
		err = -ENOMEM;
		if (!f)
			goto out;
		rounds_blocks(f, rr, from);
		fputs("set title 'IOTLB invalidations per round (first run of "
		      "each strategy",
		      f);
		if (from) {
			fputs("; round 0 not shown: ", f);
			round0(f, rr, RD_IOTLB);
		}
		fprintf(f,
			")'\n%sset xrange [%g:*]\nset ylabel "
			"'invalidations'\n",
			rounds_x, from - 0.3);
		rounds_panel(f, rr, RD_IOTLB, from);
		err = plot_add(p, "iotlb", 1000, 500, f, &body);
	}
out:
	for (k = 0; k < 2; k++)
		free(rr[k].row);
	return err;
}
