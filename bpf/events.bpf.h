/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How trace.bpf.c's programs hand their events to user space: the ring
 * buffer, the per-CPU counters of what is not an event (drops, events
 * sent), the process filter, and events built in place (reserve/commit)
 * or copied from a task's state (submit). Included once, by the one BPF
 * object.
 */
#ifndef DIRTYSCOPE_EVENTS_BPF_H
#define DIRTYSCOPE_EVENTS_BPF_H

/* Set by user space before load: trace only this process (0: all). */
const volatile __u32 targ_tgid;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 22); /* RB_WAKEUP_BYTES is a quarter */
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, DS_CNT__COUNT);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

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

static __always_inline __u32 current_tid(void)
{
	return (__u32)bpf_get_current_pid_tgid();
}

/* Read from the task itself: one helper call where pid_tgid and comm
 * took two (a helper call costs most of a microsecond in the TCG
 * testbed). comm is read as get_current_comm reads it, unlocked. The
 * task is returned for the caller's own lookups (task_trace_of()). */
static __always_inline struct task_struct *fill_task(struct ds_event *ev)
{
	struct task_struct *task = bpf_get_current_task_btf();

	ev->pid = task->tgid;
	ev->tid = task->pid;
	__builtin_memcpy(ev->comm, task->comm, sizeof(ev->comm));
	return task;
}

/*
 * The reader is woken only once the ring holds this much: a wakeup per event
 * (an irq_work, its self-IPI, waking the reader) is work on the traced
 * task's CPU for every event. The reader also polls every 100 ms
 * (src/trace/tracer.c), so an event waits that long at most.
 */
#define RB_WAKEUP_BYTES (1 << 20)

static __always_inline __u64 wakeup_flag(void)
{
	if (bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= RB_WAKEUP_BYTES)
		return BPF_RB_FORCE_WAKEUP;
	return BPF_RB_NO_WAKEUP;
}

/* An event kept elsewhere (a task's state, the stack): copied in by one
 * helper call rather than reserve, copy and submit. */
static __always_inline void submit(const struct ds_event *src)
{
	if (bpf_ringbuf_output(&events, (void *)src, sizeof(*src),
			       wakeup_flag())) {
		count(DS_CNT_DROPS, 1);
		return;
	}
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
	bpf_ringbuf_submit(ev, wakeup_flag());
	count(DS_CNT_EVENTS, 1);
}

#endif
