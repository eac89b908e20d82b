/* SPDX-License-Identifier: GPL-2.0 */
/* What the workload tests build on (workload_harness.c). */
#ifndef DIRTYSCOPE_WORKLOAD_HARNESS_H
#define DIRTYSCOPE_WORKLOAD_HARNESS_H

#include <stddef.h>
#include <stdint.h>
#include "workload.h"

/* spec parsed for pages and seed; the parse must succeed. */
struct workload_config spec_cfg(const char *spec, uint64_t pages,
				uint64_t seed);
/* The same, made into a generator, which must succeed. */
struct workload *spec_new(const char *spec, uint64_t pages, uint64_t seed);
/* Whether workload_new must refuse c: a set that cannot exist. */
int impossible(const struct workload_config *c);
/* n writes of w on pages pages, each checked in range: a count per page
 * (calloc'd, caller frees). */
uint32_t *count_pages(struct workload *w, uint64_t pages, size_t n);
/* splitmix64 by hand, to check uniform against it independently. */
uint64_t splitmix64(uint64_t *x);
/* qsort() order of uint32_t counts, largest first. */
int by_count_desc(const void *a, const void *b);

#endif
