/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A real live migration between two QEMU 10 processes (scripts/qemu10.sh)
 * with dirtyscope trace -p on the source, as a user runs it beside a
 * migration: what test_qemu_host (no device, on the host) and
 * test_qemu_vfio_vm (an mtty VFIO device, in the testbed VM) share.
 */
#ifndef DIRTYSCOPE_QEMU_MIG_H
#define DIRTYSCOPE_QEMU_MIG_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "syshelp.h"

/* trace's uprobe programs on a QEMU 10: 8 functions' entries, 5 returns. */
#define QEMU_UPROBE_PROGRAMS 13

/* The QEMU 10 binary scripts/qemu10.sh unpacked, and its data folder. */
extern char qemu_bin[320];
extern char qemu_data[320];
/* Find them; 0, or -1 if the script failed. */
int qemu_find(void);

struct migration {
	/* In: a folder for the sockets, QEMU's log and trace's CSVs; more
	 * options for the source and the destination (NULL-terminated, or
	 * NULL); the trace events the source logs (-trace) besides
	 * migration_bitmap_sync_start, NULL-terminated, or NULL. */
	const char *dir;
	const char *const *src_opts;
	const char *const *dst_opts;
	const char *const *log_events;
	/* Out: query-migrate's ram.dirty-sync-count once completed, the
	 * source's log, trace's CSV folder and its run (outputs read). */
	int64_t dirty_sync_count;
	char log_path[160];
	char csvdir[160];
	struct run trace;
	/* The processes, and which are still running. */
	struct run src, dst;
	bool src_up, dst_up, trace_up;
	const char **src_argv, **dst_argv;
};

/*
 * Start both QEMUs, trace -p on the source (its uprobes attached), migrate
 * over a unix socket and wait for "completed", quit the source (it stops
 * dirty logging only then), end the destination, stop trace; fail the test
 * if any of it fails, or if a QEMU, a qemu_ program or a BPF link
 * is left.
 */
void migrate_traced(struct migration *m);
/* After migrate_traced(): trace's rounds are QEMU's, exactly. As many as
 * query-migrate's dirty-sync-count and QEMU's log of its bitmap syncs, in
 * summary.csv (qemu_round, qemu_sync, qemu_log_sync), rounds.csv (one row
 * each, only the last the last stage) and the table; one log start and
 * stop; nothing lost. */
void assert_rounds_agree(const struct migration *m);
/* At the end of the test, and from its own teardown (a failed assertion
 * leaves the test early): any process still running stopped and reaped,
 * the rest freed. Idempotent on a zeroed or freed migration. */
void migration_free(struct migration *m);

/* Lines of a file that contain text; -1 if it cannot be read. */
int count_matching_lines(const char *path, const char *text);
/* Sum of one numeric column of a CSV, -1 without the column. */
int64_t csv_column_sum(const struct csv *c, const char *name);
/* BPF programs loaded now whose name starts "qemu_" (bpf/qemu.bpf.h). */
int qemu_programs_loaded(void);
bool process_gone(pid_t pid);

#endif
