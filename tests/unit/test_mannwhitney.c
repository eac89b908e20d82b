// SPDX-License-Identifier: GPL-2.0
/*
 * Mann-Whitney U p-values against values counted by hand (every split of
 * the pooled ranks) or taken from the published tables of U.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "mannwhitney.h"

#define near(a, b, eps) assert_true(fabs((a) - (b)) < (eps))

static void separated_3_3(void **state)
{
	/* 20 splits of 6 ranks; only {1,2,3} and {4,5,6} are as extreme. */
	const double x[] = { 1, 2, 3 }, y[] = { 4, 5, 6 };
	struct mw_result r;

	(void)state;
	assert_int_equal(mann_whitney(x, 3, y, 3, &r), 0);
	assert_true(r.exact);
	near(r.u, 0, 1e-12);
	near(r.p, 0.1, 1e-12);
	/* Swapped: U is the other tail, p the same. */
	assert_int_equal(mann_whitney(y, 3, x, 3, &r), 0);
	near(r.u, 9, 1e-12);
	near(r.p, 0.1, 1e-12);
}

static void separated_5_5(void **state)
{
	/* 2 of C(10,5) = 252 splits. */
	const double x[] = { 10, 11, 12, 13, 14 }, y[] = { 20, 21, 22, 23, 24 };
	struct mw_result r;

	(void)state;
	assert_int_equal(mann_whitney(x, 5, y, 5, &r), 0);
	assert_true(r.exact);
	near(r.p, 2.0 / 252, 1e-12);
	assert_true(r.p < 0.00795 && r.p > 0.00793);
}

static void table_4_4(void **state)
{
	/* U = 1 for n1 = n2 = 4: P(U <= 1) = 2/70 in the tables, two-sided
	 * 4/70 = 0.0571: not significant at 0.05. */
	const double x[] = { 1, 2, 3, 5 }, y[] = { 4, 6, 7, 8 };
	struct mw_result r;

	(void)state;
	assert_int_equal(mann_whitney(x, 4, y, 4, &r), 0);
	near(r.u, 1, 1e-12);
	near(r.p, 4.0 / 70, 1e-12);
	/* Unequal sizes: n1 = 2, n2 = 3 separated, 2 of C(5,2) = 10. */
	assert_int_equal(mann_whitney(x, 2, y + 1, 3, &r), 0);
	near(r.p, 0.2, 1e-12);
}

static void ties(void **state)
{
	/* Midranks 1, 3, 3, 3, 5.5, 5.5; x sums to 7, mean 10.5. Sums as far
	 * out: 1+3+3 (3 ways) and 5.5+5.5+3 (3 ways): p = 6/20. */
	const double x[] = { 1, 2, 2 }, y[] = { 2, 3, 3 };
	const double same[] = { 7, 7, 7, 7 };
	struct mw_result r;

	(void)state;
	assert_int_equal(mann_whitney(x, 3, y, 3, &r), 0);
	near(r.u, 1, 1e-12); /* 2 ties of 1/2 each */
	near(r.p, 0.3, 1e-12);
	/* All equal: no evidence at all, either way. */
	assert_int_equal(mann_whitney(same, 2, same, 2, &r), 0);
	near(r.p, 1, 1e-12);
	assert_int_equal(mann_whitney_normal(same, 4, same, 4, &r), 0);
	near(r.p, 1, 1e-12);
}

static void normal_close_to_exact_at_10(void **state)
{
	/* x = 1..10, y = 4.5..13.5, no ties: U = 1 + 2 + ... + 6 = 21 (x = 5
	 * beats 4.5, ..., x = 10 beats 4.5..9.5). Exact p =
	 * 5322 / 184756 = 0.0288 (counted over all splits); normal with
	 * continuity correction z = 28.5 / sqrt(175), p = 0.0312. The same
	 * verdict at 0.05, 0.0024 apart. */
	double x[10], y[10];
	struct mw_result e, n;
	int i;

	(void)state;
	for (i = 0; i < 10; i++) {
		x[i] = i + 1;
		y[i] = i + 4.5;
	}
	assert_int_equal(mann_whitney_exact(x, 10, y, 10, &e), 0);
	assert_int_equal(mann_whitney_normal(x, 10, y, 10, &n), 0);
	assert_true(e.exact && !n.exact);
	near(e.u, 21, 1e-12);
	near(n.u, 21, 1e-12);
	near(e.p, 5322.0 / 184756, 1e-12);
	near(n.p, erfc(28.5 / sqrt(175) / M_SQRT2), 1e-12);
	near(e.p, n.p, 0.003);
	assert_true(e.p < 0.05 && n.p < 0.05);
	/* mann_whitney() itself takes the exact path at 10. */
	assert_int_equal(mann_whitney(x, 10, y, 10, &n), 0);
	assert_true(n.exact);
	assert_string_equal(mw_method(&n), "exact");
}

static void large_uses_normal(void **state)
{
	/* 12 and 12, with ties: normal with the tie term. Pooled: 1 x12
	 * values 1..12 and y values 1..12: every value tied twice, U = 72,
	 * the mean: p = 1. */
	double x[12], y[12];
	struct mw_result r;
	int i;

	(void)state;
	for (i = 0; i < 12; i++)
		x[i] = y[i] = i + 1;
	assert_int_equal(mann_whitney(x, 12, y, 12, &r), 0);
	assert_false(r.exact);
	assert_string_equal(mw_method(&r), "normal approximation");
	near(r.u, 72, 1e-12);
	near(r.p, 1, 1e-12);
	/* Separated: U = 0, sigma^2 = 144 * 25 / 12 = 300. */
	for (i = 0; i < 12; i++)
		y[i] = 100 + i;
	assert_int_equal(mann_whitney(x, 12, y, 12, &r), 0);
	near(r.p, erfc((72 - 0.5) / sqrt(300) / M_SQRT2), 1e-12);
	assert_int_equal(mann_whitney_exact(x, 12, y, 12, &r), -E2BIG);
	assert_int_equal(mann_whitney(x, 0, y, 12, &r), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(separated_3_3),
		cmocka_unit_test(separated_5_5),
		cmocka_unit_test(table_4_4),
		cmocka_unit_test(ties),
		cmocka_unit_test(normal_close_to_exact_at_10),
		cmocka_unit_test(large_uses_normal),
	};

	return cmocka_run_group_tests_name("mannwhitney", tests, NULL, NULL);
}
