// SPDX-License-Identifier: GPL-2.0
/*
 * trace's counts for Prometheus: the text exposition format 0.0.4 (what
 * node_exporter's textfile collector reads) or OpenMetrics 1.0.0 (what a
 * scrape that asks for it gets). Counters end in _total; durations are
 * histograms in seconds whose le bounds are 2^k - 1 ns, the tops of
 * buckets of our own log-linear histogram (durations are whole ns), so
 * every cumulative count is exact. Labels are bounded: op (the fixed
 * operation table) and cause (six invalidation causes); no pid or comm,
 * whose values are not.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include "report_output.h"

/* le = 2^k - 1 ns for k in [FIRST_LE, LAST_LE]: about 1 us to 17 s. */
#define FIRST_LE 10
#define LAST_LE	 34

struct family {
	const char *name; /* without _total */
	const char *type; /* counter, histogram */
	const char *help;
};

static void header(FILE *f, const struct family *m, bool om)
{
	bool counter = m->type[0] == 'c';

	fprintf(f, "# HELP %s%s %s\n", m->name, counter && !om ? "_total" : "",
		m->help);
	fprintf(f, "# TYPE %s%s %s\n", m->name, counter && !om ? "_total" : "",
		m->type);
	if (om && !counter)
		fprintf(f, "# UNIT %s seconds\n", m->name);
}

/* Cumulative counts of h at le = 2^k - 1 ns: the buckets up to there. */
static void histogram(FILE *f, const char *name, const char *label,
		      const char *value, const struct hist *h)
{
	uint64_t below = 0;
	unsigned int b = 0;

	for (unsigned int k = FIRST_LE; k <= LAST_LE; k++) {
		for (; b < HIST_BUCKETS && hist_bucket_high(b) < (1ull << k);
		     b++)
			below += h->bucket[b];
		fprintf(f, "%s_bucket{%s=\"%s\",le=\"%.9g\"} %" PRIu64 "\n",
			name, label, value, (double)((1ull << k) - 1) / 1e9,
			below);
	}
	fprintf(f, "%s_bucket{%s=\"%s\",le=\"+Inf\"} %" PRIu64 "\n", name,
		label, value, h->count);
	fprintf(f, "%s_sum{%s=\"%s\"} %.9g\n", name, label, value,
		h->sum / 1e9);
	fprintf(f, "%s_count{%s=\"%s\"} %" PRIu64 "\n", name, label, value,
		h->count);
}

static const struct family ops_f = { "dirtyscope_operations", "counter",
				     "Traced operations by kind." };
static const struct family errors_f = { "dirtyscope_operation_errors",
					"counter",
					"Traced operations that failed." };
static const struct family bytes_f = {
	"dirtyscope_operation_bytes", "counter",
	"Bytes of the traced operations (mapped, unmapped, read ranges)."
};
static const struct family pages_f = { "dirtyscope_dirty_pages", "counter",
				       "Pages dirty reads reported dirty." };
static const struct family dur_f = { "dirtyscope_operation_duration_seconds",
				     "histogram",
				     "Duration of the timed operations." };
static const struct family inv_f = { "dirtyscope_iotlb_invalidations",
				     "counter",
				     "IOTLB invalidations by cause." };
static const struct family inv_dur_f = {
	"dirtyscope_iotlb_invalidation_duration_seconds", "histogram",
	"Duration of the IOTLB invalidations by cause."
};
static const struct family events_f = { "dirtyscope_events", "counter",
					"Events read from the ring buffer." };
static const struct family lost_f = {
	"dirtyscope_events_lost", "counter",
	"Events the ring buffer had no room for: the other counts miss them."
};

/* One counter per operation, through get. */
static void per_op(FILE *f, const struct family *m, bool om, bool dirty_only,
		   uint64_t (*get)(const struct op_stats *),
		   const struct trace_report *r)
{
	header(f, m, om);
	for (unsigned int op = 0; op < DS_OP__COUNT; op++)
		if (!dirty_only || ds_op_is_dirty_read(op))
			fprintf(f, "%s_total{op=\"%s\"} %" PRIu64 "\n", m->name,
				ds_op_name(op), get(&r->total.row[op]));
}

static uint64_t get_count(const struct op_stats *o)
{
	return o->count;
}

static uint64_t get_errors(const struct op_stats *o)
{
	return o->errors;
}

static uint64_t get_bytes(const struct op_stats *o)
{
	return o->bytes;
}

static uint64_t get_pages(const struct op_stats *o)
{
	return o->dirty_pages;
}

int report_print_metrics(const struct trace_report *r, bool openmetrics,
			 FILE *f)
{
	bool om = openmetrics;

	per_op(f, &ops_f, om, false, get_count, r);
	per_op(f, &errors_f, om, false, get_errors, r);
	per_op(f, &bytes_f, om, false, get_bytes, r);
	per_op(f, &pages_f, om, true, get_pages, r);
	header(f, &dur_f, om);
	for (unsigned int op = 0; op < DS_OP__COUNT; op++)
		if (ds_op_kind(op) & OP_TIMED)
			histogram(f, dur_f.name, "op", ds_op_name(op),
				  &r->total.row[op].lat);
	header(f, &inv_f, om);
	for (unsigned int c = 0; c < DS_CAUSE__COUNT; c++)
		fprintf(f, "%s_total{cause=\"%s\"} %" PRIu64 "\n", inv_f.name,
			ds_cause_name(c), r->total.row[DS_OP__COUNT + c].count);
	header(f, &inv_dur_f, om);
	for (unsigned int c = 0; c < DS_CAUSE__COUNT; c++)
		histogram(f, inv_dur_f.name, "cause", ds_cause_name(c),
			  &r->total.row[DS_OP__COUNT + c].lat);
	header(f, &events_f, om);
	fprintf(f, "%s_total %" PRIu64 "\n", events_f.name, r->consumed);
	header(f, &lost_f, om);
	fprintf(f, "%s_total %" PRIu64 "\n", lost_f.name,
		r->counters[DS_CNT_DROPS]);
	if (om)
		fputs("# EOF\n", f);
	return ferror(f) ? -EIO : 0;
}
