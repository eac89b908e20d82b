/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers for system tests: run dirtyscope as a user would, read its CSVs. */
#ifndef DIRTYSCOPE_SYSHELP_H
#define DIRTYSCOPE_SYSHELP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum run_as {
	RUN_AS_ROOT,
	RUN_AS_NOBODY,	    /* uid/gid 65534, no capabilities */
	RUN_WITHOUT_BTF,    /* root, /sys/kernel/btf hidden by a tmpfs */
	RUN_WITHOUT_BPF,    /* root, bpf(2) fails with ENOSYS (seccomp) */
	RUN_REFUSING_PROGS, /* root, BPF_PROG_LOAD fails with EACCES */
};

struct run {
	pid_t pid;
	int status; /* exit code, or 128 + signal */
	char out_path[64];
	char err_path[64];
	char *out; /* filled by run_wait() */
	char *err;
};

/* Path of the binary under test: $DIRTYSCOPE or ./dirtyscope. */
const char *dirtyscope_bin(void);
/* Start argv (NULL-terminated) with stdout/stderr to temp files. */
int run_start(struct run *r, enum run_as as, const char *const *argv);
/* Wait (at most timeout_s; then SIGKILL and status -1), read outputs. */
int run_wait(struct run *r, int timeout_s);
/* run_start + run_wait. */
int run_sync(struct run *r, enum run_as as, const char *const *argv,
	     int timeout_s);
void run_free(struct run *r);
/* Poll the child's stderr file until it contains text. */
bool run_wait_stderr(struct run *r, const char *text, int timeout_s);
int count_lines(const char *s);
/* Entries of a folder (not . and ..), -1 if it cannot be read. */
int dir_entries(const char *path);
/* A file's whole text, "" if it cannot be read. Caller frees. */
char *slurp(const char *path);
/* Write text to a file that exists (a sysfs or debugfs attribute) in one
 * write(). 0, or -errno (-EIO for a short write). */
int write_text(const char *path, const char *text);

/* A text symbol of the running kernel (/proc/kallsyms), modules' too: what
 * a test asks to know which kernel's behaviour to expect. */
bool kernel_has_function(const char *name);

/* Set the pool of 2 MiB hugetlb pages to n (0 gives them back). 0 or -1. */
int reserve_hugepages_2m(unsigned int n);

/* A fresh folder from templ ("/tmp/ds-x-XXXXXX", changed in place) for a
 * test group, and its removal with everything in it. 0 or -1. */
int tmpdir_create(char *templ);
int tmpdir_remove(const char *dir);

/* 0 when the VFIO group node can be opened: nothing else holds it (groups
 * and cdev-bound devices are exclusive). Else -errno. */
int group_open_check(const char *group);
/* Fail the test unless nothing holds group (group_open_check). */
void assert_group_free(const char *group);

/* QEMU's edu PCI device, present in the vtd profile. */
#define EDU_ID "1234:11e8"
/* Bind the PCI device vendor:device to vfio-pci (scripts/vfio-bind.sh) and
 * put its group node (/dev/vfio/N) in group. 0 or -1 with a message. */
int vfio_bind(const char *id, char *group, size_t len);

/* Debian's python3 (scripts/deps.sh), the independent JSON/XML parser of
 * the tests: not whatever PATH finds first (a pyenv shim is a shell script
 * that takes seconds to start in the TCG guest). */
#define PYTHON3 "/usr/bin/python3"

/* Evaluate a python3 expression over the JSON documents in text (one per
 * line, as the list d) and return what it prints, or NULL. python3's json
 * module is the independent parser. Caller frees. */
char *json_eval(const char *text, const char *expr);

/* A CSV file read whole: rows[0] is the header. */
struct csv {
	size_t nrows, ncols;
	char ***rows;
};

int csv_load(struct csv *c, const char *path);
void csv_free(struct csv *c);
int csv_col(const struct csv *c, const char *name);
/* The row whose first field is key, or NULL. */
char **csv_row(const struct csv *c, const char *key);
/* Field name of the row keyed key, as an integer (-1 if absent). */
int64_t csv_get(const struct csv *c, const char *key, const char *name);

/* The tests' own ways in, each failing the test where the plain ones
 * return an error: */
/* csv_load() of the path the format makes. */
void csv_load_or_fail(struct csv *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Field name of rows[row], as an integer. */
int64_t csv_int(const struct csv *c, size_t row, const char *name);
/* The index of the row of a strategy in bench's runs.csv (one run each). */
size_t csv_run_row(const struct csv *c, const char *strategy);
/* bench --schedule "1@sync:0-99;1@send:50-149" over npages pages, rows a
 * (auto) and m (manual) of its runs.csv: the counts worked out by hand,
 * which every backend must give. */
void assert_sched_hand_computed(const struct csv *runs, size_t a, size_t m,
				int64_t npages);

#endif
