// SPDX-License-Identifier: GPL-2.0
/*
 * dirtyscope probes against the running kernel, on the host and in the
 * testbed VM. The test works out the truth on its own (its own kallsyms
 * reader, the kernel's BTF through libbpf, the device nodes, /proc/devices)
 * and compares it with what the command reports. The list of BPF programs
 * comes from the trace object itself, so new programs are covered without
 * changing this file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <cmocka.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "kernel_facts.h"
#include "probe_table.h"
#include "probes_report.h"
#include "syshelp.h"
#include "trace.skel.h"

#define NOT_VERIFIED "not verified (needs root)"

static bool in_vm(void)
{
	return getenv("DIRTYSCOPE_VM") != NULL;
}

/* In the VM on a testbed kernel (iommufd, its mock), not on one of
 * Debian's own (scripts/stock-kernel.sh), which have neither. */
static bool in_testbed(void)
{
	return in_vm() && !getenv("DIRTYSCOPE_VM_STOCK");
}

static bool is_root(void)
{
	return geteuid() == 0;
}

/* The report being checked is of a root run (available means attached). */
static bool is_root_run(const char *detail_ok)
{
	return !strcmp(detail_ok, "attached");
}

/* The per-IOPTE probe and the map/unmap and qi_submit call probes are
 * loaded by trace only on request (--iopte-stats; --call-latency):
 * probes shows their verdicts with "(optional)" added. */
static const char *const optional_probes[] = {
	"fentry/iova_bitmap_set", "fentry/iommu_map",
	"fexit/iommu_map",	  "fentry/iommu_unmap",
	"fexit/iommu_unmap",	  "fentry/iommu_unmap_fast",
	"fexit/iommu_unmap_fast", "fentry/qi_submit_sync",
	"fexit/qi_submit_sync",
};
#define NOPTIONAL (sizeof(optional_probes) / sizeof(*optional_probes))

static bool is_optional(const char *name)
{
	for (size_t i = 0; i < NOPTIONAL; i++)
		if (!strcmp(name, optional_probes[i]))
			return true;
	return false;
}

/*
 * What a probe's detail must say: the verdict, the module its function is
 * in, which of nfuncs alternatives (alt, 0-based; nfuncs for none) it is,
 * "(optional)" for the optional probes.
 */
static const char *verdict_at(const char *name, const char *detail,
			      const char *module, size_t alt, size_t nfuncs,
			      char *buf, size_t size)
{
	size_t len = snprintf(buf, size, "%s", detail);

	if (module && *module)
		len += snprintf(buf + len, size - len, " [%s]", module);
	if (nfuncs > 1 && alt == nfuncs)
		len += snprintf(buf + len, size - len, " (none of %zu)",
				nfuncs);
	else if (nfuncs > 1)
		len += snprintf(buf + len, size - len, " (%zu of %zu)", alt + 1,
				nfuncs);
	if (is_optional(name))
		snprintf(buf + len, size - len, " (optional)");
	return buf;
}

/* The functions a program may attach to: its section's one, or its
 * probe's from the table (the table is the spec; the choice is tested). */
static size_t program_funcs(const struct bpf_program *prog, const char **funcs)
{
	const char *slash = strchr(bpf_program__section_name(prog), '/');
	const struct probe_target *pt;
	size_t n;

	if (slash) {
		funcs[0] = slash + 1;
		return 1;
	}
	pt = probe_target_find(bpf_program__name(prog));
	assert_non_null(pt);
	n = probe_target_nfuncs(pt);
	memcpy(funcs, pt->funcs, n * sizeof(*funcs));
	return n;
}

/*
 * A function probe's expected line: the first of its functions with a
 * symbol and BTF (vmlinux's, or its module's), else the newest, missing.
 */
static void expect_function_probe(const struct report *rep,
				  const struct bpf_program *prog,
				  const char *detail_ok, char *chosen,
				  size_t chosen_size)
{
	const char *sec = bpf_program__section_name(prog);
	const char *funcs[PROBE_ALTS_MAX], *why = "not in kernel BTF";
	char kind[16], name[192], module[128], b[256];
	size_t n = program_funcs(prog, funcs), a;

	snprintf(kind, sizeof(kind), "%.*s", (int)strcspn(sec, "/"), sec);
	for (a = 0; a < n; a++) {
		bool sym = kallsyms_find(funcs[a], module, sizeof(module));
		bool in_btf = *module ? module_btf_has(module, funcs[a])
				      : btf_has(funcs[a], BTF_KIND_FUNC);

		if (!sym && btf_has(funcs[a], BTF_KIND_FUNC))
			why = "no such symbol (inlined?)";
		if (sym && in_btf)
			break;
	}
	snprintf(chosen, chosen_size, "%s", a < n ? funcs[a] : "");
	snprintf(name, sizeof(name), "%s/%s", kind, funcs[a < n ? a : 0]);
	if (a == n) {
		expect(rep, "probes", name, "missing",
		       verdict_at(name, why, NULL, n, n, b, sizeof(b)));
	} else if (*module && !is_root_run(detail_ok)) {
		/* libbpf opens module BTF objects: CAP_SYS_ADMIN only. */
		expect(rep, "probes", name, "missing",
		       verdict_at(name, "needs CAP_SYS_ADMIN", module, a, n, b,
				  sizeof(b)));
	} else if (is_root_run(detail_ok) && !*module &&
		   fentry_refused(funcs[a])) {
		/* Only a root run can tell refused. */
		expect(rep, "probes", name, "missing",
		       verdict_at(name, "fentry not permitted by this kernel",
				  NULL, a, n, b, sizeof(b)));
	} else {
		expect(rep, "probes", name, "available",
		       verdict_at(name, detail_ok, module, a, n, b, sizeof(b)));
	}
}

/*
 * Every program of the trace object, in object order, with the verdict the
 * kernel's BTF and kallsyms call for. detail_ok is what an available
 * program must show ("attached" as root).
 */
static void check_probes_section(const struct report *rep,
				 const char *detail_ok)
{
	struct trace_bpf *skel = trace_bpf__open();
	struct bpf_program *prog;
	size_t i = 0, nprobes = 0;
	int dirty_bitmap_progs = 0, optional = 0, mock_walks = 0;
	char chosen[128];

	assert_non_null(skel);
	for (size_t k = 0; k < rep->n; k++)
		nprobes += !strcmp(rep->rows[k].sec, "probes");
	bpf_object__for_each_program (prog, skel->obj) {
		const char *sec = bpf_program__section_name(prog);
		const char *slash = strchr(sec, '/');
		enum bpf_attach_type t =
			bpf_program__expected_attach_type(prog);
		const struct row *r = &rep->rows[i++];

		assert_true(i <= nprobes);
		assert_string_equal(r->sec, "probes");
		*chosen = '\0';
		if (t == BPF_TRACE_FENTRY || t == BPF_TRACE_FEXIT) {
			expect_function_probe(rep, prog, detail_ok, chosen,
					      sizeof(chosen));
		} else if (t == BPF_TRACE_RAW_TP) {
			assert_non_null(slash);
			assert_string_equal(r->name, sec);
			expect(rep, "probes", sec,
			       tracepoint_in_btf(slash + 1) ? "available"
							    : "missing",
			       tracepoint_in_btf(slash + 1)
				       ? detail_ok
				       : "not in kernel BTF");
		} else if (!strncmp(sec, "uprobe", 6) ||
			   !strncmp(sec, "uretprobe", 9)) {
			/* QEMU's functions: probes without -p has no binary
			 * to look in (test_qemu_host gives it one). */
			const struct probe_target *pt =
				probe_target_find(bpf_program__name(prog));
			char name[160];

			assert_non_null(pt);
			snprintf(name, sizeof(name), "%s/%s", sec,
				 pt->funcs[0]);
			expect(rep, "probes", name, "missing",
			       "needs -p PID (a QEMU process) (optional)");
		} else {
			/* A kind this test does not know yet: one honest
			 * line is all it can ask for. */
			assert_true(!strcmp(r->status, "available") ||
				    !strcmp(r->status, "missing"));
		}
		optional += is_optional(r->name);
		/* As root: a modular kernel's iommufd needs CAP_SYS_ADMIN. */
		if (in_testbed() && is_root_run(detail_ok) &&
		    !strcmp(chosen, "iommufd_hwpt_get_dirty_bitmap")) {
			expect(rep, "probes", r->name, "available", NULL);
			dirty_bitmap_progs++;
		}
		/* The testbed has their functions: optional, not missing. */
		if (in_testbed() && is_optional(r->name))
			expect(rep, "probes", r->name, "available", NULL);
		/* The mock's walk, whichever kernel: both halves there. */
		if (in_testbed() &&
		    !strncmp(bpf_program__name(prog), "walk_mock_", 10)) {
			assert_true(*chosen);
			mock_walks++;
		}
	}
	assert_int_equal(i, nprobes);
	assert_int_equal(optional, NOPTIONAL);
	/* The testbed has iommufd: the dirty-read handler is probed. */
	if (in_testbed()) {
		assert_true(dirty_bitmap_progs > 0 || !is_root_run(detail_ok));
		assert_int_equal(mock_walks, 2);
	}
	trace_bpf__destroy(skel);
}

/*
 * What `probes` says as root, run once for the tests that read it (each
 * run loads and attaches every program: 10-20 s in the TCG guest), with
 * the mounts counted around it: a private tracefs mount, if one was
 * needed, must be gone once it exited.
 */
static struct report root_rep;
static int mounts_before = -1, mounts_after = -1;

static const struct report *root_report(void)
{
	if (mounts_before < 0) {
		mounts_before = count_mounts();
		run_probes(&root_rep, RUN_AS_ROOT);
		mounts_after = count_mounts();
	}
	return &root_rep;
}

static void probes_match_kernel_btf_and_kallsyms(void **state)
{
	(void)state;
	if (!is_root())
		skip();
	check_probes_section(root_report(), "attached");
}

static void kernel_section_matches(void **state)
{
	static const char *const hwdbm[] = { "iommu:switch_dirty_log",
					     "iommu:sync_dirty_log",
					     "iommu:clear_dirty_log" };
	const struct report *rep;

	(void)state;
	if (!is_root())
		skip();
	rep = root_report();

	expect(rep, "kernel", "/sys/kernel/btf/vmlinux",
	       exists("/sys/kernel/btf/vmlinux") ? "available" : "missing",
	       NULL);
	expect(rep, "kernel", "bpf-syscall", "available", "array map created");
	/* Every tracepoint line agrees with the kernel's BTF. */
	for (size_t i = 0; i < rep->n; i++) {
		const struct row *r = &rep->rows[i];
		const char *event = strchr(r->name, ':');

		if (strcmp(r->sec, "kernel") || !event)
			continue;
		expect(rep, "kernel", r->name,
		       tracepoint_in_btf(event + 1) ? "available" : "missing",
		       NULL);
	}
	/* The brief's fixed points: map/unmap everywhere, HWDBM nowhere. */
	expect(rep, "kernel", "iommu:map", "available", NULL);
	expect(rep, "kernel", "iommu:unmap", "available", NULL);
	for (size_t i = 0; i < 3; i++)
		expect(rep, "kernel", hwdbm[i], "missing",
		       "not in tracefs (2021 HWDBM, never upstream)");
	/* Every kernel the VM boots has CONFIG_INTEL_IOMMU, Debian's too. */
	if (in_vm())
		expect(rep, "kernel", "intel_iommu:qi_submit", "available",
		       "in /sys/kernel/tracing");

	/* A private tracefs mount, if one was needed, left nothing. */
	assert_int_equal(mounts_after, mounts_before);
}

static void uapi_section_matches(void **state)
{
	bool iommufd = exists("/dev/iommu"), vfio = exists("/dev/vfio/vfio");
	const struct report *rep;

	(void)state;
	if (!is_root())
		skip();
	rep = root_report();

	expect(rep, "uapi", "/dev/iommu", iommufd ? "available" : "missing",
	       NULL);
	/* Known ioctl: its handler is in the kernel (kallsyms). */
	expect(rep, "uapi", "IOMMU_HWPT_GET_DIRTY_BITMAP",
	       iommufd && kallsyms_has("iommufd_hwpt_get_dirty_bitmap")
		       ? "available"
		       : "missing",
	       NULL);
	expect(rep, "uapi", "IOMMU_HWPT_SET_DIRTY_TRACKING",
	       iommufd && kallsyms_has("iommufd_hwpt_set_dirty_tracking")
		       ? "available"
		       : "missing",
	       NULL);
	/* The selftest command's handler exists only with the mock. */
	expect(rep, "uapi", "IOMMU_TEST_CMD",
	       iommufd && kallsyms_has("iommufd_test") ? "available"
						       : "missing",
	       NULL);
	expect(rep, "uapi", "/dev/vfio/vfio", vfio ? "available" : "missing",
	       NULL);
	if (!vfio)
		expect(rep, "uapi", "VFIO_TYPE1v2_IOMMU", "missing", NULL);
	/* Never upstream: missing on every kernel we run on. */
	expect(rep, "uapi", "VFIO_DIRTY_LOG_MANUAL_CLEAR", "missing", NULL);
	expect(rep, "uapi", "/dev/vfio/devices",
	       proc_devices_has("vfio-dev") ? "available" : "missing", NULL);

	if (in_testbed()) {
		/* The testbed: iommufd with the mock, VFIO type1, cdev. */
		expect(rep, "uapi", "/dev/iommu", "available", "opened");
		expect(rep, "uapi", "IOMMU_HWPT_GET_DIRTY_BITMAP", "available",
		       "known (ENOENT for object 0)");
		expect(rep, "uapi", "IOMMU_HWPT_SET_DIRTY_TRACKING",
		       "available", "known (ENOENT for object 0)");
		expect(rep, "uapi", "IOMMU_TEST_CMD", "available",
		       "selftest mock (EINVAL for size 0)");
		expect(rep, "uapi", "/dev/vfio/vfio", "available",
		       "API version 0");
		expect(rep, "uapi", "VFIO_TYPE1v2_IOMMU", "available",
		       "offered (extension 3)");
		expect(rep, "uapi", "VFIO_DIRTY_LOG_MANUAL_CLEAR", "missing",
		       "not offered (2021 series, never upstream)");
		expect(rep, "uapi", "/dev/vfio/devices", "available", NULL);
	} else {
		/* The build machine's kernel and Debian's have no iommufd. */
		expect(rep, "uapi", "/dev/iommu", "missing",
		       "no /dev/iommu (CONFIG_IOMMUFD)");
	}
}

/*
 * -j: one JSON document with exactly the keys "probes", "kernel", "uapi",
 * each a list of {"name", "status", "detail"} strings. python3's json
 * module parses it and prints it back as tab-separated lines, which must
 * equal the table.
 */
static void json_matches_table(void **state)
{
	static const char script[] =
		"import json, sys\n"
		"d = json.load(open(sys.argv[1]))\n"
		"assert list(d) == ['probes', 'kernel', 'uapi'], list(d)\n"
		"for sec in d:\n"
		"    for it in d[sec]:\n"
		"        assert list(it) == ['name', 'status', 'detail'], it\n"
		"        assert all(isinstance(v, str) for v in it.values())\n"
		"        assert it['status'] in ('available', 'missing',\n"
		"                                'denied', 'unknown'), it\n"
		"        print(sec, it['name'], it['status'], it['detail'],\n"
		"              sep='\\t')\n";
	const char *argv[] = { dirtyscope_bin(), "probes", "-j", NULL };
	const char *py[] = { PYTHON3, "-c", script, NULL, NULL };
	const struct report *rep;
	char *flat = NULL, *line;
	struct run r, p;
	size_t len, i;
	FILE *f;

	(void)state;
	if (!is_root())
		skip();
	rep = root_report();
	assert_int_equal(run_sync(&r, RUN_AS_ROOT, argv, 120), 0);
	assert_string_equal(r.err, "");
	/* One document, one line. */
	assert_int_equal(count_lines(r.out), 1);
	py[3] = r.out_path;
	assert_int_equal(run_sync(&p, RUN_AS_ROOT, py, 60), 0);
	assert_string_equal(p.err, "");

	/* The table again, in the script's format. */
	f = open_memstream(&flat, &len);
	for (i = 0; i < rep->n; i++)
		fprintf(f, "%s\t%s\t%s\t%s\n", rep->rows[i].sec,
			rep->rows[i].name, rep->rows[i].status,
			rep->rows[i].detail);
	fclose(f);
	assert_string_equal(p.out, flat);
	/* Escaping: the output never holds a raw control character. */
	for (line = r.out; *line; line++)
		assert_true((unsigned char)*line >= 0x20 || *line == '\n');
	free(flat);
	run_free(&p);
	run_free(&r);
}

/* Without privilege: still exit 0, presence from BTF and kallsyms, and
 * the attach honestly not verified. */
static void nobody_gets_unverified(void **state)
{
	struct report *rep = malloc(sizeof(*rep));
	int unverified = 0;
	FILE *f;
	int unpriv_bpf = 2;

	(void)state;
	if (!is_root())
		skip(); /* becoming nobody needs root */
	run_probes(rep, RUN_AS_NOBODY);
	check_probes_section(rep, NOT_VERIFIED);
	for (size_t i = 0; i < rep->n; i++)
		unverified += !strcmp(rep->rows[i].detail, NOT_VERIFIED);
	/* iommu:map is everywhere, so something is available. */
	assert_true(unverified > 0);

	f = fopen("/proc/sys/kernel/unprivileged_bpf_disabled", "r");
	if (f) {
		assert_int_equal(fscanf(f, "%d", &unpriv_bpf), 1);
		fclose(f);
	}
	expect(rep, "kernel", "bpf-syscall",
	       unpriv_bpf ? "denied" : "available", NULL);
	if (in_testbed())
		/* /dev/iommu is 0660 root: present, not ours to open. */
		expect(rep, "uapi", "/dev/iommu", "denied", NULL);
	free(rep);
}

static void without_btf_still_reports(void **state)
{
	struct report *rep = malloc(sizeof(*rep));
	size_t nprobes = 0;

	(void)state;
	if (!is_root())
		skip();
	run_probes(rep, RUN_WITHOUT_BTF);
	expect(rep, "kernel", "/sys/kernel/btf/vmlinux", "missing",
	       "not found (CONFIG_DEBUG_INFO_BTF)");
	for (size_t i = 0; i < rep->n; i++)
		nprobes += !strcmp(rep->rows[i].sec, "probes");
	assert_true(nprobes > 0);
	free(rep);
}

static void bad_usage_is_one_line(void **state)
{
	const char *argv[] = { dirtyscope_bin(), "probes", "extra", NULL };
	struct run r;

	(void)state;
	assert_int_equal(run_sync(&r, RUN_AS_ROOT, argv, 10), 2);
	assert_string_equal(
		r.err, "dirtyscope: probes: unexpected argument 'extra'\n");
	assert_string_equal(r.out, "");
	run_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(probes_match_kernel_btf_and_kallsyms),
		cmocka_unit_test(kernel_section_matches),
		cmocka_unit_test(uapi_section_matches),
		cmocka_unit_test(json_matches_table),
		cmocka_unit_test(nobody_gets_unverified),
		cmocka_unit_test(without_btf_still_reports),
		cmocka_unit_test(bad_usage_is_one_line),
	};

	/* libbpf's own messages are not part of any answer here. */
	libbpf_set_print(NULL);
	return cmocka_run_group_tests_name("probes", tests, NULL, NULL);
}
