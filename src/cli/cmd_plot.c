// SPDX-License-Identifier: GPL-2.0
/*
 * dirtyscope plot DIR: render the CSVs of bench and trace in DIR as PNG and
 * SVG with gnuplot, one quantity per panel: pages sent and redundant pages
 * per round (auto vs manual, round 0 left out of the axes), IOTLB
 * invalidations per round, the sweep (pages sent, redundant %, migration
 * time against the swept parameter) and latency histograms, one panel per
 * operation, each with its own scale. The CSVs are read here and their
 * numbers put in the script as inline datablocks; the script is fed to
 * gnuplot. Each image is written under a temporary name and renamed when
 * gnuplot succeeded: complete or absent.
 */
#include <argp.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "commands.h"
#include "csv_read.h"
#include "log.h"
#include "options.h"
#include "outfile.h"

struct plot_args {
	const char *dir;
	const char *out;
};

static const struct argp_option options[] = {
	{ "out", 'o', "DIR", 0, "Write the images here (default: DIR)" },
	{},
};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct plot_args *a = state->input;

	switch (key) {
	case 'o':
		a->out = arg;
		break;
	case ARGP_KEY_ARG:
		if (a->dir)
			return ds_arg_error("plot: unexpected argument '%s'",
					    arg);
		a->dir = arg;
		break;
	case ARGP_KEY_END:
		if (!a->dir)
			return ds_arg_error("plot: which folder? (dirtyscope "
					    "plot DIR)");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp argp = {
	options,
	parse_opt,
	"DIR",
	"Render the CSVs that bench and trace wrote into DIR (rounds.csv, "
	"sweep.csv, histograms.csv; whichever are there) as PNG and SVG, "
	"with gnuplot.",
	common_options,
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

static bool have(const char *dir, const char *file, char *path, size_t len)
{
	snprintf(path, len, "%s/%s", dir, file);
	return access(path, R_OK) == 0;
}

/* Read a CSV and check it has these columns; one error line otherwise. */
static int load(struct csv_table *t, const char *path, const char *const *cols)
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
static int num(const struct csv_table *t, size_t row, int col, double *v)
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

static void put(FILE *f, double v)
{
	if (isnan(v))
		fputs(" NaN", f);
	else
		fprintf(f, " %.15g", v);
}

/* Names that go into the script between quotes: letters, digits, _. */
static bool word(const char *s)
{
	return *s && !s[strspn(s, "abcdefghijklmnopqrstuvwxyz"
				  "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")];
}

/* Close the memstream f of *body and keep the text as an image. */
static int add(struct plot *p, const char *name, int width, int height, FILE *f,
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

/* Auto and manual in every panel: same name, same colour (lt 1, 2). */
static const char *const strategies[] = { "auto", "manual" };

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
			if (!strcmp(t->rows[i][strat], strategies[k]))
				break;
		if (k == 2)
			continue;
		if (num(t, i, run, &r))
			return -EINVAL;
		if (isnan(first[k]))
			first[k] = r;
		if (r != first[k])
			continue;
		w = rr[k].row[rr[k].n++];
		for (q = 0; q < RD_N; q++)
			if (num(t, i, csv_column(t, round_cols[q], NULL, 0),
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
		fprintf(f, "$%s << EOD\n", strategies[k]);
		for (i = 0; i < rr[k].n; i++) {
			if (!(rr[k].row[i][RD_ROUND] >= from))
				continue;
			for (q = 0; q < RD_N; q++)
				put(f, rr[k].row[i][q]);
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
			sep, strategies[k], q + 1, k + 1, strategies[k]);
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
		fprintf(f, "%s%s %.0f", sep, strategies[k], rr[k].round0[q]);
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
static int plot_rounds(struct plot *p, const char *path)
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

	if (load(&t, path, cols))
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
		err = add(p, "rounds", 1000, red ? 800 : 500, f, &body);
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
		err = add(p, "iotlb", 1000, 500, f, &body);
	}
out:
	for (k = 0; k < 2; k++)
		free(rr[k].row);
	return err;
}

/*
 * One inline datablock per strategy ($auto, $manual): the rows of sweep.csv
 * alternate strategies, and a plot filtered with NaN would not join them.
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
			if (num(t, i, csv_column(t, cols[c], NULL, 0), &v))
				return -EINVAL;
			/* No interval: no error bar. */
			put(f, isnan(v) && (c == 2 || c == 4) ? 0 : v);
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
			strategies[k], using, with, k + 1, strategies[k]);
		sep = ", ";
	}
	fputc('\n', f);
}

/*
 * The sweep, one quantity per panel over the same x axis: pages sent,
 * redundant sends when the backend knows them, migration time. Each panel
 * scaled to its own data, which is where auto and manual differ.
 */
static int plot_sweep(struct plot *p, const char *path)
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

	if (load(&t, path, cols))
		return -EINVAL;
	if (t.nrows && word(t.rows[0][csv_column(&t, "param", NULL, 0)]))
		snprintf(param, sizeof(param), "%s",
			 t.rows[0][csv_column(&t, "param", NULL, 0)]);
	red_col = csv_column(&t, "redundant_pct", NULL, 0);
	vc = csv_column(&t, "value", NULL, 0);
	for (i = 0; i < t.nrows && !red; i++) {
		if (num(&t, i, red_col, &v)) {
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
		rows[k] = sweep_block(f, &t, strategies[k]);
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
		    num(&t, i, vc, &v) || !(v > 0))
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
	return add(p, "sweep", 1000, red ? 1000 : 700, f, &body);
}

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
static int plot_latency(struct plot *p, const char *path)
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

	if (load(&t, path, cols))
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

		if (strcmp(t.rows[i][kind], "latency_ns") || !word(name))
			continue;
		if (num(&t, i, low, &lo) || num(&t, i, high, &hi) ||
		    num(&t, i, count, &c)) {
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
			num(&t, i, low, &lo);
			num(&t, i, high, &hi);
			num(&t, i, count, &c);
			if (isnan(lo) || lo <= 0 || isnan(c) || c <= 0)
				continue;
			put(f, lo);
			put(f, isnan(hi) || hi < lo ? lo : hi);
			put(f, c);
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
	return add(p, "latency", ncols == 3 ? 1200 : 1000, 60 + 260 * nrows, f,
		   &body);
out:
	csv_table_free(&t);
	fclose(f);
	free(body);
	return err;
}

/* Feed the script to gnuplot; 0 when it exited 0. */
static int run_gnuplot(const char *script)
{
	FILE *g;
	int status;

	ds_debug("%s", script);
	/* gnuplot's own warnings only with -v; a failure says to use it. */
	g = popen(ds_verbosity >= DS_LOG_DEBUG ? "gnuplot"
					       : "gnuplot 2>/dev/null",
		  "w");
	if (!g)
		return -errno;
	fputs(script, g);
	status = pclose(g);
	if (status == -1)
		return -errno;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		return -ENOENT;
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -EIO;
}

static int render(struct plot *p)
{
	static const struct {
		const char *ext, *terminal;
	} fmt[] = {
		{ "png", "pngcairo" },
		{ "svg", "svg" },
	};
	char tmp[PATH_MAX], final[PATH_MAX], *script = NULL;
	size_t len = 0;
	int i, f, err;
	FILE *s;

	s = open_memstream(&script, &len);
	if (!s)
		return -ENOMEM;
	fputs("set grid\n", s);
	for (i = 0; i < p->nimg; i++) {
		for (f = 0; f < 2; f++) {
			snprintf(tmp, sizeof(tmp), "%s/.%s.%s.tmp", p->a.out,
				 p->img[i].name, fmt[f].ext);
			fprintf(s,
				"set terminal %s size %d,%d noenhanced\n"
				"set output '%s'\n%sunset output\n"
				"reset session\nset grid\n",
				fmt[f].terminal, p->img[i].width,
				p->img[i].height, tmp, p->img[i].body);
		}
	}
	fclose(s);
	err = run_gnuplot(script);
	free(script);
	for (i = 0; i < p->nimg; i++) {
		for (f = 0; f < 2; f++) {
			snprintf(tmp, sizeof(tmp), "%s/.%s.%s.tmp", p->a.out,
				 p->img[i].name, fmt[f].ext);
			snprintf(final, sizeof(final), "%s/%s.%s", p->a.out,
				 p->img[i].name, fmt[f].ext);
			if (err || rename(tmp, final)) {
				unlink(tmp);
				err = err ?: -errno;
			}
		}
	}
	return err;
}

int cmd_plot(int argc, char **argv)
{
	struct plot p = {};
	char path[PATH_MAX];
	struct stat st;
	int err = 0, i, status = 1;

	if (argp_parse(&argp, argc, argv, 0, NULL, &p.a))
		return 2;
	if (!p.a.out)
		p.a.out = p.a.dir;
	/* Paths go into the script between single quotes. */
	if (strchr(p.a.dir, '\'') || strchr(p.a.out, '\'')) {
		ds_err("plot: folder names with a ' are not supported");
		return 1;
	}
	if (stat(p.a.dir, &st) || !S_ISDIR(st.st_mode)) {
		ds_err("plot: %s: not a folder", p.a.dir);
		return 1;
	}
	err = outdir_prepare(p.a.out);
	if (err) {
		ds_err("plot: cannot write to %s: %s", p.a.out, strerror(-err));
		return 1;
	}
	if (have(p.a.dir, "rounds.csv", path, sizeof(path)))
		err = plot_rounds(&p, path);
	if (!err && have(p.a.dir, "sweep.csv", path, sizeof(path)))
		err = plot_sweep(&p, path);
	if (!err && have(p.a.dir, "histograms.csv", path, sizeof(path)))
		err = plot_latency(&p, path);
	if (err == -ENOMEM)
		ds_err("plot: out of memory");
	if (err)
		goto out;
	if (!p.nimg) {
		ds_err("plot: nothing to plot in %s (no rounds.csv, sweep.csv "
		       "or histograms.csv with data)",
		       p.a.dir);
		goto out;
	}
	err = render(&p);
	if (err == -ENOENT)
		ds_err("plot: gnuplot not found (apt-get install gnuplot-nox)");
	else if (err)
		ds_err("plot: gnuplot failed (run with -v for the script)");
	else
		status = 0;
out:
	for (i = 0; i < p.nimg; i++)
		free(p.img[i].body);
	return status;
}
