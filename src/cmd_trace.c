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
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "clock.h"
#include "commands.h"
#include "log.h"
#include "parse.h"
#include "probe_select.h"
#include "trace.skel.h"
#include "trace_report.h"

/* Pages --bitmap-analysis follows: 16 MiB of state, 16 GiB of IOVA at
 * 4 KiB (the whole mock aperture at 2 KiB). */
#define ANALYSIS_PAGES (1u << 22)

struct trace_args {
	uint64_t duration_ns;
	uint64_t interval_ns;
	uint64_t count;
	const char *csv_dir;
	uint32_t pid;
	uint32_t hwpt;
	bool bitmap_analysis;
	bool json;
	int positional;
};

static const struct argp_option options[] = {
	{ "duration", 'd', "SECONDS", 0,
	  "Trace this long (default: until Ctrl-C)" },
	{ "csv", 'c', "DIR", 0,
	  "Write summary.csv, syncs.csv, histograms.csv (and intervals.csv) "
	  "into DIR" },
	{ "json", 'j', NULL, 0,
	  "JSON instead of tables: one document per line, per interval and "
	  "the summary" },
	{ "pid", 'p', "PID", 0, "Trace only this process" },
	{ "hwpt", 'H', "ID", 0, "Only events of this iommufd HWPT" },
	{ "bitmap-analysis", 'b', NULL, 0,
	  "Count re-dirtied pages between consecutive reads of one HWPT" },
	{ "verbose", 'v', NULL, 0, "Debug output, libbpf messages included" },
	{},
};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct trace_args *a = state->input;
	uint64_t v;

	switch (key) {
	case 'd':
		if (parse_seconds(arg, &a->duration_ns) || !a->duration_ns)
			return ds_arg_error("trace: invalid duration '%s'",
					    arg);
		break;
	case 'c':
		a->csv_dir = arg;
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
	case 'j':
		a->json = true;
		break;
	case 'v':
		ds_verbosity = DS_LOG_DEBUG;
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
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp argp = {
	options,
	parse_opt,
	NULL,
	"Trace the IOMMU dirty-tracking path: map/unmap, iommufd and VFIO "
	"type1 dirty reads and tracking switches, VFIO device DMA logging, the "
	"driver's page-table walk and IOTLB invalidations (attributed to their "
	"cause). Prints per-operation counts, bytes, dirty pages and latency "
	"percentiles at the end, and every INTERVAL seconds (COUNT times) if "
	"given. Needs root (CAP_BPF and CAP_PERFMON) and a kernel with BTF.",
};

static volatile sig_atomic_t exiting;

static void on_signal(int sig)
{
	(void)sig;
	exiting = 1;
}

static int attach_programs(struct trace_bpf *skel, struct bpf_link **links,
			   int *nlinks)
{
	struct bpf_program *prog;
	int n = 0, attached = 0;

	bpf_object__for_each_program (prog, skel->obj) {
		struct bpf_link *link;

		if (!bpf_program__autoload(prog) || n >= PROBE_MAX)
			continue;
		link = bpf_program__attach(prog);
		if (!link) {
			ds_warn("cannot attach %s: %s",
				bpf_program__section_name(prog),
				strerror(errno));
			continue;
		}
		ds_debug("attached %s", bpf_program__section_name(prog));
		links[n++] = link;
		attached++;
	}
	*nlinks = n;
	return attached;
}

static void detach_all(struct bpf_link **links, int *nlinks)
{
	int i;

	for (i = 0; i < *nlinks; i++)
		bpf_link__destroy(links[i]);
	*nlinks = 0;
}

static void read_counters(struct trace_bpf *skel, uint64_t *out)
{
	int ncpu = libbpf_num_possible_cpus(), fd, i, c;
	uint64_t *vals;

	if (ncpu <= 0)
		return;
	vals = calloc(ncpu, sizeof(*vals));
	if (!vals)
		return;
	fd = bpf_map__fd(skel->maps.counters);
	for (i = 0; i < DS_CNT__COUNT; i++) {
		uint32_t key = i;

		out[i] = 0;
		if (bpf_map_lookup_elem(fd, &key, vals))
			continue;
		for (c = 0; c < ncpu; c++)
			out[i] += vals[c];
	}
	free(vals);
}

static int on_event(void *ctx, void *data, size_t size)
{
	if (size >= sizeof(struct ds_event))
		report_add(ctx, data);
	return 0;
}

/* One line that tells the user what to fix. */
static void explain_load_error(int err)
{
	switch (-err) {
	case EPERM:
	case EACCES:
		ds_err("trace: not permitted to load BPF programs: run as root "
		       "(needs CAP_BPF and CAP_PERFMON)");
		break;
	case ENOSYS:
		ds_err("trace: the kernel has no BPF support "
		       "(CONFIG_BPF_SYSCALL)");
		break;
	default:
		ds_err("trace: loading BPF programs failed: %s (run with -v "
		       "for the verifier log)",
		       strerror(-err));
	}
}

int cmd_trace(int argc, char **argv)
{
	struct trace_args a = {};
	struct bpf_link *links[PROBE_MAX];
	struct probe_status probes[PROBE_MAX];
	size_t nprobes;
	struct trace_report *report = NULL;
	struct ring_buffer *rb = NULL;
	struct trace_bpf *skel = NULL;
	struct sigaction sa = { .sa_handler = on_signal };
	uint64_t start, deadline, next_tick;
	int nlinks = 0, attached, err, status = 1;

	if (argp_parse(&argp, argc, argv, 0, NULL, &a))
		return 2;
	ds_log_setup_libbpf();

	if (access("/sys/kernel/btf/vmlinux", R_OK)) {
		ds_err("trace: kernel BTF not found at /sys/kernel/btf/vmlinux "
		       "(needs CONFIG_DEBUG_INFO_BTF)");
		return 1;
	}
	report = malloc(sizeof(*report));
	if (!report) {
		ds_err("trace: out of memory");
		return 1;
	}
	err = report_init(report, a.csv_dir);
	if (err) {
		ds_err("trace: cannot write to %s: %s", a.csv_dir,
		       strerror(-err));
		goto cleanup;
	}

	skel = trace_bpf__open();
	if (!skel) {
		ds_err("trace: cannot open BPF object: %s", strerror(errno));
		goto cleanup;
	}
	skel->rodata->targ_tgid = a.pid;
	report->hwpt_filter = a.hwpt;
	report->json = a.json;
	if (a.bitmap_analysis) {
		skel->rodata->bitmap_analysis = true;
		skel->rodata->analysis_hwpt = a.hwpt;
		bpf_map__set_max_entries(skel->maps.page_seq, ANALYSIS_PAGES);
	}
	if (!probes_select(skel->obj, probes, &nprobes)) {
		probes_report_skipped(probes, nprobes);
		ds_err("trace: nothing to trace: this kernel has none of the "
		       "probe points dirtyscope knows");
		goto cleanup;
	}
	err = trace_bpf__load(skel);
	if (err) {
		explain_load_error(err);
		goto cleanup;
	}
	probes_report_skipped(probes, nprobes);
	attached = attach_programs(skel, links, &nlinks);
	if (!attached) {
		ds_err("trace: no probe could be attached (run with -v)");
		goto cleanup;
	}
	rb = ring_buffer__new(bpf_map__fd(skel->maps.events), on_event, report,
			      NULL);
	if (!rb) {
		ds_err("trace: cannot create ring buffer: %s", strerror(errno));
		goto cleanup;
	}

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	ds_info("Tracing with %d probes. Hit Ctrl-C to end.", attached);

	start = now_ns();
	deadline = a.duration_ns ? start + a.duration_ns : UINT64_MAX;
	next_tick = a.interval_ns ? start + a.interval_ns : UINT64_MAX;
	while (!exiting && now_ns() < deadline) {
		err = ring_buffer__poll(rb, 100);
		if (err < 0 && err != -EINTR) {
			ds_err("trace: reading the ring buffer: %s",
			       strerror(-err));
			goto cleanup;
		}
		if (now_ns() >= next_tick) {
			read_counters(skel, report->counters);
			report_interval(report, stdout, now_ns() - start);
			fflush(stdout);
			next_tick += a.interval_ns;
			if (a.count && report->intervals >= a.count)
				break;
		}
	}
	/* Detach first: after that no event can be produced, so draining
	 * the ring buffer once makes consumed + lost == produced. */
	detach_all(links, &nlinks);
	ring_buffer__consume(rb);
	read_counters(skel, report->counters);
	report->duration_ns = now_ns() - start;
	if (report->consumed != report->counters[DS_CNT_EVENTS])
		ds_warn("%llu events submitted but %llu consumed",
			(unsigned long long)report->counters[DS_CNT_EVENTS],
			(unsigned long long)report->consumed);

	if (a.json) {
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
	err = report_write_csv(report);
	if (err) {
		ds_err("trace: writing CSV to %s failed: %s", a.csv_dir,
		       strerror(-err));
		goto cleanup;
	}
	status = 0;
cleanup:
	detach_all(links, &nlinks);
	ring_buffer__free(rb);
	trace_bpf__destroy(skel);
	if (report)
		report_abort(report);
	free(report);
	return status;
}
