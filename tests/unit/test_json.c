// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include "json.h"

/* Output of one writer, in memory. */
struct buf {
	char *s;
	size_t len;
	FILE *f;
	struct json_writer w;
};

static void buf_open(struct buf *b)
{
	b->s = NULL;
	b->f = open_memstream(&b->s, &b->len);
	assert_non_null(b->f);
	json_init(&b->w, b->f);
}

/* Finish the document, check the writer's verdict, return the text. */
static const char *buf_close(struct buf *b, int want)
{
	assert_int_equal(json_finish(&b->w), want);
	fclose(b->f);
	return b->s;
}

static void string_escaping(void **state)
{
	struct buf b;

	(void)state;
	buf_open(&b);
	json_string(&b.w, "q\"b\\s/n\nt\tr\rb\bf\f\x01\x1f\x7f é");
	assert_string_equal(buf_close(&b, 0),
			    "\"q\\\"b\\\\s/n\\nt\\tr\\rb\\bf\\f\\u0001\\u001f"
			    "\x7f é\"");
	free(b.s);
}

static void keys_are_escaped_too(void **state)
{
	struct buf b;

	(void)state;
	buf_open(&b);
	json_object_begin(&b.w);
	json_key(&b.w, "a\"\n");
	json_string(&b.w, NULL);
	json_object_end(&b.w);
	assert_string_equal(buf_close(&b, 0), "{\"a\\\"\\n\":null}");
	free(b.s);
}

static void nesting_and_commas(void **state)
{
	struct buf b;

	(void)state;
	buf_open(&b);
	json_object_begin(&b.w);
	json_key(&b.w, "a");
	json_array_begin(&b.w);
	json_int(&b.w, 1);
	json_int(&b.w, -2);
	json_object_begin(&b.w);
	json_key(&b.w, "t");
	json_bool(&b.w, true);
	json_key(&b.w, "f");
	json_bool(&b.w, false);
	json_object_end(&b.w);
	json_array_begin(&b.w);
	json_array_end(&b.w);
	json_array_end(&b.w);
	json_key(&b.w, "o");
	json_object_begin(&b.w);
	json_object_end(&b.w);
	json_key(&b.w, "min");
	json_int(&b.w, INT64_MIN);
	json_key(&b.w, "max");
	json_uint(&b.w, UINT64_MAX);
	json_key(&b.w, "s");
	json_string(&b.w, "");
	json_object_end(&b.w);
	assert_string_equal(buf_close(&b, 0),
			    "{\"a\":[1,-2,{\"t\":true,\"f\":false},[]],"
			    "\"o\":{},\"min\":-9223372036854775808,"
			    "\"max\":18446744073709551615,\"s\":\"\"}");
	free(b.s);
}

static void deep_nesting(void **state)
{
	struct buf b;
	int i;

	(void)state;
	buf_open(&b);
	for (i = 0; i < JSON_MAX_DEPTH; i++)
		json_array_begin(&b.w);
	for (i = 0; i < JSON_MAX_DEPTH; i++)
		json_array_end(&b.w);
	assert_string_equal(buf_close(&b, 0),
			    "[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]");
	free(b.s);

	/* One level more is refused, not written past the stack. */
	buf_open(&b);
	for (i = 0; i <= JSON_MAX_DEPTH; i++)
		json_array_begin(&b.w);
	for (i = 0; i <= JSON_MAX_DEPTH; i++)
		json_array_end(&b.w);
	buf_close(&b, -EINVAL);
	free(b.s);
}

/* Each case breaks one rule; json_finish must say so. */
static void misuse_is_reported(void **state)
{
	struct buf b;

	(void)state;
	/* A key inside an array. */
	buf_open(&b);
	json_array_begin(&b.w);
	json_key(&b.w, "k");
	json_int(&b.w, 1);
	json_array_end(&b.w);
	buf_close(&b, -EINVAL);
	free(b.s);

	/* A value without a key inside an object. */
	buf_open(&b);
	json_object_begin(&b.w);
	json_int(&b.w, 1);
	json_object_end(&b.w);
	buf_close(&b, -EINVAL);
	free(b.s);

	/* Mismatched end. */
	buf_open(&b);
	json_object_begin(&b.w);
	json_array_end(&b.w);
	buf_close(&b, -EINVAL);
	free(b.s);

	/* Unfinished document, and a key left without value. */
	buf_open(&b);
	json_object_begin(&b.w);
	json_key(&b.w, "k");
	buf_close(&b, -EINVAL);
	free(b.s);

	/* Two top-level values. */
	buf_open(&b);
	json_int(&b.w, 1);
	json_int(&b.w, 2);
	buf_close(&b, -EINVAL);
	free(b.s);

	/* Nothing at all is not a document either. */
	buf_open(&b);
	buf_close(&b, -EINVAL);
	free(b.s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(string_escaping),
		cmocka_unit_test(keys_are_escaped_too),
		cmocka_unit_test(nesting_and_commas),
		cmocka_unit_test(deep_nesting),
		cmocka_unit_test(misuse_is_reported),
	};

	return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
