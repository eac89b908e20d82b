// SPDX-License-Identifier: GPL-2.0
/* The selftest ABI checks against the first testbed kernel's header. */
#define MOCK_ABI_HUGE_IOVA
#include "mock_abi_checks.h"
