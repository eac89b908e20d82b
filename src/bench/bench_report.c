// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "bench_report.h"
#include "json.h"
#include "outfile.h"
#include "stats.h"

#define RUNS_HEADER                                                       \
	"run,strategy,backend,size_bytes,page_size,chunk_bytes,rounds,"   \
	"pages_sent,pages_redundant,redundant_pct,syncs,clear_calls,"     \
	"sync_ns_p50,sync_ns_p99,clear_ns_p50,clear_ns_p99,"              \
	"iotlb_invalidations,iotlb_ns,migration_ns,downtime_ns,workload," \
	"rate_pages_s,bandwidth_bytes_s,seed,repeat,point,writes,"        \
	"received_pages,kernel_reads,kernel_dirty_pages,lost_events,"     \
	"backing,received_written,amplification,pages_granularity\n"
#define ROUNDS_HEADER                                                       \
	"run,strategy,round,dirty_reported,pages_sent,pages_redundant,"     \
	"sync_ns,clear_calls,clear_ns,iotlb_invalidations,round_ns,final,"  \
	"syncs,received_pages,kernel_reads,kernel_dirty_pages,lost_events," \
	"received_written,pages_granularity\n"
#define SWEEP_HEADER                                                \
	"param,value,strategy,runs,pages_sent,pages_sent_ci95,"     \
	"redundant_pct,migration_ns,migration_ns_ci95,downtime_ns," \
	"clear_calls,clear_ns,iotlb_invalidations,iotlb_ns,writes\n"

const char *strategy_name(enum strategy s)
{
	return s == STRATEGY_AUTO ? "auto" : "manual";
}

double run_redundant_pct(const struct bench_run *r)
{
	return r->res.pages_sent
		       ? 100.0 * r->res.pages_redundant / r->res.pages_sent
		       : 0.0;
}

double run_amplification(const struct bench_run *r)
{
	return r->res.received_written
		       ? (double)r->res.received_pages / r->res.received_written
		       : 0.0;
}

static uint64_t clear_ns_total(const struct bench_run *r)
{
	return r->res.clear_lat.sum;
}

/* Profiler columns are empty, not 0, when the profiler did not run. */
static void opt_u64(FILE *f, bool known, uint64_t v)
{
	if (known)
		fprintf(f, ",%" PRIu64, v);
	else
		fputs(",", f);
}

void write_runs_csv(FILE *f, const struct bench_meta *m,
		    const struct bench_run *runs, unsigned int n)
{
	unsigned int i;

	fputs(RUNS_HEADER, f);
	for (i = 0; i < n; i++) {
		const struct bench_run *r = &runs[i];
		const struct mig_result *s = &r->res;

		fprintf(f, "%u,%s,", r->run, strategy_name(r->strategy));
		csv_field(f, m->backend);
		fprintf(f,
			",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%u,%" PRIu64
			",%" PRIu64 ",%.3f,%" PRIu64 ",%" PRIu64 ",%" PRIu64
			",%" PRIu64 ",%" PRIu64 ",%" PRIu64,
			m->size_bytes, m->page_size, r->chunk_bytes, s->nrounds,
			s->pages_sent, s->pages_redundant, run_redundant_pct(r),
			s->syncs, s->clear_calls,
			hist_quantile(&s->sync_lat, 0.5),
			hist_quantile(&s->sync_lat, 0.99),
			hist_quantile(&s->clear_lat, 0.5),
			hist_quantile(&s->clear_lat, 0.99));
		opt_u64(f, m->profiled, s->iotlb_invalidations);
		opt_u64(f, m->profiled, s->iotlb_ns);
		fprintf(f, ",%" PRIu64 ",%" PRIu64 ",", s->migration_ns,
			s->downtime_ns);
		csv_field(f, m->workload);
		fprintf(f, ",%.0f,%.0f,%" PRIu64 ",%u,%u,%" PRIu64 ",%" PRIu64,
			r->rate, r->bandwidth, m->seed, r->repeat, r->point,
			r->writes, s->received_pages);
		opt_u64(f, m->profiled, s->kernel_reads);
		opt_u64(f, m->profiled, s->kernel_dirty_pages);
		opt_u64(f, m->profiled, s->lost_events);
		fputc(',', f);
		csv_field(f, m->backing);
		/* Granularity needs the write log: empty without it. */
		opt_u64(f, m->ground_truth, s->received_written);
		if (m->ground_truth && s->received_written)
			fprintf(f, ",%.3f", run_amplification(r));
		else
			fputc(',', f);
		opt_u64(f, m->ground_truth, s->pages_granularity);
		fputc('\n', f);
	}
}

void write_rounds_csv(FILE *f, const struct bench_meta *m,
		      const struct bench_run *runs, unsigned int n)
{
	unsigned int i, k;

	fputs(ROUNDS_HEADER, f);
	for (i = 0; i < n; i++) {
		for (k = 0; k < runs[i].res.nrounds; k++) {
			const struct mig_round *r = &runs[i].res.rounds[k];

			fprintf(f,
				"%u,%s,%u,%" PRIu64 ",%" PRIu64 ",%" PRIu64
				",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
				",%" PRIu64 ",%d,%" PRIu64 ",%" PRIu64
				",%" PRIu64 ",%" PRIu64 ",%" PRIu64,
				runs[i].run, strategy_name(runs[i].strategy),
				r->round, r->dirty_reported, r->pages_sent,
				r->pages_redundant, r->sync_ns, r->clear_calls,
				r->clear_ns, r->iotlb_invalidations,
				r->round_ns, r->final, r->syncs,
				r->received_pages, r->kernel_reads,
				r->kernel_dirty_pages, r->lost_events);
			opt_u64(f, m->ground_truth, r->received_written);
			opt_u64(f, m->ground_truth, r->pages_granularity);
			fputc('\n', f);
		}
	}
}

/* Per-strategy sample of one point: what the verdict and sweep show. */
struct side {
	unsigned int n;
	struct mean_ci pages, redundant_pct, migration, downtime, clears,
		clear_ns, iotlb, iotlb_ns, syncs, amplification, granularity,
		writes;
	uint64_t lost; /* profiler events lost, all runs */
	const struct bench_run *first;
};

#define NCOL 12

static struct side collect(const struct bench_run *runs, unsigned int n,
			   unsigned int point, enum strategy s)
{
	double *v[NCOL];
	struct side out = {};
	unsigned int i, k, m = 0;

	for (k = 0; k < NCOL; k++)
		v[k] = calloc(n ? n : 1, sizeof(double));
	for (i = 0; i < n; i++) {
		const struct bench_run *r = &runs[i];

		if (r->point != point || r->strategy != s || !v[NCOL - 1])
			continue;
		if (!out.first)
			out.first = r;
		v[0][m] = r->res.pages_sent;
		v[1][m] = run_redundant_pct(r);
		v[2][m] = r->res.migration_ns / 1e6;
		v[3][m] = r->res.downtime_ns / 1e6;
		v[4][m] = r->res.clear_calls;
		v[5][m] = clear_ns_total(r) / 1e6;
		v[6][m] = r->res.iotlb_invalidations;
		v[7][m] = r->res.syncs;
		v[8][m] = run_amplification(r);
		v[9][m] = r->res.pages_granularity;
		v[10][m] = r->res.iotlb_ns / 1e6;
		v[11][m] = r->writes;
		out.lost += r->res.lost_events;
		m++;
	}
	out.n = m;
	if (v[NCOL - 1]) {
		out.pages = mean_ci(v[0], m);
		out.redundant_pct = mean_ci(v[1], m);
		out.migration = mean_ci(v[2], m);
		out.downtime = mean_ci(v[3], m);
		out.clears = mean_ci(v[4], m);
		out.clear_ns = mean_ci(v[5], m);
		out.iotlb = mean_ci(v[6], m);
		out.syncs = mean_ci(v[7], m);
		out.amplification = mean_ci(v[8], m);
		out.granularity = mean_ci(v[9], m);
		out.iotlb_ns = mean_ci(v[10], m);
		out.writes = mean_ci(v[11], m);
	}
	for (k = 0; k < NCOL; k++)
		free(v[k]);
	return out;
}

static void cell(FILE *f, const struct mean_ci *c, const char *fmt)
{
	char buf[64];

	if (!c->n) {
		fprintf(f, " %22s", "-");
		return;
	}
	snprintf(buf, sizeof(buf), fmt, c->mean);
	if (c->n > 1) {
		size_t len = strlen(buf);

		snprintf(buf + len, sizeof(buf) - len, " ± ");
		len = strlen(buf);
		snprintf(buf + len, sizeof(buf) - len, fmt, c->ci95);
	}
	/* "±" is two bytes but one column. */
	fprintf(f, " %*s", c->n > 1 ? 23 : 22, buf);
}

static void change(FILE *f, const struct mean_ci *a, const struct mean_ci *b)
{
	if (!a->n || !b->n || a->mean == 0)
		fprintf(f, " %9s\n", "-");
	else
		fprintf(f, " %+8.1f%%\n",
			100.0 * (b->mean - a->mean) / a->mean);
}

static void row(FILE *f, const char *name, const struct mean_ci *a,
		const struct mean_ci *b, const char *fmt)
{
	fprintf(f, "%-20s", name);
	cell(f, a, fmt);
	cell(f, b, fmt);
	change(f, a, b);
}

/* How much of the traffic the dirty granularity made, when it made any. */
static void print_granularity(FILE *f, const struct bench_meta *m,
			      const struct side *a, const struct side *b)
{
	const struct side *s[2] = { a, b };

	if (!m->ground_truth)
		return;
	for (int i = 0; i < 2; i++) {
		if (!s[i]->n || !s[i]->granularity.mean)
			continue;
		fprintf(f,
			"%s: the IOMMU reported %.3f pages per page written "
			"(%s backing); %.0f of %.0f pages sent (%.1f %%) "
			"went only because a written page shares their "
			"IOPTE\n",
			i ? "manual" : "auto", s[i]->amplification.mean,
			m->backing, s[i]->granularity.mean, s[i]->pages.mean,
			100.0 * s[i]->granularity.mean / s[i]->pages.mean);
	}
}

void print_verdict(FILE *f, const struct bench_meta *m,
		   const struct bench_run *runs, unsigned int n,
		   unsigned int point)
{
	struct side a = collect(runs, n, point, STRATEGY_AUTO);
	struct side b = collect(runs, n, point, STRATEGY_MANUAL);
	double pages, time;

	fprintf(f, "%-20s %22s %22s %9s\n", "", "auto", "manual", "change");
	row(f, "pages sent", &a.pages, &b.pages, "%.0f");
	if (m->ground_truth) {
		row(f, "redundant %", &a.redundant_pct, &b.redundant_pct,
		    "%.2f");
		/* The IOPTE's share of it: sent for a neighbour's write. */
		row(f, "granularity pages", &a.granularity, &b.granularity,
		    "%.0f");
		row(f, "amplification", &a.amplification, &b.amplification,
		    "%.3f");
	}
	row(f, "migration ms", &a.migration, &b.migration, "%.1f");
	row(f, "downtime ms", &a.downtime, &b.downtime, "%.1f");
	row(f, "syncs", &a.syncs, &b.syncs, "%.0f");
	row(f, "clear calls", &a.clears, &b.clears, "%.0f");
	row(f, "clear ms", &a.clear_ns, &b.clear_ns, "%.2f");
	if (m->profiled)
		row(f, "IOTLB invalidations", &a.iotlb, &b.iotlb, "%.0f");
	if (m->profiled && (a.lost || b.lost))
		fprintf(f,
			"profiler lost %" PRIu64 " events (ring buffer full): "
			"kernel read counts are low\n",
			a.lost + b.lost);
	fprintf(f, "(mean%s over %u run%s per strategy)\n",
		a.n > 1 || b.n > 1 ? " ± 95 % CI" : "", a.n ? a.n : b.n,
		(a.n ? a.n : b.n) == 1 ? "" : "s");
	print_granularity(f, m, &a, &b);
	if (!a.n || !b.n || !a.pages.mean || !a.migration.mean)
		return;
	pages = 100.0 * (b.pages.mean - a.pages.mean) / a.pages.mean;
	time = 100.0 * (b.migration.mean - a.migration.mean) / a.migration.mean;
	fprintf(f,
		"manual clear sent %.1f %% %s pages and finished %.1f %% %s; "
		"its %.0f clear calls cost %.2f ms",
		fabs(pages), pages <= 0 ? "fewer" : "more", fabs(time),
		time <= 0 ? "sooner" : "later", b.clears.mean, b.clear_ns.mean);
	if (m->profiled)
		fprintf(f, " and %.0f IOTLB invalidations (auto: %.0f)",
			b.iotlb.mean, a.iotlb.mean);
	fputs(".\n", f);
}

void write_sweep_csv(FILE *f, const struct bench_meta *m,
		     const struct bench_run *runs, unsigned int n)
{
	unsigned int point, last = 0, i;
	enum strategy s;

	fputs(SWEEP_HEADER, f);
	for (i = 0; i < n; i++)
		if (runs[i].point > last)
			last = runs[i].point;
	for (point = 0; point <= last; point++) {
		for (s = STRATEGY_AUTO; s <= STRATEGY_MANUAL; s++) {
			struct side d = collect(runs, n, point, s);
			const struct bench_run *r = d.first;
			double value;

			if (!d.n)
				continue;
			if (!m->sweep_param)
				value = 0;
			else if (!strcmp(m->sweep_param, "chunk"))
				value = r->chunk_bytes;
			else if (!strcmp(m->sweep_param, "rate"))
				value = r->rate;
			else
				value = r->bandwidth;
			fprintf(f,
				"%s,%.0f,%s,%u,%.1f,%.1f,%.3f,%.0f,%.0f,%.0f,"
				"%.1f,%.0f,",
				m->sweep_param ? m->sweep_param : "", value,
				strategy_name(s), d.n, d.pages.mean,
				d.pages.ci95, d.redundant_pct.mean,
				d.migration.mean * 1e6, d.migration.ci95 * 1e6,
				d.downtime.mean * 1e6, d.clears.mean,
				d.clear_ns.mean * 1e6);
			if (m->profiled)
				fprintf(f, "%.1f,%.0f", d.iotlb.mean,
					d.iotlb_ns.mean * 1e6);
			else
				fputc(',', f);
			fprintf(f, ",%.1f\n", d.writes.mean);
		}
	}
}

static void member(struct json_writer *w, const char *k, uint64_t v)
{
	json_key(w, k);
	json_uint(w, v);
}

int write_bench_json(FILE *f, const struct bench_meta *m,
		     const struct bench_run *runs, unsigned int n)
{
	struct json_writer w;
	unsigned int i;
	int err;

	json_init(&w, f);
	json_object_begin(&w);
	json_key(&w, "backend");
	json_string(&w, m->backend);
	json_key(&w, "workload");
	json_string(&w, m->workload);
	json_key(&w, "backing");
	json_string(&w, m->backing);
	member(&w, "size_bytes", m->size_bytes);
	member(&w, "page_size", m->page_size);
	member(&w, "seed", m->seed);
	json_key(&w, "runs");
	json_array_begin(&w);
	for (i = 0; i < n; i++) {
		const struct bench_run *r = &runs[i];

		json_object_begin(&w);
		member(&w, "run", r->run);
		json_key(&w, "strategy");
		json_string(&w, strategy_name(r->strategy));
		member(&w, "point", r->point);
		member(&w, "chunk_bytes", r->chunk_bytes);
		member(&w, "rate_pages_s", (uint64_t)r->rate);
		member(&w, "bandwidth_bytes_s", (uint64_t)r->bandwidth);
		member(&w, "rounds", r->res.nrounds);
		member(&w, "pages_sent", r->res.pages_sent);
		member(&w, "pages_redundant", r->res.pages_redundant);
		member(&w, "syncs", r->res.syncs);
		member(&w, "clear_calls", r->res.clear_calls);
		member(&w, "clear_ns", clear_ns_total(r));
		member(&w, "migration_ns", r->res.migration_ns);
		member(&w, "downtime_ns", r->res.downtime_ns);
		member(&w, "writes", r->writes);
		if (m->ground_truth) {
			member(&w, "received_pages", r->res.received_pages);
			member(&w, "received_written", r->res.received_written);
			member(&w, "pages_granularity",
			       r->res.pages_granularity);
		}
		if (m->profiled) {
			member(&w, "iotlb_invalidations",
			       r->res.iotlb_invalidations);
			member(&w, "kernel_reads", r->res.kernel_reads);
			member(&w, "lost_events", r->res.lost_events);
		}
		json_object_end(&w);
	}
	json_array_end(&w);
	json_object_end(&w);
	err = json_finish(&w);
	fputc('\n', f);
	return err;
}
