// SPDX-License-Identifier: GPL-2.0
/* The qtest protocol client; see qtest.h. */
#define _GNU_SOURCE /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include "qtest.h"

#define REPLY_TIMEOUT_MS 30000
#define MAX_ARGS	 32

int qtest_start(struct qtest *q, const char *qemu, const char *const *args)
{
	const char *fixed[] = {
		qemu,	 "-machine",	    "q35",   "-accel",
		"qtest", "-qtest",	    "stdio", "-display",
		"none",	 "-nodefaults",	    "-m",    "128M",
		"-L",	 "/usr/share/qemu", "-L",    "/usr/share/seabios"
	};
	const char *argv[MAX_ARGS];
	size_t n = 0;
	int in[2], out[2], err;

	memset(q, 0, sizeof(*q));
	q->pid = -1;
	q->to = q->from = -1;
	for (size_t i = 0; i < sizeof(fixed) / sizeof(*fixed); i++)
		argv[n++] = fixed[i];
	for (; *args && n < MAX_ARGS - 1; args++)
		argv[n++] = *args;
	if (*args)
		return -E2BIG;
	argv[n] = NULL;

	strcpy(q->err_path, "/tmp/ds-qtest-err-XXXXXX");
	err = mkstemp(q->err_path);
	if (err < 0)
		return -errno;
	if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC)) {
		close(err);
		return -errno;
	}
	q->pid = fork();
	if (q->pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		dup2(err, 2);
		execv(qemu, (char *const *)argv);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	close(err);
	q->to = in[1];
	q->from = out[0];
	if (q->pid < 0) {
		close(q->to);
		close(q->from);
		q->to = q->from = -1;
		return -errno;
	}
	return 0;
}

/* QEMU's stderr, for a failure message. */
static const char *qemu_stderr(struct qtest *q)
{
	static char text[512];
	ssize_t n;
	int fd = open(q->err_path, O_RDONLY);

	text[0] = '\0';
	if (fd < 0)
		return text;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	text[n > 0 ? n : 0] = '\0';
	text[strcspn(text, "\n")] = '\0';
	return text;
}

/* One line of QEMU's replies, without its newline, in q->buf. */
static void read_reply(struct qtest *q, const char *cmd)
{
	char *nl;

	while (!(nl = memchr(q->buf, '\n', q->len))) {
		struct pollfd p = { .fd = q->from, .events = POLLIN };
		ssize_t n;

		if (q->len == sizeof(q->buf) - 1)
			fail_msg("qtest: reply to '%s' too long", cmd);
		if (poll(&p, 1, REPLY_TIMEOUT_MS) != 1)
			fail_msg("qtest: no reply to '%s' in %d s", cmd,
				 REPLY_TIMEOUT_MS / 1000);
		n = read(q->from, q->buf + q->len, sizeof(q->buf) - 1 - q->len);
		if (n <= 0)
			fail_msg("qtest: QEMU gone at '%s': %s", cmd,
				 qemu_stderr(q));
		q->len += n;
	}
	*nl = '\0';
}

uint64_t qtest_cmd(struct qtest *q, const char *fmt, ...)
{
	char cmd[200], line[200];
	uint64_t value = 0;
	size_t consumed;
	va_list ap;
	int n;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	n = snprintf(line, sizeof(line), "%s\n", cmd);
	if (write(q->to, line, n) != n)
		fail_msg("qtest: cannot send '%s': %s", cmd, strerror(errno));
	read_reply(q, cmd);
	if (strncmp(q->buf, "OK", 2) || (q->buf[2] && q->buf[2] != ' '))
		fail_msg("qtest: '%s' got '%s'", cmd, q->buf);
	if (q->buf[2])
		value = strtoull(q->buf + 3, NULL, 0);
	consumed = strlen(q->buf) + 1;
	q->len -= consumed;
	memmove(q->buf, q->buf + consumed, q->len);
	return value;
}

void qtest_stop(struct qtest *q)
{
	if (q->to >= 0)
		close(q->to);
	if (q->from >= 0)
		close(q->from);
	/* A closed qtest chardev does not end QEMU; SIGTERM does. */
	if (q->pid > 0) {
		kill(q->pid, SIGTERM);
		for (int i = 0; i < 100; i++) {
			if (waitpid(q->pid, NULL, WNOHANG) == q->pid) {
				q->pid = -1;
				break;
			}
			usleep(50000);
		}
		if (q->pid > 0) {
			kill(q->pid, SIGKILL);
			waitpid(q->pid, NULL, 0);
		}
	}
	if (q->err_path[0])
		unlink(q->err_path);
	q->pid = -1;
	q->to = q->from = -1;
	q->err_path[0] = '\0';
}
