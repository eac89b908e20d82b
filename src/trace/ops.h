/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the traced operations are, for every output alike: their names,
 * what their events carry, the causes of IOTLB invalidations, and the
 * counts the kernel keeps that are not events. One table, read by the
 * aggregation, the tables, CSV and JSON.
 */
#ifndef DIRTYSCOPE_OPS_H
#define DIRTYSCOPE_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include "trace_event.h"

/* Rows of a report: every operation, then IOTLB flushes per cause. */
#define REPORT_ROWS (DS_OP__COUNT + DS_CAUSE__COUNT)

/* What an operation's event carries. */
enum {
	OP_TIMED = 1 << 0,    /* has a duration */
	OP_DIRTY = 1 << 1,    /* a dirty read: one syncs.csv row */
	OP_UNMAPPED = 1 << 2, /* bytes are in aux (bytes unmapped) */
	OP_ROUND = 1 << 3,    /* a VMM's migration round begins */
};

/* OP_* flags of an operation, 0 for an unknown one. */
unsigned int ds_op_kind(unsigned int op);
const char *ds_op_name(unsigned int op);
bool ds_op_is_dirty_read(unsigned int op);
/* "unmap", "dirty_clear", ...: the cause of an IOTLB invalidation. */
const char *ds_cause_name(unsigned int cause);
/* Row name: an op, or "iotlb_flush:<cause>". */
const char *report_row_name(unsigned int row);

/* A count the BPF side keeps (enum ds_counter) and its output name. */
struct counter_row {
	const char *name;
	unsigned int counter;
};

extern const struct counter_row counter_rows[];
extern const size_t ncounter_rows;

#endif
