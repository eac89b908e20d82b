// SPDX-License-Identifier: GPL-2.0
/*
 * workload_parse, then workload_format: the canonical spec parses again to
 * exactly the same config. When the config makes a workload for a small
 * mapping, its pages are in range, follow the kind's rules, and do not
 * depend on how the calls are split.
 */
#include <errno.h>
#include "fuzz.h"
#include "workload.h"

#define FUZZ_PAGES 64
#define DRAWS	   200

static int same_config(const struct workload_config *a,
		       const struct workload_config *b)
{
	/* Doubles compared with ==: exactly the same, not close. */
	return a->kind == b->kind && a->pages == b->pages &&
	       a->seed == b->seed && a->hot_frac == b->hot_frac &&
	       a->hot_share == b->hot_share && a->zipf_s == b->zipf_s &&
	       a->ring_pages == b->ring_pages && a->burst_len == b->burst_len;
}

static void check_pages(const struct workload_config *c)
{
	struct workload *w = workload_new(c), *v;
	uint64_t a[DRAWS], b[DRAWS];

	if (!w)
		return;
	v = workload_new(c);
	CHECK(v);
	workload_next(w, a, DRAWS);
	/* One page, then the rest: the same sequence. */
	workload_next(v, b, 1);
	workload_next(v, b + 1, DRAWS - 1);
	CHECK(!memcmp(a, b, sizeof(a)));
	for (size_t i = 0; i < DRAWS; i++) {
		CHECK(a[i] < c->pages);
		if (c->kind == WL_RING)
			CHECK(a[i] ==
			      i % (c->ring_pages ? c->ring_pages : c->pages));
	}
	if (c->kind == WL_BURSTY)
		/* Each burst is consecutive pages, wrapping at the end. */
		for (size_t i = 1; i < DRAWS; i++)
			if (i % c->burst_len)
				CHECK(a[i] == (a[i - 1] + 1) % c->pages);
	workload_free(v);
	workload_free(w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *spec = fuzz_string(data, size), buf[256], again_buf[256];
	struct workload_config c = { .kind = WL_RING,
				     .pages = FUZZ_PAGES,
				     .seed = size,
				     .ring_pages = 7 };
	struct workload_config before = c, again;
	int err = workload_parse(spec, &c);

	CHECK(err == 0 || err == -EINVAL);
	if (err) {
		/* cfg untouched on error. */
		CHECK(same_config(&c, &before));
		free(spec);
		return 0;
	}
	/* pages and seed are the caller's. */
	CHECK(c.pages == before.pages && c.seed == before.seed);
	CHECK(workload_format(&c, buf, sizeof(buf)) == 0);
	again = before;
	if (workload_parse(buf, &again)) {
		fprintf(stderr, "'%s' gave '%s', which does not parse\n", spec,
			buf);
		CHECK(0);
	}
	if (!same_config(&again, &c)) {
		fprintf(stderr, "'%s' gave '%s', which parses differently\n",
			spec, buf);
		CHECK(0);
	}
	/* The canonical form is a fixed point. */
	CHECK(workload_format(&again, again_buf, sizeof(again_buf)) == 0);
	CHECK(!strcmp(buf, again_buf));
	/* Too small a buffer: -ENOSPC, still terminated. */
	if (strlen(buf) > 0) {
		CHECK(workload_format(&c, again_buf, strlen(buf)) == -ENOSPC);
		CHECK(strlen(again_buf) == strlen(buf) - 1);
	}
	check_pages(&c);
	free(spec);
	return 0;
}
