// SPDX-License-Identifier: GPL-2.0
/*
 * bench_bitmap: host speed of the bitmap analysis helpers over a 32 MiB
 * bitmap (2^28 bits: 1 TiB of IOVA at 4 KiB pages). Best of 5 runs each,
 * one thread. Prints one CSV row per measurement:
 *   bitmap,<metric>,<value>,<unit>,<notes>
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include "bitmap.h"
#include "clock.h"

#define BITS (1ull << 28)
#define RUNS 5

/* Keeps the compiler from dropping a result it thinks unused. */
static volatile uint64_t sink;

static void report(const char *metric, uint64_t best_ns, uint64_t bytes)
{
	printf("bitmap,%s_ms,%.3f,ms,best of %d over %" PRIu64 " MiB\n", metric,
	       best_ns / 1e6, RUNS, bytes >> 20);
	printf("bitmap,%s_gbps,%.2f,GB/s,bytes read / best time (1 core)\n",
	       metric, (double)bytes / best_ns);
}

int main(void)
{
	uint64_t words = bitmap_words(BITS), best_w = UINT64_MAX;
	uint64_t best_d = UINT64_MAX, t0, t1, i;
	uint64_t *a = malloc(words * sizeof(*a));
	uint64_t *b = malloc(words * sizeof(*b));
	int r;

	if (!a || !b) {
		fprintf(stderr, "bench_bitmap: out of memory\n");
		return 1;
	}
	/* A 1/7 dense pattern, as mock-dirty writes, touching every page. */
	for (i = 0; i < words; i++) {
		a[i] = 0x8102040810204081ull << (i % 7);
		b[i] = a[i] ^ (i & 1);
	}
	for (r = 0; r < RUNS; r++) {
		t0 = now_ns();
		sink = bitmap_weight(a, BITS);
		t1 = now_ns();
		if (t1 - t0 < best_w)
			best_w = t1 - t0;
		t0 = now_ns();
		sink = bitmap_diff_weight(a, b, BITS);
		t1 = now_ns();
		if (t1 - t0 < best_d)
			best_d = t1 - t0;
	}
	report("weight", best_w, words * sizeof(*a));
	/* diff_weight reads two bitmaps. */
	report("diff_weight", best_d, 2 * words * sizeof(*a));
	free(a);
	free(b);
	return 0;
}
