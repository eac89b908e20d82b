// SPDX-License-Identifier: GPL-2.0
/*
 * The producer of the consumer benchmark (tests/perf/consumer_bench.c):
 * each run of `produce`, started by BPF_PROG_TEST_RUN (a raw tracepoint
 * program that no tracepoint fires), writes `batch` struct ds_event records
 * into a ring buffer that user space sizes like trace.bpf.c's, in the
 * operation mix of consumer_mix.h, filled the way trace.bpf.c fills a
 * tracepoint event (built in place, timestamp, task, comm). It counts what
 * it submitted, per row of the trace report, and what it could not: the
 * ground truth the consumer is checked against.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "trace_event.h"
#include "consumer_mix.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 22); /* set by user space */
} events SEC(".maps");

/* Set by user space: events per run. */
__u32 batch;

/* One producer at a time (the benchmark's producer thread), so plain
 * increments: user space reads these once that thread has ended. */
__u64 seq;					 /* events attempted */
__u64 drops;					 /* ring buffer full */
__u64 submitted[DS_OP__COUNT + DS_CAUSE__COUNT]; /* per report row */
__u64 dirty_pages;				 /* over submitted events */

/* A cheap spread of sizes and durations (xorshift-multiply of seq), so the
 * histograms fill many buckets, as real latencies do. */
static __always_inline __u64 spread(__u64 x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	return x;
}

static __always_inline void fill(struct ds_event *ev, __u32 op, __u32 cause,
				 __u64 n)
{
	__u64 x = spread(n), len = 4096ull << (x % 10);

	ev->iova = n << 21;
	ev->length = len;
	switch (op) {
	case DS_OP_MAP_CALL:
		ev->dur_ns = 300 + x % 20000;
		break;
	case DS_OP_UNMAP_CALL:
		ev->aux = len; /* bytes unmapped */
		ev->dur_ns = 500 + x % 40000;
		break;
	case DS_OP_IOTLB_FLUSH:
		ev->aux = cause;
		ev->dur_ns = 100 + x % 5000;
		ev->length = 0;
		break;
	case DS_OP_WALK:
		ev->hwpt_id = 1;
		ev->dur_ns = 10000 + x % 1000000;
		break;
	case DS_OP_READ_CLEAR:
	case DS_OP_SYNC_NOCLEAR:
		ev->hwpt_id = 1;
		ev->iova = 0;
		ev->length = 1ull << 30;
		ev->page_size = 4096;
		ev->dirty_pages = x % 262144;
		ev->dirty_bytes = ev->dirty_pages * 4096;
		ev->dirty_records = ev->dirty_pages;
		ev->dur_ns = 20000 + x % 2000000;
		ev->walk_ns = ev->dur_ns / 2;
		ev->walk_calls = 1;
		if (op == DS_OP_READ_CLEAR) {
			ev->iotlb_flushes = 1;
			ev->iotlb_ns = x % 5000;
		} else {
			ev->flags = DS_GET_DIRTY_NO_CLEAR;
		}
		break;
	}
}

static long emit(__u32 idx, void *ctx)
{
	/* Read as volatile: else clang folds the table into the code and
	 * drops the bounds checks the verifier needs. */
	__u32 entry = ((volatile const __u32 *)cb_mix)[seq & (CB_MIX_LEN - 1)];
	__u32 op = CB_OP(entry), cause = CB_CAUSE(entry);
	__u64 id = bpf_get_current_pid_tgid(), n = seq++;
	struct ds_event *ev;

	if (op >= DS_OP__COUNT || cause >= DS_CAUSE__COUNT)
		return 1;
	ev = bpf_ringbuf_reserve(&events, sizeof(*ev), 0);
	if (!ev) {
		drops++;
		return 0;
	}
	__builtin_memset(ev, 0, sizeof(*ev));
	ev->op = op;
	ev->ts_ns = bpf_ktime_get_ns();
	ev->pid = id >> 32;
	ev->tid = (__u32)id;
	bpf_get_current_comm(ev->comm, sizeof(ev->comm));
	fill(ev, op, cause, n);
	submitted[op]++;
	if (op == DS_OP_IOTLB_FLUSH)
		submitted[DS_OP__COUNT + cause]++;
	dirty_pages += ev->dirty_pages;
	bpf_ringbuf_submit(ev, 0);
	return 0;
}

SEC("raw_tp")
int produce(void *ctx)
{
	bpf_loop(batch, emit, NULL, 0);
	return 0;
}
