// SPDX-License-Identifier: GPL-2.0
/* The selftest ABI checks against the first testbed kernel's header. */
#include "mock_abi_checks.h"
