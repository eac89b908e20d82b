// SPDX-License-Identifier: GPL-2.0
/*
 * In the testbed VM (mock profile): the ring buffer overflows. A child maps
 * one page, reads its dirty bits and unmaps it FLOOD_PAIRS times while
 * `dirtyscope trace -p CHILD` is stopped (SIGSTOP: a daemon that is
 * descheduled or too slow), so the events cannot all fit. What must hold:
 *
 * - the traced process is never held up: the child finishes every pair
 *   while the consumer is still stopped;
 * - nothing is lost silently: consumed + lost == the events the child
 *   caused (known from an unstopped run), lost > 0, and the loss is shown
 *   in every output: the table, summary.csv, intervals.csv and JSON;
 * - what the kernel counts (the iommu:map/unmap tracepoints, the
 *   iommu_map()/iommu_unmap() calls and the driver's walks) is exact
 *   whatever the ring buffer lost;
 * - trace itself carries on and ends normally (exit 0, complete files).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/iommufd.h>
#include <cmocka.h>
#include "iommufd_ioctl.h"
#include "iommufd_mock.h"
#include "iommufd_mock_abi.h"
#include "syshelp.h"

/*
 * 1 event a pair, the dirty read (map, unmap and the mock driver's walk
 * inside the read are counted in the kernel): 40000 events against a
 * 4 MiB ring that holds about 27 000.
 */
#define FLOOD_PAIRS 40000

static char dir[] = "/tmp/ds-overload-XXXXXX";

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Child: wait for a byte on go, then map one page, read its dirty bits
 * (NO_CLEAR) and unmap it, pairs times. Exit 0 only when every pair was
 * done. */
static void flood(int go, unsigned int pairs)
{
	struct mock_dev m;
	struct iommu_ioas_map map = {
		.size = sizeof(map),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.length = 4096,
		.iova = DS_MOCK_APERTURE_START,
	};
	struct iommu_ioas_unmap unmap = {
		.size = sizeof(unmap),
		.length = 4096,
		.iova = DS_MOCK_APERTURE_START,
	};
	const char *failed;
	uint64_t bits;
	unsigned int i;
	void *buf;
	char c;

	if (mock_dev_open(&m, NULL, 0, BACKING_4K))
		_exit(10);
	buf = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		_exit(11);
	map.ioas_id = unmap.ioas_id = m.ioas_id;
	map.user_va = (uintptr_t)buf;
	if (read(go, &c, 1) != 1)
		_exit(12);
	for (i = 0; i < pairs; i++) {
		if (ioctl(m.fd, IOMMU_IOAS_MAP, &map) ||
		    iommufd_get_dirty(m.fd, m.hwpt_id,
				      IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR,
				      map.iova, 4096, 4096, &bits, &failed) ||
		    ioctl(m.fd, IOMMU_IOAS_UNMAP, &unmap))
			_exit(13);
	}
	_exit(mock_dev_close(&m) ? 14 : 0);
}

struct flood_run {
	struct run trace;
	pid_t child;
	int go;
};

/* Start the child (set up, waiting) and trace -p CHILD with extra args. */
static void flood_start(struct flood_run *f, unsigned int pairs,
			const char *const *extra)
{
	const char *argv[16] = { dirtyscope_bin(), "trace", "-p" };
	char pid[16];
	int p[2], n = 4;

	assert_int_equal(pipe(p), 0);
	f->child = fork();
	assert_true(f->child >= 0);
	if (!f->child) {
		close(p[1]);
		flood(p[0], pairs);
	}
	close(p[0]);
	f->go = p[1];
	snprintf(pid, sizeof(pid), "%d", f->child);
	argv[3] = pid;
	while (*extra)
		argv[n++] = *extra++;
	assert_int_equal(run_start(&f->trace, RUN_AS_ROOT, argv), 0);
	assert_true(run_wait_stderr(&f->trace, "Tracing with ", 180));
}

/* Release the child and wait for it; it must finish all its pairs. */
static void flood_go(struct flood_run *f)
{
	int status;

	assert_int_equal(write(f->go, "g", 1), 1);
	close(f->go);
	assert_int_equal(waitpid(f->child, &status, 0), f->child);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* End trace as a user would (SIGINT) and wait for its report. */
static void trace_stop(struct flood_run *f)
{
	/* Give the consumer time to drain what the ring holds. */
	sleep_ms(1500);
	kill(f->trace.pid, SIGINT);
	assert_int_equal(run_wait(&f->trace, 120), 0);
}

/* "events: N consumed, M lost (ring buffer full) in S s" */
static void table_events(const char *out, uint64_t *consumed, uint64_t *lost)
{
	const char *p = strstr(out, "\nevents: ");

	assert_non_null(p);
	assert_int_equal(sscanf(p,
				"\nevents: %" SCNu64 " consumed, %" SCNu64
				" lost (ring buffer full)",
				consumed, lost),
			 2);
}

static int64_t summary_get(const char *csvdir, const char *row)
{
	char path[192];
	struct csv c;
	int64_t v;

	snprintf(path, sizeof(path), "%s/summary.csv", csvdir);
	assert_int_equal(csv_load(&c, path), 0);
	v = csv_get(&c, row, "count");
	csv_free(&c);
	return v;
}

/* The events of one pair, from an unstopped run: the ground truth. */
static uint64_t events_per_pair;

static void unstopped_run_loses_nothing(void **state)
{
	char csvdir[128];
	const char *extra[] = { "--csv", csvdir, "--call-latency", NULL };
	struct flood_run f;
	uint64_t consumed, lost;

	(void)state;
	snprintf(csvdir, sizeof(csvdir), "%s/unstopped", dir);
	flood_start(&f, 1000, extra);
	flood_go(&f);
	trace_stop(&f);
	table_events(f.trace.out, &consumed, &lost);
	print_message("# unstopped, 1000 pairs: %" PRIu64 " consumed, %" PRIu64
		      " lost\n",
		      consumed, lost);
	assert_int_equal(lost, 0);
	/* Exactly the same number of events for every pair. */
	assert_int_equal(consumed % 1000, 0);
	events_per_pair = consumed / 1000;
	assert_int_equal(events_per_pair, 1);
	/* One dirty read a pair, its event; its walk, one iommu_map() and
	 * one iommu_unmap(), timed (--call-latency), and the tracepoints,
	 * counted in the kernel. */
	assert_int_equal(summary_get(csvdir, "sync_noclear"), 1000);
	assert_int_equal(summary_get(csvdir, "walk"), 1000);
	assert_int_equal(summary_get(csvdir, "map_call"), 1000);
	assert_int_equal(summary_get(csvdir, "unmap_call"), 1000);
	assert_int_equal(summary_get(csvdir, "map"), 1000);
	assert_int_equal(summary_get(csvdir, "unmap"), 1000);
	run_free(&f.trace);
}

static void stopped_consumer_loses_and_says_so(void **state)
{
	char csvdir[128], path[192];
	const char *extra[] = { "--csv", csvdir, "--call-latency", "1", NULL };
	uint64_t consumed, lost, want = FLOOD_PAIRS * events_per_pair;
	int64_t lost_intervals = 0;
	struct flood_run f;
	struct csv c;
	size_t i;
	int op, count;

	(void)state;
	assert_true(events_per_pair > 0);
	snprintf(csvdir, sizeof(csvdir), "%s/table", dir);
	flood_start(&f, FLOOD_PAIRS, extra);
	kill(f.trace.pid, SIGSTOP);
	/* The traced process is not held up by a consumer that is not
	 * running: all its pairs are done with trace still stopped. */
	flood_go(&f);
	kill(f.trace.pid, SIGCONT);
	trace_stop(&f);

	table_events(f.trace.out, &consumed, &lost);
	print_message("# stopped, %d pairs: %" PRIu64 " consumed, %" PRIu64
		      " lost, %" PRIu64 " caused\n",
		      FLOOD_PAIRS, consumed, lost, want);
	assert_true(lost > 0);
	assert_int_equal(consumed + lost, want);
	/* Each interval's header says how many were lost so far. */
	assert_non_null(strstr(f.trace.out, " (lost so far: "));

	assert_int_equal(summary_get(csvdir, "lost_events"), (int64_t)lost);
	/* What the kernel counts is not lost with the events. */
	assert_int_equal(summary_get(csvdir, "map"), FLOOD_PAIRS);
	assert_int_equal(summary_get(csvdir, "unmap"), FLOOD_PAIRS);
	assert_int_equal(summary_get(csvdir, "map_call"), FLOOD_PAIRS);
	assert_int_equal(summary_get(csvdir, "unmap_call"), FLOOD_PAIRS);
	assert_int_equal(summary_get(csvdir, "walk"), FLOOD_PAIRS);

	snprintf(path, sizeof(path), "%s/intervals.csv", csvdir);
	assert_int_equal(csv_load(&c, path), 0);
	op = csv_col(&c, "op");
	count = csv_col(&c, "count");
	assert_true(op >= 0 && count >= 0);
	for (i = 1; i < c.nrows; i++)
		if (!strcmp(c.rows[i][op], "lost_events"))
			lost_intervals += strtoll(c.rows[i][count], NULL, 10);
	csv_free(&c);
	assert_int_equal(lost_intervals, (int64_t)lost);
	run_free(&f.trace);
}

static void stopped_consumer_json(void **state)
{
	const char *extra[] = { "--json", NULL };
	uint64_t want = FLOOD_PAIRS * events_per_pair;
	struct flood_run f;
	char *v, expr[256];

	(void)state;
	assert_true(events_per_pair > 0);
	flood_start(&f, FLOOD_PAIRS, extra);
	kill(f.trace.pid, SIGSTOP);
	flood_go(&f);
	kill(f.trace.pid, SIGCONT);
	trace_stop(&f);

	/* The last document is the summary: consumed and lost add up to
	 * what the child caused, and some were lost. */
	snprintf(expr, sizeof(expr),
		 "(d[-1]['type'], d[-1]['counters']['lost_events'] > 0, "
		 "d[-1]['events_consumed'] + d[-1]['counters']['lost_events']"
		 " == %" PRIu64 ")",
		 want);
	v = json_eval(f.trace.out, expr);
	assert_non_null(v);
	assert_string_equal(v, "('summary', True, True)\n");
	free(v);
	run_free(&f.trace);
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
		cmocka_unit_test(unstopped_run_loses_nothing),
		cmocka_unit_test(stopped_consumer_loses_and_says_so),
		cmocka_unit_test(stopped_consumer_json),
	};

	return cmocka_run_group_tests_name("overload_vm", tests, setup,
					   teardown);
}
