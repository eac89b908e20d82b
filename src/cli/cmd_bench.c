// SPDX-License-Identifier: GPL-2.0
/*
 * dirtyscope bench: does manual clear pay off? Runs a modelled pre-copy
 * migration of one dirty-tracked mapping while an emulated device keeps
 * writing it, once with auto-clear and once with manual-clear per repeat
 * (same seed, alternating order), with the profiler attached to count the
 * kernel side (IOTLB invalidations, reads), and prints the verdict.
 */
#include <argp.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "backend.h"
#include "bench_report.h"
#include "commands.h"
#include "experiment.h"
#include "log.h"
#include "migration.h"
#include "options.h"
#include "outfile.h"
#include "parse.h"
#include "schedule.h"
#include "report_output.h"
#include "tracer.h"
#include "workload.h"

#define MAX_SWEEP 32

struct bench_args {
	const char *backend;
	struct backend_config bcfg;
	bool auto_, manual;
	const char *workload;
	double rate;
	double bandwidth;
	uint64_t chunk;
	uint64_t downtime_ns;
	unsigned int max_rounds;
	unsigned int repeat;
	const char *sweep_param;
	uint64_t sweep[MAX_SWEEP];
	unsigned int nsweep;
	const char *schedule;
	bool no_trace;
	struct common_opts c; /* size, seed, device, group, csv, json */
};

/*
 * Options with no short name (keys past the characters): the letter each
 * would take means another option, here or in another command.
 */
enum {
	OPT_STRATEGY = 256,
	OPT_SCHEDULE,
	OPT_BACKING,
	OPT_BANDWIDTH,
	OPT_DOWNTIME,
};

static const struct argp_option options[] = {
	{ "backend", 'B', "NAME", 0,
	  "mock (default), iommufd (--device), vfio-type1, vfio-manual-clear "
	  "(--group)" },
	{ "strategy", OPT_STRATEGY, "auto|manual|both", 0, "Default both" },
	{ "backing", OPT_BACKING, "PAGES", 0,
	  "4k (default), thp, hugetlb-2m, hugetlb-1g: the buffer's pages, "
	  "so the IOPTE size (mock, iommufd)" },
	{ "workload", 'w', "SPEC", 0,
	  "uniform (default), hotcold[:90/10], zipf[:S], ring[:PAGES], "
	  "bursty[:LEN]" },
	{ "rate", 'r', "PAGES/S", 0,
	  "Device writes per second (default 20000)" },
	{ "bandwidth", OPT_BANDWIDTH, "BYTES/S", 0,
	  "Modelled link, e.g. 256M (default 256M per second)" },
	{ "chunk", 'c', "SIZE", 0, "Manual clear chunk (default 128M)" },
	{ "downtime", OPT_DOWNTIME, "SECONDS", 0,
	  "Stop when the rest fits (default 0.3)" },
	{ "max-rounds", 'm', "N", 0,
	  "Rounds after the first copy (default 30)" },
	{ "repeat", 'n', "N", 0, "Runs per strategy (default 1)" },
	{ "sweep", 'W', "PARAM=V1,V2,...", 0,
	  "chunk=1M,16M,...; rate=...; bandwidth=...: one point per value" },
	{ "schedule", OPT_SCHEDULE, "SPEC", 0,
	  "Test hook: writes at given rounds (see docs/bench.md)" },
	{ "no-trace", 'T', NULL, 0, "Do not attach the profiler" },
	{},
};

static const struct argp_child children[] = {
	{ &opt_size }, { &opt_seed }, { &opt_device },	{ &opt_group },
	{ &opt_csv },  { &opt_json }, { &opt_verbose }, {},
};

/* PARAM=V1,V2,...; a second --sweep replaces the first. */
static int parse_sweep(struct bench_args *a, char *arg)
{
	char *eq = strchr(arg, '=');

	if (!eq)
		return -EINVAL;
	*eq = '\0';
	if (strcmp(arg, "chunk") && strcmp(arg, "rate") &&
	    strcmp(arg, "bandwidth"))
		return -EINVAL;
	if (parse_size_list(eq + 1, a->sweep, MAX_SWEEP, &a->nsweep))
		return -EINVAL;
	a->sweep_param = arg;
	return 0;
}

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct bench_args *a = state->input;
	uint64_t v;

	switch (key) {
	case ARGP_KEY_INIT:
		common_opts_init(state, children, &a->c);
		break;
	case 'B':
		if (!backend_find(arg))
			return ds_arg_error("bench: unknown backend '%s'", arg);
		a->backend = arg;
		break;
	case OPT_STRATEGY:
		a->auto_ = !strcmp(arg, "auto") || !strcmp(arg, "both");
		a->manual = !strcmp(arg, "manual") || !strcmp(arg, "both");
		if (!a->auto_ && !a->manual)
			return ds_arg_error("bench: invalid strategy '%s'",
					    arg);
		break;
	case OPT_BACKING:
		if (backing_parse(arg, &a->bcfg.backing))
			return ds_arg_error("bench: invalid --backing '%s' "
					    "(4k, thp, hugetlb-2m, "
					    "hugetlb-1g)",
					    arg);
		break;
	case 'w':
		a->workload = arg;
		break;
	case 'r':
		if (parse_size(arg, &v))
			return ds_arg_error("bench: invalid --rate '%s'", arg);
		a->rate = v;
		break;
	case OPT_BANDWIDTH:
		if (parse_size(arg, &v) || !v)
			return ds_arg_error("bench: invalid --bandwidth '%s'",
					    arg);
		a->bandwidth = v;
		break;
	case 'c':
		if (parse_size(arg, &a->chunk) || !a->chunk)
			return ds_arg_error("bench: invalid --chunk '%s'", arg);
		break;
	case OPT_DOWNTIME:
		if (parse_seconds(arg, &a->downtime_ns))
			return ds_arg_error("bench: invalid --downtime '%s'",
					    arg);
		break;
	case 'm':
		if (parse_u64(arg, &v) || !v || v > 10000)
			return ds_arg_error("bench: invalid --max-rounds '%s'",
					    arg);
		a->max_rounds = v;
		break;
	case 'n':
		if (parse_u64(arg, &v) || !v || v > 1000)
			return ds_arg_error("bench: invalid --repeat '%s'",
					    arg);
		a->repeat = v;
		break;
	case 'W':
		if (parse_sweep(a, arg))
			return ds_arg_error("bench: invalid --sweep (want "
					    "chunk|rate|bandwidth=V1,V2,...)");
		break;
	case OPT_SCHEDULE:
		a->schedule = arg;
		break;
	case 'T':
		a->no_trace = true;
		break;
	case ARGP_KEY_ARG:
		return ds_arg_error("bench: unexpected argument '%s'", arg);
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp argp = {
	options,
	parse_opt,
	NULL,
	"Drive dirty tracking through a modelled pre-copy migration while the "
	"device writes, with auto-clear and manual-clear, and compare: pages "
	"sent, redundant pages, migration time, clear cost and IOTLB "
	"invalidations. The mock backend makes the device write (ground "
	"truth); on real hardware the user's traffic dirties pages. --csv "
	"writes runs.csv, rounds.csv, sweep.csv and the profiler's files. "
	"Root.",
	children,
};

static volatile int interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

/* Everything one bench invocation holds, released by bench_cleanup(). */
struct bench {
	struct bench_args a;
	struct backend b;
	bool opened;
	struct schedule sched;
	struct experiment x;
	struct tracer t;
	struct trace_snapshot snap; /* the tracer's counts, read per round */
	bool traced;
	uint64_t lost_seen; /* the drop counter at the last round end */
	/* The profiler's aggregation when traced: its interval is the
	 * current round. */
	struct trace_report *report;
	struct trace_csv csv; /* its files beside runs.csv, --csv */
	char workload[64];
};

/* Profiler events of this process, aggregated as trace does. */
static int on_event(void *ctx, const struct ds_event *e)
{
	struct bench *bn = ctx;

	if (report_add(bn->report, e))
		report_csv_event(&bn->csv, e);
	return 0;
}

/*
 * What the kernel counted since the last call (the walks and IOTLB
 * flushes, counted there, not sent) into the report's interval; returns
 * the events the ring buffer had no room for since then: what the round's
 * profiled numbers are missing. A failed read is kept by the tracer and
 * fails the run at its final snapshot, before any result goes out.
 */
static uint64_t read_kernel_counts(struct bench *bn)
{
	uint64_t lost;

	if (tracer_snapshot(&bn->t, &bn->snap))
		return 0;
	report_snapshot(bn->report, &bn->snap);
	lost = bn->snap.counters[DS_CNT_DROPS] - bn->lost_seen;
	bn->lost_seen = bn->snap.counters[DS_CNT_DROPS];
	return lost;
}

/* A run starts: what the ring holds and the kernel counted belong to no
 * round of it. */
static void run_start(void *ctx)
{
	struct bench *bn = ctx;

	tracer_consume(&bn->t);
	read_kernel_counts(bn);
	report_interval_reset(bn->report);
}

static void round_end(void *ctx, struct mig_round *r)
{
	struct bench *bn = ctx;
	struct report_sums sums;

	/* The round's ioctls have returned: their events are in the ring,
	 * their walks and flushes counted. */
	tracer_consume(&bn->t);
	r->lost_events = read_kernel_counts(bn);
	report_interval_sums(bn->report, &sums);
	r->iotlb_invalidations = sums.iotlb_flushes;
	r->iotlb_ns = sums.iotlb_ns;
	r->kernel_reads = sums.dirty_reads;
	r->kernel_dirty_pages = sums.dirty_pages;
	report_interval_reset(bn->report);
}

/* runs.csv, rounds.csv, sweep.csv and the profiler's files: all in place,
 * or none of them. */
static int write_outputs(struct bench *bn, const struct bench_meta *m)
{
	struct outfile runs = {}, rounds = {}, sweep = {};
	struct outfile *set[3 + REPORT_FILES] = { &runs, &rounds, &sweep };
	size_t n = 3;
	int err;

	err = outfile_open(&runs, bn->a.c.csv_dir, "runs.csv");
	if (!err)
		err = outfile_open(&rounds, bn->a.c.csv_dir, "rounds.csv");
	if (!err && m->sweep_param)
		err = outfile_open(&sweep, bn->a.c.csv_dir, "sweep.csv");
	if (!err && bn->csv.dir)
		err = report_csv_prepare(&bn->csv, bn->report);
	if (err)
		goto fail;
	write_runs_csv(runs.f, m, bn->x.runs, bn->x.nruns);
	write_rounds_csv(rounds.f, m, bn->x.runs, bn->x.nruns);
	if (sweep.f)
		write_sweep_csv(sweep.f, m, bn->x.runs, bn->x.nruns);
	if (bn->csv.dir) {
		report_csv_outfiles(&bn->csv, set + n);
		n += REPORT_FILES;
	}
	return outfile_commit_all(set, n);
fail:
	outfile_abort(&runs);
	outfile_abort(&rounds);
	outfile_abort(&sweep);
	report_csv_abort(&bn->csv);
	return err;
}

static void print_results(struct bench *bn, const struct bench_meta *m)
{
	unsigned int point, npoints = bn->a.nsweep ? bn->a.nsweep : 1;

	if (bn->a.c.json) {
		write_bench_json(stdout, m, bn->x.runs, bn->x.nruns);
		return;
	}
	printf("%s backend, %" PRIu64 " bytes in %" PRIu64
	       " B pages (%s backing), workload %s\n",
	       m->backend, m->size_bytes, m->page_size, m->backing,
	       m->workload);
	for (point = 0; point < npoints; point++) {
		if (bn->a.nsweep)
			printf("\n%s = %" PRIu64 ":\n", bn->a.sweep_param,
			       bn->a.sweep[point]);
		else
			putchar('\n');
		print_verdict(stdout, m, bn->x.runs, bn->x.nruns, point);
	}
}

/* The experiment the options describe, profiled when traced. */
static int run_all(struct bench *bn, const struct workload_config *wcfg)
{
	const struct bench_args *a = &bn->a;
	struct experiment_plan p = {
		.auto_ = a->auto_,
		.manual = a->manual,
		.rate = a->rate,
		.bandwidth = a->bandwidth,
		.chunk = a->chunk,
		.downtime_ns = a->downtime_ns,
		.max_rounds = a->max_rounds,
		.repeat = a->repeat,
		.seed = a->c.seed,
		.sweep_param = a->sweep_param,
		.sweep = a->sweep,
		.nsweep = a->nsweep,
		.sched = bn->sched.n ? &bn->sched : NULL,
		.workload = *wcfg,
		.interrupted = &interrupted,
	};

	if (bn->traced)
		p.prof = (struct profiler_hooks){ run_start, round_end, bn };
	return experiment_run(&bn->x, &bn->b, &p);
}

/* Close the backend if open: 0, or its error (printed). */
static int close_backend(struct bench *bn)
{
	int err;

	if (!bn->opened)
		return 0;
	bn->opened = false;
	err = backend_close(&bn->b);
	if (err)
		bench_report_failure("cleanup", &bn->b, bn->b.failed, err);
	return err;
}

/* 0, or the error of closing the backend (already printed). */
static int bench_cleanup(struct bench *bn)
{
	int err;

	if (bn->traced)
		tracer_close(&bn->t);
	report_csv_abort(&bn->csv);
	if (bn->report)
		report_free(bn->report);
	free(bn->report);
	err = close_backend(bn);
	schedule_free(&bn->sched);
	experiment_free(&bn->x);
	return err;
}

int cmd_bench(int argc, char **argv)
{
	struct bench *bn = calloc(1, sizeof(*bn));
	struct bench_args *a;
	struct workload_config wcfg = {};
	struct sigaction sa = { .sa_handler = on_signal };
	struct tracer_opts topts = {
		.who = "bench",
		.every_probe = true,
		.on_event = on_event,
	};
	struct bench_meta m = {};
	int err, status = 1;

	if (!bn) {
		ds_err("bench: out of memory");
		return 1;
	}
	a = &bn->a;
	*a = (struct bench_args){
		.backend = "mock",
		.auto_ = true,
		.manual = true,
		.workload = "uniform",
		.rate = 20000,
		.bandwidth = 256 << 20,
		.chunk = 128 << 20,
		.downtime_ns = 300000000,
		.max_rounds = 30,
		.repeat = 1,
		.c = { .size = 64 << 20, .seed = 1 },
	};
	if (argp_parse(&argp, argc, argv, 0, NULL, a)) {
		free(bn);
		return 2;
	}
	a->bcfg.size = a->c.size;
	a->bcfg.device = a->c.device;
	a->bcfg.group = a->c.group;
	if (workload_parse(a->workload, &wcfg)) {
		ds_err("bench: invalid --workload '%s'", a->workload);
		free(bn);
		return 2;
	}
	/*
	 * Before anything is made (temp CSV files, the mock device, the
	 * probes): a signal from here on ends the run with exit 1 through
	 * the cleanup below (tracking off, objects released, no output file),
	 * not by the default action, which left temp files behind.
	 */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (a->c.csv_dir) {
		err = outdir_prepare(a->c.csv_dir);
		if (err) {
			ds_err("bench: cannot write to %s: %s", a->c.csv_dir,
			       strerror(-err));
			free(bn);
			return 1;
		}
	}

	err = backend_open(&bn->b, a->backend, &a->bcfg);
	if (err) {
		bench_report_failure(a->backend, &bn->b, bn->b.failed, err);
		goto out;
	}
	bn->opened = true;
	if (a->manual && !bn->b.can_read_noclear) {
		ds_err("bench: the %s backend cannot read without clearing: "
		       "use --strategy auto (manual needs iommufd, mock or "
		       "vfio-manual-clear)",
		       a->backend);
		goto out;
	}
	if (a->rate > 0 && !bn->b.can_write) {
		ds_err("bench: dirtyscope cannot make a real device write: use "
		       "--rate 0 and let the device's own traffic dirty pages");
		goto out;
	}
	wcfg.pages = backend_pages(&bn->b);
	if (a->schedule) {
		err = schedule_parse(a->schedule, wcfg.pages, &bn->sched);
		if (err) {
			ds_err("bench: invalid --schedule '%s': %s",
			       a->schedule, strerror(-err));
			goto out;
		}
	}
	if (!a->no_trace) {
		topts.pid = getpid();
		topts.ctx = bn;
		bn->report = malloc(sizeof(*bn->report));
		if (!bn->report) {
			ds_err("bench: out of memory");
			goto out;
		}
		report_init(bn->report);
		/* The profiler's files go beside runs.csv. */
		err = a->c.csv_dir ? report_csv_open(&bn->csv, a->c.csv_dir)
				   : 0;
		if (err) {
			ds_err("bench: cannot write to %s: %s", a->c.csv_dir,
			       strerror(-err));
			goto out;
		}
		if (tracer_open(&bn->t, &topts) < 0) {
			/* tracer_open() printed the one error line. */
			ds_info("bench: the profiler is needed for the IOTLB "
				"and kernel columns; --no-trace runs without");
			goto out;
		}
		bn->traced = true;
	}
	if (interrupted) {
		ds_err("bench: interrupted");
		goto out;
	}
	if (run_all(bn, &wcfg))
		goto out;
	if (bn->traced) {
		/* Detached first: the profiler's files end with the runs. */
		tracer_drain(&bn->t);
		err = tracer_snapshot(&bn->t, &bn->snap);
		if (err) {
			ds_err("bench: reading the profiler's BPF maps failed: "
			       "%s",
			       strerror(-err));
			goto out;
		}
		report_snapshot(bn->report, &bn->snap);
	}
	workload_format(&wcfg, bn->workload, sizeof(bn->workload));
	m = (struct bench_meta){
		.backend = a->backend,
		.workload = bn->workload,
		.backing = backing_name(a->bcfg.backing),
		.sweep_param = a->nsweep ? a->sweep_param : NULL,
		.size_bytes = bn->b.length,
		.page_size = bn->b.page_size,
		.seed = a->c.seed,
		.profiled = bn->traced,
		/* Only a device the tool drives has a known write log. */
		.ground_truth = bn->b.can_write,
	};
	/* Before any result goes out: a failed cleanup (tracking left on,
	 * an object not destroyed) fails the run, and a failed run leaves no
	 * CSV. */
	if (close_backend(bn))
		goto out;
	print_results(bn, &m);
	fflush(stdout);
	if (a->c.csv_dir) {
		err = write_outputs(bn, &m);
		if (err) {
			ds_err("bench: writing CSV to %s failed: %s",
			       a->c.csv_dir, strerror(-err));
			goto out;
		}
	}
	status = 0;
out:
	if (bench_cleanup(bn))
		status = 1;
	free(bn);
	return status;
}
