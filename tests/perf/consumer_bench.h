/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The consumer benchmark: a producer thread runs the BPF program of
 * tests/perf/consumer_bench.bpf.c (BPF_PROG_TEST_RUN) to fill a ring buffer
 * with struct ds_event records while the calling thread consumes them the
 * way `dirtyscope trace` does: tracer_poll() of src/trace/tracer.c, its ring
 * buffer callback, report_add() of src/trace/trace_report.c and the
 * outputs of report_output.h, as trace calls them.
 *
 * With flow control the producer waits while more than half the ring is
 * unread, so nothing is dropped and the rate is what the consumer sustains
 * (as long as the producer is the faster side, which a flat-out run with
 * drops shows). Paced, the producer keeps a fixed rate whatever the
 * consumer does, as the kernel would: the drops say whether the consumer
 * keeps up with that rate. Flat out, the ring drops what the consumer does
 * not keep up with.
 */
#ifndef DIRTYSCOPE_CONSUMER_BENCH_H
#define DIRTYSCOPE_CONSUMER_BENCH_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "report_output.h"

enum cb_mode {
	CB_FLOW_CONTROL, /* wait while more than half the ring is unread */
	CB_PACED,	 /* a run every batch / rate seconds */
	CB_FLAT_OUT,	 /* runs back to back */
};

struct cb_opts {
	uint64_t events; /* to produce, drops included; a multiple of batch */
	uint32_t batch;	 /* events per BPF program run */
	enum cb_mode mode;
	uint64_t rate;	     /* CB_PACED: events per second */
	uint32_t ring_bytes; /* a power of 2; 0: trace.bpf.c's ring size */
	/* As `trace INTERVAL`: an interval table to interval_out (and
	 * intervals.csv) every interval_ns (0: never). */
	uint64_t interval_ns;
	FILE *interval_out;
};

struct cb_result {
	/* Counted by the BPF producer. */
	uint64_t produced; /* events attempted */
	uint64_t drops;	   /* reservations that failed: ring full */
	/* Events in the ring per report row: operation, then IOTLB flush
	 * per cause (as struct report_stats). */
	uint64_t submitted[REPORT_ROWS];
	uint64_t dirty_pages; /* summed over the events in the ring */
	/* Measured by user space. */
	uint32_t ring_bytes;	  /* the ring's size */
	uint64_t peak_fill_bytes; /* most unread, seen before a run */
	uint64_t consumed;    /* callbacks run: what report->consumed grew by */
	uint64_t ns;	      /* first run started to last event consumed */
	uint64_t cpu_ns;      /* CPU time of the consuming thread meanwhile */
	uint64_t cpu_wait_ns; /* ... and its time runnable, waiting for one */
	/* CPU time of the producer thread, its flow-control waits included */
	uint64_t producer_cpu_ns;
};

/* What `trace --csv` consumes into (src/cli/cmd_trace.c): the aggregation
 * and its CSV files. */
struct cb_sink {
	struct trace_report report;
	struct trace_csv csv;
};

/* Run once, aggregating into sink (report_init()ed, and its CSV opened if
 * wanted, by the caller, who also writes or aborts the files). 0, or
 * -errno after one error line; everything loaded is unloaded on every
 * path. */
int cb_run(const struct cb_opts *o, struct cb_sink *sink,
	   struct cb_result *res);

#endif
