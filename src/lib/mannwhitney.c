// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "mannwhitney.h"

#define MW_MAXN	  (2 * MW_EXACT_MAX)
/* Doubled midranks are integers; their sum is at most 2 * (1 + ... + N). */
#define MW_MAXSUM (MW_MAXN * (MW_MAXN + 1))

struct pooled {
	double v;
	int from_x;
};

static int cmp_pooled(const void *a, const void *b)
{
	double x = ((const struct pooled *)a)->v;
	double y = ((const struct pooled *)b)->v;

	return (x > y) - (x < y);
}

/*
 * Doubled midranks (1-based ranks, ties get the mean rank, times 2 so they
 * are integers) of the pooled sample, into r2 in sorted order; from_x tells
 * which sample each came from. Returns the tie term sum(t^3 - t).
 */
static double rank_pooled(const double *x, size_t nx, const double *y,
			  size_t ny, struct pooled *p, long *r2)
{
	size_t n = nx + ny, i, j, k;
	double ties = 0;

	for (i = 0; i < nx; i++)
		p[i] = (struct pooled){ x[i], 1 };
	for (i = 0; i < ny; i++)
		p[nx + i] = (struct pooled){ y[i], 0 };
	qsort(p, n, sizeof(*p), cmp_pooled);
	for (i = 0; i < n; i = j) {
		double t;

		for (j = i + 1; j < n && p[j].v == p[i].v; j++)
			;
		/* Ranks i+1 .. j: doubled mean is i + 1 + j. */
		for (k = i; k < j; k++)
			r2[k] = (long)(i + 1 + j);
		t = (double)(j - i);
		ties += t * t * t - t;
	}
	return ties;
}

static long rank_sum_x2(const struct pooled *p, const long *r2, size_t n)
{
	long s = 0;
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i].from_x)
			s += r2[i];
	return s;
}

int mann_whitney_exact(const double *x, size_t nx, const double *y, size_t ny,
		       struct mw_result *r)
{
	/* cnt[k][s]: ways to pick k of the items seen so far with doubled
	 * rank sum s. At most C(20, 10) = 184756 ways: doubles are exact. */
	static double cnt[MW_EXACT_MAX + 1][MW_MAXSUM + 1];
	struct pooled p[MW_MAXN];
	long r2[MW_MAXN], obs, mean2, dev, s;
	size_t n = nx + ny, i, k;
	double total = 0, extreme = 0;

	if (!nx || !ny)
		return -EINVAL;
	if (nx > MW_EXACT_MAX || ny > MW_EXACT_MAX)
		return -E2BIG;
	rank_pooled(x, nx, y, ny, p, r2);
	obs = rank_sum_x2(p, r2, n);
	memset(cnt, 0, sizeof(cnt));
	cnt[0][0] = 1;
	for (i = 0; i < n; i++)
		for (k = i + 1 < nx ? i + 1 : nx; k >= 1; k--)
			for (s = MW_MAXSUM; s >= r2[i]; s--)
				cnt[k][s] += cnt[k - 1][s - r2[i]];
	/* E[2 R] = nx (n + 1); two-sided: as far from it as observed. */
	mean2 = (long)(nx * (n + 1));
	dev = labs(obs - mean2);
	for (s = 0; s <= MW_MAXSUM; s++) {
		total += cnt[nx][s];
		if (labs(s - mean2) >= dev)
			extreme += cnt[nx][s];
	}
	r->u = obs / 2.0 - nx * (nx + 1) / 2.0;
	r->p = fmin(1.0, extreme / total);
	r->exact = true;
	return 0;
}

int mann_whitney_normal(const double *x, size_t nx, const double *y, size_t ny,
			struct mw_result *r)
{
	size_t n = nx + ny;
	struct pooled *p;
	long *r2;
	double ties, mu, var, z;

	if (!nx || !ny)
		return -EINVAL;
	p = malloc(n * sizeof(*p));
	r2 = malloc(n * sizeof(*r2));
	if (!p || !r2) {
		free(p);
		free(r2);
		return -ENOMEM;
	}
	ties = rank_pooled(x, nx, y, ny, p, r2);
	r->u = rank_sum_x2(p, r2, n) / 2.0 - nx * (nx + 1) / 2.0;
	free(p);
	free(r2);
	mu = nx * (double)ny / 2;
	var = nx * (double)ny / 12 *
	      ((n + 1) - ties / ((double)n * (n > 1 ? n - 1 : 1)));
	r->exact = false;
	if (var <= 0) {
		/* Every value the same: no evidence of a difference. */
		r->p = 1;
		return 0;
	}
	z = (fabs(r->u - mu) - 0.5) / sqrt(var);
	r->p = z <= 0 ? 1 : fmin(1.0, erfc(z / M_SQRT2));
	return 0;
}

int mann_whitney(const double *x, size_t nx, const double *y, size_t ny,
		 struct mw_result *r)
{
	if (nx <= MW_EXACT_MAX && ny <= MW_EXACT_MAX)
		return mann_whitney_exact(x, nx, y, ny, r);
	return mann_whitney_normal(x, nx, y, ny, r);
}

const char *mw_method(const struct mw_result *r)
{
	return r->exact ? "exact" : "normal approximation";
}
