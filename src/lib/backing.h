/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The memory behind a mapping the tool makes (bench's buffer): which page
 * size backs it. An IOMMU keeps one dirty bit per IOPTE, and iommufd maps
 * a physically contiguous, aligned run with an IOPTE as large as the
 * driver allows, so the backing decides the dirty granularity.
 *
 *   4k          base pages, transparent huge pages refused (MADV_NOHUGEPAGE)
 *   thp         transparent huge pages (MADV_HUGEPAGE), 2 MiB aligned; the
 *               map fails unless every 2 MiB of it is one huge page
 *   hugetlb-2m  MAP_HUGETLB 2 MiB pages, reserved beforehand
 *               (/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages)
 *   hugetlb-1g  MAP_HUGETLB 1 GiB pages, likewise
 */
#ifndef DIRTYSCOPE_BACKING_H
#define DIRTYSCOPE_BACKING_H

#include <stdint.h>

enum backing {
	BACKING_4K,
	BACKING_THP,
	BACKING_HUGETLB_2M,
	BACKING_HUGETLB_1G,
};

/* 0 and *b, or -EINVAL for a name not listed above. */
int backing_parse(const char *name, enum backing *b);
const char *backing_name(enum backing b);
/* Bytes per backing page: 4096, 2 MiB or 1 GiB. */
uint64_t backing_page_size(enum backing b);

/*
 * Map length bytes (a multiple of the backing page size) at an address
 * aligned to the backing page size; huge pages are populated, base pages
 * left to whoever pins them. 0 and *buf, or -errno with *failed the step
 * that failed, saying what to check (no huge pages reserved, THP off).
 * Undo with munmap(*buf, length).
 */
int backing_map(enum backing b, uint64_t length, void **buf,
		const char **failed);

#endif
