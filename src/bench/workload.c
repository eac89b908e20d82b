// SPDX-License-Identifier: GPL-2.0
/*
 * DMA write patterns for bench. Each workload draws from one splitmix64
 * stream and keeps its position (ring slot, rest of a burst) in struct
 * workload, page by page: that is what makes the sequence independent of
 * how the caller batches workload_next().
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "parse.h"
#include "prng.h"
#include "workload.h"

#define HOT_SHARE_DEFAULT 0.90
#define HOT_FRAC_DEFAULT  0.10
#define ZIPF_S_DEFAULT	  1.0
#define BURST_LEN_DEFAULT 64

struct workload {
	struct workload_config cfg;
	struct prng prng;
	/* hotcold: all pages, the first n_hot of them the hot set.
	 * zipf: the page of each rank, rank 1 first. */
	uint64_t *perm;
	uint64_t n_hot;
	uint64_t hot_below; /* hotcold: a draw below this is a hot write */
	double *cdf;	    /* zipf: cdf[i] = P(rank <= i + 1) */
	uint64_t ring;	    /* ring: pages in the ring */
	uint64_t pos;	    /* ring, bursty: the next page */
	uint64_t left;	    /* bursty: pages left in this burst */
};

static const char *const kind_names[] = {
	[WL_UNIFORM] = "uniform", [WL_HOTCOLD] = "hotcold", [WL_ZIPF] = "zipf",
	[WL_RING] = "ring",	  [WL_BURSTY] = "bursty",
};

#define NKINDS (sizeof(kind_names) / sizeof(kind_names[0]))

/* The comparisons are written so that NaN fails them. */
static bool fraction_ok(double f)
{
	return f > 0 && f < 1;
}

static bool zipf_s_ok(double s)
{
	return s > 0 && s <= 10;
}

/*
 * A decimal of len characters at s: digits, optionally '.' and 1 to
 * DECIMALS more digits. strtod alone would also take blanks, signs, hex,
 * exponents, "inf" and "nan"; after this check it reads exactly these
 * characters. The limit on places is what lets workload_format() write
 * every accepted value back exactly (decimal_str()).
 */
#define DECIMALS 6

static int parse_decimal(const char *s, size_t len, double *out)
{
	size_t i, dot = 0;

	if (!len || !isdigit((unsigned char)s[0]))
		return -EINVAL;
	for (i = 1; i < len; i++) {
		if (s[i] == '.' && !dot && i + 1 < len)
			dot = i;
		else if (!isdigit((unsigned char)s[i]))
			return -EINVAL;
	}
	if (dot && len - dot - 1 > DECIMALS)
		return -EINVAL;
	*out = strtod(s, NULL);
	return 0;
}

/*
 * v as parse_decimal() reads it, trailing zeros dropped: "90", "99.5".
 * For a v read from at most DECIMALS places (times or over 100 for a
 * percentage: a few ulps off) rounding to DECIMALS places gives back the
 * very digits it was read from, so the string parses to the same double.
 * %g would print 1e-05, which does not parse, and keep only 15 digits.
 */
static void decimal_str(char *s, size_t len, double v)
{
	char *p;

	snprintf(s, len, "%.*f", DECIMALS, v);
	p = s + strlen(s) - 1;
	while (p > s && *p == '0')
		*p-- = '\0';
	if (*p == '.')
		*p = '\0';
}

/* "HOT_SHARE/HOT_FRAC" in percent. */
static int parse_hotcold(const char *arg, struct workload_config *c)
{
	const char *slash = strchr(arg, '/');
	double share, frac;

	if (!slash || parse_decimal(arg, slash - arg, &share) ||
	    parse_decimal(slash + 1, strlen(slash + 1), &frac))
		return -EINVAL;
	/* Checked as fractions: 99.99999999999999 % would round to 1. */
	c->hot_share = share / 100;
	c->hot_frac = frac / 100;
	if (!fraction_ok(c->hot_share) || !fraction_ok(c->hot_frac))
		return -EINVAL;
	return 0;
}

/* A page count > 0; parse_u64's -ERANGE is just a bad spec here. */
static int parse_count(const char *arg, uint64_t *out)
{
	if (parse_u64(arg, out) || !*out)
		return -EINVAL;
	return 0;
}

int workload_parse(const char *spec, struct workload_config *cfg)
{
	struct workload_config c;
	const char *arg;
	size_t kind, name_len;

	if (!spec || !cfg)
		return -EINVAL;
	arg = strchr(spec, ':');
	name_len = arg ? (size_t)(arg - spec) : strlen(spec);
	for (kind = 0; kind < NKINDS; kind++) {
		if (strlen(kind_names[kind]) == name_len &&
		    !strncmp(spec, kind_names[kind], name_len))
			break;
	}
	if (kind == NKINDS)
		return -EINVAL;
	/* From here arg is the parameter, NULL when there is no ':'; an
	 * empty one after a ':' is an error like any other bad number. */
	if (arg)
		arg++;

	c = *cfg;
	c.kind = kind;
	c.hot_frac = c.hot_share = c.zipf_s = 0;
	c.ring_pages = c.burst_len = 0;
	switch (c.kind) {
	case WL_UNIFORM:
		if (arg)
			return -EINVAL;
		break;
	case WL_HOTCOLD:
		c.hot_share = HOT_SHARE_DEFAULT;
		c.hot_frac = HOT_FRAC_DEFAULT;
		if (arg && parse_hotcold(arg, &c))
			return -EINVAL;
		break;
	case WL_ZIPF:
		c.zipf_s = ZIPF_S_DEFAULT;
		if (arg && (parse_decimal(arg, strlen(arg), &c.zipf_s) ||
			    !zipf_s_ok(c.zipf_s)))
			return -EINVAL;
		break;
	case WL_RING:
		if (arg && parse_count(arg, &c.ring_pages))
			return -EINVAL;
		break;
	case WL_BURSTY:
		c.burst_len = BURST_LEN_DEFAULT;
		if (arg && parse_count(arg, &c.burst_len))
			return -EINVAL;
		break;
	}
	*cfg = c;
	return 0;
}

int workload_format(const struct workload_config *cfg, char *buf, size_t len)
{
	char a[48], b[48];
	int n;

	if (!cfg || !buf || (unsigned int)cfg->kind >= NKINDS)
		return -EINVAL;
	switch (cfg->kind) {
	case WL_HOTCOLD:
		decimal_str(a, sizeof(a), cfg->hot_share * 100);
		decimal_str(b, sizeof(b), cfg->hot_frac * 100);
		n = snprintf(buf, len, "hotcold:%s/%s", a, b);
		break;
	case WL_ZIPF:
		decimal_str(a, sizeof(a), cfg->zipf_s);
		n = snprintf(buf, len, "zipf:%s", a);
		break;
	case WL_RING:
		if (cfg->ring_pages)
			n = snprintf(buf, len, "ring:%llu",
				     (unsigned long long)cfg->ring_pages);
		else
			n = snprintf(buf, len, "ring");
		break;
	case WL_BURSTY:
		n = snprintf(buf, len, "bursty:%llu",
			     (unsigned long long)cfg->burst_len);
		break;
	default:
		n = snprintf(buf, len, "%s", kind_names[cfg->kind]);
		break;
	}
	if (n < 0)
		return -EINVAL;
	return (size_t)n < len ? 0 : -ENOSPC;
}

/*
 * All pages, in an order where the first k positions are a uniformly random
 * k-subset in random order (Fisher-Yates stopped after k steps; k = pages
 * shuffles everything).
 */
static uint64_t *shuffled_pages(struct prng *p, uint64_t pages, uint64_t k)
{
	uint64_t *perm, i, j, t;

	if (pages > SIZE_MAX / sizeof(*perm))
		return NULL;
	perm = malloc(pages * sizeof(*perm));
	if (!perm)
		return NULL;
	for (i = 0; i < pages; i++)
		perm[i] = i;
	for (i = 0; i < k && i + 1 < pages; i++) {
		j = i + prng_below(p, pages - i);
		t = perm[i];
		perm[i] = perm[j];
		perm[j] = t;
	}
	return perm;
}

static int hotcold_init(struct workload *w)
{
	const struct workload_config *c = &w->cfg;
	double hot;

	if (!fraction_ok(c->hot_frac) || !fraction_ok(c->hot_share))
		return -EINVAL;
	/* A share of writes cannot go to an empty set. */
	hot = round(c->hot_frac * (double)c->pages);
	if (hot < 1 || hot >= (double)c->pages)
		return -EINVAL;
	w->n_hot = (uint64_t)hot;
	/* Compare raw 64-bit draws against share * 2^64 (exact: ldexp only
	 * changes the exponent) instead of converting each draw to a double. */
	w->hot_below = (uint64_t)ldexp(c->hot_share, 64);
	w->perm = shuffled_pages(&w->prng, c->pages, w->n_hot);
	return w->perm ? 0 : -ENOMEM;
}

/*
 * Inverse CDF: a table of P(rank <= r) built once, O(n), and a binary
 * search per draw, O(log n). Exact up to double rounding, unlike the
 * rejection-inversion shortcuts, at 8 bytes per page (plus 8 for the
 * rank-to-page permutation).
 */
static int zipf_init(struct workload *w)
{
	const struct workload_config *c = &w->cfg;
	uint64_t i;
	double sum = 0;

	if (!zipf_s_ok(c->zipf_s))
		return -EINVAL;
	if (c->pages > SIZE_MAX / sizeof(*w->cdf))
		return -ENOMEM;
	w->cdf = malloc(c->pages * sizeof(*w->cdf));
	if (!w->cdf)
		return -ENOMEM;
	for (i = 0; i < c->pages; i++) {
		sum += pow((double)(i + 1), -c->zipf_s);
		w->cdf[i] = sum;
	}
	for (i = 0; i < c->pages; i++)
		w->cdf[i] /= sum;
	/* Draws are < 1: the last rank must catch whatever rounding left. */
	w->cdf[c->pages - 1] = 1.0;
	w->perm = shuffled_pages(&w->prng, c->pages, c->pages);
	return w->perm ? 0 : -ENOMEM;
}

struct workload *workload_new(const struct workload_config *cfg)
{
	struct workload *w;
	int err = 0;

	if (!cfg || !cfg->pages)
		return NULL;
	w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->cfg = *cfg;
	w->prng.state = cfg->seed;
	switch (cfg->kind) {
	case WL_UNIFORM:
		break;
	case WL_HOTCOLD:
		err = hotcold_init(w);
		break;
	case WL_ZIPF:
		err = zipf_init(w);
		break;
	case WL_RING:
		if (cfg->ring_pages > cfg->pages)
			err = -EINVAL;
		w->ring = cfg->ring_pages ? cfg->ring_pages : cfg->pages;
		break;
	case WL_BURSTY:
		if (!cfg->burst_len || cfg->burst_len > cfg->pages)
			err = -EINVAL;
		break;
	default:
		err = -EINVAL;
		break;
	}
	if (err) {
		workload_free(w);
		return NULL;
	}
	return w;
}

void workload_free(struct workload *w)
{
	if (!w)
		return;
	free(w->perm);
	free(w->cdf);
	free(w);
}

static uint64_t hotcold_page(struct workload *w)
{
	uint64_t cold = w->cfg.pages - w->n_hot;

	if (prng_next(&w->prng) < w->hot_below)
		return w->perm[prng_below(&w->prng, w->n_hot)];
	return w->perm[w->n_hot + prng_below(&w->prng, cold)];
}

static uint64_t zipf_page(struct workload *w)
{
	/* 53 random bits: a double uniform in [0, 1). */
	double u = (double)(prng_next(&w->prng) >> 11) * 0x1p-53;
	uint64_t lo = 0, hi = w->cfg.pages - 1, mid;

	/* The first rank whose cdf exceeds u; cdf[pages - 1] = 1 does. */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (w->cdf[mid] > u)
			hi = mid;
		else
			lo = mid + 1;
	}
	return w->perm[lo];
}

/* pos + 1, wrapping at n; no overflow even for n = 2^64 - 1. */
static uint64_t wrap_inc(uint64_t pos, uint64_t n)
{
	return pos + 1 == n ? 0 : pos + 1;
}

void workload_next(struct workload *w, uint64_t *out, size_t n)
{
	size_t i;

	/* One switch per call, not per page: the loops stay tight. */
	switch (w->cfg.kind) {
	case WL_UNIFORM:
		for (i = 0; i < n; i++)
			out[i] = prng_below(&w->prng, w->cfg.pages);
		break;
	case WL_HOTCOLD:
		for (i = 0; i < n; i++)
			out[i] = hotcold_page(w);
		break;
	case WL_ZIPF:
		for (i = 0; i < n; i++)
			out[i] = zipf_page(w);
		break;
	case WL_RING:
		for (i = 0; i < n; i++) {
			out[i] = w->pos;
			w->pos = wrap_inc(w->pos, w->ring);
		}
		break;
	case WL_BURSTY:
		for (i = 0; i < n; i++) {
			if (!w->left) {
				w->pos = prng_below(&w->prng, w->cfg.pages);
				w->left = w->cfg.burst_len;
			}
			out[i] = w->pos;
			w->pos = wrap_inc(w->pos, w->cfg.pages);
			w->left--;
		}
		break;
	}
}
