/* SPDX-License-Identifier: GPL-2.0 */
/* Mean and 95 % confidence interval of a small sample (Student's t). */
#ifndef DIRTYSCOPE_STATS_H
#define DIRTYSCOPE_STATS_H

#include <stddef.h>

struct mean_ci {
	size_t n;
	double mean;
	double ci95; /* half-width; 0 when n < 2 */
};

struct mean_ci mean_ci(const double *x, size_t n);
/* Two-sided 97.5 % quantile of Student's t with df degrees of freedom. */
double t_quantile_975(size_t df);

#endif
