/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the BPF side counted in place rather than sent as events, read out
 * by the loader at one moment (tracer_snapshot()) and handed to the
 * aggregation (report_snapshot()): the data flows one way.
 */
#ifndef DIRTYSCOPE_SNAPSHOT_H
#define DIRTYSCOPE_SNAPSHOT_H

#include <stdint.h>
#include "trace_event.h"

struct trace_snapshot {
	uint64_t counters[DS_CNT__COUNT];	     /* enum ds_counter */
	struct ds_size_hist sizes[DS_SIZES__COUNT];  /* cumulative */
	struct ds_call_stats calls[DS_CALLS__COUNT]; /* cumulative */
	/* trace -p: every IOTLB flush so far, for the VMM's rounds */
	uint64_t flushes;
	uint64_t flush_ns;
};

#endif
