// SPDX-License-Identifier: GPL-2.0
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "bitmap.h"

static void random_fill_exact_count(void **state)
{
	const uint64_t bits = 32768 + 13;
	uint64_t *a = calloc(bitmap_words(bits), 8);
	uint64_t *b = calloc(bitmap_words(bits), 8);
	uint64_t n;

	(void)state;
	for (n = 0; n <= bits; n += 4681) {
		memset(a, 0, bitmap_words(bits) * 8);
		bitmap_random_fill(a, bits, n, 42);
		assert_true(bitmap_weight(a, bits) == n);
	}
	/* Same seed, same pattern; another seed, another one. */
	memset(a, 0, bitmap_words(bits) * 8);
	bitmap_random_fill(a, bits, 1000, 7);
	bitmap_random_fill(b, bits, 1000, 7);
	assert_true(bitmap_diff_weight(a, b, bits) == 0);
	memset(b, 0, bitmap_words(bits) * 8);
	bitmap_random_fill(b, bits, 1000, 8);
	assert_true(bitmap_diff_weight(a, b, bits) > 0);
	free(a);
	free(b);
}

static void weight_ignores_tail(void **state)
{
	uint64_t map[2] = { ~0ull, ~0ull };
	uint64_t other[2] = { 0, 0 };

	(void)state;
	assert_true(bitmap_weight(map, 70) == 70);
	assert_true(bitmap_weight(map, 64) == 64);
	assert_true(bitmap_diff_weight(map, other, 65) == 65);
	assert_true(bitmap_test_bit(map, 69));
	bitmap_set_bit(other, 69);
	assert_true(bitmap_test_bit(other, 69));
	assert_false(bitmap_test_bit(other, 68));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(random_fill_exact_count),
		cmocka_unit_test(weight_ignores_tail),
	};

	return cmocka_run_group_tests_name("bitmap", tests, NULL, NULL);
}
