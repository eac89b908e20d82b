// SPDX-License-Identifier: GPL-2.0
/*
 * "vfio-type1": a VFIO type1 container on the group the user names
 * (vfio_type1.c), tracked with VFIO_IOMMU_DIRTY_PAGES START/STOP and read
 * with GET_BITMAP, which always reads and clears. Upstream type1 has no
 * way to read without clearing, so this backend only runs the auto-clear
 * strategy: read(clear=false) and clear() are -EOPNOTSUPP (that is what
 * the vfio-manual-clear backend is for). type1 has no hardware dirty bits:
 * a vfio-pci device pins nothing, so every read reports every mapped page.
 * The kernel also wants each read to cover whole mappings: this backend has
 * one, so a read is of [b->iova, b->iova + b->length) or a range around it.
 *
 * The container code here is shared with backend_manual_clear.c.
 */
#include <errno.h>
#include <stdlib.h>
#include "backend_impl.h"
#include "bitmap.h"
#include "vfio_type1.h"

#define TYPE1_IOVA (1ull << 32)

struct type1_priv {
	struct type1 t;
	uint64_t *scratch; /* manual clear: the bitmap of pages to clear */
};

static const char *name_of(bool manual_clear)
{
	return manual_clear ? "vfio-manual-clear" : "vfio-type1";
}

int type1b_failed(struct backend *b, int err)
{
	struct type1 *t = type1b_container(b);

	/* A step, unless the container said more than errno would. */
	if (t->reason)
		return backend_fail(b, err, "%s: %s", t->failed, t->reason);
	return backend_fail_step(b, err, "%s",
				 t->failed ? t->failed : "vfio-type1");
}

struct type1 *type1b_container(struct backend *b)
{
	return &((struct type1_priv *)b->priv)->t;
}

uint64_t *type1b_scratch(struct backend *b)
{
	return ((struct type1_priv *)b->priv)->scratch;
}

int type1b_open(struct backend *b, const struct backend_config *cfg,
		bool manual_clear)
{
	struct type1_priv *p;
	int ret;

	/* Never pick a group on the user's behalf. */
	if (!cfg->group)
		return backend_fail(b, -EINVAL,
				    "%s: no group given (--group /dev/vfio/N)",
				    name_of(manual_clear));
	p = calloc(1, sizeof(*p));
	if (!p)
		return backend_fail(b, -ENOMEM, "%s: out of memory",
				    name_of(manual_clear));
	b->priv = p;
	ret = type1_open(&p->t, cfg->group);
	if (ret) {
		type1b_failed(b, ret);
		goto err;
	}
	/* Asking is what turns manual clear on, on a kernel that has it;
	 * the container must have its IOMMU set, which type1_open() did. */
	if (manual_clear) {
		ret = type1_has_manual_clear(&p->t);
		if (ret < 0) {
			type1b_failed(b, ret);
			goto err;
		}
		if (!ret) {
			ret = backend_fail(
				b, -EOPNOTSUPP,
				"vfio-manual-clear: not supported "
				"by this kernel (VFIO_CHECK_EXTENSION "
				"11)");
			goto err;
		}
	}
	if (!p->t.dirty_pgsize) {
		ret = backend_fail(b, -EOPNOTSUPP,
				   "%s: the container has no migration "
				   "capability (no dirty page tracking)",
				   name_of(manual_clear));
		goto err;
	}
	ret = type1_map(&p->t, TYPE1_IOVA, cfg->size);
	if (ret) {
		type1b_failed(b, ret);
		goto err;
	}
	if (manual_clear) {
		p->scratch = calloc(bitmap_words(type1_pages(&p->t)), 8);
		if (!p->scratch) {
			ret = backend_fail(b, -ENOMEM, "%s: out of memory",
					   name_of(manual_clear));
			goto err;
		}
	}
	b->iova = p->t.iova;
	b->length = p->t.length;
	b->page_size = p->t.dirty_pgsize;
	b->can_read_noclear = manual_clear;
	b->can_write = false;
	return 0;
err:
	type1b_close(b);
	return ret;
}

int type1b_set_tracking(struct backend *b, bool enable)
{
	int ret = type1_set_tracking(type1b_container(b), enable);

	return ret ? type1b_failed(b, ret) : 0;
}

int type1b_read_clear(struct backend *b, uint64_t iova, uint64_t len,
		      uint64_t *bitmap)
{
	int ret = type1_read_dirty(type1b_container(b), iova, len, bitmap);

	return ret ? type1b_failed(b, ret) : 0;
}

int type1b_write(struct backend *b, uint64_t iova, uint64_t len,
		 const uint64_t *bitmap)
{
	(void)iova;
	(void)len;
	(void)bitmap;
	return backend_fail(b, -EOPNOTSUPP,
			    "%s: the tool cannot make a real device write",
			    b->ops->name);
}

int type1b_close(struct backend *b)
{
	int ret;

	if (!b->priv)
		return 0;
	ret = type1_close(type1b_container(b));
	if (ret && !b->failed)
		type1b_failed(b, ret);
	free(type1b_scratch(b));
	free(b->priv);
	b->priv = NULL;
	return ret;
}

static int type1_backend_open(struct backend *b,
			      const struct backend_config *cfg)
{
	return type1b_open(b, cfg, false);
}

static int type1_read(struct backend *b, uint64_t iova, uint64_t len,
		      bool clear, uint64_t *bitmap)
{
	if (clear)
		return type1b_read_clear(b, iova, len, bitmap);
	b->failed = "vfio-type1: type1 cannot read without clearing; the "
		    "manual strategy needs the vfio-manual-clear backend";
	return -EOPNOTSUPP;
}

static int type1_clear(struct backend *b, uint64_t iova, uint64_t len)
{
	(void)iova;
	(void)len;
	b->failed = "vfio-type1: type1 has no clear-only call; the manual "
		    "strategy needs the vfio-manual-clear backend";
	return -EOPNOTSUPP;
}

const struct backend_ops backend_type1_ops = {
	.name = "vfio-type1",
	.open = type1_backend_open,
	.set_tracking = type1b_set_tracking,
	.read = type1_read,
	.clear = type1_clear,
	.write = type1b_write,
	.close = type1b_close,
};
