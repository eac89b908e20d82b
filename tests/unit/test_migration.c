// SPDX-License-Identifier: GPL-2.0
/*
 * bench's migration loop against a backend of the test's own whose IOPTEs
 * span several bitmap pages, with dirty bits per IOPTE as an IOMMU keeps
 * them: the granularity counts (pages reported per page written, pages
 * sent only for a neighbour's write) worked out by hand. This tests our
 * accounting, not a kernel; the VM tests (test_bench_vm) run the same on
 * the iommufd mock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "backend.h"
#include "bitmap.h"
#include "migration.h"
#include "page_log.h"
#include "schedule.h"

#define PAGE   2048
#define NPAGES 4096

struct fake {
	uint64_t iopte_pages; /* bitmap pages per IOPTE */
	bool dirty[NPAGES];   /* per IOPTE (index page / iopte_pages) */
};

static struct fake fake;

static int fake_read(struct backend *b, uint64_t iova, uint64_t len, bool clear,
		     uint64_t *bitmap)
{
	uint64_t first = (iova - b->iova) / PAGE, n = len / PAGE, i, e;

	for (i = 0; i < n; i++) {
		e = (first + i) / fake.iopte_pages;
		if (fake.dirty[e])
			bitmap_set_bit(bitmap, i);
	}
	/* Clearing clears whole IOPTEs: the test's chunks hold whole ones. */
	for (i = 0; clear && i < n; i++)
		fake.dirty[(first + i) / fake.iopte_pages] = false;
	return 0;
}

static int fake_write(struct backend *b, uint64_t iova, uint64_t len,
		      const uint64_t *bitmap)
{
	(void)b;
	(void)iova;
	for (uint64_t p = 0; p < len / PAGE; p++)
		if (bitmap_test_bit(bitmap, p))
			fake.dirty[p / fake.iopte_pages] = true;
	return 0;
}

static const struct backend_ops fake_ops = {
	.name = "fake",
	.read = fake_read,
	.write = fake_write,
};

static void run(enum strategy s, uint64_t iopte_pages, const char *spec,
		struct mig_result *res)
{
	struct backend b = {
		.ops = &fake_ops,
		.iova = 1 << 24,
		.length = (uint64_t)NPAGES * PAGE,
		.page_size = PAGE,
		.can_read_noclear = true,
		.can_write = true,
	};
	struct mig_config cfg = {
		.strategy = s,
		.chunk_bytes = b.length,
		.bandwidth = 1e15, /* no waiting on the modelled link */
		.downtime_ns = 0,  /* stop when a sync reports nothing */
		.max_rounds = 10,
	};
	struct schedule sched;
	struct page_log log;
	const char *failed = NULL;

	memset(&fake, 0, sizeof(fake));
	fake.iopte_pages = iopte_pages;
	assert_int_equal(schedule_parse(spec, NPAGES, &sched), 0);
	cfg.sched = &sched;
	assert_int_equal(page_log_init(&log, NPAGES), 0);
	assert_int_equal(migrate(&b, NULL, &log, &cfg, NULL, res, &failed), 0);
	page_log_free(&log);
	schedule_free(&sched);
}

/* One page per IOPTE: every page reported was written, nothing is
 * granularity; auto's 50 redundant pages are clear timing only. */
static void base_pages_amplify_nothing(void **state)
{
	struct mig_result a, m;

	(void)state;
	run(STRATEGY_AUTO, 1, "1@sync:0-99;1@send:50-149", &a);
	assert_int_equal(a.received_pages, 200);
	assert_int_equal(a.received_written, 200);
	assert_int_equal(a.pages_redundant, 50);
	assert_int_equal(a.pages_granularity, 0);
	run(STRATEGY_MANUAL, 1, "1@sync:0-99;1@send:50-149", &m);
	assert_int_equal(m.received_pages, 250);
	assert_int_equal(m.received_written, 250);
	assert_int_equal(m.pages_granularity, 0);
	mig_result_free(&a);
	mig_result_free(&m);
}

/*
 * IOPTEs of 512 pages. Round 1: pages 0 and 1000 written before the sync:
 * IOPTEs 0 and 1 (pages 0-1023) are reported, 2 of the 1024 written, and
 * the other 1022, sent in round 0 and not written since, go again for
 * nothing. Round 2: page 700 written; IOPTE 1 (512 pages) comes back, and
 * only page 700 is the device's own since the round-1 clear: page 1000
 * is not, its write was cleared already.
 */
static void huge_ioptes_hand_computed(void **state)
{
	struct mig_result a, m;

	(void)state;
	run(STRATEGY_AUTO, 512, "1@sync:0,1000;2@sync:700", &a);
	assert_int_equal(a.nrounds, 4);
	assert_int_equal(a.rounds[1].received_pages, 1024);
	assert_int_equal(a.rounds[1].received_written, 2);
	assert_int_equal(a.rounds[1].pages_granularity, 1022);
	assert_int_equal(a.rounds[2].received_pages, 512);
	assert_int_equal(a.rounds[2].received_written, 1);
	assert_int_equal(a.rounds[2].pages_granularity, 511);
	assert_int_equal(a.pages_sent, NPAGES + 1024 + 512);
	assert_int_equal(a.pages_redundant, 1022 + 511);
	assert_int_equal(a.pages_granularity, 1022 + 511);
	assert_int_equal(a.received_pages, 1536);
	assert_int_equal(a.received_written, 3);

	/* Manual reads each dirty IOPTE twice (the sync without clearing,
	 * then its chunk's clear) and sends it once. */
	run(STRATEGY_MANUAL, 512, "1@sync:0,1000;2@sync:700", &m);
	assert_int_equal(m.nrounds, 4);
	assert_int_equal(m.received_pages, 2 * 1536);
	assert_int_equal(m.received_written, 2 * 3);
	assert_int_equal(m.pages_sent, NPAGES + 1024 + 512);
	assert_int_equal(m.pages_granularity, 1022 + 511);
	mig_result_free(&a);
	mig_result_free(&m);
}

/* A page written after the sync that reported it for its neighbour's
 * write is sent with new content: not redundant, not granularity. */
static void write_after_report_is_not_granularity(void **state)
{
	struct mig_result a;

	(void)state;
	run(STRATEGY_AUTO, 512, "1@sync:0;1@send:5", &a);
	/* Round 1 sends 0-511: 0 and 5 are new, 510 are granularity; round
	 * 2 sends IOPTE 0 again for page 5's write, after the clear: page 5
	 * was sent after it was written, so all 512 go for nothing, 511 of
	 * them reported for page 5 and page 5 itself for clear timing. */
	assert_int_equal(a.rounds[1].pages_granularity, 510);
	assert_int_equal(a.rounds[1].pages_redundant, 510);
	assert_int_equal(a.rounds[2].received_written, 1);
	assert_int_equal(a.rounds[2].pages_redundant, 512);
	assert_int_equal(a.rounds[2].pages_granularity, 511);
	mig_result_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(base_pages_amplify_nothing),
		cmocka_unit_test(huge_ioptes_hand_computed),
		cmocka_unit_test(write_after_report_is_not_granularity),
	};

	return cmocka_run_group_tests_name("migration", tests, NULL, NULL);
}
