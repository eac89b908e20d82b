/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel fault injection sweeps for the VM tests (test_faults_vm.c in the
 * mock profile, test_faults_vtd.c in the vtd profile; docs/reliability.md).
 *
 * A sweep runs one command's entry point (cmd_bench(), what main() calls)
 * in a forked child again and again, for nth = 1, 2, 3, ..., each time
 * with the nth kernel fault point failing, and checks what the command did:
 *
 *  - exit 0, or exit 1; never a signal, never exit 2;
 *  - exit 1 with exactly one error line "dirtyscope: ...: STEP failed:
 *    STRERROR", or with the error line of the run without a fault (a
 *    command that refuses anyway); exit 0 with the error lines of the run
 *    without a fault (none); warnings only those of that run;
 *  - before the child exits (before the kernel would release everything):
 *    no file descriptor left open that the command opened, no memory left
 *    pinned or locked (VmPin, VmLck), no mock device left;
 *  - no kernel splat in /dev/kmsg; and whatever the sweep's after_run
 *    checks.
 *
 * The sweep ends when `patience` runs in a row passed fewer fault points
 * than their nth (the fault was not reached).
 */
#ifndef DIRTYSCOPE_FAULTINJ_H
#define DIRTYSCOPE_FAULTINJ_H

#include <stdbool.h>

#define FI_MAX_STEPS 64

enum fi_mode {
	/*
	 * The child's own /proc/thread-self/fail-nth, written right before
	 * the command and read back right after: the nth fault point of any
	 * kind (failslab, fail_iommufd) that the command's main thread
	 * passes. Other threads are not counted.
	 */
	FI_FAIL_NTH,
	/*
	 * The task filter of one fault attribute (`attr`: "failslab" or
	 * "fail_iommufd"): task-filter Y, probability 100, interval nth,
	 * times 1, and make-it-fail set by the parent on the command's
	 * thread named `thread` as soon as it appears, on no other task: the
	 * nth point of that kind the thread passes from then on. Without a
	 * `thread`, the command's main thread, flagged by the child itself
	 * right before the call.
	 */
	FI_THREAD,
};

struct fi_outcome {
	char step[128]; /* or "(exit 0)", "(as without fault)", ... */
	unsigned int first, last, count;
};

struct fi_sweep {
	/* What to run. */
	const char *name;
	int (*cmd)(int argc, char **argv);
	const char *const *argv;
	enum fi_mode mode;
	const char *attr;   /* FI_THREAD */
	const char *thread; /* FI_THREAD */
	/* nth = first (or 1), first + dense_step, ... up to dense, then
	 * every stride-th; dense 0: every nth. samples (FI_FAIL_NTH): past
	 * dense, at most about this many runs, the stride widened to the
	 * fault points of the run without a fault / samples. */
	unsigned int first, dense, dense_step, stride, samples;
	unsigned int patience;
	/* Called in the parent after every run (after the built-in checks),
	 * with the run's exit status. */
	void (*after_run)(const struct fi_sweep *sw, unsigned int nth,
			  int status);

	/* What happened. */
	int base_status;	  /* the run without a fault */
	char *base_err;		  /* its stderr */
	unsigned int base_points; /* FI_FAIL_NTH: its fault points */
	struct fi_outcome o[FI_MAX_STEPS];
	unsigned int n;
	unsigned int runs, failed_runs;
	unsigned int *nth_at; /* the nth of each run, in order */
	unsigned char *outcome_at;
	double seconds;
};

/* Quiet fault reports (verbose 0), failslab counting GFP_KERNEL too, and
 * /dev/kmsg opened at its end. 0, or -1 if the kernel has no fault
 * injection. */
int fi_setup(void);
/* Fault attributes back to their defaults. */
void fi_teardown(void);
/* Fail on any kernel splat logged since the last call. */
void fi_check_kmsg(const char *when);
/* A fault made the kernel fail a trampoline unlink (a kernel WARN): the
 * sweep ended there, and nothing BPF after it can be trusted. */
bool fi_kernel_compromised(void);
/* Run the sweep, print its table; fails the test on any broken rule. */
void fi_sweep(struct fi_sweep *sw);
/* Fail unless some run of the sweep failed at step. */
void fi_assert_hit(const struct fi_sweep *sw, const char *step);
bool fi_hit(const struct fi_sweep *sw, const char *step);
/* Fail if a run of the sweep ended other than in one of steps (NULL
 * terminated). */
void fi_assert_only(const struct fi_sweep *sw, const char *const *steps);
void fi_sweep_free(struct fi_sweep *sw);
/* The vtd profiles' check after every run: QEMU's edu device still bound
 * to vfio-pci, and nothing holding its VFIO group (/dev/vfio/N; see
 * group_open_check()). */
void fi_assert_edu_free(const struct fi_sweep *sw, unsigned int nth,
			const char *group);

#endif
