// SPDX-License-Identifier: GPL-2.0
/*
 * The effective capabilities, read with capget(2) directly (no libcap):
 * a refused BPF load means "not privileged" only when they are missing;
 * with them, it is the verifier that said no.
 */
#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "caps.h"

static bool effective(const struct __user_cap_data_struct d[2], int cap)
{
	return d[cap / 32].effective & (1u << (cap % 32));
}

bool caps_can_trace(void)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2] = {};

	if (syscall(SYS_capget, &h, d))
		return false;
	return effective(d, CAP_SYS_ADMIN) ||
	       (effective(d, CAP_BPF) && effective(d, CAP_PERFMON));
}
