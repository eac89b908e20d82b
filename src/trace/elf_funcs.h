/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which functions an executable defines: what decides, before anything is
 * loaded, whether a uprobe of trace -p has its function in the traced
 * process's binary. Both symbol tables are read: a stripped binary keeps
 * only .dynsym, which holds what it exports.
 */
#ifndef DIRTYSCOPE_ELF_FUNCS_H
#define DIRTYSCOPE_ELF_FUNCS_H

#include <stdbool.h>
#include <stddef.h>

/* found[i]: names[i] is a function defined in path (not merely imported).
 * 0, or -errno when path is not a readable ELF file (-ENOEXEC: not ELF). */
int elf_find_functions(const char *path, const char *const *names, size_t n,
		       bool *found);

#endif
