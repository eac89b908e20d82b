/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small streaming JSON writer. The caller says what comes next (begin an
 * object, a key, a string...) and the writer adds the commas, colons and
 * escaping. Output is compact, on one line; the caller adds a newline after
 * the document if it wants one.
 *
 * Misuse (a key inside an array, a value without a key inside an object, an
 * end that does not match its begin, nesting deeper than JSON_MAX_DEPTH) is
 * recorded rather than asserted: json_finish() reports it, so a bug shows
 * up as an error, never as silently broken output.
 */
#ifndef DIRTYSCOPE_JSON_H
#define DIRTYSCOPE_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 16

struct json_writer {
	FILE *f;
	int depth;
	/* Per level: '{' or '[', and whether it has a member yet. */
	char kind[JSON_MAX_DEPTH];
	bool has_member[JSON_MAX_DEPTH];
	bool after_key; /* a key was written, its value is next */
	bool started;	/* the top-level value was begun */
	bool misuse;
};

void json_init(struct json_writer *w, FILE *f);
void json_object_begin(struct json_writer *w);
void json_object_end(struct json_writer *w);
void json_array_begin(struct json_writer *w);
void json_array_end(struct json_writer *w);
/* A member name inside an object; the next call writes its value. */
void json_key(struct json_writer *w, const char *key);
/* A string value; NULL writes null. Bytes >= 0x80 pass unchanged (UTF-8
 * stays UTF-8). */
void json_string(struct json_writer *w, const char *s);
void json_int(struct json_writer *w, int64_t v);
void json_uint(struct json_writer *w, uint64_t v);
void json_bool(struct json_writer *w, bool v);
/* 0 when one complete, well-formed document was written; -EINVAL on
 * misuse or an unfinished document, -EIO when the stream reported an
 * error. Does not close or flush the stream. */
int json_finish(struct json_writer *w);

#endif
