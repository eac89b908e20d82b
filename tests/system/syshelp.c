// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/audit.h>
#include <linux/bpf.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include "syshelp.h"

bool kernel_has_function(const char *name)
{
	char line[512], sym[256], type;
	unsigned long long addr;
	bool found = false;
	FILE *f = fopen("/proc/kallsyms", "r");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "%llx %c %255s", &addr, &type, sym) == 3 &&
			(type == 't' || type == 'T') && !strcmp(sym, name);
	fclose(f);
	return found;
}

const char *dirtyscope_bin(void)
{
	const char *p = getenv("DIRTYSCOPE");

	return p && *p ? p : "./dirtyscope";
}

char *slurp(const char *path)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = fopen(path, "r");
	FILE *m;

	if (!f)
		return strdup("");
	m = open_memstream(&buf, &len);
	for (int c; (c = fgetc(f)) != EOF;)
		fputc(c, m);
	fclose(m);
	fclose(f);
	return buf;
}

/*
 * A seccomp filter, the way container runtimes take BPF away: bpf(2)'s
 * program loads get the action load, its other commands the action other
 * (SECCOMP_RET_ALLOW or SECCOMP_RET_ERRNO | errno).
 */
static int deny_bpf(__u32 load, __u32 other)
{
	struct sock_filter insns[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_bpf, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, args[0])),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, BPF_PROG_LOAD, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, other),
		BPF_STMT(BPF_RET | BPF_K, load),
	};
	struct sock_fprog prog = {
		.len = sizeof(insns) / sizeof(insns[0]),
		.filter = insns,
	};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}

static void child_setup(enum run_as as)
{
	switch (as) {
	case RUN_AS_ROOT:
		break;
	case RUN_AS_NOBODY:
		if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(120);
		break;
	case RUN_WITHOUT_BTF:
		/* A private mount namespace, so the host view is untouched. */
		if (unshare(CLONE_NEWNS) ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
		    mount("none", "/sys/kernel/btf", "tmpfs", 0, NULL))
			_exit(121);
		break;
	case RUN_WITHOUT_BPF:
		/* as on a kernel built without CONFIG_BPF_SYSCALL */
		if (deny_bpf(SECCOMP_RET_ERRNO | ENOSYS,
			     SECCOMP_RET_ERRNO | ENOSYS))
			_exit(122);
		break;
	case RUN_REFUSING_PROGS:
		/* as the verifier answers a program it rejects */
		if (deny_bpf(SECCOMP_RET_ERRNO | EACCES, SECCOMP_RET_ALLOW))
			_exit(122);
		break;
	}
}

int run_start(struct run *r, enum run_as as, const char *const *argv)
{
	int out, err;

	memset(r, 0, sizeof(*r));
	strcpy(r->out_path, "/tmp/ds-test-out-XXXXXX");
	strcpy(r->err_path, "/tmp/ds-test-err-XXXXXX");
	out = mkstemp(r->out_path);
	err = mkstemp(r->err_path);
	if (out < 0 || err < 0)
		return -errno;
	fchmod(out, 0666);
	fchmod(err, 0666);
	r->pid = fork();
	if (r->pid < 0)
		return -errno;
	if (r->pid == 0) {
		dup2(out, 1);
		dup2(err, 2);
		child_setup(as);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(out);
	close(err);
	return 0;
}

int run_wait(struct run *r, int timeout_s)
{
	time_t end = time(NULL) + timeout_s;
	int st;

	for (;;) {
		pid_t p = waitpid(r->pid, &st, WNOHANG);

		if (p == r->pid)
			break;
		if (time(NULL) > end) {
			kill(r->pid, SIGKILL);
			waitpid(r->pid, &st, 0);
			r->status = -1;
			goto read;
		}
		usleep(10000);
	}
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
read:
	r->out = slurp(r->out_path);
	r->err = slurp(r->err_path);
	return r->status;
}

int run_sync(struct run *r, enum run_as as, const char *const *argv,
	     int timeout_s)
{
	int ret = run_start(r, as, argv);

	if (ret) {
		r->status = -1;
		r->out = strdup("");
		r->err = strdup(strerror(-ret));
		return -1;
	}
	return run_wait(r, timeout_s);
}

void run_free(struct run *r)
{
	if (r->out_path[0])
		unlink(r->out_path);
	if (r->err_path[0])
		unlink(r->err_path);
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
}

bool run_wait_stderr(struct run *r, const char *text, int timeout_s)
{
	time_t end = time(NULL) + timeout_s;

	while (time(NULL) <= end) {
		char *s = slurp(r->err_path);
		bool found = strstr(s, text) != NULL;

		free(s);
		if (found)
			return true;
		if (waitpid(r->pid, NULL, WNOHANG) == r->pid)
			return false;
		usleep(20000);
	}
	return false;
}

int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

int dir_entries(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

/* python3 starting in the TCG guest over 9p took 34 s on a loaded host. */
#define JSON_EVAL_TIMEOUT_S 180

int tmpdir_create(char *templ)
{
	return mkdtemp(templ) ? 0 : -1;
}

int write_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : n < 0 ? -errno : -EIO;
}

int tmpdir_remove(const char *dir)
{
	const char *argv[] = { "rm", "-rf", dir, NULL };
	struct run r;
	int status = run_sync(&r, RUN_AS_ROOT, argv, 60);

	run_free(&r);
	return status ? -1 : 0;
}

int group_open_check(const char *group)
{
	int fd = open(group, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

void assert_group_free(const char *group)
{
	int err = group_open_check(group);

	if (err)
		fail_msg("%s cannot be opened again: %s", group,
			 strerror(-err));
}

char *json_eval(const char *text, const char *expr)
{
	char in[] = "/tmp/ds-json-XXXXXX", prog[1024];
	const char *argv[] = { PYTHON3, "-c", prog, in, NULL };
	struct run r;
	char *out = NULL;
	int fd = mkstemp(in);

	if (fd < 0)
		return NULL;
	if (write(fd, text, strlen(text)) == (ssize_t)strlen(text)) {
		snprintf(prog, sizeof(prog),
			 "import json, sys\n"
			 "d = [json.loads(l) for l in open(sys.argv[1])]\n"
			 "print(%s)\n",
			 expr);
		if (run_sync(&r, RUN_AS_ROOT, argv, JSON_EVAL_TIMEOUT_S) == 0)
			out = strdup(r.out);
		run_free(&r);
	}
	close(fd);
	unlink(in);
	return out;
}

int vfio_bind(const char *id, char *group, size_t size)
{
	const char *argv[] = { "scripts/vfio-bind.sh", id, NULL };
	struct run r;
	size_t len;
	int ret = -1;

	if (run_sync(&r, RUN_AS_ROOT, argv, 60) != 0) {
		fprintf(stderr, "vfio-bind.sh failed: %s", r.err);
		goto out;
	}
	len = strlen(r.out);
	if (strncmp(r.out, "/dev/vfio/", 10) || len < 12 || len >= size ||
	    r.out[len - 1] != '\n') {
		fprintf(stderr, "vfio-bind.sh printed '%s'\n", r.out);
		goto out;
	}
	memcpy(group, r.out, len - 1);
	group[len - 1] = '\0';
	ret = 0;
out:
	run_free(&r);
	return ret;
}

/* Split one CSV line; fields may be quoted with "" escapes. */
static char **split_line(char *line, size_t *n)
{
	char **f = NULL;
	size_t cap = 0;
	char *p = line, *w;

	*n = 0;
	for (;;) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			f = realloc(f, cap * sizeof(*f));
		}
		f[(*n)++] = w = p;
		if (*p == '"') {
			for (p++; *p; p++) {
				if (*p == '"' && p[1] == '"')
					*w++ = *p++;
				else if (*p == '"')
					break;
				else
					*w++ = *p;
			}
			if (*p)
				p++;
		} else {
			while (*p && *p != ',')
				*w++ = *p++;
		}
		if (*p != ',') {
			*w = '\0';
			return f;
		}
		*w = '\0';
		p++;
	}
}

int csv_load(struct csv *c, const char *path)
{
	char *line = NULL;
	size_t cap = 0, n;
	ssize_t len;
	FILE *f = fopen(path, "r");

	memset(c, 0, sizeof(*c));
	if (!f)
		return -errno;
	while ((len = getline(&line, &cap, f)) > 0) {
		if (line[len - 1] == '\n')
			line[len - 1] = '\0';
		c->rows = realloc(c->rows, (c->nrows + 1) * sizeof(*c->rows));
		c->rows[c->nrows] = split_line(strdup(line), &n);
		if (c->nrows == 0)
			c->ncols = n;
		c->nrows++;
		if (n != c->ncols) {
			free(line);
			fclose(f);
			return -EBADMSG;
		}
	}
	free(line);
	fclose(f);
	return c->nrows ? 0 : -ENODATA;
}

void csv_free(struct csv *c)
{
	for (size_t i = 0; i < c->nrows; i++) {
		free(c->rows[i][0]);
		free(c->rows[i]);
	}
	free(c->rows);
	memset(c, 0, sizeof(*c));
}

int csv_col(const struct csv *c, const char *name)
{
	for (size_t i = 0; c->nrows && i < c->ncols; i++)
		if (!strcmp(c->rows[0][i], name))
			return i;
	return -1;
}

char **csv_row(const struct csv *c, const char *key)
{
	for (size_t i = 1; i < c->nrows; i++)
		if (!strcmp(c->rows[i][0], key))
			return c->rows[i];
	return NULL;
}

int64_t csv_get(const struct csv *c, const char *key, const char *name)
{
	char **row = csv_row(c, key);
	int col = csv_col(c, name);

	if (!row || col < 0)
		return -1;
	return strtoll(row[col], NULL, 10);
}

void csv_load_or_fail(struct csv *c, const char *fmt, ...)
{
	char path[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	assert_int_equal(csv_load(c, path), 0);
}

int64_t csv_int(const struct csv *c, size_t row, const char *name)
{
	int col = csv_col(c, name);

	assert_true(col >= 0);
	assert_true(row < c->nrows);
	return strtoll(c->rows[row][col], NULL, 10);
}

size_t csv_run_row(const struct csv *c, const char *strategy)
{
	for (size_t i = 1; i < c->nrows; i++)
		if (!strcmp(c->rows[i][csv_col(c, "strategy")], strategy))
			return i;
	fail_msg("no %s run", strategy);
	return 0;
}

/*
 * Round 1: pages 0-99 written before the sync, 50-149 after it. Auto reads
 * and clears 0-99, sends them; 50-149 are dirty again in round 2, and
 * 50-99 were sent after that write: 50 redundant. Manual reads 0-99
 * without clearing, and the chunk read-and-clear right before sending
 * returns 0-149: all sent once, none again.
 */
void assert_sched_hand_computed(const struct csv *runs, size_t a, size_t m,
				int64_t npages)
{
	assert_true(csv_int(runs, a, "pages_sent") == npages + 100 + 100);
	assert_true(csv_int(runs, a, "pages_redundant") == 50);
	assert_true(csv_int(runs, a, "rounds") == 4);
	assert_true(csv_int(runs, a, "syncs") == 4);
	assert_true(csv_int(runs, a, "clear_calls") == 0);
	assert_true(csv_int(runs, a, "received_pages") == 200);
	assert_true(csv_int(runs, m, "pages_sent") == npages + 150);
	assert_true(csv_int(runs, m, "pages_redundant") == 0);
	assert_true(csv_int(runs, m, "rounds") == 3);
	assert_true(csv_int(runs, m, "syncs") == 3);
	assert_true(csv_int(runs, m, "clear_calls") == 1);
	assert_true(csv_int(runs, m, "received_pages") == 250);
}

int reserve_hugepages_2m(unsigned int n)
{
	FILE *f = fopen("/sys/kernel/mm/hugepages/hugepages-2048kB/"
			"nr_hugepages",
			"we");
	int ret;

	if (!f)
		return -1;
	ret = fprintf(f, "%u", n) < 0 ? -1 : 0;
	return fclose(f) ? -1 : ret;
}
