/* SPDX-License-Identifier: GPL-2.0 */
/* Page bitmaps as the kernel's dirty-bitmap uAPI lays them out: u64 words,
 * bit i of word i / 64 is page i. */
#ifndef DIRTYSCOPE_BITMAP_H
#define DIRTYSCOPE_BITMAP_H

#include <stdbool.h>
#include <stdint.h>

static inline uint64_t bitmap_words(uint64_t bits)
{
	return (bits + 63) / 64;
}

static inline void bitmap_set_bit(uint64_t *map, uint64_t bit)
{
	map[bit / 64] |= 1ull << (bit % 64);
}

static inline void bitmap_clear_bit(uint64_t *map, uint64_t bit)
{
	map[bit / 64] &= ~(1ull << (bit % 64));
}

static inline bool bitmap_test_bit(const uint64_t *map, uint64_t bit)
{
	return map[bit / 64] >> (bit % 64) & 1;
}

uint64_t bitmap_weight(const uint64_t *map, uint64_t bits);
/* Bits set in exactly one of a and b. */
uint64_t bitmap_diff_weight(const uint64_t *a, const uint64_t *b,
			    uint64_t bits);
/* Set exactly n of the first bits bits, chosen uniformly by seed
 * (selection sampling: one pass, no extra memory). map must be zeroed. */
void bitmap_random_fill(uint64_t *map, uint64_t bits, uint64_t n,
			uint64_t seed);

#endif
