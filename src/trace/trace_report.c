// SPDX-License-Identifier: GPL-2.0
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
	return true;
}

/* Add the sizes counted since the last call to one row of s. max: exact
 * for the run; for an interval, the top of its highest bucket, capped at
 * the run's max. */
static void sizes_add(struct report_stats *s, unsigned int op,
		      const struct ds_size_hist *now,
		      const struct ds_size_hist *seen)
{
	struct op_stats *o = &s->row[op];
	struct hist *h = &o->size;
	uint64_t n, top = 0;
	unsigned int i;

	o->count += now->count - seen->count;
	o->bytes += now->bytes - seen->bytes;
	h->count += now->count - seen->count;
	h->sum += now->bytes - seen->bytes;
	for (i = 0; i < DS_HIST_BUCKETS; i++) {
		n = now->bucket[i] - seen->bucket[i];
		if (!n)
			continue;
		h->bucket[i] += n;
		if (hist_bucket_low(i) < h->min)
			h->min = hist_bucket_low(i);
		top = hist_bucket_high(i);
	}
	if (top > now->max)
		top = now->max;
	if (top > h->max)
		h->max = top;
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

void report_snapshot(struct trace_report *r, const struct trace_snapshot *s)
{
	memcpy(r->counters, s->counters, sizeof(r->counters));
	report_sizes(r, s->sizes);
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
