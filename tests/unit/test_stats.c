// SPDX-License-Identifier: GPL-2.0
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "stats.h"

static void known_sample(void **state)
{
	/* mean 5, sample sd sqrt(2.5), n 5: t(4) = 2.776. */
	const double x[] = { 3, 4, 5, 6, 7 };
	struct mean_ci m = mean_ci(x, 5);

	(void)state;
	assert_int_equal(m.n, 5);
	assert_true(fabs(m.mean - 5.0) < 1e-12);
	assert_true(fabs(m.ci95 - 2.776 * sqrt(2.5) / sqrt(5)) < 1e-9);
}

static void degenerate(void **state)
{
	const double one = 42;
	struct mean_ci m = mean_ci(&one, 1);

	(void)state;
	assert_true(m.mean == 42 && m.ci95 == 0);
	m = mean_ci(NULL, 0);
	assert_true(m.n == 0 && m.mean == 0);
	assert_true(t_quantile_975(1) == 12.706);
	assert_true(t_quantile_975(1000) == 1.960);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(known_sample),
		cmocka_unit_test(degenerate),
	};

	return cmocka_run_group_tests_name("stats", tests, NULL, NULL);
}
