/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --bitmap-analysis of trace.bpf.c: the pages a dirty read reported that
 * the previous analysed read reported too, found in the caller's bitmap at
 * return, a word (64 pages) at a time. No probe per dirty IOPTE: the work
 * is a load and an OR per bitmap word, and two array updates per word with
 * bits. Included once, by the one BPF object, after the bitmap counting
 * engine (its scratch buffer) and the task state.
 */
#ifndef DIRTYSCOPE_REDIRTY_BPF_H
#define DIRTYSCOPE_REDIRTY_BPF_H

/*
 * For 64 pages (absolute page number / 64): the pages that the last two
 * analysed reads reporting any of them reported, by read number. Two, so
 * that read k finds read k - 1's bits while it records its own.
 */
struct page_gen {
	__u64 bits[2];
	__u32 seq[2];
};

/* Sized by user space (ANALYSIS_PAGES / 64); 1 entry when off. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct page_gen);
} page_gen SEC(".maps");

struct redirty_ctx {
	__u64 data;   /* user address of the caller's bitmap */
	__u64 nwords; /* its words */
	__u64 tail;   /* the bits of its last word that are in the bitmap */
	__u64 first;  /* page number of its bit 0 */
	__u64 redirty;
	__u64 untracked;
	__u32 seq;
	__u32 failed;
};

/*
 * The pages now of word g, reported by read a->seq. A global function: the
 * verifier checks it once, not once per word of the loop that calls it,
 * whose branches it would otherwise multiply.
 */
__noinline int redirty_word(struct redirty_ctx *a, __u64 g, __u64 now)
{
	struct page_gen *pg;
	__u64 prev = 0;
	__u32 idx = g, s;

	if (!a || !now)
		return 0;
	s = a->seq;
	pg = g == idx ? bpf_map_lookup_elem(&page_gen, &idx) : NULL;
	if (!pg) {
		a->untracked += popcount64(now);
		return 0;
	}
	if (pg->seq[0] == s - 1)
		prev = pg->bits[0];
	else if (pg->seq[1] == s - 1)
		prev = pg->bits[1];
	if (s > 1)
		a->redirty += popcount64(now & prev);
	/* Record read s in its slot, or in the one not holding read s - 1. */
	if (pg->seq[0] == s) {
		pg->bits[0] |= now;
	} else if (pg->seq[1] == s) {
		pg->bits[1] |= now;
	} else if (pg->seq[0] == s - 1) {
		pg->seq[1] = s;
		pg->bits[1] = now;
	} else {
		pg->seq[0] = s;
		pg->bits[0] = now;
	}
	return 0;
}

/* Block b (BLOCK_WORDS words) of the caller's bitmap, one bpf_loop step. */
static long redirty_block(__u32 b, struct redirty_ctx *a)
{
	__u64 j0 = (__u64)b * BLOCK_WORDS, nr, w, any = 0, g, sh;
	struct bitmap_scratch *s;
	__u32 zero = 0, k;

	s = bpf_map_lookup_elem(&scratch, &zero);
	if (!s || j0 >= a->nwords)
		return 1;
	nr = a->nwords - j0;
	if (nr > BLOCK_WORDS)
		nr = BLOCK_WORDS;
	if (bpf_probe_read_user(s->words, nr * 8, (void *)(a->data + j0 * 8))) {
		a->failed = 1;
		return 1;
	}
	if (j0 + nr == a->nwords)
		s->words[(nr - 1) & (BLOCK_WORDS - 1)] &= a->tail;
	for (k = 0; k < BLOCK_WORDS; k++)
		any |= s->words[k] & word_mask(k, nr);
	if (!any)
		return 0;
	/* Bit i of the bitmap is page first + i: a bitmap word is one page
	 * word, or straddles two when first is not a multiple of 64 (the
	 * second part is 0 when it is: no branch in the loop, whose paths
	 * the verifier would otherwise multiply). */
	sh = a->first & 63;
	for (k = 0; k < BLOCK_WORDS; k++) {
		w = s->words[k] & word_mask(k, nr);
		g = (a->first >> 6) + j0 + k;
		redirty_word(a, g, w << sh);
		redirty_word(a, g + 1, (w >> 1) >> (63 - sh));
	}
	return 0;
}

/*
 * At return of analysed read st->ev.seq, whose dirty pages were counted:
 * its re-dirtied pages. Not done when the count was not (the bitmap could
 * not be read): redirty_pages is then 0 as dirty_pages is unknown.
 */
static __always_inline void redirty_count(struct task_state *st)
{
	struct ds_event *ev = &st->ev;
	struct redirty_ctx a = {};
	struct bitmap_scratch *s;
	__u32 zero = 0, shift;
	__u64 nbits, n;

	if (!ev->seq || !(ev->dirty_flags & DS_DIRTY_BITMAP) ||
	    ev->dirty_flags & DS_DIRTY_UNKNOWN || !ev->page_size)
		return;
	shift = page_shift(ev->page_size);
	nbits = st->bit_hi - st->bit_lo;
	a.data = st->bit_lo / 8;
	a.nwords = (nbits + 63) / 64;
	a.tail = nbits % 64 ? ~(~0ull << (nbits % 64)) : ~0ull;
	a.first = ev->iova >> shift;
	a.seq = ev->seq;
	a.redirty = verifier_zero;
	a.untracked = verifier_zero;
	n = (a.nwords + BLOCK_WORDS - 1) / BLOCK_WORDS;
	s = bpf_map_lookup_elem(&scratch, &zero);
	if (!s || __sync_lock_test_and_set(&s->busy, 1))
		return;
	if (bpf_loop(n, redirty_block, &a, 0) != (long)n)
		a.failed = 1;
	s->busy = 0;
	ev->redirty_pages = a.redirty;
	count(DS_CNT_REDIRTY_UNTRACKED, a.untracked);
	if (a.failed)
		count(DS_CNT_REDIRTY_FAILED, 1);
}

#endif
