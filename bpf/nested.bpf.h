/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The nested level of trace.bpf.c: the driver's read_and_clear_dirty walk
 * and IOTLB flush ops, each timed at its outermost entry per task, summed
 * into the outer operation or call it ran inside, which gives a flush its
 * cause, and counted in the kernel per cause as the calls are; and Intel's
 * queued-invalidation submissions, timed and counted the same way.
 * Included once, by the one BPF object, after the per-task state
 * (task_state.bpf.h) and the calls' counting (calls.bpf.h).
 */
#ifndef DIRTYSCOPE_NESTED_BPF_H
#define DIRTYSCOPE_NESTED_BPF_H

/* Returns true for the outermost entry of its kind. */
static __always_inline bool nested_enter(enum nested_kind kind)
{
	struct task_trace *t;
	struct nested_state *ns;

	if (!traced())
		return false;
	t = task_trace(true);
	if (!t)
		return false;
	ns = &t->nested[kind];
	if (ns->ts) {
		ns->depth++;
		return false;
	}
	ns->depth = 0;
	ns->ts = bpf_ktime_get_ns();
	return true;
}

/* Duration of the outermost entry on its exit, 0 for inner exits; *tp
 * is the task's state for nested_done(), looked up once. */
static __always_inline __u64 nested_exit(enum nested_kind kind,
					 struct task_trace **tp)
{
	struct task_trace *t = task_trace(false);
	struct nested_state *ns;
	__u64 dur;

	*tp = t;
	if (!t)
		return 0;
	ns = &t->nested[kind];
	if (!ns->ts)
		return 0;
	if (ns->depth) {
		ns->depth--;
		return 0;
	}
	dur = bpf_ktime_get_ns() - ns->ts;
	ns->ts = 0;
	return dur ?: 1;
}

/*
 * trace -p: the IOTLB flushes so far, every cause, which each VMM round's
 * event carries at its start (qemu.bpf.h): a round's flushes are what
 * these grew by until the next round's start or trace's end. Shared by
 * every CPU, unlike the per-CPU counts, so only kept when there are
 * rounds to mark.
 */
const volatile bool round_marks;
__u64 flushes_so_far;
__u64 flush_ns_so_far;

/*
 * A walk or flush has returned: summed into the outer operation or call
 * it ran inside, which gives a flush its cause, then counted in place
 * (count_call(), no event: a ring-buffer submit costs more than the rest
 * of the program).
 */
static __always_inline void nested_done(struct task_trace *t, __u32 op,
					__u64 dur, __u64 length, long ret)
{
	struct task_state *st = outer_of(t);
	__u32 cause = DS_CAUSE_OTHER, hwpt = 0;

	if (st) {
		cause = cause_of(st->ev.op);
		hwpt = st->ev.hwpt_id;
		if (op == DS_OP_WALK) {
			st->ev.walk_calls++;
			st->ev.walk_ns += dur;
		} else {
			st->ev.iotlb_flushes++;
			st->ev.iotlb_ns += dur;
		}
	}
	if (op == DS_OP_IOTLB_FLUSH) {
		/* The innermost call in flight: an unmap may run inside a
		 * failing map, never the other way round. */
		struct call_slot *sl = &t->call[DS_CALLS_UNMAP];
		__u32 call_op = DS_OP_UNMAP_CALL;

		if (!sl->ts) {
			sl = &t->call[DS_CALLS_MAP];
			call_op = DS_OP_MAP_CALL;
		}
		if (sl->ts) {
			sl->iotlb_flushes++;
			sl->iotlb_ns += dur;
			if (cause == DS_CAUSE_OTHER)
				cause = cause_of(call_op);
		}
	}
	if (targ_hwpt && hwpt && hwpt != targ_hwpt)
		return;
	if (op == DS_OP_WALK) {
		count_call(DS_CALLS_WALK, dur, ret, length, 0, 0);
		return;
	}
	count_call(DS_CALLS_FLUSH + cause, dur, 0, 0, 0, 0);
	if (round_marks) {
		__sync_fetch_and_add(&flushes_so_far, 1);
		__sync_fetch_and_add(&flush_ns_so_far, dur);
	}
}

/*
 * A driver's read_and_clear_dirty op (and the 2021 series' functions of
 * the same role): the page-table walk inside a dirty read. Sections carry
 * no function: the loader sets the one this kernel has, from the table of
 * alternatives in src/trace/probe_table.c, under the probe's name.
 */
#define WALK_PROBE(probe)                                                  \
	SEC("fentry")                                                      \
	int BPF_PROG(probe##_enter, struct iommu_domain *domain)           \
	{                                                                  \
		nested_enter(NESTED_WALK);                                 \
		return 0;                                                  \
	}                                                                  \
	SEC("fexit")                                                       \
	int BPF_PROG(probe##_exit, struct iommu_domain *domain,            \
		     unsigned long iova, size_t size, unsigned long flags, \
		     void *dirty, int ret)                                 \
	{                                                                  \
		struct task_trace *t;                                      \
		__u64 dur = nested_exit(NESTED_WALK, &t);                  \
		if (dur)                                                   \
			nested_done(t, DS_OP_WALK, dur, size, ret);        \
		return 0;                                                  \
	}

WALK_PROBE(walk_mock)
WALK_PROBE(walk_intel)
WALK_PROBE(walk_amd)
WALK_PROBE(walk_arm)
/* 2021 series: (domain, iova, size, bitmap, base_iova, pgshift) */
WALK_PROBE(walk_rfc_sync)
WALK_PROBE(walk_rfc_clear)

/* A driver's IOTLB flush op: iotlb_sync(domain, gather) or
 * flush_iotlb_all(domain). One invalidation each, whatever it submits. */
#define FLUSH_PROBE(probe)                                            \
	SEC("fentry")                                                 \
	int BPF_PROG(probe##_enter, struct iommu_domain *domain)      \
	{                                                             \
		nested_enter(NESTED_FLUSH);                           \
		return 0;                                             \
	}                                                             \
	SEC("fexit")                                                  \
	int BPF_PROG(probe##_exit, struct iommu_domain *domain)       \
	{                                                             \
		struct task_trace *t;                                 \
		__u64 dur = nested_exit(NESTED_FLUSH, &t);            \
		if (dur)                                              \
			nested_done(t, DS_OP_IOTLB_FLUSH, dur, 0, 0); \
		return 0;                                             \
	}

FLUSH_PROBE(flush_intel)
FLUSH_PROBE(flush_intel_all)
FLUSH_PROBE(flush_amd)
FLUSH_PROBE(flush_amd_all)
FLUSH_PROBE(flush_arm)
FLUSH_PROBE(flush_arm_all)

/* Intel: each submission of invalidation descriptors to the hardware
 * queue, waited for. Counted in the kernel as the calls are (several per
 * flush), not attributed; loaded with the calls' probes (--call-latency),
 * as two more probe runs per submission showed in a read-and-clear. */
/* fentry qi_submit_sync */
SEC("fentry")
int BPF_PROG(qi_submit_enter, struct intel_iommu *iommu)
{
	nested_enter(NESTED_QI);
	return 0;
}

/* fexit qi_submit_sync */
SEC("fexit")
int BPF_PROG(qi_submit_exit, struct intel_iommu *iommu, struct qi_desc *desc,
	     unsigned int nr, unsigned long options, int ret)
{
	struct task_trace *t;
	__u64 dur = nested_exit(NESTED_QI, &t);

	if (dur)
		count_call(DS_CALLS_QI, dur, ret, 0, 0, 0);
	return 0;
}

#endif
