// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "parse.h"

int parse_u64(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;

	/* strtoull accepts "-1" and leading blanks: refuse both. */
	if (!s || !isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno == ERANGE)
		return -ERANGE;
	if (errno || *end)
		return -EINVAL;
	*out = v;
	return 0;
}

int parse_size(const char *s, uint64_t *out)
{
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	if (!s || !isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	if (errno)
		return -EINVAL;
	switch (*end) {
	case '\0':
		break;
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
	if (*end) {
		end++;
		/* Accept "64M", "64MB" and "64MiB" alike. */
		if (*end == 'i')
			end++;
		if (*end == 'B')
			end++;
		if (*end)
			return -EINVAL;
	}
	if (shift && v > (UINT64_MAX >> shift))
		return -ERANGE;
	*out = (uint64_t)v << shift;
	return 0;
}

int parse_seconds(const char *s, uint64_t *out_ns)
{
	double v;
	char *end;

	if (!s || !(isdigit((unsigned char)s[0]) || s[0] == '.'))
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !isfinite(v))
		return -EINVAL;
	/* 2^64 ns is 584 years: anything longer is a typo. */
	if (v > 1e9)
		return -ERANGE;
	*out_ns = (uint64_t)(v * 1e9);
	return 0;
}

int parse_size_list(const char *s, uint64_t *out, unsigned int max,
		    unsigned int *n)
{
	uint64_t *v = max ? calloc(max, sizeof(*v)) : NULL;
	char *copy = s ? strdup(s) : NULL, *rest = copy, *item;
	unsigned int k = 0;
	int err = 0;

	if (!s || !max) {
		err = -EINVAL;
		goto out;
	}
	if (!v || !copy) {
		err = -ENOMEM;
		goto out;
	}
	/* strsep, unlike strtok, yields the empty items: "1M,,2M" is a typo. */
	while (!err && (item = strsep(&rest, ","))) {
		if (k == max)
			err = -EINVAL;
		else if (!(err = parse_size(item, &v[k])) && !v[k])
			err = -EINVAL;
		k++;
	}
	if (!err) {
		memcpy(out, v, k * sizeof(*v));
		*n = k;
	}
out:
	free(copy);
	free(v);
	return err;
}
