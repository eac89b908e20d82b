/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Between faultinj.c, which makes the runs of a sweep, and
 * faultinj_checks.c, which holds each run to the rules of faultinj.h: what
 * one run is and what its child reports. The tests use faultinj.h only.
 */
#ifndef DIRTYSCOPE_FAULTINJ_RUN_H
#define DIRTYSCOPE_FAULTINJ_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include "faultinj.h"

#define MOCK_BUS "/sys/bus/iommufd_mock/devices"
#define MAX_FD	 1024

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

/* /dev/kmsg opened at its end, for fi_check_kmsg() (fi_setup()); closed
 * (fi_teardown()). */
void fi_kmsg_open(void);
void fi_kmsg_close(void);
/* In the child: the fds open now, as a set of MAX_FD; right before the
 * command. */
void fi_fd_set_now(unsigned char *set);
/* In the child, after the command: what it left behind (mock devices, the
 * first fd open that was not in before, VmLck, VmPin) into rep. */
void fi_report_leftovers(struct child_report *rep, const unsigned char *before);
/* In the parent, after a run: the rules every run keeps (faultinj.h);
 * devs, the mock devices before the sweep. The outcome into step. */
void fi_check_run(struct fi_sweep *sw, unsigned int nth,
		  const struct fault_run *f, int devs, char *step, size_t len);

#endif
