// SPDX-License-Identifier: GPL-2.0
/*
 * trace --json: the summary (and each interval) as one JSON document per
 * line, with the same names and units as summary.csv (docs/csv.md).
 */
#include "json.h"
#include "report_output.h"

static void member(struct json_writer *w, const char *key, uint64_t v)
{
	json_key(w, key);
	json_uint(w, v);
}

static void write_row(struct json_writer *w, unsigned int row,
		      const struct op_stats *o)
{
	const struct hist *h = &o->lat;

	json_object_begin(w);
	json_key(w, "op");
	json_string(w, report_row_name(row));
	member(w, "count", o->count);
	member(w, "errors", o->errors);
	member(w, "bytes", o->bytes);
	member(w, "dirty_pages", o->dirty_pages);
	member(w, "dirty_unknown", o->dirty_unknown);
	member(w, "dirty_records", o->dirty_records);
	member(w, "dirty_bytes", o->dirty_bytes);
	member(w, "redirty_pages", o->redirty_pages);
	member(w, "redirty_base_pages", o->redirty_base);
	member(w, "walk_ns", o->walk_ns);
	member(w, "iotlb_invalidations", o->iotlb_flushes);
	member(w, "iotlb_ns", o->iotlb_ns);
	member(w, "lat_p50_ns", hist_quantile(h, 0.50));
	member(w, "lat_p90_ns", hist_quantile(h, 0.90));
	member(w, "lat_p99_ns", hist_quantile(h, 0.99));
	member(w, "lat_p999_ns", hist_quantile(h, 0.999));
	member(w, "lat_max_ns", h->max);
	member(w, "lat_sum_ns", h->sum);
	json_object_end(w);
}

/* The traced VMM's rounds (trace -p), as rounds.csv's rows. */
static void write_rounds(struct json_writer *w, const struct trace_report *r)
{
	json_key(w, "rounds");
	json_array_begin(w);
	for (size_t i = 0; i < r->nrounds; i++) {
		const struct vmm_round *v = &r->rounds[i];

		json_object_begin(w);
		member(w, "round", i + 1);
		member(w, "start_ns", v->start_ns);
		member(w, "last_stage", v->last_stage);
		member(w, "syncs", v->log_syncs);
		member(w, "sync_ns", v->sync_ns);
		member(w, "vmm_reads", v->vmm_reads);
		member(w, "dirty_reads", v->dirty_reads);
		member(w, "dirty_pages", v->dirty_pages);
		member(w, "iotlb_invalidations", v->iotlb_flushes);
		member(w, "iotlb_ns", v->iotlb_ns);
		json_object_end(w);
	}
	json_array_end(w);
}

int report_print_json(const struct trace_report *r,
		      const struct report_stats *s, bool interval, FILE *out)
{
	struct json_writer w;
	unsigned int i;
	int err;

	json_init(&w, out);
	json_object_begin(&w);
	json_key(&w, "type");
	json_string(&w, interval ? "interval" : "summary");
	if (interval)
		member(&w, "interval", r->intervals);
	else
		member(&w, "duration_ns", r->duration_ns);
	member(&w, "events_consumed", r->consumed);
	json_key(&w, "counters");
	json_object_begin(&w);
	for (i = 0; i < ncounter_rows; i++)
		member(&w, counter_rows[i].name,
		       r->counters[counter_rows[i].counter]);
	json_object_end(&w);
	/* Operations that happened; every one in the summary. */
	json_key(&w, "ops");
	json_array_begin(&w);
	for (i = 0; i < REPORT_ROWS; i++)
		if (!interval || s->row[i].count)
			write_row(&w, i, &s->row[i]);
	json_array_end(&w);
	if (!interval && r->vmm)
		write_rounds(&w, r);
	json_object_end(&w);
	err = json_finish(&w);
	fputc('\n', out);
	return err;
}
