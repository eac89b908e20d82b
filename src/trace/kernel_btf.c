// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/btf.h>
#include "kernel_btf.h"

struct btf *kernel_btf_load(void)
{
	if (!access(KERNEL_BTF_PATH, F_OK))
		return btf__parse(KERNEL_BTF_PATH, NULL);
	return btf__load_vmlinux_btf();
}

struct btf *kernel_btf_load_module(const char *module, struct btf *vmlinux)
{
	char path[128];

	/* A name that would leave the directory is no module. */
	if (!*module || strchr(module, '/')) {
		errno = EINVAL;
		return NULL;
	}
	snprintf(path, sizeof(path), KERNEL_BTF_DIR "/%s", module);
	return btf__parse_split(path, vmlinux);
}

void kernel_btf_explain(int err, char *buf, size_t len)
{
	if (err == -ENOENT || err == -ESRCH)
		snprintf(buf, len,
			 "kernel BTF not found at " KERNEL_BTF_PATH
			 " (needs CONFIG_DEBUG_INFO_BTF)");
	else
		snprintf(buf, len, "reading " KERNEL_BTF_PATH " failed: %s",
			 strerror(-err));
}
