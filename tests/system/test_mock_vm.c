// SPDX-License-Identifier: GPL-2.0
/*
 * In the testbed VM (mock profile): dirtyscope trace beside dirtyscope
 * mock-dirty, and beside reads this test makes itself into bitmaps it lays
 * out. Every count the profiler reports must equal what the mock driver
 * did: the test chooses sizes, dirty pages and bitmaps, so it knows the
 * truth.
 */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/iommufd.h>
#include <cmocka.h>
#include "bitmap.h"
#include "iommufd_mock.h"
#include "mock_trace.h"
#include "syshelp.h"

static char dir[] = "/tmp/ds-vm-XXXXXX";

/*
 * Two mock-dirty runs of different size and pattern under one trace. Each
 * does: map, enable tracking, write N pages, read NO_CLEAR (N), read and
 * clear (N), read NO_CLEAR again (0), disable tracking, unmap.
 */
static void trace_counts_equal_ground_truth(void **state)
{
	const struct mock_run runs[] = {
		{ "64M", 64 << 20, 4681, "3" },
		{ "16M", 16 << 20, 1000, "9" },
	};
	char csvdir[128], path[160];
	const char *argv[] = {
		dirtyscope_bin(), "trace",	    "--json", "--csv",
		csvdir,		  "--call-latency", NULL
	};
	uint64_t bytes = 0, dirty = 0, areas;
	char *json;
	unsigned int hwpt[2];
	struct csv sum, syncs;
	struct run tr;

	(void)state;
	snprintf(csvdir, sizeof(csvdir), "%s/trace", dir);
	assert_int_equal(run_start(&tr, RUN_AS_ROOT, argv), 0);
	assert_true(run_wait_stderr(&tr, "Tracing with ", 60));
	for (int i = 0; i < 2; i++) {
		run_mock(&runs[i], &hwpt[i]);
		bytes += runs[i].bytes;
		dirty += runs[i].dirty;
	}
	kill(tr.pid, SIGINT);
	assert_int_equal(run_wait(&tr, 60), 0);
	areas = mock_areas(runs[0].bytes) + mock_areas(runs[1].bytes);

	snprintf(path, sizeof(path), "%s/summary.csv", csvdir);
	assert_int_equal(csv_load(&sum, path), 0);
	assert_true(csv_get(&sum, "map", "count") >= 2);
	assert_true(csv_get(&sum, "map", "bytes") == (int64_t)bytes);
	assert_true(csv_get(&sum, "unmap", "count") >= 2);
	assert_true(csv_get(&sum, "unmap", "bytes") == (int64_t)bytes);
	/* Every byte mapped went through iommu_map() and came back out. */
	assert_true(csv_get(&sum, "map_call", "count") >= 2);
	assert_true(csv_get(&sum, "map_call", "bytes") == (int64_t)bytes);
	assert_true(csv_get(&sum, "map_call", "errors") == 0);
	assert_true(csv_get(&sum, "unmap_call", "bytes") == (int64_t)bytes);
	assert_true(csv_get(&sum, "set_tracking", "count") == 4);
	assert_true(csv_get(&sum, "set_tracking", "errors") == 0);
	/* Enabling clears the dirty bits first: a walk inside each enable. */
	assert_true(csv_get(&sum, "set_tracking", "walk_ns") > 0);
	/* One walk per mapped area per read (three) and per enable. */
	assert_true(csv_get(&sum, "walk", "count") ==
		    (int64_t)(areas * (3 + 1)));
	assert_true(csv_get(&sum, "walk", "errors") == 0);
	/* The mock has no iotlb_sync op and intel_iommu=off: no flushes. */
	assert_true(csv_get(&sum, "iotlb_flush", "count") == 0);
	assert_true(csv_get(&sum, "sync_noclear", "iotlb_invalidations") == 0);
	assert_true(csv_get(&sum, "sync_noclear", "count") == 4);
	assert_true(csv_get(&sum, "sync_noclear", "dirty_pages") ==
		    (int64_t)dirty);
	assert_true(csv_get(&sum, "sync_noclear", "bytes") ==
		    (int64_t)(2 * bytes));
	assert_true(csv_get(&sum, "read_clear", "count") == 2);
	assert_true(csv_get(&sum, "read_clear", "dirty_pages") ==
		    (int64_t)dirty);
	assert_true(csv_get(&sum, "read_clear", "errors") == 0);
	assert_true(csv_get(&sum, "sync_noclear", "dirty_unknown") == 0);
	assert_true(csv_get(&sum, "read_clear", "dirty_unknown") == 0);
	/* The per-IOPTE probe is not loaded by default. */
	assert_true(csv_get(&sum, "read_clear", "dirty_records") == 0);
	assert_true(csv_get(&sum, "bitmap_set", "count") == 0);
	assert_true(csv_get(&sum, "bitmap_set_orphan", "count") == 0);
	assert_true(csv_get(&sum, "lost_events", "count") == 0);

	/* --json says what summary.csv says. */
	json = json_eval(tr.out, "{o['op']: (o['count'], o['dirty_pages']) "
				 "for o in d[0]['ops']}['read_clear'], "
				 "d[0]['counters']['bitmap_set']");
	assert_non_null(json);
	snprintf(path, sizeof(path), "(%" PRId64 ", %" PRId64 ") %" PRId64 "\n",
		 csv_get(&sum, "read_clear", "count"),
		 csv_get(&sum, "read_clear", "dirty_pages"),
		 csv_get(&sum, "bitmap_set", "count"));
	assert_string_equal(json, path);
	free(json);
	csv_free(&sum);

	snprintf(path, sizeof(path), "%s/syncs.csv", csvdir);
	assert_int_equal(csv_load(&syncs, path), 0);
	assert_int_equal(syncs.nrows, 1 + 6);
	for (int i = 0; i < 2; i++) {
		size_t row = 1 + 3 * i;

		check_sync_row(&syncs, row, "sync_noclear", hwpt[i], &runs[i],
			       runs[i].dirty, 1);
		check_sync_row(&syncs, row + 1, "read_clear", hwpt[i], &runs[i],
			       runs[i].dirty, 0);
		check_sync_row(&syncs, row + 2, "sync_noclear", hwpt[i],
			       &runs[i], 0, 1);
	}
	csv_free(&syncs);
	run_free(&tr);
}

/* --bitmap-analysis saw every page of every read: none beyond its array,
 * no read whose bitmap could not be counted. */
static void assert_every_page_analysed(const struct csv *sum)
{
	assert_true(csv_get(sum, "redirty_untracked", "count") == 0);
	assert_true(csv_get(sum, "sync_noclear", "dirty_unknown") == 0);
	assert_true(csv_get(sum, "read_clear", "dirty_unknown") == 0);
}

/*
 * --bitmap-analysis against patterns the test computes itself: R rounds,
 * each writes pattern P_r (seed + r) and reads it NO_CLEAR, then with
 * clear; a final NO_CLEAR read returns nothing. The re-dirty count of read
 * k is |reported(k) & reported(k - 1)|.
 */
static void redirty_equals_pattern_overlap(void **state)
{
	const uint64_t npages = (16 << 20) / MOCK_PAGE, dirty = 3000;
	const int rounds = 3, seed = 5;
	uint64_t *pat[3], want[7], reported[7], total_redirty = 0;
	const char *argv[] = {
		dirtyscope_bin(), "mock-dirty", "--size",   "16M",
		"--pages",	  "3000",	"--rounds", "3",
		"--seed",	  "5",		NULL
	};
	char csvdir[128], path[160];
	struct csv syncs, sum;
	struct run tr, r;
	int i;

	(void)state;
	for (i = 0; i < rounds; i++) {
		pat[i] = calloc(bitmap_words(npages), 8);
		bitmap_random_fill(pat[i], npages, dirty, seed + i);
	}
	/* Read k (1-based): 2r+1 and 2r+2 report P_r; read 7 nothing. */
	for (i = 0; i < rounds; i++)
		reported[2 * i] = reported[2 * i + 1] = i;
	want[0] = 0;
	for (i = 1; i < 2 * rounds; i++) {
		uint64_t *a = pat[reported[i]], *b = pat[reported[i - 1]];
		uint64_t both = 0;

		for (uint64_t w = 0; w < bitmap_words(npages); w++)
			both += __builtin_popcountll(a[w] & b[w]);
		want[i] = both;
		total_redirty += both;
	}
	want[6] = 0;
	/* Different seeds overlap by chance only, same pattern fully. */
	assert_true(want[2] < dirty && want[1] == dirty);

	snprintf(csvdir, sizeof(csvdir), "%s/redirty", dir);
	trace_start(&tr, csvdir, "--bitmap-analysis", NULL);
	assert_int_equal(run_sync(&r, RUN_AS_ROOT, argv, 120), 0);
	run_free(&r);
	trace_stop(&tr);

	snprintf(path, sizeof(path), "%s/syncs.csv", csvdir);
	assert_int_equal(csv_load(&syncs, path), 0);
	assert_int_equal(syncs.nrows, 1 + 7);
	for (i = 0; i < 7; i++) {
		char **f = syncs.rows[1 + i];

		assert_int_equal(strtoul(f[csv_col(&syncs, "seq")], NULL, 10),
				 i + 1);
		assert_int_equal(
			strtoull(f[csv_col(&syncs, "dirty_pages")], NULL, 10),
			i < 6 ? dirty : 0);
		assert_int_equal(
			strtoull(f[csv_col(&syncs, "redirty_pages")], NULL, 10),
			want[i]);
		/* From the bitmap: the per-IOPTE probe is not loaded. */
		assert_int_equal(
			strtoull(f[csv_col(&syncs, "dirty_records")], NULL, 10),
			0);
	}
	csv_free(&syncs);
	snprintf(path, sizeof(path), "%s/summary.csv", csvdir);
	assert_int_equal(csv_load(&sum, path), 0);
	assert_true(csv_get(&sum, "sync_noclear", "redirty_pages") +
			    csv_get(&sum, "read_clear", "redirty_pages") ==
		    (int64_t)total_redirty);
	/* The base: dirty pages of every analysed read but the first. */
	assert_true(csv_get(&sum, "sync_noclear", "redirty_base_pages") +
			    csv_get(&sum, "read_clear", "redirty_base_pages") ==
		    (int64_t)(5 * dirty));
	assert_every_page_analysed(&sum);
	assert_true(csv_get(&sum, "bitmap_set", "count") == 0);
	csv_free(&sum);
	run_free(&tr);
	for (i = 0; i < rounds; i++)
		free(pat[i]);
}

/*
 * --iopte-stats: the per-IOPTE probe counts one iova_bitmap_set() call per
 * dirty 2 KiB mock IOPTE, and its bytes; dirty pages still come from the
 * bitmap and agree.
 */
static void iopte_stats_count_each_iopte(void **state)
{
	const struct mock_run m = { "16M", 16 << 20, 1000, "4" };
	const uint64_t want[3] = { 1000, 1000, 0 };
	const char *ops[3] = { "sync_noclear", "read_clear", "sync_noclear" };
	char csvdir[128], path[160];
	unsigned int hwpt;
	struct csv syncs, sum;
	struct run tr;

	(void)state;
	snprintf(csvdir, sizeof(csvdir), "%s/iopte", dir);
	trace_start(&tr, csvdir, "--iopte-stats", NULL);
	run_mock(&m, &hwpt);
	trace_stop(&tr);
	assert_non_null(strstr(tr.out, "\niova_bitmap_set calls: 2000 (0 "
				       "outside a traced dirty read)\n"));

	snprintf(path, sizeof(path), "%s/syncs.csv", csvdir);
	assert_int_equal(csv_load(&syncs, path), 0);
	assert_int_equal(syncs.nrows, 1 + 3);
	for (int i = 0; i < 3; i++) {
		char **f = syncs.rows[1 + i];

		assert_string_equal(f[csv_col(&syncs, "op")], ops[i]);
		assert_int_equal(
			strtoull(f[csv_col(&syncs, "dirty_pages")], NULL, 10),
			want[i]);
		assert_int_equal(
			strtoull(f[csv_col(&syncs, "dirty_records")], NULL, 10),
			want[i]);
		assert_int_equal(
			strtoull(f[csv_col(&syncs, "dirty_bytes")], NULL, 10),
			want[i] * MOCK_PAGE);
	}
	csv_free(&syncs);
	snprintf(path, sizeof(path), "%s/summary.csv", csvdir);
	assert_int_equal(csv_load(&sum, path), 0);
	assert_true(csv_get(&sum, "read_clear", "dirty_records") == 1000);
	assert_true(csv_get(&sum, "read_clear", "dirty_bytes") ==
		    1000 * MOCK_PAGE);
	assert_true(csv_get(&sum, "bitmap_set", "count") == 2000);
	assert_true(csv_get(&sum, "bitmap_set_orphan", "count") == 0);
	csv_free(&sum);
	run_free(&tr);
}

/* IOMMU_HWPT_GET_DIRTY_BITMAP of [offset, offset + length) of the mapping
 * into data, which may be any byte address: the uAPI takes a user
 * pointer, not a u64 array. */
static int get_dirty_at(struct mock_dev *m, uint32_t flags, uint64_t offset,
			uint64_t length, const void *data)
{
	struct iommu_hwpt_get_dirty_bitmap get = {
		.size = sizeof(get),
		.hwpt_id = m->hwpt_id,
		.flags = flags,
		.iova = m->iova + offset,
		.length = length,
		.page_size = m->page_size,
		.data = (uintptr_t)data,
	};

	return ioctl(m->fd, IOMMU_HWPT_GET_DIRTY_BITMAP, &get) ? -errno : 0;
}

/* The same from the start of the mapping. */
static int get_dirty(struct mock_dev *m, uint32_t flags, uint64_t length,
		     const void *data)
{
	return get_dirty_at(m, flags, 0, length, data);
}

static uint64_t count_new(const uint64_t *p, const uint64_t *q, uint64_t n)
{
	uint64_t c = 0;

	for (uint64_t w = 0; w < bitmap_words(n); w++)
		c += __builtin_popcountll(p[w] & ~q[w]);
	return c;
}

/*
 * Reads this test makes into bitmaps it lays out, each with a known count
 * of bits the kernel newly sets (which is what dirty_pages counts):
 *  1. a fresh mapping never touched, the dirty bits all in its second
 *     page: the first page is not present before or after (reads as 0);
 *  2. at an odd address across a page boundary, inside 0xff guard bytes,
 *     with bits already set (pattern Q): only the bits of P not in Q are
 *     new, and no guard byte may count;
 *  3. the same place with every bit set, read and clear: nothing new;
 *  4. a zeroed bitmap after the clear: nothing;
 *  5. a range of 2^50 bytes (2^39 bits), more than the tracer counts: no
 *     count, said as unknown (the kernel reports nothing: nothing dirty).
 * With --iopte-stats, dirty_records shows the kernel reported all of P in
 * reads 1-3 whatever the bitmap held.
 */
static void caller_bitmaps_counted_exactly(void **state)
{
	const uint64_t length = 32 << 20, dirty = 1000;
	const long psz = sysconf(_SC_PAGESIZE);
	uint64_t npages, bytes, *p, *q, *bits, want_new;
	uint8_t *fresh, *guarded, *at;
	char csvdir[128], path[160], pid[16];
	const char *argv[] = { dirtyscope_bin(), "trace", "--csv", csvdir,
			       "--iopte-stats",	 "-p",	  pid,	   NULL };
	const char *want_pages[5] = { "1000", NULL, "0", "0", "" };
	const char *want_records[5] = { "1000", "1000", "1000", "0", "0" };
	struct csv syncs, sum;
	struct mock_dev m;
	uint64_t marked;
	unsigned char resident[2];
	struct run tr;
	char buf[32];
	int ret;

	(void)state;
	assert_int_equal(mock_dev_open(&m, NULL, 0, BACKING_4K), 0);
	assert_int_equal(mock_dev_map(&m, length), 0);
	assert_int_equal(mock_dev_set_tracking(&m, true), 0);
	npages = mock_dev_pages(&m);
	bytes = npages / 8;
	/* Two bitmap pages exactly: the test's layout depends on it. */
	assert_int_equal(bytes, 2 * 1024);
	p = calloc(bitmap_words(npages), 8);
	q = calloc(bitmap_words(npages), 8);
	bits = calloc(bitmap_words(npages), 8);
	assert_true(p && q && bits);
	/* P in the upper half of the pages only: bitmap bytes 1024.. */
	bitmap_random_fill(p + bitmap_words(npages) / 2, npages / 2, dirty, 21);
	bitmap_random_fill(q, npages, 3000, 22);
	want_new = count_new(p, q, npages);
	assert_true(want_new > 0 && want_new < dirty);
	snprintf(buf, sizeof(buf), "%" PRIu64, want_new);
	want_pages[1] = buf;
	assert_int_equal(mock_dev_write(&m, p, &marked), 0);
	assert_int_equal(marked, dirty);

	fresh = mmap(NULL, 2 * psz, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	guarded = mmap(NULL, 3 * psz, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(fresh != MAP_FAILED && guarded != MAP_FAILED);
	memset(guarded, 0xff, 3 * psz);
	at = guarded + psz - 1021;

	snprintf(pid, sizeof(pid), "%d", getpid());
	snprintf(csvdir, sizeof(csvdir), "%s/bitmaps", dir);
	assert_int_equal(run_start(&tr, RUN_AS_ROOT, argv), 0);
	assert_true(run_wait_stderr(&tr, "Tracing with ", 60));

	/* 1: bytes [psz - 1024, psz + 1024) of an untouched mapping. */
	assert_int_equal(mincore(fresh, 2 * psz, resident), 0);
	assert_true(!(resident[0] & 1) && !(resident[1] & 1));
	assert_int_equal(get_dirty(&m, IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR,
				   length, fresh + psz - 1024),
			 0);
	/* The kernel brought in the page it wrote to, only that one. */
	assert_int_equal(mincore(fresh, 2 * psz, resident), 0);
	assert_true(!(resident[0] & 1) && (resident[1] & 1));
	memcpy(bits, fresh + psz - 1024, bytes);
	assert_memory_equal(bits, p, bytes);
	/* 2: Q at an odd address (x86: the kernel's bit order is bytes). */
	memcpy(at, q, bytes);
	assert_int_equal(
		get_dirty(&m, IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR, length, at),
		0);
	memcpy(bits, at, bytes);
	for (uint64_t w = 0; w < bitmap_words(npages); w++)
		assert_true(bits[w] == (p[w] | q[w]));
	/* 3: every bit set, read and clear. */
	memset(at, 0xff, bytes);
	assert_int_equal(get_dirty(&m, 0, length, at), 0);
	/* 4: zeroed, after the clear. */
	memset(at, 0, bytes);
	assert_int_equal(
		get_dirty(&m, IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR, length, at),
		0);
	memcpy(bits, at, bytes);
	assert_int_equal(bitmap_weight(bits, npages), 0);
	/* 5: far past the mapping: the kernel walks the mapping only, and
	 * 6.12 returns 0 (the error of the range check after it is lost). */
	ret = get_dirty(&m, IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR, 1ull << 50,
			at);
	assert_true(ret == 0 || ret == -EINVAL);
	for (long i = 0; i < 3 * psz; i++)
		if (guarded + i < at || guarded + i >= at + bytes)
			assert_int_equal(guarded[i], 0xff);

	trace_stop(&tr);
	snprintf(path, sizeof(path), "%s/syncs.csv", csvdir);
	assert_int_equal(csv_load(&syncs, path), 0);
	assert_int_equal(syncs.nrows, 1 + 5);
	for (int i = 0; i < 5; i++) {
		char **f = syncs.rows[1 + i];

		assert_string_equal(f[csv_col(&syncs, "op")],
				    i == 2 ? "read_clear" : "sync_noclear");
		assert_string_equal(f[csv_col(&syncs, "dirty_pages")],
				    want_pages[i]);
		assert_string_equal(f[csv_col(&syncs, "dirty_records")],
				    want_records[i]);
	}
	csv_free(&syncs);
	snprintf(path, sizeof(path), "%s/summary.csv", csvdir);
	assert_int_equal(csv_load(&sum, path), 0);
	assert_true(csv_get(&sum, "sync_noclear", "dirty_pages") ==
		    (int64_t)(dirty + want_new));
	assert_true(csv_get(&sum, "sync_noclear", "dirty_unknown") == 1);
	assert_true(csv_get(&sum, "read_clear", "dirty_unknown") == 0);
	csv_free(&sum);
	assert_non_null(strstr(tr.out, "\ndirty reads whose bitmap could not "
				       "be counted: 1 (their pages are not "
				       "in DIRTY_PG)\n"));
	run_free(&tr);
	munmap(fresh, 2 * psz);
	munmap(guarded, 3 * psz);
	assert_int_equal(mock_dev_close(&m), 0);
	free(p);
	free(q);
	free(bits);
}

/* Pages of pattern p in [lo, hi). */
static uint64_t pattern_in(const uint64_t *p, uint64_t lo, uint64_t hi)
{
	uint64_t c = 0;

	for (uint64_t i = lo; i < hi; i++)
		c += bitmap_test_bit(p, i);
	return c;
}

/*
 * --bitmap-analysis of reads that start at no multiple of 64 pages and end
 * inside a bitmap word: the analysis lines a read's bitmap words up with
 * the pages by shifting (straddling two page words) and masks the last
 * word. Three reads of one pattern P: NO_CLEAR of pages [37, 5037),
 * NO_CLEAR of [100, 9100), read-and-clear of all: the re-dirtied pages are
 * P's pages in both ranges, and then P's pages in [100, 9100).
 */
static void redirty_across_unaligned_reads(void **state)
{
	const uint64_t length = 32 << 20, dirty = 4000;
	const uint64_t r1 = 37, n1 = 5000, r2 = 100, n2 = 9000;
	const uint32_t noclear = IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR;
	uint64_t npages, ps, *p, *b, want[3], got[3];
	char csvdir[128], path[160], pid[16];
	const char *argv[] = { dirtyscope_bin(),    "trace", "--csv", csvdir,
			       "--bitmap-analysis", "-p",    pid,     NULL };
	struct mock_dev m;
	struct csv syncs, sum;
	uint64_t marked;
	struct run tr;

	(void)state;
	assert_int_equal(mock_dev_open(&m, NULL, 0, BACKING_4K), 0);
	assert_int_equal(mock_dev_map(&m, length), 0);
	assert_int_equal(mock_dev_set_tracking(&m, true), 0);
	npages = mock_dev_pages(&m);
	ps = m.page_size;
	assert_true(npages >= r2 + n2);
	p = calloc(bitmap_words(npages), 8);
	b = calloc(bitmap_words(npages), 8);
	assert_true(p && b);
	bitmap_random_fill(p, npages, dirty, 31);
	assert_int_equal(mock_dev_write(&m, p, &marked), 0);
	assert_int_equal(marked, dirty);
	want[0] = 0;
	want[1] = pattern_in(p, r2, r1 + n1);
	want[2] = pattern_in(p, r2, r2 + n2);
	assert_true(want[1] > 0 && want[2] > want[1]);

	snprintf(pid, sizeof(pid), "%d", getpid());
	snprintf(csvdir, sizeof(csvdir), "%s/unaligned", dir);
	assert_int_equal(run_start(&tr, RUN_AS_ROOT, argv), 0);
	assert_true(run_wait_stderr(&tr, "Tracing with ", 60));
	assert_int_equal(get_dirty_at(&m, noclear, r1 * ps, n1 * ps, b), 0);
	assert_int_equal(bitmap_weight(b, n1), pattern_in(p, r1, r1 + n1));
	memset(b, 0, bitmap_words(npages) * 8);
	assert_int_equal(get_dirty_at(&m, noclear, r2 * ps, n2 * ps, b), 0);
	memset(b, 0, bitmap_words(npages) * 8);
	assert_int_equal(get_dirty(&m, 0, npages * ps, b), 0);
	assert_int_equal(bitmap_weight(b, npages), dirty);
	trace_stop(&tr);

	snprintf(path, sizeof(path), "%s/syncs.csv", csvdir);
	assert_int_equal(csv_load(&syncs, path), 0);
	assert_int_equal(syncs.nrows, 1 + 3);
	for (int i = 0; i < 3; i++) {
		char **f = syncs.rows[1 + i];

		got[i] =
			strtoull(f[csv_col(&syncs, "redirty_pages")], NULL, 10);
		assert_int_equal(strtoul(f[csv_col(&syncs, "seq")], NULL, 10),
				 i + 1);
	}
	csv_free(&syncs);
	assert_int_equal(got[0], want[0]);
	assert_int_equal(got[1], want[1]);
	assert_int_equal(got[2], want[2]);
	snprintf(path, sizeof(path), "%s/summary.csv", csvdir);
	assert_int_equal(csv_load(&sum, path), 0);
	assert_every_page_analysed(&sum);
	csv_free(&sum);
	run_free(&tr);
	assert_int_equal(mock_dev_close(&m), 0);
	free(p);
	free(b);
}

/* -p and --hwpt leave out what they do not name. */
static void filters_leave_out_others(void **state)
{
	const char *mock[] = { dirtyscope_bin(), "mock-dirty", "--size", "2M",
			       NULL };
	const char *sleeper[] = { "sleep", "60", NULL };
	char csvdir[128], path[160], pid[16];
	struct run tr, r, idle;
	struct csv sum;

	(void)state;
	/* -p of another process: the mock run is not traced at all. */
	assert_int_equal(run_start(&idle, RUN_AS_ROOT, sleeper), 0);
	snprintf(pid, sizeof(pid), "%d", idle.pid);
	snprintf(csvdir, sizeof(csvdir), "%s/pid", dir);
	trace_start(&tr, csvdir, "-p", pid);
	assert_int_equal(run_sync(&r, RUN_AS_ROOT, mock, 60), 0);
	run_free(&r);
	trace_stop(&tr);
	kill(idle.pid, SIGKILL);
	run_wait(&idle, 10);
	run_free(&idle);
	snprintf(path, sizeof(path), "%s/summary.csv", csvdir);
	assert_int_equal(csv_load(&sum, path), 0);
	assert_true(csv_get(&sum, "map", "count") == 0);
	assert_true(csv_get(&sum, "read_clear", "count") == 0);
	csv_free(&sum);
	run_free(&tr);

	/* --hwpt of no hwpt: map/unmap stay, the dirty reads go, and the
	 * walks inside them, which the kernel counts. */
	snprintf(csvdir, sizeof(csvdir), "%s/hwpt", dir);
	trace_start(&tr, csvdir, "--hwpt", "999");
	assert_int_equal(run_sync(&r, RUN_AS_ROOT, mock, 60), 0);
	run_free(&r);
	trace_stop(&tr);
	snprintf(path, sizeof(path), "%s/summary.csv", csvdir);
	assert_int_equal(csv_load(&sum, path), 0);
	assert_true(csv_get(&sum, "map", "bytes") == 2 << 20);
	assert_true(csv_get(&sum, "read_clear", "count") == 0);
	assert_true(csv_get(&sum, "sync_noclear", "count") == 0);
	assert_true(csv_get(&sum, "set_tracking", "count") == 0);
	assert_true(csv_get(&sum, "walk", "count") == 0);
	csv_free(&sum);
	snprintf(path, sizeof(path), "%s/syncs.csv", csvdir);
	assert_int_equal(csv_load(&sum, path), 0);
	assert_int_equal(sum.nrows, 1);
	csv_free(&sum);
	run_free(&tr);
}

static void mock_without_dirty_support_fails_cleanly(void **state)
{
	const char *argv[] = { dirtyscope_bin(), "mock-dirty",
			       "--no-dirty-device", NULL };
	struct run r;

	(void)state;
	assert_int_equal(run_sync(&r, RUN_AS_ROOT, argv, 60), 1);
	assert_int_equal(count_lines(r.err), 1);
	assert_non_null(strstr(r.err, "dirtyscope: mock-dirty: "
				      "IOMMU_HWPT_ALLOC (dirty tracking) "
				      "failed: "));
	run_free(&r);
}

static void mock_outside_aperture_fails_cleanly(void **state)
{
	const char *argv[] = { dirtyscope_bin(), "mock-dirty", "--size", "4G",
			       NULL };
	struct run r;

	(void)state;
	assert_int_equal(run_sync(&r, RUN_AS_ROOT, argv, 60), 1);
	assert_int_equal(count_lines(r.err), 1);
	assert_non_null(strstr(r.err, "outside the mock aperture"));
	run_free(&r);
}

static void trace_without_btf_is_one_line(void **state)
{
	const char *argv[] = { dirtyscope_bin(), "trace", "-d", "1", NULL };
	struct run r;

	(void)state;
	assert_int_equal(run_sync(&r, RUN_WITHOUT_BTF, argv, 30), 1);
	assert_string_equal(r.err, "dirtyscope: trace: kernel BTF not found at "
				   "/sys/kernel/btf/vmlinux (needs "
				   "CONFIG_DEBUG_INFO_BTF)\n");
	run_free(&r);
}

static void trace_as_nobody_is_one_line(void **state)
{
	const char *argv[] = { dirtyscope_bin(), "trace", "-d", "1", NULL };
	struct run r;

	(void)state;
	assert_int_equal(run_sync(&r, RUN_AS_NOBODY, argv, 30), 1);
	assert_int_equal(count_lines(r.err), 1);
	assert_non_null(strstr(r.err, "not permitted to load BPF programs"));
	run_free(&r);
}

static int setup(void **state)
{
	(void)state;
	return tmpdir_create(dir);
}

static int teardown(void **state)
{
	(void)state;
	return tmpdir_remove(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(trace_counts_equal_ground_truth),
		cmocka_unit_test(redirty_equals_pattern_overlap),
		cmocka_unit_test(iopte_stats_count_each_iopte),
		cmocka_unit_test(caller_bitmaps_counted_exactly),
		cmocka_unit_test(redirty_across_unaligned_reads),
		cmocka_unit_test(filters_leave_out_others),
		cmocka_unit_test(mock_without_dirty_support_fails_cleanly),
		cmocka_unit_test(mock_outside_aperture_fails_cleanly),
		cmocka_unit_test(trace_without_btf_is_one_line),
		cmocka_unit_test(trace_as_nobody_is_one_line),
	};

	return cmocka_run_group_tests_name("mock_vm", tests, setup, teardown);
}
