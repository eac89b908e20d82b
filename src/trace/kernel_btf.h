/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The running kernel's BTF: the one place that knows where it is, for the
 * probe selection, the loader's error line and the `probes` report.
 */
#ifndef DIRTYSCOPE_KERNEL_BTF_H
#define DIRTYSCOPE_KERNEL_BTF_H

#include <stddef.h>

#define KERNEL_BTF_DIR	"/sys/kernel/btf"
#define KERNEL_BTF_PATH KERNEL_BTF_DIR "/vmlinux"

struct btf;

/*
 * Parsed, or NULL with errno. From sysfs when it is there, so that a
 * failed read keeps its errno (libbpf's own search turns every failure
 * into ESRCH); else where libbpf looks.
 */
struct btf *kernel_btf_load(void);
/*
 * A loaded module's BTF, split on the kernel's (vmlinux, from
 * kernel_btf_load()), or NULL with errno (ENOENT: the module has none,
 * built without CONFIG_DEBUG_INFO_BTF_MODULES or not loaded).
 */
struct btf *kernel_btf_load_module(const char *module, struct btf *vmlinux);
/* What a failure of kernel_btf_load() (-errno) means, for an error line. */
void kernel_btf_explain(int err, char *buf, size_t len);

#endif
