// SPDX-License-Identifier: GPL-2.0
/*
 * bench_dma_rate [DEVICE [MIB]]: how many page writes per second edu
 * delivers through the emulated dirty-tracking VT-d (vtd-dirty testbed,
 * edu bound to vfio-pci, root). bench's iommufd backend maps MIB MiB
 * (default 64) with dirty tracking on and makes edu DMA into every page of
 * it, one backend write per 1024 pages, timed with CLOCK_MONOTONIC; then a
 * NO_CLEAR read must report every page dirty, or the rate counted writes
 * that never reached memory through the IOMMU. Prints one line for
 * scripts/bench-self-vtd-guest.sh:
 *   dma_rate pages=N ns=T pages_per_s=R dirty=N
 * Errors: one line on stderr, exit 1 (2 for bad arguments).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "backend.h"
#include "bitmap.h"
#include "clock.h"
#include "parse.h"

#define BATCH_PAGES 1024
#define MAX_MIB	    4096

static int fail(struct backend *b, int err)
{
	fprintf(stderr, "bench_dma_rate: %s failed: %s\n", b->failed,
		strerror(-err));
	return err;
}

int main(int argc, char **argv)
{
	const char *device = argc > 1 ? argv[1] : "/dev/vfio/devices/vfio0";
	uint64_t mib = 64, pages, words, i, t0, ns, dirty;
	struct backend_config cfg = { .backing = BACKING_4K };
	struct backend b = { 0 };
	uint64_t *ones = NULL, *bitmap = NULL;
	int ret, err;

	if (argc > 3 || (argc == 3 &&
			 (parse_u64(argv[2], &mib) || !mib || mib > MAX_MIB))) {
		fprintf(stderr,
			"bench_dma_rate: bad arguments; usage: bench_dma_rate "
			"[DEVICE [MIB]] (MIB 1 to %d, default 64)\n",
			MAX_MIB);
		return 2;
	}
	cfg.size = mib << 20;
	cfg.device = device;
	ret = backend_open(&b, "iommufd", &cfg);
	if (ret) {
		fail(&b, ret);
		return 1;
	}
	if (!b.can_write) {
		fprintf(stderr,
			"bench_dma_rate: %s: no edu with x-dma-sync to "
			"make write\n",
			device);
		ret = -EOPNOTSUPP;
		goto out;
	}
	pages = backend_pages(&b);
	words = (pages + 63) / 64;
	ones = malloc(BATCH_PAGES / 8);
	bitmap = calloc(words, sizeof(*bitmap));
	if (!ones || !bitmap) {
		fprintf(stderr, "bench_dma_rate: out of memory\n");
		ret = -ENOMEM;
		goto out;
	}
	memset(ones, 0xff, BATCH_PAGES / 8);
	ret = b.ops->set_tracking(&b, true);
	if (ret) {
		fail(&b, ret);
		goto out;
	}
	t0 = now_ns();
	for (i = 0; i < pages && !ret; i += BATCH_PAGES) {
		uint64_t n = pages - i < BATCH_PAGES ? pages - i : BATCH_PAGES;

		ret = b.ops->write(&b, b.iova + i * b.page_size,
				   n * b.page_size, ones);
	}
	ns = now_ns() - t0;
	if (!ret)
		ret = b.ops->read(&b, b.iova, b.length, false, bitmap);
	if (ret) {
		fail(&b, ret);
		goto out;
	}
	dirty = bitmap_weight(bitmap, pages);
	printf("dma_rate pages=%" PRIu64 " ns=%" PRIu64
	       " pages_per_s=%.0f dirty=%" PRIu64 "\n",
	       pages, ns, ns ? pages * 1e9 / ns : 0.0, dirty);
	if (dirty != pages) {
		fprintf(stderr,
			"bench_dma_rate: %" PRIu64 " of %" PRIu64
			" written pages reported dirty\n",
			dirty, pages);
		ret = -EIO;
	}
out:
	err = backend_close(&b);
	if (err && !ret)
		fail(&b, err);
	free(ones);
	free(bitmap);
	return ret || err ? 1 : 0;
}
