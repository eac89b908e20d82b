/* SPDX-License-Identifier: GPL-2.0 */
/* Parsers for command-line values. All return 0 or -EINVAL/-ERANGE. */
#ifndef DIRTYSCOPE_PARSE_H
#define DIRTYSCOPE_PARSE_H

#include <stdint.h>

/* Unsigned decimal (or 0x hex) integer, whole string. */
int parse_u64(const char *s, uint64_t *out);
/* Byte size with optional binary suffix: 4096, 4K, 64M, 1G, 2T (KiB...). */
int parse_size(const char *s, uint64_t *out);
/* Duration in seconds, fractions allowed: "10", "0.5". Result in ns. */
int parse_seconds(const char *s, uint64_t *out_ns);
/* Comma-separated non-zero sizes as parse_size takes them, "1M,16M,128M":
 * 1 to max values into out[], their number in *n. No empty item. Also
 * -ENOMEM; out and *n are untouched on error. */
int parse_size_list(const char *s, uint64_t *out, unsigned int max,
		    unsigned int *n);

#endif
