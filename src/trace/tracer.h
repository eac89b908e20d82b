/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The BPF side of dirtyscope, loaded and attached: what `trace` runs on its
 * own and `bench` runs beside its migration loop. Probes the running kernel
 * lacks are turned off before load and summed up in one warning line.
 */
#ifndef DIRTYSCOPE_TRACER_H
#define DIRTYSCOPE_TRACER_H

#include <stdbool.h>
#include <stdint.h>
#include <bpf/libbpf.h>
#include "probe_select.h"
#include "trace_event.h"

struct trace_bpf;

struct tracer_opts {
	const char *who; /* command name for error lines */
	uint32_t pid;	 /* only this process (0: all) */
	uint32_t hwpt;	 /* --bitmap-analysis: this HWPT (0: first) */
	bool bitmap_analysis;
	bool iopte_stats; /* load the per-IOPTE probe (also for analysis) */
	/* A probe that loaded but does not attach fails the open (bench:
	 * its numbers need every probe). Without it, a warning per probe
	 * and the rest attached (trace). */
	bool every_probe;
	/* Called for each event, from tracer_poll/tracer_drain. */
	int (*on_event)(void *ctx, const struct ds_event *e);
	void *ctx;
};

struct tracer {
	struct trace_bpf *skel;
	struct ring_buffer *rb;
	struct bpf_link *links[PROBE_MAX];
	int nlinks;
	struct probe_status probes[PROBE_MAX];
	size_t nprobes;
	const struct tracer_opts *opts;
};

/* Load and attach. On failure prints one error line and returns -errno;
 * the tracer is then closed. Returns the number of probes attached. */
int tracer_open(struct tracer *t, const struct tracer_opts *opts);
/* Deliver the events of another BPF object's ring buffer map (map_fd)
 * through the same callback, without loading or attaching anything: what
 * tests/perf/bench_consumer.c measures. tracer_counters() then reports
 * nothing. 0 or -errno after one error line. */
int tracer_open_ring(struct tracer *t, const struct tracer_opts *opts,
		     int map_fd);
/* Wait for at most timeout_ms (less when the ring fills up), then deliver
 * every event in the ring. 0 or -errno (not -EINTR). */
int tracer_poll(struct tracer *t, int timeout_ms);
/* Deliver every event already in the ring buffer, without waiting. */
int tracer_consume(struct tracer *t);
/* Detach every probe, then deliver what is left: after this no event can
 * be produced, so delivered + lost == produced. */
void tracer_drain(struct tracer *t);
/* Sum the per-CPU counters (enum ds_counter) into out. */
void tracer_counters(struct tracer *t, uint64_t *out);
struct trace_report;
/* What the kernel counted rather than sent (counters, map/unmap sizes)
 * into the report, as of now. Warns if the sizes cannot be read. */
void tracer_collect(struct tracer *t, struct trace_report *r);
/* Detach and unload. Safe twice and after a failed open. */
void tracer_close(struct tracer *t);

#endif
