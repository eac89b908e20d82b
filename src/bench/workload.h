/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Seeded, reproducible DMA write patterns for `bench`: which page the
 * device writes next. The same config and seed give the same sequence of
 * pages on every machine. Rate control (pages per second) is the caller's:
 * it asks for as many pages as are due.
 *
 * Determinism: the sequence is a function of the config (seed included)
 * alone. It does not depend on how the caller splits its requests:
 * workload_next(w, out, 10) twice gives the same 20 pages as
 * workload_next(w, out, 20) once. uniform, hotcold, ring and bursty use
 * integer arithmetic only, so they are bit-identical everywhere; zipf builds
 * its table with libm's pow(), so a libm that rounds pow() differently in
 * the last bit may pick another page in rare draws.
 *
 * A workload is not locked: one thread at a time (bench's writer thread).
 */
#ifndef DIRTYSCOPE_WORKLOAD_H
#define DIRTYSCOPE_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

enum workload_kind {
	WL_UNIFORM, /* every page equally likely */
	WL_HOTCOLD, /* hot_share of writes to hot_frac of the pages */
	WL_ZIPF,    /* page rank r written with probability ~ 1/r^s */
	WL_RING,    /* sequential ring, wraps (NIC rx ring style) */
	WL_BURSTY,  /* uniform, but in bursts of burst_len consecutive
		     * pages starting at random pages */
};

/*
 * hotcold: the hot set is round(hot_frac * pages) pages chosen by the seed
 * anywhere in the mapping (not the first pages: a device's hot buffers are
 * rarely at the start of its IOVA range); both sets must be non-empty.
 * Within each set pages are equally likely. Memory: 8 bytes per page.
 * zipf: ranks go to pages through a seeded permutation, so hot pages are
 * spread over the mapping. Memory: 16 bytes per page.
 * ring: pages 0 .. ring_pages - 1 in order from page 0, then again.
 * bursty: runs of burst_len consecutive pages (wrapping from the last page
 * to page 0), each run starting at a uniformly random page.
 */
struct workload_config {
	enum workload_kind kind;
	uint64_t pages; /* pages in the mapping */
	uint64_t seed;
	double hot_frac;     /* WL_HOTCOLD: share of pages that are hot */
	double hot_share;    /* WL_HOTCOLD: share of writes going there */
	double zipf_s;	     /* WL_ZIPF: exponent, 0 < s <= 10 */
	uint64_t ring_pages; /* WL_RING: ring size (0: all pages) */
	uint64_t burst_len;  /* WL_BURSTY: pages per burst, <= pages */
};

struct workload;

/*
 * Parse a workload spec, pages and seed set by the caller afterwards:
 *   uniform
 *   hotcold[:HOT_SHARE/HOT_FRAC]   percentages, default 90/10
 *   zipf[:S]                       default 1.0
 *   ring[:PAGES]                   default all pages
 *   bursty[:LEN]                   default 64
 * Percentages and S are decimals ("90", "99.5") with at most 6 decimal
 * places, each percentage strictly
 * between 0 and 100, 0 < S <= 10; PAGES and LEN are integers > 0, read
 * by parse_u64 like every count on the command line. Sets kind and its
 * parameters, zeroes the other kinds' parameters, leaves pages and seed
 * alone. Returns 0, or -EINVAL leaving cfg untouched.
 */
int workload_parse(const char *spec, struct workload_config *cfg);
/*
 * Canonical spec string of cfg, e.g. "hotcold:90/10", for reports; the
 * parameters are always written out except ring's "all pages". For a cfg
 * from workload_parse() it parses back to exactly the same cfg. Returns 0,
 * -EINVAL (unknown kind) or -ENOSPC (buf too small; terminated if len > 0).
 */
int workload_format(const struct workload_config *cfg, char *buf, size_t len);
/* NULL on a bad config (unknown kind, pages 0, a parameter outside the
 * ranges above, ring_pages or burst_len > pages, an empty hot or cold set)
 * or when the tables do not fit in memory. */
struct workload *workload_new(const struct workload_config *cfg);
void workload_free(struct workload *w);
/* The next n page indices (each < cfg->pages) into out. */
void workload_next(struct workload *w, uint64_t *out, size_t n);

#endif
