/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Word-level pieces of trace.bpf.c's bitmap work, shared by the counting
 * engine (bitmap_count.bpf.h) and --bitmap-analysis (redirty.bpf.h): a
 * bitmap is handled in blocks of 64-bit words, with no branch per word.
 */
#ifndef DIRTYSCOPE_BITMAP_WORDS_BPF_H
#define DIRTYSCOPE_BITMAP_WORDS_BPF_H

/* BPF has no popcount instruction. */
static __always_inline __u64 popcount64(__u64 x)
{
	x -= (x >> 1) & 0x5555555555555555ull;
	x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
	return (x * 0x0101010101010101ull) >> 56;
}

/* A block is handled whole, and one of zeros only after one pass of ORs. */
#define BLOCK_WORDS 64

/* A block of words, as a global function's argument. */
struct word_block {
	__u64 w[BLOCK_WORDS];
};

/* All ones for word j of the nw words read, 0 past them: what is in the
 * buffer past nw is an earlier chunk's, and masking it needs no branch. */
static __always_inline __u64 word_mask(__u64 j, __u64 nw)
{
	__u64 d = j - nw;

	/* Or clang sees a compare in it, and branches. */
	barrier_var(d);
	return (__u64)((__s64)d >> 63);
}

#endif
