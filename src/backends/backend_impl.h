/* SPDX-License-Identifier: GPL-2.0 */
/* What the backends share with backend.c; not for their users. */
#ifndef DIRTYSCOPE_BACKEND_IMPL_H
#define DIRTYSCOPE_BACKEND_IMPL_H

#include "backend.h"

extern const struct backend_ops backend_mock_ops;
extern const struct backend_ops backend_iommufd_ops;
extern const struct backend_ops backend_type1_ops;
extern const struct backend_ops backend_manual_clear_ops;

/* Set b->failed to a sentence formatted into b->msg; returns err. */
int backend_fail(struct backend *b, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Set b->failed to a step name formatted into b->step; returns err. */
int backend_fail_step(struct backend *b, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* 0 if [iova, iova + len) is a non-empty part of the mapping, else
 * -EINVAL with b->failed naming the call. */
int backend_check_range(struct backend *b, uint64_t iova, uint64_t len,
			const char *what);

/* vfio-type1 and vfio-manual-clear share the container code. */
int type1b_open(struct backend *b, const struct backend_config *cfg,
		bool manual_clear);
int type1b_set_tracking(struct backend *b, bool enable);
int type1b_read_clear(struct backend *b, uint64_t iova, uint64_t len,
		      uint64_t *bitmap);
int type1b_write(struct backend *b, uint64_t iova, uint64_t len,
		 const uint64_t *bitmap);
int type1b_close(struct backend *b);
/* struct type1 of an open backend, for the manual-clear calls. */
struct type1 *type1b_container(struct backend *b);
/* vfio-manual-clear: a bitmap of all the mapping's pages, for clear(). */
uint64_t *type1b_scratch(struct backend *b);
/* Copy t->failed into b->step, or with why into b->msg; returns err. */
int type1b_failed(struct backend *b, int err);

#endif
