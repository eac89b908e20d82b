// SPDX-License-Identifier: GPL-2.0
/*
 * In the testbed VM (vtd profile: the real Intel IOMMU driver on QEMU's
 * emulated VT-d): dirtyscope trace beside dirtyscope type1-dirty on QEMU's
 * edu device bound to vfio-pci. The profiler must see the type1 ioctls with
 * the sizes the test asked for, type1's all-pages-dirty bitmap (vfio-pci
 * pins nothing, so 100 % of the mapped pages), and the Intel driver's IOTLB
 * invalidations, attributed to unmap: type1 dirty reads do not flush.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "syshelp.h"

#define PAGE 4096 /* type1's bitmap unit on Intel */

static char group[64];
static char dir[] = "/tmp/ds-vtd-XXXXXX";

static void trace_sees_type1_and_attributes_flushes(void **state)
{
	const uint64_t bytes = 16 << 20;
	char csvdir[128], path[160];
	/* --call-latency: the flushes inside iommu_unmap() get their cause. */
	const char *trace[] = { dirtyscope_bin(), "trace",	    "--csv",
				csvdir,		  "--call-latency", NULL };
	const char *type1[] = {
		dirtyscope_bin(), "type1-dirty", "--group", group,
		"--size",	  "16M",	 NULL
	};
	int64_t flushes;
	struct csv sum, syncs;
	struct run tr, r;
	char **row;

	(void)state;
	snprintf(csvdir, sizeof(csvdir), "%s/trace", dir);
	assert_int_equal(run_start(&tr, RUN_AS_ROOT, trace), 0);
	assert_true(run_wait_stderr(&tr, "Tracing with ", 60));
	assert_int_equal(run_sync(&r, RUN_AS_ROOT, type1, 120), 0);
	run_free(&r);
	kill(tr.pid, SIGINT);
	assert_int_equal(run_wait(&tr, 60), 0);

	snprintf(path, sizeof(path), "%s/summary.csv", csvdir);
	assert_int_equal(csv_load(&sum, path), 0);
	assert_true(csv_get(&sum, "type1_map_dma", "count") == 1);
	assert_true(csv_get(&sum, "type1_map_dma", "bytes") == (int64_t)bytes);
	assert_true(csv_get(&sum, "type1_dirty_start", "count") == 1);
	assert_true(csv_get(&sum, "type1_dirty_stop", "count") == 1);
	assert_true(csv_get(&sum, "type1_get_bitmap", "count") == 1);
	assert_true(csv_get(&sum, "type1_get_bitmap", "dirty_pages") ==
		    (int64_t)(bytes / PAGE));
	assert_true(csv_get(&sum, "type1_unmap_bitmap", "count") == 1);
	assert_true(csv_get(&sum, "type1_unmap_bitmap", "dirty_pages") ==
		    (int64_t)(bytes / PAGE));
	/* Everything mapped (attach also maps a small probe) is unmapped. */
	assert_true(csv_get(&sum, "map", "bytes") >= (int64_t)bytes);
	assert_true(csv_get(&sum, "unmap", "bytes") ==
		    csv_get(&sum, "map", "bytes"));
	assert_true(csv_get(&sum, "map_call", "bytes") ==
		    csv_get(&sum, "map", "bytes"));
	/* The Intel driver flushes on unmap, and only there. */
	flushes = csv_get(&sum, "iotlb_flush", "count");
	assert_true(flushes > 0);
	assert_true(csv_get(&sum, "iotlb_flush:unmap", "count") == flushes);
	assert_true(csv_get(&sum, "iotlb_flush:dirty_clear", "count") == 0);
	assert_true(csv_get(&sum, "iotlb_flush:other", "count") == 0);
	assert_true(csv_get(&sum, "type1_unmap_bitmap", "iotlb_invalidations") >
		    0);
	assert_true(csv_get(&sum, "type1_get_bitmap", "iotlb_invalidations") ==
		    0);
	assert_true(csv_get(&sum, "qi_submit", "count") >= flushes);
	assert_true(csv_get(&sum, "lost_events", "count") == 0);
	csv_free(&sum);

	/* One syncs.csv row per dirty read: GET_BITMAP, then the unmap. */
	snprintf(path, sizeof(path), "%s/syncs.csv", csvdir);
	assert_int_equal(csv_load(&syncs, path), 0);
	assert_int_equal(syncs.nrows, 1 + 2);
	row = syncs.rows[1];
	assert_string_equal(row[csv_col(&syncs, "op")], "type1_get_bitmap");
	assert_string_equal(row[csv_col(&syncs, "page_size")], "4096");
	assert_string_equal(row[csv_col(&syncs, "length")], "16777216");
	assert_string_equal(row[csv_col(&syncs, "dirty_pages")], "4096");
	row = syncs.rows[2];
	assert_string_equal(row[csv_col(&syncs, "op")], "type1_unmap_bitmap");
	assert_string_equal(row[csv_col(&syncs, "dirty_pages")], "4096");
	assert_true(strtoull(row[csv_col(&syncs, "iotlb_ns")], NULL, 10) > 0);
	csv_free(&syncs);
	run_free(&tr);
}

static int setup(void **state)
{
	(void)state;
	if (tmpdir_create(dir))
		return -1;
	return vfio_bind(EDU_ID, group, sizeof(group));
}

static int teardown(void **state)
{
	(void)state;
	return tmpdir_remove(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(trace_sees_type1_and_attributes_flushes),
	};

	return cmocka_run_group_tests_name("trace_vtd", tests, setup, teardown);
}
