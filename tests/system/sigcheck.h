/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the signal tests (test_signals_vm.c, test_signals_vtd_dirty.c)
 * check after a signalled run: the CSV folder holds complete files or
 * none and no temp file, no BPF program of ours stays loaded.
 */
#ifndef DIRTYSCOPE_SIGCHECK_H
#define DIRTYSCOPE_SIGCHECK_H

#include <stdbool.h>
#include <stdint.h>
#include "syshelp.h"

uint64_t ms_now(void);
void sleep_ms(unsigned int ms);
/* Fail on any dot file: a temp file outfile_open() left behind. */
void assert_no_temp_files(const char *path);
bool file_in(const char *dir, const char *name);
/* BPF programs loaded now whose name is one of trace's. */
int our_bpf_progs(void);
/*
 * The signal came before main() installed its handler (exec, the dynamic
 * loader): the process ended by the signal and made nothing.
 */
bool died_early(const struct run *r, int sig, const char *csvdir);

#endif
