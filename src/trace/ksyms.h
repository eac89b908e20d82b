/* SPDX-License-Identifier: GPL-2.0 */
/* Which kernel functions exist as symbols (not inlined): /proc/kallsyms. */
#ifndef DIRTYSCOPE_KSYMS_H
#define DIRTYSCOPE_KSYMS_H

#include <stdbool.h>
#include <stddef.h>

/* present[i] = names[i] is a text symbol of the running kernel. One pass
 * over kallsyms. Returns 0 or -errno (kallsyms unreadable). */
int ksyms_present(const char *const *names, size_t n, bool *present);

#endif
