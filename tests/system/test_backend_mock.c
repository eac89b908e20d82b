// SPDX-License-Identifier: GPL-2.0
/*
 * In the testbed VM (mock profile): the "mock" backend of bench against the
 * iommufd selftest mock device. The test makes the device write pages it
 * chooses, so every read has one right answer, bit for bit.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include "backend.h"
#include "bitmap.h"
#include "iommufd_mock_abi.h"
#include "prng.h"
#include "syshelp.h"

#define MOCK_PAGE 2048ull /* PAGE_SIZE / 2 on x86 */
#define SIZE	  (16ull << 20)
#define PAGES	  (SIZE / MOCK_PAGE)
#define WORDS	  (PAGES / 64)
#define IOVA	  (1ull << 24)

#define TRACING "/sys/kernel/tracing"
#define PROBE	"dstest/settrack"

static void open_mock(struct backend *b, uint64_t size)
{
	struct backend_config cfg = { .size = size };
	int ret = backend_open(b, "mock", &cfg);

	if (ret)
		fail_msg("open: %s: %s", b->failed, strerror(-ret));
}

/* Zero got, then one read of the whole mapping into it. */
static void read_all(struct backend *b, bool clear, uint64_t *got)
{
	int ret;

	memset(got, 0, WORDS * 8);
	ret = b->ops->read(b, b->iova, b->length, clear, got);
	if (ret)
		fail_msg("read: %s: %s", b->failed, strerror(-ret));
}

static void assert_bits(const uint64_t *got, const uint64_t *want,
			uint64_t bits, const char *what)
{
	uint64_t diff = bitmap_diff_weight(got, want, bits);

	if (diff)
		fail_msg("%s: %llu of %llu bits differ (%llu set, %llu "
			 "expected)",
			 what, (unsigned long long)diff,
			 (unsigned long long)bits,
			 (unsigned long long)bitmap_weight(got, bits),
			 (unsigned long long)bitmap_weight(want, bits));
}

static void write_pages(struct backend *b, uint64_t first, uint64_t n,
			const uint64_t *bits)
{
	int ret = b->ops->write(b, b->iova + first * MOCK_PAGE, n * MOCK_PAGE,
				bits);

	if (ret)
		fail_msg("write: %s: %s", b->failed, strerror(-ret));
}

/* Write a seeded pattern to pages [1000, 2500), which starts and ends
 * inside a bitmap word: read NO_CLEAR twice, read and clear, read again. */
static void subrange_write_read_noclear_then_clear(void **state)
{
	static uint64_t sub[WORDS], want[WORDS], got[WORDS], none[WORDS];
	const uint64_t first = 1000, n = 1500;
	struct backend b;

	(void)state;
	open_mock(&b, SIZE);
	assert_string_equal(b.ops->name, "mock");
	assert_int_equal(b.iova, IOVA);
	assert_int_equal(b.length, SIZE);
	assert_int_equal(b.page_size, MOCK_PAGE);
	assert_int_equal(backend_pages(&b), PAGES);
	assert_true(b.can_write);
	assert_true(b.can_read_noclear);
	assert_int_equal(b.ops->set_tracking(&b, true), 0);

	bitmap_random_fill(sub, n, 400, 7);
	for (uint64_t i = 0; i < n; i++)
		if (bitmap_test_bit(sub, i))
			bitmap_set_bit(want, first + i);
	write_pages(&b, first, n, sub);

	read_all(&b, false, got);
	assert_bits(got, want, PAGES, "first NO_CLEAR read");
	read_all(&b, false, got);
	assert_bits(got, want, PAGES, "second NO_CLEAR read");
	/* The sub-range alone: bit 0 is its first page. */
	memset(got, 0, sizeof(got));
	assert_int_equal(b.ops->read(&b, b.iova + first * MOCK_PAGE,
				     n * MOCK_PAGE, false, got),
			 0);
	assert_bits(got, sub, bitmap_words(n) * 64, "NO_CLEAR sub-range read");
	read_all(&b, true, got);
	assert_bits(got, want, PAGES, "read and clear");
	read_all(&b, false, got);
	assert_bits(got, none, PAGES, "NO_CLEAR read after the clear");
	read_all(&b, true, got);
	assert_bits(got, none, PAGES, "read and clear after the clear");
	assert_int_equal(backend_close(&b), 0);
	assert_null(b.failed);
}

/* clear() of the first half clears exactly that half; then 3 pages that
 * are not word aligned. */
static void clear_clears_exactly_its_range(void **state)
{
	static uint64_t all[WORDS], want[WORDS], got[WORDS];
	struct backend b;

	(void)state;
	open_mock(&b, SIZE);
	assert_int_equal(b.ops->set_tracking(&b, true), 0);
	bitmap_random_fill(all, PAGES, 3000, 11);
	write_pages(&b, 0, PAGES, all);

	assert_int_equal(b.ops->clear(&b, b.iova, b.length / 2), 0);
	memcpy(want, all, sizeof(want));
	memset(want, 0, sizeof(want) / 2);
	read_all(&b, false, got);
	assert_bits(got, want, PAGES, "after clearing the first half");
	assert_true(bitmap_weight(got, PAGES) > 1000);

	/* Pages 5000..5002 (bits 8..10 of word 78), made dirty first. */
	for (int i = 5000; i < 5003; i++)
		bitmap_set_bit(all, i);
	write_pages(&b, 0, PAGES, all);
	memcpy(want, all, sizeof(want));
	assert_int_equal(
		b.ops->clear(&b, b.iova + 5000 * MOCK_PAGE, 3 * MOCK_PAGE), 0);
	for (int i = 5000; i < 5003; i++)
		want[i / 64] &= ~(1ull << (i % 64));
	read_all(&b, false, got);
	assert_bits(got, want, PAGES, "after clearing 3 pages");
	assert_int_equal(backend_close(&b), 0);
}

/*
 * What the kernels do around tracking on and off, asserted as it is: the
 * mock refuses device writes to an untracked domain (EINVAL from
 * IOMMU_TEST_OP_DIRTY); a read with tracking off succeeds, and reports
 * nothing on 6.12 (the mock's walk fails with EINVAL, and
 * iommu_read_and_clear_dirty() drops the walk's error) but the dirty bits
 * still in the page table on 7.x, whose mock walks with the generic page
 * table (which does not look at the mock's tracking flag); enabling
 * tracking clears every dirty bit first, so pages written before a disable
 * and enable are not reported.
 */
static void tracking_off_writes_and_reads(void **state)
{
	static uint64_t bits[WORDS], got[WORDS], none[WORDS];
	struct backend b;

	(void)state;
	bitmap_random_fill(bits, PAGES, 100, 5);
	open_mock(&b, SIZE);
	assert_int_equal(b.ops->write(&b, b.iova, b.length, bits), -EINVAL);
	assert_string_equal(b.failed, "IOMMU_TEST_OP_DIRTY");
	b.failed = NULL;
	read_all(&b, false, got);
	assert_bits(got, none, PAGES, "NO_CLEAR read before tracking");
	read_all(&b, true, got);
	assert_bits(got, none, PAGES, "read and clear before tracking");

	assert_int_equal(b.ops->set_tracking(&b, true), 0);
	read_all(&b, false, got);
	assert_bits(got, none, PAGES, "read right after enabling");
	write_pages(&b, 0, PAGES, bits);
	assert_int_equal(b.ops->set_tracking(&b, false), 0);
	/* Dirty bits, tracking off: the read says nothing on 6.12, what
	 * the page table holds on 7.x... */
	read_all(&b, false, got);
	assert_bits(
		got,
		kernel_has_function("pt_iommu_amdv1_mock_read_and_clear_dirty")
			? bits
			: none,
		PAGES, "NO_CLEAR read with tracking off");
	assert_int_equal(b.ops->write(&b, b.iova, b.length, bits), -EINVAL);
	b.failed = NULL;
	/* ...and enabling again clears them. */
	assert_int_equal(b.ops->set_tracking(&b, true), 0);
	read_all(&b, false, got);
	assert_bits(got, none, PAGES, "read after disable and enable");
	/* Tracking itself works again. */
	write_pages(&b, 0, PAGES, bits);
	read_all(&b, true, got);
	assert_bits(got, bits, PAGES, "read after writing again");
	assert_int_equal(backend_close(&b), 0);
	assert_null(b.failed);
}

struct writer {
	struct backend *b;
	atomic_bool stop;
	uint32_t writes[PAGES]; /* times each page was written */
	atomic_long calls;
	int err;
	const char *failed;
};

/* bench's device: random runs of up to 512 pages, a quarter of each run
 * marked, until told to stop. Counts a page once its write returned. */
static void *writer_main(void *arg)
{
	struct writer *w = arg;
	struct prng r = { .state = 42 };
	uint64_t bits[8];

	while (!atomic_load(&w->stop)) {
		uint64_t first = prng_below(&r, PAGES);
		uint64_t n = 1 + prng_below(&r, 512);

		if (first + n > PAGES)
			n = PAGES - first;
		memset(bits, 0, sizeof(bits));
		for (uint64_t i = 0; i < n; i++)
			if (!prng_below(&r, 4))
				bitmap_set_bit(bits, i);
		w->err = w->b->ops->write(w->b, w->b->iova + first * MOCK_PAGE,
					  n * MOCK_PAGE, bits);
		if (w->err) {
			w->failed = w->b->failed;
			break;
		}
		for (uint64_t i = 0; i < n; i++)
			w->writes[first + i] += bitmap_test_bit(bits, i);
		atomic_fetch_add(&w->calls, 1);
	}
	return NULL;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void count_reports(const uint64_t *got, uint32_t *reports)
{
	for (uint64_t i = 0; i < PAGES; i++)
		reports[i] += bitmap_test_bit(got, i);
}

/*
 * A writer thread beside reads for a second. Every call succeeds. Once the
 * writer has stopped and a last read and clear is done: a page was
 * reported if and only if it was written, and never more often than it was
 * written (each report takes a write since the previous clear). The writer
 * re-marks pages that are dirty beside clearing reads: without the
 * backend's lock that trips a WARN in the mock, and the VM runner fails a
 * run with any kernel WARNING.
 */
static void concurrent_writer_every_page_reported(void **state)
{
	static struct writer w;
	static uint32_t reports[PAGES];
	static uint64_t got[WORDS];
	long reads = 0, noclear = 0, written = 0, twice = 0;
	struct backend b;
	pthread_t t;
	double end;

	(void)state;
	open_mock(&b, SIZE);
	assert_int_equal(b.ops->set_tracking(&b, true), 0);
	memset(&w, 0, sizeof(w));
	w.b = &b;
	assert_int_equal(pthread_create(&t, NULL, writer_main, &w), 0);
	/* At least a second, 20 writer calls and 10 reads, whatever the
	 * machine's load: progress, not a rate, decides (60 s at most). */
	end = now_s() + 1.0;
	while ((now_s() < end || atomic_load(&w.calls) < 20 || reads < 10) &&
	       now_s() < end + 59.0 && !w.err) {
		read_all(&b, true, got);
		count_reports(got, reports);
		reads++;
		if (reads % 3 == 0) {
			read_all(&b, false, got);
			noclear++;
		}
		/* The backend's lock is not fair: let the writer in. */
		usleep(200);
	}
	atomic_store(&w.stop, true);
	assert_int_equal(pthread_join(t, NULL), 0);
	if (w.err)
		fail_msg("writer: %s: %s", w.failed, strerror(-w.err));
	read_all(&b, true, got);
	count_reports(got, reports);
	for (uint64_t i = 0; i < PAGES; i++) {
		if (!w.writes[i] != !reports[i] || reports[i] > w.writes[i])
			fail_msg("page %llu: written %u times, reported %u "
				 "times",
				 (unsigned long long)i, w.writes[i],
				 reports[i]);
		written += w.writes[i] > 0;
		twice += reports[i] > 1;
	}
	print_message("# %ld writes, %ld reads and clears, %ld NO_CLEAR "
		      "reads; %ld pages written, %ld reported more than "
		      "once\n",
		      (long)atomic_load(&w.calls), reads, noclear, written,
		      twice);
	assert_true(atomic_load(&w.calls) >= 20);
	assert_true(reads >= 10);
	assert_true(twice > 0);
	read_all(&b, false, got);
	assert_int_equal(bitmap_weight(got, PAGES), 0);
	assert_int_equal(backend_close(&b), 0);
	assert_null(b.failed);
}

static int count_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* Mock devices alive in the whole kernel: each is on this bus until its
 * selftest object is destroyed. */
static int mock_devices(void)
{
	return count_dir("/sys/bus/iommufd_mock/devices");
}

static int open_fds(void)
{
	return count_dir("/proc/self/fd");
}

static void put(const char *path, const char *text, int flags)
{
	int fd = open(path, O_WRONLY | flags);

	if (fd < 0)
		fail_msg("open %s: %s", path, strerror(errno));
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		fail_msg("write '%s' to %s: %s", text, path, strerror(errno));
	close(fd);
}

/* The kprobe's records since the last call, as a string of the enable
 * arguments the driver's set_dirty_tracking op saw, e.g. "10". */
static void settrack_calls(char *out, size_t len)
{
	char line[512], *p;
	size_t n = 0;
	FILE *f = fopen(TRACING "/trace", "r");

	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (line[0] != '#' && (p = strstr(line, " enable=")) &&
		    n + 1 < len)
			out[n++] = p[8];
	fclose(f);
	out[n] = '\0';
	put(TRACING "/trace", "", O_TRUNC);
}

/*
 * Nothing leaks: the mock device is gone from the kernel's bus and our fd
 * table is as before; closing with tracking on turns it off first (a
 * kprobe on the mock's set_dirty_tracking op sees enable=1, then enable=0:
 * destroying the HWPT alone would not call it). Close twice is fine. A
 * partial open (map refused) undoes itself the same way.
 */
static void close_leaves_nothing(void **state)
{
	static uint64_t bits[WORDS];
	struct backend_config big = { .size = 1ull << 32 };
	int devs = mock_devices(), fds = open_fds();
	struct backend b;
	char calls[16];

	(void)state;
	settrack_calls(calls, sizeof(calls));
	open_mock(&b, SIZE);
	assert_int_equal(mock_devices(), devs + 1);
	assert_int_equal(b.ops->set_tracking(&b, true), 0);
	bitmap_random_fill(bits, PAGES, 10, 3);
	write_pages(&b, 0, PAGES, bits);
	assert_int_equal(backend_close(&b), 0);
	assert_null(b.failed);
	assert_null(b.priv);
	settrack_calls(calls, sizeof(calls));
	assert_string_equal(calls, "10");
	assert_int_equal(mock_devices(), devs);
	assert_int_equal(open_fds(), fds);
	assert_int_equal(backend_close(&b), 0);

	/* 4 GiB does not fit the mock aperture [16 MiB, 2 GiB). */
	assert_int_equal(backend_open(&b, "mock", &big), -EINVAL);
	assert_string_equal(b.failed, "map size (outside the mock aperture or "
				      "unaligned)");
	assert_null(b.priv);
	assert_int_equal(mock_devices(), devs);
	assert_int_equal(open_fds(), fds);
	assert_int_equal(backend_close(&b), 0);
	assert_string_equal(b.failed, "map size (outside the mock aperture or "
				      "unaligned)");
	settrack_calls(calls, sizeof(calls));
	assert_string_equal(calls, "");
}

static void open_errors_name_the_step(void **state)
{
	struct backend_config nodirty = { .size = SIZE,
					  .mock_flags = DS_MOCK_DEV_NO_DIRTY };
	struct backend_config nodev = { .size = SIZE,
					.iommufd = "/dev/nonexistent" };
	struct backend_config zero = { .size = 0 };
	struct backend_config odd = { .size = SIZE + 1024 };
	int devs = mock_devices(), fds = open_fds();
	struct backend b;

	(void)state;
	/* A mock device without dirty tracking: the dirty HWPT is refused. */
	assert_int_equal(backend_open(&b, "mock", &nodirty), -EOPNOTSUPP);
	assert_string_equal(b.failed, "IOMMU_HWPT_ALLOC (dirty tracking)");
	assert_int_equal(backend_close(&b), 0);
	assert_int_equal(mock_devices(), devs);

	assert_int_equal(backend_open(&b, "mock", &nodev), -ENOENT);
	assert_string_equal(b.failed, "open /dev/iommu");
	assert_int_equal(backend_open(&b, "mock", &zero), -EINVAL);
	assert_string_equal(b.failed, "map size (outside the mock aperture or "
				      "unaligned)");
	assert_int_equal(backend_open(&b, "mock", &odd), -EINVAL);
	assert_string_equal(b.failed, "map size (outside the mock aperture or "
				      "unaligned)");

	/* The full list of names is test_backend_vtd's. */
	assert_int_equal(backend_open(&b, "nope", &zero), -ENOENT);
	assert_ptr_equal(strstr(b.failed, "unknown backend 'nope' (mock"),
			 b.failed);
	assert_null(b.ops);
	assert_int_equal(backend_close(&b), 0);
	assert_null(backend_find("nope"));
	assert_null(backend_find(NULL));
	assert_string_equal(backend_find("mock")->name, "mock");
	assert_int_equal(mock_devices(), devs);
	assert_int_equal(open_fds(), fds);
}

/* Calls outside the mapping are refused before the kernel, which would
 * skip unmapped pages without a word. */
static void ranges_outside_the_mapping(void **state)
{
	static uint64_t bits[WORDS + 1];
	struct backend b;

	(void)state;
	open_mock(&b, SIZE);
	assert_int_equal(b.ops->set_tracking(&b, true), 0);
	assert_int_equal(b.ops->write(&b, b.iova + MOCK_PAGE, b.length, bits),
			 -EINVAL);
	assert_string_equal(b.failed, "write (range outside the mapping)");
	assert_int_equal(
		b.ops->read(&b, b.iova - MOCK_PAGE, MOCK_PAGE, true, bits),
		-EINVAL);
	assert_string_equal(b.failed, "read (range outside the mapping)");
	assert_int_equal(b.ops->clear(&b, b.iova, b.length + MOCK_PAGE),
			 -EINVAL);
	assert_string_equal(b.failed, "clear (range outside the mapping)");
	assert_int_equal(b.ops->clear(&b, b.iova, 0), -EINVAL);
	/* Unaligned: the kernel's EINVAL. */
	assert_int_equal(b.ops->write(&b, b.iova + 512, MOCK_PAGE, bits),
			 -EINVAL);
	assert_string_equal(b.failed, "IOMMU_TEST_OP_DIRTY");
	assert_int_equal(backend_close(&b), 0);
	assert_string_equal(b.failed, "IOMMU_TEST_OP_DIRTY");
}

static int setup(void **state)
{
	char def[128];
	int fd;

	(void)state;
	snprintf(def, sizeof(def),
		 "p:%s mock_domain_set_dirty_tracking enable=$arg2:u8\n",
		 PROBE);
	fd = open(TRACING "/kprobe_events", O_WRONLY | O_APPEND);
	if (fd < 0 || write(fd, def, strlen(def)) != (ssize_t)strlen(def)) {
		fprintf(stderr,
			"kprobe on mock_domain_set_dirty_tracking: %s\n",
			strerror(errno));
		return -1;
	}
	close(fd);
	fd = open(TRACING "/events/" PROBE "/enable", O_WRONLY);
	if (fd < 0 || write(fd, "1", 1) != 1)
		return -1;
	close(fd);
	return 0;
}

static int teardown(void **state)
{
	int fd;

	(void)state;
	fd = open(TRACING "/events/" PROBE "/enable", O_WRONLY);
	if (fd >= 0) {
		if (write(fd, "0", 1) != 1)
			return -1;
		close(fd);
	}
	fd = open(TRACING "/kprobe_events", O_WRONLY | O_APPEND);
	if (fd < 0 || write(fd, "-:" PROBE "\n", 3 + strlen(PROBE)) < 0)
		return -1;
	close(fd);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(subrange_write_read_noclear_then_clear),
		cmocka_unit_test(clear_clears_exactly_its_range),
		cmocka_unit_test(tracking_off_writes_and_reads),
		cmocka_unit_test(concurrent_writer_every_page_reported),
		cmocka_unit_test(close_leaves_nothing),
		cmocka_unit_test(open_errors_name_the_step),
		cmocka_unit_test(ranges_outside_the_mapping),
	};

	return cmocka_run_group_tests_name("backend_mock", tests, setup,
					   teardown);
}
