// SPDX-License-Identifier: GPL-2.0
/*
 * In the testbed VM: dirtyscope trace -p beside a live migration of a QEMU
 * whose guest has a VFIO device (issue 14). The device is the kernel's
 * mtty sample, a mediated device with VFIO migration v2; QEMU 10
 * (scripts/qemu10.sh) drives it through a type1 container, and with
 * x-device-dirty-page-tracking=off asks the container, not the device, for
 * the dirty pages: each of QEMU's VFIO dirty reads is one
 * VFIO_IOMMU_DIRTY_PAGES GET_BITMAP ioctl into vfio_iommu_type1.
 *
 * What it covers: QEMU's rounds and VFIO reads as its uprobes see them,
 * against the kernel's type1 ioctls as trace's kernel probes see them,
 * round by round, and both against QEMU's own counters (its trace log,
 * query-migrate). What it cannot: dirty pages. mtty pins no guest page
 * and type1 reports only pinned pages for a container of mdevs, so every
 * bitmap is empty; and no IOMMU takes part (no IOTLB invalidations). The
 * Intel path's pages and invalidations are test_bench_vtd_dirty's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "qemu_mig.h"
#include "syshelp.h"

#define MTTY_TYPE "/sys/class/mdev_bus/mtty/mdev_supported_types/mtty-1"
#define MDEV_DEVS "/sys/bus/mdev/devices"

static char dir[] = "/tmp/ds-qemu-vfio-XXXXXX";
/* The migration of the test, stopped by the teardown if it failed. */
static struct migration mig;
/* The source's and the destination's device. */
static const char *const uuids[] = { "d5c0f5a0-5e1f-4b1c-9c52-000000000001",
				     "d5c0f5a0-5e1f-4b1c-9c52-000000000002" };

static bool mdev_exists(const char *uuid)
{
	char path[128];

	snprintf(path, sizeof(path), MDEV_DEVS "/%s", uuid);
	return !access(path, F_OK);
}

/* Remove the instances this test made; 0 once none is left. */
static int mdevs_remove(void)
{
	char path[160];
	int ret = 0;

	for (int i = 0; i < 2; i++) {
		if (!mdev_exists(uuids[i]))
			continue;
		snprintf(path, sizeof(path), MDEV_DEVS "/%s/remove", uuids[i]);
		if (write_text(path, "1") || mdev_exists(uuids[i]))
			ret = -1;
	}
	return ret;
}

/* Rows of a trace CSV whose column col is value. */
static int64_t rows_with(const struct csv *c, const char *col,
			 const char *value)
{
	int k = csv_col(c, col);
	int64_t n = 0;

	for (size_t i = 1; k >= 0 && i < c->nrows; i++)
		n += !strcmp(c->rows[i][k], value);
	return n;
}

/* The sizes of QEMU's logged VFIO reads: "vfio_get_dirty_bitmap iova=0x0
 * size= 0xc3000 bitmap_size=..." (QEMU 10.0's format). */
static int64_t log_read_bytes(const char *path)
{
	char line[512];
	FILE *f = fopen(path, "r");
	int64_t sum = 0;
	const char *p;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "vfio_get_dirty_bitmap ", 22))
			continue;
		p = strstr(line, " size= ");
		if (!p)
			fail_msg("%s: no size in: %s", path, line);
		sum += strtoll(p + 7, NULL, 16);
	}
	fclose(f);
	return sum;
}

static void trace_follows_a_vfio_migration(void **state)
{
	static const char *const events[] = { "vfio_get_dirty_bitmap", NULL };
	char src_dev[200], dst_dev[200];
	const char *src_opts[] = { "-device", src_dev, NULL };
	const char *dst_opts[] = { "-device", dst_dev, NULL };
	struct migration *m = &mig;
	int64_t syncs, reads, log_reads, log_bytes;
	struct csv sum, rounds, sy;
	int reads_col, kernel_col;

	(void)state;
	for (int i = 0; i < 2; i++)
		assert_int_equal(write_text(MTTY_TYPE "/create", uuids[i]), 0);
	/* The type1 container's dirty tracking, not the device's DMA
	 * logging; migration on, as QEMU would otherwise block it (only an
	 * iommufd backend says the IOMMU tracks dirty pages). */
	snprintf(src_dev, sizeof(src_dev),
		 "vfio-pci,sysfsdev=" MDEV_DEVS "/%s,rombar=0,"
		 "x-device-dirty-page-tracking=off,enable-migration=on",
		 uuids[0]);
	snprintf(dst_dev, sizeof(dst_dev),
		 "vfio-pci,sysfsdev=" MDEV_DEVS "/%s,rombar=0,"
		 "x-device-dirty-page-tracking=off,enable-migration=on",
		 uuids[1]);
	m->dir = dir;
	m->src_opts = src_opts;
	m->dst_opts = dst_opts;
	m->log_events = events;
	migrate_traced(m);
	assert_int_equal(mdevs_remove(), 0);
	assert_int_equal(dir_entries(MDEV_DEVS), 0);
	syncs = m->dirty_sync_count;
	log_reads = count_matching_lines(m->log_path, "vfio_get_dirty_bitmap");
	log_bytes = log_read_bytes(m->log_path);
	assert_rounds_agree(m);

	csv_load_or_fail(&sum, "%s/summary.csv", m->csvdir);
	reads = csv_get(&sum, "qemu_vfio_read", "count");
	/* Each round reads the container: at least once a round. */
	assert_true(reads >= syncs);
	/* QEMU's own log of its VFIO reads, its uprobe, and the kernel's
	 * GET_BITMAP ioctls: one and the same. */
	assert_int_equal(log_reads, reads);
	assert_int_equal(csv_get(&sum, "type1_get_bitmap", "count"), reads);
	/* The ranges QEMU asked for, as it logged them, are the ranges
	 * its uprobe and the kernel saw. */
	assert_int_equal(csv_get(&sum, "qemu_vfio_read", "bytes"), log_bytes);
	assert_int_equal(csv_get(&sum, "type1_get_bitmap", "bytes"), log_bytes);
	assert_int_equal(csv_get(&sum, "type1_get_bitmap", "errors"), 0);
	/* mtty pins nothing: empty bitmaps (see the top of the file). */
	assert_int_equal(csv_get(&sum, "type1_get_bitmap", "dirty_pages"), 0);
	/* Tracking started once, at setup, seen from both sides. Never
	 * stopped by an ioctl: QEMU defers the stop while the VM is stopped
	 * (qemu_log_stop is the deferral), the source quits stopped, and the
	 * kernel ends type1's tracking as the container is released. */
	assert_int_equal(csv_get(&sum, "type1_dirty_start", "count"), 1);
	assert_int_equal(csv_get(&sum, "type1_dirty_stop", "count"), 0);
	assert_int_equal(csv_get(&sum, "qemu_vfio_tracking", "count"), 1);
	csv_free(&sum);

	/* syncs.csv: every kernel dirty read is a type1 GET_BITMAP. */
	csv_load_or_fail(&sy, "%s/syncs.csv", m->csvdir);
	assert_int_equal(sy.nrows - 1, reads);
	assert_int_equal(rows_with(&sy, "op", "type1_get_bitmap"), reads);
	csv_free(&sy);

	/* Round by round: QEMU's reads and the kernel's are the same. */
	csv_load_or_fail(&rounds, "%s/rounds.csv", m->csvdir);
	reads_col = csv_col(&rounds, "vmm_reads");
	kernel_col = csv_col(&rounds, "dirty_reads");
	for (size_t i = 1; i < rounds.nrows; i++) {
		assert_true(strtoll(rounds.rows[i][reads_col], NULL, 10) >= 1);
		assert_string_equal(rounds.rows[i][reads_col],
				    rounds.rows[i][kernel_col]);
	}
	assert_int_equal(csv_column_sum(&rounds, "vmm_reads"), reads);
	assert_int_equal(csv_column_sum(&rounds, "dirty_pages"), 0);
	assert_int_equal(csv_column_sum(&rounds, "iotlb_invalidations"), 0);
	csv_free(&rounds);
	print_message("# %lld rounds, %lld VFIO reads: query-migrate, QEMU's "
		      "log, its uprobes and the kernel's GET_BITMAP agree\n",
		      (long long)syncs, (long long)reads);
	migration_free(m);
}

/* After the migration test, also when it failed half way: no QEMU or
 * trace of it left running into the next test. */
static int stop_migration(void **state)
{
	(void)state;
	migration_free(&mig);
	return 0;
}

static int setup(void **state)
{
	(void)state;
	if (qemu_find()) {
		fprintf(stderr, "test_qemu_vfio_vm: no QEMU 10 "
				"(scripts/qemu10.sh failed)\n");
		return -1;
	}
	if (access(MTTY_TYPE "/create", W_OK)) {
		fprintf(stderr,
			"test_qemu_vfio_vm: no %s: mtty not in this "
			"kernel (scripts/testbed.config)\n",
			MTTY_TYPE);
		return -1;
	}
	return tmpdir_create(dir);
}

/* Whatever happened: no mdev of ours left. */
static int teardown(void **state)
{
	(void)state;
	return mdevs_remove() | tmpdir_remove(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(trace_follows_a_vfio_migration,
					  stop_migration),
	};

	return cmocka_run_group_tests_name("qemu_vfio_vm", tests, setup,
					   teardown);
}
