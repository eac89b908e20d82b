// SPDX-License-Identifier: GPL-2.0
/*
 * Two QEMU 10 processes migrating with trace -p on the source (qemu_mig.h):
 * the QEMU that scripts/qemu10.sh unpacked, a QMP client, and what the
 * tests that follow a migration count.
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
#include "qemu_mig.h"

/* The unpacked QEMU 10: FOLDER/usr/bin/qemu-system-x86_64. */
static char qemu_dir[256];
char qemu_bin[320];
char qemu_data[320];

/* The folder scripts/qemu10.sh prints; make check has fetched it. */
int qemu_find(void)
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

int count_matching_lines(const char *path, const char *text)
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

int64_t csv_column_sum(const struct csv *c, const char *name)
{
	int col = csv_col(c, name);
	int64_t sum = 0;

	if (col < 0)
		return -1;
	for (size_t i = 1; i < c->nrows; i++)
		sum += strtoll(c->rows[i][col], NULL, 10);
	return sum;
}

int qemu_programs_loaded(void)
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

bool process_gone(pid_t pid)
{
	return kill(pid, 0) && errno == ESRCH;
}

/* ---- the migration ---- */

/* argv of one QEMU: the common options, then extra, then more. */
static const char **qemu_argv(const char *qmp_arg, const char *const *extra,
			      const char *const *more)
{
	static const char *const common[] = { "-machine", "q35",  "-accel",
					      "tcg",	  "-m",	  "64M",
					      "-smp",	  "1",	  "-nodefaults",
					      "-display", "none", NULL };
	const char **argv = calloc(64, sizeof(*argv));
	int n = 0;

	assert_non_null(argv);
	argv[n++] = qemu_bin;
	argv[n++] = "-L";
	argv[n++] = qemu_data;
	for (int i = 0; common[i]; i++)
		argv[n++] = common[i];
	argv[n++] = "-qmp";
	argv[n++] = qmp_arg;
	for (int i = 0; extra && extra[i] && n < 60; i++)
		argv[n++] = extra[i];
	for (int i = 0; more && more[i] && n < 62; i++)
		argv[n++] = more[i];
	argv[n] = NULL;
	return argv;
}

/* Connect and leave the greeting and the capabilities negotiation behind. */
static void qmp_open(struct qmp *q, const char *path)
{
	const char *reply;

	assert_int_equal(qmp_connect(q, path, 60), 0);
	assert_int_equal(qmp_read_line(q, 60), 0); /* the greeting */
	assert_non_null(strstr(q->line, "\"QMP\""));
	reply = qmp_cmd(q, "{\"execute\": \"qmp_capabilities\"}\n");
	assert_non_null(reply);
	assert_non_null(strstr(reply, "\"return\""));
}

/* Until QEMU says the migration completed (at most two minutes): its
 * dirty-sync-count. */
static int64_t wait_completed(struct qmp *q)
{
	const char *reply;

	for (int i = 0; i < 2400; i++) {
		reply = qmp_cmd(q, "{\"execute\": \"query-migrate\"}\n");
		assert_non_null(reply);
		if (strstr(reply, "\"status\": \"failed\""))
			fail_msg("migration failed: %s", reply);
		if (strstr(reply, "\"status\": \"completed\""))
			return qmp_number(reply, "dirty-sync-count");
		usleep(50000);
	}
	fail_msg("migration not completed in 120 s");
	return -1;
}

/* BPF links the kernel holds: trace's uprobe links among them. */
static int bpf_links(void)
{
	__u32 id = 0;
	int n = 0;

	while (!bpf_link_get_next_id(id, &id))
		n++;
	return n;
}

void migrate_traced(struct migration *m)
{
	char src_qmp[160], dst_qmp[160], src_arg[200], dst_arg[200],
		mig_uri[180], pidstr[16];
	/* Each bitmap sync, for assert_rounds_agree(). */
	const char *log_opts[32] = { "-D", m->log_path, "-trace",
				     "migration_bitmap_sync_start" };
	const char *incoming[] = { "-incoming", mig_uri, NULL };
	const char *trace_argv[] = { dirtyscope_bin(), "trace",	  "-p", pidstr,
				     "--csv",	       m->csvdir, NULL };
	struct qmp src_q, dst_q;
	const char *reply;
	int n = 4, links = bpf_links();

	snprintf(src_qmp, sizeof(src_qmp), "%s/src.qmp", m->dir);
	snprintf(dst_qmp, sizeof(dst_qmp), "%s/dst.qmp", m->dir);
	snprintf(src_arg, sizeof(src_arg), "unix:%s,server=on,wait=off",
		 src_qmp);
	snprintf(dst_arg, sizeof(dst_arg), "unix:%s,server=on,wait=off",
		 dst_qmp);
	snprintf(mig_uri, sizeof(mig_uri), "unix:%s/mig.sock", m->dir);
	snprintf(m->log_path, sizeof(m->log_path), "%s/src.log", m->dir);
	snprintf(m->csvdir, sizeof(m->csvdir), "%s/out", m->dir);
	for (int i = 0; m->log_events && m->log_events[i] && n < 30; i++) {
		log_opts[n++] = "-trace";
		log_opts[n++] = m->log_events[i];
	}
	log_opts[n] = NULL;
	m->src_argv = qemu_argv(src_arg, m->src_opts, log_opts);
	m->dst_argv = qemu_argv(dst_arg, m->dst_opts, incoming);

	assert_int_equal(run_start(&m->src, RUN_AS_ROOT, m->src_argv), 0);
	m->src_up = true;
	assert_int_equal(run_start(&m->dst, RUN_AS_ROOT, m->dst_argv), 0);
	m->dst_up = true;
	qmp_open(&src_q, src_qmp);
	/* The destination listens once its QMP answers. */
	qmp_open(&dst_q, dst_qmp);
	qmp_close(&dst_q);

	snprintf(pidstr, sizeof(pidstr), "%d", (int)m->src.pid);
	assert_int_equal(run_start(&m->trace, RUN_AS_ROOT, trace_argv), 0);
	m->trace_up = true;
	assert_true(run_wait_stderr(&m->trace, "Tracing with", 120));
	assert_int_equal(qemu_programs_loaded(), QEMU_UPROBE_PROGRAMS);

	reply = qmp_cmd(&src_q,
			"{\"execute\": \"migrate\", \"arguments\": "
			"{\"uri\": \"%s\"}}\n",
			mig_uri);
	assert_non_null(reply);
	if (!strstr(reply, "\"return\""))
		fail_msg("migrate: %s", reply);
	m->dirty_sync_count = wait_completed(&src_q);
	/* The source quits with trace still attached: QEMU stops dirty
	 * logging only then, the VM being stopped since the migration. */
	reply = qmp_cmd(&src_q, "{\"execute\": \"quit\"}\n");
	assert_non_null(reply);
	qmp_close(&src_q);
	m->src_up = false;
	assert_int_equal(run_wait(&m->src, 60), 0);
	m->dst_up = false;
	kill(m->dst.pid, SIGTERM);
	run_wait(&m->dst, 60);
	m->trace_up = false;
	kill(m->trace.pid, SIGINT);
	assert_int_equal(run_wait(&m->trace, 60), 0);
	assert_true(process_gone(m->src.pid));
	assert_true(process_gone(m->dst.pid));
	assert_int_equal(qemu_programs_loaded(), 0);
	assert_int_equal(bpf_links(), links);
	assert_true(m->dirty_sync_count > 0);
}

void assert_rounds_agree(const struct migration *m)
{
	int64_t syncs = m->dirty_sync_count;
	struct csv sum, rounds;
	char line[64];

	/* QEMU's trace log: one line per bitmap sync. */
	assert_int_equal(count_matching_lines(m->log_path,
					      "migration_bitmap_sync_start"),
			 syncs);
	csv_load_or_fail(&sum, "%s/summary.csv", m->csvdir);
	assert_int_equal(csv_get(&sum, "qemu_round", "count"), syncs);
	assert_int_equal(csv_get(&sum, "qemu_sync", "count"), syncs);
	/* The bitmap sync makes the memory core's sync once. */
	assert_int_equal(csv_get(&sum, "qemu_log_sync", "count"), syncs);
	assert_int_equal(csv_get(&sum, "qemu_log_start", "count"), 1);
	assert_int_equal(csv_get(&sum, "qemu_log_stop", "count"), 1);
	assert_int_equal(csv_get(&sum, "lost_events", "count"), 0);
	csv_free(&sum);

	csv_load_or_fail(&rounds, "%s/rounds.csv", m->csvdir);
	assert_int_equal(rounds.nrows, 1 + syncs);
	assert_int_equal(csv_column_sum(&rounds, "syncs"), syncs);
	/* Only the completion's sync is the last stage. */
	assert_int_equal(csv_column_sum(&rounds, "last_stage"), 1);
	assert_string_equal(rounds.rows[syncs][csv_col(&rounds, "last_stage")],
			    "1");
	csv_free(&rounds);
	snprintf(line, sizeof(line), "rounds: %lld\n", (long long)syncs);
	assert_non_null(strstr(m->trace.out, line));
}

/* A process of the migration still running (a failed assertion left it):
 * stopped and reaped. */
static void stop(struct run *r, bool *up, int sig)
{
	if (!*up)
		return;
	*up = false;
	kill(r->pid, sig);
	run_wait(r, 30);
}

void migration_free(struct migration *m)
{
	stop(&m->trace, &m->trace_up, SIGINT);
	stop(&m->src, &m->src_up, SIGKILL);
	stop(&m->dst, &m->dst_up, SIGKILL);
	run_free(&m->trace);
	run_free(&m->src);
	run_free(&m->dst);
	free(m->src_argv);
	free(m->dst_argv);
	/* Nothing left to unlink or free a second time. */
	memset(m, 0, sizeof(*m));
}
