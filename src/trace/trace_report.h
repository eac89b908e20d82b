/* SPDX-License-Identifier: GPL-2.0 */
/* Aggregation of trace events into the terminal tables and CSV files. */
#ifndef DIRTYSCOPE_TRACE_REPORT_H
#define DIRTYSCOPE_TRACE_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "hist.h"
#include "outfile.h"
#include "snapshot.h"
#include "trace_event.h"

/* Rows of the summary: every operation, then IOTLB flushes per cause. */
#define REPORT_ROWS (DS_OP__COUNT + DS_CAUSE__COUNT)

struct op_stats {
	uint64_t count;
	uint64_t errors;	/* operations that returned an error */
	uint64_t bytes;		/* see docs/csv.md, per operation */
	uint64_t dirty_pages;	/* of reads whose count is known */
	uint64_t dirty_unknown; /* reads whose bitmap could not be read back */
	uint64_t dirty_records;
	uint64_t dirty_bytes;
	uint64_t redirty_pages;
	uint64_t redirty_base; /* dirty pages of analysed reads but the first */
	uint64_t walk_ns;
	uint64_t iotlb_flushes;
	uint64_t iotlb_ns;
	struct hist lat;  /* ns; only operations with a duration */
	struct hist size; /* bytes; map and unmap only */
};

struct report_stats {
	struct op_stats row[REPORT_ROWS];
};

struct trace_report {
	struct report_stats total;
	struct report_stats interval;
	uint64_t counters[DS_CNT__COUNT]; /* from the BPF side */
	uint64_t consumed;		  /* events read from the ring */
	uint64_t lost_reported;		  /* drops in intervals written */
	/* map/unmap sizes at the last report_sizes() */
	struct ds_size_hist sizes_seen[DS_SIZES__COUNT];
	uint64_t duration_ns;
	uint32_t hwpt_filter;	/* --hwpt; 0: all */
	bool json;		/* --json: no tables */
	bool iopte_stats;	/* the per-IOPTE probe was loaded */
	unsigned int intervals; /* intervals written */
	const char *csv_dir;
	struct outfile syncs;	     /* syncs.csv, streamed */
	struct outfile interval_csv; /* intervals.csv, streamed */
	struct outfile summary;	     /* summary.csv, at the end */
	struct outfile histograms;   /* histograms.csv, at the end */
};

/* The report's output files, as one set for outfile_commit_all(). */
#define REPORT_FILES 4

const char *ds_op_name(unsigned int op);
/* Row name: an op, or "iotlb_flush:<cause>". */
const char *report_row_name(unsigned int row);
bool ds_op_is_dirty_read(unsigned int op);

int report_init(struct trace_report *r, const char *csv_dir);
void report_add(struct trace_report *r, const struct ds_event *e);
/* The kernel's map/unmap size counts (DS_SIZES__COUNT, cumulative): what
 * changed since the last call goes into the run and the interval. */
void report_sizes(struct trace_report *r, const struct ds_size_hist *now);
/* The loader's snapshot: its counters, and its sizes unless unread. */
void report_snapshot(struct trace_report *r, const struct trace_snapshot *s);
/* The whole run: operations, dirty reads, IOTLB flushes, loss. */
void report_print(const struct trace_report *r, FILE *out);
/* End an interval: print its table (or JSON line), append it to
 * intervals.csv, reset. */
void report_interval(struct trace_report *r, FILE *out, uint64_t ts_ns);
/* One JSON document on one line: the summary (s = &r->total) or the
 * current interval. 0 or -errno. (src/trace/trace_json.c) */
int report_print_json(const struct trace_report *r,
		      const struct report_stats *s, bool interval, FILE *out);
/* Write summary.csv and histograms.csv to their temp files; nothing is in
 * place yet. */
int report_prepare_csv(struct trace_report *r);
/* The REPORT_FILES output files, to be committed with the caller's own. */
void report_outfiles(struct trace_report *r, struct outfile **o);
/* report_prepare_csv() and all the files in place, or none of them. */
int report_write_csv(struct trace_report *r);
/* Drop unfinished output files. */
void report_abort(struct trace_report *r);

#endif
