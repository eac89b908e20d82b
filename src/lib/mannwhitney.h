/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Mann-Whitney U test (Wilcoxon rank-sum), two-sided: do two samples come
 * from the same distribution? Exact p-value for small samples (both at most
 * MW_EXACT_MAX), from the permutation distribution of the rank sum counted
 * over every way of splitting the pooled midranks, which is also exact with
 * ties; above that, the normal approximation with tie correction and
 * continuity correction.
 */
#ifndef DIRTYSCOPE_MANNWHITNEY_H
#define DIRTYSCOPE_MANNWHITNEY_H

#include <stdbool.h>
#include <stddef.h>

#define MW_EXACT_MAX 10

struct mw_result {
	double u;   /* U of the first sample: pairs x > y, ties count 1/2 */
	double p;   /* two-sided */
	bool exact; /* p from the exact distribution, else normal approx. */
};

/* Picks exact or normal as above. -EINVAL if a sample is empty. */
int mann_whitney(const double *x, size_t nx, const double *y, size_t ny,
		 struct mw_result *r);
/* The two methods on their own (exact: -E2BIG above MW_EXACT_MAX). */
int mann_whitney_exact(const double *x, size_t nx, const double *y, size_t ny,
		       struct mw_result *r);
int mann_whitney_normal(const double *x, size_t nx, const double *y, size_t ny,
			struct mw_result *r);
/* "exact" or "normal approximation". */
const char *mw_method(const struct mw_result *r);

#endif
