/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A deterministic write schedule for tests of bench: instead of (or beside)
 * the writer thread, the migration loop itself makes the device write given
 * pages at given points, so the redundant pages of each strategy can be
 * computed by hand.
 *
 *   SPEC  := ENTRY [';' ENTRY]...
 *   ENTRY := ROUND '@' POINT ':' PAGES
 *   POINT := 'sync'   before the round's dirty sync
 *          | 'send'   after the sync, before the round sends anything
 *   PAGES := RANGE [',' RANGE]...,  RANGE := N | N '-' M  (page indices)
 *
 * Round 0 is the first full copy (no sync): only '0@send' is meaningful
 * there, before anything is sent.
 */
#ifndef DIRTYSCOPE_SCHEDULE_H
#define DIRTYSCOPE_SCHEDULE_H

#include <stdint.h>

enum sched_point { SCHED_SYNC, SCHED_SEND };

struct sched_entry {
	unsigned int round;
	enum sched_point point;
	uint64_t first, last; /* one range of pages */
};

struct schedule {
	struct sched_entry *e;
	unsigned int n;
};

/* Parse spec for a mapping of npages pages. 0 or -EINVAL / -ERANGE. */
int schedule_parse(const char *spec, uint64_t npages, struct schedule *s);
void schedule_free(struct schedule *s);

#endif
