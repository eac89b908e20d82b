/* SPDX-License-Identifier: GPL-2.0 */
/* Aggregation of trace events into the terminal table and CSV files. */
#ifndef DIRTYSCOPE_TRACE_REPORT_H
#define DIRTYSCOPE_TRACE_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "hist.h"
#include "outfile.h"
#include "trace_event.h"

struct op_stats {
	uint64_t count;
	uint64_t errors; /* operations that returned an error */
	uint64_t bytes;	 /* map/unmap: bytes; syncs: IOVA range read */
	uint64_t dirty_pages;
	uint64_t dirty_records;
	struct hist lat; /* ns; only operations with a duration */
};

struct trace_report {
	struct op_stats op[DS_OP__COUNT];
	uint64_t counters[DS_CNT__COUNT]; /* from the BPF side */
	uint64_t consumed;		  /* events read from the ring */
	uint64_t duration_ns;
	const char *csv_dir;
	struct outfile syncs; /* syncs.csv, streamed */
};

const char *ds_op_name(unsigned int op);
int report_init(struct trace_report *r, const char *csv_dir);
void report_add(struct trace_report *r, const struct ds_event *e);
void report_print(const struct trace_report *r, FILE *out);
/* Write summary.csv and put syncs.csv in place. */
int report_write_csv(struct trace_report *r);
/* Drop unfinished output files. */
void report_abort(struct trace_report *r);

#endif
