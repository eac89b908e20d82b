/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --bitmap-analysis of trace.bpf.c: the pages a dirty read reported that
 * the previous analysed read reported too. Found while the counting
 * engine reads the caller's bitmap at return (bitmap_count.bpf.h), a word
 * (64 pages) at a time, in the blocks that have bits: no probe per dirty
 * IOPTE and no second read of the bitmap, two array updates per word with
 * bits. Included once, by the one BPF object.
 */
#ifndef DIRTYSCOPE_REDIRTY_BPF_H
#define DIRTYSCOPE_REDIRTY_BPF_H

#include "bitmap_words.bpf.h"

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

/* One analysed read, while its bitmap is counted at return. */
struct redirty {
	__u64 page_off;	 /* the page of bit address X is page_off + X */
	__u64 pages;	 /* re-dirtied: reported by read seq - 1 too */
	__u64 untracked; /* beyond page_gen */
	__u32 seq;	 /* the read's analysis number; 0: not analysed */
};

/*
 * The pages now of word g, reported by read r->seq. A global function: the
 * verifier checks it once, not once per word of the loop that calls it,
 * whose branches it would otherwise multiply.
 */
__noinline int redirty_word(struct redirty *r, __u64 g, __u64 now)
{
	struct page_gen *pg;
	__u64 prev = 0;
	__u32 idx = g, s;

	if (!r || !now)
		return 0;
	s = r->seq;
	pg = g == idx ? bpf_map_lookup_elem(&page_gen, &idx) : NULL;
	if (!pg) {
		r->untracked += popcount64(now);
		return 0;
	}
	if (pg->seq[0] == s - 1)
		prev = pg->bits[0];
	else if (pg->seq[1] == s - 1)
		prev = pg->bits[1];
	if (s > 1)
		r->pages += popcount64(now & prev);
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

/*
 * The first nr words of blk, whose bit 0 is at bit address `bit`, all of
 * them bits of the read. A bitmap word is one page word, or straddles two
 * when its first page is not a multiple of 64; the second part is then 0
 * rather than skipped: no branch in the loop, whose paths the verifier
 * would otherwise multiply.
 */
static __always_inline void
redirty_words(struct redirty *r, struct word_block *blk, __u64 nr, __u64 bit)
{
	__u64 page = r->page_off + bit, g = page >> 6, sh = page & 63, w;
	__u32 k;

	for (k = 0; k < BLOCK_WORDS; k++) {
		w = blk->w[k] & word_mask(k, nr);
		redirty_word(r, g + k, w << sh);
		redirty_word(r, g + k + 1, (w >> 1) >> (63 - sh));
	}
}

#endif
