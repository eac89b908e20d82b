// SPDX-License-Identifier: GPL-2.0
/*
 * The rules every run of a fault injection sweep keeps (faultinj.h), apart
 * from the machinery that makes the runs (faultinj.c): no kernel splat in
 * /dev/kmsg; what the child left behind when the command returned (an fd
 * it opened, memory pinned or locked, a mock device); the exit status and
 * the error and warning lines against those of the run without a fault,
 * and from the one error line the step that failed.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "faultinj.h"
#include "faultinj_run.h"
#include "syshelp.h"

/* edu's PCI device in the vtd profiles (test_vtd_vm.c checks the
 * address). */
#define EDU_SYSFS "/sys/bus/pci/devices/0000:00:01.0"

static int kmsg = -1;

void fi_kmsg_open(void)
{
	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kmsg >= 0)
		lseek(kmsg, 0, SEEK_END);
}

void fi_kmsg_close(void)
{
	if (kmsg >= 0)
		close(kmsg);
	kmsg = -1;
}

/* The kernel failed a trampoline unlink (see fi_check_kmsg()): a freed
 * program may still be called, nothing after it is a test of ours. */
static bool unlink_failed;

bool fi_kernel_compromised(void)
{
	return unlink_failed;
}

void fi_check_kmsg(const char *when)
{
	static const char *const splat[] = {
		"WARNING:",
		"BUG:",
		"Oops",
		"Kernel panic",
		"UBSAN:",
		"KASAN:",
		"Call Trace:",
		"general protection",
		"circular locking",
		"inconsistent lock",
	};
	static bool in_report;
	char rec[8192];
	ssize_t n;

	if (kmsg < 0)
		return;
	for (;;) {
		bool link_warn;
		size_t i;

		n = read(kmsg, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue; /* overwritten records: read on */
		if (n <= 0)
			break;
		rec[n] = '\0';
		/*
		 * An allocation that failed without __GFP_NOWARN is reported
		 * (warn_alloc(): "page allocation failure:", "vmalloc
		 * error:") with a stack dump: that is the injected fault,
		 * not a splat, unless a real one starts inside it.
		 */
		/*
		 * So is 6.12's WARN_ON_ONCE in bpf_tracing_link_release():
		 * closing a link rebuilds the trampoline without the program
		 * (bpf_trampoline_update() allocates a new image), and an
		 * allocation failed there makes the "should never fail"
		 * unlink fail (kernel/bpf/trampoline.c). Our detach cannot
		 * avoid it; docs/reliability.md.
		 */
		link_warn = strstr(rec, "WARNING:") &&
			    strstr(rec, "bpf_tracing_link_release");
		if (link_warn)
			unlink_failed = true;
		if (strstr(rec, "page allocation failure: ") ||
		    strstr(rec, "vmalloc error: ") || link_warn) {
			in_report = true;
			continue;
		}
		for (i = 0; i < sizeof(splat) / sizeof(*splat); i++)
			if (strcmp(splat[i], "Call Trace:") &&
			    strstr(rec, splat[i]))
				in_report = false;
		if (in_report) {
			in_report = !strstr(rec, "</TASK>");
			continue;
		}
		for (i = 0; i < sizeof(splat) / sizeof(*splat); i++)
			if (strstr(rec, splat[i]))
				fail_msg("kernel splat %s: %s", when, rec);
	}
}

void fi_fd_set_now(unsigned char *set)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;

	memset(set, 0, MAX_FD);
	if (!d)
		return;
	while ((e = readdir(d))) {
		int fd = atoi(e->d_name);

		if (e->d_name[0] != '.' && fd >= 0 && fd < MAX_FD)
			set[fd] = 1;
	}
	closedir(d);
}

/* The first fd open now that was not in before: "fd N -> TARGET". */
static void fd_left(const unsigned char *before, char *out, size_t len)
{
	unsigned char now[MAX_FD];
	char path[64], target[PATH_MAX];

	out[0] = '\0';
	fi_fd_set_now(now);
	for (int fd = 0; fd < MAX_FD; fd++) {
		ssize_t n;

		if (!now[fd] || before[fd])
			continue;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		n = readlink(path, target, sizeof(target) - 1);
		target[n > 0 ? n : 0] = '\0';
		snprintf(out, len, "fd %d -> %.160s", fd, target);
		return;
	}
}

/* "VmLck:" and the like from /proc/self/status, in kB. */
static long status_kb(const char *status, const char *key)
{
	const char *p = strstr(status, key);

	return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

void fi_report_leftovers(struct child_report *rep, const unsigned char *before)
{
	char *status;

	rep->mock_devs = dir_entries(MOCK_BUS);
	fd_left(before, rep->fd_left, sizeof(rep->fd_left));
	status = slurp("/proc/self/status");
	rep->vmlck_kb = status_kb(status, "VmLck:");
	rep->vmpin_kb = status_kb(status, "VmPin:");
	free(status);
}

/* Lines of err starting with prefix, in order, as one string. */
static char *lines_with(const char *err, const char *prefix, bool warnings)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	const char *p, *nl;

	for (p = err; *p; p = nl ? nl + 1 : p + strlen(p)) {
		size_t n;
		bool warn;

		nl = strchr(p, '\n');
		n = nl ? (size_t)(nl - p) : strlen(p);
		if (strncmp(p, prefix, strlen(prefix)))
			continue;
		warn = !strncmp(p, "dirtyscope: warning: ", 21);
		if (warn == warnings)
			fprintf(m, "%.*s\n", (int)n, p);
	}
	fclose(m);
	return buf;
}

/* Whether lines (each ending in a newline) has the line of n bytes. */
static bool has_line(const char *lines, const char *line, size_t n)
{
	for (const char *p = lines; *p; p = strchr(p, '\n') + 1)
		if (!strncmp(p, line, n))
			return true;
	return false;
}

static bool known_strerror(const char *s)
{
	for (int e = 1; e < 134; e++) {
		const char *m = strerror(e);
		size_t len = strlen(m);

		/* mock-dirty adds " (size N)" to a failed map, the tracer
		 * "(run with -v ...)". */
		if (!strncmp(s, m, len) &&
		    (s[len] == '\0' || !strncmp(s + len, " (", 2)))
			return true;
	}
	return false;
}

/*
 * The step of the one error line, "dirtyscope: ...: STEP failed: STRERROR"
 * or "dirtyscope: ...: cannot STEP: STRERROR" (the form of the commands'
 * messages about their output folder): the text between the ": " before it
 * and the ": " before STRERROR, prefixed with "cleanup: " or "writer
 * thread: " when the line says the step was one of those.
 */
static void failing_step(const char *errors, const char *name, unsigned int nth,
			 char *step, size_t len)
{
	static const char *const context[] = { "cleanup: ", "writer thread: " };
	const char *e = NULL, *s, *ctx = "";
	char line[512];
	int n;

	if (count_lines(errors) != 1)
		fail_msg("%s, nth %u: %d error lines, want 1:\n%s", name, nth,
			 count_lines(errors), errors);
	snprintf(line, sizeof(line), "%.*s", (int)strcspn(errors, "\n"),
		 errors);
	/* The first ": " that STRERROR follows. */
	for (s = strstr(line, ": "); s && !e; s = strstr(s + 1, ": "))
		if (known_strerror(s + 2))
			e = s;
	if (!e)
		fail_msg("%s, nth %u: no STRERROR in: %s", name, nth, line);
	for (s = e - 1; s > line && strncmp(s, ": ", 2); s--)
		;
	s += 2;
	n = e - s;
	if (n > 7 && !strncmp(e - 7, " failed", 7))
		n -= 7;
	else if (strncmp(s, "cannot ", 7))
		fail_msg("%s, nth %u: not \"...: STEP failed: STRERROR\" nor "
			 "\"...: cannot STEP: STRERROR\": %s",
			 name, nth, line);
	for (size_t i = 0; i < sizeof(context) / sizeof(*context); i++) {
		const char *c = strstr(line, context[i]);

		if (c && c < s)
			ctx = context[i];
	}
	snprintf(step, len, "%s%.*s", ctx, n, s);
}

void fi_check_run(struct fi_sweep *sw, unsigned int nth,
		  const struct fault_run *f, int devs, char *step, size_t len)
{
	char *errors = lines_with(f->err, "dirtyscope: ", false);
	char *warnings = lines_with(f->err, "dirtyscope: ", true);
	char *base_errors = lines_with(sw->base_err, "dirtyscope: ", false);
	char *base_warnings = lines_with(sw->base_err, "dirtyscope: ", true);
	const char *w, *nl;
	char when[160];

	snprintf(when, sizeof(when), "%s, nth %u", sw->name, nth);
	fi_check_kmsg(when);
	if (f->status != 0 && f->status != 1)
		fail_msg("%s, nth %u: exit status %d (want 0 or 1):\n%s",
			 sw->name, nth, f->status, f->err);
	if (f->rep.mock_devs != devs)
		fail_msg("%s, nth %u: %d mock devices at exit, %d before",
			 sw->name, nth, f->rep.mock_devs, devs);
	if (f->rep.fd_left[0])
		fail_msg("%s, nth %u: %s still open at exit", sw->name, nth,
			 f->rep.fd_left);
	if (f->rep.vmlck_kb || f->rep.vmpin_kb)
		fail_msg("%s, nth %u: VmLck %ld kB, VmPin %ld kB at exit",
			 sw->name, nth, f->rep.vmlck_kb, f->rep.vmpin_kb);
	assert_int_equal(dir_entries(MOCK_BUS), devs);
	for (w = warnings; *w; w = nl + 1) {
		nl = strchr(w, '\n');
		if (!has_line(base_warnings, w, nl - w + 1))
			fail_msg("%s, nth %u: a warning the run without a "
				 "fault did not print: %.*s",
				 sw->name, nth, (int)(nl - w), w);
	}
	if (f->status == sw->base_status && !strcmp(errors, base_errors)) {
		/* What it does without a fault: the fault was got round (a
		 * retried page fault, a fallback allocation) or not
		 * reached. */
		snprintf(step, len, "%s",
			 !f->injected	  ? "(not reached)"
			 : f->status == 0 ? "(exit 0)"
					  : "(as without fault)");
	} else if (!f->injected) {
		fail_msg("%s, nth %u: no fault injected, but exit %d (%d "
			 "without fault):\n%s",
			 sw->name, nth, f->status, sw->base_status, f->err);
	} else if (f->status == 0) {
		fail_msg("%s, nth %u: exit 0 with other error lines than "
			 "without a fault:\n%s",
			 sw->name, nth, f->err);
	} else {
		failing_step(errors, sw->name, nth, step, len);
		sw->failed_runs++;
	}
	free(errors);
	free(warnings);
	free(base_errors);
	free(base_warnings);
}

void fi_assert_edu_free(const struct fi_sweep *sw, unsigned int nth,
			const char *group)
{
	char target[PATH_MAX];
	ssize_t n = readlink(EDU_SYSFS "/driver", target, sizeof(target) - 1);
	int err;

	target[n > 0 ? n : 0] = '\0';
	if (!strstr(target, "/vfio-pci"))
		fail_msg("%s, nth %u: edu's driver is '%s', not vfio-pci",
			 sw->name, nth, target);
	err = group_open_check(group);
	if (err)
		fail_msg("%s, nth %u: %s cannot be opened again: %s", sw->name,
			 nth, group, strerror(-err));
}
