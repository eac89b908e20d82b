/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench's experiment engine, without the command line: every run of a
 * plan on an opened backend, in the order point, repeat, strategy (which
 * strategy goes first alternates, so drift in the machine favours
 * neither), each a modelled migration (migration.h) with the device
 * writing the plan's workload (writer.h) into the page log (page_log.h),
 * the ground truth of redundancy.
 *
 * A profiler beside the runs (bench's tracer) plugs in through hooks: told
 * when a run starts, asked for each round's kernel-side numbers. The engine
 * knows nothing of BPF.
 */
#ifndef DIRTYSCOPE_EXPERIMENT_H
#define DIRTYSCOPE_EXPERIMENT_H

#include <stdbool.h>
#include <stdint.h>
#include "backend.h"
#include "bench_report.h"
#include "migration.h"
#include "page_log.h"
#include "schedule.h"
#include "workload.h"

struct profiler_hooks {
	/* Tracking is on, nothing of the run done yet. */
	void (*run_start)(void *ctx);
	/* After each round: the profiler's numbers for it go into r. */
	void (*round_end)(void *ctx, struct mig_round *r);
	void *ctx; /* NULL hooks: not profiled */
};

struct experiment_plan {
	bool auto_, manual; /* the strategies to run */
	double rate;	    /* device page writes per second, 0: none */
	double bandwidth;   /* bytes per second on the modelled link */
	uint64_t chunk;	    /* manual clear chunk, bytes */
	uint64_t downtime_ns;
	unsigned int max_rounds;
	unsigned int repeat; /* runs per strategy and point */
	uint64_t seed;	     /* of repeat 0; repeat k uses seed + k */
	/* --sweep: chunk, rate or bandwidth takes each value in turn. */
	const char *sweep_param;
	const uint64_t *sweep;
	unsigned int nsweep;
	const struct schedule *sched; /* NULL or the test hook's writes */
	struct workload_config workload;
	const volatile int *interrupted;
	struct profiler_hooks prof;
};

struct experiment {
	struct page_log log;
	struct bench_run *runs;
	unsigned int nruns; /* done, the failed one included */
};

/* The runs of plan p on the opened backend b, each logged with ds_info.
 * 0, or -errno after one error line ("bench: run N (strategy): ..."). */
int experiment_run(struct experiment *x, struct backend *b,
		   const struct experiment_plan *p);
void experiment_free(struct experiment *x);

/* One error line for a failed step of bench: what failed, the backend's
 * sentence or step (backend.h), or "interrupted". */
void bench_report_failure(const char *what, const struct backend *b,
			  const char *failed, int err);

#endif
