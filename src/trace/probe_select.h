/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which BPF programs of an object the running kernel can take. A program's
 * target (from its section name, "fentry/iova_bitmap_set") must be in the
 * kernel's BTF, and for fentry/fexit be a real symbol (a function inlined
 * everywhere has none). Programs that fail are turned off before load, so
 * the object loads with what the kernel has.
 */
#ifndef DIRTYSCOPE_PROBE_SELECT_H
#define DIRTYSCOPE_PROBE_SELECT_H

#include <stdbool.h>
#include <stddef.h>
#include <bpf/libbpf.h>

#define PROBE_MAX 96

struct probe_status {
	const struct bpf_program *prog;
	const char *section;   /* "fentry/iova_bitmap_set" */
	const char *target;    /* "iova_bitmap_set" */
	const char *why;       /* NULL: usable; else why it is skipped */
	struct bpf_link *link; /* once attached */
	int attach_err;	       /* -errno of a failed attach, else 0 */
};

/* Fill st (at most PROBE_MAX) for every program of obj still to be loaded
 * (autoload on), turn off autoload of the unusable ones. Returns the number
 * of usable programs, or -errno if the kernel's BTF could not be read (every
 * program is then unusable, and why says so). */
int probes_select(struct bpf_object *obj, struct probe_status *st, size_t *n);
/* The trace options that load an optional program, NULL for the programs
 * trace always loads. */
const char *probe_optional(const struct bpf_program *prog);
/* Turn off every optional program (no option asked for them). */
void probes_drop_optional(struct bpf_object *obj);
/* Warn once per skipped program. */
void probes_report_skipped(const struct probe_status *st, size_t n);

#endif
