// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include "kernel_btf.h"
#include "ksyms.h"
#include "log.h"
#include "probe_select.h"

static const char *prog_target(const struct bpf_program *prog)
{
	const char *sec = bpf_program__section_name(prog);
	const char *slash = strchr(sec, '/');

	return slash ? slash + 1 : sec;
}

static bool is_function_probe(const struct bpf_program *prog)
{
	enum bpf_attach_type t = bpf_program__expected_attach_type(prog);

	return t == BPF_TRACE_FENTRY || t == BPF_TRACE_FEXIT;
}

/*
 * Can this kernel load an fentry program at all? Some refuse every one
 * (EPERM under a restrictive LSM or sandbox) while tracepoints work. One
 * two-instruction program against a function that has BTF tells, before
 * a refused fentry program fails the load of the whole object.
 */
static int fentry_allowed(int btf_id)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts,
		    .expected_attach_type = BPF_TRACE_FENTRY,
		    .attach_btf_id = btf_id);
	int fd;

	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "ds_probe", "GPL", insns,
			   sizeof(insns) / sizeof(insns[0]), &opts);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/*
 * The programs trace loads only when an option asks for them, and which
 * options do: each runs once per dirty IOPTE (bpf/trace.bpf.c).
 */
static const struct {
	const char *prog;
	const char *options;
} optional_probes[] = {
	{ "bitmap_set", "--iopte-stats, --bitmap-analysis" },
};

const char *probe_optional(const struct bpf_program *prog)
{
	for (size_t i = 0;
	     i < sizeof(optional_probes) / sizeof(*optional_probes); i++)
		if (!strcmp(bpf_program__name(prog), optional_probes[i].prog))
			return optional_probes[i].options;
	return NULL;
}

void probes_drop_optional(struct bpf_object *obj)
{
	struct bpf_program *prog;

	bpf_object__for_each_program (prog, obj)
		if (probe_optional(prog))
			bpf_program__set_autoload(prog, false);
}

/* The BTF id a program of this attach type would attach to: what
 * libbpf_find_vmlinux_btf_id() looks up, without parsing the kernel's BTF
 * again for every program. -ENOENT when the kernel has no such target. */
static int target_btf_id(const struct btf *btf, const char *target,
			 enum bpf_attach_type t)
{
	char name[128];

	/* tp_btf/NAME attaches to the typedef btf_trace_NAME. */
	if (t == BPF_TRACE_RAW_TP) {
		snprintf(name, sizeof(name), "btf_trace_%s", target);
		return btf__find_by_name_kind(btf, name, BTF_KIND_TYPEDEF);
	}
	return btf__find_by_name_kind(btf, target, BTF_KIND_FUNC);
}

int probes_select(struct bpf_object *obj, struct probe_status *st, size_t *n)
{
	const char *fentry_refused = NULL;
	bool fentry_checked = false;
	const char *funcs[PROBE_MAX];
	bool present[PROBE_MAX];
	struct bpf_program *prog;
	struct btf *btf;
	int usable = 0, err = 0;
	size_t i;

	*n = 0;
	bpf_object__for_each_program (prog, obj) {
		/* Turned off by the caller: an option not given. */
		if (!bpf_program__autoload(prog))
			continue;
		if (*n == PROBE_MAX) {
			/* Never silently: a program beyond the table would
			 * load unchecked. */
			bpf_program__set_autoload(prog, false);
			ds_warn("more than %d BPF programs: %s not used",
				PROBE_MAX, bpf_program__section_name(prog));
			continue;
		}
		st[*n].prog = prog;
		st[*n].section = bpf_program__section_name(prog);
		st[*n].target = prog_target(prog);
		st[*n].why = NULL;
		st[*n].link = NULL;
		st[*n].attach_err = 0;
		funcs[*n] = st[*n].target;
		(*n)++;
	}
	btf = kernel_btf_load();
	if (!btf) {
		/* Not "not in kernel BTF": nothing was looked up. */
		err = -errno;
		for (i = 0; i < *n; i++) {
			st[i].why = err == -ENOENT || err == -ESRCH
					    ? "no kernel BTF"
					    : "kernel BTF not readable";
			bpf_program__set_autoload(
				(struct bpf_program *)st[i].prog, false);
		}
		return err;
	}
	if (ksyms_present(funcs, *n, present)) {
		/* No kallsyms (hidepid, lockdown): let attach tell. */
		for (i = 0; i < *n; i++)
			present[i] = true;
	}
	for (i = 0; i < *n; i++) {
		const struct bpf_program *p = st[i].prog;
		enum bpf_attach_type t = bpf_program__expected_attach_type(p);

		int id = target_btf_id(btf, st[i].target, t);

		if (id < 0)
			st[i].why = "not in kernel BTF";
		else if (is_function_probe(p) && !present[i])
			st[i].why = "no such symbol (inlined?)";
		else if (is_function_probe(p) && !fentry_checked) {
			fentry_checked = true;
			/* Without privilege every load fails: leave the
			 * explaining to the real load. */
			if (fentry_allowed(id) == -EPERM && geteuid() == 0)
				fentry_refused = "fentry/fexit not permitted "
						 "by this kernel";
		}
		if (!st[i].why && is_function_probe(p))
			st[i].why = fentry_refused;
		if (st[i].why)
			bpf_program__set_autoload((struct bpf_program *)p,
						  false);
		else
			usable++;
	}
	btf__free(btf);
	return usable;
}

void probes_report_skipped(const struct probe_status *st, size_t n)
{
	const char *reasons[8];
	size_t counts[8] = { 0 }, nreasons = 0, skipped = 0, i, r;
	char line[512];
	int len = 0;

	for (i = 0; i < n; i++) {
		if (!st[i].why)
			continue;
		skipped++;
		ds_debug("skipping %s: %s", st[i].section, st[i].why);
		for (r = 0; r < nreasons && strcmp(reasons[r], st[i].why); r++)
			;
		if (r == nreasons && nreasons < 8)
			reasons[nreasons++] = st[i].why;
		if (r < 8)
			counts[r]++;
	}
	if (!skipped)
		return;
	/* One line by reason: the list is for -v and 'dirtyscope probes'. */
	for (r = 0; r < nreasons && len < (int)sizeof(line); r++)
		len += snprintf(line + len, sizeof(line) - len, "%s%zu %s",
				r ? ", " : "", counts[r], reasons[r]);
	ds_warn("%zu of %zu probes skipped: %s (-v lists them)", skipped, n,
		line);
}
