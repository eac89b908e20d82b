/* SPDX-License-Identifier: GPL-2.0 */
#ifndef DIRTYSCOPE_CLOCK_H
#define DIRTYSCOPE_CLOCK_H

#include <stdint.h>
#include <time.h>

/* CLOCK_MONOTONIC, the clock bpf_ktime_get_ns() reads. */
static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

#endif
