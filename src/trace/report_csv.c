// SPDX-License-Identifier: GPL-2.0
/* trace's CSV folder (docs/csv.md). */
#include <inttypes.h>
#include <string.h>
#include "report_output.h"

#define SUMMARY_HEADER                                                        \
	"op,count,errors,bytes,dirty_pages,dirty_records,redirty_pages,"      \
	"redirty_base_pages,walk_ns,iotlb_invalidations,iotlb_ns,lat_p50_ns," \
	"lat_p90_ns,lat_p99_ns,lat_p999_ns,lat_max_ns,lat_sum_ns,"            \
	"dirty_bytes,dirty_unknown\n"
#define SYNCS_HEADER                                                      \
	"ts_ns,pid,comm,op,hwpt,iova,length,page_size,flags,dirty_pages," \
	"dirty_records,redirty_pages,seq,walk_ns,walk_calls,"             \
	"iotlb_invalidations,iotlb_ns,ret,total_ns,tid,dirty_bytes\n"
#define INTERVALS_HEADER                                               \
	"interval,ts_ns,op,count,errors,bytes,dirty_pages,lat_p50_ns," \
	"lat_p99_ns,lat_max_ns\n"
#define HISTOGRAMS_HEADER "op,kind,bucket_low,bucket_high,count\n"
#define ROUNDS_HEADER                                                    \
	"round,start_ns,last_stage,syncs,sync_ns,vmm_reads,dirty_reads," \
	"dirty_pages,iotlb_invalidations,iotlb_ns\n"

int report_csv_open(struct trace_csv *c, const char *dir)
{
	int err;

	memset(c, 0, sizeof(*c));
	c->dir = dir;
	err = outdir_prepare(dir);
	if (err)
		return err;
	err = outfile_open(&c->syncs, dir, "syncs.csv");
	if (err)
		return err;
	fputs(SYNCS_HEADER, c->syncs.f);
	return 0;
}

/* ",V", or "," alone for a value that was not counted. */
static void opt_field(FILE *f, bool counted, uint64_t v)
{
	if (counted)
		fprintf(f, ",%" PRIu64, v);
	else
		fputc(',', f);
}

static void write_sync_row(FILE *f, const struct ds_event *e)
{
	bool records = e->dirty_flags & DS_DIRTY_RECORDS;
	char comm[DS_COMM_LEN + 1];

	memcpy(comm, e->comm, DS_COMM_LEN);
	comm[DS_COMM_LEN] = '\0';
	fprintf(f, "%" PRIu64 ",%u,", (uint64_t)e->ts_ns, e->pid);
	csv_field(f, comm);
	fprintf(f, ",%s,%u,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%u",
		ds_op_name(e->op), e->hwpt_id, (uint64_t)e->iova,
		(uint64_t)e->length, (uint64_t)e->page_size, e->flags);
	opt_field(f, !(e->dirty_flags & DS_DIRTY_UNKNOWN), e->dirty_pages);
	opt_field(f, records, e->dirty_records);
	fprintf(f,
		",%" PRIu64 ",%u,%" PRIu64 ",%u,%u,%" PRIu64 ",%d,%" PRIu64
		",%u",
		(uint64_t)e->redirty_pages, e->seq, (uint64_t)e->walk_ns,
		e->walk_calls, e->iotlb_flushes, (uint64_t)e->iotlb_ns, e->ret,
		(uint64_t)e->dur_ns, e->tid);
	opt_field(f, records, e->dirty_bytes);
	fputc('\n', f);
}

void report_csv_event(struct trace_csv *c, const struct ds_event *e)
{
	if (c->syncs.f && ds_op_is_dirty_read(e->op))
		write_sync_row(c->syncs.f, e);
}

void report_csv_interval(struct trace_csv *c, const struct trace_report *r,
			 uint64_t ts_ns)
{
	const struct report_stats *s = &r->interval;
	unsigned int i;

	if (!c->dir)
		return;
	if (!c->intervals.f &&
	    !outfile_open(&c->intervals, c->dir, "intervals.csv"))
		fputs(INTERVALS_HEADER, c->intervals.f);
	if (!c->intervals.f)
		return;
	for (i = 0; i < DS_OP__COUNT; i++) {
		const struct op_stats *o = &s->row[i];

		if (!o->count)
			continue;
		fprintf(c->intervals.f,
			"%u,%" PRIu64 ",%s,%" PRIu64 ",%" PRIu64 ",%" PRIu64
			",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 "\n",
			r->intervals, ts_ns, ds_op_name(i), o->count, o->errors,
			o->bytes, o->dirty_pages, hist_quantile(&o->lat, 0.50),
			hist_quantile(&o->lat, 0.99), o->lat.max);
	}
	/* Every interval says what it lost, 0 included: a reader of the
	 * file alone must see that its counts are complete. */
	fprintf(c->intervals.f,
		"%u,%" PRIu64 ",lost_events,%" PRIu64 ",0,0,0,0,0,0\n",
		r->intervals, ts_ns,
		r->counters[DS_CNT_DROPS] - c->lost_reported);
	c->lost_reported = r->counters[DS_CNT_DROPS];
}

static void write_summary(const struct trace_report *r, FILE *f)
{
	unsigned int i;

	fputs(SUMMARY_HEADER, f);
	for (i = 0; i < REPORT_ROWS; i++) {
		const struct op_stats *o = &r->total.row[i];
		const struct hist *h = &o->lat;

		fprintf(f,
			"%s,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
			",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
			",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
			",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
			",%" PRIu64 ",%" PRIu64 "\n",
			report_row_name(i), o->count, o->errors, o->bytes,
			o->dirty_pages, o->dirty_records, o->redirty_pages,
			o->redirty_base, o->walk_ns, o->iotlb_flushes,
			o->iotlb_ns, hist_quantile(h, 0.50),
			hist_quantile(h, 0.90), hist_quantile(h, 0.99),
			hist_quantile(h, 0.999), h->max, h->sum, o->dirty_bytes,
			o->dirty_unknown);
	}
	/* Pseudo-operations: counts that are not events. */
	for (i = 0; i < ncounter_rows; i++)
		fprintf(f, "%s,%" PRIu64 ",0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0\n",
			counter_rows[i].name,
			r->counters[counter_rows[i].counter]);
}

static void write_hist(FILE *f, const char *row, const char *kind,
		       const struct hist *h)
{
	unsigned int b;

	for (b = 0; b < HIST_BUCKETS; b++)
		if (h->bucket[b])
			fprintf(f,
				"%s,%s,%" PRIu64 ",%" PRIu64 ",%" PRIu64 "\n",
				row, kind, hist_bucket_low(b),
				hist_bucket_high(b), h->bucket[b]);
}

static void write_histograms(const struct trace_report *r, FILE *f)
{
	unsigned int i;

	fputs(HISTOGRAMS_HEADER, f);
	for (i = 0; i < REPORT_ROWS; i++) {
		write_hist(f, report_row_name(i), "latency_ns",
			   &r->total.row[i].lat);
		write_hist(f, report_row_name(i), "size_bytes",
			   &r->total.row[i].size);
	}
}

/* The traced VMM's rounds (trace -p), numbered from 1. */
static void write_rounds(const struct trace_report *r, FILE *f)
{
	fputs(ROUNDS_HEADER, f);
	for (size_t i = 0; i < r->nrounds; i++) {
		const struct vmm_round *w = &r->rounds[i];

		fprintf(f,
			"%zu,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
			",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
			",%" PRIu64 "\n",
			i + 1, w->start_ns, w->last_stage, w->log_syncs,
			w->sync_ns, w->vmm_reads, w->dirty_reads,
			w->dirty_pages, w->iotlb_flushes, w->iotlb_ns);
	}
}

static int prepare_file(struct outfile *o, const char *dir, const char *name,
			void (*fill)(const struct trace_report *, FILE *),
			const struct trace_report *r)
{
	int err = outfile_open(o, dir, name);

	if (!err)
		fill(r, o->f);
	return err;
}

int report_csv_prepare(struct trace_csv *c, const struct trace_report *r)
{
	int err;

	if (!c->dir)
		return 0;
	err = prepare_file(&c->summary, c->dir, "summary.csv", write_summary,
			   r);
	if (!err)
		err = prepare_file(&c->histograms, c->dir, "histograms.csv",
				   write_histograms, r);
	return err;
}

void report_csv_outfiles(struct trace_csv *c, struct outfile **o)
{
	o[0] = &c->summary;
	o[1] = &c->histograms;
	o[2] = &c->syncs;
	o[3] = &c->intervals;
}

int report_csv_write(struct trace_csv *c, const struct trace_report *r)
{
	struct outfile *o[REPORT_FILES + 1];
	size_t n = REPORT_FILES;
	int err;

	if (!c->dir)
		return 0;
	err = report_csv_prepare(c, r);
	if (!err && r->vmm)
		err = prepare_file(&c->rounds, c->dir, "rounds.csv",
				   write_rounds, r);
	if (err) {
		report_csv_abort(c);
		return err;
	}
	report_csv_outfiles(c, o);
	if (r->vmm)
		o[n++] = &c->rounds;
	return outfile_commit_all(o, n);
}

void report_csv_abort(struct trace_csv *c)
{
	outfile_abort(&c->syncs);
	outfile_abort(&c->intervals);
	outfile_abort(&c->summary);
	outfile_abort(&c->histograms);
	outfile_abort(&c->rounds);
}
