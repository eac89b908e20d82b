// SPDX-License-Identifier: GPL-2.0
/* Aggregation and CSV output of trace events (user space only). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "report_output.h"

static char dir[] = "/tmp/ds-report-XXXXXX";

static char *slurp(const char *name)
{
	char path[512];
	static char buf[8192];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* What trace aggregates into and writes from, as cmd_trace.c calls it. */
struct sink {
	struct trace_report r;
	struct trace_csv c;
};

static void open_sink(struct sink *s, const char *csv_dir)
{
	report_init(&s->r);
	if (csv_dir)
		assert_int_equal(report_csv_open(&s->c, csv_dir), 0);
}

static void add(struct sink *s, const struct ds_event *e)
{
	if (report_add(&s->r, e))
		report_csv_event(&s->c, e);
}

static void interval(struct sink *s, FILE *out, uint64_t ts_ns)
{
	report_interval_end(&s->r);
	report_print_interval(&s->r, out);
	report_csv_interval(&s->c, &s->r, ts_ns);
	report_interval_reset(&s->r);
}

static struct ds_event sync_ev(unsigned int op, uint64_t pages, int ret)
{
	struct ds_event e = {
		.ts_ns = 100,
		.dur_ns = 5000,
		.iova = 1 << 24,
		.length = 1 << 20,
		.page_size = 2048,
		.hwpt_id = 3,
		.pid = 42,
		.tid = 42,
		.op = op,
		.ret = ret,
		.dirty_pages = pages,
		.dirty_records = pages,
		.dirty_bytes = pages * 2048,
		/* As traced with --iopte-stats. */
		.dirty_flags = DS_DIRTY_BITMAP | DS_DIRTY_RECORDS,
	};

	e.flags = op == DS_OP_SYNC_NOCLEAR ? DS_GET_DIRTY_NO_CLEAR : 0;
	strcpy(e.comm, "qemu,kvm");
	return e;
}

static void counts_and_csv(void **state)
{
	struct sink *s = calloc(1, sizeof(*s));
	struct trace_report *r = &s->r;
	struct ds_size_hist sizes[DS_SIZES__COUNT] = {
		/* Two 4 KiB maps, one 4 KiB unmap: counted in the kernel. */
		[DS_SIZES_MAP] = { .count = 2, .bytes = 8192, .max = 4096 },
		[DS_SIZES_UNMAP] = { .count = 1, .bytes = 4096, .max = 4096 },
	};
	struct ds_event flush = { .op = DS_OP_IOTLB_FLUSH,
				  .dur_ns = 700,
				  .aux = DS_CAUSE_UNMAP };
	struct ds_event e;
	char *csv;

	(void)state;
	assert_non_null(mkdtemp(dir));
	open_sink(s, dir);
	sizes[DS_SIZES_MAP].bucket[hist_index(4096)] = 2;
	sizes[DS_SIZES_UNMAP].bucket[hist_index(4096)] = 1;
	report_sizes(r, sizes);
	add(s, &flush);
	e = sync_ev(DS_OP_SYNC_NOCLEAR, 10, 0);
	e.walk_ns = 3000;
	e.walk_calls = 1;
	add(s, &e);
	e = sync_ev(DS_OP_READ_CLEAR, 10, 0);
	e.seq = 2;
	e.redirty_pages = 4;
	add(s, &e);
	e = sync_ev(DS_OP_READ_CLEAR, 0, -22);
	add(s, &e);
	r->counters[DS_CNT_BITMAP_SET] = 20;
	r->counters[DS_CNT_DROPS] = 3;

	assert_int_equal(r->consumed, 4);
	assert_int_equal(r->total.row[DS_OP_MAP].bytes, 8192);
	assert_int_equal(r->total.row[DS_OP_UNMAP].bytes, 4096);
	assert_int_equal(r->total.row[DS_OP_READ_CLEAR].count, 2);
	assert_int_equal(r->total.row[DS_OP_READ_CLEAR].errors, 1);
	assert_int_equal(r->total.row[DS_OP_READ_CLEAR].dirty_pages, 10);
	assert_int_equal(r->total.row[DS_OP_READ_CLEAR].redirty_base, 10);
	assert_int_equal(r->total.row[DS_OP__COUNT + DS_CAUSE_UNMAP].count, 1);
	assert_int_equal(report_csv_write(&s->c, r), 0);

	csv = slurp("summary.csv");
	assert_non_null(csv);
	assert_non_null(strstr(csv, "op,count,errors,bytes,dirty_pages,"
				    "dirty_records,redirty_pages,"
				    "redirty_base_pages,walk_ns,"
				    "iotlb_invalidations,iotlb_ns,lat_p50_ns,"
				    "lat_p90_ns,lat_p99_ns,lat_p999_ns,"
				    "lat_max_ns,lat_sum_ns,dirty_bytes,"
				    "dirty_unknown\n"));
	assert_non_null(strstr(csv, "\nmap,2,0,8192,0,0,0,0,0,0,0,0,0,0,0,0,"
				    "0,0,0\n"));
	assert_non_null(strstr(csv, "\nunmap,1,0,4096,"));
	assert_non_null(strstr(csv, "\nsync_noclear,1,0,1048576,10,10,0,0,"
				    "3000,0,0,5000,5000,5000,5000,5000,"
				    "5000,20480,0\n"));
	assert_non_null(strstr(csv, "\nread_clear,2,1,2097152,10,10,4,10,0,"));
	assert_non_null(strstr(csv, "\niotlb_flush,1,0,0,"));
	assert_non_null(strstr(csv, "\niotlb_flush:unmap,1,0,0,0,0,0,0,0,0,0,"
				    "700,700,700,700,700,700,0,0\n"));
	assert_non_null(strstr(csv, "\niotlb_flush:other,0,"));
	assert_non_null(strstr(csv, "\nbitmap_set,20,"));
	assert_non_null(strstr(csv, "\nlost_events,3,"));

	csv = slurp("syncs.csv");
	assert_non_null(csv);
	assert_non_null(strstr(csv, "ts_ns,pid,comm,op,hwpt,iova,length,"
				    "page_size,flags,dirty_pages,"
				    "dirty_records,redirty_pages,seq,walk_ns,"
				    "walk_calls,iotlb_invalidations,iotlb_ns,"
				    "ret,total_ns,tid,dirty_bytes\n"));
	assert_non_null(strstr(csv, "\n100,42,\"qemu,kvm\",sync_noclear,3,"
				    "16777216,1048576,2048,1,10,10,0,0,3000,1,"
				    "0,0,0,5000,42,20480\n"));
	assert_non_null(strstr(csv, ",read_clear,3,16777216,1048576,2048,0,"
				    "10,10,4,2,0,0,0,0,0,5000,42,20480\n"));
	assert_non_null(strstr(csv, ",read_clear,3,16777216,1048576,2048,0,"
				    "0,0,0,0,0,0,0,0,-22,5000,42,0\n"));

	csv = slurp("histograms.csv");
	assert_non_null(csv);
	assert_non_null(strstr(csv, "op,kind,bucket_low,bucket_high,count\n"));
	/* 4096 falls in [4096, 4223]: 32 buckets per power of two. */
	assert_non_null(strstr(csv, "\nmap,size_bytes,4096,4223,2\n"));
	assert_non_null(strstr(csv, "\nunmap,size_bytes,4096,4223,1\n"));
	assert_non_null(strstr(csv, "\niotlb_flush:unmap,latency_ns,688,"
				    "703,1\n"));
	report_csv_abort(&s->c);
	free(s);
	{
		const char *names[] = { "summary.csv", "syncs.csv",
					"histograms.csv" };
		char path[600];

		for (int i = 0; i < 3; i++) {
			snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
			unlink(path);
		}
	}
}

/*
 * What was not counted is not shown as 0: a read whose bitmap could not be
 * counted has no dirty_pages, one traced without --iopte-stats no
 * dirty_records or dirty_bytes; both say so in the summary.
 */
static void uncounted_fields_are_empty(void **state)
{
	struct sink *s = calloc(1, sizeof(*s));
	struct trace_report *r = &s->r;
	struct ds_event e = sync_ev(DS_OP_SYNC_NOCLEAR, 7, 0);
	char *text = NULL, path[600], *csv;
	size_t len;
	FILE *out;

	(void)state;
	open_sink(s, dir);
	e.dirty_flags = DS_DIRTY_BITMAP;
	e.dirty_records = e.dirty_bytes = 0;
	add(s, &e);
	e.dirty_flags = DS_DIRTY_BITMAP | DS_DIRTY_UNKNOWN;
	e.dirty_pages = 0;
	add(s, &e);
	assert_int_equal(r->total.row[DS_OP_SYNC_NOCLEAR].count, 2);
	assert_int_equal(r->total.row[DS_OP_SYNC_NOCLEAR].dirty_pages, 7);
	assert_int_equal(r->total.row[DS_OP_SYNC_NOCLEAR].dirty_unknown, 1);

	out = open_memstream(&text, &len);
	assert_non_null(out);
	r->counters[DS_CNT_BITMAP_SET] = 5;
	report_print(r, out);
	fclose(out);
	assert_non_null(strstr(text, "\ndirty reads whose bitmap could not be "
				     "counted: 1 (their pages are not in "
				     "DIRTY_PG)\n"));
	/* The probe was not loaded: no line about its calls. */
	assert_null(strstr(text, "iova_bitmap_set"));
	free(text);
	out = open_memstream(&text, &len);
	assert_non_null(out);
	r->iopte_stats = true;
	report_print(r, out);
	fclose(out);
	assert_non_null(strstr(text, "\niova_bitmap_set calls: 5 (0 outside a "
				     "traced dirty read)\n"));
	free(text);

	assert_int_equal(report_csv_write(&s->c, r), 0);
	csv = slurp("syncs.csv");
	assert_non_null(csv);
	assert_non_null(strstr(csv, ",sync_noclear,3,16777216,1048576,2048,1,"
				    "7,,0,0,0,0,0,0,0,5000,42,\n"));
	assert_non_null(strstr(csv, ",sync_noclear,3,16777216,1048576,2048,1,"
				    ",,0,0,0,0,0,0,0,5000,42,\n"));
	csv = slurp("summary.csv");
	assert_non_null(csv);
	assert_non_null(strstr(csv, "\nsync_noclear,2,0,2097152,7,0,0,0,0,0,0,"
				    "5000,5000,5000,5000,5000,10000,0,1\n"));
	free(s);
	snprintf(path, sizeof(path), "rm -f %s/*.csv", dir);
	assert_int_equal(system(path), 0);
}

/* --hwpt: events naming another hwpt are dropped, others kept. */
static void hwpt_filter(void **state)
{
	struct sink *s = calloc(1, sizeof(*s));
	struct trace_report *r = &s->r;
	struct ds_event map = { .op = DS_OP_MAP_CALL, .length = 4096 };
	struct ds_event e = sync_ev(DS_OP_READ_CLEAR, 5, 0);

	(void)state;
	open_sink(s, NULL);
	r->hwpt_filter = 4;
	add(s, &map);
	add(s, &e);
	e.hwpt_id = 4;
	add(s, &e);
	assert_int_equal(r->consumed, 3);
	assert_int_equal(r->total.row[DS_OP_MAP_CALL].count, 1);
	assert_int_equal(r->total.row[DS_OP_READ_CLEAR].count, 1);
	free(s);
}

/* map/unmap come as cumulative kernel counts: each call adds what changed
 * to the run and to the interval. */
static void sizes_from_the_kernel(void **state)
{
	struct sink *s = calloc(1, sizeof(*s));
	struct trace_report *r = &s->r;
	struct ds_size_hist *now = calloc(DS_SIZES__COUNT, sizeof(*now));
	FILE *out = fopen("/dev/null", "w");
	struct ds_size_hist *map = &now[DS_SIZES_MAP];
	const struct op_stats *o;

	(void)state;
	open_sink(s, NULL);
	/* Two 4 KiB maps and one 2 MiB map, one 4 KiB unmap. */
	map->count = 3;
	map->bytes = 2 * 4096 + (2 << 20);
	map->max = 2 << 20;
	map->bucket[hist_index(4096)] = 2;
	map->bucket[hist_index(2 << 20)] = 1;
	now[DS_SIZES_UNMAP].count = 1;
	now[DS_SIZES_UNMAP].bytes = 4096;
	now[DS_SIZES_UNMAP].max = 4096;
	now[DS_SIZES_UNMAP].bucket[hist_index(4096)] = 1;
	report_sizes(r, now);
	interval(s, out, 1000);
	/* Then one more 4 KiB map. */
	map->count++;
	map->bytes += 4096;
	map->bucket[hist_index(4096)]++;
	report_sizes(r, now);

	o = &r->total.row[DS_OP_MAP];
	assert_int_equal(o->count, 4);
	assert_int_equal(o->bytes, 3 * 4096 + (2 << 20));
	assert_int_equal(o->size.count, 4);
	assert_int_equal(o->size.max, 2 << 20);
	/* As for latencies: the top of the bucket (3 % wide). */
	assert_int_equal(hist_quantile(&o->size, 0.5),
			 hist_bucket_high(hist_index(4096)));
	assert_int_equal(hist_quantile(&o->size, 1.0), 2 << 20);
	assert_int_equal(r->total.row[DS_OP_UNMAP].bytes, 4096);
	/* The second interval has only the last map: its max is the top
	 * of the 4 KiB bucket, not the run's 2 MiB. */
	o = &r->interval.row[DS_OP_MAP];
	assert_int_equal(o->count, 1);
	assert_int_equal(o->bytes, 4096);
	assert_int_equal(o->size.max, hist_bucket_high(hist_index(4096)));
	assert_int_equal(r->interval.row[DS_OP_UNMAP].count, 0);
	/* Counted, not consumed: no event came through the ring. */
	assert_int_equal(r->consumed, 0);
	fclose(out);
	free(now);
	free(s);
}

/* One call of dur ns into the kernel's cumulative stats, as call_end() in
 * bpf/trace.bpf.c counts it. */
static void kernel_call(struct ds_call_stats *c, uint64_t dur, long ret,
			uint64_t bytes, uint32_t flushes, uint64_t flush_ns)
{
	if (!c->count || dur < c->lat_min)
		c->lat_min = dur;
	if (dur > c->lat_max)
		c->lat_max = dur;
	c->count++;
	c->errors += ret < 0;
	c->bytes += bytes;
	c->iotlb_flushes += flushes;
	c->iotlb_ns += flush_ns;
	c->lat_sum += dur;
	c->bucket[ds_hist_index(dur)]++;
}

/* A row's latencies, made from the kernel's buckets, against a user-space
 * histogram of the same durations: count, sum, the exact minimum and
 * maximum, and every percentile. */
static void assert_same_latencies(const struct hist *got,
				  const struct hist *want, uint64_t min,
				  uint64_t max)
{
	unsigned int i;

	assert_int_equal(got->count, want->count);
	assert_int_equal(got->sum, want->sum);
	assert_int_equal(got->min, min);
	assert_int_equal(got->max, max);
	for (i = 1; i <= 100; i++)
		assert_int_equal(hist_quantile(got, i / 100.0),
				 hist_quantile(want, i / 100.0));
}

/* map/unmap calls and qi submissions come as cumulative kernel counts
 * too: the run's count, errors, bytes, flushes, latency sum, min, max and
 * every percentile equal what a histogram of the same calls in user space
 * gives. */
static void calls_from_the_kernel(void **state)
{
	static const uint64_t lat[] = { 900, 1500, 1520, 40000, 2100, 1000 };
	struct sink *s = calloc(1, sizeof(*s));
	struct trace_report *r = &s->r;
	struct ds_call_stats *now = calloc(DS_CALLS__COUNT, sizeof(*now));
	struct ds_call_stats *map = &now[DS_CALLS_MAP];
	FILE *out = fopen("/dev/null", "w");
	const struct op_stats *o;
	struct hist want;
	unsigned int i;

	(void)state;
	open_sink(s, NULL);
	hist_init(&want);
	/* Four 4 KiB maps, the second failing; one unmap with a flush. */
	for (i = 0; i < 4; i++) {
		kernel_call(map, lat[i], i == 1 ? -12 : 0, 4096, 0, 0);
		hist_add(&want, lat[i]);
	}
	kernel_call(&now[DS_CALLS_UNMAP], 5000, 0, 4096, 1, 700);
	kernel_call(&now[DS_CALLS_QI], 3000, -110, 0, 0, 0);
	report_calls(r, now);
	interval(s, out, 1000);
	/* Then two more maps, in the second interval. */
	for (; i < 6; i++) {
		kernel_call(map, lat[i], 0, 8192, 0, 0);
		hist_add(&want, lat[i]);
	}
	report_calls(r, now);

	o = &r->total.row[DS_OP_MAP_CALL];
	assert_int_equal(o->count, 6);
	assert_int_equal(o->errors, 1);
	assert_int_equal(o->bytes, 4 * 4096 + 2 * 8192);
	assert_same_latencies(&o->lat, &want, 900, 40000);
	o = &r->total.row[DS_OP_UNMAP_CALL];
	assert_int_equal(o->count, 1);
	assert_int_equal(o->iotlb_flushes, 1);
	assert_int_equal(o->iotlb_ns, 700);
	assert_int_equal(o->lat.min, 5000);
	assert_int_equal(o->lat.max, 5000);
	o = &r->total.row[DS_OP_QI_SUBMIT];
	assert_int_equal(o->count, 1);
	assert_int_equal(o->errors, 1);
	assert_int_equal(o->bytes, 0);
	assert_int_equal(o->lat.sum, 3000);
	/* The second interval: its two maps, bounded to their buckets. */
	o = &r->interval.row[DS_OP_MAP_CALL];
	assert_int_equal(o->count, 2);
	assert_int_equal(o->errors, 0);
	assert_int_equal(o->lat.sum, 2100 + 1000);
	assert_int_equal(o->lat.min, hist_bucket_low(hist_index(1000)));
	assert_int_equal(o->lat.max, hist_bucket_high(hist_index(2100)));
	assert_int_equal(r->interval.row[DS_OP_UNMAP_CALL].count, 0);
	assert_int_equal(r->consumed, 0);
	fclose(out);
	free(now);
	free(s);
}

/* Walks and IOTLB flushes counted in the kernel: the walk row as the
 * calls', each cause's row from its own entry, and the flushes' row their
 * sum: count, latency sum, the run's exact minimum and maximum across the
 * causes, and percentiles equal to a histogram of every flush. */
static void walks_and_flushes_from_the_kernel(void **state)
{
	static const struct {
		unsigned int cause;
		uint64_t dur;
	} flush[] = {
		{ DS_CAUSE_DIRTY_CLEAR, 7000 }, { DS_CAUSE_DIRTY_CLEAR, 7400 },
		{ DS_CAUSE_UNMAP, 3100 },	{ DS_CAUSE_OTHER, 90000 },
		{ DS_CAUSE_DIRTY_CLEAR, 6900 }, { DS_CAUSE_MAP, 2500 },
	};
	struct sink *s = calloc(1, sizeof(*s));
	struct trace_report *r = &s->r;
	struct ds_call_stats *now = calloc(DS_CALLS__COUNT, sizeof(*now));
	FILE *out = fopen("/dev/null", "w");
	const struct op_stats *o;
	struct report_sums sums;
	struct hist want;
	unsigned int i;

	(void)state;
	open_sink(s, NULL);
	hist_init(&want);
	kernel_call(&now[DS_CALLS_WALK], 20000, 0, 2 << 20, 0, 0);
	kernel_call(&now[DS_CALLS_WALK], 21000, -22, 1 << 20, 0, 0);
	for (i = 0; i < 4; i++) {
		kernel_call(&now[DS_CALLS_FLUSH + flush[i].cause], flush[i].dur,
			    0, 0, 0, 0);
		hist_add(&want, flush[i].dur);
	}
	report_calls(r, now);
	interval(s, out, 1000);
	for (; i < 6; i++) {
		kernel_call(&now[DS_CALLS_FLUSH + flush[i].cause], flush[i].dur,
			    0, 0, 0, 0);
		hist_add(&want, flush[i].dur);
	}
	report_calls(r, now);

	o = &r->total.row[DS_OP_WALK];
	assert_int_equal(o->count, 2);
	assert_int_equal(o->errors, 1);
	assert_int_equal(o->bytes, 3 << 20);
	assert_int_equal(o->lat.sum, 41000);
	o = &r->total.row[DS_OP_IOTLB_FLUSH];
	assert_int_equal(o->count, 6);
	assert_int_equal(o->bytes, 0);
	assert_same_latencies(&o->lat, &want, 2500, 90000);
	o = &r->total.row[DS_OP__COUNT + DS_CAUSE_DIRTY_CLEAR];
	assert_int_equal(o->count, 3);
	assert_int_equal(o->lat.sum, 7000 + 7400 + 6900);
	assert_int_equal(o->lat.min, 6900);
	assert_int_equal(o->lat.max, 7400);
	assert_int_equal(r->total.row[DS_OP__COUNT + DS_CAUSE_UNMAP].count, 1);
	assert_int_equal(r->total.row[DS_OP__COUNT + DS_CAUSE_OTHER].count, 1);
	assert_int_equal(r->total.row[DS_OP__COUNT + DS_CAUSE_MAP].count, 1);
	assert_int_equal(r->total.row[DS_OP__COUNT + DS_CAUSE_TRACKING].count,
			 0);
	/* The second interval: one clear's flush and one map's. */
	o = &r->interval.row[DS_OP_IOTLB_FLUSH];
	assert_int_equal(o->count, 2);
	assert_int_equal(o->lat.sum, 6900 + 2500);
	assert_int_equal(r->interval.row[DS_OP_WALK].count, 0);
	/* What bench takes from a round. */
	report_interval_sums(r, &sums);
	assert_int_equal(sums.iotlb_flushes, 2);
	assert_int_equal(sums.iotlb_ns, 6900 + 2500);
	assert_int_equal(r->consumed, 0);
	fclose(out);
	free(now);
	free(s);
}

/* An interval prints its own counts, goes to intervals.csv, and resets;
 * each says what the ring buffer lost during it (the drop counter is
 * cumulative, the rows are not). */
static void intervals(void **state)
{
	struct sink *s = calloc(1, sizeof(*s));
	struct trace_report *r = &s->r;
	struct ds_event e = sync_ev(DS_OP_READ_CLEAR, 5, 0);
	FILE *out = fopen("/dev/null", "w");
	char path[600], *csv;

	(void)state;
	open_sink(s, dir);
	add(s, &e);
	add(s, &e);
	r->counters[DS_CNT_DROPS] = 7;
	interval(s, out, 1000);
	add(s, &e);
	interval(s, out, 2000);
	r->counters[DS_CNT_DROPS] = 10;
	interval(s, out, 3000);
	assert_int_equal(r->total.row[DS_OP_READ_CLEAR].count, 3);
	assert_int_equal(r->interval.row[DS_OP_READ_CLEAR].count, 0);
	assert_int_equal(report_csv_write(&s->c, r), 0);
	csv = slurp("intervals.csv");
	assert_non_null(csv);
	assert_string_equal(csv,
			    "interval,ts_ns,op,count,errors,bytes,dirty_pages,"
			    "lat_p50_ns,lat_p99_ns,lat_max_ns\n"
			    "1,1000,read_clear,2,0,2097152,10,5000,5000,5000\n"
			    "1,1000,lost_events,7,0,0,0,0,0,0\n"
			    "2,2000,read_clear,1,0,1048576,5,5000,5000,5000\n"
			    "2,2000,lost_events,0,0,0,0,0,0,0\n"
			    "3,3000,lost_events,3,0,0,0,0,0,0\n");
	fclose(out);
	free(s);
	snprintf(path, sizeof(path), "rm -f %s/*.csv", dir);
	assert_int_equal(system(path), 0);
}

static struct ds_event vmm_ev(unsigned int op, uint64_t ts, uint64_t dur,
			      uint64_t aux)
{
	struct ds_event e = { .ts_ns = ts, .dur_ns = dur, .aux = aux, .op = op };

	return e;
}

static void add_vmm(struct sink *s, unsigned int op, uint64_t ts, uint64_t dur,
		    uint64_t aux)
{
	struct ds_event e = vmm_ev(op, ts, dur, aux);

	add(s, &e);
}

/* A qemu_round event, with the kernel's flush total at its start. */
static void add_round(struct sink *s, uint64_t ts, uint64_t last_stage,
		      uint32_t flushes, uint64_t flush_ns)
{
	struct ds_event e = vmm_ev(DS_OP_QEMU_ROUND, ts, 0, last_stage);

	e.iotlb_flushes = flushes;
	e.iotlb_ns = flush_ns;
	add(s, &e);
}

/*
 * trace -p QEMU: each qemu_round starts a row, and every event after it
 * counts in that row; before the first round, in none. The sync's timed
 * event comes at its return, after the kernel's reads it made. A round's
 * IOTLB flushes are what the kernel's total grew by until the next round
 * (the total is kept modulo 2^32 in the event), the last round's until
 * the snapshot.
 */
static void vmm_rounds(void **state)
{
	struct sink *s = calloc(1, sizeof(*s));
	struct trace_report *r = &s->r;
	struct trace_snapshot *snap = calloc(1, sizeof(*snap));
	struct ds_event rd = sync_ev(DS_OP_READ_CLEAR, 5, 0);
	FILE *out = fopen("/dev/null", "w"), *json;
	char path[600], *csv, *doc = NULL;
	size_t len = 0;

	(void)state;
	open_sink(s, dir);
	r->vmm = true;
	add(s, &rd); /* before any round: in the totals only */
	add_vmm(s, DS_OP_QEMU_LOG_START, 900, 0, 0);
	add_round(s, 1000, 0, UINT32_MAX, 9000);
	add_vmm(s, DS_OP_QEMU_LOG_SYNC, 1001, 0, 0);
	add_vmm(s, DS_OP_QEMU_VFIO_READ, 1002, 40, 0);
	add(s, &rd);
	add_vmm(s, DS_OP_QEMU_SYNC, 1000, 700, 0);
	add(s, &rd);
	add_round(s, 5000, 1, 0, 9300);
	add_vmm(s, DS_OP_QEMU_LOG_SYNC, 5001, 0, 1);
	add_vmm(s, DS_OP_QEMU_SYNC, 5000, 90, 1);
	snap->flushes = (1ull << 32) + 3;
	snap->flush_ns = 9900;
	report_snapshot(r, snap);
	assert_int_equal(r->nrounds, 2);
	assert_int_equal(r->total.row[DS_OP_READ_CLEAR].count, 3);
	assert_int_equal(r->total.row[DS_OP_QEMU_ROUND].count, 2);
	assert_int_equal(r->total.row[DS_OP_QEMU_SYNC].lat.sum, 790);
	report_print(r, out);
	json = open_memstream(&doc, &len);
	assert_int_equal(report_print_json(r, &r->total, false, json), 0);
	fclose(json);
	assert_non_null(strstr(doc,
			       "\"rounds\":[{\"round\":1,\"start_ns\":1000,"
			       "\"last_stage\":0,\"syncs\":1,\"sync_ns\":700,"
			       "\"vmm_reads\":1,\"dirty_reads\":2,"
			       "\"dirty_pages\":10,"
			       "\"iotlb_invalidations\":1,\"iotlb_ns\":300},"
			       "{\"round\":2,"));
	free(doc);
	assert_int_equal(report_csv_write(&s->c, r), 0);
	csv = slurp("rounds.csv");
	assert_non_null(csv);
	assert_string_equal(csv, "round,start_ns,last_stage,syncs,sync_ns,"
				 "vmm_reads,dirty_reads,dirty_pages,"
				 "iotlb_invalidations,iotlb_ns\n"
				 "1,1000,0,1,700,1,2,10,1,300\n"
				 "2,5000,1,1,90,0,0,0,3,600\n");
	fclose(out);
	report_free(r);
	free(snap);
	free(s);
	snprintf(path, sizeof(path), "rm -f %s/*.csv", dir);
	assert_int_equal(system(path), 0);
}

/* Without a VMM followed there is no rounds.csv. */
static void no_vmm_no_rounds(void **state)
{
	struct sink *s = calloc(1, sizeof(*s));
	struct ds_event e = vmm_ev(DS_OP_QEMU_ROUND, 1000, 0, 0);
	char path[600];

	(void)state;
	open_sink(s, dir);
	add(s, &e);
	assert_int_equal(report_csv_write(&s->c, &s->r), 0);
	assert_null(slurp("rounds.csv"));
	assert_non_null(slurp("summary.csv"));
	report_free(&s->r);
	free(s);
	snprintf(path, sizeof(path), "rm -f %s/*.csv", dir);
	assert_int_equal(system(path), 0);
}

static void abort_writes_nothing(void **state)
{
	struct sink *s = calloc(1, sizeof(*s));
	struct ds_event e = sync_ev(DS_OP_READ_CLEAR, 1, 0);

	(void)state;
	open_sink(s, dir);
	add(s, &e);
	report_csv_abort(&s->c);
	free(s);
	assert_null(slurp("syncs.csv"));
	assert_null(slurp("summary.csv"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(counts_and_csv),
		cmocka_unit_test(uncounted_fields_are_empty),
		cmocka_unit_test(hwpt_filter),
		cmocka_unit_test(sizes_from_the_kernel),
		cmocka_unit_test(calls_from_the_kernel),
		cmocka_unit_test(walks_and_flushes_from_the_kernel),
		cmocka_unit_test(intervals),
		cmocka_unit_test(vmm_rounds),
		cmocka_unit_test(no_vmm_no_rounds),
		cmocka_unit_test(abort_writes_nothing),
	};
	int ret =
		cmocka_run_group_tests_name("trace_report", tests, NULL, NULL);
	char cmd[64];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		return 1;
	return ret;
}
