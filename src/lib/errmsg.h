/* SPDX-License-Identifier: GPL-2.0 */
/* The parsers' error message: one line into the caller's buffer. */
#ifndef DIRTYSCOPE_ERRMSG_H
#define DIRTYSCOPE_ERRMSG_H

#include <stddef.h>

/* Format into err (errlen bytes) and return -EINVAL. */
int err_msg(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
