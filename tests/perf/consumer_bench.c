// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE /* pthread_setname_np */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include "clock.h"
#include "consumer_bench.h"
#include "consumer_bench.skel.h"
#include "log.h"
#include "trace.skel.h"
#include "tracer.h"

/* One event in the ring: the record and its header, 8-byte aligned. */
#define RECORD_BYTES \
	((sizeof(struct ds_event) + BPF_RINGBUF_HDR_SZ + 7) / 8 * 8)

struct producer {
	const struct cb_opts *o;
	int prog_fd;
	/* The ring's consumer and producer positions (bytes), mapped
	 * read-only: libbpf stores the consumer position after each
	 * callback, so it is how far the consumer really is. */
	const unsigned long *cons_pos;
	const unsigned long *prod_pos;
	unsigned long ring_size;
	uint64_t t_start, t_end, cpu_ns;
	unsigned long peak_fill; /* most bytes unread before a run */
	int err;
	int done; /* atomic: the producer has finished */
	int stop; /* atomic: the consumer failed, give up */
};

static unsigned long load_pos(const unsigned long *pos)
{
	return __atomic_load_n(pos, __ATOMIC_ACQUIRE);
}

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* Time this thread spent runnable but waiting for a CPU (ns; the second
 * field of schedstat): the cores are shared, and a consumer kept waiting
 * longer than the ring lasts drops events however fast it is. 0 if the
 * kernel does not say. */
static uint64_t thread_wait_ns(void)
{
	unsigned long long run, wait = 0;
	FILE *f = fopen("/proc/thread-self/schedstat", "r");

	if (!f)
		return 0;
	if (fscanf(f, "%llu %llu", &run, &wait) != 2)
		wait = 0;
	fclose(f);
	return wait;
}

/* Wait while the consumer is more than limit bytes behind. */
static void wait_consumer(struct producer *p, unsigned long limit)
{
	while (load_pos(p->prod_pos) - load_pos(p->cons_pos) > limit &&
	       !__atomic_load_n(&p->stop, __ATOMIC_RELAXED))
		sched_yield();
}

/* CB_PACED: a run is due every batch / rate seconds. A producer late by
 * more than a quarter ring's worth of events (the machine is shared, it
 * was kept off the CPU) starts the schedule again: making up every missed
 * run in one burst would overflow the ring whatever the consumer's speed. */
static void wait_due(const struct producer *p, uint64_t *due)
{
	uint64_t now = now_ns(), events = p->ring_size / 4 / RECORD_BYTES;
	struct timespec ts = { .tv_sec = *due / 1000000000ull,
			       .tv_nsec = *due % 1000000000ull };

	if (now < *due)
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
	else if (now - *due > events * 1000000000ull / p->o->rate)
		*due = now;
	*due += p->o->batch * 1000000000ull / p->o->rate;
}

static void *produce(void *arg)
{
	struct producer *p = arg;
	LIBBPF_OPTS(bpf_test_run_opts, topts);
	uint64_t runs = p->o->events / p->o->batch, i, due;

	pthread_setname_np(pthread_self(), "cb-producer");
	p->t_start = now_ns();
	due = p->t_start;
	for (i = 0; i < runs; i++) {
		unsigned long fill;

		if (p->o->mode == CB_FLOW_CONTROL)
			wait_consumer(p, p->ring_size / 2);
		else if (p->o->mode == CB_PACED)
			wait_due(p, &due);
		fill = load_pos(p->prod_pos) - load_pos(p->cons_pos);
		if (fill > p->peak_fill)
			p->peak_fill = fill;
		if (bpf_prog_test_run_opts(p->prog_fd, &topts)) {
			p->err = -errno;
			break;
		}
	}
	/* The end of the measurement: the consumer has read everything. */
	if (!p->err)
		wait_consumer(p, 0);
	p->t_end = now_ns();
	p->cpu_ns = thread_cpu_ns();
	__atomic_store_n(&p->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* What `dirtyscope trace` does per event (src/cli/cmd_trace.c). */
static int on_event(void *ctx, const struct ds_event *e)
{
	struct cb_sink *sink = ctx;

	if (report_add(&sink->report, e))
		report_csv_event(&sink->csv, e);
	return 0;
}

/* The size of the ring buffer dirtyscope trace uses, from its skeleton
 * (opened, not loaded). 0 if it cannot be read. */
static uint32_t trace_ring_bytes(void)
{
	struct trace_bpf *skel = trace_bpf__open();
	uint32_t size;

	if (!skel)
		return 0;
	size = bpf_map__max_entries(skel->maps.events);
	trace_bpf__destroy(skel);
	return size;
}

static void collect(const struct consumer_bench_bpf *skel,
		    struct cb_result *res)
{
	unsigned int i;

	res->produced = skel->bss->seq;
	res->drops = skel->bss->drops;
	for (i = 0; i < REPORT_ROWS; i++)
		res->submitted[i] = skel->bss->submitted[i];
	res->dirty_pages = skel->bss->dirty_pages;
}

int cb_run(const struct cb_opts *o, struct cb_sink *sink, struct cb_result *res)
{
	struct tracer_opts topts = { .who = "bench_consumer",
				     .on_event = on_event,
				     .ctx = sink };
	struct trace_report *report = &sink->report;
	struct producer p = { .o = o };
	struct consumer_bench_bpf *skel;
	long page = sysconf(_SC_PAGESIZE);
	void *cons = MAP_FAILED, *prod = MAP_FAILED;
	struct tracer t = {};
	pthread_t thread;
	uint64_t consumed_before = report->consumed, cpu0, wait0, start;
	uint64_t next_tick;
	int map_fd, err;

	memset(res, 0, sizeof(*res));
	if (!o->batch || o->events % o->batch ||
	    (o->mode == CB_PACED && !o->rate)) {
		ds_err("bench_consumer: events must be a multiple of batch, "
		       "and a paced run needs a rate");
		return -EINVAL;
	}
	skel = consumer_bench_bpf__open();
	if (!skel) {
		err = -errno;
		ds_err("bench_consumer: cannot open the producer: %s",
		       strerror(-err));
		return err;
	}
	res->ring_bytes = o->ring_bytes ? o->ring_bytes : trace_ring_bytes();
	if (!res->ring_bytes) {
		err = -ENOENT;
		ds_err("bench_consumer: cannot read the ring size of "
		       "trace.bpf.c");
		goto cleanup;
	}
	bpf_map__set_max_entries(skel->maps.events, res->ring_bytes);
	err = consumer_bench_bpf__load(skel);
	if (err) {
		ds_err("bench_consumer: cannot load the producer: %s",
		       strerror(-err));
		goto cleanup;
	}
	skel->bss->batch = o->batch;
	map_fd = bpf_map__fd(skel->maps.events);
	p.prog_fd = bpf_program__fd(skel->progs.produce);
	p.ring_size = res->ring_bytes;
	cons = mmap(NULL, page, PROT_READ, MAP_SHARED, map_fd, 0);
	prod = mmap(NULL, page, PROT_READ, MAP_SHARED, map_fd, page);
	if (cons == MAP_FAILED || prod == MAP_FAILED) {
		err = -errno;
		ds_err("bench_consumer: cannot map the ring positions: %s",
		       strerror(-err));
		goto cleanup;
	}
	p.cons_pos = cons;
	p.prod_pos = prod;
	err = tracer_open_ring(&t, &topts, map_fd);
	if (err)
		goto cleanup;
	err = -pthread_create(&thread, NULL, produce, &p);
	if (err) {
		ds_err("bench_consumer: cannot start the producer: %s",
		       strerror(-err));
		goto cleanup;
	}
	cpu0 = thread_cpu_ns();
	wait0 = thread_wait_ns();
	start = now_ns();
	next_tick = o->interval_ns ? start + o->interval_ns : UINT64_MAX;
	/* The consumer loop of `dirtyscope trace` (src/cli/cmd_trace.c). */
	while (!__atomic_load_n(&p.done, __ATOMIC_ACQUIRE)) {
		err = tracer_poll(&t, 100);
		if (err) {
			__atomic_store_n(&p.stop, 1, __ATOMIC_RELAXED);
			break;
		}
		if (now_ns() >= next_tick) {
			report_interval_end(report);
			report_print_interval(report, o->interval_out);
			report_csv_interval(&sink->csv, report,
					    now_ns() - start);
			report_interval_reset(report);
			next_tick += o->interval_ns;
		}
	}
	res->cpu_ns = thread_cpu_ns() - cpu0;
	res->cpu_wait_ns = thread_wait_ns() - wait0;
	pthread_join(thread, NULL);
	if (err) {
		ds_err("bench_consumer: reading the ring buffer: %s",
		       strerror(-err));
		goto cleanup;
	}
	if (p.err) {
		err = p.err;
		ds_err("bench_consumer: BPF_PROG_TEST_RUN: %s", strerror(-err));
		goto cleanup;
	}
	tracer_drain(&t);
	collect(skel, res);
	res->consumed = report->consumed - consumed_before;
	res->ns = p.t_end - p.t_start;
	res->producer_cpu_ns = p.cpu_ns;
	res->peak_fill_bytes = p.peak_fill;
cleanup:
	tracer_close(&t);
	if (cons != MAP_FAILED)
		munmap(cons, page);
	if (prod != MAP_FAILED)
		munmap(prod, page);
	consumer_bench_bpf__destroy(skel);
	return err;
}
