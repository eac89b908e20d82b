/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The bitmap counting engine of trace.bpf.c: the bits set in a range of a
 * user-space bitmap, read one page at a time into a per-CPU scratch
 * buffer and counted a chunk per bpf_loop callback, so that a bitmap of
 * up to 32 GiB is counted at a cost per word, and a page of zeros at a
 * cost of one OR per word. The same pass does --bitmap-analysis at a
 * read's return (redirty.bpf.h). Included once, by the one BPF object.
 */
#ifndef DIRTYSCOPE_BITMAP_COUNT_BPF_H
#define DIRTYSCOPE_BITMAP_COUNT_BPF_H

#include "bitmap_words.bpf.h"
#include "redirty.bpf.h"

/* Zero, but not a constant to the verifier (a .bss load): counters of a
 * bpf_loop context that start from it are not tracked value by value, so
 * the callback's states converge instead of differing by one per call. */
__u32 verifier_zero;

/*
 * Where the caller's bitmap is read, one user page at a time. Per CPU, and
 * taken with an atomic flag: a BPF program can be preempted (PREEMPT
 * kernels), and another task's read on this CPU must not count a half
 * overwritten page.
 */
#define BITMAP_CHUNK 4096
#define CHUNK_WORDS  (BITMAP_CHUNK / 8)

struct bitmap_scratch {
	__u64 words[CHUNK_WORDS];
	__u32 busy;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bitmap_scratch);
} scratch SEC(".maps");

/*
 * A bit is addressed as user byte address * 8 + bit in the byte, which is
 * the kernel's bit order in a little-endian bitmap at any alignment.
 */
struct bitmap_count {
	__u64 lo, hi;	   /* the bits counted: [lo, hi) */
	__u64 first;	   /* user address of the first chunk */
	__u64 ones;	   /* bits set in [lo, hi), readable chunks only */
	__u32 absent;	   /* chunks that could not be read (not present) */
	struct redirty an; /* --bitmap-analysis of the bits, at return */
};

#define CHUNK_BLOCKS (CHUNK_WORDS / BLOCK_WORDS)

/*
 * The bits set in the first nr words of blk, whose bit 0 is at bit
 * address `bit`; and their re-dirtied pages, for an analysed read. Loops
 * of constant trip count with no branch inside, which the JIT runs without
 * a call per word (a bpf_loop callback per word cost ~2 us each in the
 * TCG guest): a block of zeros (most of a fresh bitmap, and of a sparse
 * one) costs a load, an AND and an OR per word. A global function,
 * verified once: inlined in the loop over blocks, its branch gave 7.3's
 * verifier states it did not prune, past its limit of 1M instructions.
 */
__noinline __u64 block_count(struct bitmap_count *c, struct word_block *blk,
			     __u64 nr, __u64 bit)
{
	__u64 any = 0, ones = 0;
	__u32 k;

	if (!c || !blk)
		return 0;
	for (k = 0; k < BLOCK_WORDS; k++)
		any |= blk->w[k] & word_mask(k, nr);
	if (!any)
		return 0;
	for (k = 0; k < BLOCK_WORDS; k++)
		ones += popcount64(blk->w[k] & word_mask(k, nr));
	if (c->an.seq)
		redirty_words(&c->an, blk, nr, bit);
	return ones;
}

static long count_chunk(__u32 i, struct bitmap_count *c)
{
	__u64 addr = c->first + (__u64)i * BITMAP_CHUNK, bit = addr * 8;
	__u64 jlo = 0, jhi, nw, edge, base;
	struct bitmap_scratch *s;
	__u32 zero = 0, b;

	s = bpf_map_lookup_elem(&scratch, &zero);
	if (!s)
		return 1;
	/* Words [jlo, jhi) of the chunk hold bits of [lo, hi): only those
	 * are read, into words [0, nw) of the buffer. */
	if (c->lo > bit)
		jlo = (c->lo - bit) / 64;
	jhi = (c->hi - bit + 63) / 64;
	if (jhi > CHUNK_WORDS)
		jhi = CHUNK_WORDS;
	if (jlo >= jhi)
		return 0;
	nw = jhi - jlo;
	if (nw > CHUNK_WORDS ||
	    bpf_probe_read_user(s->words, nw * 8, (void *)(addr + jlo * 8))) {
		c->absent++;
		return 0;
	}
	/* Only the bits of [lo, hi) in the two edge words. */
	edge = bit + jlo * 64;
	if (edge < c->lo)
		s->words[0] &= ~0ull << (c->lo - edge);
	edge = bit + (jhi - 1) * 64;
	if (edge + 64 > c->hi)
		s->words[(nw - 1) & (CHUNK_WORDS - 1)] &=
			~(~0ull << (c->hi - edge));
	/* The blocks past the words read cost nothing. */
	for (b = 0; b < CHUNK_BLOCKS; b++) {
		base = b * BLOCK_WORDS;
		if (base >= nw)
			break;
		c->ones += block_count(c, (struct word_block *)&s->words[base],
				       nw - base, bit + (jlo + base) * 64);
	}
	return 0;
}

/*
 * Count the bits set in [lo, hi), and with an (an->seq set) find their
 * re-dirtied pages. False if it could not be done.
 */
static __always_inline bool bitmap_ones(__u64 lo, __u64 hi, __u64 *ones,
					__u32 *absent, struct redirty *an)
{
	struct bitmap_count c = { .lo = lo, .hi = hi };
	struct bitmap_scratch *s;
	__u32 zero = 0;
	bool done;
	__u64 n;

	c.ones = verifier_zero;
	c.absent = verifier_zero;
	if (an)
		c.an = *an;
	c.first = lo / 8 & ~(__u64)(BITMAP_CHUNK - 1);
	n = ((hi - 1) / 8 - c.first) / BITMAP_CHUNK + 1;
	s = bpf_map_lookup_elem(&scratch, &zero);
	if (!s || __sync_lock_test_and_set(&s->busy, 1))
		return false;
	/* One chunk (a bitmap of up to 128 MiB of IOVA at 4 KiB, aligned):
	 * counted without bpf_loop()'s helper call. */
	if (n == 1)
		done = !count_chunk(0, &c);
	else
		done = bpf_loop(n, count_chunk, &c, 0) == (long)n;
	s->busy = 0;
	*ones = c.ones;
	*absent = c.absent;
	if (an)
		*an = c.an;
	return done;
}

/* bpf_loop's limit: a bitmap of up to 2^23 chunks (32 GiB) is counted. */
#define BITMAP_MAX_BITS ((1ull << 23) * BITMAP_CHUNK * 8)

#endif
