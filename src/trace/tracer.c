// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "caps.h"
#include "log.h"
#include "trace.skel.h"
#include "tracer.h"

/* --bitmap-analysis follows pages 0 .. 2^22 - 1: 16 MiB of state, 16 GiB
 * of IOVA at 4 KiB (the whole mock aperture at 2 KiB). */
#define ANALYSIS_PAGES (1u << 22)

static void detach_all(struct tracer *t)
{
	for (size_t i = 0; i < t->nprobes; i++) {
		bpf_link__destroy(t->probes[i].link);
		t->probes[i].link = NULL;
	}
	t->nlinks = 0;
}

/* The failed phase's line, with the command's name in front. */
static int fail(struct tracer *t, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct tracer *t, int err, const char *fmt, ...)
{
	int n = snprintf(t->error, sizeof(t->error), "%s: ", t->opts->who);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->error + n, sizeof(t->error) - n, fmt, ap);
	va_end(ap);
	return err;
}

static int on_sample(void *ctx, void *data, size_t size)
{
	struct tracer *t = ctx;

	if (size < sizeof(struct ds_event))
		return 0;
	return t->opts->on_event(t->opts->ctx, data);
}

static int open_ring(struct tracer *t, int map_fd)
{
	int err;

	t->rb = ring_buffer__new(map_fd, on_sample, t, NULL);
	if (!t->rb) {
		err = -errno;
		return fail(t, err, "cannot create ring buffer: %s",
			    strerror(-err));
	}
	return 0;
}

/* One line that tells the user what to fix. EACCES is also the
 * verifier's answer to a program it rejects, and EPERM the kernel's
 * under lockdown: only without the capabilities is it the user's
 * privilege. */
static int explain_load_error(struct tracer *t, int err)
{
	bool privileged = caps_can_trace();

	switch (-err) {
	case EACCES:
	case EPERM:
		if (!privileged)
			return fail(t, err,
				    "not permitted to load BPF programs: run "
				    "as root (needs CAP_BPF and CAP_PERFMON)");
		if (err == -EACCES)
			return fail(t, err,
				    "the kernel's verifier rejected a BPF "
				    "program (run with -v for its log)");
		break;
	case ENOSYS:
		return fail(
			t, err,
			"the kernel has no BPF support (CONFIG_BPF_SYSCALL)");
	}
	return fail(t, err,
		    "loading BPF programs failed: %s (run with -v for the "
		    "verifier log)",
		    strerror(-err));
}

int tracer_prepare(struct tracer *t, const struct tracer_opts *o)
{
	unsigned int wanted = 0;
	char why[200];
	int err;

	memset(t, 0, sizeof(*t));
	t->opts = o;
	ds_log_setup_libbpf();
	t->skel = trace_bpf__open();
	if (!t->skel) {
		err = -errno;
		return fail(t, err, "cannot open BPF object: %s",
			    strerror(-err));
	}
	t->skel->rodata->targ_tgid = o->pid;
	/* The per-IOPTE and per-call probes cost a program run per dirty
	 * IOPTE or map call: only loaded for what needs them
	 * (probe_optional()). --bitmap-analysis is done in the bitmap
	 * count at return. */
	if (o->iopte_stats) {
		t->skel->rodata->iopte_stats = true;
		wanted |= PROBE_OPT_IOPTE;
	}
	if (o->call_latency)
		wanted |= PROBE_OPT_CALLS;
	/* QEMU's functions are looked up in the traced process's binary,
	 * through /proc so that the uprobes attach to the very file it runs
	 * even if its path was replaced since. */
	if (o->pid && o->vmm_probes) {
		snprintf(t->exe, sizeof(t->exe), "/proc/%u/exe", o->pid);
		wanted |= PROBE_OPT_VMM;
		t->skel->rodata->round_marks = true;
	}
	if (!o->all_probes)
		probes_drop_optional(t->skel->obj, wanted);
	t->skel->rodata->targ_hwpt = o->hwpt;
	if (o->bitmap_analysis) {
		t->skel->rodata->bitmap_analysis = true;
		bpf_map__set_max_entries(t->skel->maps.page_gen,
					 ANALYSIS_PAGES / 64);
	}
	err = probes_select(t->skel->obj, t->exe[0] ? t->exe : NULL, t->probes,
			    &t->nprobes, why, sizeof(why));
	if (err < 0)
		return fail(t, err, "%s", why);
	return err;
}

int tracer_load(struct tracer *t)
{
	int err = trace_bpf__load(t->skel);

	return err ? explain_load_error(t, err) : 0;
}

/* A uprobe's section names no binary: it goes on the traced process's
 * binary, for that process only (the BPF side filters by PID too). */
static struct bpf_link *attach_user(struct tracer *t,
				    const struct probe_status *p)
{
	LIBBPF_OPTS(bpf_uprobe_opts, uo, .func_name = p->target,
		    .retprobe = !strcmp(p->kind, "uretprobe"));

	return bpf_program__attach_uprobe_opts(p->prog, t->opts->pid, t->exe, 0,
					       &uo);
}

int tracer_attach(struct tracer *t)
{
	for (size_t i = 0; i < t->nprobes; i++) {
		struct probe_status *p = &t->probes[i];

		if (p->why)
			continue;
		p->link = p->user ? attach_user(t, p)
				  : bpf_program__attach(p->prog);
		if (!p->link) {
			p->attach_err = -errno;
			if (t->opts->every_probe)
				return fail(t, p->attach_err,
					    "attaching %s failed: %s",
					    p->attach,
					    strerror(-p->attach_err));
			continue;
		}
		ds_debug("attached %s (%s)", p->name, p->attach);
		t->nlinks++;
	}
	return t->nlinks;
}

/* The uprobes that did not attach (a kernel without CONFIG_UPROBES fails
 * them all alike): one line for all, as for the ones skipped. */
static void report_user_attach(const struct tracer *t)
{
	const struct probe_status *last = NULL;
	size_t failed = 0;

	for (size_t i = 0; i < t->nprobes; i++)
		if (t->probes[i].user && t->probes[i].attach_err) {
			failed++;
			last = &t->probes[i];
		}
	if (last)
		ds_warn("PID %u: %zu uprobes on QEMU's functions not attached "
			"(%s: %s)",
			t->opts->pid, failed, last->attach,
			strerror(-last->attach_err));
}

int tracer_start(struct tracer *t)
{
	return open_ring(t, bpf_map__fd(t->skel->maps.events));
}

int tracer_open(struct tracer *t, const struct tracer_opts *o)
{
	int usable, attached, err;

	usable = tracer_prepare(t, o);
	if (usable == 0) {
		probes_report_skipped(t->probes, t->nprobes);
		if (t->exe[0])
			probes_report_user(t->probes, t->nprobes, o->pid);
		err = fail(t, -ENOENT,
			   "nothing to trace: this kernel has none of the "
			   "probe points dirtyscope knows");
		goto fail;
	}
	err = usable < 0 ? usable : tracer_load(t);
	if (err)
		goto fail;
	probes_report_skipped(t->probes, t->nprobes);
	if (t->exe[0])
		probes_report_user(t->probes, t->nprobes, o->pid);
	attached = tracer_attach(t);
	if (attached < 0) {
		err = attached;
		goto fail;
	}
	for (size_t i = 0; i < t->nprobes; i++)
		if (t->probes[i].attach_err && !t->probes[i].user)
			ds_warn("cannot attach %s: %s", t->probes[i].attach,
				strerror(-t->probes[i].attach_err));
	report_user_attach(t);
	if (!attached) {
		err = fail(t, -ENOENT,
			   "no probe could be attached (run with -v)");
		goto fail;
	}
	err = tracer_start(t);
	if (!err)
		return attached;
fail:
	ds_err("%s", t->error);
	tracer_close(t);
	return err;
}

int tracer_open_ring(struct tracer *t, const struct tracer_opts *o, int map_fd)
{
	int err;

	memset(t, 0, sizeof(*t));
	t->opts = o;
	err = open_ring(t, map_fd);
	if (err) {
		ds_err("%s", t->error);
		tracer_close(t);
	}
	return err;
}

int tracer_poll(struct tracer *t, int timeout_ms)
{
	/* The BPF side wakes us only when the ring fills up: take what is
	 * there after the wait, woken or not. */
	int err = ring_buffer__poll(t->rb, timeout_ms);

	if (err >= 0 || err == -EINTR)
		err = ring_buffer__consume(t->rb);
	return err < 0 && err != -EINTR ? err : 0;
}

int tracer_consume(struct tracer *t)
{
	int err = ring_buffer__consume(t->rb);

	return err < 0 ? err : 0;
}

void tracer_drain(struct tracer *t)
{
	detach_all(t);
	if (t->rb)
		ring_buffer__consume(t->rb);
}

/*
 * A per-CPU array of nkeys values of size bytes (a multiple of 8, as the
 * kernel hands per-CPU values out): for each key, add() every CPU's value
 * into out[key]. 0 or -errno.
 */
static int percpu_sum(int fd, uint32_t nkeys, size_t size, void *out,
		      void (*add)(void *sum, const void *cpu))
{
	int ncpu = libbpf_num_possible_cpus(), c;
	uint32_t key;
	char *vals;

	if (ncpu < 0)
		return ncpu;
	vals = calloc(ncpu, size);
	if (!vals)
		return -ENOMEM;
	for (key = 0; key < nkeys; key++) {
		if (bpf_map_lookup_elem(fd, &key, vals)) {
			free(vals);
			return -errno;
		}
		for (c = 0; c < ncpu; c++)
			add((char *)out + key * size, vals + c * size);
	}
	free(vals);
	return 0;
}

static void add_counter(void *sum, const void *cpu)
{
	*(uint64_t *)sum += *(const uint64_t *)cpu;
}

/* The map/unmap size histograms, enum ds_sizes. */
static void add_size(void *sum, const void *cpu)
{
	struct ds_size_hist *o = sum;
	const struct ds_size_hist *v = cpu;

	o->count += v->count;
	o->bytes += v->bytes;
	if (v->max > o->max)
		o->max = v->max;
	for (size_t i = 0; i < DS_HIST_BUCKETS; i++)
		o->bucket[i] += v->bucket[i];
}

/* The calls, walks and flushes counted, enum ds_calls. */
static void add_call(void *sum, const void *cpu)
{
	struct ds_call_stats *o = sum;
	const struct ds_call_stats *v = cpu;

	if (!v->count)
		return;
	if (!o->count || v->lat_min < o->lat_min)
		o->lat_min = v->lat_min;
	if (v->lat_max > o->lat_max)
		o->lat_max = v->lat_max;
	o->count += v->count;
	o->errors += v->errors;
	o->bytes += v->bytes;
	o->iotlb_flushes += v->iotlb_flushes;
	o->iotlb_ns += v->iotlb_ns;
	o->lat_sum += v->lat_sum;
	for (size_t i = 0; i < DS_HIST_BUCKETS; i++)
		o->bucket[i] += v->bucket[i];
}

/* The per-CPU counters (enum ds_counter), summed into out. */
static int tracer_counters(struct tracer *t, uint64_t *out)
{
	memset(out, 0, DS_CNT__COUNT * sizeof(*out));
	/* A tracer over another object's ring (tracer_open_ring) has no
	 * maps of its own: nothing counted, nothing wrong. */
	if (!t->skel)
		return 0;
	if (!t->read_err)
		t->read_err = percpu_sum(bpf_map__fd(t->skel->maps.counters),
					 DS_CNT__COUNT, sizeof(*out), out,
					 add_counter);
	return t->read_err;
}

int tracer_snapshot(struct tracer *t, struct trace_snapshot *s)
{
	memset(s, 0, sizeof(*s));
	if (tracer_counters(t, s->counters) || !t->skel)
		return t->read_err;
	t->read_err =
		percpu_sum(bpf_map__fd(t->skel->maps.sizes), DS_SIZES__COUNT,
			   sizeof(s->sizes[0]), s->sizes, add_size);
	if (!t->read_err)
		t->read_err = percpu_sum(bpf_map__fd(t->skel->maps.call_stats),
					 DS_CALLS__COUNT, sizeof(s->calls[0]),
					 s->calls, add_call);
	/* The running total the VMM's rounds are marked with: one value
	 * for every CPU, in the object's .bss. */
	s->flushes = __atomic_load_n(&t->skel->bss->flushes_so_far,
				     __ATOMIC_RELAXED);
	s->flush_ns = __atomic_load_n(&t->skel->bss->flush_ns_so_far,
				      __ATOMIC_RELAXED);
	return t->read_err;
}

void tracer_close(struct tracer *t)
{
	detach_all(t);
	ring_buffer__free(t->rb);
	t->rb = NULL;
	trace_bpf__destroy(t->skel);
	t->skel = NULL;
}
