// SPDX-License-Identifier: GPL-2.0
/*
 * dirtyscope trace: IOMMU map/unmap and iommufd dirty-tracking ioctls.
 *
 * Map/unmap come from the iommu:map/unmap tracepoints (tp_btf: typed
 * arguments, cheapest attach). The dirty-tracking ioctls are timed with
 * fentry/fexit on their iommufd handlers; the dirty pages a read reports are
 * counted from iova_bitmap_set() calls made by the same task while the read is
 * in flight, so no bitmap is copied to user space.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "trace_event.h"

char LICENSE[] SEC("license") = "GPL";

/* Set by user space before load: trace only this process (0: all). */
const volatile __u32 targ_tgid;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 22);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, DS_CNT__COUNT);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

/* One iommufd ioctl in flight per task: keyed by tid. */
struct inflight {
	struct ds_event ev;
	/* First bitmap page not yet counted: drivers walk upwards, so an
	 * IOPTE smaller than the bitmap page (the mock's 2 KiB pages under a
	 * 4 KiB bitmap) is not counted twice. */
	__u64 next_page;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct inflight);
} inflight SEC(".maps");

static __always_inline void count(__u32 idx, __u64 n)
{
	__u64 *v = bpf_map_lookup_elem(&counters, &idx);

	if (v)
		*v += n;
}

static __always_inline bool traced(void)
{
	return !targ_tgid || (bpf_get_current_pid_tgid() >> 32) == targ_tgid;
}

static __always_inline void fill_task(struct ds_event *ev)
{
	__u64 id = bpf_get_current_pid_tgid();

	ev->pid = id >> 32;
	ev->tid = (__u32)id;
	bpf_get_current_comm(ev->comm, sizeof(ev->comm));
}

static __always_inline void submit(const struct ds_event *src)
{
	struct ds_event *ev;

	ev = bpf_ringbuf_reserve(&events, sizeof(*ev), 0);
	if (!ev) {
		count(DS_CNT_DROPS, 1);
		return;
	}
	__builtin_memcpy(ev, src, sizeof(*ev));
	bpf_ringbuf_submit(ev, 0);
	count(DS_CNT_EVENTS, 1);
}

/* Tracepoint events are built in the ring buffer directly: no copy. */
static __always_inline struct ds_event *reserve(__u32 op)
{
	struct ds_event *ev;

	ev = bpf_ringbuf_reserve(&events, sizeof(*ev), 0);
	if (!ev) {
		count(DS_CNT_DROPS, 1);
		return NULL;
	}
	__builtin_memset(ev, 0, sizeof(*ev));
	ev->op = op;
	ev->ts_ns = bpf_ktime_get_ns();
	fill_task(ev);
	return ev;
}

static __always_inline void commit(struct ds_event *ev)
{
	bpf_ringbuf_submit(ev, 0);
	count(DS_CNT_EVENTS, 1);
}

SEC("tp_btf/map")
int BPF_PROG(iommu_map, unsigned long iova, phys_addr_t paddr, size_t size)
{
	struct ds_event *ev;

	if (!traced())
		return 0;
	ev = reserve(DS_OP_MAP);
	if (!ev)
		return 0;
	ev->iova = iova;
	ev->aux = paddr;
	ev->length = size;
	commit(ev);
	return 0;
}

SEC("tp_btf/unmap")
int BPF_PROG(iommu_unmap, unsigned long iova, size_t size, size_t unmapped_size)
{
	struct ds_event *ev;

	if (!traced())
		return 0;
	ev = reserve(DS_OP_UNMAP);
	if (!ev)
		return 0;
	ev->iova = iova;
	ev->length = size;
	ev->aux = unmapped_size;
	commit(ev);
	return 0;
}

static __always_inline void inflight_start(const struct inflight *st)
{
	__u32 tid = st->ev.tid;

	if (bpf_map_update_elem(&inflight, &tid, st, BPF_ANY))
		count(DS_CNT_INFLIGHT_FULL, 1);
}

static __always_inline void inflight_end(int ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct inflight *st;

	st = bpf_map_lookup_elem(&inflight, &tid);
	if (!st)
		return;
	st->ev.dur_ns = bpf_ktime_get_ns() - st->ev.ts_ns;
	st->ev.ret = ret;
	submit(&st->ev);
	bpf_map_delete_elem(&inflight, &tid);
}

SEC("fentry/iommufd_hwpt_get_dirty_bitmap")
int BPF_PROG(get_dirty_enter, struct iommufd_ucmd *ucmd)
{
	struct iommu_hwpt_get_dirty_bitmap *cmd = ucmd->cmd;
	struct inflight st = {};
	struct ds_event *ev = &st.ev;

	if (!traced())
		return 0;
	fill_task(ev);
	ev->hwpt_id = BPF_CORE_READ(cmd, hwpt_id);
	ev->flags = BPF_CORE_READ(cmd, flags);
	ev->iova = BPF_CORE_READ(cmd, iova);
	ev->length = BPF_CORE_READ(cmd, length);
	ev->page_size = BPF_CORE_READ(cmd, page_size);
	ev->op = ev->flags & DS_GET_DIRTY_NO_CLEAR ? DS_OP_SYNC_NOCLEAR
						   : DS_OP_READ_CLEAR;
	ev->ts_ns = bpf_ktime_get_ns();
	inflight_start(&st);
	return 0;
}

SEC("fexit/iommufd_hwpt_get_dirty_bitmap")
int BPF_PROG(get_dirty_exit, struct iommufd_ucmd *ucmd, int ret)
{
	inflight_end(ret);
	return 0;
}

SEC("fentry/iommufd_hwpt_set_dirty_tracking")
int BPF_PROG(set_tracking_enter, struct iommufd_ucmd *ucmd)
{
	struct iommu_hwpt_set_dirty_tracking *cmd = ucmd->cmd;
	struct inflight st = {};
	struct ds_event *ev = &st.ev;

	if (!traced())
		return 0;
	fill_task(ev);
	ev->op = DS_OP_SET_TRACKING;
	ev->hwpt_id = BPF_CORE_READ(cmd, hwpt_id);
	ev->flags = BPF_CORE_READ(cmd, flags);
	ev->ts_ns = bpf_ktime_get_ns();
	inflight_start(&st);
	return 0;
}

SEC("fexit/iommufd_hwpt_set_dirty_tracking")
int BPF_PROG(set_tracking_exit, struct iommufd_ucmd *ucmd, int ret)
{
	inflight_end(ret);
	return 0;
}

/*
 * Called once per dirty IOPTE found by a read. Hot: an array lookup and a
 * hash lookup, no event of its own.
 */
SEC("fentry/iova_bitmap_set")
int BPF_PROG(bitmap_set, struct iova_bitmap *bitmap, unsigned long iova,
	     size_t length)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 first, last, ps;
	struct inflight *st;

	count(DS_CNT_BITMAP_SET, 1);
	st = bpf_map_lookup_elem(&inflight, &tid);
	if (!st || st->ev.op == DS_OP_SET_TRACKING || !length) {
		count(DS_CNT_BITMAP_SET_ORPHAN, 1);
		return 0;
	}
	st->ev.dirty_records++;
	st->ev.dirty_bytes += length;
	ps = st->ev.page_size;
	if (!ps)
		return 0;
	first = iova / ps;
	last = (iova + length - 1) / ps;
	if (first < st->next_page)
		first = st->next_page;
	if (first <= last) {
		st->ev.dirty_pages += last - first + 1;
		st->next_page = last + 1;
	}
	return 0;
}
