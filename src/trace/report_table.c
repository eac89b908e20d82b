// SPDX-License-Identifier: GPL-2.0
/* trace's terminal tables. */
#include <inttypes.h>
#include <stdio.h>
#include <time.h>
#include "report_output.h"

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
			ds_op_name(i), o->count, o->errors, o->bytes);
		if (ds_op_is_dirty_read(i))
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

		if (!(ds_op_is_dirty_read(i)) || !o->count)
			continue;
		if (!header) {
			fprintf(out, "\n%-20s %8s %9s %8s %10s %6s %9s %10s\n",
				"DIRTY READS", "COUNT", "DIRTY_PG", "REDIRTY%",
				"WALK_MS", "WALK%", "IOTLB_INV", "TOTAL_MS");
			header = true;
		}
		fprintf(out, "%-20s %8" PRIu64 " %9" PRIu64, ds_op_name(i),
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

/* "2 MiB": sizes in the largest unit that divides them. */
static const char *size_str(uint64_t v, char *buf, size_t len)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	unsigned int u = 0;

	while (u < 4 && v >= 1024 && !(v % 1024)) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, "%" PRIu64 " %s", v, unit[u]);
	return buf;
}

/* The dirty granularity: how large the IOPTEs behind the dirty reads
 * were, and how many and how much a read reported on average. IOPTE
 * sizes are powers of two, each the low end of its histogram bucket. */
static void print_ioptes(const struct report_stats *s, FILE *out)
{
	const struct hist *h = &s->row[DS_OP_DIRTY_IOPTE].size;
	char buf[32];
	unsigned int b, i;

	if (!h->count)
		return;
	fprintf(out, "\n%-20s %8s\n", "DIRTY IOPTES", "COUNT");
	for (b = 0; b < HIST_BUCKETS; b++)
		if (h->bucket[b])
			fprintf(out, "%-20s %8" PRIu64 "\n",
				size_str(hist_bucket_low(b), buf, sizeof(buf)),
				h->bucket[b]);
	for (i = 0; i < DS_OP__COUNT; i++) {
		const struct op_stats *o = &s->row[i];

		if (!ds_op_is_dirty_read(i) || !o->count || !o->dirty_records)
			continue;
		fprintf(out,
			"%s: %.1f dirty IOPTEs and %s per read (%" PRIu64
			" reads)\n",
			ds_op_name(i), (double)o->dirty_records / o->count,
			size_str(o->dirty_bytes / o->count, buf, sizeof(buf)),
			o->count);
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
		fprintf(out, "%-20s %8" PRIu64 " %10.3f", ds_cause_name(c),
			o->count, o->lat.sum / 1e6);
		print_us(out, &o->lat, 0.50);
		print_us(out, &o->lat, 0.99);
		print_us(out, &o->lat, 1.0);
		fputc('\n', out);
	}
}

/* The traced VMM's rounds (trace -p): each from one dirty bitmap sync to
 * the next, with the kernel's work that fell in it. */
static void print_rounds(const struct trace_report *r, FILE *out)
{
	if (!r->vmm)
		return;
	fprintf(out, "\n%-8s %10s %6s %9s %9s %11s %9s %9s %9s\n", "ROUND",
		"START_MS", "SYNCS", "SYNC_MS", "VMM_READS", "DIRTY_READS",
		"DIRTY_PG", "IOTLB_INV", "IOTLB_MS");
	for (size_t i = 0; i < r->nrounds; i++) {
		const struct vmm_round *w = &r->rounds[i];

		fprintf(out,
			"%-8zu %10.3f %6" PRIu64 " %9.3f %9" PRIu64
			" %11" PRIu64 " %9" PRIu64 " %9" PRIu64 " %9.3f%s\n",
			i + 1, (w->start_ns - r->rounds[0].start_ns) / 1e6,
			w->log_syncs, w->sync_ns / 1e6, w->vmm_reads,
			w->dirty_reads, w->dirty_pages, w->iotlb_flushes,
			w->iotlb_ns / 1e6, w->last_stage ? " (last)" : "");
	}
	fprintf(out, "rounds: %zu", r->nrounds);
	if (r->rounds_lost)
		fprintf(out, " (%" PRIu64 " more not kept: out of memory)",
			r->rounds_lost);
	fputc('\n', out);
}

void report_print(const struct trace_report *r, FILE *out)
{
	uint64_t unknown = 0;
	unsigned int i;

	print_ops(&r->total, out);
	print_dirty_reads(&r->total, out);
	print_ioptes(&r->total, out);
	print_flushes(&r->total, out);
	print_rounds(r, out);
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

void report_print_interval(const struct trace_report *r, FILE *out)
{
	char when[16] = "";
	time_t now = time(NULL);
	struct tm tm;

	if (localtime_r(&now, &tm))
		strftime(when, sizeof(when), "%H:%M:%S", &tm);
	fprintf(out, "%s (lost so far: %" PRIu64 ")\n", when,
		r->counters[DS_CNT_DROPS]);
	print_ops(&r->interval, out);
	fputc('\n', out);
}
