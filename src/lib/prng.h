/* SPDX-License-Identifier: GPL-2.0 */
/* Seeded, reproducible pseudo-random numbers (splitmix64). */
#ifndef DIRTYSCOPE_PRNG_H
#define DIRTYSCOPE_PRNG_H

#include <stdint.h>

struct prng {
	uint64_t state;
};

static inline uint64_t prng_next(struct prng *p)
{
	uint64_t z = (p->state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform in [0, n), n > 0. The modulo bias is below 2^-40 for n < 2^24. */
static inline uint64_t prng_below(struct prng *p, uint64_t n)
{
	return prng_next(p) % n;
}

#endif
