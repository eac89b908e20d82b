// SPDX-License-Identifier: GPL-2.0
/*
 * On the host, the testbed's QEMU (scripts/testbed-qemu.sh) under qtest:
 * the device model of our intel-iommu x-ssads, driven register by register
 * as a driver would, with edu (x-dma-sync) as the device doing DMA. This
 * is where the caching rule is tested that the Linux driver never lets us
 * see, because it always invalidates after a clear: a D flag cleared in
 * memory stays clear under writes through a translation the IOMMU cached
 * as dirty, and is set again only after the IOTLB invalidation.
 *
 * The structures are the VT-d spec's scalable mode ones (3.x, ch. 9): a
 * root entry for bus 0, a 256-bit context entry for edu (00:04.0) whose
 * RID_PASID 0 names a PASID entry of type second-stage-only with a 3-level
 * table (39-bit, QEMU's default width), SSADE as the test wants. Queued
 * invalidation with 128-bit descriptors, a status-write wait after each.
 */
#include <inttypes.h>
#include <limits.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>
#include "qtest.h"

/* Where q35 puts the IOMMU's registers, and the ones used here. */
#define VTD	   0xfed90000ull
#define VTD_ECAP   (VTD + 0x10)
#define VTD_GCMD   (VTD + 0x18)
#define VTD_GSTS   (VTD + 0x1c)
#define VTD_RTADDR (VTD + 0x20)
#define VTD_FSTS   (VTD + 0x34)
#define VTD_IQH	   (VTD + 0x80)
#define VTD_IQT	   (VTD + 0x88)
#define VTD_IQA	   (VTD + 0x90)
#define GCMD_TE	   (1u << 31)
#define GCMD_SRTP  (1u << 30)
#define GCMD_QIE   (1u << 26)
#define RTADDR_SM  (1ull << 10) /* translation table mode: scalable */
#define ECAP_SMTS  (1ull << 43)
#define ECAP_SSADS (1ull << 45)
#define ECAP_SMPWC (1ull << 48)

/* Second-stage paging entry flags. */
#define SL_R (1ull << 0)
#define SL_W (1ull << 1)
#define SL_A (1ull << 8)
#define SL_D (1ull << 9)

/* Guest-physical layout of the structures, one 4 KiB page each. */
#define ROOT_TABLE  0x100000ull
#define CTX_TABLE   0x101000ull
#define PASID_DIR   0x102000ull
#define PASID_TABLE 0x103000ull
#define SL_L3	    0x104000ull
#define SL_L2	    0x105000ull
#define SL_L1	    0x106000ull
#define INV_QUEUE   0x107000ull
#define INV_STATUS  0x108000ull
#define DATA	    0x200000ull /* DATA_PAGES pages behind IOVA_BASE */
#define DATA_PAGES  8
#define IOVA_BASE   0x10000ull
#define DOMAIN_ID   5

/* edu at 00:04.0: its BAR0 and DMA registers. */
#define EDU_DEVFN   (4 << 3)
#define EDU_BAR	    0xc0000000ull
#define EDU_DMA_SRC (EDU_BAR + 0x80)
#define EDU_DMA_DST (EDU_BAR + 0x88)
#define EDU_DMA_CNT (EDU_BAR + 0x90)
#define EDU_DMA_CMD (EDU_BAR + 0x98)
#define EDU_RUN	    1
#define EDU_TO_RAM  2
#define EDU_BUFFER  0x40000ull
#define DMA_BYTES   64

struct bed {
	struct qtest q;
	unsigned int inv_tail; /* next free queue slot */
	uint32_t inv_seq;      /* status data of the last wait */
};

/*
 * $DIRTYSCOPE_QEMU, else what scripts/testbed-qemu.sh prints (its cache:
 * make check has built it; run from the repository root, as tests/run.sh
 * does).
 */
static const char *qemu_bin(void)
{
	static char path[PATH_MAX];
	const char *env = getenv("DIRTYSCOPE_QEMU");
	FILE *p;

	if (env && *env)
		return env;
	if (path[0])
		return path;
	p = popen("scripts/testbed-qemu.sh", "r");
	if (!p || !fgets(path, sizeof(path), p))
		path[0] = '\0';
	if (p && pclose(p))
		path[0] = '\0';
	path[strcspn(path, "\n")] = '\0';
	if (!path[0])
		fail_msg("scripts/testbed-qemu.sh gave no QEMU (set "
			 "DIRTYSCOPE_QEMU to use another)");
	return path;
}

static struct bed *bed_start(const char *iommu)
{
	const char *args[] = { "-device", iommu, "-device",
			       "edu,addr=04.0,x-dma-sync=on", NULL };
	struct bed *b = calloc(1, sizeof(*b));
	int err;

	assert_non_null(b);
	err = qtest_start(&b->q, qemu_bin(), args);
	if (err)
		fail_msg("cannot start %s: %s", qemu_bin(), strerror(-err));
	return b;
}

static int bed_stop(void **state)
{
	struct bed *b = *state;

	if (b) {
		qtest_stop(&b->q);
		free(b);
	}
	return 0;
}

static void pci_config_write(struct qtest *q, unsigned int reg, uint32_t v)
{
	qtest_cmd(q, "outl 0xcf8 0x%x", 0x80000000u | EDU_DEVFN << 8 | reg);
	qtest_cmd(q, "outl 0xcfc 0x%x", v);
}

static uint64_t leaf_addr(unsigned int page)
{
	return SL_L1 + (IOVA_BASE / 4096 + page) * 8;
}

static uint64_t leaf(struct bed *b, unsigned int page)
{
	return qtest_readq(&b->q, leaf_addr(page));
}

static uint64_t iova(unsigned int page)
{
	return IOVA_BASE + page * 4096ull;
}

static uint64_t gpa(unsigned int page)
{
	return DATA + page * 4096ull;
}

/* Set a GCMD command and check that GSTS reports it. */
static void gcmd(struct bed *b, uint32_t cmd, uint32_t status)
{
	qtest_writel(&b->q, VTD_GCMD, cmd);
	assert_int_equal(qtest_readl(&b->q, VTD_GSTS) & status, status);
}

/*
 * The structures for edu's DMA through IOVA_BASE.. to DATA.., then root
 * table, queued invalidation and translation on, edu's BAR and bus
 * mastering on.
 */
static void bed_translate(struct bed *b, bool ssade)
{
	struct qtest *q = &b->q;

	qtest_writeq(q, ROOT_TABLE, CTX_TABLE | 1);
	qtest_writeq(q, CTX_TABLE + EDU_DEVFN * 32, PASID_DIR | 1);
	qtest_writeq(q, PASID_DIR, PASID_TABLE | 1);
	/* PGTT 010b second-stage only, AW 1: a 3-level table. */
	qtest_writeq(q, PASID_TABLE,
		     SL_L3 | (ssade ? 1ull << 9 : 0) | 2ull << 6 | 1ull << 2 |
			     1);
	qtest_writeq(q, PASID_TABLE + 8, DOMAIN_ID);
	qtest_writeq(q, SL_L3, SL_L2 | SL_R | SL_W);
	qtest_writeq(q, SL_L2, SL_L1 | SL_R | SL_W);
	for (unsigned int p = 0; p < DATA_PAGES; p++)
		qtest_writeq(q, leaf_addr(p), gpa(p) | SL_R | SL_W);

	qtest_writeq(q, VTD_RTADDR, ROOT_TABLE | RTADDR_SM);
	gcmd(b, GCMD_SRTP, GCMD_SRTP);
	qtest_writeq(q, VTD_IQA, INV_QUEUE); /* 256 128-bit descriptors */
	qtest_writeq(q, VTD_IQT, 0);
	gcmd(b, GCMD_QIE, GCMD_QIE);
	gcmd(b, GCMD_QIE | GCMD_TE, GCMD_QIE | GCMD_TE);

	pci_config_write(q, 0x10, EDU_BAR);
	pci_config_write(q, 0x04, 0x6); /* memory space, bus master */
}

/* edu copies DMA_BYTES between its buffer and an IOVA, done on return. */
static void edu_dma(struct bed *b, bool to_ram, unsigned int page)
{
	struct qtest *q = &b->q;

	qtest_writeq(q, EDU_DMA_SRC, to_ram ? EDU_BUFFER : iova(page));
	qtest_writeq(q, EDU_DMA_DST, to_ram ? iova(page) : EDU_BUFFER);
	qtest_writeq(q, EDU_DMA_CNT, DMA_BYTES);
	qtest_writeq(q, EDU_DMA_CMD, EDU_RUN | (to_ram ? EDU_TO_RAM : 0));
}

/* Fill page 0 with a pattern and have edu read it into its buffer. */
static uint64_t edu_load_pattern(struct bed *b)
{
	for (unsigned int i = 0; i < DMA_BYTES / 8; i++)
		qtest_writeq(&b->q, gpa(0) + i * 8, 0xd1e7500000000000ull + i);
	edu_dma(b, false, 0);
	return 0xd1e7500000000000ull;
}

static bool page_holds_pattern(struct bed *b, unsigned int page,
			       uint64_t pattern)
{
	for (unsigned int i = 0; i < DMA_BYTES / 8; i++)
		if (qtest_readq(&b->q, gpa(page) + i * 8) != pattern + i)
			return false;
	return true;
}

/*
 * Queue an IOTLB invalidation (page-selective for one page, or the whole
 * domain for page < 0) and a wait that writes a new status word; check
 * the queue drained and the word arrived.
 */
static void invalidate(struct bed *b, int page)
{
	struct qtest *q = &b->q;
	uint64_t slot = INV_QUEUE + b->inv_tail * 16ull;
	uint64_t granularity = page < 0 ? 2 : 3;

	b->inv_seq++;
	qtest_writeq(q, slot, 2 | granularity << 4 | (uint64_t)DOMAIN_ID << 16);
	qtest_writeq(q, slot + 8, page < 0 ? 0 : iova(page)); /* AM 0 */
	qtest_writeq(q, slot + 16, 5 | 1ull << 5 | (uint64_t)b->inv_seq << 32);
	qtest_writeq(q, slot + 24, INV_STATUS);
	b->inv_tail += 2;
	qtest_writeq(q, VTD_IQT, b->inv_tail << 4);
	assert_int_equal(qtest_readq(q, VTD_IQH), b->inv_tail << 4);
	assert_int_equal(qtest_readl(q, INV_STATUS), b->inv_seq);
}

static void no_faults(struct bed *b)
{
	assert_int_equal(qtest_readl(&b->q, VTD_FSTS), 0);
}

static int start_ssads(void **state)
{
	*state = bed_start("intel-iommu,intremap=off,x-scalable-mode=on,"
			   "x-ssads=on");
	return 0;
}

static int start_plain(void **state)
{
	*state = bed_start("intel-iommu,intremap=off,x-scalable-mode=on");
	return 0;
}

/* 50 ms per wait descriptor: long enough to see under any host load. */
#define LATENCY_NS 50000000ull

static int start_latency(void **state)
{
	*state = bed_start("intel-iommu,intremap=off,x-scalable-mode=on,"
			   "x-ssads=on,x-inv-latency-ns=50000000");
	return 0;
}

static void ecap_plain_lacks_ssads(void **state)
{
	struct bed *b = *state;
	uint64_t ecap = qtest_readq(&b->q, VTD_ECAP);

	assert_true(ecap & ECAP_SMTS);
	assert_false(ecap & ECAP_SSADS);
	assert_false(ecap & ECAP_SMPWC);
}

/* Linux's ssads_supported() wants both, in scalable mode. */
static void ecap_ssads_advertises_both(void **state)
{
	struct bed *b = *state;
	uint64_t ecap = qtest_readq(&b->q, VTD_ECAP);

	assert_true(ecap & ECAP_SMTS);
	assert_true(ecap & ECAP_SSADS);
	assert_true(ecap & ECAP_SMPWC);
}

/*
 * A read sets A on every level it walks and D nowhere; a write sets A and
 * D on its leaf and only there; pages nobody touched keep their entries.
 */
static void read_sets_accessed_write_sets_dirty(void **state)
{
	struct bed *b = *state;
	uint64_t pattern;

	bed_translate(b, true);
	pattern = edu_load_pattern(b);
	assert_int_equal(qtest_readq(&b->q, SL_L3), SL_L2 | SL_R | SL_W | SL_A);
	assert_int_equal(qtest_readq(&b->q, SL_L2), SL_L1 | SL_R | SL_W | SL_A);
	assert_int_equal(leaf(b, 0), gpa(0) | SL_R | SL_W | SL_A);

	edu_dma(b, true, 1);
	assert_true(page_holds_pattern(b, 1, pattern));
	assert_int_equal(leaf(b, 1), gpa(1) | SL_R | SL_W | SL_A | SL_D);
	assert_int_equal(qtest_readq(&b->q, SL_L3), SL_L2 | SL_R | SL_W | SL_A);
	assert_int_equal(qtest_readq(&b->q, SL_L2), SL_L1 | SL_R | SL_W | SL_A);
	for (unsigned int p = 2; p < DATA_PAGES; p++)
		assert_int_equal(leaf(b, p), gpa(p) | SL_R | SL_W);
	no_faults(b);
}

/*
 * Both sides of the caching rule. Pages 1 and 2 are written (cached
 * dirty), then software clears their D flags without an invalidation:
 * writes through the cached translations reach memory but set nothing.
 * After a page-selective invalidation of page 1 a write sets page 1's D
 * again and page 2 (still cached) stays clear; after a domain-wide one,
 * page 2's comes back too.
 */
static void cleared_dirty_returns_only_after_invalidation(void **state)
{
	struct bed *b = *state;
	uint64_t pattern;

	bed_translate(b, true);
	pattern = edu_load_pattern(b);
	edu_dma(b, true, 1);
	edu_dma(b, true, 2);
	assert_true(leaf(b, 1) & SL_D);
	assert_true(leaf(b, 2) & SL_D);

	qtest_writeq(&b->q, leaf_addr(1), leaf(b, 1) & ~SL_D);
	qtest_writeq(&b->q, leaf_addr(2), leaf(b, 2) & ~SL_D);
	qtest_cmd(&b->q, "memset 0x%" PRIx64 " %d 0", gpa(1), DMA_BYTES);
	edu_dma(b, true, 1);
	edu_dma(b, true, 2);
	assert_true(page_holds_pattern(b, 1, pattern));
	assert_int_equal(leaf(b, 1), gpa(1) | SL_R | SL_W | SL_A);
	assert_int_equal(leaf(b, 2), gpa(2) | SL_R | SL_W | SL_A);

	invalidate(b, 1);
	edu_dma(b, true, 1);
	edu_dma(b, true, 2);
	assert_int_equal(leaf(b, 1), gpa(1) | SL_R | SL_W | SL_A | SL_D);
	assert_int_equal(leaf(b, 2), gpa(2) | SL_R | SL_W | SL_A);

	invalidate(b, -1);
	edu_dma(b, true, 2);
	assert_int_equal(leaf(b, 2), gpa(2) | SL_R | SL_W | SL_A | SL_D);
	no_faults(b);
}

/*
 * A translation cached by a read was cached clean: the first write
 * through it walks again and sets D, no invalidation needed.
 */
static void write_after_cached_read_sets_dirty(void **state)
{
	struct bed *b = *state;

	bed_translate(b, true);
	edu_load_pattern(b);
	edu_dma(b, false, 3);
	assert_int_equal(leaf(b, 3), gpa(3) | SL_R | SL_W | SL_A);
	edu_dma(b, true, 3);
	assert_int_equal(leaf(b, 3), gpa(3) | SL_R | SL_W | SL_A | SL_D);
	no_faults(b);
}

/* SSADE off in the PASID entry: DMA works and no entry changes. */
static void no_ssade_leaves_entries_alone(void **state)
{
	struct bed *b = *state;
	uint64_t pattern;

	bed_translate(b, false);
	pattern = edu_load_pattern(b);
	edu_dma(b, true, 1);
	assert_true(page_holds_pattern(b, 1, pattern));
	assert_int_equal(qtest_readq(&b->q, SL_L3), SL_L2 | SL_R | SL_W);
	assert_int_equal(qtest_readq(&b->q, SL_L2), SL_L1 | SL_R | SL_W);
	for (unsigned int p = 0; p < DATA_PAGES; p++)
		assert_int_equal(leaf(b, p), gpa(p) | SL_R | SL_W);
	no_faults(b);
}

/*
 * x-inv-latency-ns: the wait completes (its status write lands) no sooner
 * than the knob says after the tail write. A lower bound the knob
 * guarantees, not a timing.
 */
static void inv_latency_holds_back_the_wait(void **state)
{
	struct bed *b = *state;
	struct timespec t0, t1;
	uint64_t ns;

	bed_translate(b, true);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	invalidate(b, -1);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ns = (t1.tv_sec - t0.tv_sec) * 1000000000ull + t1.tv_nsec - t0.tv_nsec;
	print_message("# one invalidation and wait: %" PRIu64 " us\n",
		      ns / 1000);
	assert_true(ns >= LATENCY_NS);
	no_faults(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(ecap_plain_lacks_ssads,
						start_plain, bed_stop),
		cmocka_unit_test_setup_teardown(ecap_ssads_advertises_both,
						start_ssads, bed_stop),
		cmocka_unit_test_setup_teardown(
			read_sets_accessed_write_sets_dirty, start_ssads,
			bed_stop),
		cmocka_unit_test_setup_teardown(
			cleared_dirty_returns_only_after_invalidation,
			start_ssads, bed_stop),
		cmocka_unit_test_setup_teardown(
			write_after_cached_read_sets_dirty, start_ssads,
			bed_stop),
		cmocka_unit_test_setup_teardown(no_ssade_leaves_entries_alone,
						start_ssads, bed_stop),
		cmocka_unit_test_setup_teardown(inv_latency_holds_back_the_wait,
						start_latency, bed_stop),
	};

	return cmocka_run_group_tests_name("qtest_vtd", tests, NULL, NULL);
}
