/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The per-IOPTE level of trace.bpf.c, loaded only for --iopte-stats and
 * --bitmap-analysis (src/trace/probe_select.c): one run of iova_bitmap_set()
 * per dirty IOPTE, counting records and bytes into the dirty read it ran
 * inside and, for the analysis, which bitmap pages were reported again.
 * Included once, by the one BPF object, after the state it reads.
 */
#ifndef DIRTYSCOPE_IOPTE_BPF_H
#define DIRTYSCOPE_IOPTE_BPF_H

struct redirty_ctx {
	__u64 first;
	__u32 seq;
	__u64 redirty;
	__u64 untracked;
};

static long redirty_page(__u32 i, struct redirty_ctx *c)
{
	__u64 page = c->first + i;
	__u32 idx = page, *seq;

	seq = page == idx ? bpf_map_lookup_elem(&page_seq, &idx) : NULL;
	if (!seq) {
		c->untracked++;
		return 0;
	}
	if (c->seq > 1 && *seq == c->seq - 1)
		c->redirty++;
	*seq = c->seq;
	return 0;
}

/*
 * Called once per dirty IOPTE found by a read: loaded only when asked for
 * (src/trace/tracer.c), because a program per IOPTE is what made a traced read
 * slow. An array and a hash lookup, no event of its own (the loop only
 * with --bitmap-analysis). Dirty pages come from the bitmap, not from here.
 */
/* fentry iova_bitmap_set */
SEC("fentry")
int BPF_PROG(bitmap_set, struct iova_bitmap *bitmap, unsigned long iova,
	     size_t length)
{
	__u32 tid = current_tid();
	struct redirty_ctx c = {};
	__u64 first, last, ps;
	struct task_state *st;

	count(DS_CNT_BITMAP_SET, 1);
	st = bpf_map_lookup_elem(&outer, &tid);
	if (!st || cause_of(st->ev.op) == DS_CAUSE_TRACKING || !length) {
		count(DS_CNT_BITMAP_SET_ORPHAN, 1);
		return 0;
	}
	st->ev.dirty_records++;
	st->ev.dirty_bytes += length;
	/* The IOPTE sizes behind the reads: the dirty granularity. */
	count_size(DS_SIZES_IOPTE, length);
	ps = st->ev.page_size;
	if (!bitmap_analysis || !st->ev.seq || !ps)
		return 0;
	first = iova / ps;
	last = (iova + length - 1) / ps;
	if (first < st->next_page)
		first = st->next_page;
	if (first > last)
		return 0;
	st->next_page = last + 1;
	c.first = first;
	c.seq = st->ev.seq;
	bpf_loop(last - first + 1, redirty_page, &c, 0);
	st->ev.redirty_pages += c.redirty;
	count(DS_CNT_REDIRTY_UNTRACKED, c.untracked);
	return 0;
}

#endif
