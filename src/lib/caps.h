/* SPDX-License-Identifier: GPL-2.0 */
#ifndef DIRTYSCOPE_CAPS_H
#define DIRTYSCOPE_CAPS_H

#include <stdbool.h>

/* Whether this process's effective capabilities let it load and attach
 * tracing programs: CAP_SYS_ADMIN, or CAP_BPF with CAP_PERFMON. */
bool caps_can_trace(void);

#endif
