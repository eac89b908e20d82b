// SPDX-License-Identifier: GPL-2.0
/*
 * dirtyscope mock-dirty: the smallest end-to-end use of the iommufd dirty
 * tracking uAPI, on the selftest mock device. It makes the "device" write a
 * seeded set of pages, reads the bitmap without clearing and with clearing
 * (R rounds, a new pattern each), then once more, and checks every read bit
 * for bit against what was written.
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
#include "iommufd_mock.h"
#include "iommufd_mock_abi.h"
#include "log.h"
#include "options.h"
#include "parse.h"

struct mock_dirty_args {
	uint64_t pages;
	bool pages_set;
	uint64_t rounds;
	uint32_t dev_flags;
	const char *dev_path;
	struct common_opts c; /* size, seed */
};

/*
 * Options with no short name (keys past the characters): the letter each
 * would take means another option in another command (bench -n, -r).
 */
enum { OPT_NO_DIRTY_DEVICE = 256, OPT_PAGES, OPT_ROUNDS };

static const struct argp_option options[] = {
	{ "pages", OPT_PAGES, "N", 0,
	  "Pages the device writes (default 1/7 of all)" },
	{ "rounds", OPT_ROUNDS, "R", 0,
	  "Write and read R times, pattern SEED + round (default 1)" },
	{ "no-dirty-device", OPT_NO_DIRTY_DEVICE, NULL, 0,
	  "Create a mock device without dirty tracking (error path)" },
	{ "iommufd", 'f', "PATH", 0,
	  "iommufd device node (default /dev/iommu)" },
	{},
};

static const struct argp_child children[] = {
	{ &opt_size },
	{ &opt_seed },
	{ &opt_verbose },
	{},
};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct mock_dirty_args *a = state->input;

	switch (key) {
	case ARGP_KEY_INIT:
		common_opts_init(state, children, &a->c);
		break;
	case OPT_PAGES:
		if (parse_u64(arg, &a->pages))
			return ds_arg_error("mock-dirty: invalid --pages '%s'",
					    arg);
		a->pages_set = true;
		break;
	case OPT_ROUNDS:
		if (parse_u64(arg, &a->rounds) || !a->rounds ||
		    a->rounds > 1000000)
			return ds_arg_error("mock-dirty: invalid --rounds '%s'",
					    arg);
		break;
	case OPT_NO_DIRTY_DEVICE:
		a->dev_flags |= DS_MOCK_DEV_NO_DIRTY;
		break;
	case 'f':
		a->dev_path = arg;
		break;
	case ARGP_KEY_ARG:
		return ds_arg_error("mock-dirty: unexpected argument '%s'",
				    arg);
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
	"Drive the iommufd selftest mock device through one dirty-tracking "
	"cycle: map, enable tracking, let the device write a seeded set of "
	"pages, read the bitmap with NO_CLEAR, with clear, and again, and "
	"check each read against the pages written. Needs CONFIG_IOMMUFD_TEST "
	"and root.",
	children,
};

/* One GET_DIRTY_BITMAP over the whole mapping, checked against want. */
static int read_and_check(struct mock_dev *m, uint32_t flags, const char *what,
			  const uint64_t *want, uint64_t *got)
{
	uint64_t pages = mock_dev_pages(m), t0, t1, n;
	int ret;

	memset(got, 0, bitmap_words(pages) * sizeof(*got));
	t0 = now_ns();
	ret = mock_dev_read_dirty(m, flags, m->iova, m->length, got);
	t1 = now_ns();
	if (ret) {
		ds_err("mock-dirty: %s failed: %s", m->failed, strerror(-ret));
		return ret;
	}
	n = bitmap_weight(got, pages);
	printf("%-18s %8" PRIu64 " dirty  %10.3f ms\n", what, n,
	       (t1 - t0) / 1e6);
	if (bitmap_diff_weight(got, want, pages)) {
		ds_err("mock-dirty: %s reported %" PRIu64 " dirty pages, "
		       "%" PRIu64 " differ from the %" PRIu64 " expected",
		       what, n, bitmap_diff_weight(got, want, pages),
		       bitmap_weight(want, pages));
		return -EIO;
	}
	return 0;
}

/* Round r: the device writes pattern seed + r, read NO_CLEAR, read and
 * clear; both reads must return exactly the pattern. */
static int one_round(struct mock_dev *m, const struct mock_dirty_args *a,
		     uint64_t round, uint64_t *written, uint64_t *got)
{
	uint64_t pages = mock_dev_pages(m), marked = 0;
	int ret;

	memset(written, 0, bitmap_words(pages) * sizeof(*written));
	bitmap_random_fill(written, pages, a->pages, a->c.seed + round);
	ret = mock_dev_write(m, written, &marked);
	if (ret) {
		ds_err("mock-dirty: %s failed: %s", m->failed, strerror(-ret));
		return ret;
	}
	printf("device wrote       %8" PRIu64 " pages  (seed %" PRIu64 ")\n",
	       marked, a->c.seed + round);
	if (marked != a->pages) {
		ds_err("mock-dirty: the mock marked %" PRIu64 " pages, asked "
		       "for %" PRIu64,
		       marked, a->pages);
		return -EIO;
	}
	ret = read_and_check(m, IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR,
			     "read NO_CLEAR", written, got);
	if (!ret)
		ret = read_and_check(m, 0, "read and clear", written, got);
	return ret;
}

int cmd_mock_dirty(int argc, char **argv)
{
	struct mock_dirty_args a = { .rounds = 1,
				     .c = { .size = 64 << 20, .seed = 1 } };
	uint64_t *written = NULL, *got = NULL, *none = NULL;
	uint64_t pages, words, round;
	struct mock_dev m;
	int ret, err;

	if (argp_parse(&argp, argc, argv, 0, NULL, &a))
		return 2;

	/* Base pages: the check below wants every mock page its own bit. */
	ret = mock_dev_open(&m, a.dev_path, a.dev_flags, BACKING_4K);
	if (ret) {
		ds_err("mock-dirty: %s failed: %s", m.failed, strerror(-ret));
		return 1;
	}
	ret = mock_dev_map(&m, a.c.size);
	if (ret) {
		ds_err("mock-dirty: %s failed: %s (size %" PRIu64 ")", m.failed,
		       strerror(-ret), a.c.size);
		goto out;
	}
	pages = mock_dev_pages(&m);
	if (!a.pages_set)
		a.pages = pages / 7;
	if (a.pages > pages) {
		ds_err("mock-dirty: --pages %" PRIu64
		       " is more than the %" PRIu64 " pages mapped",
		       a.pages, pages);
		ret = -EINVAL;
		goto out;
	}
	words = bitmap_words(pages);
	written = calloc(words, sizeof(*written));
	got = calloc(words, sizeof(*got));
	none = calloc(words, sizeof(*none));
	if (!written || !got || !none) {
		ds_err("mock-dirty: out of memory for %" PRIu64 " pages",
		       pages);
		ret = -ENOMEM;
		goto out;
	}
	printf("mock device: hwpt %u, %" PRIu64
	       " bytes mapped at iova 0x%" PRIx64 " in %" PRIu64
	       " IOAS mapping%s, %" PRIu64 " pages of %" PRIu64 " B\n",
	       m.hwpt_id, m.length, m.iova, m.length / m.map_chunk,
	       m.length > m.map_chunk ? "s" : "", pages, m.page_size);

	ret = mock_dev_set_tracking(&m, true);
	if (ret) {
		ds_err("mock-dirty: %s failed: %s", m.failed, strerror(-ret));
		goto out;
	}
	for (round = 0; round < a.rounds && !ret; round++)
		ret = one_round(&m, &a, round, written, got);
	if (!ret)
		ret = read_and_check(&m, IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR,
				     "read after clear", none, got);
out:
	err = mock_dev_close(&m);
	if (err && !ret)
		ds_err("mock-dirty: cleanup: %s failed: %s", m.failed,
		       strerror(-err));
	free(written);
	free(got);
	free(none);
	return ret || err ? 1 : 0;
}
