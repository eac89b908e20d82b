// SPDX-License-Identifier: GPL-2.0
/*
 * "mock": the iommufd selftest mock device (iommufd_mock.c), the one
 * backend where the tool makes the device write (IOMMU_TEST_OP_DIRTY).
 * Bitmap pages are mock IO pages (PAGE_SIZE / 2).
 *
 * Threads. bench calls write() from its writer thread while the main thread
 * calls set_tracking(), read() and clear(). Every call here takes p->lock,
 * so on this backend a device write never overlaps a dirty-bitmap ioctl:
 *  - The kernel needs it. IOMMU_TEST_OP_DIRTY marks a page with an
 *    unlocked xa_load() + xa_store() and WARNs (selftest.c, "ent != old")
 *    when a read-and-clear GET_DIRTY_BITMAP cleared that page in between.
 *    Seen in the testbed: a writer re-marking pages beside a clearing
 *    reader hits the WARN within a second. NO_CLEAR reads only load and
 *    could run beside writes; they take the lock too, so that both bench
 *    strategies see the same interference.
 *  - The cost: a read() or clear() may wait for one write() ioctl to end,
 *    and that wait is inside the caller's timing. Keep writes small.
 *  - User space: the scratch bitmap of clear(), the struct mock_dev (its
 *    failed and tracking fields) and b->failed are only touched under the
 *    lock. b->failed is always a static string here, so a caller reading it
 *    after its own failed call may, at worst, see the other thread's failed
 *    step, never a torn or freed one.
 * Not safe: open() and close() beside anything (join the writer first),
 * and disabling tracking while the writer runs makes its writes fail
 * (EINVAL: the mock refuses marks on an untracked domain).
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include "backend_impl.h"
#include "bitmap.h"
#include "iommufd_mock.h"
#include "iommufd_mock_abi.h"

struct mock_priv {
	struct mock_dev m;
	pthread_mutex_t lock;
	/* clear() reads the bits it clears into this, never looked at. */
	uint64_t *scratch;
};

static int mock_close(struct backend *b);

static int mock_open(struct backend *b, const struct backend_config *cfg)
{
	struct mock_priv *p;
	int ret;

	p = calloc(1, sizeof(*p));
	if (!p) {
		b->failed = "mock: out of memory";
		return -ENOMEM;
	}
	pthread_mutex_init(&p->lock, NULL);
	b->priv = p;
	ret = mock_dev_open(&p->m, cfg->iommufd, cfg->mock_flags, cfg->backing);
	if (!ret)
		ret = mock_dev_map(&p->m, cfg->size);
	if (ret) {
		b->failed = p->m.failed;
		goto err;
	}
	p->scratch = calloc(bitmap_words(mock_dev_pages(&p->m)), 8);
	if (!p->scratch) {
		b->failed = "mock: out of memory";
		ret = -ENOMEM;
		goto err;
	}
	b->iova = p->m.iova;
	b->length = p->m.length;
	b->page_size = p->m.page_size;
	b->can_read_noclear = true;
	b->can_write = true;
	return 0;
err:
	mock_close(b);
	return ret;
}

static int mock_set_tracking(struct backend *b, bool enable)
{
	struct mock_priv *p = b->priv;
	int ret;

	pthread_mutex_lock(&p->lock);
	ret = mock_dev_set_tracking(&p->m, enable);
	if (ret)
		b->failed = p->m.failed;
	pthread_mutex_unlock(&p->lock);
	return ret;
}

static int mock_read(struct backend *b, uint64_t iova, uint64_t len, bool clear,
		     uint64_t *bitmap)
{
	struct mock_priv *p = b->priv;
	uint32_t flags = clear ? 0 : IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR;
	int ret;

	pthread_mutex_lock(&p->lock);
	ret = backend_check_range(b, iova, len,
				  "read (range outside the mapping)");
	if (!ret) {
		ret = mock_dev_read_dirty(&p->m, flags, iova, len, bitmap);
		if (ret)
			b->failed = p->m.failed;
	}
	pthread_mutex_unlock(&p->lock);
	return ret;
}

/* iommufd has no clear-only ioctl: clearing is a read-and-clear
 * GET_DIRTY_BITMAP whose bits nobody reads, exactly what a VMM would do. */
static int mock_clear(struct backend *b, uint64_t iova, uint64_t len)
{
	struct mock_priv *p = b->priv;
	int ret;

	pthread_mutex_lock(&p->lock);
	/* Also keeps the kernel inside the scratch bitmap. */
	ret = backend_check_range(b, iova, len,
				  "clear (range outside the mapping)");
	if (!ret) {
		ret = mock_dev_read_dirty(&p->m, 0, iova, len, p->scratch);
		if (ret)
			b->failed = p->m.failed;
	}
	pthread_mutex_unlock(&p->lock);
	return ret;
}

static int mock_write(struct backend *b, uint64_t iova, uint64_t len,
		      const uint64_t *bitmap)
{
	struct mock_priv *p = b->priv;
	int ret;

	pthread_mutex_lock(&p->lock);
	/* The kernel would skip pages outside the mapping without a word. */
	ret = backend_check_range(b, iova, len,
				  "write (range outside the mapping)");
	if (!ret) {
		ret = mock_dev_write_range(&p->m, iova, len, bitmap, NULL);
		if (ret)
			b->failed = p->m.failed;
	}
	pthread_mutex_unlock(&p->lock);
	return ret;
}

static int mock_close(struct backend *b)
{
	struct mock_priv *p = b->priv;
	int ret;

	if (!p)
		return 0;
	ret = mock_dev_close(&p->m);
	if (ret && !b->failed)
		b->failed = p->m.failed;
	pthread_mutex_destroy(&p->lock);
	free(p->scratch);
	free(p);
	b->priv = NULL;
	return ret;
}

const struct backend_ops backend_mock_ops = {
	.name = "mock",
	.any_backing = true,
	.open = mock_open,
	.set_tracking = mock_set_tracking,
	.read = mock_read,
	.clear = mock_clear,
	.write = mock_write,
	.close = mock_close,
};
