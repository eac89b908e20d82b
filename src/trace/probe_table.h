/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel functions each fentry/fexit program of the trace object may
 * attach to. A program names a logical probe ("walk_intel_enter" is the
 * entry half of "walk_intel"), the table lists the functions that play its
 * role, newest kernel first; the first one this kernel's BTF has is used.
 * Functions are renamed across kernels (7.x moved VT-d and AMD to the
 * generic page table), so the choice is by BTF, never by kernel version.
 * A uprobe program's list names functions of the traced process's binary
 * (trace -p), chosen by its symbol tables (elf_funcs.h).
 */
#ifndef DIRTYSCOPE_PROBE_TABLE_H
#define DIRTYSCOPE_PROBE_TABLE_H

#include <stddef.h>

#define PROBE_ALTS_MAX 3

struct probe_target {
	const char *probe;		   /* logical name: "walk_intel" */
	const char *funcs[PROBE_ALTS_MAX]; /* newest first, NULL-ended */
};

/* The entry for a BPF program's name ("walk_intel_exit" and
 * "walk_intel_enter" both find "walk_intel"), or NULL. */
const struct probe_target *probe_target_find(const char *prog_name);
/* How many functions an entry lists. */
size_t probe_target_nfuncs(const struct probe_target *pt);

#endif
