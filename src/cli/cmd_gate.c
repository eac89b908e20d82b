// SPDX-License-Identifier: GPL-2.0
/*
 * dirtyscope gate: for kernel and VMM CI. Compares the runs.csv of two bench
 * result folders and exits 0 (no regression), 1 (regression) or 2 (bad
 * input). Method: docs/gate.md.
 */
#include <argp.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "commands.h"
#include "csv_read.h"
#include "gate.h"
#include "log.h"
#include "options.h"
#include "outfile.h"

struct gate_args {
	const char *baseline, *current, *rules, *junit;
};

/*
 * Options with no short name (keys past the characters): the letter each
 * would take means another option in another command (trace -b, bench -c
 * and -r, -j is --json), and a CI job reads better with the long ones.
 */
enum { OPT_BASELINE = 256, OPT_CURRENT, OPT_RULES, OPT_JUNIT };

static const struct argp_option options[] = {
	{ "baseline", OPT_BASELINE, "DIR", 0,
	  "bench --csv folder of the reference" },
	{ "current", OPT_CURRENT, "DIR", 0, "bench --csv folder to judge" },
	{ "rules", OPT_RULES, "FILE", 0,
	  "Thresholds per metric (docs/gate.md)" },
	{ "junit", OPT_JUNIT, "FILE", 0,
	  "Also write the verdicts as JUnit XML" },
	{},
};

static const struct argp_child children[] = {
	{ &opt_verbose },
	{},
};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct gate_args *a = state->input;

	switch (key) {
	case OPT_BASELINE:
		a->baseline = arg;
		break;
	case OPT_CURRENT:
		a->current = arg;
		break;
	case OPT_RULES:
		a->rules = arg;
		break;
	case OPT_JUNIT:
		a->junit = arg;
		break;
	case ARGP_KEY_ARG:
		return ds_arg_error("gate: unexpected argument '%s'", arg);
	case ARGP_KEY_END:
		if (!a->baseline || !a->current)
			return ds_arg_error("gate: --baseline DIR and "
					    "--current DIR are required");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp argp = {
	options,
	parse_opt,
	NULL,
	"Compare the runs.csv of two bench --csv folders, per metric and "
	"strategy. Exit 0: no regression (inconclusive checks do not fail), "
	"1: regression, 2: bad input.",
	children,
};

static int load_runs(struct csv_table *t, const char *dir, const char *what)
{
	char path[PATH_MAX], err[512];
	struct stat st;

	if (stat(dir, &st)) {
		ds_err("gate: %s folder '%s': %s", what, dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		ds_err("gate: %s '%s' is not a folder", what, dir);
		return -1;
	}
	if (snprintf(path, sizeof(path), "%s/runs.csv", dir) >=
	    (int)sizeof(path)) {
		ds_err("gate: %s folder name too long", what);
		return -1;
	}
	if (csv_read_file(t, path, path, err, sizeof(err))) {
		ds_err("gate: %s", err);
		return -1;
	}
	return 0;
}

static int write_junit(const char *file, const struct gate_report *rep)
{
	char d[PATH_MAX], b[PATH_MAX];
	struct outfile o;
	int err;

	if (snprintf(d, sizeof(d), "%s", file) >= (int)sizeof(d)) {
		ds_err("gate: --junit: name too long");
		return -1;
	}
	snprintf(b, sizeof(b), "%s", file);
	err = outfile_open(&o, dirname(d), basename(b));
	if (!err) {
		gate_write_junit(o.f, rep);
		err = outfile_commit(&o);
	}
	if (err) {
		ds_err("gate: cannot write %s: %s", file, strerror(-err));
		return -1;
	}
	return 0;
}

int cmd_gate(int argc, char **argv)
{
	struct gate_args a = {};
	struct csv_table base = {}, cur = {};
	struct gate_config cfg;
	struct gate_report rep = {};
	char err[512];
	int ret = 2;

	if (argp_parse(&argp, argc, argv, 0, NULL, &a))
		return 2;
	gate_config_default(&cfg);
	if (a.rules && gate_rules_load(&cfg, a.rules, err, sizeof(err))) {
		ds_err("gate: %s", err);
		return 2;
	}
	if (load_runs(&base, a.baseline, "baseline") ||
	    load_runs(&cur, a.current, "current"))
		goto out;
	if (gate_compare(&cfg, &base, &cur, &rep, err, sizeof(err))) {
		ds_err("gate: %s", err);
		goto out;
	}
	gate_print_table(stdout, &rep);
	fflush(stdout);
	if (a.junit && write_junit(a.junit, &rep))
		goto out;
	ret = rep.regressions ? 1 : 0;
out:
	gate_report_free(&rep);
	csv_table_free(&base);
	csv_table_free(&cur);
	return ret;
}
