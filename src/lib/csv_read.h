/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A strict CSV reader for the files dirtyscope writes (RFC 4180: fields may
 * be quoted, "" is a quote inside a quoted field, CRLF line ends are taken
 * as LF). The first line is the header; columns are found by name. Every
 * error is one message naming the file and, where there is one, the line.
 */
#ifndef DIRTYSCOPE_CSV_READ_H
#define DIRTYSCOPE_CSV_READ_H

#include <stddef.h>

struct csv_table {
	char name[256]; /* the file as named in messages */
	size_t ncols, nrows;
	char **header; /* ncols names */
	char ***rows;  /* nrows rows of ncols fields */
	size_t *lines; /* file line where each row starts (header: line 1) */
};

/* Parse text (len bytes, no NUL). Every row must have as many fields as the
 * header and end with a line break. 0, or -EINVAL with a message in err;
 * on error t holds nothing to free. */
int csv_parse(struct csv_table *t, const char *name, const char *text,
	      size_t len, char *err, size_t errlen);
/* Read and parse the file at path; name is what messages call it. */
int csv_read_file(struct csv_table *t, const char *path, const char *name,
		  char *err, size_t errlen);
void csv_table_free(struct csv_table *t);
/* Index of the column called col, or -1 with "NAME: no column 'col'". */
int csv_column(const struct csv_table *t, const char *col, char *err,
	       size_t errlen);
/* Field col of row as a finite number. Returns 1 when the field is empty
 * (no value), 0 with *out set, or -EINVAL with
 * "NAME:LINE: column 'C': 'V' is not a number", C and V as csv_printable
 * gives them. */
int csv_number(const struct csv_table *t, size_t row, int col, double *out,
	       char *err, size_t errlen);
/* s as messages quote it: control characters (a line break in a quoted
 * field) as '?', so the message stays one line, and cut to len - 1 bytes,
 * ending in "..." when cut. Returns buf. */
const char *csv_printable(char *buf, size_t len, const char *s);

#endif
