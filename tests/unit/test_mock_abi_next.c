// SPDX-License-Identifier: GPL-2.0
/* The selftest ABI checks against the second testbed kernel's header (the
 * newest Debian kernel, scripts/testbed-kernels). */
#include "mock_abi_checks.h"
