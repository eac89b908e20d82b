// SPDX-License-Identifier: GPL-2.0
/*
 * test_mock_vm.c's harness: trace started and stopped as a user would, a
 * mock-dirty run with a size, a count of dirty pages and a seed, and the
 * syncs.csv row that such a run must give trace.
 */
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "mock_trace.h"

/* Start trace with extra options, wait until it is attached. */
void trace_start(struct run *tr, const char *csvdir, const char *opt1,
		 const char *opt2)
{
	const char *argv[] = {
		dirtyscope_bin(), "trace", "--csv", csvdir, opt1, opt2, NULL
	};

	assert_int_equal(run_start(tr, RUN_AS_ROOT, argv), 0);
	assert_true(run_wait_stderr(tr, "Tracing with ", 60));
}

void trace_stop(struct run *tr)
{
	kill(tr->pid, SIGINT);
	assert_int_equal(run_wait(tr, 60), 0);
}

void run_mock(const struct mock_run *m, unsigned int *hwpt)
{
	char pages[32], line[64];
	const char *argv[] = { dirtyscope_bin(), "mock-dirty", "--size",
			       m->size,		 "--pages",    pages,
			       "--seed",	 m->seed,      NULL };
	const char *p;
	struct run r;

	snprintf(pages, sizeof(pages), "%" PRIu64, m->dirty);
	assert_int_equal(run_sync(&r, RUN_AS_ROOT, argv, 120), 0);
	p = strstr(r.out, "mock device: hwpt ");
	assert_non_null(p);
	*hwpt = strtoul(p + strlen("mock device: hwpt "), NULL, 10);
	snprintf(line, sizeof(line), "device wrote       %8" PRIu64 " pages",
		 m->dirty);
	assert_non_null(strstr(r.out, line));
	run_free(&r);
}

/* The IOAS mappings mock-dirty makes of bytes, one walk each per read: one,
 * or one per mock page on 7.x's mock, whose IOPTEs would otherwise follow
 * physical contiguity (src/backends/iommufd_mock.c). */
uint64_t mock_areas(uint64_t bytes)
{
	return kernel_has_function("pt_iommu_amdv1_mock_read_and_clear_dirty")
		       ? bytes / MOCK_PAGE
		       : 1;
}

/* dirty pages from the caller's bitmap; without --iopte-stats no
 * per-IOPTE counts, and the columns say so by being empty. */
void check_sync_row(const struct csv *s, size_t row, const char *op,
		    unsigned int hwpt, const struct mock_run *m, uint64_t dirty,
		    unsigned int flags)
{
	char **f = s->rows[row];

	assert_string_equal(f[csv_col(s, "op")], op);
	assert_int_equal(strtoul(f[csv_col(s, "hwpt")], NULL, 10), hwpt);
	assert_int_equal(strtoull(f[csv_col(s, "iova")], NULL, 10), 1 << 24);
	assert_int_equal(strtoull(f[csv_col(s, "length")], NULL, 10), m->bytes);
	assert_int_equal(strtoull(f[csv_col(s, "page_size")], NULL, 10),
			 MOCK_PAGE);
	assert_int_equal(strtoul(f[csv_col(s, "flags")], NULL, 10), flags);
	assert_int_equal(strtoull(f[csv_col(s, "dirty_pages")], NULL, 10),
			 dirty);
	assert_string_equal(f[csv_col(s, "dirty_records")], "");
	assert_string_equal(f[csv_col(s, "dirty_bytes")], "");
	assert_string_equal(f[csv_col(s, "ret")], "0");
	assert_string_equal(f[csv_col(s, "comm")], "dirtyscope");
	assert_true(strtoull(f[csv_col(s, "total_ns")], NULL, 10) > 0);
	/* The driver walk is nested inside the ioctl, and shorter. */
	assert_int_equal(strtoull(f[csv_col(s, "walk_calls")], NULL, 10),
			 mock_areas(m->bytes));
	assert_true(strtoull(f[csv_col(s, "walk_ns")], NULL, 10) > 0);
	assert_true(strtoull(f[csv_col(s, "walk_ns")], NULL, 10) <=
		    strtoull(f[csv_col(s, "total_ns")], NULL, 10));
	assert_string_equal(f[csv_col(s, "iotlb_invalidations")], "0");
}
