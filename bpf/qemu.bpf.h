/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VMM's side of a migration: uprobes on QEMU's exported functions (10.x
 * exports them), attached by the loader to the binary of trace -p PID only
 * (src/trace/tracer.c). Their sections name no binary and no function:
 * each program's name names its probe ("qemu_sync_enter"), and
 * src/trace/probe_table.c the QEMU function it is on. They run a few
 * times per migration round, so every call is an event. Included once, by
 * the one BPF object.
 */
#ifndef DIRTYSCOPE_QEMU_BPF_H
#define DIRTYSCOPE_QEMU_BPF_H

/* A timed QEMU call in flight, keyed by (tid, op): the VFIO read nests
 * the iommufd read in the same thread. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, struct ds_event);
} qemu_calls SEC(".maps");

static __always_inline __u64 qemu_call_key(__u32 op)
{
	return (__u64)current_tid() << 32 | op;
}

/* The entry of a timed call: its event kept until the return. */
static __always_inline void qemu_begin(__u32 op, __u32 hwpt, __u64 iova,
				       __u64 length, __u64 page_size,
				       __u32 flags)
{
	struct ds_event ev = {};
	__u64 key = qemu_call_key(op);

	if (!traced())
		return;
	fill_task(&ev);
	ev.op = op;
	ev.hwpt_id = hwpt;
	ev.iova = iova;
	ev.length = length;
	ev.page_size = page_size;
	ev.flags = flags;
	ev.ts_ns = bpf_ktime_get_ns();
	if (bpf_map_update_elem(&qemu_calls, &key, &ev, BPF_ANY))
		count(DS_CNT_STATE_FULL, 1);
}

/* The return: the event, timed. A call whose entry was not seen (trace
 * started inside it) has none. */
static __always_inline void qemu_end(__u32 op, __s32 ret)
{
	__u64 key = qemu_call_key(op);
	struct ds_event *ev;

	ev = bpf_map_lookup_elem(&qemu_calls, &key);
	if (!ev)
		return;
	ev->dur_ns = bpf_ktime_get_ns() - ev->ts_ns;
	ev->ret = ret;
	submit(ev);
	bpf_map_delete_elem(&qemu_calls, &key);
}

/* QEMU's bool functions (iommufd backend): true is success. */
static __always_inline __s32 bool_ret(__u64 rc)
{
	return (__u8)rc ? 0 : -1;
}

/* memory_global_dirty_log_start(flags): dirty logging of guest RAM
 * begins, at migration setup. */
SEC("uprobe")
int BPF_KPROBE(qemu_log_start, __u32 flags)
{
	return instant(DS_OP_QEMU_LOG_START, 0, 0, flags);
}

/* memory_global_dirty_log_stop(flags): it ends. QEMU defers it while the
 * VM is stopped, so after a completed migration it may come at quit. */
SEC("uprobe")
int BPF_KPROBE(qemu_log_stop, __u32 flags)
{
	return instant(DS_OP_QEMU_LOG_STOP, 0, 0, flags);
}

/*
 * migration_bitmap_sync_precopy(last_stage): RAM migration's dirty bitmap
 * sync, one per round; QEMU counts each in query-migrate's
 * ram.dirty-sync-count. Its entry starts a round (the event goes out at
 * once, so that the kernel's reads the sync makes fall in it, and carries
 * the IOTLB flushes so far, nested.bpf.h), its return times the sync.
 */
SEC("uprobe")
int BPF_KPROBE(qemu_sync_enter, bool last_stage)
{
	struct ds_event *ev;

	if (!traced())
		return 0;
	ev = reserve(DS_OP_QEMU_ROUND);
	if (ev) {
		ev->aux = last_stage;
		ev->iotlb_flushes = flushes_so_far;
		ev->iotlb_ns = flush_ns_so_far;
		commit(ev);
	}
	qemu_begin(DS_OP_QEMU_SYNC, 0, 0, 0, 0, last_stage);
	return 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(qemu_sync_exit)
{
	qemu_end(DS_OP_QEMU_SYNC, 0);
	return 0;
}

/* memory_global_dirty_log_sync(last_stage): the memory core asks every
 * dirty-logging listener (KVM, VFIO) for its bits; the bitmap sync calls
 * it once, other users (dirty-rate measurement) too. */
SEC("uprobe")
int BPF_KPROBE(qemu_log_sync, bool last_stage)
{
	return instant(DS_OP_QEMU_LOG_SYNC, 0, 0, last_stage);
}

/* vfio_get_dirty_bitmap(bcontainer, iova, size, ram_addr, errp): one
 * VFIO container's dirty bits of one section of guest RAM. */
SEC("uprobe")
int BPF_KPROBE(qemu_vfio_read_enter, void *bcontainer, __u64 iova, __u64 size)
{
	qemu_begin(DS_OP_QEMU_VFIO_READ, 0, iova, size, 0, 0);
	return 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(qemu_vfio_read_exit, long rc)
{
	qemu_end(DS_OP_QEMU_VFIO_READ, rc);
	return 0;
}

/* vfio_container_set_dirty_page_tracking(bcontainer, start, errp) */
SEC("uprobe")
int BPF_KPROBE(qemu_vfio_tracking_enter, void *bcontainer, bool start)
{
	qemu_begin(DS_OP_QEMU_VFIO_TRACKING, 0, 0, 0, 0, start);
	return 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(qemu_vfio_tracking_exit, long rc)
{
	qemu_end(DS_OP_QEMU_VFIO_TRACKING, rc);
	return 0;
}

/* iommufd_backend_get_dirty_bitmap(be, hwpt_id, iova, size, page_size,
 * data, errp): the iommufd container's read, inside the VFIO one. */
SEC("uprobe")
int BPF_KPROBE(qemu_iommufd_read_enter, void *be, __u32 hwpt_id, __u64 iova,
	       __u64 size, __u64 page_size)
{
	qemu_begin(DS_OP_QEMU_IOMMUFD_READ, hwpt_id, iova, size, page_size, 0);
	return 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(qemu_iommufd_read_exit, long rc)
{
	qemu_end(DS_OP_QEMU_IOMMUFD_READ, bool_ret(rc));
	return 0;
}

/* iommufd_backend_set_dirty_tracking(be, hwpt_id, start, errp) */
SEC("uprobe")
int BPF_KPROBE(qemu_iommufd_tracking_enter, void *be, __u32 hwpt_id, bool start)
{
	qemu_begin(DS_OP_QEMU_IOMMUFD_TRACKING, hwpt_id, 0, 0, 0, start);
	return 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(qemu_iommufd_tracking_exit, long rc)
{
	qemu_end(DS_OP_QEMU_IOMMUFD_TRACKING, bool_ret(rc));
	return 0;
}

#endif
