// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <time.h>
#include "trace_report.h"

/* What an operation's event carries, for aggregation and printing. */
enum {
	K_TIMED = 1 << 0,    /* has a duration */
	K_DIRTY = 1 << 1,    /* a dirty read: one syncs.csv row */
	K_UNMAPPED = 1 << 2, /* bytes are in aux (bytes unmapped) */
};

static const struct op_info {
	const char *name;
	unsigned int kind;
} ops[DS_OP__COUNT] = {
	/* Counted in the kernel, never an event: see report_sizes(). */
	[DS_OP_MAP] = { "map", 0 },
	[DS_OP_UNMAP] = { "unmap", 0 },
	[DS_OP_MAP_CALL] = { "map_call", K_TIMED },
	[DS_OP_UNMAP_CALL] = { "unmap_call", K_TIMED | K_UNMAPPED },
	[DS_OP_SET_TRACKING] = { "set_tracking", K_TIMED },
	[DS_OP_SYNC_NOCLEAR] = { "sync_noclear", K_TIMED | K_DIRTY },
	[DS_OP_READ_CLEAR] = { "read_clear", K_TIMED | K_DIRTY },
	[DS_OP_WALK] = { "walk", K_TIMED },
	[DS_OP_IOTLB_FLUSH] = { "iotlb_flush", K_TIMED },
	[DS_OP_QI_SUBMIT] = { "qi_submit", K_TIMED },
	[DS_OP_TYPE1_MAP_DMA] = { "type1_map_dma", K_TIMED },
	[DS_OP_TYPE1_UNMAP_DMA] = { "type1_unmap_dma", K_TIMED },
	[DS_OP_TYPE1_UNMAP_BITMAP] = { "type1_unmap_bitmap",
				       K_TIMED | K_DIRTY },
	[DS_OP_TYPE1_DIRTY_START] = { "type1_dirty_start", K_TIMED },
	[DS_OP_TYPE1_DIRTY_STOP] = { "type1_dirty_stop", K_TIMED },
	[DS_OP_TYPE1_GET_BITMAP] = { "type1_get_bitmap", K_TIMED | K_DIRTY },
	[DS_OP_TYPE1_SYNC_NOCLEAR] = { "type1_sync_noclear",
				       K_TIMED | K_DIRTY },
	[DS_OP_TYPE1_CLEAR] = { "type1_clear", K_TIMED | K_DIRTY },
	[DS_OP_DEVICE_LOG_REPORT] = { "device_log_report", K_TIMED | K_DIRTY },
	[DS_OP_RFC_SWITCH] = { "rfc_switch", 0 },
	[DS_OP_RFC_SYNC] = { "rfc_sync", 0 },
	[DS_OP_RFC_CLEAR] = { "rfc_clear", 0 },
};

static const char *const causes[DS_CAUSE__COUNT] = {
	[DS_CAUSE_OTHER] = "other",
	[DS_CAUSE_DIRTY_READ] = "dirty_read",
	[DS_CAUSE_DIRTY_CLEAR] = "dirty_clear",
	[DS_CAUSE_TRACKING] = "tracking",
	[DS_CAUSE_UNMAP] = "unmap",
	[DS_CAUSE_MAP] = "map",
};

static const char *const cause_rows[DS_CAUSE__COUNT] = {
	"iotlb_flush:other",	   "iotlb_flush:dirty_read",
	"iotlb_flush:dirty_clear", "iotlb_flush:tracking",
	"iotlb_flush:unmap",	   "iotlb_flush:map",
};

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

const char *ds_op_name(unsigned int op)
{
	return op < DS_OP__COUNT ? ops[op].name : "unknown";
}

const char *report_row_name(unsigned int row)
{
	if (row < DS_OP__COUNT)
		return ops[row].name;
	row -= DS_OP__COUNT;
	return row < DS_CAUSE__COUNT ? cause_rows[row] : "unknown";
}

bool ds_op_is_dirty_read(unsigned int op)
{
	return op < DS_OP__COUNT && ops[op].kind & K_DIRTY;
}

static void stats_reset(struct report_stats *s)
{
	unsigned int i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < REPORT_ROWS; i++) {
		hist_init(&s->row[i].lat);
		hist_init(&s->row[i].size);
	}
}

int report_init(struct trace_report *r, const char *csv_dir)
{
	int err;

	memset(r, 0, sizeof(*r));
	stats_reset(&r->total);
	stats_reset(&r->interval);
	r->csv_dir = csv_dir;
	if (!csv_dir)
		return 0;
	err = outdir_prepare(csv_dir);
	if (err)
		return err;
	err = outfile_open(&r->syncs, csv_dir, "syncs.csv");
	if (err)
		return err;
	fputs(SYNCS_HEADER, r->syncs.f);
	return 0;
}

static void stats_add(struct report_stats *s, const struct ds_event *e)
{
	unsigned int kind = ops[e->op].kind;
	struct op_stats *o = &s->row[e->op];
	uint64_t bytes = kind & K_UNMAPPED ? e->aux : e->length;

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
	if (kind & K_TIMED)
		hist_add(&o->lat, e->dur_ns);
	if (e->op == DS_OP_IOTLB_FLUSH && e->aux < DS_CAUSE__COUNT) {
		o = &s->row[DS_OP__COUNT + e->aux];
		o->count++;
		hist_add(&o->lat, e->dur_ns);
	}
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

void report_add(struct trace_report *r, const struct ds_event *e)
{
	r->consumed++;
	if (e->op >= DS_OP__COUNT)
		return;
	/* --hwpt: events that name a hwpt must name that one. */
	if (r->hwpt_filter && e->hwpt_id && e->hwpt_id != r->hwpt_filter)
		return;
	stats_add(&r->total, e);
	stats_add(&r->interval, e);
	if (ds_op_is_dirty_read(e->op) && r->syncs.f)
		write_sync_row(r->syncs.f, e);
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
	if (!s->sizes_err)
		report_sizes(r, s->sizes);
}

_Static_assert(DS_HIST_BUCKETS == HIST_BUCKETS,
	       "the BPF size histogram must have src/lib/hist.c's buckets");

static void print_us(FILE *out, const struct hist *h, double q)
{
	if (!h->count)
		fprintf(out, " %9s", "-");
	else
		fprintf(out, " %9.1f",
			(q >= 1.0 ? h->max : hist_quantile(h, q)) / 1e3);
}

static void print_ops(const struct report_stats *s, FILE *out)
{
	unsigned int i;

	fprintf(out, "%-20s %8s %5s %13s %9s %9s %9s %9s %9s\n", "OPERATION",
		"COUNT", "ERRS", "BYTES", "DIRTY_PG", "P50_US", "P90_US",
		"P99_US", "MAX_US");
	for (i = 0; i < DS_OP__COUNT; i++) {
		const struct op_stats *o = &s->row[i];

		if (!o->count)
			continue;
		fprintf(out, "%-20s %8" PRIu64 " %5" PRIu64 " %13" PRIu64,
			ops[i].name, o->count, o->errors, o->bytes);
		if (ops[i].kind & K_DIRTY)
			fprintf(out, " %9" PRIu64, o->dirty_pages);
		else
			fprintf(out, " %9s", "-");
		print_us(out, &o->lat, 0.50);
		print_us(out, &o->lat, 0.90);
		print_us(out, &o->lat, 0.99);
		print_us(out, &o->lat, 1.0);
		fputc('\n', out);
	}
}

static void print_dirty_reads(const struct report_stats *s, FILE *out)
{
	bool header = false;
	unsigned int i;

	for (i = 0; i < DS_OP__COUNT; i++) {
		const struct op_stats *o = &s->row[i];

		if (!(ops[i].kind & K_DIRTY) || !o->count)
			continue;
		if (!header) {
			fprintf(out, "\n%-20s %8s %9s %8s %10s %6s %9s %10s\n",
				"DIRTY READS", "COUNT", "DIRTY_PG", "REDIRTY%",
				"WALK_MS", "WALK%", "IOTLB_INV", "TOTAL_MS");
			header = true;
		}
		fprintf(out, "%-20s %8" PRIu64 " %9" PRIu64, ops[i].name,
			o->count, o->dirty_pages);
		if (o->redirty_base)
			fprintf(out, " %8.1f",
				100.0 * o->redirty_pages / o->redirty_base);
		else
			fprintf(out, " %8s", "-");
		fprintf(out, " %10.3f", o->walk_ns / 1e6);
		if (o->lat.sum)
			fprintf(out, " %6.1f", 100.0 * o->walk_ns / o->lat.sum);
		else
			fprintf(out, " %6s", "-");
		fprintf(out, " %9" PRIu64 " %10.3f\n", o->iotlb_flushes,
			o->lat.sum / 1e6);
	}
}

static void print_flushes(const struct report_stats *s, FILE *out)
{
	unsigned int c;

	if (!s->row[DS_OP_IOTLB_FLUSH].count)
		return;
	fprintf(out, "\n%-20s %8s %10s %9s %9s %9s\n", "IOTLB INVALIDATIONS",
		"COUNT", "TOTAL_MS", "P50_US", "P99_US", "MAX_US");
	for (c = 0; c < DS_CAUSE__COUNT; c++) {
		const struct op_stats *o = &s->row[DS_OP__COUNT + c];

		if (!o->count)
			continue;
		fprintf(out, "%-20s %8" PRIu64 " %10.3f", causes[c], o->count,
			o->lat.sum / 1e6);
		print_us(out, &o->lat, 0.50);
		print_us(out, &o->lat, 0.99);
		print_us(out, &o->lat, 1.0);
		fputc('\n', out);
	}
}

void report_print(const struct trace_report *r, FILE *out)
{
	uint64_t unknown = 0;
	unsigned int i;

	print_ops(&r->total, out);
	print_dirty_reads(&r->total, out);
	print_flushes(&r->total, out);
	fputc('\n', out);
	for (i = 0; i < DS_OP__COUNT; i++)
		unknown += r->total.row[i].dirty_unknown;
	if (unknown)
		fprintf(out,
			"dirty reads whose bitmap could not be counted: "
			"%" PRIu64 " (their pages are not in DIRTY_PG)\n",
			unknown);
	if (r->iopte_stats)
		fprintf(out,
			"iova_bitmap_set calls: %" PRIu64 " (%" PRIu64
			" outside a traced dirty read)\n",
			r->counters[DS_CNT_BITMAP_SET],
			r->counters[DS_CNT_BITMAP_SET_ORPHAN]);
	if (r->counters[DS_CNT_REDIRTY_UNTRACKED])
		fprintf(out,
			"bitmap analysis: %" PRIu64 " dirty pages beyond the "
			"tracked range were not analysed\n",
			r->counters[DS_CNT_REDIRTY_UNTRACKED]);
	if (r->counters[DS_CNT_STATE_FULL])
		fprintf(out,
			"per-task state full %" PRIu64 " times: some "
			"operations were not timed\n",
			r->counters[DS_CNT_STATE_FULL]);
	fprintf(out,
		"events: %" PRIu64 " consumed, %" PRIu64
		" lost (ring buffer full) in %.3f s\n",
		r->consumed, r->counters[DS_CNT_DROPS], r->duration_ns / 1e9);
}

void report_interval(struct trace_report *r, FILE *out, uint64_t ts_ns)
{
	struct report_stats *s = &r->interval;
	char when[16] = "";
	time_t now = time(NULL);
	struct tm tm;
	unsigned int i;

	r->intervals++;
	if (r->json) {
		report_print_json(r, s, true, out);
	} else {
		if (localtime_r(&now, &tm))
			strftime(when, sizeof(when), "%H:%M:%S", &tm);
		fprintf(out, "%s (lost so far: %" PRIu64 ")\n", when,
			r->counters[DS_CNT_DROPS]);
		print_ops(s, out);
		fputc('\n', out);
	}
	if (r->csv_dir && !r->interval_csv.f &&
	    !outfile_open(&r->interval_csv, r->csv_dir, "intervals.csv"))
		fputs(INTERVALS_HEADER, r->interval_csv.f);
	for (i = 0; r->interval_csv.f && i < DS_OP__COUNT; i++) {
		const struct op_stats *o = &s->row[i];

		if (!o->count)
			continue;
		fprintf(r->interval_csv.f,
			"%u,%" PRIu64 ",%s,%" PRIu64 ",%" PRIu64 ",%" PRIu64
			",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 "\n",
			r->intervals, ts_ns, ops[i].name, o->count, o->errors,
			o->bytes, o->dirty_pages, hist_quantile(&o->lat, 0.50),
			hist_quantile(&o->lat, 0.99), o->lat.max);
	}
	/* Every interval says what it lost, 0 included: a reader of the
	 * file alone must see that its counts are complete. */
	if (r->interval_csv.f)
		fprintf(r->interval_csv.f,
			"%u,%" PRIu64 ",lost_events,%" PRIu64 ",0,0,0,0,0,0\n",
			r->intervals, ts_ns,
			r->counters[DS_CNT_DROPS] - r->lost_reported);
	r->lost_reported = r->counters[DS_CNT_DROPS];
	stats_reset(s);
}

static void write_summary(const struct trace_report *r, FILE *f)
{
	static const struct {
		const char *name;
		unsigned int counter;
	} pseudo[] = {
		{ "bitmap_set", DS_CNT_BITMAP_SET },
		{ "bitmap_set_orphan", DS_CNT_BITMAP_SET_ORPHAN },
		{ "lost_events", DS_CNT_DROPS },
		{ "state_full", DS_CNT_STATE_FULL },
		{ "redirty_untracked", DS_CNT_REDIRTY_UNTRACKED },
	};
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
	for (i = 0; i < sizeof(pseudo) / sizeof(pseudo[0]); i++)
		fprintf(f, "%s,%" PRIu64 ",0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0\n",
			pseudo[i].name, r->counters[pseudo[i].counter]);
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

static int prepare_file(struct outfile *o, const char *dir, const char *name,
			void (*fill)(const struct trace_report *, FILE *),
			const struct trace_report *r)
{
	int err = outfile_open(o, dir, name);

	if (!err)
		fill(r, o->f);
	return err;
}

int report_prepare_csv(struct trace_report *r)
{
	int err;

	if (!r->csv_dir)
		return 0;
	err = prepare_file(&r->summary, r->csv_dir, "summary.csv",
			   write_summary, r);
	if (!err)
		err = prepare_file(&r->histograms, r->csv_dir, "histograms.csv",
				   write_histograms, r);
	return err;
}

void report_outfiles(struct trace_report *r, struct outfile **o)
{
	o[0] = &r->summary;
	o[1] = &r->histograms;
	o[2] = &r->syncs;
	o[3] = &r->interval_csv;
}

int report_write_csv(struct trace_report *r)
{
	struct outfile *o[REPORT_FILES];
	int err;

	if (!r->csv_dir)
		return 0;
	err = report_prepare_csv(r);
	if (err) {
		report_abort(r);
		return err;
	}
	report_outfiles(r, o);
	return outfile_commit_all(o, REPORT_FILES);
}

void report_abort(struct trace_report *r)
{
	outfile_abort(&r->syncs);
	outfile_abort(&r->interval_csv);
	outfile_abort(&r->summary);
	outfile_abort(&r->histograms);
}
