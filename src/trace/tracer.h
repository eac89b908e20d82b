/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The BPF side of dirtyscope, loaded and attached: what `trace` runs on its
 * own, `bench` beside its migration loop, and `probes` only to report.
 *
 * One loader in explicit phases, so that every command goes through the
 * same steps and `probes` says exactly what `trace` would do:
 *   prepare  open the object, set its read-only data, drop the optional
 *            programs no option asked for, select by kernel BTF/kallsyms
 *   load     verify and load what was selected
 *   attach   attach each loaded program, each result kept per probe
 *   start    the ring buffer the events arrive through
 * A phase that fails returns -errno with one error line in t->error and
 * prints nothing; tracer_open() runs all four, printing that line and the
 * warnings a user of trace wants (probes skipped, probes not attached).
 */
#ifndef DIRTYSCOPE_TRACER_H
#define DIRTYSCOPE_TRACER_H

#include <stdbool.h>
#include <stdint.h>
#include <bpf/libbpf.h>
#include "probe_select.h"
#include "snapshot.h"
#include "trace_event.h"

struct trace_bpf;

struct tracer_opts {
	const char *who; /* command name for error lines */
	uint32_t pid;	 /* only this process (0: all) */
	/* --hwpt: the HWPT --bitmap-analysis follows (0: the first read),
	 * and the only one whose reads' walks and flushes are counted */
	uint32_t hwpt;
	bool bitmap_analysis;
	bool iopte_stats;  /* load the per-IOPTE probe (also for analysis) */
	bool call_latency; /* time every iommu_map/unmap and qi_submit call */
	/* The uprobes on pid's binary too (trace -p: a QEMU's migration);
	 * not for bench, which filters on its own process. */
	bool vmm_probes;
	bool all_probes; /* the optional programs too (probes) */
	/* A probe that loaded but does not attach fails the attach phase
	 * (bench: its numbers need every probe). Without it, the rest are
	 * attached (trace, probes). */
	bool every_probe;
	/* Called for each event, from tracer_poll/tracer_drain. */
	int (*on_event)(void *ctx, const struct ds_event *e);
	void *ctx;
};

struct tracer {
	struct trace_bpf *skel;
	struct ring_buffer *rb;
	/* Every program still to load after prepare, with its verdict. */
	struct probe_status probes[PROBE_MAX];
	size_t nprobes;
	int nlinks;
	const struct tracer_opts *opts;
	char exe[32];	 /* "/proc/PID/exe": the uprobes' binary, "" for none */
	char error[256]; /* the failed phase's line, without "dirtyscope: " */
	/* The first failed read of a BPF map, -errno, kept: numbers summed
	 * from a partial read are wrong, so every later snapshot fails. */
	int read_err;
};

/* Returns the number of usable probes (0 is not an error here). */
int tracer_prepare(struct tracer *t, const struct tracer_opts *opts);
int tracer_load(struct tracer *t);
/* Returns the number of probes attached. */
int tracer_attach(struct tracer *t);
int tracer_start(struct tracer *t);

/* All four phases; on failure prints one error line, closes the tracer and
 * returns -errno. Returns the number of probes attached. */
int tracer_open(struct tracer *t, const struct tracer_opts *opts);
/* Deliver the events of another BPF object's ring buffer map (map_fd)
 * through the same callback, without loading or attaching anything: what
 * tests/perf/bench_consumer.c measures. tracer_snapshot() then reports
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
/* What the kernel counted rather than sent, as of now. 0 or the first
 * failed read's -errno (t->read_err), also when an earlier read failed;
 * the caller fails, since the numbers are wrong. */
int tracer_snapshot(struct tracer *t, struct trace_snapshot *s);
/* Detach and unload. Safe twice and after a failed phase. */
void tracer_close(struct tracer *t);

#endif
