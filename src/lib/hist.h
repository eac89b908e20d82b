/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Log-linear latency histogram: every power of two is split into
 * 2^HIST_SUB_BITS equal buckets, so a reported percentile is at most ~3 %
 * above the true value (log2 buckets would be up to 100 % off). Fixed size,
 * no allocation, exact count/min/max/sum.
 */
#ifndef DIRTYSCOPE_HIST_H
#define DIRTYSCOPE_HIST_H

#include <stdint.h>

#define HIST_SUB_BITS 5
#define HIST_SUB      (1u << HIST_SUB_BITS)
#define HIST_BUCKETS  ((65 - HIST_SUB_BITS) * HIST_SUB)

struct hist {
	uint64_t count;
	uint64_t sum;
	uint64_t min;
	uint64_t max;
	uint64_t bucket[HIST_BUCKETS];
};

void hist_init(struct hist *h);
void hist_add(struct hist *h, uint64_t v);
/* Upper bound of the bucket holding the q-quantile (0 < q <= 1), capped at
 * the exact maximum; 0 for an empty histogram. */
uint64_t hist_quantile(const struct hist *h, double q);
unsigned int hist_index(uint64_t v);
/* Smallest and largest value that fall into bucket idx. */
uint64_t hist_bucket_low(unsigned int idx);
uint64_t hist_bucket_high(unsigned int idx);

#endif
