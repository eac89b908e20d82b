// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/bpf.h>
#include <linux/capability.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include "elf_funcs.h"
#include "kernel_btf.h"
#include "ksyms.h"
#include "log.h"
#include "probe_select.h"

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
 * options do: each runs at a rate that would cost the traced process more
 * than its count (bpf/trace.bpf.c): once per dirty IOPTE, twice per
 * iommu_map()/iommu_unmap() call, where the tracepoints count the calls
 * for less, or twice per queued-invalidation submission, several per
 * IOTLB flush, which the flush's own probe times whole. The uprobes on
 * QEMU's functions need a process to look in.
 */
static const struct {
	const char *prog;
	unsigned int need;
	const char *options;
} optional_probes[] = {
	{ "bitmap_set", PROBE_OPT_IOPTE, "--iopte-stats" },
	{ "map_call_enter", PROBE_OPT_CALLS, "--call-latency" },
	{ "map_call_exit", PROBE_OPT_CALLS, "--call-latency" },
	{ "unmap_call_enter", PROBE_OPT_CALLS, "--call-latency" },
	{ "unmap_call_exit", PROBE_OPT_CALLS, "--call-latency" },
	{ "unmap_fast_enter", PROBE_OPT_CALLS, "--call-latency" },
	{ "unmap_fast_exit", PROBE_OPT_CALLS, "--call-latency" },
	{ "qi_submit_enter", PROBE_OPT_CALLS, "--call-latency" },
	{ "qi_submit_exit", PROBE_OPT_CALLS, "--call-latency" },
	{ "qemu_log_start", PROBE_OPT_VMM, "-p PID" },
	{ "qemu_log_stop", PROBE_OPT_VMM, "-p PID" },
	{ "qemu_sync_enter", PROBE_OPT_VMM, "-p PID" },
	{ "qemu_sync_exit", PROBE_OPT_VMM, "-p PID" },
	{ "qemu_log_sync", PROBE_OPT_VMM, "-p PID" },
	{ "qemu_vfio_read_enter", PROBE_OPT_VMM, "-p PID" },
	{ "qemu_vfio_read_exit", PROBE_OPT_VMM, "-p PID" },
	{ "qemu_vfio_tracking_enter", PROBE_OPT_VMM, "-p PID" },
	{ "qemu_vfio_tracking_exit", PROBE_OPT_VMM, "-p PID" },
	{ "qemu_iommufd_read_enter", PROBE_OPT_VMM, "-p PID" },
	{ "qemu_iommufd_read_exit", PROBE_OPT_VMM, "-p PID" },
	{ "qemu_iommufd_tracking_enter", PROBE_OPT_VMM, "-p PID" },
	{ "qemu_iommufd_tracking_exit", PROBE_OPT_VMM, "-p PID" },
};

#define NOPTIONAL (sizeof(optional_probes) / sizeof(*optional_probes))

const char *probe_optional(const struct bpf_program *prog)
{
	for (size_t i = 0; i < NOPTIONAL; i++)
		if (!strcmp(bpf_program__name(prog), optional_probes[i].prog))
			return optional_probes[i].options;
	return NULL;
}

void probes_drop_optional(struct bpf_object *obj, unsigned int wanted)
{
	struct bpf_program *prog;

	bpf_object__for_each_program (prog, obj)
		for (size_t i = 0; i < NOPTIONAL; i++)
			if (!strcmp(bpf_program__name(prog),
				    optional_probes[i].prog) &&
			    !(optional_probes[i].need & wanted))
				bpf_program__set_autoload(prog, false);
}

/* The kernel's BTF: vmlinux's, and each module's once a target is in it. */
#define BTF_MODULES_MAX 16

struct kernel_btfs {
	struct btf *vmlinux;
	struct {
		char name[KSYM_MODULE_MAX];
		struct btf *btf;
		int err;
	} mods[BTF_MODULES_MAX];
	size_t nmods;
};

static struct btf *module_btf(struct kernel_btfs *kb, const char *module,
			      int *err)
{
	size_t i;

	for (i = 0; i < kb->nmods; i++)
		if (!strcmp(kb->mods[i].name, module))
			break;
	if (i == kb->nmods) {
		if (i == BTF_MODULES_MAX) {
			*err = -E2BIG;
			return NULL;
		}
		snprintf(kb->mods[i].name, sizeof(kb->mods[i].name), "%s",
			 module);
		kb->mods[i].btf = kernel_btf_load_module(module, kb->vmlinux);
		kb->mods[i].err = kb->mods[i].btf ? 0 : -errno;
		kb->nmods++;
	}
	*err = kb->mods[i].err;
	return kb->mods[i].btf;
}

static void kernel_btfs_free(struct kernel_btfs *kb)
{
	for (size_t i = 0; i < kb->nmods; i++)
		btf__free(kb->mods[i].btf);
	btf__free(kb->vmlinux);
}

/* The program's kind, target list and names; verdict still to come. */
static void describe(struct probe_status *s, struct bpf_program *prog)
{
	const char *sec = bpf_program__section_name(prog);
	const char *slash = strchr(sec, '/');
	const struct probe_target *pt;

	memset(s, 0, sizeof(*s));
	s->prog = prog;
	s->name = bpf_program__name(prog);
	/* "fentry", "fexit", "tp_btf": the section up to its target. */
	snprintf(s->kind, sizeof(s->kind), "%.*s",
		 (int)(slash ? slash - sec : (long)strlen(sec)), sec);
	s->user = !strcmp(s->kind, "uprobe") || !strcmp(s->kind, "uretprobe");
	if (slash) {
		/* The section names its one target. */
		s->funcs[0] = slash + 1;
		s->nfuncs = 1;
	} else if ((pt = probe_target_find(s->name))) {
		s->nfuncs = probe_target_nfuncs(pt);
		memcpy(s->funcs, pt->funcs, s->nfuncs * sizeof(*s->funcs));
	}
	s->target = s->nfuncs ? s->funcs[0] : s->name;
	snprintf(s->attach, sizeof(s->attach), "%s/%s", s->kind, s->target);
}

static void choose_tracepoint(struct probe_status *s, struct kernel_btfs *kb)
{
	char name[128];

	for (s->alt = 0; s->alt < s->nfuncs; s->alt++) {
		/* tp_btf/NAME attaches to the typedef btf_trace_NAME. */
		snprintf(name, sizeof(name), "btf_trace_%s", s->funcs[s->alt]);
		if (btf__find_by_name_kind(kb->vmlinux, name,
					   BTF_KIND_TYPEDEF) >= 0)
			return;
	}
	s->alt = 0;
	s->why = "not in kernel BTF";
}

/*
 * The first function of the probe's list that has BTF and a symbol, in
 * vmlinux or in the module kallsyms places it in. where[] is kallsyms'
 * answer for each of s->funcs.
 */
static void choose_function(struct probe_status *s, struct kernel_btfs *kb,
			    const struct ksym_where *where)
{
	const char *why =
		s->nfuncs ? "not in kernel BTF" : "no functions listed for it";
	struct btf *btf;
	size_t a;
	int err;

	for (a = 0; a < s->nfuncs; a++) {
		const char *f = s->funcs[a];

		if (!where[a].present) {
			/* BTF but no symbol: inlined into every caller. */
			if (btf__find_by_name_kind(kb->vmlinux, f,
						   BTF_KIND_FUNC) >= 0)
				why = "no such symbol (inlined?)";
			continue;
		}
		btf = kb->vmlinux;
		if (where[a].module[0]) {
			btf = module_btf(kb, where[a].module, &err);
			if (!btf) {
				snprintf(s->why_buf, sizeof(s->why_buf),
					 err == -ENOENT
						 ? "module %s has no BTF"
						 : "BTF of module %s: %s",
					 where[a].module, strerror(-err));
				why = s->why_buf;
				continue;
			}
		}
		if (btf__find_by_name_kind(btf, f, BTF_KIND_FUNC) < 0)
			continue;
		s->alt = a;
		s->target = f;
		snprintf(s->module, sizeof(s->module), "%s", where[a].module);
		snprintf(s->attach, sizeof(s->attach), "%s/%s", s->kind, f);
		return;
	}
	s->why = why;
}

/*
 * A uprobe: its function must be defined in the traced process's binary.
 * elf_err: how reading exe went; found[]: the answer for each of s->funcs.
 */
static void choose_user_function(struct probe_status *s, const char *exe,
				 int elf_err, const bool *found)
{
	if (!exe) {
		s->why = "needs -p PID (a QEMU process)";
		return;
	}
	if (elf_err) {
		snprintf(s->why_buf, sizeof(s->why_buf),
			 "cannot read the process's binary: %s",
			 strerror(-elf_err));
		s->why = s->why_buf;
		return;
	}
	for (size_t a = 0; a < s->nfuncs; a++) {
		if (!found[a])
			continue;
		s->alt = a;
		s->target = s->funcs[a];
		snprintf(s->attach, sizeof(s->attach), "%s/%s", s->kind,
			 s->target);
		return;
	}
	s->why = "not in the process's binary";
}

/* CAP_SYS_ADMIN in the effective set. */
static bool has_sys_admin(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};

	if (syscall(SYS_capget, &hdr, data))
		return false;
	return data[CAP_SYS_ADMIN / 32].effective &
	       (1u << (CAP_SYS_ADMIN % 32));
}

/*
 * Point a program whose section names no function at the chosen one.
 * libbpf finds a module's function through the kernel's module BTF
 * objects, which only CAP_SYS_ADMIN may open: without it the probe is
 * skipped. Any other failure, for a function found above, is libbpf's
 * (its BTF parse turns every error into ESRCH): -errno.
 */
static int set_target(struct probe_status *s)
{
	int err;

	if (strchr(bpf_program__section_name(s->prog), '/'))
		return 0;
	err = bpf_program__set_attach_target((struct bpf_program *)s->prog, 0,
					     s->target);
	if (err && s->module[0] && !has_sys_admin()) {
		s->why = "needs CAP_SYS_ADMIN";
		return 0;
	}
	return err;
}

/* Nothing usable, for the reason given: what a failed selection leaves. */
static void drop_all(struct probe_status *st, size_t n, const char *why)
{
	for (size_t i = 0; i < n; i++) {
		st[i].why = why;
		bpf_program__set_autoload((struct bpf_program *)st[i].prog,
					  false);
	}
}

int probes_select(struct bpf_object *obj, const char *exe,
		  struct probe_status *st, size_t *n, char *error,
		  size_t error_len)
{
	static const char *funcs[PROBE_MAX * PROBE_ALTS_MAX];
	static struct ksym_where where[PROBE_MAX * PROBE_ALTS_MAX];
	static const char *ufuncs[PROBE_MAX * PROBE_ALTS_MAX];
	static bool ufound[PROBE_MAX * PROBE_ALTS_MAX];
	size_t nufuncs = 0;
	int elf_err = 0;
	const char *fentry_refused = NULL;
	bool fentry_checked = false;
	struct kernel_btfs kb = {};
	struct bpf_program *prog;
	size_t i, nfuncs = 0, first[PROBE_MAX];
	int usable = 0, err = 0;

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
				PROBE_MAX, bpf_program__name(prog));
			continue;
		}
		describe(&st[*n], prog);
		/* One kallsyms pass for every function of every kernel
		 * program, one symbol table read for the uprobes'. */
		if (st[*n].user) {
			first[*n] = nufuncs;
			for (i = 0; i < st[*n].nfuncs; i++)
				ufuncs[nufuncs++] = st[*n].funcs[i];
		} else {
			first[*n] = nfuncs;
			for (i = 0; i < st[*n].nfuncs; i++)
				funcs[nfuncs++] = st[*n].funcs[i];
		}
		(*n)++;
	}
	if (exe && nufuncs)
		elf_err = elf_find_functions(exe, ufuncs, nufuncs, ufound);
	kb.vmlinux = kernel_btf_load();
	if (!kb.vmlinux) {
		/* Not "not in kernel BTF": nothing was looked up. */
		err = -errno;
		drop_all(st, *n,
			 err == -ENOENT || err == -ESRCH
				 ? "no kernel BTF"
				 : "kernel BTF not readable");
		kernel_btf_explain(err, error, error_len);
		return err;
	}
	err = ksyms_find(funcs, nfuncs, where);
	if (err == -ENOENT || err == -EACCES || err == -EPERM) {
		/* No kallsyms (hidepid, lockdown): let attach tell, and
		 * look in vmlinux only. */
		for (i = 0; i < nfuncs; i++)
			where[i] = (struct ksym_where){ .present = true };
		err = 0;
	} else if (err) {
		/* A read cut short would pass for functions not there. */
		snprintf(error, error_len, "reading /proc/kallsyms failed: %s",
			 strerror(-err));
		drop_all(st, *n, "kallsyms not readable");
		kernel_btfs_free(&kb);
		return err;
	}
	for (i = 0; i < *n; i++) {
		struct probe_status *s = &st[i];

		if (s->user) {
			choose_user_function(s, exe, elf_err,
					     &ufound[first[i]]);
		} else if (!is_function_probe(s->prog)) {
			choose_tracepoint(s, &kb);
		} else {
			choose_function(s, &kb, &where[first[i]]);
			if (!s->why && !s->module[0] && !fentry_checked) {
				fentry_checked = true;
				/* Without privilege every load fails: leave
				 * the explaining to the real load. */
				if (fentry_allowed(btf__find_by_name_kind(
					    kb.vmlinux, s->target,
					    BTF_KIND_FUNC)) == -EPERM &&
				    geteuid() == 0)
					fentry_refused = "fentry not permitted "
							 "by this kernel";
			}
			if (!s->why)
				s->why = fentry_refused;
			if (!s->why)
				err = set_target(s);
			if (err) {
				snprintf(error, error_len,
					 "libbpf's kernel BTF lookup failed: "
					 "%s",
					 strerror(-err));
				drop_all(st, *n, "kernel BTF lookup failed");
				kernel_btfs_free(&kb);
				return err;
			}
		}
		if (s->why)
			bpf_program__set_autoload((struct bpf_program *)s->prog,
						  false);
		else
			usable++;
	}
	kernel_btfs_free(&kb);
	return usable;
}

void probes_report_skipped(const struct probe_status *st, size_t n)
{
	const char *reasons[8];
	size_t counts[8] = { 0 }, nreasons = 0, skipped = 0, kernel = 0, i, r;
	char line[512];
	int len = 0;

	for (i = 0; i < n; i++) {
		/* The uprobes have a line of their own. */
		if (st[i].user)
			continue;
		kernel++;
		if (!st[i].why)
			continue;
		skipped++;
		ds_debug("skipping %s (%s): %s", st[i].name, st[i].attach,
			 st[i].why);
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
	ds_warn("%zu of %zu probes skipped: %s (-v lists them)", skipped,
		kernel, line);
}

void probes_report_user(const struct probe_status *st, size_t n,
			unsigned int pid)
{
	size_t total = 0, skipped = 0, i;
	const char *why = NULL;

	for (i = 0; i < n; i++) {
		if (!st[i].user)
			continue;
		total++;
		if (!st[i].why)
			continue;
		skipped++;
		why = st[i].why;
		ds_debug("skipping %s (%s): %s", st[i].name, st[i].attach,
			 st[i].why);
	}
	if (skipped == total)
		ds_warn("PID %u: none of QEMU's functions dirtyscope knows "
			"(%s): tracing the kernel only",
			pid, why ? why : "no uprobes");
	else if (skipped)
		ds_warn("PID %u: %zu of %zu uprobes on QEMU's functions "
			"skipped (-v lists them)",
			pid, skipped, total);
}
