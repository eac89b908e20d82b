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
 * step (ioctl) that failed, for a one-line error. backend_close() is safe
 * after a failed open and twice, runs every cleanup step (tracking off,
 * unmap, objects destroyed, fds closed) and returns the first error.
 */
#ifndef DIRTYSCOPE_BACKEND_H
#define DIRTYSCOPE_BACKEND_H

#include <stdbool.h>
#include <stdint.h>

struct backend_config {
	uint64_t size;	     /* bytes to map */
	const char *device;  /* iommufd: /dev/vfio/devices/vfioN */
	const char *group;   /* vfio-type1, vfio-manual-clear: /dev/vfio/N */
	const char *iommufd; /* /dev/iommu (tests may point elsewhere) */
	uint32_t mock_flags; /* mock: DS_MOCK_DEV_* (error-path tests) */
};

struct backend;

struct backend_ops {
	const char *name;
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
};

/* Names: "mock", "iommufd", "vfio-type1", "vfio-manual-clear". */
const struct backend_ops *backend_find(const char *name);
/* Open the named backend: map cfg->size and leave tracking off. */
int backend_open(struct backend *b, const char *name,
		 const struct backend_config *cfg);

static inline uint64_t backend_pages(const struct backend *b)
{
	return b->length / b->page_size;
}

#endif
