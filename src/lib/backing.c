// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include "backing.h"

#ifndef MAP_HUGE_SHIFT
#define MAP_HUGE_SHIFT 26
#endif

static const char *const names[] = {
	[BACKING_4K] = "4k",
	[BACKING_THP] = "thp",
	[BACKING_HUGETLB_2M] = "hugetlb-2m",
	[BACKING_HUGETLB_1G] = "hugetlb-1g",
};

int backing_parse(const char *name, enum backing *b)
{
	for (unsigned int i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcmp(name, names[i])) {
			*b = i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *backing_name(enum backing b)
{
	return names[b];
}

uint64_t backing_page_size(enum backing b)
{
	switch (b) {
	case BACKING_THP:
	case BACKING_HUGETLB_2M:
		return 2ull << 20;
	case BACKING_HUGETLB_1G:
		return 1ull << 30;
	default:
		return 4096;
	}
}

/* Bytes of [buf, buf + length) that transparent huge pages back, from
 * /proc/self/smaps (the VMA holding buf is the one madvise made). */
static int64_t thp_bytes(const void *buf)
{
	unsigned long lo, hi, kb;
	bool in = false;
	char line[256];
	int64_t ret = -ENOENT;
	FILE *f = fopen("/proc/self/smaps", "re");

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2) {
			in = lo <= (unsigned long)buf &&
			     (unsigned long)buf < hi;
			continue;
		}
		if (in && sscanf(line, "AnonHugePages: %lu kB", &kb) == 1) {
			ret = (int64_t)kb << 10;
			break;
		}
	}
	fclose(f);
	return ret;
}

static int map_thp(uint64_t length, void **buf, const char **failed)
{
	uint64_t align = backing_page_size(BACKING_THP);
	char *raw, *p;
	int64_t huge;

	/* Over-allocate, keep the aligned part: THP needs 2 MiB alignment. */
	raw = mmap(NULL, length + align, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw == MAP_FAILED) {
		*failed = "mmap";
		return -errno;
	}
	p = (char *)(((uintptr_t)raw + align - 1) & ~(uintptr_t)(align - 1));
	if (p > raw)
		munmap(raw, p - raw);
	munmap(p + length, raw + align - p);
	if (madvise(p, length, MADV_HUGEPAGE)) {
		*failed = "madvise(MADV_HUGEPAGE) (a kernel without "
			  "transparent huge pages?)";
		goto err;
	}
	memset(p, 0, length);
	huge = thp_bytes(p);
	if (huge < 0 || (uint64_t)huge != length) {
		*failed = "backing the buffer with transparent huge pages "
			  "(transparent_hugepage 'never', or memory "
			  "fragmented?)";
		errno = ENOMEM;
		goto err;
	}
	*buf = p;
	return 0;
err:
	huge = -errno;
	munmap(p, length);
	return huge;
}

int backing_map(enum backing b, uint64_t length, void **buf,
		const char **failed)
{
	int flags = MAP_PRIVATE | MAP_ANONYMOUS;
	void *p;

	if (length % backing_page_size(b)) {
		*failed = "map size (not a multiple of the backing page size)";
		return -EINVAL;
	}
	if (b == BACKING_THP)
		return map_thp(length, buf, failed);
	/* hugetlb pages are taken from the pool when mapped: populated now,
	 * a short pool fails here, not at the first fault (SIGBUS). Base
	 * pages are faulted in by whoever pins them. */
	if (b == BACKING_HUGETLB_2M)
		flags |= MAP_HUGETLB | MAP_POPULATE | (21 << MAP_HUGE_SHIFT);
	if (b == BACKING_HUGETLB_1G)
		flags |= MAP_HUGETLB | MAP_POPULATE | (30 << MAP_HUGE_SHIFT);
	p = mmap(NULL, length, PROT_READ | PROT_WRITE, flags, -1, 0);
	if (p == MAP_FAILED) {
		if (b == BACKING_4K)
			*failed = "mmap";
		else if (b == BACKING_HUGETLB_2M)
			*failed = "mmap of 2 MiB hugetlb pages (reserved in "
				  "/sys/kernel/mm/hugepages/"
				  "hugepages-2048kB/nr_hugepages?)";
		else
			*failed = "mmap of 1 GiB hugetlb pages (reserved in "
				  "/sys/kernel/mm/hugepages/"
				  "hugepages-1048576kB/nr_hugepages?)";
		return -errno;
	}
	/* Base pages only: a THP would let the IOMMU map a larger IOPTE. A
	 * kernel without THP (EINVAL) or without madvise() (ENOSYS) has
	 * nothing to refuse. */
	if (b == BACKING_4K && madvise(p, length, MADV_NOHUGEPAGE) &&
	    errno != EINVAL && errno != ENOSYS) {
		*failed = "madvise(MADV_NOHUGEPAGE)";
		munmap(p, length);
		return -errno;
	}
	*buf = p;
	return 0;
}
