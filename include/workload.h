/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Seeded, reproducible DMA write patterns for `bench`: which page the
 * device writes next. The same config and seed give the same sequence of
 * pages on every machine. Rate control (pages per second) is the caller's:
 * it asks for as many pages as are due.
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

struct workload_config {
	enum workload_kind kind;
	uint64_t pages; /* pages in the mapping */
	uint64_t seed;
	double hot_frac;     /* WL_HOTCOLD: share of pages that are hot */
	double hot_share;    /* WL_HOTCOLD: share of writes going there */
	double zipf_s;	     /* WL_ZIPF: exponent */
	uint64_t ring_pages; /* WL_RING: ring size (0: all pages) */
	uint64_t burst_len;  /* WL_BURSTY: pages per burst */
};

struct workload;

/*
 * Parse a workload spec, pages and seed set by the caller afterwards:
 *   uniform
 *   hotcold[:HOT_SHARE/HOT_FRAC]   percentages, default 90/10
 *   zipf[:S]                       default 1.0
 *   ring[:PAGES]                   default all pages
 *   bursty[:LEN]                   default 64
 * Returns 0 or -EINVAL.
 */
int workload_parse(const char *spec, struct workload_config *cfg);
/* Canonical spec string of cfg, e.g. "hotcold:90/10", for reports. */
int workload_format(const struct workload_config *cfg, char *buf, size_t len);
struct workload *workload_new(const struct workload_config *cfg);
void workload_free(struct workload *w);
/* The next n page indices (each < cfg->pages) into out. */
void workload_next(struct workload *w, uint64_t *out, size_t n);

#endif
