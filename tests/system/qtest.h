/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A client of QEMU's qtest protocol (`-qtest stdio`, `-accel qtest`): the
 * test is the only "CPU", reading and writing guest memory, registers and
 * I/O ports one line at a time, so a device model can be driven exactly
 * as a driver would, with no guest kernel in between.
 *
 * Every call that talks to QEMU fails the running cmocka test (fail_msg)
 * on a FAIL reply, a dead QEMU or a reply that takes longer than 30 s.
 */
#ifndef DIRTYSCOPE_QTEST_H
#define DIRTYSCOPE_QTEST_H

#include <stdint.h>
#include <sys/types.h>

struct qtest {
	pid_t pid;
	int to;		   /* QEMU's stdin */
	int from;	   /* QEMU's stdout */
	char err_path[64]; /* QEMU's stderr, for the failure message */
	char buf[256];
	size_t len;
};

/*
 * Start `qemu -machine q35 -accel qtest -qtest stdio ...` with the extra
 * arguments (NULL-terminated) after the fixed ones. 0 or -errno.
 */
int qtest_start(struct qtest *q, const char *qemu, const char *const *args);
/* Quit QEMU and reap it; safe on a qtest that never started. */
void qtest_stop(struct qtest *q);

/* One command; returns the reply's value ("OK 0x..."), 0 for a bare OK. */
uint64_t qtest_cmd(struct qtest *q, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static inline uint64_t qtest_readq(struct qtest *q, uint64_t addr)
{
	return qtest_cmd(q, "readq 0x%llx", (unsigned long long)addr);
}

static inline uint32_t qtest_readl(struct qtest *q, uint64_t addr)
{
	return qtest_cmd(q, "readl 0x%llx", (unsigned long long)addr);
}

static inline void qtest_writeq(struct qtest *q, uint64_t addr, uint64_t v)
{
	qtest_cmd(q, "writeq 0x%llx 0x%llx", (unsigned long long)addr,
		  (unsigned long long)v);
}

static inline void qtest_writel(struct qtest *q, uint64_t addr, uint32_t v)
{
	qtest_cmd(q, "writel 0x%llx 0x%x", (unsigned long long)addr, v);
}

#endif
