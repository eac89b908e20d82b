// SPDX-License-Identifier: GPL-2.0
/*
 * bench_consumer [-n EVENTS] [-r RUNS] [-p RATE] [-s RING_MIB]: how many
 * events per second the consumer of `dirtyscope trace` keeps up with on
 * this machine (tests/perf/consumer_bench.h). RUNS runs (default 5) of
 * EVENTS events (default 2^24) in each mode: with flow control, paced at
 * RATE events/s (default 2000000, the target of issue 7), flat out; the
 * ring buffer has trace.bpf.c's size unless -s says otherwise. The
 * consumer works as `dirtyscope trace 1 --csv DIR` does: syncs.csv rows
 * and, every second, an interval table (to /dev/null) and intervals.csv
 * rows, into a temporary folder.
 * One line per run on stderr; the medians as CSV rows on stdout, for make
 * bench-self:
 *   consumer,<metric>,<value>,<unit>,<notes>
 * Exits 1 if a run loses count: consumed + dropped != produced, or a drop
 * with flow control. Needs root.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <getopt.h>
#include <unistd.h>
#include "consumer_bench.h"
#include "log.h"
#include "parse.h"

#define BATCH	 256
#define MAX_RUNS 99

static const char *const mode_names[] = {
	[CB_FLOW_CONTROL] = "flow-control",
	[CB_PACED] = "paced",
	[CB_FLAT_OUT] = "flat-out",
};

static unsigned int ring_mib; /* as the runs had it */

struct mode_result {
	double rate[MAX_RUNS];	   /* events consumed per second */
	double cpu_rate[MAX_RUNS]; /* ... per CPU second of the consumer */
	double drop_pct[MAX_RUNS]; /* of events produced */
	uint64_t drops;		   /* all runs */
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* One run into a fresh report whose syncs.csv is dropped afterwards. */
static int run_once(const struct cb_opts *o, const char *dir,
		    struct cb_result *res)
{
	struct cb_sink *sink = calloc(1, sizeof(*sink));
	int err;

	if (!sink) {
		ds_err("bench_consumer: out of memory");
		return -ENOMEM;
	}
	report_init(&sink->report);
	err = report_csv_open(&sink->csv, dir);
	if (err)
		ds_err("bench_consumer: cannot write to %s: %s", dir,
		       strerror(-err));
	else
		err = cb_run(o, sink, res);
	report_csv_abort(&sink->csv);
	free(sink);
	return err;
}

static int run_mode(const struct cb_opts *o, unsigned int runs, const char *dir,
		    struct mode_result *m)
{
	struct cb_result res;
	unsigned int r;
	int err;

	for (r = 0; r < runs; r++) {
		err = run_once(o, dir, &res);
		if (err)
			return err;
		m->rate[r] = res.consumed / (res.ns / 1e9);
		m->cpu_rate[r] = res.consumed / (res.cpu_ns / 1e9);
		m->drop_pct[r] = 100.0 * res.drops / res.produced;
		m->drops += res.drops;
		ring_mib = res.ring_bytes >> 20;
		fprintf(stderr,
			"%s run %u: %" PRIu64 " events consumed, %.3f s, "
			"%.0f events/s, %" PRIu64 " drops (of %" PRIu64
			" produced); ring peak %.0f %%; consumer CPU %.3f s, "
			"%.0f events/CPU-s, waited for a CPU %.3f s; producer "
			"CPU %.3f s\n",
			mode_names[o->mode], r + 1, res.consumed, res.ns / 1e9,
			m->rate[r], res.drops, res.produced,
			100.0 * res.peak_fill_bytes / res.ring_bytes,
			res.cpu_ns / 1e9, m->cpu_rate[r], res.cpu_wait_ns / 1e9,
			res.producer_cpu_ns / 1e9);
		if (res.consumed + res.drops != res.produced ||
		    (o->mode == CB_FLOW_CONTROL && res.drops)) {
			ds_err("bench_consumer: counts do not add up");
			return -EPROTO;
		}
	}
	return 0;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: bench_consumer [-n EVENTS] [-r RUNS] [-p RATE] "
		"[-s RING_MIB] (EVENTS a multiple of %d, RUNS 1..%d, "
		"RATE events/s, RING_MIB a power of 2)\n",
		BATCH, MAX_RUNS);
	return 2;
}

int main(int argc, char **argv)
{
	static struct mode_result m[3];
	struct cb_opts o = { .events = 1ull << 24,
			     .batch = BATCH,
			     .rate = 2000000 };
	char dir[] = "/tmp/ds-bench-consumer-XXXXXX";
	uint64_t runs = 5, v;
	int opt, err = 0;

	opterr = 0; /* one error line: ours */
	while ((opt = getopt(argc, argv, "n:r:p:s:")) != -1) {
		if (!optarg || parse_u64(optarg, &v) || !v)
			return usage();
		switch (opt) {
		case 'n':
			if (v % BATCH)
				return usage();
			o.events = v;
			break;
		case 'r':
			if (v > MAX_RUNS)
				return usage();
			runs = v;
			break;
		case 'p':
			o.rate = v;
			break;
		case 's':
			if (v & (v - 1) || v > 1024)
				return usage();
			o.ring_bytes = v << 20;
			break;
		default:
			return usage();
		}
	}
	if (optind < argc)
		return usage();
	o.interval_ns = 1000000000ull;
	o.interval_out = fopen("/dev/null", "w");
	if (!o.interval_out) {
		ds_err("bench_consumer: cannot open /dev/null: %s",
		       strerror(errno));
		return 1;
	}
	if (!mkdtemp(dir)) {
		ds_err("bench_consumer: cannot create %s: %s", dir,
		       strerror(errno));
		fclose(o.interval_out);
		return 1;
	}
	for (o.mode = CB_FLOW_CONTROL; !err && o.mode <= CB_FLAT_OUT; o.mode++)
		err = run_mode(&o, runs, dir, &m[o.mode]);
	rmdir(dir);
	fclose(o.interval_out);
	if (err)
		return 1;
	printf("consumer,events_per_s,%.0f,events/s,flow control (zero "
	       "drops); median of %" PRIu64 " runs of %" PRIu64 " events; "
	       "%u MiB ring\n",
	       median(m[CB_FLOW_CONTROL].rate, runs), runs, o.events, ring_mib);
	printf("consumer,events_per_cpu_s,%.0f,events/s,flow control: events "
	       "/ CPU time of the consuming thread; median of %" PRIu64
	       " runs\n",
	       median(m[CB_FLOW_CONTROL].cpu_rate, runs), runs);
	printf("consumer,paced_events_per_s,%.0f,events/s,producer paced at "
	       "%" PRIu64 " events/s: rate reached; median of %" PRIu64
	       " runs\n",
	       median(m[CB_PACED].rate, runs), o.rate, runs);
	printf("consumer,paced_drops,%" PRIu64 ",events,producer paced at "
	       "%" PRIu64 " events/s: drops in all %" PRIu64 " runs; %u MiB "
	       "ring\n",
	       m[CB_PACED].drops, o.rate, runs, ring_mib);
	printf("consumer,flat_out_events_per_s,%.0f,events/s,no flow control: "
	       "events consumed / time; median of %" PRIu64 " runs\n",
	       median(m[CB_FLAT_OUT].rate, runs), runs);
	printf("consumer,flat_out_drop_pct,%.1f,%%,no flow control: drops / "
	       "events produced; median of %" PRIu64 " runs\n",
	       median(m[CB_FLAT_OUT].drop_pct, runs), runs);
	return 0;
}
