/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What trace.bpf.c keeps per task, all in one task-storage element so
 * that a program finds it with one lookup: the outer operation in flight,
 * the iommu_map/unmap calls (calls.bpf.h) and the walks and flushes
 * (nested.bpf.h). Per task, as all of them may sleep and move to another
 * CPU; task storage rather than a hash keyed by tid: no bucket lock and
 * no element to allocate and free per operation. Included once, by the
 * one BPF object, before any level that uses it.
 */
#ifndef DIRTYSCOPE_TASK_STATE_BPF_H
#define DIRTYSCOPE_TASK_STATE_BPF_H

/* An outer operation (an ioctl, a device log report) in flight. */
struct task_state {
	struct ds_event ev; /* ev.ts_ns 0: none in flight */
	/* The caller's bitmap (DS_DIRTY_BITMAP): bit addresses
	 * [bit_lo, bit_hi), and what it held at entry. */
	__u64 bit_lo;
	__u64 bit_hi;
	__u64 ones_before;
	__u32 absent_before;
};

/* An iommu_map/unmap call in flight. One slot per kind of call, as a
 * failing iommu_map() undoes its partial work with an iommu_unmap() inside
 * it: that unmap must not end the map's record. */
struct call_slot {
	__u64 ts;	/* entry; 0: none in flight */
	__u64 iotlb_ns; /* IOTLB flushes inside, from nested.bpf.h */
	__u32 iotlb_flushes;
};

enum nested_kind { NESTED_WALK, NESTED_FLUSH, NESTED_QI, NESTED__COUNT };

/* A walk, flush or queued-invalidation submission in flight. */
struct nested_state {
	__u64 ts;    /* entry of the outermost call; 0: none in flight */
	__u32 depth; /* flush ops that call each other count once */
};

struct task_trace {
	struct task_state outer;
	struct call_slot call[DS_CALLS_QI]; /* DS_CALLS_MAP, DS_CALLS_UNMAP */
	struct nested_state nested[NESTED__COUNT];
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct task_trace);
} tasks SEC(".maps");

/* The state of task (the current one); made (zeroed) on first use when
 * create is set. NULL if it cannot be, which is counted. */
static __always_inline struct task_trace *
task_trace_of(struct task_struct *task, bool create)
{
	struct task_trace *t;

	t = bpf_task_storage_get(&tasks, task, 0,
				 create ? BPF_LOCAL_STORAGE_GET_F_CREATE : 0);
	if (!t && create)
		count(DS_CNT_STATE_FULL, 1);
	return t;
}

static __always_inline struct task_trace *task_trace(bool create)
{
	return task_trace_of(bpf_get_current_task_btf(), create);
}

/* t's outer operation in flight, or NULL. */
static __always_inline struct task_state *outer_of(struct task_trace *t)
{
	return t && t->outer.ev.ts_ns ? &t->outer : NULL;
}

/* The current task's outer operation in flight, or NULL. */
static __always_inline struct task_state *outer_current(void)
{
	return outer_of(task_trace(false));
}

#endif
