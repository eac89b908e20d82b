// SPDX-License-Identifier: GPL-2.0
/*
 * parse_u64, parse_size, parse_seconds and parse_size_list (bench --sweep)
 * on the input as a string, each checked against a model written here
 * independently: digits, suffix, overflow, items of a list.
 */
#include <ctype.h>
#include <errno.h>
#include "fuzz.h"
#include "parse.h"

#define UNTOUCHED 0x5a5a5a5a5a5a5a5aull
/* Small, so that inputs reach the limit. */
#define LIST_MAX  4

/* Decimal digits at s into *v; -ERANGE past 2^64 - 1. Sets *end. */
static int model_digits(const char *s, uint64_t *v, const char **end)
{
	int err = 0;

	*v = 0;
	for (; isdigit((unsigned char)*s); s++) {
		unsigned int d = *s - '0';

		if (*v > (UINT64_MAX - d) / 10)
			err = -ERANGE;
		else
			*v = *v * 10 + d;
	}
	*end = s;
	return err;
}

static int model_size(const char *s, uint64_t *out)
{
	const char *p;
	unsigned int shift;
	uint64_t v;

	if (!isdigit((unsigned char)s[0]))
		return -EINVAL;
	if (model_digits(s, &v, &p))
		return -ERANGE;
	switch (*p) {
	case '\0':
		*out = v;
		return 0;
	case 'k':
	case 'K':
		shift = 10;
		break;
	case 'm':
	case 'M':
		shift = 20;
		break;
	case 'g':
	case 'G':
		shift = 30;
		break;
	case 't':
	case 'T':
		shift = 40;
		break;
	default:
		return -EINVAL;
	}
	p++;
	if (strcmp(p, "") && strcmp(p, "i") && strcmp(p, "B") &&
	    strcmp(p, "iB"))
		return -EINVAL;
	/* v * 2^shift must fit: compare by division, not by shifting. */
	if (v > UINT64_MAX / (1ull << shift))
		return -ERANGE;
	*out = v * (1ull << shift);
	return 0;
}

static void check_u64(const char *s)
{
	uint64_t v = UNTOUCHED, again = UNTOUCHED;
	char buf[32];
	int err = parse_u64(s, &v);

	CHECK(err == 0 || err == -EINVAL || err == -ERANGE);
	if (err) {
		CHECK(v == UNTOUCHED);
		return;
	}
	/* Only a number, starting with a digit: no sign, no blank. */
	CHECK(isdigit((unsigned char)s[0]));
	/* The value in decimal reads back the same. */
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
	CHECK(parse_u64(buf, &again) == 0 && again == v);
	/* A plain decimal (no 0x, no leading 0 = octal) is exactly it. */
	if (s[0] != '0')
		CHECK(!strcmp(buf, s));
}

static void check_size(const char *s)
{
	uint64_t v = UNTOUCHED, want = UNTOUCHED;
	int err = parse_size(s, &v), werr = model_size(s, &want);

	CHECK(err == werr);
	CHECK(v == want);
}

static void check_seconds(const char *s)
{
	uint64_t ns = UNTOUCHED, whole;
	const char *end;
	int err = parse_seconds(s, &ns);

	CHECK(err == 0 || err == -EINVAL || err == -ERANGE);
	if (err) {
		CHECK(ns == UNTOUCHED);
		return;
	}
	CHECK(isdigit((unsigned char)s[0]) || s[0] == '.');
	/* At most 10^9 s. */
	CHECK(ns <= 1000000000000000000ull);
	/* Whole seconds are exact. */
	if (!model_digits(s, &whole, &end) && !*end)
		CHECK(ns == whole * 1000000000ull);
}

/* Items between commas, each a non-zero model_size, at most LIST_MAX. */
static int model_size_list(const char *s, uint64_t *out, unsigned int *n)
{
	unsigned int k = 0;
	int err;

	for (;;) {
		const char *comma = strchr(s, ',');
		size_t len = comma ? (size_t)(comma - s) : strlen(s);
		char *item = strndup(s, len);

		CHECK(item);
		if (k == LIST_MAX)
			err = -EINVAL;
		else if (!(err = model_size(item, &out[k])) && !out[k])
			err = -EINVAL;
		free(item);
		k++;
		if (err)
			return err;
		if (!comma)
			break;
		s = comma + 1;
	}
	*n = k;
	return 0;
}

static void check_size_list(const char *s)
{
	uint64_t v[LIST_MAX + 1], want[LIST_MAX];
	unsigned int n = 99, wn = 99, i;
	int err, werr;

	for (i = 0; i <= LIST_MAX; i++)
		v[i] = UNTOUCHED;
	err = parse_size_list(s, v, LIST_MAX, &n);
	werr = model_size_list(s, want, &wn);
	CHECK(err == werr || err == -ENOMEM);
	/* Never past max. */
	CHECK(v[LIST_MAX] == UNTOUCHED);
	if (err) {
		CHECK(n == 99);
		for (i = 0; i < LIST_MAX; i++)
			CHECK(v[i] == UNTOUCHED);
		return;
	}
	CHECK(n == wn && n >= 1 && n <= LIST_MAX);
	CHECK(!memcmp(v, want, n * sizeof(*v)));
	for (i = n; i < LIST_MAX; i++)
		CHECK(v[i] == UNTOUCHED);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size);

	check_u64(s);
	check_size(s);
	check_seconds(s);
	check_size_list(s);
	free(s);
	return 0;
}
