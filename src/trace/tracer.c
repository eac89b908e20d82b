// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "log.h"
#include "trace.skel.h"
#include "trace_report.h"
#include "tracer.h"

/* --bitmap-analysis follows pages 0 .. 2^22 - 1: 16 MiB of state, 16 GiB
 * of IOVA at 4 KiB (the whole mock aperture at 2 KiB). */
#define ANALYSIS_PAGES (1u << 22)

/* The number of probes attached, or -errno with the error line printed
 * (opts->every_probe). */
static int attach_all(struct tracer *t)
{
	struct bpf_program *prog;

	bpf_object__for_each_program (prog, t->skel->obj) {
		struct bpf_link *link;
		int err;

		if (!bpf_program__autoload(prog) || t->nlinks >= PROBE_MAX)
			continue;
		link = bpf_program__attach(prog);
		if (!link) {
			err = -errno;
			if (t->opts->every_probe) {
				ds_err("%s: attaching %s failed: %s",
				       t->opts->who,
				       bpf_program__section_name(prog),
				       strerror(-err));
				return err;
			}
			ds_warn("cannot attach %s: %s",
				bpf_program__section_name(prog),
				strerror(-err));
			continue;
		}
		ds_debug("attached %s", bpf_program__section_name(prog));
		t->links[t->nlinks++] = link;
	}
	return t->nlinks;
}

static void detach_all(struct tracer *t)
{
	int i;

	for (i = 0; i < t->nlinks; i++)
		bpf_link__destroy(t->links[i]);
	t->nlinks = 0;
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
		ds_err("%s: cannot create ring buffer: %s", t->opts->who,
		       strerror(-err));
		return err;
	}
	return 0;
}

/* One line that tells the user what to fix. */
static void explain_load_error(const char *who, int err)
{
	switch (-err) {
	case EPERM:
	case EACCES:
		ds_err("%s: not permitted to load BPF programs: run as root "
		       "(needs CAP_BPF and CAP_PERFMON)",
		       who);
		break;
	case ENOSYS:
		ds_err("%s: the kernel has no BPF support (CONFIG_BPF_SYSCALL)",
		       who);
		break;
	default:
		ds_err("%s: loading BPF programs failed: %s (run with -v for "
		       "the verifier log)",
		       who, strerror(-err));
	}
}

int tracer_open(struct tracer *t, const struct tracer_opts *o)
{
	int err;

	memset(t, 0, sizeof(*t));
	t->opts = o;
	ds_log_setup_libbpf();
	if (access("/sys/kernel/btf/vmlinux", R_OK)) {
		err = -errno;
		if (err == -ENOENT)
			ds_err("%s: kernel BTF not found at "
			       "/sys/kernel/btf/vmlinux (needs "
			       "CONFIG_DEBUG_INFO_BTF)",
			       o->who);
		else
			ds_err("%s: reading /sys/kernel/btf/vmlinux failed: %s",
			       o->who, strerror(-err));
		return err;
	}
	t->skel = trace_bpf__open();
	if (!t->skel) {
		err = -errno;
		ds_err("%s: cannot open BPF object: %s", o->who,
		       strerror(-err));
		return err;
	}
	t->skel->rodata->targ_tgid = o->pid;
	/* The per-IOPTE probe costs a program run per dirty IOPTE: only
	 * loaded for what needs it (probe_optional()). */
	if (o->iopte_stats || o->bitmap_analysis)
		t->skel->rodata->iopte_stats = true;
	else
		bpf_program__set_autoload(t->skel->progs.bitmap_set, false);
	if (o->bitmap_analysis) {
		t->skel->rodata->bitmap_analysis = true;
		t->skel->rodata->analysis_hwpt = o->hwpt;
		bpf_map__set_max_entries(t->skel->maps.page_seq,
					 ANALYSIS_PAGES);
	}
	err = probes_select(t->skel->obj, t->probes, &t->nprobes);
	if (err < 0) {
		ds_err("%s: reading /sys/kernel/btf/vmlinux failed: %s", o->who,
		       strerror(-err));
		goto fail;
	}
	if (!err) {
		probes_report_skipped(t->probes, t->nprobes);
		ds_err("%s: nothing to trace: this kernel has none of the "
		       "probe points dirtyscope knows",
		       o->who);
		err = -ENOENT;
		goto fail;
	}
	err = trace_bpf__load(t->skel);
	if (err) {
		explain_load_error(o->who, err);
		goto fail;
	}
	probes_report_skipped(t->probes, t->nprobes);
	err = attach_all(t);
	if (err < 0)
		goto fail;
	if (!err) {
		ds_err("%s: no probe could be attached (run with -v)", o->who);
		err = -ENOENT;
		goto fail;
	}
	err = open_ring(t, bpf_map__fd(t->skel->maps.events));
	if (err)
		goto fail;
	return t->nlinks;
fail:
	tracer_close(t);
	return err;
}

int tracer_open_ring(struct tracer *t, const struct tracer_opts *o, int map_fd)
{
	int err;

	memset(t, 0, sizeof(*t));
	t->opts = o;
	err = open_ring(t, map_fd);
	if (err)
		tracer_close(t);
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

/* Sum the per-CPU map/unmap size histograms (enum ds_sizes) into out.
 * 0 or -errno. */
static int tracer_sizes(struct tracer *t, struct ds_size_hist *out)
{
	int ncpu = libbpf_num_possible_cpus(), fd, c, err = 0;
	struct ds_size_hist *vals;
	uint32_t key;
	size_t i;

	memset(out, 0, DS_SIZES__COUNT * sizeof(*out));
	if (ncpu <= 0 || !t->skel)
		return ncpu < 0 ? ncpu : -EINVAL;
	vals = calloc(ncpu, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	fd = bpf_map__fd(t->skel->maps.sizes);
	for (key = 0; key < DS_SIZES__COUNT; key++) {
		struct ds_size_hist *o = &out[key];

		if (bpf_map_lookup_elem(fd, &key, vals)) {
			err = -errno;
			break;
		}
		for (c = 0; c < ncpu; c++) {
			o->count += vals[c].count;
			o->bytes += vals[c].bytes;
			if (vals[c].max > o->max)
				o->max = vals[c].max;
			for (i = 0; i < DS_HIST_BUCKETS; i++)
				o->bucket[i] += vals[c].bucket[i];
		}
	}
	free(vals);
	return err;
}

void tracer_collect(struct tracer *t, struct trace_report *r)
{
	struct ds_size_hist *now = calloc(DS_SIZES__COUNT, sizeof(*now));
	int err = now ? tracer_sizes(t, now) : -ENOMEM;

	tracer_counters(t, r->counters);
	if (err)
		ds_warn("reading the map/unmap counts failed: %s",
			strerror(-err));
	else
		report_sizes(r, now);
	free(now);
}

void tracer_counters(struct tracer *t, uint64_t *out)
{
	int ncpu = libbpf_num_possible_cpus(), fd, i, c;
	uint64_t *vals;

	if (ncpu <= 0 || !t->skel)
		return;
	vals = calloc(ncpu, sizeof(*vals));
	if (!vals)
		return;
	fd = bpf_map__fd(t->skel->maps.counters);
	for (i = 0; i < DS_CNT__COUNT; i++) {
		uint32_t key = i;

		out[i] = 0;
		if (bpf_map_lookup_elem(fd, &key, vals))
			continue;
		for (c = 0; c < ncpu; c++)
			out[i] += vals[c];
	}
	free(vals);
}

void tracer_close(struct tracer *t)
{
	detach_all(t);
	ring_buffer__free(t->rb);
	t->rb = NULL;
	trace_bpf__destroy(t->skel);
	t->skel = NULL;
}
