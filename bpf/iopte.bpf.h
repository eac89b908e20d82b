/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The per-IOPTE level of trace.bpf.c, loaded only for --iopte-stats
 * (src/trace/probe_select.c): one run of iova_bitmap_set() per dirty
 * IOPTE, counting records and bytes into the dirty read it ran inside.
 * Included once, by the one BPF object, after the state it reads.
 */
#ifndef DIRTYSCOPE_IOPTE_BPF_H
#define DIRTYSCOPE_IOPTE_BPF_H

/*
 * Called once per dirty IOPTE found by a read: loaded only when asked for
 * (src/trace/tracer.c), because a program per IOPTE is what made a traced read
 * slow. An array and a hash lookup, no event of its own. Dirty pages come
 * from the bitmap, not from here.
 */
/* fentry iova_bitmap_set */
SEC("fentry")
int BPF_PROG(bitmap_set, struct iova_bitmap *bitmap, unsigned long iova,
	     size_t length)
{
	struct task_state *st;

	count(DS_CNT_BITMAP_SET, 1);
	st = outer_current();
	if (!st || cause_of(st->ev.op) == DS_CAUSE_TRACKING || !length) {
		count(DS_CNT_BITMAP_SET_ORPHAN, 1);
		return 0;
	}
	st->ev.dirty_records++;
	st->ev.dirty_bytes += length;
	/* The IOPTE sizes behind the reads: the dirty granularity. */
	count_size(DS_SIZES_IOPTE, length);
	return 0;
}

#endif
