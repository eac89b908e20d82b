// SPDX-License-Identifier: GPL-2.0
#include <math.h>
#include "stats.h"

double t_quantile_975(size_t df)
{
	/* df 1..30; beyond that the normal quantile is within 2 %. */
	static const double t[] = {
		12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306,
		2.262,	2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120,
		2.110,	2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064,
		2.060,	2.056, 2.052, 2.048, 2.045, 2.042,
	};

	if (df == 0)
		return NAN;
	return df <= 30 ? t[df - 1] : 1.960;
}

struct mean_ci mean_ci(const double *x, size_t n)
{
	struct mean_ci m = { .n = n };
	double sum = 0, ss = 0;
	size_t i;

	if (!n)
		return m;
	for (i = 0; i < n; i++)
		sum += x[i];
	m.mean = sum / n;
	if (n < 2)
		return m;
	for (i = 0; i < n; i++)
		ss += (x[i] - m.mean) * (x[i] - m.mean);
	m.ci95 = t_quantile_975(n - 1) * sqrt(ss / (n - 1)) / sqrt(n);
	return m;
}
