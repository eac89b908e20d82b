// SPDX-License-Identifier: GPL-2.0
/*
 * parse_u64, parse_size and parse_seconds on the input as a string, each
 * checked against a model written here independently: digits, suffix,
 * overflow.
 */
#include <ctype.h>
#include <errno.h>
#include "fuzz.h"
#include "parse.h"

#define UNTOUCHED 0x5a5a5a5a5a5a5a5aull

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size);

	check_u64(s);
	check_size(s);
	check_seconds(s);
	free(s);
	return 0;
}
