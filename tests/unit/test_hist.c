// SPDX-License-Identifier: GPL-2.0
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>
#include "hist.h"
#include "trace_event.h"

/* Buckets tile the whole u64 range with no gap and no overlap. */
static void buckets_are_contiguous(void **state)
{
	unsigned int i;

	(void)state;
	assert_int_equal(hist_bucket_low(0), 0);
	for (i = 1; i < HIST_BUCKETS; i++)
		assert_true(hist_bucket_low(i) == hist_bucket_high(i - 1) + 1);
	assert_true(hist_bucket_high(HIST_BUCKETS - 1) == UINT64_MAX);
	assert_int_equal(hist_index(UINT64_MAX), HIST_BUCKETS - 1);
}

static void index_matches_bounds(void **state)
{
	uint64_t v;
	unsigned int i;

	(void)state;
	for (v = 1; v < (1ull << 62); v = v * 3 + 1) {
		i = hist_index(v);
		assert_true(hist_bucket_low(i) <= v);
		assert_true(v <= hist_bucket_high(i));
		/* Relative bucket width bounds the percentile error. */
		assert_true(hist_bucket_high(i) - hist_bucket_low(i) <=
			    v / HIST_SUB);
	}
}

/* The BPF side buckets map/unmap sizes with ds_hist_index(), which has no
 * clz; it must agree with hist_index() everywhere. */
static void bpf_index_agrees(void **state)
{
	uint64_t v;
	unsigned int b;

	(void)state;
	for (v = 0; v < 4096; v++)
		assert_int_equal(ds_hist_index(v), hist_index(v));
	for (b = 5; b < 64; b++) {
		uint64_t p = 1ull << b;

		assert_int_equal(ds_hist_index(p - 1), hist_index(p - 1));
		assert_int_equal(ds_hist_index(p), hist_index(p));
		assert_int_equal(ds_hist_index(p + 1), hist_index(p + 1));
		assert_int_equal(ds_hist_index(p | (p >> 1) | 7),
				 hist_index(p | (p >> 1) | 7));
	}
	assert_int_equal(ds_hist_index(UINT64_MAX), HIST_BUCKETS - 1);
	assert_int_equal(hist_index(UINT64_MAX), HIST_BUCKETS - 1);
}

static void quantiles_of_uniform(void **state)
{
	struct hist *h = malloc(sizeof(*h));
	uint64_t v, p50, p99;

	(void)state;
	hist_init(h);
	for (v = 1; v <= 10000; v++)
		hist_add(h, v * 1000);
	assert_int_equal(h->count, 10000);
	assert_true(h->min == 1000);
	assert_true(h->max == 10000000);
	p50 = hist_quantile(h, 0.5);
	p99 = hist_quantile(h, 0.99);
	/* True values 5,000,000 and 9,900,000; never under, < 1/32 over. */
	assert_true(p50 >= 5000000 && p50 <= 5000000 + 5000000 / 32);
	assert_true(p99 >= 9900000 && p99 <= 9900000 + 9900000 / 32);
	assert_true(hist_quantile(h, 1.0) == 10000000);
	free(h);
}

static void small_values_exact(void **state)
{
	struct hist h;

	(void)state;
	hist_init(&h);
	assert_true(hist_quantile(&h, 0.5) == 0);
	hist_add(&h, 3);
	hist_add(&h, 5);
	hist_add(&h, 7);
	assert_true(hist_quantile(&h, 0.5) == 5);
	assert_true(hist_quantile(&h, 0.99) == 7);
	assert_true(h.sum == 15);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(buckets_are_contiguous),
		cmocka_unit_test(index_matches_bounds),
		cmocka_unit_test(bpf_index_agrees),
		cmocka_unit_test(quantiles_of_uniform),
		cmocka_unit_test(small_values_exact),
	};

	return cmocka_run_group_tests_name("hist", tests, NULL, NULL);
}
