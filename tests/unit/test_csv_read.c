// SPDX-License-Identifier: GPL-2.0
/* The strict CSV reader: quoting, CRLF, and one exact message per error. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "csv_read.h"

static int parse(struct csv_table *t, const char *text, char *err)
{
	return csv_parse(t, "d/runs.csv", text, strlen(text), err, 256);
}

static void quoting(void **state)
{
	const char *text = "a,b,c\n"
			   "\"x,y\",\"say \"\"hi\"\"\",plain\n"
			   "\"two\nlines\",,\"\"\n"
			   "1,2,3\n";
	struct csv_table t;
	char err[256] = "";

	(void)state;
	assert_int_equal(parse(&t, text, err), 0);
	assert_int_equal(t.ncols, 3);
	assert_int_equal(t.nrows, 3);
	assert_string_equal(t.rows[0][0], "x,y");
	assert_string_equal(t.rows[0][1], "say \"hi\"");
	assert_string_equal(t.rows[0][2], "plain");
	assert_string_equal(t.rows[1][0], "two\nlines");
	assert_string_equal(t.rows[1][1], "");
	assert_string_equal(t.rows[1][2], "");
	/* Rows know the line they start on: the quoted break counts. */
	assert_int_equal(t.lines[0], 2);
	assert_int_equal(t.lines[1], 3);
	assert_int_equal(t.lines[2], 5);
	assert_int_equal(csv_column(&t, "c", err, sizeof(err)), 2);
	csv_table_free(&t);
}

static void crlf(void **state)
{
	struct csv_table t;
	char err[256] = "";
	double v;

	(void)state;
	assert_int_equal(parse(&t, "n,\"q\"\r\n1,\"2\"\r\n3,4\r\n", err), 0);
	assert_int_equal(t.nrows, 2);
	assert_string_equal(t.header[1], "q");
	assert_string_equal(t.rows[0][1], "2");
	assert_int_equal(csv_number(&t, 1, 1, &v, err, sizeof(err)), 0);
	assert_true(v == 4);
	assert_int_equal(t.lines[1], 3);
	csv_table_free(&t);
	/* A lone CR is not a line end. */
	assert_int_equal(parse(&t, "a,b\n1,2\r3\n", err), -EINVAL);
	assert_string_equal(err,
			    "d/runs.csv:2: carriage return without line feed");
}

static void truncated(void **state)
{
	struct csv_table t;
	char err[256] = "";

	(void)state;
	assert_int_equal(parse(&t, "a,b\n1,2\n3,4", err), -EINVAL);
	assert_string_equal(err, "d/runs.csv:3: last line has no line break "
				 "(truncated file?)");
	assert_int_equal(parse(&t, "a,b\n1,2\n3,\"4\n", err), -EINVAL);
	assert_string_equal(err, "d/runs.csv:3: quoted field not closed");
	assert_int_equal(parse(&t, "", err), -EINVAL);
	assert_string_equal(err, "d/runs.csv: empty file, no header");
	/* A header alone is a table without rows. */
	assert_int_equal(parse(&t, "a,b\n", err), 0);
	assert_int_equal(t.nrows, 0);
	csv_table_free(&t);
}

static void field_count(void **state)
{
	struct csv_table t;
	char err[256] = "";

	(void)state;
	assert_int_equal(parse(&t, "a,b,c\n1,2,3\n4,5\n", err), -EINVAL);
	assert_string_equal(err, "d/runs.csv:3: 2 fields, the header has 3");
	assert_int_equal(parse(&t, "a,b\n1,2,3\n", err), -EINVAL);
	assert_string_equal(err, "d/runs.csv:2: 3 fields, the header has 2");
	assert_int_equal(parse(&t, "a,b\n\"1\"x,2\n", err), -EINVAL);
	assert_string_equal(err, "d/runs.csv:2: text after a closing quote");
	assert_int_equal(parse(&t, "a,b\n1\"2,3\n", err), -EINVAL);
	assert_string_equal(err,
			    "d/runs.csv:2: quote inside an unquoted field");
}

static void columns_and_numbers(void **state)
{
	struct csv_table t;
	char err[256] = "";
	double v = -1;

	(void)state;
	assert_int_equal(parse(&t,
			       "run,pages_sent,pct\n1,100,1.5\n2,abc,\n"
			       "3, 7,inf\n4,0x10,-2.5e3\n",
			       err),
			 0);
	assert_int_equal(csv_column(&t, "rounds", err, sizeof(err)), -1);
	assert_string_equal(err, "d/runs.csv: no column 'rounds'");
	assert_int_equal(csv_number(&t, 0, 2, &v, err, sizeof(err)), 0);
	assert_true(v == 1.5);
	assert_int_equal(csv_number(&t, 1, 1, &v, err, sizeof(err)), -EINVAL);
	assert_string_equal(
		err,
		"d/runs.csv:3: column 'pages_sent': 'abc' is not a number");
	/* Empty: no value, not an error. */
	assert_int_equal(csv_number(&t, 1, 2, &v, err, sizeof(err)), 1);
	assert_int_equal(csv_number(&t, 2, 1, &v, err, sizeof(err)), -EINVAL);
	assert_string_equal(
		err, "d/runs.csv:4: column 'pages_sent': ' 7' is not a number");
	/* inf, hex: not what bench writes. */
	assert_int_equal(csv_number(&t, 2, 2, &v, err, sizeof(err)), -EINVAL);
	assert_int_equal(csv_number(&t, 3, 1, &v, err, sizeof(err)), -EINVAL);
	assert_string_equal(
		err,
		"d/runs.csv:5: column 'pages_sent': '0x10' is not a number");
	assert_int_equal(csv_number(&t, 3, 2, &v, err, sizeof(err)), 0);
	assert_true(v == -2.5e3);
	csv_table_free(&t);
}

/* A quoted field may hold line breaks; a message quoting it stays one
 * line, and a long value is cut. */
static void messages_one_line(void **state)
{
	struct csv_table t;
	char err[256] = "", buf[8];
	double v;

	(void)state;
	assert_int_equal(parse(&t,
			       "\"pages\nsent\",b\n\"two\nlines\",\"1\t2\"\n"
			       "0123456789012345678901234567890123456789"
			       "0123456789012345678901234x,1\n",
			       err),
			 0);
	assert_int_equal(csv_number(&t, 0, 0, &v, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "d/runs.csv:3: column 'pages?sent': "
				 "'two?lines' is not a number");
	assert_int_equal(csv_number(&t, 0, 1, &v, err, sizeof(err)), -EINVAL);
	assert_string_equal(err,
			    "d/runs.csv:3: column 'b': '1?2' is not a number");
	assert_int_equal(csv_number(&t, 1, 0, &v, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "d/runs.csv:5: column 'pages?sent': "
				 "'012345678901234567890123456789012345678901"
				 "234567890123456789...' is not a number");
	csv_table_free(&t);
	csv_printable(buf, sizeof(buf), "a\rb");
	assert_string_equal(buf, "a?b");
	csv_printable(buf, sizeof(buf), "abcdefgh");
	assert_string_equal(buf, "abcd...");
}

/* Fields are C strings: a NUL in the text is refused, not cut at. */
static void nul_byte(void **state)
{
	struct csv_table t;
	char err[256] = "";

	(void)state;
	assert_int_equal(csv_parse(&t, "d/runs.csv", "a,b\n1,\0002\n", 9, err,
				   sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "d/runs.csv:2: NUL byte (not a text file)");
	assert_null(t.header);
	assert_int_equal(t.ncols, 0);
}

static void from_file(void **state)
{
	char path[] = "/tmp/ds-csv-XXXXXX", err[256] = "";
	struct csv_table t;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "a\n1\n", 4), 4);
	close(fd);
	assert_int_equal(csv_read_file(&t, path, "x.csv", err, sizeof(err)), 0);
	assert_string_equal(t.name, "x.csv");
	assert_string_equal(t.rows[0][0], "1");
	csv_table_free(&t);
	unlink(path);
	assert_int_equal(csv_read_file(&t, path, "x.csv", err, sizeof(err)),
			 -ENOENT);
	assert_string_equal(err, "x.csv: No such file or directory");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(quoting),
		cmocka_unit_test(crlf),
		cmocka_unit_test(truncated),
		cmocka_unit_test(field_count),
		cmocka_unit_test(columns_and_numbers),
		cmocka_unit_test(messages_one_line),
		cmocka_unit_test(nul_byte),
		cmocka_unit_test(from_file),
	};

	return cmocka_run_group_tests_name("csv_read", tests, NULL, NULL);
}
