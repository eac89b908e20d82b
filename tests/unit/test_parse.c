// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "parse.h"

static void size_suffixes(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(parse_size("4096", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(parse_size("4K", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(parse_size("64M", &v), 0);
	assert_int_equal(v, 64ull << 20);
	assert_int_equal(parse_size("64MiB", &v), 0);
	assert_int_equal(v, 64ull << 20);
	assert_int_equal(parse_size("1g", &v), 0);
	assert_int_equal(v, 1ull << 30);
	assert_int_equal(parse_size("2TB", &v), 0);
	assert_int_equal(v, 2ull << 40);
}

static void size_rejects(void **state)
{
	uint64_t v = 7;

	(void)state;
	assert_int_equal(parse_size("", &v), -EINVAL);
	assert_int_equal(parse_size("-1", &v), -EINVAL);
	assert_int_equal(parse_size(" 4K", &v), -EINVAL);
	assert_int_equal(parse_size("4X", &v), -EINVAL);
	assert_int_equal(parse_size("4KK", &v), -EINVAL);
	assert_int_equal(parse_size("M", &v), -EINVAL);
	assert_int_equal(parse_size("99999999999999999999", &v), -ERANGE);
	assert_int_equal(parse_size("17000000T", &v), -ERANGE);
	assert_int_equal(v, 7);
}

static void u64_values(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(parse_u64("0", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(parse_u64("0x10", &v), 0);
	assert_int_equal(v, 16);
	assert_int_equal(parse_u64("18446744073709551615", &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(parse_u64("18446744073709551616", &v), -ERANGE);
	assert_int_equal(parse_u64("12a", &v), -EINVAL);
	assert_int_equal(parse_u64("+1", &v), -EINVAL);
}

static void seconds(void **state)
{
	uint64_t ns;

	(void)state;
	assert_int_equal(parse_seconds("2", &ns), 0);
	assert_true(ns == 2000000000ull);
	assert_int_equal(parse_seconds("0.25", &ns), 0);
	assert_true(ns == 250000000ull);
	assert_int_equal(parse_seconds("-1", &ns), -EINVAL);
	assert_int_equal(parse_seconds("1s", &ns), -EINVAL);
	assert_int_equal(parse_seconds("nan", &ns), -EINVAL);
	assert_int_equal(parse_seconds("1e300", &ns), -ERANGE);
}

static void size_lists(void **state)
{
	uint64_t v[3] = { 7, 7, 7 };
	unsigned int n = 9;

	(void)state;
	assert_int_equal(parse_size_list("1M,16M,128M", v, 3, &n), 0);
	assert_int_equal(n, 3);
	assert_true(v[0] == 1 << 20 && v[1] == 16 << 20 && v[2] == 128 << 20);
	assert_int_equal(parse_size_list("4K", v, 3, &n), 0);
	assert_int_equal(n, 1);
	assert_true(v[0] == 4096);
	/* Refused, and nothing written. */
	n = 9;
	v[0] = 7;
	assert_int_equal(parse_size_list("", v, 3, &n), -EINVAL);
	assert_int_equal(parse_size_list("1M,,2M", v, 3, &n), -EINVAL);
	assert_int_equal(parse_size_list("1M,", v, 3, &n), -EINVAL);
	assert_int_equal(parse_size_list(",1M", v, 3, &n), -EINVAL);
	assert_int_equal(parse_size_list("1M,0", v, 3, &n), -EINVAL);
	assert_int_equal(parse_size_list("1,2,3,4", v, 3, &n), -EINVAL);
	assert_int_equal(parse_size_list("1, 2", v, 3, &n), -EINVAL);
	assert_int_equal(parse_size_list("1,17000000T", v, 3, &n), -ERANGE);
	assert_int_equal(n, 9);
	assert_int_equal(v[0], 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(size_suffixes), cmocka_unit_test(size_rejects),
		cmocka_unit_test(u64_values),	 cmocka_unit_test(seconds),
		cmocka_unit_test(size_lists),
	};

	return cmocka_run_group_tests_name("parse", tests, NULL, NULL);
}
