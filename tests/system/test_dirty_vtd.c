// SPDX-License-Identifier: GPL-2.0
/*
 * In the testbed VM, vtd-dirty profile: our QEMU's intel-iommu with
 * second-stage A/D flags (x-ssads) in scalable mode, the real Intel IOMMU
 * driver doing iommufd dirty tracking, and edu (x-dma-sync) bound to
 * vfio-pci as the device that DMAs. The test chooses the pages edu writes
 * and checks that GET_DIRTY_BITMAP reports exactly those, with and without
 * clearing, round after round.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "backend.h"
#include "bitmap.h"
#include "syshelp.h"

#define PAGE   4096ull
#define SIZE   (16ull << 20)
#define PAGES  (SIZE / PAGE)
#define WORDS  (PAGES / 64)
#define DEVICE "/dev/vfio/devices/vfio0"

static char group[64];

/* How many pages a bitmap has set. */
static uint64_t weight(const uint64_t *map)
{
	uint64_t n = 0;

	for (uint64_t i = 0; i < WORDS; i++)
		n += __builtin_popcountll(map[i]);
	return n;
}

static void assert_same(const uint64_t *got, const uint64_t *want)
{
	for (uint64_t i = 0; i < PAGES; i++)
		if (bitmap_test_bit(got, i) != bitmap_test_bit(want, i))
			fail_msg("page %llu: reported %d, written %d",
				 (unsigned long long)i, bitmap_test_bit(got, i),
				 bitmap_test_bit(want, i));
}

static void open_edu(struct backend *b)
{
	struct backend_config cfg = { .size = SIZE, .device = DEVICE };
	int ret = backend_open(b, "iommufd", &cfg);

	if (ret)
		fail_msg("open: %s: %s", b->failed, strerror(-ret));
	assert_true(b->can_write);
	assert_true(b->can_read_noclear);
	assert_int_equal(b->page_size, PAGE);
}

static void read_range(struct backend *b, bool clear, uint64_t *got)
{
	int ret;

	memset(got, 0, WORDS * 8);
	ret = b->ops->read(b, b->iova, b->length, clear, got);
	if (ret)
		fail_msg("read: %s: %s", b->failed, strerror(-ret));
}

/* The device writes 12 chosen pages (the first, the last, neighbours, a
 * page per 2 MiB table): NO_CLEAR reports them, read-and-clear again, the
 * next read nothing. */
static void device_writes_are_reported_exactly(void **state)
{
	static const uint64_t pages[] = {
		0, 1, 2, 63, 64, 511, 512, 1000, 2047, 2048, 4000, PAGES - 1
	};
	static uint64_t want[WORDS], got[WORDS];
	struct backend b;

	(void)state;
	open_edu(&b);
	assert_int_equal(b.ops->set_tracking(&b, true), 0);
	for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++)
		bitmap_set_bit(want, pages[i]);
	assert_int_equal(b.ops->write(&b, b.iova, b.length, want), 0);

	read_range(&b, false, got);
	assert_same(got, want);
	read_range(&b, false, got);
	assert_same(got, want);
	read_range(&b, true, got);
	assert_same(got, want);
	read_range(&b, true, got);
	assert_int_equal(weight(got), 0);
	assert_int_equal(backend_close(&b), 0);
}

/*
 * Rounds of writes to overlapping pages: a page written again after its D
 * flag was cleared is reported again. The emulated IOMMU keeps a
 * translation cached dirty until it is invalidated, so this holds only
 * because the driver invalidates the IOTLB after each clear.
 */
static void rewrites_after_a_clear_are_reported(void **state)
{
	static uint64_t want[WORDS], got[WORDS];
	struct backend b;

	(void)state;
	open_edu(&b);
	assert_int_equal(b.ops->set_tracking(&b, true), 0);
	for (int round = 0; round < 4; round++) {
		memset(want, 0, sizeof(want));
		/* Every 7th page from an offset that moves by 3: rounds
		 * share pages with the round before. */
		for (uint64_t p = round * 3; p < PAGES; p += 7)
			bitmap_set_bit(want, p);
		assert_int_equal(b.ops->write(&b, b.iova, b.length, want), 0);
		read_range(&b, true, got);
		assert_same(got, want);
	}
	read_range(&b, false, got);
	assert_int_equal(weight(got), 0);
	assert_int_equal(b.ops->set_tracking(&b, false), 0);
	assert_int_equal(backend_close(&b), 0);
}

/* Tracking off: the device's writes set no D flag the next enable keeps
 * (enabling clears every dirty bit first). */
static void writes_before_tracking_are_not_reported(void **state)
{
	static uint64_t want[WORDS], got[WORDS];
	struct backend b;

	(void)state;
	open_edu(&b);
	for (uint64_t p = 0; p < PAGES; p += 5)
		bitmap_set_bit(want, p);
	assert_int_equal(b.ops->write(&b, b.iova, b.length, want), 0);
	assert_int_equal(b.ops->set_tracking(&b, true), 0);
	read_range(&b, false, got);
	assert_int_equal(weight(got), 0);
	assert_int_equal(backend_close(&b), 0);
}

static int setup(void **state)
{
	(void)state;
	return vfio_bind(EDU_ID, group, sizeof(group));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(device_writes_are_reported_exactly),
		cmocka_unit_test(rewrites_after_a_clear_are_reported),
		cmocka_unit_test(writes_before_tracking_are_not_reported),
	};

	return cmocka_run_group_tests_name("dirty_vtd", tests, setup, NULL);
}
