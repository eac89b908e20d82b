// SPDX-License-Identifier: GPL-2.0
/*
 * dirtyscope trace: the IOMMU dirty-tracking path, attributed.
 *
 * Three levels, tied together per task (tid):
 *   outer  an ioctl-level operation: iommufd GET_DIRTY_BITMAP and
 *          SET_DIRTY_TRACKING, VFIO type1 MAP/UNMAP/DIRTY_PAGES, one VFIO
 *          device DMA-logging report; one event each on return;
 *   call   iommu_map() / iommu_unmap() / iommu_unmap_fast(), only with
 *          --call-latency: counted and timed in place (per-CPU sums and
 *          latency histogram), no event, as a VMM with a vIOMMU maps and
 *          unmaps per I/O (the iommu:map/unmap tracepoints count them
 *          for less, always);
 *   nested the driver's read_and_clear_dirty walk and IOTLB flush ops,
 *          summed into the outer/call event they ran inside, which is how
 *          a flush gets its cause, and counted and timed in place per
 *          cause as the calls are, no event.
 * Dirty pages of an iommufd read or a device DMA-logging report are the
 * bits it set in the caller's bitmap: popcount at entry and at return (a
 * cost per bitmap word, not per dirty IOPTE). The per-IOPTE probe on
 * iova_bitmap_set() is loaded only for --iopte-stats; --bitmap-analysis
 * is done in the count at return (redirty.bpf.h).
 * Programs whose target a kernel lacks are turned off before load by user
 * space (src/trace/probe_select.c), so every target here is optional.
 * fentry/fexit sections name no function: each program's name names its
 * probe ("get_dirty_enter": the entry of "get_dirty"), and the functions
 * a probe accepts, newest kernel first, are in src/trace/probe_table.c;
 * the loader sets the first one the kernel's BTF (vmlinux or a module's)
 * has. The comment above each program says what it is on today's kernels.
 * The VMM's side, uprobes on QEMU's migration and VFIO functions, is in
 * qemu.bpf.h: loaded only for trace -p PID, attached to that binary.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "trace_event.h"

char LICENSE[] SEC("license") = "GPL";

#include "bitmap_count.bpf.h"
#include "events.bpf.h"

/* Set by user space before load. */
const volatile bool bitmap_analysis; /* --bitmap-analysis */
const volatile bool iopte_stats;     /* the iova_bitmap_set probe is loaded */
/* --hwpt: only this hwpt's reads are analysed, and walks and flushes
 * inside another's reads are not counted (user space drops the events that
 * name another); 0: all, the first read analysed. */
const volatile __u32 targ_hwpt;

/* --bitmap-analysis state: the hwpt analysed and its read counter. */
__u32 analysed_hwpt;
__u32 analysis_seq;

#include "task_state.bpf.h"

/* iommu:map/unmap sizes, enum ds_sizes (include/trace_event.h). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, DS_SIZES__COUNT);
	__type(key, __u32);
	__type(value, struct ds_size_hist);
} sizes SEC(".maps");

static __always_inline __u32 cause_of(__u32 op)
{
	switch (op) {
	case DS_OP_SYNC_NOCLEAR:
	case DS_OP_TYPE1_SYNC_NOCLEAR:
		return DS_CAUSE_DIRTY_READ;
	case DS_OP_READ_CLEAR:
	case DS_OP_TYPE1_GET_BITMAP:
	case DS_OP_TYPE1_CLEAR:
	case DS_OP_DEVICE_LOG_REPORT:
		return DS_CAUSE_DIRTY_CLEAR;
	case DS_OP_SET_TRACKING:
	case DS_OP_TYPE1_DIRTY_START:
	case DS_OP_TYPE1_DIRTY_STOP:
		return DS_CAUSE_TRACKING;
	case DS_OP_UNMAP_CALL:
	case DS_OP_TYPE1_UNMAP_DMA:
	case DS_OP_TYPE1_UNMAP_BITMAP:
		return DS_CAUSE_UNMAP;
	case DS_OP_MAP_CALL:
	case DS_OP_TYPE1_MAP_DMA:
		return DS_CAUSE_MAP;
	}
	return DS_CAUSE_OTHER;
}

/* ---- tracepoints ---- */

static __always_inline int instant(__u32 op, __u64 iova, __u64 length,
				   __u64 aux)
{
	struct ds_event *ev;

	if (!traced())
		return 0;
	ev = reserve(op);
	if (!ev)
		return 0;
	ev->iova = iova;
	ev->length = length;
	ev->aux = aux;
	commit(ev);
	return 0;
}

/* Per-CPU: a tracepoint program does not migrate while it runs. */
static __always_inline int count_size(__u32 which, __u64 bytes)
{
	struct ds_size_hist *h;
	__u32 idx;

	if (!traced())
		return 0;
	h = bpf_map_lookup_elem(&sizes, &which);
	if (!h)
		return 0;
	h->count++;
	h->bytes += bytes;
	if (bytes > h->max)
		h->max = bytes;
	idx = ds_hist_index(bytes);
	if (idx < DS_HIST_BUCKETS)
		h->bucket[idx]++;
	return 0;
}

SEC("tp_btf/map")
int BPF_PROG(iommu_map_tp, unsigned long iova, phys_addr_t paddr, size_t size)
{
	return count_size(DS_SIZES_MAP, size);
}

SEC("tp_btf/unmap")
int BPF_PROG(iommu_unmap_tp, unsigned long iova, size_t size,
	     size_t unmapped_size)
{
	return count_size(DS_SIZES_UNMAP, unmapped_size);
}

/* The 2021 HWDBM series' tracepoints: present only on kernels carrying it. */
SEC("tp_btf/switch_dirty_log")
int BPF_PROG(rfc_switch_tp, unsigned long iova, size_t size, bool enable)
{
	return instant(DS_OP_RFC_SWITCH, iova, size, enable);
}

SEC("tp_btf/sync_dirty_log")
int BPF_PROG(rfc_sync_tp, unsigned long iova, size_t size)
{
	return instant(DS_OP_RFC_SYNC, iova, size, 0);
}

SEC("tp_btf/clear_dirty_log")
int BPF_PROG(rfc_clear_tp, unsigned long iova, size_t size)
{
	return instant(DS_OP_RFC_CLEAR, iova, size, 0);
}

/* ---- dirty pages: the caller's bitmap ---- */

/*
 * At entry of a dirty read: nbits bits of the caller's bitmap from bit
 * first_bit of the byte at user address data. The kernel only ever sets
 * bits there, so what the read reported is the bits set at return minus
 * those set now: exact for any caller, also one passing bits already set.
 */
static __always_inline void bitmap_begin(struct task_state *st, __u64 data,
					 __u64 first_bit, __u64 nbits)
{
	struct ds_event *ev = &st->ev;

	/* Nothing the kernel would write to: no count, as for 0 pages. */
	if (!data || !nbits || data >= 1ull << 56)
		return;
	ev->dirty_flags |= DS_DIRTY_BITMAP;
	st->bit_lo = data * 8 + first_bit;
	st->bit_hi = st->bit_lo + nbits;
	/* A page not present reads as zeros: the kernel writes bits only
	 * into pages it pins, which brings them in. */
	if (nbits > BITMAP_MAX_BITS ||
	    !bitmap_ones(st->bit_lo, st->bit_hi, &st->ones_before,
			 &st->absent_before, NULL))
		ev->dirty_flags |= DS_DIRTY_UNKNOWN;
}

/* __ffs(), as the kernel takes a bitmap page size: its lowest set bit. */
static __always_inline __u32 page_shift(__u64 page_size)
{
	__u32 shift;

	for (shift = 0; shift < 63; shift++)
		if (page_size >> shift & 1)
			break;
	return shift;
}

/*
 * At return: the bits the read set, and for an analysed read (ev->seq) its
 * re-dirtied pages. Unknown when the bitmap cannot be read back, when a
 * page that was readable at entry is not any more (swapped out: its bits
 * are lost to us) or when bits went away (the caller changed its bitmap
 * meanwhile); redirty_pages is then 0, and the next analysed read compares
 * with the part of this one's bitmap that was read.
 */
static __always_inline void bitmap_end(struct task_state *st)
{
	struct ds_event *ev = &st->ev;
	struct redirty an = {};
	__u32 absent = 0;
	__u64 ones = 0;

	if (!(ev->dirty_flags & DS_DIRTY_BITMAP) ||
	    ev->dirty_flags & DS_DIRTY_UNKNOWN)
		return;
	/* Bit address X is bit X - bit_lo of the read, of its page
	 * iova / page_size + X - bit_lo. */
	if (ev->seq && ev->page_size) {
		an.seq = ev->seq;
		an.page_off =
			(ev->iova >> page_shift(ev->page_size)) - st->bit_lo;
	}
	if (!bitmap_ones(st->bit_lo, st->bit_hi, &ones, &absent, &an) ||
	    absent > st->absent_before || ones < st->ones_before) {
		ev->dirty_flags |= DS_DIRTY_UNKNOWN;
		return;
	}
	ev->dirty_pages = ones - st->ones_before;
	ev->redirty_pages = an.pages;
	if (an.untracked)
		count(DS_CNT_REDIRTY_UNTRACKED, an.untracked);
}

/* ---- outer operations ---- */

/* The operation prepared in st is in flight from now; task is the
 * current one, as fill_task() returned it. */
static __always_inline void outer_begin(struct task_state *st,
					struct task_struct *task)
{
	struct task_trace *t = task_trace_of(task, true);

	if (!t)
		return;
	st->ev.ts_ns = bpf_ktime_get_ns();
	t->outer = *st;
}

static __always_inline void outer_end(long ret)
{
	struct task_state *st = outer_current();

	if (!st)
		return;
	st->ev.dur_ns = bpf_ktime_get_ns() - st->ev.ts_ns;
	st->ev.ret = ret;
	bitmap_end(st);
	submit(&st->ev);
	st->ev.ts_ns = 0;
}

/* --bitmap-analysis: number this read if it is of the analysed hwpt. */
static __always_inline __u32 analysis_next_seq(__u32 hwpt)
{
	if (!bitmap_analysis)
		return 0;
	if (targ_hwpt && hwpt != targ_hwpt)
		return 0;
	/* Without --hwpt the first hwpt read is the one analysed; two
	 * first reads racing on different hwpts is the only way to lose. */
	if (!analysed_hwpt)
		analysed_hwpt = hwpt;
	if (hwpt != analysed_hwpt)
		return 0;
	return __sync_fetch_and_add(&analysis_seq, 1) + 1;
}

/* fentry iommufd_hwpt_get_dirty_bitmap */
SEC("fentry")
int BPF_PROG(get_dirty_enter, struct iommufd_ucmd *ucmd)
{
	struct task_struct *task;
	struct iommu_hwpt_get_dirty_bitmap cmd;
	struct task_state st = {};
	struct ds_event *ev = &st.ev;

	if (!traced())
		return 0;
	/* The uAPI struct (its layout is ABI) in one read: a helper call
	 * per field cost microseconds each in the TCG testbed. */
	if (bpf_probe_read_kernel(&cmd, sizeof(cmd), ucmd->cmd))
		return 0;
	task = fill_task(ev);
	ev->hwpt_id = cmd.hwpt_id;
	ev->flags = cmd.flags;
	ev->iova = cmd.iova;
	ev->length = cmd.length;
	ev->page_size = cmd.page_size;
	ev->op = ev->flags & DS_GET_DIRTY_NO_CLEAR ? DS_OP_SYNC_NOCLEAR
						   : DS_OP_READ_CLEAR;
	ev->seq = analysis_next_seq(ev->hwpt_id);
	if (iopte_stats)
		ev->dirty_flags |= DS_DIRTY_RECORDS;
	/* The kernel's bit count: iova_bitmap_alloc(), which rejects a
	 * length or page size of 0 before any bit is set. */
	if (ev->length && ev->page_size)
		bitmap_begin(&st, cmd.data, 0,
			     ((ev->length - 1) >> page_shift(ev->page_size)) +
				     1);
	outer_begin(&st, task);
	return 0;
}

/* fexit iommufd_hwpt_get_dirty_bitmap */
SEC("fexit")
int BPF_PROG(get_dirty_exit, struct iommufd_ucmd *ucmd, int ret)
{
	outer_end(ret);
	return 0;
}

/* fentry iommufd_hwpt_set_dirty_tracking */
SEC("fentry")
int BPF_PROG(set_tracking_enter, struct iommufd_ucmd *ucmd)
{
	struct task_struct *task;
	struct iommu_hwpt_set_dirty_tracking cmd;
	struct task_state st = {};
	struct ds_event *ev = &st.ev;

	if (!traced())
		return 0;
	if (bpf_probe_read_kernel(&cmd, sizeof(cmd), ucmd->cmd))
		return 0;
	task = fill_task(ev);
	ev->op = DS_OP_SET_TRACKING;
	ev->hwpt_id = cmd.hwpt_id;
	ev->flags = cmd.flags;
	outer_begin(&st, task);
	return 0;
}

/* fexit iommufd_hwpt_set_dirty_tracking */
SEC("fexit")
int BPF_PROG(set_tracking_exit, struct iommufd_ucmd *ucmd, int ret)
{
	outer_end(ret);
	return 0;
}

/* VFIO type1: the container ioctl, decoded from the user's argument. */
static __always_inline int type1_dirty_pages(struct task_state *st,
					     unsigned long arg)
{
	struct vfio_iommu_type1_dirty_bitmap hdr;
	struct vfio_iommu_type1_dirty_bitmap_get get;
	struct ds_event *ev = &st->ev;

	if (bpf_probe_read_user(&hdr, sizeof(hdr), (void *)arg))
		return -1;
	ev->flags = hdr.flags;
	if (hdr.flags & DS_VFIO_DIRTY_START)
		ev->op = DS_OP_TYPE1_DIRTY_START;
	else if (hdr.flags & DS_VFIO_DIRTY_STOP)
		ev->op = DS_OP_TYPE1_DIRTY_STOP;
	else if (hdr.flags & DS_VFIO_DIRTY_GET_BITMAP)
		ev->op = DS_OP_TYPE1_GET_BITMAP;
	else if (hdr.flags & DS_VFIO_DIRTY_GET_BITMAP_NOCLEAR)
		ev->op = DS_OP_TYPE1_SYNC_NOCLEAR;
	else if (hdr.flags & DS_VFIO_DIRTY_CLEAR_BITMAP)
		ev->op = DS_OP_TYPE1_CLEAR;
	else
		return -1;
	if (ev->op == DS_OP_TYPE1_DIRTY_START ||
	    ev->op == DS_OP_TYPE1_DIRTY_STOP)
		return 0;
	/* type1 counts per vfio_dma (update_user_bitmap), always. */
	ev->dirty_flags |= DS_DIRTY_RECORDS;
	if (bpf_probe_read_user(&get, sizeof(get), (void *)(arg + sizeof(hdr))))
		return 0;
	ev->iova = get.iova;
	ev->length = get.size;
	ev->page_size = get.bitmap.pgsize;
	return 0;
}

static __always_inline int type1_unmap(struct task_state *st, unsigned long arg)
{
	struct vfio_iommu_type1_dma_unmap unmap;
	struct vfio_bitmap bitmap;
	struct ds_event *ev = &st->ev;

	if (bpf_probe_read_user(&unmap, sizeof(unmap), (void *)arg))
		return -1;
	ev->flags = unmap.flags;
	ev->iova = unmap.iova;
	ev->length = unmap.size;
	ev->op = DS_OP_TYPE1_UNMAP_DMA;
	if (!(unmap.flags & DS_VFIO_UNMAP_GET_DIRTY_BITMAP))
		return 0;
	ev->op = DS_OP_TYPE1_UNMAP_BITMAP;
	ev->dirty_flags |= DS_DIRTY_RECORDS;
	if (!bpf_probe_read_user(&bitmap, sizeof(bitmap),
				 (void *)(arg + sizeof(unmap))))
		ev->page_size = bitmap.pgsize;
	return 0;
}

/* fentry vfio_iommu_type1_ioctl */
SEC("fentry")
int BPF_PROG(type1_ioctl_enter, void *iommu_data, unsigned int cmd,
	     unsigned long arg)
{
	struct vfio_iommu_type1_dma_map map;
	struct task_struct *task;
	struct task_state st = {};
	struct ds_event *ev = &st.ev;
	int err = -1;

	if (!traced())
		return 0;
	switch (cmd) {
	case DS_VFIO_IOMMU_MAP_DMA:
		if (bpf_probe_read_user(&map, sizeof(map), (void *)arg))
			break;
		ev->op = DS_OP_TYPE1_MAP_DMA;
		ev->flags = map.flags;
		ev->iova = map.iova;
		ev->length = map.size;
		err = 0;
		break;
	case DS_VFIO_IOMMU_UNMAP_DMA:
		err = type1_unmap(&st, arg);
		break;
	case DS_VFIO_IOMMU_DIRTY_PAGES:
		err = type1_dirty_pages(&st, arg);
		break;
	}
	if (err)
		return 0;
	task = fill_task(ev);
	outer_begin(&st, task);
	return 0;
}

/* fexit vfio_iommu_type1_ioctl */
SEC("fexit")
int BPF_PROG(type1_ioctl_exit, void *iommu_data, unsigned int cmd,
	     unsigned long arg, long ret)
{
	outer_end(ret);
	return 0;
}

/*
 * type1 copies each vfio_dma's bitmap to the user. With a device that
 * cannot report its own writes (vfio-pci: no pinned-page scope) every
 * mapped page is reported dirty; otherwise only pinned pages are, which
 * this probe does not count (docs/csv.md says so).
 */
/* fentry update_user_bitmap */
SEC("fentry")
int BPF_PROG(type1_user_bitmap, u64 *bitmap, struct vfio_iommu *iommu,
	     struct vfio_dma *dma, dma_addr_t base_iova, size_t pgsize)
{
	struct task_state *st = outer_current();

	if (!st || !pgsize)
		return 0;
	st->ev.dirty_records++;
	if (BPF_CORE_READ(iommu, num_non_pinned_groups) &&
	    BPF_CORE_READ(dma, iommu_mapped))
		st->ev.dirty_pages += BPF_CORE_READ(dma, size) / pgsize;
	return 0;
}

/* VFIO device DMA logging (mlx5, pds): one call per reported chunk. */
/* fentry vfio_device_log_read_and_clear */
SEC("fentry")
int BPF_PROG(device_log_enter, struct iova_bitmap *iter, unsigned long iova,
	     size_t length)
{
	struct task_state st = {};
	struct task_struct *task;
	struct ds_event *ev = &st.ev;
	__u64 shift, base;

	if (!traced())
		return 0;
	task = fill_task(ev);
	ev->op = DS_OP_DEVICE_LOG_REPORT;
	ev->iova = iova;
	ev->length = length;
	shift = BPF_CORE_READ(iter, mapped.pgshift);
	ev->page_size = 1ull << shift;
	if (iopte_stats)
		ev->dirty_flags |= DS_DIRTY_RECORDS;
	/* [iova, iova + length) is a part of the whole bitmap, which starts
	 * at iter->iova (6.12 reports the whole range at once). */
	base = BPF_CORE_READ(iter, iova);
	if (length && iova >= base && shift < 64)
		bitmap_begin(&st, (__u64)BPF_CORE_READ(iter, bitmap),
			     (iova - base) >> shift,
			     ((length - 1) >> shift) + 1);
	outer_begin(&st, task);
	return 0;
}

/* fexit vfio_device_log_read_and_clear */
SEC("fexit")
int BPF_PROG(device_log_exit, struct iova_bitmap *iter, unsigned long iova,
	     size_t length, void *opaque, int ret)
{
	outer_end(ret);
	return 0;
}

/* ---- iommu_map / iommu_unmap calls (--call-latency) ---- */

#include "calls.bpf.h"

/* ---- nested: driver dirty walks and IOTLB flushes ---- */

#include "nested.bpf.h"

/* ---- per IOPTE: iova_bitmap_set (--iopte-stats) ---- */

#include "iopte.bpf.h"

#include "qemu.bpf.h"
