/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Events and counters shared by bpf/trace.bpf.c and the user-space consumer.
 * One struct for every operation keeps the ring buffer protocol trivial; the
 * fields that do not apply to an operation are zero.
 */
#ifndef DIRTYSCOPE_TRACE_EVENT_H
#define DIRTYSCOPE_TRACE_EVENT_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define DS_COMM_LEN 16

/* Keep in step with ops[] in src/trace/ops.c and docs/csv.md. */
enum ds_op {
	DS_OP_MAP,		  /* tracepoint iommu:map */
	DS_OP_UNMAP,		  /* tracepoint iommu:unmap */
	DS_OP_MAP_CALL,		  /* iommu_map() */
	DS_OP_UNMAP_CALL,	  /* iommu_unmap(), iommu_unmap_fast() */
	DS_OP_SET_TRACKING,	  /* iommufd SET_DIRTY_TRACKING */
	DS_OP_SYNC_NOCLEAR,	  /* iommufd GET_DIRTY_BITMAP with NO_CLEAR */
	DS_OP_READ_CLEAR,	  /* iommufd GET_DIRTY_BITMAP, read and clear */
	DS_OP_WALK,		  /* driver read_and_clear_dirty op */
	DS_OP_IOTLB_FLUSH,	  /* driver iotlb_sync / flush_iotlb_all op */
	DS_OP_QI_SUBMIT,	  /* Intel queued invalidation submission */
	DS_OP_TYPE1_MAP_DMA,	  /* VFIO_IOMMU_MAP_DMA */
	DS_OP_TYPE1_UNMAP_DMA,	  /* VFIO_IOMMU_UNMAP_DMA */
	DS_OP_TYPE1_UNMAP_BITMAP, /* ... with GET_DIRTY_BITMAP */
	DS_OP_TYPE1_DIRTY_START,  /* VFIO_IOMMU_DIRTY_PAGES START */
	DS_OP_TYPE1_DIRTY_STOP,	  /* ... STOP */
	DS_OP_TYPE1_GET_BITMAP,	  /* ... GET_BITMAP (read and clear) */
	DS_OP_TYPE1_SYNC_NOCLEAR, /* ... 2021 series: GET_BITMAP_NOCLEAR */
	DS_OP_TYPE1_CLEAR,	  /* ... 2021 series: CLEAR_BITMAP */
	DS_OP_DEVICE_LOG_REPORT,  /* VFIO device DMA logging, one chunk */
	DS_OP_RFC_SWITCH,  /* 2021 series tracepoint iommu:switch_dirty_log */
	DS_OP_RFC_SYNC,	   /* ... iommu:sync_dirty_log */
	DS_OP_RFC_CLEAR,   /* ... iommu:clear_dirty_log */
	DS_OP_DIRTY_IOPTE, /* a dirty IOPTE a read reported (iova_bitmap_set) */
	/* QEMU, uprobes on trace -p PID's binary (bpf/qemu.bpf.h) */
	DS_OP_QEMU_LOG_START,	  /* memory_global_dirty_log_start */
	DS_OP_QEMU_LOG_STOP,	  /* memory_global_dirty_log_stop */
	DS_OP_QEMU_ROUND,	  /* migration_bitmap_sync_precopy entry */
	DS_OP_QEMU_SYNC,	  /* ... the call, timed */
	DS_OP_QEMU_LOG_SYNC,	  /* memory_global_dirty_log_sync */
	DS_OP_QEMU_VFIO_READ,	  /* vfio_get_dirty_bitmap */
	DS_OP_QEMU_VFIO_TRACKING, /* vfio_container_set_dirty_page_tracking */
	DS_OP_QEMU_IOMMUFD_READ,  /* iommufd_backend_get_dirty_bitmap */
	DS_OP_QEMU_IOMMUFD_TRACKING, /* iommufd_backend_set_dirty_tracking */
	DS_OP__COUNT,
};

/* Why an IOTLB flush happened: the operation the task was inside. */
enum ds_cause {
	DS_CAUSE_OTHER,	      /* none traced: DMA API, flush queue, ... */
	DS_CAUSE_DIRTY_READ,  /* a dirty read that does not clear */
	DS_CAUSE_DIRTY_CLEAR, /* a dirty read that clears */
	DS_CAUSE_TRACKING,    /* switching dirty tracking */
	DS_CAUSE_UNMAP,
	DS_CAUSE_MAP,
	DS_CAUSE__COUNT,
};

/* Per-CPU counters, summed by user space to cross-check the event stream. */
enum ds_counter {
	DS_CNT_EVENTS,		  /* events submitted to the ring buffer */
	DS_CNT_DROPS,		  /* events lost: ring buffer full */
	DS_CNT_BITMAP_SET,	  /* iova_bitmap_set calls, all */
	DS_CNT_BITMAP_SET_ORPHAN, /* ... outside a traced dirty read */
	DS_CNT_STATE_FULL,	  /* per-task state not stored */
	DS_CNT_REDIRTY_UNTRACKED, /* pages beyond the analysis bitmap */
	DS_CNT__COUNT,
};

/* uAPI values the BPF side needs (it cannot include the uAPI headers);
 * tests/unit/test_mock_abi.c checks them against the 6.12 headers and
 * src/lib/vfio_manual_clear.h. */
#define DS_GET_DIRTY_NO_CLEAR		 1u /* IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR */
#define DS_VFIO_IOMMU_MAP_DMA		 0x3b71u
#define DS_VFIO_IOMMU_UNMAP_DMA		 0x3b72u
#define DS_VFIO_IOMMU_DIRTY_PAGES	 0x3b75u
#define DS_VFIO_DIRTY_START		 (1u << 0)
#define DS_VFIO_DIRTY_STOP		 (1u << 1)
#define DS_VFIO_DIRTY_GET_BITMAP	 (1u << 2)
/* The 2021 manual-clear series (never upstream), v2 numbering. */
#define DS_VFIO_DIRTY_GET_BITMAP_NOCLEAR (1u << 3)
#define DS_VFIO_DIRTY_CLEAR_BITMAP	 (1u << 4)
#define DS_VFIO_UNMAP_GET_DIRTY_BITMAP	 (1u << 0)

/*
 * iommu:map and iommu:unmap are counted in the kernel, not sent as events:
 * a guest with a vIOMMU maps and unmaps per I/O, and an event each would
 * cost the traced process more than the count. One per-CPU histogram of
 * sizes per tracepoint, in the buckets of src/lib/hist.c (log-linear, 32 per
 * power of two).
 */
#define DS_HIST_SUB_BITS 5
#define DS_HIST_SUB	 (1u << DS_HIST_SUB_BITS)
#define DS_HIST_BUCKETS	 ((65 - DS_HIST_SUB_BITS) * DS_HIST_SUB)

enum ds_sizes {
	DS_SIZES_MAP,	/* iommu:map, size mapped */
	DS_SIZES_UNMAP, /* iommu:unmap, size unmapped */
	/* iova_bitmap_set() in a traced dirty read: the IOPTE's size, one
	 * per dirty IOPTE (--iopte-stats, --bitmap-analysis) */
	DS_SIZES_IOPTE,
	DS_SIZES__COUNT,
};

struct ds_size_hist {
	__u64 count;
	__u64 bytes;
	__u64 max;
	__u64 bucket[DS_HIST_BUCKETS];
};

/* hist_index() of src/lib/hist.c, without a count-leading-zeros instruction,
 * which BPF does not have; tests/unit/test_hist.c checks they agree. */
static inline __u32 ds_hist_index(__u64 v)
{
	__u64 x = v;
	__u32 e = 0;

	if (v < DS_HIST_SUB)
		return v;
	if (x >> 32) {
		x >>= 32;
		e += 32;
	}
	if (x >> 16) {
		x >>= 16;
		e += 16;
	}
	if (x >> 8) {
		x >>= 8;
		e += 8;
	}
	if (x >> 4) {
		x >>= 4;
		e += 4;
	}
	if (x >> 2) {
		x >>= 2;
		e += 2;
	}
	if (x >> 1)
		e += 1;
	return (e - DS_HIST_SUB_BITS + 1) * DS_HIST_SUB +
	       ((v >> (e - DS_HIST_SUB_BITS)) - DS_HIST_SUB);
}

/*
 * iommu_map() and iommu_unmap()/iommu_unmap_fast() calls (--call-latency),
 * the drivers' dirty walks and IOTLB flushes, and Intel's
 * queued-invalidation submissions are counted in the kernel too, not sent
 * as events, for the same reason: per-CPU sums and the latency histogram
 * in the buckets above (exact count, sum, min and max; percentiles to the
 * bucket, as user space's own histograms). Walks and flushes are events
 * instead under trace -p, whose VMM rounds need them in the ring's order.
 */
enum ds_calls {
	DS_CALLS_MAP,	/* DS_OP_MAP_CALL */
	DS_CALLS_UNMAP, /* DS_OP_UNMAP_CALL */
	DS_CALLS_QI,	/* DS_OP_QI_SUBMIT */
	DS_CALLS_WALK,	/* DS_OP_WALK */
	/* DS_OP_IOTLB_FLUSH, one entry per cause: DS_CALLS_FLUSH + cause */
	DS_CALLS_FLUSH,
	DS_CALLS__COUNT = DS_CALLS_FLUSH + DS_CAUSE__COUNT,
};

struct ds_call_stats {
	__u64 count;
	__u64 errors;	     /* map, qi, walk: returned an error */
	__u64 bytes;	     /* map: asked to map; unmap: unmapped;
			      * walk: range walked; qi, flush: 0 */
	__u64 iotlb_flushes; /* map, unmap: IOTLB flush ops inside */
	__u64 iotlb_ns;
	__u64 lat_sum; /* ns */
	__u64 lat_min; /* valid when count > 0 */
	__u64 lat_max;
	__u64 bucket[DS_HIST_BUCKETS];
};

/*
 * How a dirty read's counts were made (ds_event.dirty_flags):
 *   BITMAP   dirty_pages are the bits the read set in the caller's bitmap
 *            (iommufd reads, device DMA-logging reports);
 *   UNKNOWN  ... but the bitmap could not be read back: dirty_pages is 0
 *            and not a count;
 *   RECORDS  dirty_records and dirty_bytes were counted (--iopte-stats,
 *            --bitmap-analysis; type1 always).
 */
#define DS_DIRTY_BITMAP	 (1u << 0)
#define DS_DIRTY_UNKNOWN (1u << 1)
#define DS_DIRTY_RECORDS (1u << 2)

struct ds_event {
	__u64 ts_ns;  /* CLOCK_MONOTONIC at entry */
	__u64 dur_ns; /* entry to return; 0 for tracepoints */
	__u64 iova;
	__u64 length;	     /* bytes: mapped, asked to unmap, range read */
	__u64 aux;	     /* map: paddr; unmap: bytes unmapped;
				 * flush: enum ds_cause; qi: descriptors */
	__u64 page_size;     /* dirty reads: bitmap page size */
	__u64 dirty_bytes;   /* dirty reads: bytes passed to iova_bitmap_set */
	__u64 dirty_pages;   /* dirty reads: bits set in the caller's bitmap
				 * (type1: pages of the vfio_dmas copied) */
	__u64 redirty_pages; /* --bitmap-analysis: dirty in the previous
				 * read of the same hwpt too */
	__u64 walk_ns;	     /* time in the driver's read_and_clear_dirty */
	__u64 iotlb_ns;	     /* time in IOTLB flushes inside; qemu_round:
				 * of every flush so far (trace -p) */
	__u32 walk_calls;
	__u32 iotlb_flushes; /* qemu_round: every flush so far, mod 2^32 */
	__u32 dirty_records; /* dirty reads: iova_bitmap_set calls inside */
	__u32 hwpt_id;	     /* iommufd HWPT; inherited by nested events */
	__u32 flags;	     /* the ioctl's flags */
	__s32 ret;	     /* return value (negative errno on error) */
	__u32 pid;	     /* tgid */
	__u32 tid;
	__u32 op;	   /* enum ds_op */
	__u32 seq;	   /* --bitmap-analysis: read number of the hwpt */
	__u32 dirty_flags; /* DS_DIRTY_* */
	__u32 reserved;
	char comm[DS_COMM_LEN];
};

#endif /* DIRTYSCOPE_TRACE_EVENT_H */
