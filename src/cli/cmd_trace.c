// SPDX-License-Identifier: GPL-2.0
/*
 * dirtyscope trace: attach every probe the running kernel has, consume the
 * ring buffer until -d runs out or SIGINT/SIGTERM, then print the summary
 * (and write CSVs). Probes the kernel lacks are reported and skipped.
 */
#include <argp.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "clock.h"
#include "commands.h"
#include "log.h"
#include "options.h"
#include "parse.h"
#include "report_output.h"
#include "trace_export.h"
#include "tracer.h"

struct trace_args {
	uint64_t duration_ns;
	uint64_t interval_ns;
	uint64_t count;
	uint32_t pid;
	uint32_t hwpt;
	bool bitmap_analysis;
	bool iopte_stats;
	bool call_latency;
	const char *metrics;  /* --metrics ADDR:PORT */
	const char *textfile; /* --textfile FILE */
	int positional;
	struct common_opts c; /* csv, json */
};

/* An option with no short name (a key past the characters). */
enum { OPT_TEXTFILE = 256, OPT_CALL_LATENCY };

static const struct argp_option options[] = {
	{ "duration", 'd', "SECONDS", 0,
	  "Trace this long (default: until Ctrl-C)" },
	{ "pid", 'p', "PID", 0,
	  "Trace only this process; a QEMU's migration rounds too (uprobes "
	  "on its binary: a per-round table, rounds.csv)" },
	{ "hwpt", 'H', "ID", 0, "Only events of this iommufd HWPT" },
	{ "bitmap-analysis", 'b', NULL, 0,
	  "Count re-dirtied pages between consecutive reads of one HWPT, "
	  "from the bitmaps they return" },
	{ "iopte-stats", 'I', NULL, 0,
	  "Also count the dirty IOPTEs of each read and their bytes: a probe "
	  "run per dirty IOPTE, which slows dirty reads down" },
	{ "call-latency", OPT_CALL_LATENCY, NULL, 0,
	  "Also time every iommu_map()/iommu_unmap() call (and attribute the "
	  "IOTLB flushes inside them) and every Intel queued-invalidation "
	  "submission: two probe runs per call, which slows mapping and "
	  "IOTLB flushes down (the tracepoints count map and unmap without "
	  "it)" },
	{ "metrics", 'M', "ADDR:PORT", 0,
	  "Serve Prometheus metrics on http://ADDR:PORT/metrics while tracing "
	  "(PORT alone: 127.0.0.1)" },
	{ "textfile", OPT_TEXTFILE, "FILE", 0,
	  "Rewrite FILE with the metrics every INTERVAL (10 s without one), "
	  "for node_exporter's textfile collector" },
	{},
};

static const struct argp_child children[] = {
	{ &opt_csv },
	{ &opt_json },
	{ &opt_verbose },
	{},
};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct trace_args *a = state->input;
	uint64_t v;

	switch (key) {
	case ARGP_KEY_INIT:
		common_opts_init(state, children, &a->c);
		break;
	case 'd':
		if (parse_seconds(arg, &a->duration_ns) || !a->duration_ns)
			return ds_arg_error("trace: invalid duration '%s'",
					    arg);
		break;
	case 'p':
		if (parse_u64(arg, &v) || !v || v > INT32_MAX)
			return ds_arg_error("trace: invalid PID '%s'", arg);
		a->pid = v;
		break;
	case 'H':
		if (parse_u64(arg, &v) || !v || v > UINT32_MAX)
			return ds_arg_error("trace: invalid HWPT id '%s'", arg);
		a->hwpt = v;
		break;
	case 'b':
		a->bitmap_analysis = true;
		break;
	case 'I':
		a->iopte_stats = true;
		break;
	case OPT_CALL_LATENCY:
		a->call_latency = true;
		break;
	case 'M':
		if (!http_addr_valid(arg))
			return ds_arg_error("trace: invalid --metrics '%s' "
					    "(ADDR:PORT with an IPv4 ADDR, "
					    "or PORT)",
					    arg);
		a->metrics = arg;
		break;
	case OPT_TEXTFILE:
		a->textfile = arg;
		break;
	case ARGP_KEY_ARG:
		if (a->positional == 0) {
			if (parse_seconds(arg, &a->interval_ns) ||
			    a->interval_ns < 1000000)
				return ds_arg_error("trace: invalid interval "
						    "'%s'",
						    arg);
		} else if (a->positional == 1) {
			if (parse_u64(arg, &a->count) || !a->count)
				return ds_arg_error("trace: invalid count '%s'",
						    arg);
		} else {
			return ds_arg_error("trace: unexpected argument '%s'",
					    arg);
		}
		a->positional++;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp argp = {
	options,
	parse_opt,
	"[INTERVAL [COUNT]]",
	"Trace the IOMMU dirty-tracking path: map/unmap, iommufd and VFIO "
	"type1 dirty reads and tracking switches, VFIO device DMA logging, the "
	"driver's page-table walk and IOTLB invalidations (attributed to their "
	"cause). Prints per-operation counts, bytes, dirty pages and latency "
	"percentiles at the end, and every INTERVAL seconds (COUNT times) if "
	"given. --csv writes summary.csv, syncs.csv, histograms.csv (and "
	"intervals.csv; with -p on a QEMU, rounds.csv); --json prints one "
	"document per line, per interval and "
	"the summary. Needs root (CAP_BPF and CAP_PERFMON) and a kernel with "
	"BTF.",
	children,
};

static volatile sig_atomic_t exiting;

static void on_signal(int sig)
{
	(void)sig;
	exiting = 1;
}

/* The aggregation and the CSV files it streams into. */
struct trace_out {
	struct trace_report report;
	struct trace_csv csv;
};

static int on_event(void *ctx, const struct ds_event *e)
{
	struct trace_out *o = ctx;

	if (report_add(&o->report, e))
		report_csv_event(&o->csv, e);
	return 0;
}

/* What the BPF maps counted, into the report; numbers from a failed read
 * would be wrong, so trace ends on one. */
static int read_snapshot(struct tracer *t, struct trace_snapshot *snap,
			 struct trace_report *report)
{
	int err = tracer_snapshot(t, snap);

	if (err) {
		ds_err("trace: reading the BPF maps failed: %s",
		       strerror(-err));
		return err;
	}
	report_snapshot(report, snap);
	return 0;
}

int cmd_trace(int argc, char **argv)
{
	struct trace_args a = {};
	struct trace_out *out = NULL;
	struct trace_report *report;
	struct sigaction sa = { .sa_handler = on_signal };
	struct tracer_opts topts = { .who = "trace" };
	struct tracer t = {};
	struct trace_export x = { .http.fd = -1 };
	static struct trace_snapshot snap; /* 200 KiB: not on the stack */
	uint64_t start, deadline, next_tick;
	int attached, err, status = 1;

	if (argp_parse(&argp, argc, argv, 0, NULL, &a))
		return 2;
	/*
	 * Before anything is made: a signal while the temp CSV files exist or
	 * the probes load must not end the process by the default action,
	 * which would leave the temp files behind. Until the attach it only
	 * ends the setup (exit 1); after it, tracing.
	 */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	out = calloc(1, sizeof(*out));
	if (!out) {
		ds_err("trace: out of memory");
		return 1;
	}
	report = &out->report;
	report_init(report);
	if (a.c.csv_dir) {
		err = report_csv_open(&out->csv, a.c.csv_dir);
		if (err) {
			ds_err("trace: cannot write to %s: %s", a.c.csv_dir,
			       strerror(-err));
			goto cleanup;
		}
	}
	report->hwpt_filter = a.hwpt;
	report->iopte_stats = a.iopte_stats;
	topts.pid = a.pid;
	topts.vmm_probes = a.pid != 0;
	topts.hwpt = a.hwpt;
	topts.bitmap_analysis = a.bitmap_analysis;
	topts.iopte_stats = a.iopte_stats;
	topts.call_latency = a.call_latency;
	topts.on_event = on_event;
	topts.ctx = out;
	/* A port in use fails before the probes take seconds to load. */
	if (trace_export_open(&x, a.metrics, a.textfile,
			      a.interval_ns ? a.interval_ns : 10000000000ull,
			      &t, report, &snap))
		goto cleanup;
	attached = tracer_open(&t, &topts);
	if (attached < 0)
		goto cleanup;
	if (exiting) {
		ds_err("trace: interrupted");
		goto cleanup;
	}
	/* The rounds are reported when there is a VMM to mark them. */
	for (size_t i = 0; i < t.nprobes; i++)
		if (t.probes[i].user && t.probes[i].link)
			report->vmm = true;
	ds_info("Tracing with %d probes. Hit Ctrl-C to end.", attached);

	start = now_ns();
	deadline = a.duration_ns ? start + a.duration_ns : UINT64_MAX;
	next_tick = a.interval_ns ? start + a.interval_ns : UINT64_MAX;
	while (!exiting && now_ns() < deadline) {
		err = tracer_poll(&t, 100);
		if (err) {
			ds_err("trace: reading the ring buffer: %s",
			       strerror(-err));
			goto cleanup;
		}
		if (trace_export_poll(&x, now_ns()))
			goto cleanup;
		if (now_ns() >= next_tick) {
			if (read_snapshot(&t, &snap, report))
				goto cleanup;
			report_interval_end(report);
			if (a.c.json)
				report_print_json(report, &report->interval,
						  true, stdout);
			else
				report_print_interval(report, stdout);
			fflush(stdout);
			report_csv_interval(&out->csv, report,
					    now_ns() - start);
			report_interval_reset(report);
			next_tick += a.interval_ns;
			if (a.count && report->intervals >= a.count)
				break;
		}
	}
	tracer_drain(&t);
	if (read_snapshot(&t, &snap, report))
		goto cleanup;
	report->duration_ns = now_ns() - start;
	if (report->consumed != report->counters[DS_CNT_EVENTS])
		ds_warn("%llu events submitted but %llu consumed",
			(unsigned long long)report->counters[DS_CNT_EVENTS],
			(unsigned long long)report->consumed);

	if (a.c.json) {
		err = report_print_json(report, &report->total, false, stdout);
		if (err) {
			ds_err("trace: writing JSON failed: %s",
			       strerror(-err));
			goto cleanup;
		}
	} else {
		if (a.interval_ns)
			printf("Total:\n");
		report_print(report, stdout);
	}
	fflush(stdout);
	if (trace_export_finish(&x))
		goto cleanup;
	err = report_csv_write(&out->csv, report);
	if (err) {
		ds_err("trace: writing CSV to %s failed: %s", a.c.csv_dir,
		       strerror(-err));
		goto cleanup;
	}
	status = 0;
cleanup:
	trace_export_close(&x);
	tracer_close(&t);
	if (out) {
		report_csv_abort(&out->csv);
		report_free(&out->report);
	}
	free(out);
	return status;
}
