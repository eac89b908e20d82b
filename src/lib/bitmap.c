// SPDX-License-Identifier: GPL-2.0
#include "bitmap.h"
#include "prng.h"

/* __builtin_popcountll is a table walk without the POPCNT instruction,
 * which the x86-64 baseline does not have: build a POPCNT copy too and let
 * the loader pick it where the CPU has it (5.6 -> 27 GB/s measured on the
 * build machine, docs/performance.md). */
#if defined(__x86_64__)
#define POPCNT_CLONES __attribute__((target_clones("popcnt", "default")))
#else
#define POPCNT_CLONES
#endif

static uint64_t tail_mask(uint64_t bits)
{
	return bits % 64 ? (1ull << (bits % 64)) - 1 : ~0ull;
}

POPCNT_CLONES uint64_t bitmap_weight(const uint64_t *map, uint64_t bits)
{
	uint64_t i, n = bitmap_words(bits), w = 0;

	for (i = 0; i + 1 < n; i++)
		w += __builtin_popcountll(map[i]);
	if (n)
		w += __builtin_popcountll(map[n - 1] & tail_mask(bits));
	return w;
}

POPCNT_CLONES uint64_t bitmap_diff_weight(const uint64_t *a, const uint64_t *b,
					  uint64_t bits)
{
	uint64_t i, n = bitmap_words(bits), w = 0;

	for (i = 0; i + 1 < n; i++)
		w += __builtin_popcountll(a[i] ^ b[i]);
	if (n)
		w += __builtin_popcountll((a[n - 1] ^ b[n - 1]) &
					  tail_mask(bits));
	return w;
}

void bitmap_random_fill(uint64_t *map, uint64_t bits, uint64_t n, uint64_t seed)
{
	struct prng p = { .state = seed };
	uint64_t i, left = bits;

	/* Knuth's algorithm S: take bit i with probability n / left. */
	for (i = 0; i < bits && n; i++, left--) {
		if (prng_below(&p, left) < n) {
			bitmap_set_bit(map, i);
			n--;
		}
	}
}
