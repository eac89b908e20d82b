/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The aggregation of trace events: per operation and per invalidation
 * cause, over the whole run and the current interval. Pure: no output
 * here; the tables, CSV and JSON (report_output.h) read what it holds.
 */
#ifndef DIRTYSCOPE_TRACE_REPORT_H
#define DIRTYSCOPE_TRACE_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include "hist.h"
#include "ops.h"
#include "snapshot.h"
#include "trace_event.h"

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

/*
 * One migration round of the traced VMM (trace -p QEMU): from one dirty
 * bitmap sync's entry to the next's. The kernel's events are attributed to
 * the round they arrive in: the ring buffer hands them over in the order
 * they were sent, and the round's event is sent at the sync's entry, before
 * the kernel reads the sync makes. The IOTLB flushes, counted in the
 * kernel, not sent, are what the kernel's running total grew by from the
 * round's event to the next's, or to the last snapshot for the last round.
 */
struct vmm_round {
	uint64_t start_ns;    /* the sync's entry, CLOCK_MONOTONIC */
	uint64_t last_stage;  /* the sync of the migration's completion */
	uint64_t log_syncs;   /* memory_global_dirty_log_sync calls */
	uint64_t sync_ns;     /* the bitmap sync's own time */
	uint64_t vmm_reads;   /* QEMU's VFIO dirty reads */
	uint64_t dirty_reads; /* the kernel's dirty reads */
	uint64_t dirty_pages; /* ... their dirty pages */
	uint64_t iotlb_flushes;
	uint64_t iotlb_ns;
	uint32_t flush_mark; /* the kernel's total at the start, mod 2^32 */
	uint64_t flush_ns_mark;
};

struct trace_report {
	struct report_stats total;
	struct report_stats interval;
	uint64_t counters[DS_CNT__COUNT]; /* from the BPF side */
	uint64_t consumed;		  /* events read from the ring */
	/* map/unmap sizes and calls at the last report_snapshot() */
	struct ds_size_hist sizes_seen[DS_SIZES__COUNT];
	struct ds_call_stats calls_seen[DS_CALLS__COUNT];
	uint64_t duration_ns;
	uint32_t hwpt_filter;	/* --hwpt; 0: all */
	bool iopte_stats;	/* the per-IOPTE probe was loaded */
	unsigned int intervals; /* intervals ended */
	/* trace -p: the VMM's rounds are reported (rounds.csv, the table) */
	bool vmm;
	struct vmm_round *rounds; /* grown by report_add() */
	size_t nrounds;
	size_t rounds_cap;
	uint64_t rounds_lost; /* rounds not kept: out of memory */
};

void report_init(struct trace_report *r);
/* What report_add() allocated (the VMM's rounds). */
void report_free(struct trace_report *r);
/* Count one event; false when --hwpt filtered it out. */
bool report_add(struct trace_report *r, const struct ds_event *e);
/* The kernel's map/unmap size counts (DS_SIZES__COUNT, cumulative): what
 * changed since the last call goes into the run and the interval. */
void report_sizes(struct trace_report *r, const struct ds_size_hist *now);
/* The kernel's call, walk, flush and qi_submit counts (DS_CALLS__COUNT,
 * cumulative), as report_sizes(). */
void report_calls(struct trace_report *r, const struct ds_call_stats *now);
/* The loader's snapshot: its counters, sizes and calls, and the flush
 * total that ends the VMM's last round so far. */
void report_snapshot(struct trace_report *r, const struct trace_snapshot *s);
/* An interval ends: r->intervals numbers it for the outputs, which read
 * r->interval before report_interval_reset() starts the next. */
void report_interval_end(struct trace_report *r);
void report_interval_reset(struct trace_report *r);

/* What bench takes from a round (the interval): every dirty read, their
 * dirty pages, the IOTLB invalidations and their time. */
struct report_sums {
	uint64_t dirty_reads;
	uint64_t dirty_pages;
	uint64_t iotlb_flushes;
	uint64_t iotlb_ns;
};

void report_interval_sums(const struct trace_report *r, struct report_sums *s);

#endif
