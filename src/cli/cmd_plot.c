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
#include "plot.h"

static const struct argp_option options[] = {
	{ "out", 'o', "DIR", 0, "Write the images here (default: DIR)" },
	{},
};

static const struct argp_child children[] = {
	{ &opt_verbose },
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
	children,
};

static bool have(const char *dir, const char *file, char *path, size_t len)
{
	snprintf(path, len, "%s/%s", dir, file);
	return access(path, R_OK) == 0;
}

/* trace -p writes a rounds.csv of its own, the traced QEMU's rounds
 * (docs/csv.md), whose first column is followed by start_ns: not bench's,
 * whose images plot_rounds() draws. */
static bool is_bench_rounds(const char *path)
{
	char head[64] = "";
	FILE *f = fopen(path, "r");

	if (f) {
		if (!fgets(head, sizeof(head), f))
			head[0] = '\0';
		fclose(f);
	}
	return strncmp(head, "round,start_ns,", 15) != 0;
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
	if (have(p.a.dir, "rounds.csv", path, sizeof(path)) &&
	    is_bench_rounds(path))
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
