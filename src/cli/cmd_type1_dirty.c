// SPDX-License-Identifier: GPL-2.0
/*
 * dirtyscope type1-dirty: one dirty-tracking cycle of a VFIO type1
 * container, on the IOMMU group the user names. It maps a buffer, starts
 * tracking, reads the bitmap, unmaps with the bitmap and stops tracking.
 * type1 has no hardware dirty bits: with a group that does not pin pages
 * (vfio-pci) it reports every mapped page dirty, and both reads are checked
 * for exactly that, bit for bit.
 */
#include <argp.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bitmap.h"
#include "clock.h"
#include "commands.h"
#include "log.h"
#include "options.h"
#include "parse.h"
#include "vfio_type1.h"

struct type1_dirty_args {
	uint64_t iova;
	struct common_opts c; /* group, size */
};

static const struct argp_option options[] = {
	{ "iova", 'i', "IOVA", 0, "IOVA of the mapping (default 0x100000000)" },
	{},
};

static const struct argp_child children[] = {
	{ &opt_group },
	{ &opt_size },
	{ &opt_verbose },
	{},
};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct type1_dirty_args *a = state->input;

	switch (key) {
	case ARGP_KEY_INIT:
		common_opts_init(state, children, &a->c);
		break;
	case 'i':
		if (parse_u64(arg, &a->iova))
			return ds_arg_error("type1-dirty: invalid --iova '%s'",
					    arg);
		break;
	case ARGP_KEY_ARG:
		return ds_arg_error("type1-dirty: unexpected argument '%s'",
				    arg);
	case ARGP_KEY_END:
		/* Never pick a device on the user's behalf. */
		if (!a->c.group)
			return ds_arg_error("type1-dirty: --group /dev/vfio/N "
					    "is required");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp argp = {
	options,
	parse_opt,
	NULL,
	"Drive a VFIO type1 container through one dirty-tracking cycle on the "
	"IOMMU group given with --group (required; every device in it bound to "
	"vfio-pci): map, start tracking, read the bitmap, unmap with the "
	"bitmap, stop tracking, and check that both reads report every mapped "
	"page, as type1 does for devices that do not pin pages. Needs root.",
	children,
};

static int report(struct type1 *t, int ret)
{
	ds_err("type1-dirty: %s failed: %s", t->failed, type1_reason(t, ret));
	return ret;
}

static void print_step(const char *what, uint64_t t0, uint64_t t1)
{
	printf("%-18s %8s %5s  %10.3f ms\n", what, "", "", (t1 - t0) / 1e6);
}

/* A read must report exactly the pages in want (padding bits included). */
static int check(const char *what, const uint64_t *got, const uint64_t *want,
		 uint64_t pages, uint64_t t0, uint64_t t1)
{
	uint64_t bits = bitmap_words(pages) * 64;
	uint64_t n = bitmap_weight(got, bits);
	uint64_t diff = bitmap_diff_weight(got, want, bits);

	printf("%-18s %8" PRIu64 " dirty  %10.3f ms\n", what, n,
	       (t1 - t0) / 1e6);
	if (!diff)
		return 0;
	ds_err("type1-dirty: %s failed: %" PRIu64 " pages dirty, %" PRIu64
	       " bits differ from all %" PRIu64 " mapped pages",
	       what, n, diff, pages);
	return -EIO;
}

int cmd_type1_dirty(int argc, char **argv)
{
	struct type1_dirty_args a = { .iova = 1ull << 32,
				      .c = { .size = 16 << 20 } };
	uint64_t *want = NULL, *got = NULL;
	uint64_t pages, words, unmapped = 0, t0, t1;
	struct type1 t;
	int ret, err;

	if (argp_parse(&argp, argc, argv, 0, NULL, &a))
		return 2;

	ret = type1_open(&t, a.c.group);
	if (ret) {
		report(&t, ret);
		return 1;
	}
	printf("type1 container: group %s, IOVA page sizes 0x%" PRIx64
	       ", dirty page size %" PRIu64 " B, max dirty bitmap %" PRIu64
	       " B\n",
	       a.c.group, t.iova_pgsizes, t.dirty_pgsize, t.max_bitmap_bytes);

	t0 = now_ns();
	ret = type1_map(&t, a.iova, a.c.size);
	t1 = now_ns();
	if (ret) {
		report(&t, ret);
		goto out;
	}
	pages = type1_pages(&t);
	words = bitmap_words(pages);
	want = calloc(words, sizeof(*want));
	got = calloc(words, sizeof(*got));
	if (!want || !got) {
		ret = report(&t, -ENOMEM);
		goto out;
	}
	memset(want, 0xff, pages / 64 * sizeof(*want));
	if (pages % 64)
		want[pages / 64] = (1ull << (pages % 64)) - 1;
	printf("%-18s %8" PRIu64 " pages  %10.3f ms  (%" PRIu64
	       " bytes at iova 0x%" PRIx64 ", pages of %" PRIu64 " B)\n",
	       "map", pages, (t1 - t0) / 1e6, t.length, t.iova, t.dirty_pgsize);

	t0 = now_ns();
	ret = type1_set_tracking(&t, true);
	t1 = now_ns();
	if (ret) {
		report(&t, ret);
		goto out;
	}
	print_step("start tracking", t0, t1);

	ds_debug("type1-dirty: GET_BITMAP iova 0x%" PRIx64 " size %" PRIu64
		 ", bitmap %" PRIu64 " B",
		 t.iova, t.length, words * 8);
	t0 = now_ns();
	ret = type1_read_dirty(&t, t.iova, t.length, got);
	t1 = now_ns();
	if (ret) {
		report(&t, ret);
		goto out;
	}
	ret = check("read bitmap", got, want, pages, t0, t1);
	if (ret)
		goto out;

	memset(got, 0, words * sizeof(*got));
	t0 = now_ns();
	ret = type1_unmap(&t, got, &unmapped);
	t1 = now_ns();
	if (ret) {
		report(&t, ret);
		goto out;
	}
	ret = check("unmap + bitmap", got, want, pages, t0, t1);
	if (ret)
		goto out;
	if (unmapped != a.c.size) {
		ds_err("type1-dirty: VFIO_IOMMU_UNMAP_DMA failed: unmapped "
		       "%" PRIu64 " of %" PRIu64 " bytes",
		       unmapped, a.c.size);
		ret = -EIO;
		goto out;
	}

	t0 = now_ns();
	ret = type1_set_tracking(&t, false);
	t1 = now_ns();
	if (ret) {
		report(&t, ret);
		goto out;
	}
	print_step("stop tracking", t0, t1);

	/* Last: on a kernel with the series, asking turns manual clear on. */
	ret = type1_has_manual_clear(&t);
	if (ret < 0) {
		report(&t, ret);
		goto out;
	}
	printf("manual-clear       %8s  (VFIO_CHECK_EXTENSION %d)\n",
	       ret ? "present" : "absent", DS_VFIO_DIRTY_LOG_MANUAL_CLEAR);
	ret = 0;
out:
	err = type1_close(&t);
	if (err && !ret)
		ds_err("type1-dirty: cleanup: %s failed: %s", t.failed,
		       type1_reason(&t, err));
	free(want);
	free(got);
	return ret || err ? 1 : 0;
}
