/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The event mix of the consumer benchmark's BPF producer
 * (tests/perf/consumer_bench.bpf.c), shared with user space so that a test
 * can work out what the producer emitted. Event number n of a run (drops
 * counted) is cb_mix[n % CB_MIX_LEN]: an operation, and for an IOTLB flush
 * its cause. A synthetic mix, not a recording of what dirtyscope trace
 * sends: in 32 events, 13 map_call and 8 unmap_call records (6 followed by
 * an IOTLB flush of cause unmap), one read-and-clear with its walk and
 * flush, one NO_CLEAR read with its walk. trace itself sends no map_call,
 * unmap_call, walk or iotlb_flush events (it counts and times those calls
 * in the kernel, as it counts iommu:map and iommu:unmap); here they stand
 * for small per-call events, which the consumer aggregates like any
 * other. One event in 16 is a dirty read, far more than a real trace has.
 */
#ifndef DIRTYSCOPE_CONSUMER_MIX_H
#define DIRTYSCOPE_CONSUMER_MIX_H

#include "trace_event.h"

#define CB_MIX_LEN 32 /* a power of two */

#define CB_ENTRY(op, cause) ((op) | (cause) << 8)
#define CB_OP(entry)	    ((entry) % 256)
#define CB_CAUSE(entry)	    ((entry) / 256)

#define CB_MAP	       CB_ENTRY(DS_OP_MAP_CALL, 0)
#define CB_UNMAP       CB_ENTRY(DS_OP_UNMAP_CALL, 0)
#define CB_UNMAP_IOTLB CB_UNMAP, CB_ENTRY(DS_OP_IOTLB_FLUSH, DS_CAUSE_UNMAP)

static const unsigned int cb_mix[] = {
	CB_MAP,
	CB_MAP,
	CB_MAP,
	CB_UNMAP_IOTLB,
	CB_MAP,
	CB_MAP,
	CB_UNMAP_IOTLB,
	CB_MAP,
	CB_MAP,
	CB_UNMAP,
	CB_ENTRY(DS_OP_WALK, 0),
	CB_ENTRY(DS_OP_IOTLB_FLUSH, DS_CAUSE_DIRTY_CLEAR),
	CB_ENTRY(DS_OP_READ_CLEAR, 0),
	CB_MAP,
	CB_MAP,
	CB_UNMAP_IOTLB,
	CB_MAP,
	CB_MAP,
	CB_UNMAP_IOTLB,
	CB_MAP,
	CB_MAP,
	CB_UNMAP_IOTLB,
	CB_ENTRY(DS_OP_WALK, 0),
	CB_ENTRY(DS_OP_SYNC_NOCLEAR, 0),
	CB_UNMAP_IOTLB,
	CB_UNMAP,
};

_Static_assert(sizeof(cb_mix) / sizeof(cb_mix[0]) == CB_MIX_LEN,
	       "cb_mix has CB_MIX_LEN entries");

#endif
