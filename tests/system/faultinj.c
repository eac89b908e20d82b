// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel fault injection sweeps (faultinj.h). Two ways to aim a fault, both
 * from the kernel's Documentation/fault-injection/fault-injection.rst:
 *
 * fail-nth (FI_FAIL_NTH). /proc/thread-self/fail-nth = N makes the Nth
 * fault point the thread passes fail, whatever its kind, and reads back 0
 * once it did. It counts from the write on, and execve() does not reset it
 * (only fork does): armed before an exec it would be spent in exec, the
 * dynamic loader and libc. So the child runs the command's entry point with
 * fail-nth written right before the call and read back right after; no test
 * hook in the product.
 *
 * Task filter (FI_THREAD), for a thread the command starts itself: fail-nth
 * is per thread, and arming another thread's from outside would count from
 * a moment nobody controls. Instead one attribute gets task-filter Y,
 * probability 100, interval N and times 1, and the parent writes 1 to the
 * make-it-fail of the thread it is after, found by its name. In
 * lib/fault-inject.c (6.12) should_fail_ex() returns early for a task
 * without make-it-fail, before it counts, and for times 0; so the count
 * (attr->count, one per attribute, not reset by anything) moves only for
 * that thread and stops when the one fault is spent. make-it-fail is copied
 * on clone (dup_task_struct() copies the whole task_struct; only fail_nth
 * is cleared), so the child's own flag must be 0 when the thread starts.
 * The count is left wherever the last run stopped, so before each run the
 * child aligns it: with its own make-it-fail set it passes fault points of
 * that kind until times drops to 0, which happens exactly when the count
 * is a multiple of N; then it clears its flag and sets times back to 1.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <argp.h>
#include <cmocka.h>
#include <linux/iommufd.h>
#include "faultinj.h"
#include "syshelp.h"

#define DEBUGFS	 "/sys/kernel/debug"
#define MOCK_BUS "/sys/bus/iommufd_mock/devices"
#define MAX_NTH	 200000
#define MAX_FD	 1024

static int kmsg = -1;

/* What the child saw after the command returned, before it exited. */
struct child_report {
	unsigned int nth_left; /* FI_FAIL_NTH: fail-nth read back */
	int setup_error;       /* the child could not arm the fault */
	int mock_devs;
	char fd_left[192]; /* "fd 5 -> /dev/vfio/vfio", "" if none */
	long vmlck_kb, vmpin_kb;
};

struct fault_run {
	int status;
	bool injected; /* the fault point failed */
	struct child_report rep;
	char *out, *err;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int fi_count_dir(const char *path)
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

static int put(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -EIO;
}

static void put_attr(const char *attr, const char *file, const char *text)
{
	char path[128];

	snprintf(path, sizeof(path), DEBUGFS "/%s/%s", attr, file);
	if (put(path, text))
		fail_msg("cannot write %s to %s", text, path);
}

/* A debugfs attribute's value, or LONG_MIN. Opened for each read: debugfs
 * attributes cannot seek, so pread() fails. */
static long get_attr(const char *attr, const char *file)
{
	char path[128], buf[32];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), DEBUGFS "/%s/%s", attr, file);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return LONG_MIN;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return LONG_MIN;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

/* A number read from an fd at offset 0, or LONG_MIN. */
static long read_long(int fd)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return LONG_MIN;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r"), *m;
	char *buf = NULL;
	size_t len = 0;

	m = open_memstream(&buf, &len);
	for (int c; f && (c = fgetc(f)) != EOF;)
		fputc(c, m);
	fclose(m);
	if (f)
		fclose(f);
	return buf;
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

/* The fds open now, as a set. */
static void fd_set_now(unsigned char *set)
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
	fd_set_now(now);
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

/* One fault point of attr, passed by the calling thread. */
static void pass_fault_point(const char *attr, int iommufd)
{
	struct iommu_ioas_iova_ranges r = { .size = sizeof(r) };
	int fd;

	if (!strcmp(attr, "fail_iommufd")) {
		/* iommufd_get_object(): its one iommufd_should_fail(). */
		ioctl(iommufd, IOMMU_IOAS_IOVA_RANGES, &r);
		return;
	}
	/* failslab: the name and the struct file of an open. */
	fd = open("/dev/null", O_RDONLY);
	if (fd >= 0)
		close(fd);
}

/*
 * FI_THREAD, in the child: bring the attribute's count to a multiple of
 * nth (see the top of the file) and times back to 1. 0, or -1 with a
 * message.
 */
static int align_count(const char *attr, unsigned int nth)
{
	char times[128];
	int self, iommufd = -1, ret = -1;

	snprintf(times, sizeof(times), DEBUGFS "/%s/times", attr);
	self = open("/proc/thread-self/make-it-fail", O_WRONLY);
	if (!strcmp(attr, "fail_iommufd"))
		iommufd = open("/dev/iommu", O_RDWR);
	if (self < 0 || (!strcmp(attr, "fail_iommufd") && iommufd < 0)) {
		fprintf(stderr, "align: open: %s\n", strerror(errno));
		goto out;
	}
	if (nth > 1) {
		/* times is 0 after a run that met its fault: 0 stops the
		 * count as well as the faults. */
		if (put(times, "1") || pwrite(self, "1", 1, 0) != 1)
			goto out;
		/* Reading times passes fault points too: no matter, the
		 * count is a multiple of nth whenever times drops to 0. */
		for (unsigned int i = 0; i < 4 * nth + 64; i++) {
			pass_fault_point(attr, iommufd);
			if (get_attr(attr, "times") == 0)
				break;
		}
		if (pwrite(self, "0", 1, 0) != 1 ||
		    get_attr(attr, "times") != 0) {
			fprintf(stderr, "align: times %ld after %u points\n",
				get_attr(attr, "times"), 4 * nth + 64);
			goto out;
		}
	}
	if (put(times, "1")) {
		fprintf(stderr, "align: %s: %s\n", times, strerror(errno));
		goto out;
	}
	ret = 0;
out:
	if (iommufd >= 0)
		close(iommufd);
	if (self >= 0)
		close(self);
	return ret;
}

/* FI_THREAD, in the parent: set make-it-fail on pid's thread named name.
 * True once done. */
static bool flag_thread(pid_t pid, const char *name)
{
	char dir[64], path[384], comm[32];
	struct dirent *e;
	bool done = false;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/task", pid);
	d = opendir(dir);
	if (!d)
		return false;
	while (!done && (e = readdir(d))) {
		int fd;
		ssize_t n;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%.256s/comm", dir, e->d_name);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			continue;
		n = read(fd, comm, sizeof(comm) - 1);
		close(fd);
		comm[n > 0 ? n : 0] = '\0';
		comm[strcspn(comm, "\n")] = '\0';
		if (strcmp(comm, name))
			continue;
		snprintf(path, sizeof(path), "%s/%.256s/make-it-fail", dir,
			 e->d_name);
		if (put(path, "1"))
			fail_msg("cannot write %s", path);
		done = true;
	}
	closedir(d);
	return done;
}

static void arm_thread_attr(const struct fi_sweep *sw, unsigned int nth)
{
	char n[16];

	snprintf(n, sizeof(n), "%u", nth);
	put_attr(sw->attr, "task-filter", "Y");
	put_attr(sw->attr, "space", "0");
	put_attr(sw->attr, "interval", n);
	/* Probability 0 for the run without a fault: nothing is counted. */
	put_attr(sw->attr, "probability", nth ? "100" : "0");
}

/* In the child: the command with the fault armed, then its report. */
static void child(const struct fi_sweep *sw, unsigned int nth,
		  struct child_report *rep, int out, int err)
{
	unsigned char fds[MAX_FD];
	char n[16], *status;
	int argc = 0, fd = -1, ret;

	while (sw->argv[argc])
		argc++;
	dup2(out, 1);
	dup2(err, 2);
	close(out);
	close(err);
	argp_err_exit_status = 2;
	if (sw->mode == FI_FAIL_NTH) {
		fd = open("/proc/thread-self/fail-nth", O_RDWR);
		if (fd < 0)
			rep->setup_error = errno;
	} else if (nth && align_count(sw->attr, nth)) {
		rep->setup_error = EAGAIN;
	}
	if (rep->setup_error)
		_exit(120);
	if (sw->mode == FI_THREAD && !sw->thread && nth) {
		/* The command's own thread: flagged by itself. */
		fd = open("/proc/thread-self/make-it-fail", O_WRONLY);
		if (fd < 0)
			_exit(120);
	}
	fd_set_now(fds);
	snprintf(n, sizeof(n), "%u", sw->mode == FI_FAIL_NTH ? nth : 1);
	if (fd >= 0 && pwrite(fd, n, strlen(n), 0) != (ssize_t)strlen(n))
		_exit(121);
	ret = sw->cmd(argc, (char **)sw->argv);
	if (fd >= 0) {
		rep->nth_left = read_long(fd);
		if (pwrite(fd, "0", 1, 0) != 1)
			_exit(122);
	}
	fflush(stdout);
	fflush(stderr);
	rep->mock_devs = fi_count_dir(MOCK_BUS);
	fd_left(fds, rep->fd_left, sizeof(rep->fd_left));
	status = slurp("/proc/self/status");
	rep->vmlck_kb = status_kb(status, "VmLck:");
	rep->vmpin_kb = status_kb(status, "VmPin:");
	free(status);
	_exit(ret);
}

static void run_once(const struct fi_sweep *sw, unsigned int nth,
		     struct fault_run *f)
{
	static struct child_report *rep;
	char out_path[] = "/tmp/ds-fault-out-XXXXXX";
	char err_path[] = "/tmp/ds-fault-err-XXXXXX";
	double end = now_s() + 300;
	bool flagged = false;
	int out, err, st;
	pid_t pid, p;

	if (!rep) {
		rep = mmap(NULL, sizeof(*rep), PROT_READ | PROT_WRITE,
			   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		assert_true(rep != MAP_FAILED);
	}
	memset(rep, 0, sizeof(*rep));
	rep->nth_left = UINT_MAX;
	memset(f, 0, sizeof(*f));
	if (sw->mode == FI_THREAD)
		arm_thread_attr(sw, nth);
	out = mkstemp(out_path);
	err = mkstemp(err_path);
	assert_true(out >= 0 && err >= 0);
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		child(sw, nth, rep, out, err);
	close(out);
	close(err);
	for (;;) {
		p = waitpid(pid, &st, WNOHANG);
		if (p == pid)
			break;
		assert_int_equal(p, 0);
		if (sw->mode == FI_THREAD && sw->thread && nth && !flagged)
			flagged = flag_thread(pid, sw->thread);
		if (now_s() > end)
			kill(pid, SIGKILL);
		usleep(flagged || sw->mode == FI_FAIL_NTH ? 2000 : 500);
	}
	f->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	f->rep = *rep;
	f->out = slurp(out_path);
	f->err = slurp(err_path);
	unlink(out_path);
	unlink(err_path);
	if (rep->setup_error)
		fail_msg("%s, nth %u: the child could not arm the fault: %s",
			 sw->name, nth, f->err);
	if (sw->mode == FI_FAIL_NTH) {
		f->injected = rep->nth_left == 0;
	} else if (nth) {
		f->injected = get_attr(sw->attr, "times") == 0;
	}
}

static void fault_run_free(struct fault_run *f)
{
	free(f->out);
	free(f->err);
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

static void record(struct fi_sweep *sw, const char *step, unsigned int nth)
{
	struct fi_outcome *o = NULL;

	for (unsigned int i = 0; i < sw->n; i++)
		if (!strcmp(sw->o[i].step, step))
			o = &sw->o[i];
	if (!o) {
		assert_true(sw->n < FI_MAX_STEPS);
		o = &sw->o[sw->n++];
		snprintf(o->step, sizeof(o->step), "%s", step);
		o->first = nth;
	}
	o->last = nth;
	o->count++;
	sw->nth_at = realloc(sw->nth_at, (sw->runs + 1) * sizeof(*sw->nth_at));
	sw->outcome_at = realloc(sw->outcome_at, sw->runs + 1);
	assert_non_null(sw->nth_at);
	assert_non_null(sw->outcome_at);
	sw->nth_at[sw->runs] = nth;
	sw->outcome_at[sw->runs] = o - sw->o;
	sw->runs++;
}

bool fi_hit(const struct fi_sweep *sw, const char *step)
{
	for (unsigned int i = 0; i < sw->n; i++)
		if (!strcmp(sw->o[i].step, step))
			return true;
	return false;
}

void fi_assert_hit(const struct fi_sweep *sw, const char *step)
{
	if (!fi_hit(sw, step))
		fail_msg("%s: no nth failed %s", sw->name, step);
}

void fi_assert_only(const struct fi_sweep *sw, const char *const *steps)
{
	for (unsigned int i = 0; i < sw->n; i++) {
		const char *const *s;

		for (s = steps; *s && strcmp(*s, sw->o[i].step); s++)
			;
		if (!*s)
			fail_msg("%s: %u runs ended in %s (nth %u-%u)",
				 sw->name, sw->o[i].count, sw->o[i].step,
				 sw->o[i].first, sw->o[i].last);
	}
}

/* Runs of the same outcome, e.g. "nth 4-6: IOMMU_IOAS_MAP". */
static void print_table(const struct fi_sweep *sw)
{
	unsigned int first = 0;

	print_message("# %s: %u runs, %u failed with a step, %.1f s", sw->name,
		      sw->runs, sw->failed_runs, sw->seconds);
	if (sw->mode == FI_FAIL_NTH)
		print_message(", %u fault points in the first run (cold "
			      "page cache)",
			      sw->base_points);
	print_message("\n");
	for (unsigned int i = 0; i < sw->runs; i++) {
		if (i + 1 < sw->runs &&
		    sw->outcome_at[i + 1] == sw->outcome_at[first])
			continue;
		print_message("#   nth %u-%u: %s\n", sw->nth_at[first],
			      sw->nth_at[i], sw->o[sw->outcome_at[first]].step);
		first = i + 1;
	}
	for (unsigned int i = 0; i < sw->n; i++)
		print_message("#   %-50s %5u runs\n", sw->o[i].step,
			      sw->o[i].count);
}

/* The rules every run keeps (faultinj.h); the outcome into step. */
static void check_run(struct fi_sweep *sw, unsigned int nth,
		      const struct fault_run *f, int devs, char *step,
		      size_t len)
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
	assert_int_equal(fi_count_dir(MOCK_BUS), devs);
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

void fi_sweep(struct fi_sweep *sw)
{
	int devs = fi_count_dir(MOCK_BUS);
	double t0 = now_s();
	unsigned int nth, misses = 0, stride = sw->stride;
	struct fault_run f;

	/*
	 * First without a fault. This also warms the page cache: the
	 * child's code comes over 9p, and a page cache miss spends fault
	 * points (9p allocations) in some runs and not in others.
	 */
	run_once(sw, sw->mode == FI_FAIL_NTH ? UINT_MAX / 2 : 0, &f);
	fi_check_kmsg(sw->name);
	if (f.injected || (f.status != 0 && f.status != 1))
		fail_msg("%s: the run without a fault: exit %d%s\n%s", sw->name,
			 f.status, f.injected ? ", injected" : "", f.err);
	sw->base_status = f.status;
	sw->base_err = f.err;
	if (sw->after_run)
		sw->after_run(sw, 0, f.status);
	if (sw->mode == FI_FAIL_NTH)
		sw->base_points = UINT_MAX / 2 - f.rep.nth_left;
	/* A run that loads BPF programs passes thousands of fault points,
	 * more as the programs grow: keep the sweep's length bounded. */
	if (sw->samples && sw->base_points / sw->samples > stride)
		stride = sw->base_points / sw->samples;
	free(f.out);
	for (nth = sw->first ?: 1; nth <= MAX_NTH && misses < sw->patience;
	     nth += sw->dense && nth >= sw->dense ? stride
						   : sw->dense_step ?: 1) {
		char step[128];

		run_once(sw, nth, &f);
		check_run(sw, nth, &f, devs, step, sizeof(step));
		if (sw->after_run)
			sw->after_run(sw, nth, f.status);
		misses = f.injected ? 0 : misses + 1;
		/* FAULTS_TRACE=1: each run as it ends. */
		if (getenv("FAULTS_TRACE"))
			print_message("# %s, nth %u: %s%s, %.1f s\n%s",
				      sw->name, nth, step,
				      f.injected ? "" : " (not injected)",
				      now_s() - t0, f.err);
		record(sw, step, nth);
		fault_run_free(&f);
		if (unlink_failed) {
			/* The next run with the programs attached ran into
			 * the program the kernel had failed to unlink
			 * (seen: a page fault in the trampoline). */
			print_message("# %s: the kernel failed to unlink a BPF "
				      "program at nth %u (WARN in "
				      "bpf_tracing_link_release): its BPF "
				      "state is broken, the sweep ends here\n",
				      sw->name, nth);
			return;
		}
	}
	if (misses < sw->patience)
		fail_msg("%s: still failing at nth %u", sw->name, MAX_NTH);
	if (sw->mode == FI_THREAD)
		put_attr(sw->attr, "probability", "0");
	sw->seconds = now_s() - t0;
	print_table(sw);
}

void fi_sweep_free(struct fi_sweep *sw)
{
	free(sw->base_err);
	free(sw->nth_at);
	free(sw->outcome_at);
	sw->base_err = NULL;
	sw->nth_at = NULL;
	sw->outcome_at = NULL;
}

int fi_setup(void)
{
	DIR *d;
	struct dirent *e;
	char path[300];

	if (access("/proc/thread-self/fail-nth", F_OK)) {
		fprintf(stderr, "no fail-nth: CONFIG_FAULT_INJECTION off\n");
		return -1;
	}
	/* Count GFP_KERNEL allocations too, as the kernel's
	 * iommufd_fail_nth selftest does. */
	if (put(DEBUGFS "/failslab/ignore-gfp-wait", "N")) {
		fprintf(stderr, "%s/failslab: %s\n", DEBUGFS, strerror(errno));
		return -1;
	}
	/* Keep the log quiet: at verbose 2 each failure dumps a stack,
	 * which the VM runner would count as a splat. */
	d = opendir(DEBUGFS);
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, "fail", 4))
			continue;
		snprintf(path, sizeof(path), DEBUGFS "/%s/verbose", e->d_name);
		put(path, "0");
	}
	closedir(d);
	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kmsg >= 0)
		lseek(kmsg, 0, SEEK_END);
	return 0;
}

void fi_teardown(void)
{
	static const char *const attrs[] = { "failslab", "fail_iommufd" };

	for (size_t i = 0; i < sizeof(attrs) / sizeof(*attrs); i++) {
		char path[128];

		snprintf(path, sizeof(path), DEBUGFS "/%s/probability",
			 attrs[i]);
		put(path, "0");
		snprintf(path, sizeof(path), DEBUGFS "/%s/interval", attrs[i]);
		put(path, "1");
		snprintf(path, sizeof(path), DEBUGFS "/%s/times", attrs[i]);
		put(path, "1");
		snprintf(path, sizeof(path), DEBUGFS "/%s/task-filter",
			 attrs[i]);
		put(path, "N");
	}
	put(DEBUGFS "/failslab/ignore-gfp-wait", "Y");
	if (kmsg >= 0)
		close(kmsg);
	kmsg = -1;
}
