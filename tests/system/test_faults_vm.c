// SPDX-License-Identifier: GPL-2.0
/*
 * In the testbed VM (mock profile): kernel fault injection into dirtyscope
 * (issue 6). For nth = 1, 2, 3, ... the nth fault point the command passes
 * fails: any slab allocation (failslab, GFP_KERNEL included, as the
 * kernel's iommufd_fail_nth selftest sets it) or one of iommufd's own fault
 * points (object lookup, the mock's map_pages, page pinning), through the
 * per-task /proc/self/task/TID/fail-nth.
 *
 * fail-nth counts every fault point the task passes from the moment it is
 * written, and execve() does not reset it (only fork does): armed before
 * exec it is spent in exec, the dynamic loader and libc, and a stop at the
 * first open of /dev/iommu needs ptrace at every system call (10x slower in
 * the TCG guest; the testbed kernel has no seccomp to stop at openat only).
 * So a forked child runs the command's own entry point (cmd_mock_dirty(),
 * cmd_bench(), what main() calls) with fail-nth armed right before it and
 * read back right after; no hook in the product. The child then checks,
 * before it exits and the kernel would release everything itself, that
 * the command left no mock device and no /dev/iommu fd behind.
 *
 * Every run: exit 0 with no error line (the fault was got round), or exit
 * 1 with exactly one "dirtyscope: ...: STEP failed: STRERROR" line; never
 * a signal, never exit 2; no kernel splat in /dev/kmsg. The sweep ends
 * when runs no longer reach their nth (fail-nth still armed at the end).
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
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <argp.h>
#include <cmocka.h>
#include "commands.h"
#include "syshelp.h"

#define DEBUGFS	  "/sys/kernel/debug"
#define MOCK_BUS  "/sys/bus/iommufd_mock/devices"
#define MAX_NTH	  2000
#define MAX_STEPS 64

static int kmsg = -1;

struct outcome {
	char step[128]; /* "exit 0" when the run succeeded */
	unsigned int first, last, count;
};

struct sweep {
	const char *name;
	struct outcome o[MAX_STEPS];
	unsigned int n;
	unsigned int runs, failed_runs;
	double seconds;
	unsigned char at[MAX_NTH + 1]; /* outcome index of each nth */
	unsigned int last;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int count_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static int mock_devices(void)
{
	return count_dir(MOCK_BUS);
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

/* Kernel log records since the last call: fail on any splat. */
static void check_kmsg(const char *when)
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
	char rec[8192];
	ssize_t n;

	if (kmsg < 0)
		return;
	for (;;) {
		n = read(kmsg, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue; /* overwritten records: read on */
		if (n <= 0)
			break;
		rec[n] = '\0';
		for (size_t i = 0; i < sizeof(splat) / sizeof(*splat); i++)
			if (strstr(rec, splat[i]))
				fail_msg("kernel splat %s: %s", when, rec);
	}
}

/* An open fd of pid that points to /dev/iommu, or 0. */
static int iommufd_left(pid_t pid)
{
	char dir[64], path[PATH_MAX], target[PATH_MAX];
	struct dirent *e;
	int found = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", pid);
	d = opendir(dir);
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		ssize_t n;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		n = readlink(path, target, sizeof(target) - 1);
		if (n > 0) {
			target[n] = '\0';
			if (!strcmp(target, "/dev/iommu"))
				found = atoi(e->d_name) ?: -1;
		}
	}
	closedir(d);
	return found;
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

struct fault_run {
	struct run r;
	bool injected; /* fail-nth reached 0: the nth fault point failed */
	int devs_at_exit;
	int fd_at_exit;
};

/* What the child saw after the command returned, before it exited. */
struct child_report {
	unsigned int nth_left;
	int devs;
	int iommu_fd;
};

/*
 * Run the command with its nth fault point failing. In a forked child, as
 * main() would: stdout and stderr to files, fail-nth armed by a write to
 * the child's own /proc file right before the command, read back (and
 * disarmed) right after it.
 */
static void run_nth(int (*cmd)(int, char **), const char *const *argv,
		    unsigned int nth, struct fault_run *f)
{
	static struct child_report *rep;
	struct run *r = &f->r;
	int out, err, st, argc = 0;
	double end = now_s() + 120;
	pid_t p;

	if (!rep) {
		rep = mmap(NULL, sizeof(*rep), PROT_READ | PROT_WRITE,
			   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		assert_true(rep != MAP_FAILED);
	}
	memset(rep, 0, sizeof(*rep));
	rep->nth_left = UINT_MAX;
	while (argv[argc])
		argc++;
	memset(f, 0, sizeof(*f));
	strcpy(r->out_path, "/tmp/ds-fault-out-XXXXXX");
	strcpy(r->err_path, "/tmp/ds-fault-err-XXXXXX");
	out = mkstemp(r->out_path);
	err = mkstemp(r->err_path);
	assert_true(out >= 0 && err >= 0);
	fflush(stdout);
	fflush(stderr);
	r->pid = fork();
	assert_true(r->pid >= 0);
	if (r->pid == 0) {
		char path[64], n[16];
		int fd, ret;

		dup2(out, 1);
		dup2(err, 2);
		argp_err_exit_status = 2;
		snprintf(path, sizeof(path), "/proc/self/task/%d/fail-nth",
			 (int)syscall(SYS_gettid));
		snprintf(n, sizeof(n), "%u", nth);
		fd = open(path, O_RDWR);
		if (fd < 0)
			_exit(120);
		if (pwrite(fd, n, strlen(n), 0) != (ssize_t)strlen(n))
			_exit(121);
		ret = cmd(argc, (char **)argv);
		n[0] = '\0';
		if (pread(fd, n, sizeof(n) - 1, 0) > 0)
			rep->nth_left = strtoul(n, NULL, 10);
		if (pwrite(fd, "0", 1, 0) != 1)
			_exit(122);
		fflush(stdout);
		fflush(stderr);
		rep->devs = mock_devices();
		rep->iommu_fd = iommufd_left(getpid());
		_exit(ret);
	}
	close(out);
	close(err);
	for (;;) {
		p = waitpid(r->pid, &st, WNOHANG);
		if (p == r->pid)
			break;
		assert_int_equal(p, 0);
		if (now_s() > end)
			kill(r->pid, SIGKILL);
		usleep(2000);
	}
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	f->injected = rep->nth_left == 0;

	f->devs_at_exit = rep->devs;
	f->fd_at_exit = rep->iommu_fd;
	r->err = slurp(r->err_path);
	r->out = slurp(r->out_path);
}

static bool known_strerror(const char *s)
{
	for (int e = 1; e < 134; e++) {
		const char *m = strerror(e);
		size_t len = strlen(m);

		/* mock-dirty adds " (size N)" to a failed map. */
		if (!strncmp(s, m, len) &&
		    (s[len] == '\0' || !strncmp(s + len, " (", 2)))
			return true;
	}
	return false;
}

/* The one error line of a failed run, as its step. */
static void failing_step(const char *err, unsigned int nth, char *step,
			 size_t len)
{
	const char *line = NULL, *p, *f, *s;
	char copy[512];
	int errors = 0;

	for (p = err; *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : "") {
		if (!strncmp(p, "dirtyscope: ", 12)) {
			line = p;
			errors++;
		}
	}
	if (errors != 1)
		fail_msg("nth %u: %d error lines, want 1:\n%s", nth, errors,
			 err);
	snprintf(copy, sizeof(copy), "%.*s", (int)strcspn(line, "\n"), line);
	f = strstr(copy, " failed: ");
	if (!f || !known_strerror(f + 9))
		fail_msg("nth %u: not \"...: STEP failed: STRERROR\": %s", nth,
			 copy);
	/* The step: from the last ": " before " failed: ". */
	for (s = f; s > copy && strncmp(s, ": ", 2); s--)
		;
	if (s == copy)
		fail_msg("nth %u: no step in: %s", nth, copy);
	snprintf(step, len, "%s%.*s",
		 strstr(copy, ": cleanup: ") ? "cleanup: " : "",
		 (int)(f - s - 2), s + 2);
}

static void record(struct sweep *sw, const char *step, unsigned int nth)
{
	struct outcome *o = NULL;

	for (unsigned int i = 0; i < sw->n; i++)
		if (!strcmp(sw->o[i].step, step))
			o = &sw->o[i];
	if (!o) {
		assert_true(sw->n < MAX_STEPS);
		o = &sw->o[sw->n++];
		snprintf(o->step, sizeof(o->step), "%s", step);
		o->first = nth;
	}
	o->last = nth;
	o->count++;
	sw->at[nth] = o - sw->o;
	sw->last = nth;
}

static bool hit(const struct sweep *sw, const char *step)
{
	for (unsigned int i = 0; i < sw->n; i++)
		if (!strcmp(sw->o[i].step, step))
			return true;
	return false;
}

/* Consecutive nth ranges with the same outcome, e.g. "4-6 IOMMU_IOAS_MAP". */
static void print_table(const struct sweep *sw)
{
	unsigned int first = 1;

	print_message("# %s: %u runs, %u failed with a step, %.1f s\n",
		      sw->name, sw->runs, sw->failed_runs, sw->seconds);
	for (unsigned int nth = 1; nth <= sw->last; nth++) {
		if (nth < sw->last && sw->at[nth + 1] == sw->at[first])
			continue;
		print_message("#   nth %u-%u: %s\n", first, nth,
			      sw->o[sw->at[first]].step);
		first = nth + 1;
	}
	for (unsigned int i = 0; i < sw->n; i++)
		print_message("#   %-45s %4u runs\n", sw->o[i].step,
			      sw->o[i].count);
}

/*
 * nth = 1, 2, ... until the run passes fewer fault points than nth. Where
 * that count varies between identical runs (see the 2M tests), until
 * `patience` runs in a row did not reach their nth.
 */
static void sweep(struct sweep *sw, int (*cmd)(int, char **),
		  const char *const *argv, unsigned int patience)
{
	int devs = mock_devices();
	double t0 = now_s();
	unsigned int nth, misses = 0;
	struct fault_run f;

	assert_true(devs >= 0);
	/* Warm up: the child's code pages come over 9p, and a page cache
	 * miss spends fault points (p9 allocations) at random. */
	run_nth(cmd, argv, UINT_MAX / 2, &f);
	assert_int_equal(f.r.status, 0);
	assert_false(f.injected);
	run_free(&f.r);
	for (nth = 1; nth <= MAX_NTH && misses < patience; nth++) {
		char step[128];

		run_nth(cmd, argv, nth, &f);
		check_kmsg(sw->name);
		if (f.r.status != 0 && f.r.status != 1)
			fail_msg("%s, nth %u: exit status %d (want 0 or 1):\n"
				 "%s",
				 sw->name, nth, f.r.status, f.r.err);
		if (f.devs_at_exit != devs)
			fail_msg("%s, nth %u: %d mock devices at exit, %d "
				 "before",
				 sw->name, nth, f.devs_at_exit, devs);
		if (f.fd_at_exit)
			fail_msg("%s, nth %u: /dev/iommu still open (fd %d) "
				 "at exit",
				 sw->name, nth, f.fd_at_exit);
		assert_int_equal(mock_devices(), devs);
		sw->runs++;
		if (!f.injected) {
			/* Fewer fault points than nth: a complete run. */
			if (f.r.status)
				fail_msg("%s, nth %u: no fault injected, exit "
					 "%d: %s",
					 sw->name, nth, f.r.status, f.r.err);
			snprintf(step, sizeof(step), "(not reached)");
			misses++;
		} else if (f.r.status) {
			failing_step(f.r.err, nth, step, sizeof(step));
			sw->failed_runs++;
			misses = 0;
		} else {
			/* A fault the kernel or the tool got round (a
			 * retried page fault, a fallback allocation): an
			 * exit 0 must not have reported an error. */
			if (strstr(f.r.err, "dirtyscope: "))
				fail_msg("%s, nth %u: exit 0 after an error:\n"
					 "%s",
					 sw->name, nth, f.r.err);
			snprintf(step, sizeof(step), "(exit 0)");
			misses = 0;
		}
		record(sw, step, nth);
		run_free(&f.r);
	}
	if (misses < patience)
		fail_msg("%s: still failing at nth %u", sw->name, MAX_NTH);
	sw->seconds = now_s() - t0;
	print_table(sw);
}

/* Afterwards the mock works as before: nothing was left half done. */
static void fresh_run_works(void)
{
	const char *argv[] = { dirtyscope_bin(), "mock-dirty", "--size", "2M",
			       NULL };
	int devs = mock_devices();
	struct run r;

	assert_int_equal(run_sync(&r, RUN_AS_ROOT, argv, 60), 0);
	assert_int_equal(mock_devices(), devs);
	run_free(&r);
	check_kmsg("fresh run");
}

static void assert_hit(const struct sweep *sw, const char *step)
{
	if (!hit(sw, step))
		fail_msg("%s: no nth failed %s", sw->name, step);
}

/*
 * One 4 KiB page mapped: the mock's map_pages fault point runs once per
 * physically contiguous run of the buffer, so with 2 MiB the count varies
 * from run to run (measured: 124 to 611 fault points for the same
 * mock-dirty); with one page every nth lands on the same step every time.
 */
static void mock_dirty_one_page(void **state)
{
	const char *argv[] = { "mock-dirty", "--size", "4K",
			       "--pages",    "1",      NULL };
	static struct sweep sw = { .name = "mock-dirty --size 4K" };

	(void)state;
	sweep(&sw, cmd_mock_dirty, argv, 1);
	assert_hit(&sw, "open /dev/iommu");
	assert_hit(&sw, "IOMMU_IOAS_ALLOC");
	assert_hit(&sw, "IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS");
	assert_hit(&sw, "IOMMU_HWPT_ALLOC (dirty tracking)");
	assert_hit(&sw, "IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE");
	assert_hit(&sw, "IOMMU_IOAS_MAP");
	assert_hit(&sw, "IOMMU_HWPT_SET_DIRTY_TRACKING");
	assert_hit(&sw, "IOMMU_TEST_OP_DIRTY");
	assert_hit(&sw, "IOMMU_HWPT_GET_DIRTY_BITMAP");
	fresh_run_works();
}

static void mock_dirty_2m(void **state)
{
	const char *argv[] = { "mock-dirty", "--size", "2M", NULL };
	static struct sweep sw = { .name = "mock-dirty --size 2M" };

	(void)state;
	sweep(&sw, cmd_mock_dirty, argv, 40);
	assert_hit(&sw, "IOMMU_IOAS_ALLOC");
	assert_hit(&sw, "IOMMU_HWPT_ALLOC (dirty tracking)");
	assert_hit(&sw, "IOMMU_IOAS_MAP");
	fresh_run_works();
}

#define BENCH_ARGS(size, pages)                                             \
	"bench", "--no-trace", "--size", size, "--rate", "0", "--downtime", \
		"0", "--max-rounds", "3", "--schedule", "1@sync:" pages, NULL

static void bench_one_page(void **state)
{
	const char *argv[] = { BENCH_ARGS("4K", "0-1") };
	static struct sweep sw = { .name = "bench --no-trace --size 4K" };

	(void)state;
	sweep(&sw, cmd_bench, argv, 1);
	assert_hit(&sw, "IOMMU_IOAS_ALLOC");
	assert_hit(&sw, "IOMMU_HWPT_ALLOC (dirty tracking)");
	assert_hit(&sw, "IOMMU_IOAS_MAP");
	assert_hit(&sw, "IOMMU_HWPT_SET_DIRTY_TRACKING");
	assert_hit(&sw, "IOMMU_HWPT_GET_DIRTY_BITMAP");
	assert_hit(&sw, "IOMMU_TEST_OP_DIRTY");
	fresh_run_works();
}

static void bench_2m(void **state)
{
	const char *argv[] = { BENCH_ARGS("2M", "0-9") };
	static struct sweep sw = { .name = "bench --no-trace --size 2M" };

	(void)state;
	sweep(&sw, cmd_bench, argv, 40);
	assert_hit(&sw, "IOMMU_IOAS_ALLOC");
	assert_hit(&sw, "IOMMU_HWPT_ALLOC (dirty tracking)");
	assert_hit(&sw, "IOMMU_IOAS_MAP");
	fresh_run_works();
}

static int setup(void **state)
{
	DIR *d;
	struct dirent *e;
	char path[300];

	(void)state;
	if (access("/proc/self/task/1/fail-nth", F_OK) &&
	    access("/proc/self/fail-nth", F_OK)) {
		fprintf(stderr, "no fail-nth: CONFIG_FAULT_INJECTION off\n");
		return -1;
	}
	/* Count GFP_KERNEL allocations too, as iommufd_fail_nth does, and
	 * keep the log quiet: at verbose 2 each failure dumps a stack. */
	if (put(DEBUGFS "/failslab/ignore-gfp-wait", "N")) {
		fprintf(stderr, "%s/failslab: %s\n", DEBUGFS, strerror(errno));
		return -1;
	}
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
	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	if (kmsg >= 0)
		lseek(kmsg, 0, SEEK_END);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	put(DEBUGFS "/failslab/ignore-gfp-wait", "Y");
	if (kmsg >= 0)
		close(kmsg);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mock_dirty_one_page),
		cmocka_unit_test(bench_one_page),
		cmocka_unit_test(mock_dirty_2m),
		cmocka_unit_test(bench_2m),
	};

	return cmocka_run_group_tests_name("faults", tests, setup, teardown);
}
