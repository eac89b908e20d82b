// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "experiment.h"
#include "log.h"
#include "writer.h"

void bench_report_failure(const char *what, const struct backend *b,
			  const char *failed, int err)
{
	if (err == -EINTR)
		ds_err("bench: interrupted");
	else if (failed == b->msg)
		ds_err("bench: %s: %s: %s", what, failed, strerror(-err));
	else
		ds_err("bench: %s: %s failed: %s", what,
		       failed ? failed : "migration", strerror(-err));
}

static int run_one(struct experiment *x, struct backend *b,
		   const struct experiment_plan *p, struct bench_run *run,
		   const struct workload_config *wcfg)
{
	struct mig_config cfg = {
		.strategy = run->strategy,
		.chunk_bytes = run->chunk_bytes,
		.bandwidth = run->bandwidth,
		.downtime_ns = p->downtime_ns,
		.max_rounds = p->max_rounds,
		.sched = p->sched,
		.interrupted = p->interrupted,
	};
	struct mig_hooks hooks = { p->prof.round_end, p->prof.ctx };
	struct workload *wl = NULL;
	struct writer w = {};
	const char *failed = NULL;
	bool writing = false, tracking = false, writer_failed = false;
	int err, err2;

	page_log_reset(&x->log);
	/* Enabling clears every dirty bit: each run starts clean. */
	err = b->ops->set_tracking(b, true);
	if (err) {
		failed = b->failed;
		goto out;
	}
	tracking = true;
	if (p->prof.ctx)
		p->prof.run_start(p->prof.ctx);
	if (run->rate > 0) {
		wl = workload_new(wcfg);
		if (!wl) {
			failed = "creating the workload";
			err = -ENOMEM;
			goto out;
		}
		err = writer_start(&w, b, wl, &x->log, run->rate);
		if (err) {
			failed = "starting the writer thread";
			goto out;
		}
		writing = true;
	}
	err = migrate(b, writing ? &w : NULL, &x->log, &cfg,
		      p->prof.ctx ? &hooks : NULL, &run->res, &failed);
out:
	if (writing) {
		err2 = writer_stop(&w);
		if (err2 && !err) {
			err = err2;
			failed = w.failed;
			writer_failed = true;
		}
	}
	run->writes = x->log.writes;
	workload_free(wl);
	if (tracking) {
		err2 = b->ops->set_tracking(b, false);
		if (err2 && !err) {
			err = err2;
			failed = b->failed;
		}
	}
	if (err) {
		char what[64];

		snprintf(what, sizeof(what), "run %u (%s)%s", run->run,
			 strategy_name(run->strategy),
			 writer_failed ? ": writer thread" : "");
		bench_report_failure(what, b, failed, err);
	}
	return err;
}

/* Run r's settings: the plan's, the swept parameter at its point. */
static void run_settings(const struct experiment_plan *p, struct bench_run *r)
{
	r->chunk_bytes = p->chunk;
	r->rate = p->rate;
	r->bandwidth = p->bandwidth;
	if (!p->nsweep)
		return;
	if (!strcmp(p->sweep_param, "chunk"))
		r->chunk_bytes = p->sweep[r->point];
	else if (!strcmp(p->sweep_param, "rate"))
		r->rate = p->sweep[r->point];
	else
		r->bandwidth = p->sweep[r->point];
}

int experiment_run(struct experiment *x, struct backend *b,
		   const struct experiment_plan *p)
{
	unsigned int npoints = p->nsweep ? p->nsweep : 1, point, rep, k;
	unsigned int total = npoints * p->repeat * (p->auto_ + p->manual);
	int err;

	memset(x, 0, sizeof(*x));
	x->runs = calloc(total, sizeof(*x->runs));
	if (!x->runs || page_log_init(&x->log, p->workload.pages)) {
		ds_err("bench: out of memory for %" PRIu64 " pages",
		       p->workload.pages);
		return -ENOMEM;
	}
	for (point = 0; point < npoints; point++) {
		for (rep = 0; rep < p->repeat; rep++) {
			for (k = 0; k < 2; k++) {
				enum strategy s = (k ^ (rep & 1))
							  ? STRATEGY_MANUAL
							  : STRATEGY_AUTO;
				struct workload_config wcfg = p->workload;
				struct bench_run *r;

				if ((s == STRATEGY_AUTO && !p->auto_) ||
				    (s == STRATEGY_MANUAL && !p->manual))
					continue;
				r = &x->runs[x->nruns];
				r->run = x->nruns + 1;
				r->point = point;
				r->repeat = rep;
				r->strategy = s;
				run_settings(p, r);
				/* Same seed for both strategies of a repeat. */
				wcfg.seed = p->seed + rep;
				err = run_one(x, b, p, r, &wcfg);
				x->nruns++;
				if (err)
					return err;
				ds_info("run %u/%u %-6s: %u rounds, %" PRIu64
					" pages sent, %" PRIu64
					" redundant, %.1f ms",
					r->run, total, strategy_name(s),
					r->res.nrounds, r->res.pages_sent,
					r->res.pages_redundant,
					r->res.migration_ns / 1e6);
			}
		}
	}
	return 0;
}

void experiment_free(struct experiment *x)
{
	for (unsigned int i = 0; i < x->nruns; i++)
		mig_result_free(&x->runs[i].res);
	free(x->runs);
	x->runs = NULL;
	x->nruns = 0;
	page_log_free(&x->log);
}
