// SPDX-License-Identifier: GPL-2.0
/*
 * test_workload.c's harness: specs parsed and generators made with the
 * checks every test wants, the rule of which configurations cannot exist,
 * the page counts of a run of writes, and the reference PRNG and ordering
 * the statistical tests measure the generators against.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>
#include "workload_harness.h"

struct workload_config spec_cfg(const char *spec, uint64_t pages, uint64_t seed)
{
	struct workload_config c = { .pages = pages, .seed = seed };

	assert_int_equal(workload_parse(spec, &c), 0);
	return c;
}

struct workload *spec_new(const char *spec, uint64_t pages, uint64_t seed)
{
	struct workload_config c = spec_cfg(spec, pages, seed);
	struct workload *w = workload_new(&c);

	assert_non_null(w);
	return w;
}

/* Whether workload_new must refuse c: a set that cannot exist. */
int impossible(const struct workload_config *c)
{
	double hot = round(c->hot_frac * (double)c->pages);

	switch (c->kind) {
	case WL_HOTCOLD:
		return hot < 1 || hot >= (double)c->pages;
	case WL_RING:
		return c->ring_pages > c->pages;
	case WL_BURSTY:
		return c->burst_len > c->pages;
	default:
		return 0;
	}
}

uint32_t *count_pages(struct workload *w, uint64_t pages, size_t n)
{
	uint32_t *count = calloc(pages, sizeof(*count));
	uint64_t *out = malloc(n * sizeof(*out));
	size_t i;

	assert_non_null(count);
	assert_non_null(out);
	workload_next(w, out, n);
	for (i = 0; i < n; i++) {
		assert_true(out[i] < pages);
		count[out[i]]++;
	}
	free(out);
	return count;
}

/* splitmix64 by hand, to check uniform against it independently. */
uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

int by_count_desc(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x < y) - (x > y);
}
