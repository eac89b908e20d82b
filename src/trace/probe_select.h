/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which BPF programs of an object the running kernel can take, and where
 * each attaches. A function probe (fentry/fexit) takes the first of its
 * probe's functions (probe_table.h) that the kernel's BTF has, vmlinux's
 * or a loaded module's, and that is a real symbol (a function inlined
 * everywhere has none); a tracepoint program (tp_btf/NAME) needs NAME in
 * vmlinux's BTF. Programs that fail are turned off before load, so the
 * object loads with what the kernel has. A module loaded after the
 * selection is not traced: its functions were not there to choose.
 * A uprobe program (bpf/qemu.bpf.h) takes its function from the symbol
 * tables of the traced process's binary instead (trace -p).
 */
#ifndef DIRTYSCOPE_PROBE_SELECT_H
#define DIRTYSCOPE_PROBE_SELECT_H

#include <stdbool.h>
#include <stddef.h>
#include <bpf/libbpf.h>
#include "ksyms.h"
#include "probe_table.h"

#define PROBE_MAX 96

struct probe_status {
	const struct bpf_program *prog;
	const char *name; /* the program's: "walk_intel_enter" */
	char kind[16];	  /* "fentry", "fexit", "tp_btf", "uprobe" */
	bool user; /* a uprobe/uretprobe on the traced process's binary */
	const char *funcs[PROBE_ALTS_MAX]; /* what it accepts, newest first */
	size_t nfuncs;
	const char *target;	      /* the chosen one; the newest if none */
	size_t alt;		      /* index of target in funcs */
	char module[KSYM_MODULE_MAX]; /* target's module, "" for vmlinux */
	char attach[160];      /* "fentry/iommufd_hwpt_get_dirty_bitmap" */
	const char *why;       /* NULL: usable; else why it is skipped */
	char why_buf[128];     /* what why points to when it is built */
	struct bpf_link *link; /* once attached */
	int attach_err;	       /* -errno of a failed attach, else 0 */
};

/* Fill st (at most PROBE_MAX) for every program of obj still to be loaded
 * (autoload on), set each usable function probe's attach target, turn off
 * autoload of the unusable ones. exe: the traced process's binary
 * ("/proc/PID/exe") the uprobes look in, NULL for none. Returns the number
 * of usable programs, or -errno with one line in error if the kernel's BTF
 * could not be read (every program is then unusable, and why says so). */
int probes_select(struct bpf_object *obj, const char *exe,
		  struct probe_status *st, size_t *n, char *error,
		  size_t error_len);
/* The trace options that load an optional program, NULL for the programs
 * trace always loads. */
const char *probe_optional(const struct bpf_program *prog);
/* What an optional program is loaded for. */
enum {
	PROBE_OPT_IOPTE = 1 << 0, /* --iopte-stats */
	PROBE_OPT_CALLS = 1 << 1, /* --call-latency */
	PROBE_OPT_VMM = 1 << 2,	  /* -p PID: QEMU's functions */
};
/* Turn off the optional programs no PROBE_OPT_* in wanted asks for. */
void probes_drop_optional(struct bpf_object *obj, unsigned int wanted);
/* Warn once per skipped program. */
void probes_report_skipped(const struct probe_status *st, size_t n);
/* One line if some of the uprobes on process pid's binary are skipped:
 * trace goes on with the rest, the kernel's probes at least. */
void probes_report_user(const struct probe_status *st, size_t n,
			unsigned int pid);

#endif
