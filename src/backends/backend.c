// SPDX-License-Identifier: GPL-2.0
/* The backend registry: names to ops, open and close. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "backend_impl.h"

static const struct backend_ops *const backends[] = {
	&backend_mock_ops,
	&backend_iommufd_ops,
	&backend_type1_ops,
	&backend_manual_clear_ops,
};

#define NBACKENDS (sizeof(backends) / sizeof(backends[0]))

const struct backend_ops *backend_find(const char *name)
{
	for (size_t i = 0; name && i < NBACKENDS; i++)
		if (!strcmp(backends[i]->name, name))
			return backends[i];
	return NULL;
}

int backend_fail(struct backend *b, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b->msg, sizeof(b->msg), fmt, ap);
	va_end(ap);
	b->failed = b->msg;
	return err;
}

int backend_fail_step(struct backend *b, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b->step, sizeof(b->step), fmt, ap);
	va_end(ap);
	b->failed = b->step;
	return err;
}

int backend_check_range(struct backend *b, uint64_t iova, uint64_t len,
			const char *what)
{
	if (len && iova >= b->iova && len <= b->length &&
	    iova - b->iova <= b->length - len)
		return 0;
	b->failed = what;
	return -EINVAL;
}

int backend_open(struct backend *b, const char *name,
		 const struct backend_config *cfg)
{
	size_t n;

	memset(b, 0, sizeof(*b));
	b->ops = backend_find(name);
	if (b->ops && cfg->backing != BACKING_4K && !b->ops->any_backing)
		return backend_fail(b, -EINVAL,
				    "the %s backend maps base pages only "
				    "(--backing 4k): type1 tracks pinned "
				    "pages, not IOPTEs",
				    name);
	if (b->ops)
		return b->ops->open(b, cfg);
	/* "unknown backend 'x' (mock, iommufd, ...)": the names known. */
	n = snprintf(b->msg, sizeof(b->msg), "unknown backend '%s' (",
		     name ? name : "");
	for (size_t i = 0; i < NBACKENDS && n < sizeof(b->msg); i++)
		n += snprintf(b->msg + n, sizeof(b->msg) - n, "%s%s",
			      backends[i]->name,
			      i + 1 < NBACKENDS ? ", " : ")");
	b->failed = b->msg;
	return -ENOENT;
}

int backend_close(struct backend *b)
{
	return b->ops ? b->ops->close(b) : 0;
}
