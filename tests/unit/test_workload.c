// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "workload.h"
#include "workload_harness.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define MILLION	     1000000

/* One spec of every kind, with and without parameters. */
static const char *const specs[] = {
	"uniform", "hotcold",  "hotcold:50/50", "hotcold:99.5/0.5",
	"zipf",	   "zipf:0.5", "zipf:3",	"ring",
	"ring:7",  "bursty",   "bursty:1",	"bursty:5",
};

static void pages_in_range(void **state)
{
	static const uint64_t pages[] = { 1, 2, 3, 7, 64, 1000, 4097 };
	uint64_t out[10000], seed;
	size_t s, p, i;

	(void)state;
	for (s = 0; s < ARRAY_LEN(specs); s++) {
		for (p = 0; p < ARRAY_LEN(pages); p++) {
			for (seed = 0; seed < 50; seed++) {
				struct workload_config c =
					spec_cfg(specs[s], pages[p], seed);
				struct workload *w = workload_new(&c);

				if (impossible(&c)) {
					assert_null(w);
					continue;
				}
				assert_non_null(w);
				workload_next(w, out, ARRAY_LEN(out));
				for (i = 0; i < ARRAY_LEN(out); i++)
					assert_true(out[i] < pages[p]);
				workload_free(w);
			}
		}
	}
}

/* The kinds without tables take any page count, up to 2^64 - 1. */
static void huge_mappings(void **state)
{
	static const char *const kinds[] = { "uniform", "ring", "bursty" };
	static const uint64_t pages[] = { 1ull << 40, UINT64_MAX };
	uint64_t out[4096];
	size_t k, p, i;

	(void)state;
	for (k = 0; k < ARRAY_LEN(kinds); k++) {
		for (p = 0; p < ARRAY_LEN(pages); p++) {
			struct workload *w = spec_new(kinds[k], pages[p], 5);

			workload_next(w, out, ARRAY_LEN(out));
			for (i = 0; i < ARRAY_LEN(out); i++)
				assert_true(out[i] < pages[p]);
			workload_free(w);
		}
	}
}

static void deterministic_and_split_free(void **state)
{
	enum { N = 1000 };
	uint64_t one[N], split[N], again[N], other[N];
	size_t s, done, chunk;

	(void)state;
	for (s = 0; s < ARRAY_LEN(specs); s++) {
		struct workload *a = spec_new(specs[s], 1000, 12345);
		struct workload *b = spec_new(specs[s], 1000, 12345);
		struct workload *c = spec_new(specs[s], 1000, 12345);
		struct workload *d = spec_new(specs[s], 1000, 12346);

		/* One call of N ... */
		workload_next(a, one, N);
		/* ... equals chunks of 1, 2, 3, ... pages (chunk 0 too) ... */
		for (done = 0, chunk = 0; done < N; chunk++) {
			if (chunk > N - done)
				chunk = N - done;
			workload_next(b, split + done, chunk);
			done += chunk;
		}
		assert_memory_equal(one, split, sizeof(one));
		/* ... and 10 twice equals 20 once, from a third instance. */
		workload_next(c, again, 10);
		workload_next(c, again + 10, 10);
		assert_memory_equal(one, again, 20 * sizeof(*one));
		/* Another seed, another sequence, except for the ring, which
		 * is the same sequence whatever the seed. */
		workload_next(d, other, N);
		if (!strncmp(specs[s], "ring", 4))
			assert_memory_equal(one, other, sizeof(one));
		else
			assert_memory_not_equal(one, other, sizeof(one));
		workload_free(a);
		workload_free(b);
		workload_free(c);
		workload_free(d);
	}
}

/*
 * Recorded bench results name a spec and a seed; these pin the sequences
 * they stand for. The integer kinds must give exactly these pages on every
 * machine and in every later version (a change here invalidates old runs).
 * uniform and bursty are checked against splitmix64 itself; the hotcold
 * pages were computed by a separate Python model of the documented method
 * (partial Fisher-Yates of the hot set, then one draw against share * 2^64
 * and one for the page within the set).
 */
static void sequences_pinned(void **state)
{
	static const uint64_t hotcold[8] = { 919, 339, 919, 345,
					     408, 646, 672, 322 };
	uint64_t out[9], x = 1, start;
	size_t i;
	struct workload *w = spec_new("uniform", 1000, 1);

	(void)state;
	workload_next(w, out, 8);
	for (i = 0; i < 8; i++)
		assert_int_equal(out[i], splitmix64(&x) % 1000);
	workload_free(w);

	/* One draw per burst, for its first page. */
	w = spec_new("bursty:3", 1000, 1);
	workload_next(w, out, 9);
	for (x = 1, i = 0; i < 9; i++) {
		if (i % 3 == 0)
			start = splitmix64(&x) % 1000;
		assert_int_equal(out[i], start + i % 3);
	}
	workload_free(w);

	w = spec_new("hotcold:90/10", 1000, 1);
	workload_next(w, out, 8);
	assert_memory_equal(out, hotcold, sizeof(hotcold));
	workload_free(w);
}

/*
 * 1M writes on 1000 pages: each count is Binomial(1M, 1/1000), mean 1000,
 * sd 31.6. +-25 % is 7.9 sd, P < 3e-15 per page, < 3e-12 for any of 1000.
 * Chi-square with 999 degrees of freedom: mean 999, sd sqrt(2 * 999) = 44.7;
 * within +-6 sd (731 .. 1267) unless something is wrong. Too small a value
 * would mean too even a spread, e.g. round robin, not random writes.
 */
static void uniform_is_flat(void **state)
{
	const uint64_t pages = 1000;
	struct workload *w = spec_new("uniform", pages, 1);
	uint32_t *count = count_pages(w, pages, MILLION);
	double mean = (double)MILLION / pages, chi2 = 0;
	uint64_t i;

	(void)state;
	for (i = 0; i < pages; i++) {
		assert_true(count[i] >= 0.75 * mean && count[i] <= 1.25 * mean);
		chi2 += (count[i] - mean) * (count[i] - mean) / mean;
	}
	assert_true(chi2 > 999 - 6 * 44.7 && chi2 < 999 + 6 * 44.7);
	free(count);
	workload_free(w);
}

/*
 * 1M writes on 10007 pages. Hot pages get share / hot writes each, cold
 * ones (1 - share) / cold. A page is counted hot when its count is above
 * the geometric mean of the two: for 90/10 hot pages expect 899 (sd 30),
 * cold ones 11.1, threshold 100; for 70/30, 233 (sd 15) and 42.8 (sd 6.5),
 * threshold 99.9: 8.7 sd either side, and a Chernoff bound puts a cold page
 * above it at P < 1e-12. So the classification is exact, and the hot set
 * must have exactly round(frac * pages) pages. The hot writes' share has sd
 * sqrt(0.9 * 0.1 / 1M) = 0.0003 (0.00046 for 70/30): +-1 % is > 20 sd.
 */
static void hotcold_shares(void **state)
{
	static const struct {
		const char *spec;
		double share, frac;
	} cases[] = { { "hotcold:90/10", 0.90, 0.10 },
		      { "hotcold", 0.90, 0.10 },
		      { "hotcold:70/30", 0.70, 0.30 } };
	const uint64_t pages = 10007;
	uint64_t i, n_hot, hot_writes, below_n_hot;
	size_t k;

	(void)state;
	for (k = 0; k < ARRAY_LEN(cases); k++) {
		struct workload *w = spec_new(cases[k].spec, pages, 2 + k);
		uint32_t *count = count_pages(w, pages, MILLION);
		double want_hot = round(cases[k].frac * pages);
		double hot_each = cases[k].share * MILLION / want_hot;
		double cold_each =
			(1 - cases[k].share) * MILLION / (pages - want_hot);
		double threshold = sqrt(hot_each * cold_each);

		n_hot = hot_writes = below_n_hot = 0;
		for (i = 0; i < pages; i++) {
			if (count[i] <= threshold)
				continue;
			n_hot++;
			hot_writes += count[i];
			below_n_hot += i < (uint64_t)want_hot;
		}
		assert_int_equal(n_hot, (uint64_t)want_hot);
		assert_true(fabs((double)hot_writes / MILLION -
				 cases[k].share) <= 0.01);
		/* A seeded subset, not the first pages: a random one would
		 * have about frac of its pages there, not all. */
		assert_true(below_n_hot < n_hot);
		free(count);
		workload_free(w);
	}
}

/*
 * 1M writes on 1000 pages. Rank r has p_r = r^-s / H(n, s); the most
 * written page is rank 1 and the second rank 2 (p_1 - p_2 and p_2 - p_3
 * are over 10 sd of the counts apart for these s). p_1 is checked within
 * 6 sd of its binomial count (1.5 % for s = 1: "a few %"), p_1 / p_2 within
 * 2^s +-10 % (the ratio's sd is 0.45 % for s = 1, 1.2 % for s = 0.5).
 * Ranks go to pages by a seeded permutation: the 10 most written pages of
 * a random permutation are all within a quarter of the range with
 * P = 10 * 0.25^9 - 9 * 0.25^10 < 3e-5; the identity map would fail.
 */
static void zipf_ranks(void **state)
{
	static const char *const kinds[] = { "zipf", "zipf:1", "zipf:2",
					     "zipf:0.5" };
	static const double s_of[] = { 1, 1, 2, 0.5 };
	const uint64_t pages = 1000;
	uint32_t *sorted;
	uint64_t i, lo, hi, top[10];
	size_t k, t;

	(void)state;
	sorted = malloc(pages * sizeof(*sorted));
	assert_non_null(sorted);
	for (k = 0; k < ARRAY_LEN(kinds); k++) {
		struct workload *w = spec_new(kinds[k], pages, 3 + k);
		uint32_t *count = count_pages(w, pages, MILLION);
		double h = 0, p1, f1, sd, ratio;

		for (i = 1; i <= pages; i++)
			h += pow((double)i, -s_of[k]);
		p1 = 1 / h;
		memcpy(sorted, count, pages * sizeof(*sorted));
		qsort(sorted, pages, sizeof(*sorted), by_count_desc);
		f1 = (double)sorted[0] / MILLION;
		sd = sqrt(p1 * (1 - p1) / MILLION);
		assert_true(fabs(f1 - p1) <= 6 * sd);
		if (s_of[k] == 1)
			assert_true(fabs(f1 - p1) <= 0.03 * p1);
		ratio = (double)sorted[0] / sorted[1];
		assert_true(fabs(ratio / pow(2, s_of[k]) - 1) <= 0.10);

		/* Spread: the pages of the 10 largest counts. */
		for (t = 0, i = 0; i < pages && t < 10; i++) {
			if (count[i] >= sorted[9])
				top[t++] = i;
		}
		lo = hi = top[0];
		for (t = 1; t < 10; t++) {
			lo = top[t] < lo ? top[t] : lo;
			hi = top[t] > hi ? top[t] : hi;
		}
		assert_true(hi - lo >= pages / 4);
		free(count);
		workload_free(w);
	}
	free(sorted);
}

static void ring_in_order(void **state)
{
	uint64_t out[1000];
	size_t i;
	struct workload *w = spec_new("ring:37", 100, 1);

	(void)state;
	workload_next(w, out, ARRAY_LEN(out));
	for (i = 0; i < ARRAY_LEN(out); i++)
		assert_int_equal(out[i], i % 37);
	workload_free(w);

	/* Without a size the ring is the whole mapping. */
	w = spec_new("ring", 100, 1);
	workload_next(w, out, ARRAY_LEN(out));
	for (i = 0; i < ARRAY_LEN(out); i++)
		assert_int_equal(out[i], i % 100);
	workload_free(w);
}

/*
 * 2000 bursts of 64 on 1000 pages, and a partial one. Each burst is
 * start, start + 1, ... mod pages. Starts are uniform: a burst wraps past
 * the last page with P = 63 / 1000, about 126 of 2000 (sd 11), so some
 * must; each tenth of the range holds 200 starts (sd 13.4), +-40 % is 6 sd.
 */
static void bursty_runs(void **state)
{
	enum { LEN = 64, BURSTS = 2000, N = LEN * BURSTS + 17 };
	const uint64_t pages = 1000;
	uint64_t *out = malloc(N * sizeof(*out)), start, wraps = 0;
	unsigned int tenth[10] = { 0 };
	size_t b, i;
	struct workload *w = spec_new("bursty", pages, 4);

	(void)state;
	assert_non_null(out);
	workload_next(w, out, N);
	for (b = 0; b * LEN < N; b++) {
		start = out[b * LEN];
		for (i = 1; i < LEN && b * LEN + i < N; i++)
			assert_int_equal(out[b * LEN + i], (start + i) % pages);
		if (b < BURSTS) {
			wraps += start + LEN > pages;
			tenth[start * 10 / pages]++;
		}
	}
	assert_true(wraps > 0);
	for (i = 0; i < 10; i++)
		assert_true(tenth[i] >= 120 && tenth[i] <= 280);
	free(out);
	workload_free(w);
}

static void parse_format_round_trip(void **state)
{
	static const struct {
		const char *spec, *canonical;
	} cases[] = {
		{ "uniform", "uniform" },
		{ "hotcold", "hotcold:90/10" },
		{ "hotcold:90/10", "hotcold:90/10" },
		{ "hotcold:80/20", "hotcold:80/20" },
		{ "hotcold:99.5/0.5", "hotcold:99.5/0.5" },
		{ "hotcold:58/42", "hotcold:58/42" },
		{ "zipf", "zipf:1" },
		{ "zipf:1.2", "zipf:1.2" },
		{ "zipf:10", "zipf:10" },
		/* Found by fuzz_workload: %.15g wrote "1e-05" and lost digits;
		 * every value accepted is written back exactly. */
		{ "hotcold:0.00001/10", "hotcold:0.00001/10" },
		{ "hotcold:99.999999/0.000001", "hotcold:99.999999/0.000001" },
		{ "hotcold:33.333333/0.100000", "hotcold:33.333333/0.1" },
		{ "zipf:0.000122", "zipf:0.000122" },
		{ "zipf:9.999999", "zipf:9.999999" },
		{ "ring", "ring" },
		{ "ring:256", "ring:256" },
		{ "bursty", "bursty:64" },
		{ "bursty:16", "bursty:16" },
	};
	struct workload_config a, b;
	char buf[64];
	size_t k;

	(void)state;
	for (k = 0; k < ARRAY_LEN(cases); k++) {
		memset(&a, 0, sizeof(a));
		memset(&b, 0, sizeof(b));
		a.pages = b.pages = 123;
		a.seed = b.seed = 9;
		assert_int_equal(workload_parse(cases[k].spec, &a), 0);
		assert_int_equal(workload_format(&a, buf, sizeof(buf)), 0);
		assert_string_equal(buf, cases[k].canonical);
		assert_int_equal(workload_parse(buf, &b), 0);
		assert_memory_equal(&a, &b, sizeof(a));
		assert_int_equal(a.pages, 123);
		assert_int_equal(a.seed, 9);
	}

	/* The values themselves, defaults included. */
	a = spec_cfg("hotcold", 1, 0);
	assert_true(a.kind == WL_HOTCOLD && a.hot_share == 0.9 &&
		    a.hot_frac == 0.1);
	a = spec_cfg("hotcold:99.5/0.5", 1, 0);
	assert_true(a.hot_share == 0.995 && a.hot_frac == 0.005);
	a = spec_cfg("zipf", 1, 0);
	assert_true(a.kind == WL_ZIPF && a.zipf_s == 1.0);
	a = spec_cfg("ring", 1, 0);
	assert_true(a.kind == WL_RING && a.ring_pages == 0);
	a = spec_cfg("bursty", 1, 0);
	assert_true(a.kind == WL_BURSTY && a.burst_len == 64);
	/* A new spec clears the old kind's parameters. */
	a = spec_cfg("zipf:2", 1, 0);
	assert_int_equal(workload_parse("ring:8", &a), 0);
	assert_true(a.zipf_s == 0 && a.ring_pages == 8);
}

static void parse_rejects(void **state)
{
	static const char *const bad[] = {
		"",
		"foo",
		"hotcold:",
		"hotcold:90",
		"hotcold:100/10",
		"hotcold:90/0",
		"zipf:0",
		"zipf:-1",
		"zipf:abc",
		"ring:0",
		"bursty:0",
		"uniform:3",
		"ring:99999999999999999999",
		"hotcold:90/10x",
		/* and more of the same kind */
		"uniform:",
		"UNIFORM",
		" uniform",
		"uniform ",
		"uniformx",
		":",
		"hotcold:90/",
		"hotcold:/10",
		"hotcold:0/10",
		"hotcold:90/100",
		"hotcold:90/10/5",
		"hotcold:-90/10",
		"hotcold:90./10",
		"hotcold:.9/10",
		"hotcold:9.0.0/10",
		"hotcold:1e1/10",
		"hotcold:0x10/10",
		/* more than 6 decimal places */
		"hotcold:99.99999999999999/0.00000000000001",
		"zipf:0.0001222",
		"hotcold:90/10.0000001",
		"hotcold:90/ 10",
		"hotcold:99.999999999999999999/10",
		"zipf:",
		"zipf:10.5",
		"zipf:1e1",
		"zipf:nan",
		"zipf:inf",
		"zipf:1:2",
		"zipf:0.0",
		"ring:",
		"ring:-1",
		"ring: 5",
		"ring:5k",
		"bursty:",
		"bursty:+1",
	};
	struct workload_config c = {
		.kind = WL_ZIPF, .pages = 7, .seed = 3, .zipf_s = 1.5
	};
	struct workload_config before = c;
	char *huge;
	size_t k;

	(void)state;
	for (k = 0; k < ARRAY_LEN(bad); k++) {
		if (workload_parse(bad[k], &c) != -EINVAL)
			fail_msg("accepted '%s'", bad[k]);
		assert_memory_equal(&c, &before, sizeof(c));
	}
	assert_int_equal(workload_parse(NULL, &c), -EINVAL);
	assert_int_equal(workload_parse("uniform", NULL), -EINVAL);

	/* Numbers of 10000 digits: too large, not a crash. */
	huge = malloc(10100);
	assert_non_null(huge);
	strcpy(huge, "hotcold:");
	memset(huge + 8, '9', 10000);
	strcpy(huge + 10008, "/10");
	assert_int_equal(workload_parse(huge, &c), -EINVAL);
	memcpy(huge, "zipf:", 5);
	memset(huge + 5, '9', 10000);
	huge[10005] = '\0';
	assert_int_equal(workload_parse(huge, &c), -EINVAL);
	memcpy(huge, "ring:", 5);
	assert_int_equal(workload_parse(huge, &c), -EINVAL);
	assert_memory_equal(&c, &before, sizeof(c));
	free(huge);
}

static void format_errors(void **state)
{
	struct workload_config c = spec_cfg("hotcold", 1, 0);
	char buf[8];

	(void)state;
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(workload_format(&c, buf, sizeof(buf)), -ENOSPC);
	assert_string_equal(buf, "hotcold");
	assert_int_equal(workload_format(&c, buf, 0), -ENOSPC);
	assert_int_equal(workload_format(NULL, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(workload_format(&c, NULL, 8), -EINVAL);
	c.kind = (enum workload_kind)99;
	assert_int_equal(workload_format(&c, buf, sizeof(buf)), -EINVAL);
}

static void new_rejects(void **state)
{
	struct workload_config c;
	struct workload *w;

	(void)state;
	assert_null(workload_new(NULL));
	c = spec_cfg("uniform", 0, 1);
	assert_null(workload_new(&c));
	c = spec_cfg("uniform", 10, 1);
	c.kind = (enum workload_kind)99;
	assert_null(workload_new(&c));

	c = spec_cfg("ring:11", 10, 1);
	assert_null(workload_new(&c));
	c = spec_cfg("bursty:11", 10, 1);
	assert_null(workload_new(&c));
	c.burst_len = 0;
	assert_null(workload_new(&c));

	/* round(0.1 * 4) = 0 hot pages; round(0.9 * 4) = 4, none cold. */
	c = spec_cfg("hotcold:90/10", 4, 1);
	assert_null(workload_new(&c));
	c = spec_cfg("hotcold:10/90", 4, 1);
	assert_null(workload_new(&c));
	c = spec_cfg("hotcold", 1000, 1);
	c.hot_share = 1;
	assert_null(workload_new(&c));
	c.hot_share = NAN;
	assert_null(workload_new(&c));
	c.hot_share = 0.9;
	c.hot_frac = 0;
	assert_null(workload_new(&c));

	c = spec_cfg("zipf", 1000, 1);
	c.zipf_s = 0;
	assert_null(workload_new(&c));
	c.zipf_s = 10.5;
	assert_null(workload_new(&c));
	c.zipf_s = NAN;
	assert_null(workload_new(&c));
	c.zipf_s = 10;
	w = workload_new(&c);
	assert_non_null(w);
	workload_free(w);

	/* Tables larger than the address space: refused, not wrapped. */
	c = spec_cfg("zipf", 1ull << 61, 1);
	assert_null(workload_new(&c));
	c = spec_cfg("hotcold", 1ull << 62, 1);
	assert_null(workload_new(&c));
	workload_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pages_in_range),
		cmocka_unit_test(huge_mappings),
		cmocka_unit_test(deterministic_and_split_free),
		cmocka_unit_test(sequences_pinned),
		cmocka_unit_test(uniform_is_flat),
		cmocka_unit_test(hotcold_shares),
		cmocka_unit_test(zipf_ranks),
		cmocka_unit_test(ring_in_order),
		cmocka_unit_test(bursty_runs),
		cmocka_unit_test(parse_format_round_trip),
		cmocka_unit_test(parse_rejects),
		cmocka_unit_test(format_errors),
		cmocka_unit_test(new_rejects),
	};

	return cmocka_run_group_tests_name("workload", tests, NULL, NULL);
}
