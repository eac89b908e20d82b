/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The call level of trace.bpf.c (--call-latency): iommu_map() and
 * iommu_unmap()/iommu_unmap_fast() timed per task and counted in place in
 * per-CPU sums and latency histograms, no event per call; nested.bpf.h
 * adds the IOTLB flushes that run inside a call to it and counts Intel's
 * queued-invalidation submissions with count_call(). Included once, by the
 * one BPF object.
 */
#ifndef DIRTYSCOPE_CALLS_BPF_H
#define DIRTYSCOPE_CALLS_BPF_H

/* The counts and latency histograms of the calls, walks and flushes,
 * enum ds_calls. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, DS_CALLS__COUNT);
	__type(key, __u32);
	__type(value, struct ds_call_stats);
} call_stats SEC(".maps");

static __always_inline void call_begin(__u32 which)
{
	struct task_trace *t;

	if (!traced())
		return;
	t = task_trace(true);
	if (!t)
		return;
	/* which is DS_CALLS_MAP or DS_CALLS_UNMAP: the mask bounds the
	 * index for the verifier. */
	t->call[which & 1].iotlb_flushes = 0;
	t->call[which & 1].iotlb_ns = 0;
	t->call[which & 1].ts = bpf_ktime_get_ns();
}

/*
 * One call of enum ds_calls, counted in place: no event. Per-CPU, and the
 * sums atomic: the trampoline keeps the program on this CPU and the kernel
 * refuses a second run of the same program there before this one ends (a
 * recursion miss), but another program on the same slot may interrupt it
 * (iommu_unmap_fast() from a driver's interrupt inside an iommu_unmap()'s
 * exit). Minimum and maximum are plain stores: a race there can only lose
 * an extreme to a concurrent one of the same call.
 */
static __always_inline void count_call(__u32 which, __u64 dur, long ret,
				       __u64 bytes, __u32 flushes,
				       __u64 flush_ns)
{
	struct ds_call_stats *s;
	__u32 idx;

	s = bpf_map_lookup_elem(&call_stats, &which);
	if (!s)
		return;
	if (!s->count || dur < s->lat_min)
		s->lat_min = dur;
	if (dur > s->lat_max)
		s->lat_max = dur;
	__sync_fetch_and_add(&s->count, 1);
	if (ret < 0)
		__sync_fetch_and_add(&s->errors, 1);
	__sync_fetch_and_add(&s->bytes, bytes);
	if (flushes) {
		__sync_fetch_and_add(&s->iotlb_flushes, flushes);
		__sync_fetch_and_add(&s->iotlb_ns, flush_ns);
	}
	__sync_fetch_and_add(&s->lat_sum, dur);
	idx = ds_hist_index(dur);
	if (idx < DS_HIST_BUCKETS)
		__sync_fetch_and_add(&s->bucket[idx], 1);
}

static __always_inline void call_end(__u32 which, long ret, __u64 bytes)
{
	struct task_trace *t = task_trace(false);
	struct call_slot *sl;
	__u64 dur;

	if (!t)
		return;
	sl = &t->call[which & 1];
	if (!sl->ts)
		return;
	dur = bpf_ktime_get_ns() - sl->ts;
	sl->ts = 0;
	count_call(which, dur, ret, bytes, sl->iotlb_flushes, sl->iotlb_ns);
}

/* fentry iommu_map */
SEC("fentry")
int BPF_PROG(map_call_enter, struct iommu_domain *domain, unsigned long iova,
	     phys_addr_t paddr, size_t size)
{
	call_begin(DS_CALLS_MAP);
	return 0;
}

/* fexit iommu_map */
SEC("fexit")
int BPF_PROG(map_call_exit, struct iommu_domain *domain, unsigned long iova,
	     phys_addr_t paddr, size_t size, int prot, gfp_t gfp, int ret)
{
	call_end(DS_CALLS_MAP, ret, size);
	return 0;
}

/* fentry iommu_unmap */
SEC("fentry")
int BPF_PROG(unmap_call_enter, struct iommu_domain *domain, unsigned long iova,
	     size_t size)
{
	call_begin(DS_CALLS_UNMAP);
	return 0;
}

/* fexit iommu_unmap */
SEC("fexit")
int BPF_PROG(unmap_call_exit, struct iommu_domain *domain, unsigned long iova,
	     size_t size, size_t ret)
{
	call_end(DS_CALLS_UNMAP, 0, ret);
	return 0;
}

/* fentry iommu_unmap_fast */
SEC("fentry")
int BPF_PROG(unmap_fast_enter, struct iommu_domain *domain, unsigned long iova,
	     size_t size)
{
	call_begin(DS_CALLS_UNMAP);
	return 0;
}

/* fexit iommu_unmap_fast */
SEC("fexit")
int BPF_PROG(unmap_fast_exit, struct iommu_domain *domain, unsigned long iova,
	     size_t size, struct iommu_iotlb_gather *gather, size_t ret)
{
	call_end(DS_CALLS_UNMAP, 0, ret);
	return 0;
}

#endif
