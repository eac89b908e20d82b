/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A dirty-tracked DMA target that `bench` drives: one mapping of `length`
 * bytes at `iova`, dirty tracking on or off, dirty bits read with or without
 * clearing, and (mock only) device writes the tool injects itself.
 *
 * Bitmaps follow the kernel uAPI: u64 words, bit i is the page at
 * iova + i * page_size of the range passed in. Reads OR into the caller's
 * bitmap, which the caller zeroes.
 *
 * Every call returns 0 or -errno and, on failure, sets b->failed to the
 * step (ioctl) that failed, for a one-line error "STEP failed: STRERROR";
 * where errno alone would not say what is wrong (no dirty tracking in this
 * IOMMU, a kernel without the manual-clear series, an unknown backend)
 * b->failed is that whole sentence instead, kept in b->msg: print it as
 * "%s: %s" with strerror(). b->failed stays
 * valid until the backend is opened again. backend_close() is safe after a
 * failed open and twice, runs every cleanup step (tracking off, unmap,
 * objects destroyed, fds closed), returns the first error and keeps the
 * failure that came before it in b->failed.
 *
 * Threads: a backend is driven by one thread, except that on a backend with
 * can_write one other thread may call write() while the first calls
 * set_tracking(), read() and clear() (bench's device-writer thread). open
 * and close must not overlap anything. See backend_mock.c for what the mock
 * does to make that safe, and what it costs.
 */
#ifndef DIRTYSCOPE_BACKEND_H
#define DIRTYSCOPE_BACKEND_H

#include <stdbool.h>
#include <stdint.h>
#include "backing.h"

struct backend_config {
	uint64_t size;	     /* bytes to map */
	const char *device;  /* iommufd: /dev/vfio/devices/vfioN */
	const char *group;   /* vfio-type1, vfio-manual-clear: /dev/vfio/N */
	const char *iommufd; /* /dev/iommu (tests may point elsewhere) */
	uint32_t mock_flags; /* mock: DS_MOCK_DEV_* (error-path tests) */
	/* The pages behind the buffer; backends without ops->any_backing
	 * refuse anything but 4k (type1 tracks pinned pages, not IOPTEs). */
	enum backing backing;
};

struct backend;

struct backend_ops {
	const char *name;
	/* open() maps its buffer with cfg->backing; else only BACKING_4K. */
	bool any_backing;
	int (*open)(struct backend *b, const struct backend_config *cfg);
	int (*set_tracking)(struct backend *b, bool enable);
	/* clear: read and clear; !clear: read only (-EOPNOTSUPP where the
	 * backend cannot: see can_read_noclear). */
	int (*read)(struct backend *b, uint64_t iova, uint64_t len, bool clear,
		    uint64_t *bitmap);
	/* Clear the dirty bits of a range without reporting them; a backend
	 * without a clear-only uAPI (iommufd) reads and clears into a
	 * scratch bitmap. */
	int (*clear)(struct backend *b, uint64_t iova, uint64_t len);
	/* Device DMA: mark the pages set in bitmap dirty. -EOPNOTSUPP where
	 * the tool cannot make the device write (real hardware). */
	int (*write)(struct backend *b, uint64_t iova, uint64_t len,
		     const uint64_t *bitmap);
	int (*close)(struct backend *b);
};

struct backend {
	const struct backend_ops *ops;
	uint64_t iova;	       /* start of the mapping */
	uint64_t length;       /* bytes mapped */
	uint64_t page_size;    /* bitmap page size */
	bool can_read_noclear; /* the manual-clear strategy is possible */
	bool can_write;	       /* the tool can inject device writes */
	const char *failed;
	void *priv;
	/* Storage for a b->failed that is a sentence (msg) or a step that
	 * names a path, like "open /dev/vfio/12" (step): it lives here so
	 * that it outlives priv, which a failed open frees. */
	char msg[192];
	char step[96];
};

/* Names: "mock", "iommufd", "vfio-type1", "vfio-manual-clear". */
const struct backend_ops *backend_find(const char *name);
/* Open the named backend: map cfg->size and leave tracking off. An
 * unknown name gives -ENOENT. On failure everything is undone already. */
int backend_open(struct backend *b, const char *name,
		 const struct backend_config *cfg);
/* b->ops->close(b), and 0 when backend_open() never found a backend. */
int backend_close(struct backend *b);

static inline uint64_t backend_pages(const struct backend *b)
{
	return b->length / b->page_size;
}

#endif
