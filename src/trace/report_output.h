/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The outputs of trace's aggregation (trace_report.h), each called by the
 * command: terminal tables (report_table.c), JSON (report_json.c) and the
 * CSV folder (report_csv.c, docs/csv.md). None of them changes a count.
 */
#ifndef DIRTYSCOPE_REPORT_OUTPUT_H
#define DIRTYSCOPE_REPORT_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>
#include "outfile.h"
#include "trace_report.h"

/* The whole run: operations, dirty reads, IOTLB flushes, loss. */
void report_print(const struct trace_report *r, FILE *out);
/* The interval just ended: its time, the loss so far, its operations. */
void report_print_interval(const struct trace_report *r, FILE *out);
/* One JSON document on one line: the summary (s = &r->total) or the
 * interval just ended. 0 or -errno. */
int report_print_json(const struct trace_report *r,
		      const struct report_stats *s, bool interval, FILE *out);

/* Everything counted so far for Prometheus: the text format 0.0.4, or
 * OpenMetrics 1.0.0 (openmetrics). 0 or -errno. (report_metrics.c) */
int report_print_metrics(const struct trace_report *r, bool openmetrics,
			 FILE *f);

/* The CSV folder: syncs.csv and intervals.csv streamed, summary.csv and
 * histograms.csv at the end; all committed together, or none. */
struct trace_csv {
	const char *dir;
	struct outfile syncs;
	struct outfile intervals;
	struct outfile summary;
	struct outfile histograms;
	/* trace -p only (r->vmm), never in bench's set: bench writes a
	 * rounds.csv of its own */
	struct outfile rounds;
	uint64_t lost_reported; /* drops in intervals written */
};

/* The files of one set, for outfile_commit_all() with the caller's own. */
#define REPORT_FILES 4

/* Prepare dir and open syncs.csv. 0 or -errno. */
int report_csv_open(struct trace_csv *c, const char *dir);
/* A dirty read's syncs.csv row (other events: nothing). */
void report_csv_event(struct trace_csv *c, const struct ds_event *e);
/* The interval just ended, into intervals.csv (opened at the first). */
void report_csv_interval(struct trace_csv *c, const struct trace_report *r,
			 uint64_t ts_ns);
/* summary.csv and histograms.csv into their temp files; nothing is in
 * place yet. */
int report_csv_prepare(struct trace_csv *c, const struct trace_report *r);
/* The REPORT_FILES files, to be committed with the caller's own. */
void report_csv_outfiles(struct trace_csv *c, struct outfile **o);
/* report_csv_prepare(), rounds.csv if r->vmm, and all the files in
 * place, or none of them. */
int report_csv_write(struct trace_csv *c, const struct trace_report *r);
/* Drop unfinished files. Safe on a set never opened. */
void report_csv_abort(struct trace_csv *c);

#endif
