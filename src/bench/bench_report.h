/* SPDX-License-Identifier: GPL-2.0 */
/* bench's results: runs.csv, rounds.csv, sweep.csv, the verdict, JSON. */
#ifndef DIRTYSCOPE_BENCH_REPORT_H
#define DIRTYSCOPE_BENCH_REPORT_H

#include <stdint.h>
#include <stdio.h>
#include "migration.h"

/* One migration: its settings and what happened. */
struct bench_run {
	unsigned int run;    /* 1, 2, ... in execution order */
	unsigned int point;  /* sweep point, 0 without --sweep */
	unsigned int repeat; /* 0 .. --repeat - 1 */
	enum strategy strategy;
	uint64_t chunk_bytes;
	double rate;	  /* pages/s */
	double bandwidth; /* bytes/s */
	uint64_t writes;  /* page writes the device made */
	struct mig_result res;
};

/* What all runs share. */
struct bench_meta {
	const char *backend;
	const char *workload;
	const char *backing;	 /* the buffer's pages (backing.h) */
	const char *sweep_param; /* NULL without --sweep */
	uint64_t size_bytes;
	uint64_t page_size;
	uint64_t seed;
	bool profiled;	   /* the tracer ran: iotlb/kernel columns */
	bool ground_truth; /* writes known: redundancy columns */
};

const char *strategy_name(enum strategy s);
double run_redundant_pct(const struct bench_run *r);
void write_runs_csv(FILE *f, const struct bench_meta *m,
		    const struct bench_run *runs, unsigned int n);
void write_rounds_csv(FILE *f, const struct bench_meta *m,
		      const struct bench_run *runs, unsigned int n);
/* Pages reported per page written (received_pages / received_written);
 * 0 when nothing written was reported. */
double run_amplification(const struct bench_run *r);
void write_sweep_csv(FILE *f, const struct bench_meta *m,
		     const struct bench_run *runs, unsigned int n);
/* The side-by-side table, auto vs manual, of the runs of one point, and
 * the one-line answer. Only one strategy: its numbers, no comparison. */
void print_verdict(FILE *f, const struct bench_meta *m,
		   const struct bench_run *runs, unsigned int n,
		   unsigned int point);
int write_bench_json(FILE *f, const struct bench_meta *m,
		     const struct bench_run *runs, unsigned int n);

#endif
