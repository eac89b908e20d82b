/* SPDX-License-Identifier: GPL-2.0 */
/* The running kernel as test_probes.c finds it itself (kernel_facts.c). */
#ifndef DIRTYSCOPE_KERNEL_FACTS_H
#define DIRTYSCOPE_KERNEL_FACTS_H

#include <stdbool.h>
#include <stddef.h>

/* Root may load an fentry program on target, asked with the raw bpf()
 * syscall: some kernels refuse every fentry program (EPERM). */
bool fentry_refused(const char *target);
/* A text symbol in /proc/kallsyms, modules' too; module (if not NULL)
 * gets its module's name, "" for vmlinux. */
bool kallsyms_find(const char *func, char *module, size_t size);
bool kallsyms_has(const char *func);
/* A function in a module's BTF (/sys/kernel/btf/MODULE). */
bool module_btf_has(const char *module, const char *func);
/* A named type of kind (BTF_KIND_*) in vmlinux's BTF. */
bool btf_has(const char *name, int kind);
/* A tracepoint, by its btf_trace_<event> typedef. */
bool tracepoint_in_btf(const char *event);
/* A character or block device name in /proc/devices. */
bool proc_devices_has(const char *dev);
/* Mounts in our namespace. */
int count_mounts(void);
bool exists(const char *path);

#endif
