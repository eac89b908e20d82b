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

enum ds_op {
	DS_OP_MAP,	    /* tracepoint iommu:map */
	DS_OP_UNMAP,	    /* tracepoint iommu:unmap */
	DS_OP_SET_TRACKING, /* iommufd SET_DIRTY_TRACKING ioctl */
	DS_OP_SYNC_NOCLEAR, /* iommufd GET_DIRTY_BITMAP with NO_CLEAR */
	DS_OP_READ_CLEAR,   /* iommufd GET_DIRTY_BITMAP, read and clear */
	DS_OP__COUNT,
};

/* Per-CPU counters, summed by user space to cross-check the event stream. */
enum ds_counter {
	DS_CNT_EVENTS,		  /* events submitted to the ring buffer */
	DS_CNT_DROPS,		  /* events lost: ring buffer full */
	DS_CNT_BITMAP_SET,	  /* iova_bitmap_set calls, all */
	DS_CNT_BITMAP_SET_ORPHAN, /* ... outside a traced GET_DIRTY_BITMAP */
	DS_CNT_INFLIGHT_FULL,	  /* sync state not stored: per-task map full */
	DS_CNT__COUNT,
};

/* IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR, the only GET flag in 6.12 */
#define DS_GET_DIRTY_NO_CLEAR 1u
/* IOMMU_HWPT_DIRTY_TRACKING_ENABLE */
#define DS_TRACKING_ENABLE    1u

struct ds_event {
	__u64 ts_ns;  /* CLOCK_MONOTONIC at entry */
	__u64 dur_ns; /* entry to return; 0 for tracepoints */
	__u64 iova;
	__u64 length;	     /* map: size; unmap: size asked; sync: range */
	__u64 aux;	     /* map: paddr; unmap: bytes unmapped */
	__u64 page_size;     /* sync: bitmap page size */
	__u64 dirty_bytes;   /* sync: bytes passed to iova_bitmap_set */
	__u64 dirty_pages;   /* sync: bitmap bits those bytes cover */
	__u32 dirty_records; /* sync: iova_bitmap_set calls inside */
	__u32 hwpt_id;	     /* sync, set_tracking */
	__u32 flags;	     /* sync: GET flags; set_tracking: SET flags */
	__s32 ret;	     /* return value of the operation */
	__u32 pid;	     /* tgid */
	__u32 tid;
	__u32 op; /* enum ds_op */
	char comm[DS_COMM_LEN];
};

#endif /* DIRTYSCOPE_TRACE_EVENT_H */
