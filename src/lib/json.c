// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include "json.h"

void json_init(struct json_writer *w, FILE *f)
{
	*w = (struct json_writer){ .f = f };
}

/*
 * Before any value or key: the separator it needs. A value right after its
 * key needs none; any other member after the first needs a comma. Checks
 * that a value or key is allowed here at all.
 */
static void json_sep(struct json_writer *w, bool is_key)
{
	bool in_object = w->depth && w->kind[w->depth - 1] == '{';

	if (w->after_key) {
		w->after_key = false;
		if (is_key)
			w->misuse = true; /* two keys in a row */
		return;
	}
	if (!w->depth) {
		/* Exactly one top-level value, and no key outside objects. */
		if (w->started || is_key)
			w->misuse = true;
		w->started = true;
		return;
	}
	if (in_object != is_key)
		w->misuse = true; /* value without key, or key in an array */
	if (w->has_member[w->depth - 1])
		fputc(',', w->f);
	w->has_member[w->depth - 1] = true;
}

static void json_begin(struct json_writer *w, char kind)
{
	json_sep(w, false);
	if (w->depth == JSON_MAX_DEPTH) {
		w->misuse = true;
		return;
	}
	w->kind[w->depth] = kind;
	w->has_member[w->depth] = false;
	w->depth++;
	fputc(kind, w->f);
}

static void json_end(struct json_writer *w, char kind)
{
	/* A dangling key, or an end that does not match the begin. */
	if (w->after_key || !w->depth || w->kind[w->depth - 1] != kind) {
		w->misuse = true;
		return;
	}
	w->depth--;
	fputc(kind == '{' ? '}' : ']', w->f);
}

void json_object_begin(struct json_writer *w)
{
	json_begin(w, '{');
}

void json_object_end(struct json_writer *w)
{
	json_end(w, '{');
}

void json_array_begin(struct json_writer *w)
{
	json_begin(w, '[');
}

void json_array_end(struct json_writer *w)
{
	json_end(w, '[');
}

/* RFC 8259: quote and backslash escaped, control characters (below 0x20)
 * must be; everything else may pass as is. */
static void json_quote(FILE *f, const char *s)
{
	const unsigned char *p;

	fputc('"', f);
	for (p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\b':
			fputs("\\b", f);
			break;
		case '\f':
			fputs("\\f", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (*p < 0x20)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

void json_key(struct json_writer *w, const char *key)
{
	json_sep(w, true);
	json_quote(w->f, key ? key : "");
	fputc(':', w->f);
	w->after_key = true;
}

void json_string(struct json_writer *w, const char *s)
{
	json_sep(w, false);
	if (s)
		json_quote(w->f, s);
	else
		fputs("null", w->f);
}

void json_int(struct json_writer *w, int64_t v)
{
	json_sep(w, false);
	fprintf(w->f, "%" PRId64, v);
}

void json_uint(struct json_writer *w, uint64_t v)
{
	json_sep(w, false);
	fprintf(w->f, "%" PRIu64, v);
}

void json_bool(struct json_writer *w, bool v)
{
	json_sep(w, false);
	fputs(v ? "true" : "false", w->f);
}

int json_finish(struct json_writer *w)
{
	if (w->misuse || w->depth || w->after_key || !w->started)
		return -EINVAL;
	return ferror(w->f) ? -EIO : 0;
}
