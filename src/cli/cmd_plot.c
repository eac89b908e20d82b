// SPDX-License-Identifier: GPL-2.0
/*
 * dirtyscope plot DIR: render the CSVs of bench and trace in DIR as PNG and
 * SVG with gnuplot: pages sent and redundant per round (auto vs manual),
 * IOTLB invalidations per round, the sweep (pages sent and migration time
 * against the swept parameter) and latency histograms per operation. The
 * script is generated here and fed to gnuplot; gnuplot reads the CSVs
 * themselves, by column name. Each image is written under a temporary
 * name and renamed when gnuplot succeeded: complete or absent.
 */
#include <argp.h>
#include <errno.h>
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
	char *body;	  /* gnuplot commands after the terminal */
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

static int add(struct plot *p, const char *name, char *body)
{
	if (!body || p->nimg == MAX_IMAGES) {
		free(body);
		return -ENOMEM;
	}
	p->img[p->nimg].name = name;
	p->img[p->nimg++].body = body;
	return 0;
}

/* The first run of a strategy in rounds.csv: rounds of one migration. */
static long first_run(const struct csv_table *t, const char *strategy)
{
	int run = csv_column(t, "run", NULL, 0);
	int s = csv_column(t, "strategy", NULL, 0);
	size_t i;

	for (i = 0; i < t->nrows; i++)
		if (!strcmp(t->rows[i][s], strategy))
			return strtol(t->rows[i][run], NULL, 10);
	return -1;
}

static int plot_rounds(struct plot *p, const char *path)
{
	static const char *const cols[] = {
		"run",	      "strategy",	 "round",
		"pages_sent", "pages_redundant", "iotlb_invalidations",
		NULL
	};
	struct csv_table t;
	long runs[2];
	const char *names[2] = { "auto", "manual" };
	char *rounds = NULL, *iotlb = NULL;
	size_t rl = 0, il = 0;
	FILE *r, *io;
	int k, err;

	if (load(&t, path, cols))
		return -EINVAL;
	runs[0] = first_run(&t, "auto");
	runs[1] = first_run(&t, "manual");
	csv_table_free(&t);
	r = open_memstream(&rounds, &rl);
	io = open_memstream(&iotlb, &il);
	if (!r || !io)
		return -ENOMEM;
	fprintf(r, "set title 'Pages sent and redundant per round (first run "
		   "of each strategy)'\nset xlabel 'round'\nset xtics 1\n"
		   "set ylabel 'pages'\nset yrange [0:*]\nset key top "
		   "right\nplot ");
	fprintf(io, "set title 'IOTLB invalidations per round (first run of "
		    "each strategy)'\nset xlabel 'round'\nset xtics 1\n"
		    "set ylabel 'invalidations'\nset yrange [0:*]\nplot ");
	for (k = 0; k < 2; k++) {
		if (runs[k] < 0)
			continue;
		fprintf(r,
			"'%s' using (column('run')==%ld ? column('round') : "
			"NaN):(column('pages_sent')) with linespoints title "
			"'%s: pages sent', '%s' using (column('run')==%ld ? "
			"column('round') : NaN):(column('pages_redundant')) "
			"with linespoints dashtype 2 title '%s: redundant "
			"pages', ",
			path, runs[k], names[k], path, runs[k], names[k]);
		fprintf(io,
			"'%s' using (column('run')==%ld ? column('round') : "
			"NaN):(column('iotlb_invalidations')) with "
			"linespoints title '%s', ",
			path, runs[k], names[k]);
	}
	fputs("NaN notitle\n", r);
	fputs("NaN notitle\n", io);
	fclose(r);
	fclose(io);
	err = add(p, "rounds", rounds);
	return err ?: add(p, "iotlb", iotlb);
}

/* One inline datablock per strategy ($auto, $manual): the rows of sweep.csv
 * alternate strategies, and a plot filtered with NaN would not join them. */
static void sweep_block(FILE *f, const struct csv_table *t, const char *s)
{
	int strat = csv_column(t, "strategy", NULL, 0);
	int value = csv_column(t, "value", NULL, 0);
	int pages = csv_column(t, "pages_sent", NULL, 0);
	int mig = csv_column(t, "migration_ns", NULL, 0);
	int ci = csv_column(t, "pages_sent_ci95", NULL, 0);
	size_t i;

	fprintf(f, "$%s << EOD\n", s);
	for (i = 0; i < t->nrows; i++)
		if (!strcmp(t->rows[i][strat], s))
			fprintf(f, "%s %s %s %s\n", t->rows[i][value],
				t->rows[i][pages], t->rows[i][mig],
				ci >= 0 && *t->rows[i][ci] ? t->rows[i][ci]
							   : "0");
	fputs("EOD\n", f);
}

static int plot_sweep(struct plot *p, const char *path)
{
	static const char *const cols[] = { "param",	    "value",
					    "strategy",	    "pages_sent",
					    "migration_ns", NULL };
	struct csv_table t;
	char param[64] = "value", *body = NULL;
	size_t len = 0;
	FILE *f;

	if (load(&t, path, cols))
		return -EINVAL;
	if (t.nrows)
		snprintf(param, sizeof(param), "%s",
			 t.rows[0][csv_column(&t, "param", NULL, 0)]);
	f = open_memstream(&body, &len);
	if (!f) {
		csv_table_free(&t);
		return -ENOMEM;
	}
	sweep_block(f, &t, "auto");
	sweep_block(f, &t, "manual");
	csv_table_free(&t);
	fprintf(f,
		"set title 'Auto vs manual clear against %s (means over "
		"repeats, 95 %% CI)'\nset xlabel '%s'\nset logscale x 2\n"
		"set ylabel 'pages sent'\nset y2label 'migration time (ms)'\n"
		"set ytics nomirror\nset y2tics\nset key top left\n",
		param, strcmp(param, "rate") ? param : "rate (pages/s)");
	/* chunk and bandwidth are bytes: 1MiB, not 1.04858e+06. */
	if (strcmp(param, "rate"))
		fputs("set format x '%.0b%BB'\n", f);
	fputs("set datafile separator whitespace\nset datafile "
	      "nocolumnheaders\nplot "
	      "$auto using 1:2:4 with yerrorlines title 'auto: pages sent', "
	      "$manual using 1:2:4 with yerrorlines title 'manual: pages "
	      "sent', "
	      "$auto using 1:($3/1e6) axes x1y2 with linespoints dashtype 2 "
	      "title 'auto: migration ms', "
	      "$manual using 1:($3/1e6) axes x1y2 with linespoints dashtype 2 "
	      "title 'manual: migration ms'\n",
	      f);
	fclose(f);
	return add(p, "sweep", body);
}

static int plot_latency(struct plot *p, const char *path)
{
	static const char *const cols[] = { "op", "kind", "bucket_low", "count",
					    NULL };
	struct csv_table t;
	char *body = NULL;
	const char *last = "";
	size_t len = 0, i;
	int op, kind, n = 0;
	FILE *f;

	if (load(&t, path, cols))
		return -EINVAL;
	op = csv_column(&t, "op", NULL, 0);
	kind = csv_column(&t, "kind", NULL, 0);
	f = open_memstream(&body, &len);
	if (!f) {
		csv_table_free(&t);
		return -ENOMEM;
	}
	/* Buckets are sparse (32 per power of two): impulses, not lines
	 * that would invent values between them. */
	fprintf(f, "set title 'Latency histograms per operation'\nset xlabel "
		   "'latency (ns, bucket lower bound)'\nset logscale x 10\n"
		   "set ylabel 'calls per bucket (32 buckets per power of "
		   "two)'\nset yrange [0:*]\nset key top right\nplot ");
	/* histograms.csv lists each operation's buckets together. */
	for (i = 0; i < t.nrows; i++) {
		const char *name = t.rows[i][op];

		if (strcmp(t.rows[i][kind], "latency_ns") ||
		    !strcmp(name, last) || strchr(name, '\''))
			continue;
		fprintf(f,
			"'%s' using (strcol('op') eq '%s' && strcol('kind') eq "
			"'latency_ns' ? column('bucket_low') : NaN):"
			"(column('count')) with impulses lw 3 title '%s', ",
			path, name, name);
		last = name;
		n++;
	}
	fputs("NaN notitle\n", f);
	fclose(f);
	csv_table_free(&t);
	if (!n) {
		free(body);
		return 0;
	}
	return add(p, "latency", body);
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
		{ "png", "pngcairo size 1000,600 noenhanced" },
		{ "svg", "svg size 1000,600 noenhanced" },
	};
	char tmp[PATH_MAX], final[PATH_MAX], *script = NULL;
	size_t len = 0;
	int i, f, err;
	FILE *s;

	s = open_memstream(&script, &len);
	if (!s)
		return -ENOMEM;
	fputs("set datafile separator comma\nset datafile columnheaders\n"
	      "set grid\n",
	      s);
	for (i = 0; i < p->nimg; i++) {
		for (f = 0; f < 2; f++) {
			snprintf(tmp, sizeof(tmp), "%s/.%s.%s.tmp", p->a.out,
				 p->img[i].name, fmt[f].ext);
			fprintf(s,
				"set terminal %s\nset output '%s'\n%s"
				"unset output\nreset session\n"
				"set datafile separator comma\nset datafile "
				"columnheaders\nset grid\n",
				fmt[f].terminal, tmp, p->img[i].body);
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
	if (err)
		goto out;
	if (!p.nimg) {
		ds_err("plot: nothing to plot in %s (no rounds.csv, sweep.csv "
		       "or histograms.csv)",
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
