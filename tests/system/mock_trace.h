/* SPDX-License-Identifier: GPL-2.0 */
/* Trace beside mock-dirty in the mock profile (mock_trace.c). */
#ifndef DIRTYSCOPE_MOCK_TRACE_H
#define DIRTYSCOPE_MOCK_TRACE_H

#include <stdint.h>
#include "syshelp.h"

#define MOCK_PAGE 2048 /* PAGE_SIZE / 2 on x86 */

/* One mock-dirty run: --size size (bytes), --pages dirty, --seed seed. */
struct mock_run {
	const char *size;
	uint64_t bytes;
	uint64_t dirty;
	const char *seed;
};

/* Start trace --csv csvdir with up to two more options (NULL for none),
 * and wait until it is attached; stop it with SIGINT, which must end it
 * with exit 0. */
void trace_start(struct run *tr, const char *csvdir, const char *opt1,
		 const char *opt2);
void trace_stop(struct run *tr);
/* Run mock-dirty as m says; it must succeed and say it wrote m->dirty
 * pages. Its hwpt into hwpt. */
void run_mock(const struct mock_run *m, unsigned int *hwpt);
/* The IOAS mappings mock-dirty makes of bytes: one walk each per read. */
uint64_t mock_areas(uint64_t bytes);
/* Fail unless row of syncs.csv is the op of m's run on hwpt, with dirty
 * pages and flags. */
void check_sync_row(const struct csv *s, size_t row, const char *op,
		    unsigned int hwpt, const struct mock_run *m, uint64_t dirty,
		    unsigned int flags);

#endif
