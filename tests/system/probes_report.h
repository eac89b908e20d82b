/* SPDX-License-Identifier: GPL-2.0 */
/* The report of `dirtyscope probes`, parsed (probes_report.c). */
#ifndef DIRTYSCOPE_PROBES_REPORT_H
#define DIRTYSCOPE_PROBES_REPORT_H

#include <stddef.h>
#include "syshelp.h"

#define MAX_ROWS 256

/* One line of the report: section "probes", "kernel" or "uapi". */
struct row {
	char sec[256];
	char name[256];
	char status[256];
	char detail[256];
};

struct report {
	struct row rows[MAX_ROWS];
	size_t n;
};

/* Run probes as as; it must exit 0 with nothing on stderr. Its table into
 * rep. */
void run_probes(struct report *rep, enum run_as as);
/* Parse out into rep, failing on a layout the table must not have. */
void parse_table(const char *out, struct report *rep);
/* Fail unless rep has exactly one line name in section sec, with status
 * and, unless NULL, detail. */
void expect(const struct report *rep, const char *sec, const char *name,
	    const char *status, const char *detail);

#endif
