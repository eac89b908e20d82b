/* SPDX-License-Identifier: GPL-2.0 */
/* What the backends share with backend.c; not for their users. */
#ifndef DIRTYSCOPE_BACKEND_IMPL_H
#define DIRTYSCOPE_BACKEND_IMPL_H

#include "backend.h"

extern const struct backend_ops backend_mock_ops;
extern const struct backend_ops backend_iommufd_ops;

/* Set b->failed to a message formatted into b->msg; returns err. */
int backend_fail(struct backend *b, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* 0 if [iova, iova + len) is a non-empty part of the mapping, else
 * -EINVAL with b->failed naming the call. */
int backend_check_range(struct backend *b, uint64_t iova, uint64_t len,
			const char *what);

#endif
