// SPDX-License-Identifier: GPL-2.0
/*
 * dirtyscope probes: what the running kernel offers dirtyscope, like
 * 'bpftool feature'. Three sections:
 *  - probes: every BPF program of the trace object, through trace's own
 *    loader (tracer.h): the selection's verdict (kernel BTF, kallsyms); as
 *    root each usable one is also loaded and attached, then everything is
 *    detached again;
 *  - kernel: BTF, the bpf() syscall, tracefs events (features.c);
 *  - uapi: iommufd and VFIO ioctls (features.c).
 * A missing feature is an answer, not an error: exit 0. Exit 1 only when
 * nothing can be inspected (the BPF object does not open) or the report
 * cannot be written.
 */
#include <argp.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "commands.h"
#include "ds_features.h"
#include "json.h"
#include "log.h"
#include "options.h"
#include "parse.h"
#include "probe_select.h"
#include "tracer.h"

#define NOT_VERIFIED "not verified (needs root)"

struct probes_args {
	struct common_opts c; /* json */
	uint32_t pid;
};

static const struct argp_option options[] = {
	{ "pid", 'p', "PID", 0,
	  "Also the uprobes trace -p PID would put on this process's binary "
	  "(a QEMU's migration and VFIO functions)" },
	{},
};

static const struct argp_child children[] = {
	{ &opt_json },
	{ &opt_verbose },
	{},
};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct probes_args *a = state->input;
	uint64_t v;

	switch (key) {
	case ARGP_KEY_INIT:
		common_opts_init(state, children, &a->c);
		break;
	case 'p':
		if (parse_u64(arg, &v) || !v || v > INT32_MAX)
			return ds_arg_error("probes: invalid PID '%s'", arg);
		a->pid = v;
		break;
	case ARGP_KEY_ARG:
		return ds_arg_error("probes: unexpected argument '%s'", arg);
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp argp = {
	options,
	parse_opt,
	NULL,
	"List every probe point and kernel feature dirtyscope knows, whether "
	"the running kernel has it, and why not. Run as root to also load and "
	"attach the BPF programs. Probes marked (optional) are loaded by trace "
	"only when asked: the per-IOPTE one with --iopte-stats, "
	"the map/unmap call ones with --call-latency, "
	"the uprobes on QEMU's functions with -p PID.",
	children,
};

/* One line of the report. */
struct item {
	const char *name;
	struct feat_result res;
};

struct section {
	const char *title; /* table header */
	const char *key;   /* JSON member */
	struct item *items;
	size_t n;
};

static void item_set(struct item *it, enum feat_status s, const char *detail)
{
	it->res.status = s;
	snprintf(it->res.detail, sizeof(it->res.detail), "%s", detail);
}

/* What else an item's detail says: the module its function is in, which
 * of the probe's functions it is, whether trace loads it only on request. */
static void add_where(struct item *it, const struct probe_status *p)
{
	char *d = it->res.detail;
	size_t len = strlen(d), size = sizeof(it->res.detail);

	if (p->module[0])
		len += snprintf(d + len, size - len, " [%s]", p->module);
	if (p->nfuncs > 1 && p->why && len < size)
		len += snprintf(d + len, size - len, " (none of %zu)",
				p->nfuncs);
	else if (p->nfuncs > 1 && len < size)
		len += snprintf(d + len, size - len, " (%zu of %zu)",
				p->alt + 1, p->nfuncs);
	if (probe_optional(p->prog) && len < size)
		snprintf(d + len, size - len, " (optional)");
}

/*
 * The probes section: trace's own loader, every optional program included,
 * through prepare (BTF, kallsyms), load and attach, each link kept until all
 * are tried; so "attached" here means trace would attach it too. The item
 * names point into the tracer, which the caller closes after printing.
 * Without privilege, presence is known from BTF and kallsyms, only the
 * attach is not.
 */
static int check_probes(struct tracer *t, uint32_t pid, struct item *items,
			size_t *n)
{
	/* The tracer keeps a pointer to its options until it is closed. */
	static struct tracer_opts o = { .who = "probes", .all_probes = true };
	char why[FEAT_DETAIL_MAX];
	int usable, err = 0;
	size_t i;

	o.pid = pid;
	o.vmm_probes = pid != 0;
	usable = tracer_prepare(t, &o);
	if (usable < 0 && !t->nprobes)
		return usable; /* the object did not even open */
	if (usable > 0)
		err = tracer_load(t);
	if (usable > 0 && !err)
		tracer_attach(t);
	*n = t->nprobes;
	for (i = 0; i < *n; i++) {
		const struct probe_status *p = &t->probes[i];

		items[i].name = p->attach;
		if (p->why)
			item_set(&items[i], FEAT_MISSING, p->why);
		else if ((err == -EPERM || err == -EACCES) && geteuid() != 0)
			item_set(&items[i], FEAT_AVAILABLE, NOT_VERIFIED);
		else if (err) {
			snprintf(why, sizeof(why), "load failed: %s",
				 strerror(-err));
			item_set(&items[i], FEAT_UNKNOWN, why);
		} else if (p->attach_err) {
			snprintf(why, sizeof(why), "attach failed: %s",
				 strerror(-p->attach_err));
			item_set(&items[i], FEAT_MISSING, why);
		} else {
			item_set(&items[i], FEAT_AVAILABLE, "attached");
		}
		add_where(&items[i], p);
	}
	return 0;
}

/* Run every check of a feature table; NULL if out of memory. */
static struct item *check_features(const struct feature *table, size_t *n)
{
	struct item *items;

	for (*n = 0; table[*n].name; (*n)++)
		;
	items = calloc(*n, sizeof(*items));
	if (!items)
		return NULL;
	for (*n = 0; table[*n].name; (*n)++) {
		items[*n].name = table[*n].name;
		feature_check(&table[*n], &items[*n].res);
	}
	return items;
}

static void print_table(const struct section *sec, size_t nsec)
{
	size_t s, i, width = 0;

	/* One name width for all sections, so the columns line up. */
	for (s = 0; s < nsec; s++) {
		if (strlen(sec[s].title) > width)
			width = strlen(sec[s].title);
		for (i = 0; i < sec[s].n; i++)
			if (strlen(sec[s].items[i].name) > width)
				width = strlen(sec[s].items[i].name);
	}
	for (s = 0; s < nsec; s++) {
		if (s)
			putchar('\n');
		printf("%-*s  %-9s  %s\n", (int)width, sec[s].title, "STATUS",
		       "DETAIL");
		for (i = 0; i < sec[s].n; i++)
			printf("%-*s  %-9s  %s\n", (int)width,
			       sec[s].items[i].name,
			       feat_status_name(sec[s].items[i].res.status),
			       sec[s].items[i].res.detail);
	}
}

static int print_json(const struct section *sec, size_t nsec)
{
	struct json_writer w;
	size_t s, i;
	int err;

	json_init(&w, stdout);
	json_object_begin(&w);
	for (s = 0; s < nsec; s++) {
		json_key(&w, sec[s].key);
		json_array_begin(&w);
		for (i = 0; i < sec[s].n; i++) {
			const struct item *it = &sec[s].items[i];

			json_object_begin(&w);
			json_key(&w, "name");
			json_string(&w, it->name);
			json_key(&w, "status");
			json_string(&w, feat_status_name(it->res.status));
			json_key(&w, "detail");
			json_string(&w, it->res.detail);
			json_object_end(&w);
		}
		json_array_end(&w);
	}
	json_object_end(&w);
	err = json_finish(&w);
	putchar('\n');
	return err;
}

int cmd_probes(int argc, char **argv)
{
	static struct item probes[PROBE_MAX];
	struct section sec[] = {
		{ "PROBES", "probes", probes, 0 },
		{ "KERNEL", "kernel", NULL, 0 },
		{ "UAPI", "uapi", NULL, 0 },
	};
	struct probes_args a = {};
	struct tracer t = {};
	int err = 0, status = 1;

	if (argp_parse(&argp, argc, argv, 0, NULL, &a))
		return 2;
	/* A PID that is no process is a mistake, not a missing feature. */
	if (a.pid && kill(a.pid, 0) && errno == ESRCH) {
		ds_err("probes: no process %u", a.pid);
		return 1;
	}
	if (check_probes(&t, a.pid, probes, &sec[0].n)) {
		ds_err("%s", t.error);
		goto cleanup;
	}
	sec[1].items = check_features(features_kernel, &sec[1].n);
	sec[2].items = check_features(features_uapi, &sec[2].n);
	if (!sec[1].items || !sec[2].items) {
		ds_err("probes: out of memory");
		goto cleanup;
	}

	if (a.c.json)
		err = print_json(sec, 3);
	else
		print_table(sec, 3);
	if (fflush(stdout) || ferror(stdout) || err) {
		ds_err("probes: writing the report failed");
		goto cleanup;
	}
	status = 0;
cleanup:
	free(sec[1].items);
	free(sec[2].items);
	tracer_close(&t);
	return status;
}
