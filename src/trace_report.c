// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include "trace_report.h"

static const char *const op_names[DS_OP__COUNT] = {
	[DS_OP_MAP] = "map",
	[DS_OP_UNMAP] = "unmap",
	[DS_OP_SET_TRACKING] = "set_tracking",
	[DS_OP_SYNC_NOCLEAR] = "sync_noclear",
	[DS_OP_READ_CLEAR] = "read_clear",
};

#define SYNCS_HEADER                                                      \
	"ts_ns,pid,comm,op,hwpt,iova,length,page_size,flags,dirty_pages," \
	"dirty_records,ret,total_ns\n"
#define SUMMARY_HEADER                                                \
	"op,count,errors,bytes,dirty_pages,dirty_records,lat_p50_ns," \
	"lat_p99_ns,lat_max_ns,lat_sum_ns\n"

const char *ds_op_name(unsigned int op)
{
	return op < DS_OP__COUNT ? op_names[op] : "unknown";
}

int report_init(struct trace_report *r, const char *csv_dir)
{
	int i, err;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < DS_OP__COUNT; i++)
		hist_init(&r->op[i].lat);
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

static bool is_sync(unsigned int op)
{
	return op == DS_OP_SYNC_NOCLEAR || op == DS_OP_READ_CLEAR;
}

static void write_sync_row(FILE *f, const struct ds_event *e)
{
	char comm[DS_COMM_LEN + 1];

	memcpy(comm, e->comm, DS_COMM_LEN);
	comm[DS_COMM_LEN] = '\0';
	fprintf(f, "%" PRIu64 ",%u,", (uint64_t)e->ts_ns, e->pid);
	csv_field(f, comm);
	fprintf(f,
		",%s,%u,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%u,%" PRIu64
		",%u,%d,%" PRIu64 "\n",
		ds_op_name(e->op), e->hwpt_id, (uint64_t)e->iova,
		(uint64_t)e->length, (uint64_t)e->page_size, e->flags,
		(uint64_t)e->dirty_pages, e->dirty_records, e->ret,
		(uint64_t)e->dur_ns);
}

void report_add(struct trace_report *r, const struct ds_event *e)
{
	struct op_stats *s;

	r->consumed++;
	if (e->op >= DS_OP__COUNT)
		return;
	s = &r->op[e->op];
	s->count++;
	if (e->ret < 0)
		s->errors++;
	switch (e->op) {
	case DS_OP_MAP:
		s->bytes += e->length;
		break;
	case DS_OP_UNMAP:
		s->bytes += e->aux; /* what was unmapped, not asked */
		break;
	case DS_OP_SYNC_NOCLEAR:
	case DS_OP_READ_CLEAR:
		s->bytes += e->length;
		s->dirty_pages += e->dirty_pages;
		s->dirty_records += e->dirty_records;
		break;
	}
	/* Tracepoints are instants: only probes with an exit are timed. */
	if (e->op != DS_OP_MAP && e->op != DS_OP_UNMAP)
		hist_add(&s->lat, e->dur_ns);
	if (is_sync(e->op) && r->syncs.f)
		write_sync_row(r->syncs.f, e);
}

static void print_us(FILE *out, const struct hist *h, uint64_t ns)
{
	if (!h->count)
		fprintf(out, " %10s", "-");
	else
		fprintf(out, " %10.1f", ns / 1e3);
}

void report_print(const struct trace_report *r, FILE *out)
{
	int i;

	fprintf(out, "%-14s %9s %6s %14s %11s %10s %10s %10s\n", "OPERATION",
		"COUNT", "ERRORS", "BYTES", "DIRTY_PAGES", "P50_US", "P99_US",
		"MAX_US");
	for (i = 0; i < DS_OP__COUNT; i++) {
		const struct op_stats *s = &r->op[i];

		fprintf(out, "%-14s %9" PRIu64 " %6" PRIu64 " %14" PRIu64,
			op_names[i], s->count, s->errors, s->bytes);
		if (is_sync(i))
			fprintf(out, " %11" PRIu64, s->dirty_pages);
		else
			fprintf(out, " %11s", "-");
		print_us(out, &s->lat, hist_quantile(&s->lat, 0.50));
		print_us(out, &s->lat, hist_quantile(&s->lat, 0.99));
		print_us(out, &s->lat, s->lat.max);
		fputc('\n', out);
	}
	fprintf(out,
		"iova_bitmap_set calls: %" PRIu64 " (%" PRIu64
		" outside a traced read)\n",
		r->counters[DS_CNT_BITMAP_SET],
		r->counters[DS_CNT_BITMAP_SET_ORPHAN]);
	fprintf(out,
		"events: %" PRIu64 " consumed, %" PRIu64
		" lost (ring buffer full) in %.3f s\n",
		r->consumed, r->counters[DS_CNT_DROPS], r->duration_ns / 1e9);
}

static void write_summary(const struct trace_report *r, FILE *f)
{
	int i;

	fputs(SUMMARY_HEADER, f);
	for (i = 0; i < DS_OP__COUNT; i++) {
		const struct op_stats *s = &r->op[i];

		fprintf(f,
			"%s,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
			",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
			",%" PRIu64 "\n",
			op_names[i], s->count, s->errors, s->bytes,
			s->dirty_pages, s->dirty_records,
			hist_quantile(&s->lat, 0.50),
			hist_quantile(&s->lat, 0.99), s->lat.max, s->lat.sum);
	}
	/* Pseudo-operations: counts that are not events. */
	fprintf(f, "bitmap_set,%" PRIu64 ",0,0,0,0,0,0,0,0\n",
		r->counters[DS_CNT_BITMAP_SET]);
	fprintf(f, "bitmap_set_orphan,%" PRIu64 ",0,0,0,0,0,0,0,0\n",
		r->counters[DS_CNT_BITMAP_SET_ORPHAN]);
	fprintf(f, "lost_events,%" PRIu64 ",0,0,0,0,0,0,0,0\n",
		r->counters[DS_CNT_DROPS]);
}

int report_write_csv(struct trace_report *r)
{
	struct outfile sum;
	int err;

	if (!r->csv_dir)
		return 0;
	err = outfile_open(&sum, r->csv_dir, "summary.csv");
	if (err)
		return err;
	write_summary(r, sum.f);
	err = outfile_commit(&sum);
	if (err)
		return err;
	return outfile_commit(&r->syncs);
}

void report_abort(struct trace_report *r)
{
	outfile_abort(&r->syncs);
}
