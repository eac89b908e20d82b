// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include <bpf/btf.h>
#include "ksyms.h"
#include "log.h"
#include "probe_select.h"

static const char *prog_target(const struct bpf_program *prog)
{
	const char *sec = bpf_program__section_name(prog);
	const char *slash = strchr(sec, '/');

	return slash ? slash + 1 : sec;
}

static bool is_function_probe(const struct bpf_program *prog)
{
	enum bpf_attach_type t = bpf_program__expected_attach_type(prog);

	return t == BPF_TRACE_FENTRY || t == BPF_TRACE_FEXIT;
}

int probes_select(struct bpf_object *obj, struct probe_status *st, size_t *n)
{
	const char *funcs[PROBE_MAX];
	bool present[PROBE_MAX];
	struct bpf_program *prog;
	int usable = 0;
	size_t i;

	*n = 0;
	bpf_object__for_each_program (prog, obj) {
		if (*n == PROBE_MAX) {
			/* Never silently: a program beyond the table would
			 * load unchecked. */
			bpf_program__set_autoload(prog, false);
			ds_warn("more than %d BPF programs: %s not used",
				PROBE_MAX, bpf_program__section_name(prog));
			continue;
		}
		st[*n].prog = prog;
		st[*n].section = bpf_program__section_name(prog);
		st[*n].target = prog_target(prog);
		st[*n].why = NULL;
		funcs[*n] = st[*n].target;
		(*n)++;
	}
	if (ksyms_present(funcs, *n, present)) {
		/* No kallsyms (hidepid, lockdown): let attach tell. */
		for (i = 0; i < *n; i++)
			present[i] = true;
	}
	for (i = 0; i < *n; i++) {
		const struct bpf_program *p = st[i].prog;
		enum bpf_attach_type t = bpf_program__expected_attach_type(p);

		if (libbpf_find_vmlinux_btf_id(st[i].target, t) < 0)
			st[i].why = "not in kernel BTF";
		else if (is_function_probe(p) && !present[i])
			st[i].why = "no such symbol (inlined?)";
		if (st[i].why)
			bpf_program__set_autoload((struct bpf_program *)p,
						  false);
		else
			usable++;
	}
	return usable;
}

void probes_report_skipped(const struct probe_status *st, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (st[i].why)
			ds_warn("skipping %s: %s", st[i].section, st[i].why);
}
