// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include "trace_report.h"

static void stats_reset(struct report_stats *s)
{
	unsigned int i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < REPORT_ROWS; i++) {
		hist_init(&s->row[i].lat);
		hist_init(&s->row[i].size);
	}
}

void report_init(struct trace_report *r)
{
	memset(r, 0, sizeof(*r));
	stats_reset(&r->total);
	stats_reset(&r->interval);
}

void report_free(struct trace_report *r)
{
	free(r->rounds);
	r->rounds = NULL;
	r->nrounds = r->rounds_cap = 0;
}

/* The IOTLB flushes of the last round: what the kernel's total has grown
 * by since it began. */
static void round_flushes(struct trace_report *r, uint32_t total,
			  uint64_t total_ns)
{
	struct vmm_round *w;

	if (!r->nrounds || r->rounds_lost)
		return;
	w = &r->rounds[r->nrounds - 1];
	w->iotlb_flushes = (uint32_t)(total - w->flush_mark);
	w->iotlb_ns = total_ns - w->flush_ns_mark;
}

/* A VMM's round begins: the last one ends, one more row. */
static void round_begin(struct trace_report *r, const struct ds_event *e)
{
	struct vmm_round *grown;

	round_flushes(r, e->iotlb_flushes, e->iotlb_ns);
	if (r->nrounds == r->rounds_cap) {
		size_t cap = r->rounds_cap ? 2 * r->rounds_cap : 64;

		grown = realloc(r->rounds, cap * sizeof(*grown));
		if (!grown) {
			r->rounds_lost++;
			return;
		}
		r->rounds = grown;
		r->rounds_cap = cap;
	}
	memset(&r->rounds[r->nrounds], 0, sizeof(*r->rounds));
	r->rounds[r->nrounds].start_ns = e->ts_ns;
	r->rounds[r->nrounds].last_stage = e->aux;
	r->rounds[r->nrounds].flush_mark = e->iotlb_flushes;
	r->rounds[r->nrounds].flush_ns_mark = e->iotlb_ns;
	r->nrounds++;
}

/* An event into the round it arrived in; none before the first round,
 * and none after a round that could not be kept. */
static void round_add(struct trace_report *r, const struct ds_event *e)
{
	struct vmm_round *w;

	if (ds_op_kind(e->op) & OP_ROUND) {
		round_begin(r, e);
		return;
	}
	if (!r->nrounds || r->rounds_lost)
		return;
	w = &r->rounds[r->nrounds - 1];
	switch (e->op) {
	case DS_OP_QEMU_SYNC:
		w->sync_ns += e->dur_ns;
		break;
	case DS_OP_QEMU_LOG_SYNC:
		w->log_syncs++;
		break;
	case DS_OP_QEMU_VFIO_READ:
		w->vmm_reads++;
		break;
	default:
		if (ds_op_is_dirty_read(e->op)) {
			w->dirty_reads++;
			w->dirty_pages += e->dirty_pages;
		}
	}
}

static void stats_add(struct report_stats *s, const struct ds_event *e)
{
	unsigned int kind = ds_op_kind(e->op);
	struct op_stats *o = &s->row[e->op];
	uint64_t bytes = kind & OP_UNMAPPED ? e->aux : e->length;

	o->count++;
	if (e->ret < 0)
		o->errors++;
	if (e->op != DS_OP_QI_SUBMIT && e->op != DS_OP_IOTLB_FLUSH)
		o->bytes += bytes;
	o->dirty_pages += e->dirty_pages;
	o->dirty_unknown += !!(e->dirty_flags & DS_DIRTY_UNKNOWN);
	o->dirty_records += e->dirty_records;
	o->dirty_bytes += e->dirty_bytes;
	o->redirty_pages += e->redirty_pages;
	/* Analysed reads after the first: the base of the re-dirty rate. */
	if (e->seq > 1)
		o->redirty_base += e->dirty_pages;
	o->walk_ns += e->walk_ns;
	o->iotlb_flushes += e->iotlb_flushes;
	o->iotlb_ns += e->iotlb_ns;
	if (kind & OP_TIMED)
		hist_add(&o->lat, e->dur_ns);
	if (e->op == DS_OP_IOTLB_FLUSH && e->aux < DS_CAUSE__COUNT) {
		o = &s->row[DS_OP__COUNT + e->aux];
		o->count++;
		hist_add(&o->lat, e->dur_ns);
	}
}

bool report_add(struct trace_report *r, const struct ds_event *e)
{
	r->consumed++;
	if (e->op >= DS_OP__COUNT)
		return false;
	/* --hwpt: events that name a hwpt must name that one. */
	if (r->hwpt_filter && e->hwpt_id && e->hwpt_id != r->hwpt_filter)
		return false;
	stats_add(&r->total, e);
	stats_add(&r->interval, e);
	round_add(r, e);
	return true;
}

/*
 * Add to h what the kernel's buckets (cumulative, now and at the last
 * read) counted in between. min and max: the bounds of the lowest and
 * highest bucket that grew, within the exact [lo, hi] of the whole run,
 * so that they are exact for the run and to the bucket for an interval.
 */
static void hist_add_buckets(struct hist *h, const __u64 *now,
			     const __u64 *seen, uint64_t lo, uint64_t hi)
{
	uint64_t n, low = UINT64_MAX, top = 0;
	unsigned int i;

	for (i = 0; i < DS_HIST_BUCKETS; i++) {
		n = now[i] - seen[i];
		if (!n)
			continue;
		h->count += n;
		h->bucket[i] += n;
		if (low == UINT64_MAX)
			low = hist_bucket_low(i);
		top = hist_bucket_high(i);
	}
	if (low == UINT64_MAX)
		return;
	if (low < lo)
		low = lo;
	if (top > hi)
		top = hi;
	if (low < h->min)
		h->min = low;
	if (top > h->max)
		h->max = top;
}

/* Add the sizes counted since the last call to one row of s. */
static void sizes_add(struct report_stats *s, unsigned int op,
		      const struct ds_size_hist *now,
		      const struct ds_size_hist *seen)
{
	struct op_stats *o = &s->row[op];

	o->count += now->count - seen->count;
	o->bytes += now->bytes - seen->bytes;
	o->size.sum += now->bytes - seen->bytes;
	/* No minimum is kept for sizes: the lowest bucket's bound. */
	hist_add_buckets(&o->size, now->bucket, seen->bucket, 0, now->max);
}

/* Add the calls counted since the last call to one row of s. */
static void calls_add(struct report_stats *s, unsigned int op,
		      const struct ds_call_stats *now,
		      const struct ds_call_stats *seen)
{
	struct op_stats *o = &s->row[op];

	o->count += now->count - seen->count;
	o->errors += now->errors - seen->errors;
	o->bytes += now->bytes - seen->bytes;
	o->iotlb_flushes += now->iotlb_flushes - seen->iotlb_flushes;
	o->iotlb_ns += now->iotlb_ns - seen->iotlb_ns;
	o->lat.sum += now->lat_sum - seen->lat_sum;
	hist_add_buckets(&o->lat, now->bucket, seen->bucket, now->lat_min,
			 now->lat_max);
}

void report_sizes(struct trace_report *r, const struct ds_size_hist *now)
{
	static const unsigned int op[DS_SIZES__COUNT] = {
		[DS_SIZES_MAP] = DS_OP_MAP,
		[DS_SIZES_UNMAP] = DS_OP_UNMAP,
		[DS_SIZES_IOPTE] = DS_OP_DIRTY_IOPTE,
	};
	unsigned int i;

	for (i = 0; i < DS_SIZES__COUNT; i++) {
		sizes_add(&r->total, op[i], &now[i], &r->sizes_seen[i]);
		sizes_add(&r->interval, op[i], &now[i], &r->sizes_seen[i]);
		r->sizes_seen[i] = now[i];
	}
}

/* The report row of a kernel count, enum ds_calls: a flush's is its
 * cause's row, and the flushes' row sums the causes. */
static unsigned int call_row(unsigned int i)
{
	static const unsigned int op[DS_CALLS_FLUSH] = {
		[DS_CALLS_MAP] = DS_OP_MAP_CALL,
		[DS_CALLS_UNMAP] = DS_OP_UNMAP_CALL,
		[DS_CALLS_QI] = DS_OP_QI_SUBMIT,
		[DS_CALLS_WALK] = DS_OP_WALK,
	};

	return i < DS_CALLS_FLUSH ? op[i] : DS_OP__COUNT + i - DS_CALLS_FLUSH;
}

void report_calls(struct trace_report *r, const struct ds_call_stats *now)
{
	const struct ds_call_stats *seen = r->calls_seen;
	unsigned int i, row;

	for (i = 0; i < DS_CALLS__COUNT; i++) {
		row = call_row(i);
		calls_add(&r->total, row, &now[i], &seen[i]);
		calls_add(&r->interval, row, &now[i], &seen[i]);
		if (i >= DS_CALLS_FLUSH) {
			calls_add(&r->total, DS_OP_IOTLB_FLUSH, &now[i],
				  &seen[i]);
			calls_add(&r->interval, DS_OP_IOTLB_FLUSH, &now[i],
				  &seen[i]);
		}
		r->calls_seen[i] = now[i];
	}
}

void report_snapshot(struct trace_report *r, const struct trace_snapshot *s)
{
	memcpy(r->counters, s->counters, sizeof(r->counters));
	report_sizes(r, s->sizes);
	report_calls(r, s->calls);
	round_flushes(r, s->flushes, s->flush_ns);
}

_Static_assert(DS_HIST_BUCKETS == HIST_BUCKETS,
	       "the BPF size histogram must have src/lib/hist.c's buckets");

void report_interval_end(struct trace_report *r)
{
	r->intervals++;
}

void report_interval_reset(struct trace_report *r)
{
	stats_reset(&r->interval);
}

void report_interval_sums(const struct trace_report *r, struct report_sums *s)
{
	const struct op_stats *flush = &r->interval.row[DS_OP_IOTLB_FLUSH];

	memset(s, 0, sizeof(*s));
	for (unsigned int op = 0; op < DS_OP__COUNT; op++) {
		if (!ds_op_is_dirty_read(op))
			continue;
		s->dirty_reads += r->interval.row[op].count;
		s->dirty_pages += r->interval.row[op].dirty_pages;
	}
	s->iotlb_flushes = flush->count;
	s->iotlb_ns = flush->lat.sum;
}
