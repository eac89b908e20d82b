/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The bitmap counting engine of trace.bpf.c: the bits set in a range of a
 * user-space bitmap, read one page at a time into a per-CPU scratch
 * buffer and counted a chunk per bpf_loop callback, so that a bitmap of
 * up to 32 GiB is counted at a cost per word, and a page of zeros at a
 * cost of one OR per word. Included once, by the one BPF object.
 */
#ifndef DIRTYSCOPE_BITMAP_COUNT_BPF_H
#define DIRTYSCOPE_BITMAP_COUNT_BPF_H

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

/* BPF has no popcount instruction. */
static __always_inline __u64 popcount64(__u64 x)
{
	x -= (x >> 1) & 0x5555555555555555ull;
	x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
	return (x * 0x0101010101010101ull) >> 56;
}

/*
 * A bit is addressed as user byte address * 8 + bit in the byte, which is
 * the kernel's bit order in a little-endian bitmap at any alignment.
 */
struct bitmap_count {
	__u64 lo, hi; /* the bits counted: [lo, hi) */
	__u64 first;  /* user address of the first chunk */
	__u64 ones;   /* bits set in [lo, hi), readable chunks only */
	__u32 absent; /* chunks that could not be read (not present) */
};

/* A chunk is counted in blocks of this many words, and a block past the
 * words read, or of zeros only, is skipped after one pass of ORs. */
#define BLOCK_WORDS  64
#define CHUNK_BLOCKS (CHUNK_WORDS / BLOCK_WORDS)

/* All ones for word j of the nw words read, 0 past them: what is in the
 * buffer past nw is an earlier chunk's, and masking it needs no branch. */
static __always_inline __u64 word_mask(__u64 j, __u64 nw)
{
	__u64 d = j - nw;

	/* Or clang sees a compare in it, and branches. */
	barrier_var(d);
	return (__u64)((__s64)d >> 63);
}

/* A block of the scratch buffer, as a global function's argument. */
struct word_block {
	__u64 w[BLOCK_WORDS];
};

/*
 * The bits set in the first nr words of blk. Loops of constant trip count
 * with no branch inside, which the JIT runs without a call per word (a
 * bpf_loop callback per word cost ~2 us each in the TCG guest): a block of
 * zeros (most of a fresh bitmap, and of a sparse one) costs a load, an AND
 * and an OR per word. A global function, verified once: inlined in the
 * loop over blocks, its branch gave 7.3's verifier states it did not
 * prune, past its limit of 1M instructions.
 */
__noinline __u64 block_ones(struct word_block *blk, __u64 nr)
{
	__u64 any = 0, ones = 0;
	__u32 k;

	if (!blk)
		return 0;
	for (k = 0; k < BLOCK_WORDS; k++)
		any |= blk->w[k] & word_mask(k, nr);
	if (!any)
		return 0;
	for (k = 0; k < BLOCK_WORDS; k++)
		ones += popcount64(blk->w[k] & word_mask(k, nr));
	return ones;
}

static long count_chunk(__u32 i, struct bitmap_count *c)
{
	__u64 addr = c->first + (__u64)i * BITMAP_CHUNK, bit = addr * 8;
	__u64 ones = 0, jlo = 0, jhi, nw, edge, base;
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
	/* The blocks past the words read cost nothing. */
	for (b = 0; b < CHUNK_BLOCKS; b++) {
		base = b * BLOCK_WORDS;
		if (base >= nw)
			break;
		ones += block_ones((struct word_block *)&s->words[base],
				   nw - base);
	}
	if (!ones)
		return 0;
	/* Then take out the bits of the two edge words outside [lo, hi). */
	edge = bit + jlo * 64;
	if (edge < c->lo)
		ones -= popcount64(s->words[0] & ~(~0ull << (c->lo - edge)));
	edge = bit + (jhi - 1) * 64;
	if (edge + 64 > c->hi)
		ones -= popcount64(s->words[(nw - 1) & (CHUNK_WORDS - 1)] &
				   (~0ull << (c->hi - edge)));
	c->ones += ones;
	return 0;
}

/* Count the bits set in [lo, hi). False if it could not be done. */
static __always_inline bool bitmap_ones(__u64 lo, __u64 hi, __u64 *ones,
					__u32 *absent)
{
	struct bitmap_count c = { .lo = lo, .hi = hi };
	struct bitmap_scratch *s;
	__u32 zero = 0;
	bool done;
	__u64 n;

	c.ones = verifier_zero;
	c.absent = verifier_zero;
	c.first = lo / 8 & ~(__u64)(BITMAP_CHUNK - 1);
	n = ((hi - 1) / 8 - c.first) / BITMAP_CHUNK + 1;
	s = bpf_map_lookup_elem(&scratch, &zero);
	if (!s || __sync_lock_test_and_set(&s->busy, 1))
		return false;
	done = bpf_loop(n, count_chunk, &c, 0) == (long)n;
	s->busy = 0;
	*ones = c.ones;
	*absent = c.absent;
	return done;
}

/* bpf_loop's limit: a bitmap of up to 2^23 chunks (32 GiB) is counted. */
#define BITMAP_MAX_BITS ((1ull << 23) * BITMAP_CHUNK * 8)

#endif
