/* SPDX-License-Identifier: GPL-2.0 */
/* Which kernel functions exist as symbols (not inlined), and in which
 * module: /proc/kallsyms. */
#ifndef DIRTYSCOPE_KSYMS_H
#define DIRTYSCOPE_KSYMS_H

#include <stdbool.h>
#include <stddef.h>

#define KSYM_MODULE_MAX 64

struct ksym_where {
	bool present;
	char module[KSYM_MODULE_MAX]; /* "" for vmlinux */
};

/* where[i]: is names[i] a text symbol of the running kernel, and of which
 * module. One pass over kallsyms. Returns 0 or -errno (unreadable, or a
 * read cut short). */
int ksyms_find(const char *const *names, size_t n, struct ksym_where *where);

#endif
