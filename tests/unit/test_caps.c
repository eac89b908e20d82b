// SPDX-License-Identifier: GPL-2.0
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <linux/capability.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include "caps.h"

/* Sets the effective set to exactly the capabilities in caps[] (the
 * permitted set is left as it is, so each call can raise them again). */
static int set_effective(const int *caps, int n)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2] = {};
	int i;

	if (syscall(SYS_capget, &h, d))
		return -1;
	d[0].effective = d[1].effective = 0;
	for (i = 0; i < n; i++)
		d[caps[i] / 32].effective |= 1u << (caps[i] % 32);
	return syscall(SYS_capset, &h, d);
}

/* In a child, as the set changes underneath it: the answer follows the
 * effective set, whatever the uid. */
static void follows_the_effective_set(void **state)
{
	const int bpf[] = { CAP_BPF }, bpf_perfmon[] = { CAP_BPF, CAP_PERFMON },
		  sys_admin[] = { CAP_SYS_ADMIN };
	int status;
	pid_t pid;

	(void)state;
	if (geteuid() != 0)
		skip();
	assert_true(caps_can_trace());
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int bad = 0;

		bad |= set_effective(NULL, 0) || caps_can_trace();
		bad |= (set_effective(bpf, 1) || caps_can_trace()) << 1;
		bad |= (set_effective(bpf_perfmon, 2) || !caps_can_trace())
		       << 2;
		bad |= (set_effective(sys_admin, 1) || !caps_can_trace()) << 3;
		_exit(bad);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(follows_the_effective_set),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
