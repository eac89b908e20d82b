/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A pre-copy migration of one dirty-tracked mapping, modelled: round 0
 * sends every page; each later round syncs the dirty log and sends what it
 * reported, at a modelled link bandwidth; when what is left fits the
 * downtime (or at max_rounds) the device is paused and a final read-and-
 * clear sync decides the last pages (stop-and-copy).
 *
 *   auto    each round reads and clears the whole range, then sends.
 *   manual  each round reads without clearing, then, chunk by chunk, reads
 *           and clears the chunk (iommufd has no clear-only ioctl) right
 *           before sending it, sending what that returns too.
 */
#ifndef DIRTYSCOPE_MIGRATION_H
#define DIRTYSCOPE_MIGRATION_H

#include <stdbool.h>
#include <stdint.h>
#include "hist.h"

struct backend;
struct writer;
struct page_log;
struct schedule;

enum strategy { STRATEGY_AUTO, STRATEGY_MANUAL };

struct mig_config {
	enum strategy strategy;
	uint64_t chunk_bytes;	 /* manual: clear granule */
	double bandwidth;	 /* bytes per second on the modelled link */
	uint64_t downtime_ns;	 /* stop when the rest fits in this */
	unsigned int max_rounds; /* rounds after round 0, final included */
	const struct schedule *sched; /* test hook, may be NULL */
	/* Set by a signal handler: the run stops with -EINTR. */
	const volatile int *interrupted;
};

struct mig_round {
	unsigned int round;
	bool final;		 /* the stop-and-copy round */
	uint64_t dirty_reported; /* pages the round's sync reported */
	uint64_t pages_sent;
	uint64_t pages_redundant;
	/* Of pages_redundant: pages reported only because a written page
	 * shares their IOPTE (dirty granularity), not for clear timing. */
	uint64_t pages_granularity;
	uint64_t syncs;	      /* whole-range reads */
	uint64_t clear_calls; /* manual: per-chunk read-and-clears */
	uint64_t sync_ns;
	uint64_t clear_ns;
	uint64_t received_pages; /* bits returned by every read */
	/* Of those, pages the device wrote since their last clear: the
	 * amplification is received_pages / received_written. */
	uint64_t received_written;
	uint64_t round_ns;
	/* From the profiler, filled by the round_end hook. */
	uint64_t iotlb_invalidations;
	uint64_t iotlb_ns;
	uint64_t kernel_reads;
	uint64_t kernel_dirty_pages;
	uint64_t lost_events; /* profiler events the ring had no room for */
};

struct mig_result {
	struct mig_round *rounds;
	unsigned int nrounds;
	uint64_t pages_sent;
	uint64_t pages_redundant;
	uint64_t pages_granularity;
	uint64_t syncs;
	uint64_t clear_calls;
	uint64_t received_pages;
	uint64_t received_written;
	uint64_t iotlb_invalidations;
	uint64_t iotlb_ns;
	uint64_t kernel_reads;
	uint64_t kernel_dirty_pages;
	uint64_t lost_events;
	uint64_t migration_ns;
	uint64_t downtime_ns;
	struct hist sync_lat;  /* ns per whole-range read */
	struct hist clear_lat; /* ns per chunk read-and-clear */
};

struct mig_hooks {
	/* After each round: the profiler's numbers for it go into r. */
	void (*round_end)(void *ctx, struct mig_round *r);
	void *ctx;
};

/*
 * Run one migration. Tracking must be on, the writer (may be NULL) running.
 * Returns 0 or -errno with *failed naming the step. res is reset first;
 * free it with mig_result_free().
 */
int migrate(struct backend *b, struct writer *w, struct page_log *log,
	    const struct mig_config *cfg, const struct mig_hooks *hooks,
	    struct mig_result *res, const char **failed);
void mig_result_free(struct mig_result *res);

#endif
