// SPDX-License-Identifier: GPL-2.0
/*
 * dirtyscope trace -p beside a real live migration on the host: two QEMU 10
 * processes (scripts/qemu10.sh; tiny TCG guests, no device), the source
 * migrated to the destination over a unix socket through QMP. What trace
 * reports of QEMU's side is checked against QEMU's own two counts: the
 * migration_bitmap_sync_start lines of its trace log and query-migrate's
 * ram.dirty-sync-count. And trace -p on a process that is not QEMU warns
 * once and traces the kernel. Needs root.
 */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <cmocka.h>
#include <bpf/bpf.h>
#include "syshelp.h"

static char dir[] = "/tmp/ds-qemu-XXXXXX";
/* The unpacked QEMU 10: FOLDER/usr/bin/qemu-system-x86_64. */
static char qemu_dir[256];
static char qemu_bin[320];
static char qemu_data[320];

/* The folder scripts/qemu10.sh prints; make check has fetched it. */
static int find_qemu(void)
{
	FILE *p = popen("scripts/qemu10.sh 2>/dev/null", "r");
	size_t len;

	if (!p)
		return -1;
	if (!fgets(qemu_dir, sizeof(qemu_dir), p))
		qemu_dir[0] = '\0';
	if (pclose(p) != 0 || !qemu_dir[0])
		return -1;
	len = strlen(qemu_dir);
	if (qemu_dir[len - 1] == '\n')
		qemu_dir[len - 1] = '\0';
	snprintf(qemu_bin, sizeof(qemu_bin), "%s/usr/bin/qemu-system-x86_64",
		 qemu_dir);
	snprintf(qemu_data, sizeof(qemu_data), "%s/usr/share/qemu", qemu_dir);
	return access(qemu_bin, X_OK);
}

/* ---- a QMP client: one command at a time, events skipped ---- */

struct qmp {
	int fd;
	char buf[65536];
	size_t len; /* bytes in buf not yet handed out */
	char line[65536];
};

/* Connect to QEMU's QMP socket, which QEMU creates as it starts. */
static int qmp_connect(struct qmp *q, const char *path, int timeout_s)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	time_t end = time(NULL) + timeout_s;

	memset(q, 0, sizeof(*q));
	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	while (time(NULL) <= end) {
		q->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (q->fd < 0)
			return -errno;
		if (!connect(q->fd, (struct sockaddr *)&sa, sizeof(sa)))
			return 0;
		close(q->fd);
		usleep(20000);
	}
	q->fd = -1;
	return -ETIMEDOUT;
}

/* The next line QEMU sent, in q->line; -1 if none came in timeout_s. */
static int qmp_read_line(struct qmp *q, int timeout_s)
{
	struct pollfd pfd = { .fd = q->fd, .events = POLLIN };
	char *nl;
	ssize_t n;

	for (;;) {
		nl = memchr(q->buf, '\n', q->len);
		if (nl) {
			size_t l = nl - q->buf + 1;

			memcpy(q->line, q->buf, l);
			q->line[l] = '\0';
			memmove(q->buf, q->buf + l, q->len - l);
			q->len -= l;
			return 0;
		}
		if (q->len == sizeof(q->buf) - 1)
			return -1;
		if (poll(&pfd, 1, timeout_s * 1000) <= 0)
			return -1;
		n = read(q->fd, q->buf + q->len, sizeof(q->buf) - 1 - q->len);
		if (n <= 0)
			return -1;
		q->len += n;
	}
}

/* Send one command and return its reply line (events skipped), or NULL. */
static const char *qmp_cmd(struct qmp *q, const char *fmt, ...)
{
	char cmd[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (write(q->fd, cmd, n) != n)
		return NULL;
	for (;;) {
		if (qmp_read_line(q, 30))
			return NULL;
		if (strstr(q->line, "\"return\"") ||
		    strstr(q->line, "\"error\""))
			return q->line;
	}
}

static void qmp_close(struct qmp *q)
{
	if (q->fd >= 0)
		close(q->fd);
	q->fd = -1;
}

/* The unsigned number after "key": in a QMP reply, or -1. */
static int64_t qmp_number(const char *reply, const char *key)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\": ", key);
	p = strstr(reply, pat);
	return p ? strtoll(p + strlen(pat), NULL, 10) : -1;
}

/* ---- the two QEMUs ---- */

/* Lines of a file that contain text. */
static int count_matching_lines(const char *path, const char *text)
{
	char line[1024];
	FILE *f = fopen(path, "r");
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n += strstr(line, text) != NULL;
	fclose(f);
	return n;
}

/* Sum of one numeric column of a CSV file read whole. */
static int64_t csv_column_sum(const struct csv *c, const char *name)
{
	int col = csv_col(c, name);
	int64_t sum = 0;

	if (col < 0)
		return -1;
	for (size_t i = 1; i < c->nrows; i++)
		sum += strtoll(c->rows[i][col], NULL, 10);
	return sum;
}

/* BPF programs loaded now whose name starts "qemu_": trace's uprobe
 * programs (bpf/qemu.bpf.h), which must be gone once trace exited. */
static int qemu_programs_loaded(void)
{
	struct bpf_prog_info info;
	__u32 id = 0, len;
	int fd, n = 0;

	while (!bpf_prog_get_next_id(id, &id)) {
		fd = bpf_prog_get_fd_by_id(id);
		if (fd < 0)
			continue; /* unloaded meanwhile */
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) &&
		    !strncmp(info.name, "qemu_", 5))
			n++;
		close(fd);
	}
	return n;
}

static bool process_gone(pid_t pid)
{
	return kill(pid, 0) && errno == ESRCH;
}

static void trace_follows_a_migration(void **state)
{
	char qmp_path[128], mig_uri[140], log_path[128], csvdir[128], path[160],
		pidstr[16];
	const char *src_argv[] = {
		qemu_bin,   "-L",     qemu_data,
		"-machine", "q35",    "-accel",
		"tcg",	    "-m",     "64M",
		"-smp",	    "1",      "-nodefaults",
		"-display", "none",   "-qmp",
		NULL,	    "-trace", "migration_bitmap_sync_start",
		"-D",	    log_path, NULL
	};
	const char *dst_argv[] = { qemu_bin,   "-L",   qemu_data,
				   "-machine", "q35",  "-accel",
				   "tcg",      "-m",   "64M",
				   "-smp",     "1",    "-nodefaults",
				   "-display", "none", "-incoming",
				   mig_uri,    NULL };
	const char *trace_argv[] = { dirtyscope_bin(), "trace", "-p", pidstr,
				     "--csv",	       csvdir,	NULL };
	char qmp_arg[160];
	struct run src, dst, tr;
	struct csv sum, rounds;
	const char *reply;
	struct qmp q;
	int64_t syncs = -1;
	int log_syncs, i;

	(void)state;
	if (geteuid() != 0)
		skip();
	snprintf(qmp_path, sizeof(qmp_path), "%s/src.qmp", dir);
	snprintf(qmp_arg, sizeof(qmp_arg), "unix:%s,server=on,wait=off",
		 qmp_path);
	src_argv[15] = qmp_arg;
	snprintf(mig_uri, sizeof(mig_uri), "unix:%s/mig.sock", dir);
	snprintf(log_path, sizeof(log_path), "%s/src.log", dir);
	snprintf(csvdir, sizeof(csvdir), "%s/out", dir);

	assert_int_equal(run_start(&src, RUN_AS_ROOT, src_argv), 0);
	assert_int_equal(run_start(&dst, RUN_AS_ROOT, dst_argv), 0);
	assert_int_equal(qmp_connect(&q, qmp_path, 30), 0);
	assert_int_equal(qmp_read_line(&q, 30), 0); /* the greeting */
	assert_non_null(strstr(q.line, "\"QMP\""));
	reply = qmp_cmd(&q, "{\"execute\": \"qmp_capabilities\"}\n");
	assert_non_null(reply);
	assert_non_null(strstr(reply, "\"return\""));

	snprintf(pidstr, sizeof(pidstr), "%d", (int)src.pid);
	assert_int_equal(run_start(&tr, RUN_AS_ROOT, trace_argv), 0);
	assert_true(run_wait_stderr(&tr, "Tracing with", 60));
	/* The 13 uprobe programs, 8 functions' entries and 5 returns. */
	assert_int_equal(qemu_programs_loaded(), 13);

	reply = qmp_cmd(&q,
			"{\"execute\": \"migrate\", \"arguments\": "
			"{\"uri\": \"%s\"}}\n",
			mig_uri);
	assert_non_null(reply);
	assert_non_null(strstr(reply, "\"return\""));
	/* Until QEMU says how it ended (at most a minute). */
	for (i = 0; i < 1200; i++) {
		reply = qmp_cmd(&q, "{\"execute\": \"query-migrate\"}\n");
		assert_non_null(reply);
		assert_null(strstr(reply, "\"status\": \"failed\""));
		if (strstr(reply, "\"status\": \"completed\"")) {
			syncs = qmp_number(reply, "dirty-sync-count");
			break;
		}
		usleep(50000);
	}
	assert_true(syncs > 0);
	/* The source quits with trace still attached: QEMU stops dirty
	 * logging only then, the VM being stopped since the migration. */
	reply = qmp_cmd(&q, "{\"execute\": \"quit\"}\n");
	assert_non_null(reply);
	qmp_close(&q);
	assert_int_equal(run_wait(&src, 60), 0);
	kill(dst.pid, SIGTERM);
	run_wait(&dst, 60);
	kill(tr.pid, SIGINT);
	assert_int_equal(run_wait(&tr, 60), 0);
	assert_true(process_gone(src.pid));
	assert_true(process_gone(dst.pid));
	assert_int_equal(qemu_programs_loaded(), 0);

	/* QEMU's trace log: one line per bitmap sync. */
	log_syncs =
		count_matching_lines(log_path, "migration_bitmap_sync_start");
	assert_int_equal(log_syncs, syncs);

	snprintf(path, sizeof(path), "%s/summary.csv", csvdir);
	assert_int_equal(csv_load(&sum, path), 0);
	assert_int_equal(csv_get(&sum, "qemu_round", "count"), syncs);
	assert_int_equal(csv_get(&sum, "qemu_sync", "count"), syncs);
	/* The bitmap sync makes the memory core's sync once. */
	assert_int_equal(csv_get(&sum, "qemu_log_sync", "count"), syncs);
	assert_int_equal(csv_get(&sum, "qemu_log_start", "count"), 1);
	assert_int_equal(csv_get(&sum, "qemu_log_stop", "count"), 1);
	/* No VFIO device: QEMU's VFIO reads never run. */
	assert_int_equal(csv_get(&sum, "qemu_vfio_read", "count"), 0);
	assert_int_equal(csv_get(&sum, "lost_events", "count"), 0);
	csv_free(&sum);

	snprintf(path, sizeof(path), "%s/rounds.csv", csvdir);
	assert_int_equal(csv_load(&rounds, path), 0);
	assert_int_equal(rounds.nrows, 1 + syncs);
	assert_int_equal(csv_column_sum(&rounds, "syncs"), syncs);
	/* Only the completion's sync is the last stage. */
	assert_int_equal(csv_column_sum(&rounds, "last_stage"), 1);
	assert_string_equal(rounds.rows[syncs][csv_col(&rounds, "last_stage")],
			    "1");
	csv_free(&rounds);
	snprintf(path, sizeof(path), "rounds: %lld\n", (long long)syncs);
	assert_non_null(strstr(tr.out, path));
	print_message("# %lld syncs: query-migrate, QEMU's log and trace\n",
		      (long long)syncs);

	run_free(&src);
	run_free(&dst);
	run_free(&tr);
}

/* probes -p lists the uprobes trace would put on a QEMU, all attached. */
static void probes_lists_qemu_uprobes(void **state)
{
	const char *qemu_argv[] = {
		qemu_bin,   "-L",   qemu_data, "-machine", "q35", "-accel",
		"tcg",	    "-m",   "64M",     "-smp",	   "1",	  "-nodefaults",
		"-display", "none", "-S",      NULL
	};
	char pidstr[16];
	const char *argv[] = { dirtyscope_bin(), "probes", "-p", pidstr, NULL };
	struct run vm, r;
	char *line, *save;
	int attached = 0;

	(void)state;
	if (geteuid() != 0)
		skip();
	assert_int_equal(run_start(&vm, RUN_AS_ROOT, qemu_argv), 0);
	snprintf(pidstr, sizeof(pidstr), "%d", (int)vm.pid);
	assert_int_equal(run_sync(&r, RUN_AS_ROOT, argv, 120), 0);
	kill(vm.pid, SIGTERM);
	run_wait(&vm, 60);
	assert_true(process_gone(vm.pid));
	assert_int_equal(qemu_programs_loaded(), 0);
	/* 8 functions, 5 of them timed (a uretprobe too). */
	for (line = strtok_r(r.out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		if ((!strncmp(line, "uprobe/", 7) ||
		     !strncmp(line, "uretprobe/", 10)) &&
		    strstr(line, " attached"))
			attached++;
	assert_int_equal(attached, 13);
	run_free(&vm);
	run_free(&r);
}

/* A process that is not QEMU: one warning line, the kernel traced. */
static void trace_pid_without_qemu_functions(void **state)
{
	const char *sleep_argv[] = { "sleep", "600", NULL };
	char pidstr[16], csvdir[128], path[160];
	const char *argv[] = { dirtyscope_bin(), "trace", "-p",
			       pidstr,		 "-d",	  "1",
			       "--csv",		 csvdir,  NULL };
	char want[256];
	struct run sl, r;

	(void)state;
	if (geteuid() != 0)
		skip();
	snprintf(csvdir, sizeof(csvdir), "%s/sleep", dir);
	assert_int_equal(run_start(&sl, RUN_AS_ROOT, sleep_argv), 0);
	snprintf(pidstr, sizeof(pidstr), "%d", (int)sl.pid);
	assert_int_equal(run_sync(&r, RUN_AS_ROOT, argv, 120), 0);
	kill(sl.pid, SIGTERM);
	run_wait(&sl, 60);
	assert_true(process_gone(sl.pid));
	snprintf(want, sizeof(want),
		 "warning: PID %s: none of QEMU's functions dirtyscope knows "
		 "(not in the process's binary): tracing the kernel only\n",
		 pidstr);
	assert_non_null(strstr(r.err, want));
	assert_int_equal(count_matching_lines(r.err_path, "QEMU"), 1);
	assert_non_null(strstr(r.err, "Tracing with "));
	/* No rounds without a VMM to mark them. */
	assert_null(strstr(r.out, "ROUND"));
	snprintf(path, sizeof(path), "%s/rounds.csv", csvdir);
	assert_int_equal(access(path, F_OK), -1);
	snprintf(path, sizeof(path), "%s/summary.csv", csvdir);
	assert_int_equal(access(path, R_OK), 0);
	run_free(&sl);
	run_free(&r);
}

static int setup(void **state)
{
	(void)state;
	/* Every test skips without root, which may not write the cache. */
	if (geteuid() == 0 && find_qemu()) {
		fprintf(stderr, "test_qemu_host: no QEMU 10 (scripts/qemu10.sh "
				"failed)\n");
		return -1;
	}
	return tmpdir_create(dir);
}

static int teardown(void **state)
{
	(void)state;
	return tmpdir_remove(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(trace_follows_a_migration),
		cmocka_unit_test(probes_lists_qemu_uprobes),
		cmocka_unit_test(trace_pid_without_qemu_functions),
	};

	return cmocka_run_group_tests_name("qemu_host", tests, setup, teardown);
}
