// SPDX-License-Identifier: GPL-2.0
/*
 * What test_probes.c knows of the running kernel without dirtyscope: its
 * own kallsyms reader, the kernel's BTF (vmlinux's and modules') through
 * libbpf, /proc/devices, the mounts, and a raw bpf() load of an fentry
 * program. None of it shares code with src/trace, so that the verdicts of
 * `dirtyscope probes` are checked against an independent answer.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/bpf.h>
#include <cmocka.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "kernel_facts.h"

/*
 * Does this kernel let root load an fentry program on target? Asked with
 * the raw bpf() syscall, independently of the code under test: some
 * kernels refuse every fentry program (EPERM) while tracepoints work.
 */
bool fentry_refused(const char *target)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	union bpf_attr attr;
	int id = libbpf_find_vmlinux_btf_id(target, BPF_TRACE_FENTRY), fd;

	if (id < 0 || geteuid() != 0)
		return false;
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_TRACING;
	attr.expected_attach_type = BPF_TRACE_FENTRY;
	attr.attach_btf_id = id;
	attr.insns = (uintptr_t)insns;
	attr.insn_cnt = 2;
	attr.license = (uintptr_t) "GPL";
	fd = syscall(__NR_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
	if (fd >= 0) {
		close(fd);
		return false;
	}
	return errno == EPERM;
}

/* Our own kallsyms lookup, independent of src/trace/ksyms.c: a text symbol
 * ('t' or 'T'), module symbols included; module (if not NULL) gets the
 * module's name, "" for vmlinux. */
bool kallsyms_find(const char *func, char *module, size_t size)
{
	char line[512], name[256], mod[128] = "", type;
	unsigned long long addr;
	bool found = false;
	int fields = 0;
	FILE *f = fopen("/proc/kallsyms", "r");

	assert_non_null(f);
	while (!found && fgets(line, sizeof(line), f)) {
		fields = sscanf(line, "%llx %c %255s [%127[^]]", &addr, &type,
				name, mod);
		found = fields >= 3 && (type == 't' || type == 'T') &&
			!strcmp(name, func);
	}
	fclose(f);
	if (module)
		snprintf(module, size, "%s", found && fields == 4 ? mod : "");
	return found;
}

bool kallsyms_has(const char *func)
{
	return kallsyms_find(func, NULL, 0);
}

/* A function in a module's BTF, read from sysfs here (split on vmlinux). */
bool module_btf_has(const char *module, const char *func)
{
	struct btf *vmlinux = btf__load_vmlinux_btf(), *btf;
	char path[256];
	bool found = false;

	if (!vmlinux)
		return false;
	snprintf(path, sizeof(path), "/sys/kernel/btf/%s", module);
	btf = btf__parse_split(path, vmlinux);
	if (btf)
		found = btf__find_by_name_kind(btf, func, BTF_KIND_FUNC) >= 0;
	btf__free(btf);
	btf__free(vmlinux);
	return found;
}

/* A named type of the given kind in the kernel's own BTF. */
bool btf_has(const char *name, int kind)
{
	struct btf *btf = btf__load_vmlinux_btf();
	bool found;

	if (!btf)
		return false;
	found = btf__find_by_name_kind(btf, name, kind) >= 0;
	btf__free(btf);
	return found;
}

/* A tracepoint exists iff BPF's typedef for it does: the kernel makes one
 * btf_trace_<event> per tracepoint, and event names are unique. */
bool tracepoint_in_btf(const char *event)
{
	char name[128];

	snprintf(name, sizeof(name), "btf_trace_%s", event);
	return btf_has(name, BTF_KIND_TYPEDEF);
}

bool proc_devices_has(const char *dev)
{
	char line[128], name[64];
	bool found = false;
	int major;
	FILE *f = fopen("/proc/devices", "r");

	assert_non_null(f);
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "%d %63s", &major, name) == 2 &&
			!strcmp(name, dev);
	fclose(f);
	return found;
}

/* Mounts in our namespace: a probe must not add one. */
int count_mounts(void)
{
	char line[1024];
	int n = 0;
	FILE *f = fopen("/proc/self/mountinfo", "r");

	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		n += strchr(line, '\n') != NULL;
	fclose(f);
	return n;
}

bool exists(const char *path)
{
	return access(path, F_OK) == 0;
}
