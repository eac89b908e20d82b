// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel fault injection sweeps (faultinj.h): the runs, each with its fault
 * aimed, and the sweep over them; the rules each run is held to are in
 * faultinj_checks.c. Two ways to aim a fault, both from the kernel's
 * Documentation/fault-injection/fault-injection.rst:
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
#include "faultinj_run.h"
#include "syshelp.h"

#define DEBUGFS "/sys/kernel/debug"
#define MAX_NTH 200000

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void put_attr(const char *attr, const char *file, const char *text)
{
	char path[128];

	snprintf(path, sizeof(path), DEBUGFS "/%s/%s", attr, file);
	if (write_text(path, text))
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
		if (write_text(times, "1") || pwrite(self, "1", 1, 0) != 1)
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
	if (write_text(times, "1")) {
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
		if (write_text(path, "1"))
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
	char n[16];
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
	fi_fd_set_now(fds);
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
	fi_report_leftovers(rep, fds);
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

void fi_sweep(struct fi_sweep *sw)
{
	int devs = dir_entries(MOCK_BUS);
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
		fi_check_run(sw, nth, &f, devs, step, sizeof(step));
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
		if (fi_kernel_compromised()) {
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
	if (write_text(DEBUGFS "/failslab/ignore-gfp-wait", "N")) {
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
		write_text(path, "0");
	}
	closedir(d);
	fi_kmsg_open();
	return 0;
}

void fi_teardown(void)
{
	static const char *const attrs[] = { "failslab", "fail_iommufd" };

	for (size_t i = 0; i < sizeof(attrs) / sizeof(*attrs); i++) {
		char path[128];

		snprintf(path, sizeof(path), DEBUGFS "/%s/probability",
			 attrs[i]);
		write_text(path, "0");
		snprintf(path, sizeof(path), DEBUGFS "/%s/interval", attrs[i]);
		write_text(path, "1");
		snprintf(path, sizeof(path), DEBUGFS "/%s/times", attrs[i]);
		write_text(path, "1");
		snprintf(path, sizeof(path), DEBUGFS "/%s/task-filter",
			 attrs[i]);
		write_text(path, "N");
	}
	write_text(DEBUGFS "/failslab/ignore-gfp-wait", "Y");
	fi_kmsg_close();
}
