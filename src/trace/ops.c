// SPDX-License-Identifier: GPL-2.0
#include "ops.h"

static const struct {
	const char *name;
	unsigned int kind;
} ops[DS_OP__COUNT] = {
	/* Counted in the kernel, never an event: see report_sizes(). */
	[DS_OP_MAP] = { "map", 0 },
	[DS_OP_UNMAP] = { "unmap", 0 },
	[DS_OP_MAP_CALL] = { "map_call", OP_TIMED },
	[DS_OP_UNMAP_CALL] = { "unmap_call", OP_TIMED | OP_UNMAPPED },
	[DS_OP_SET_TRACKING] = { "set_tracking", OP_TIMED },
	[DS_OP_SYNC_NOCLEAR] = { "sync_noclear", OP_TIMED | OP_DIRTY },
	[DS_OP_READ_CLEAR] = { "read_clear", OP_TIMED | OP_DIRTY },
	[DS_OP_WALK] = { "walk", OP_TIMED },
	[DS_OP_IOTLB_FLUSH] = { "iotlb_flush", OP_TIMED },
	[DS_OP_QI_SUBMIT] = { "qi_submit", OP_TIMED },
	[DS_OP_TYPE1_MAP_DMA] = { "type1_map_dma", OP_TIMED },
	[DS_OP_TYPE1_UNMAP_DMA] = { "type1_unmap_dma", OP_TIMED },
	[DS_OP_TYPE1_UNMAP_BITMAP] = { "type1_unmap_bitmap",
				       OP_TIMED | OP_DIRTY },
	[DS_OP_TYPE1_DIRTY_START] = { "type1_dirty_start", OP_TIMED },
	[DS_OP_TYPE1_DIRTY_STOP] = { "type1_dirty_stop", OP_TIMED },
	[DS_OP_TYPE1_GET_BITMAP] = { "type1_get_bitmap", OP_TIMED | OP_DIRTY },
	[DS_OP_TYPE1_SYNC_NOCLEAR] = { "type1_sync_noclear",
				       OP_TIMED | OP_DIRTY },
	[DS_OP_TYPE1_CLEAR] = { "type1_clear", OP_TIMED | OP_DIRTY },
	[DS_OP_DEVICE_LOG_REPORT] = { "device_log_report",
				      OP_TIMED | OP_DIRTY },
	[DS_OP_RFC_SWITCH] = { "rfc_switch", 0 },
	[DS_OP_RFC_SYNC] = { "rfc_sync", 0 },
	[DS_OP_RFC_CLEAR] = { "rfc_clear", 0 },
	/* Counted in the kernel too: one per dirty IOPTE, its size. */
	[DS_OP_DIRTY_IOPTE] = { "dirty_iopte", 0 },
	/* QEMU's side (trace -p): a round begins at each dirty bitmap sync;
	 * the kernel's events are attributed to the round they fell in. */
	[DS_OP_QEMU_LOG_START] = { "qemu_log_start", 0 },
	[DS_OP_QEMU_LOG_STOP] = { "qemu_log_stop", 0 },
	[DS_OP_QEMU_ROUND] = { "qemu_round", OP_ROUND },
	[DS_OP_QEMU_SYNC] = { "qemu_sync", OP_TIMED },
	[DS_OP_QEMU_LOG_SYNC] = { "qemu_log_sync", 0 },
	[DS_OP_QEMU_VFIO_READ] = { "qemu_vfio_read", OP_TIMED },
	[DS_OP_QEMU_VFIO_TRACKING] = { "qemu_vfio_tracking", OP_TIMED },
	[DS_OP_QEMU_IOMMUFD_READ] = { "qemu_iommufd_read", OP_TIMED },
	[DS_OP_QEMU_IOMMUFD_TRACKING] = { "qemu_iommufd_tracking", OP_TIMED },
};

static const struct {
	const char *name; /* in tables */
	const char *row;  /* in summary.csv, histograms.csv, JSON */
} causes[DS_CAUSE__COUNT] = {
	[DS_CAUSE_OTHER] = { "other", "iotlb_flush:other" },
	[DS_CAUSE_DIRTY_READ] = { "dirty_read", "iotlb_flush:dirty_read" },
	[DS_CAUSE_DIRTY_CLEAR] = { "dirty_clear", "iotlb_flush:dirty_clear" },
	[DS_CAUSE_TRACKING] = { "tracking", "iotlb_flush:tracking" },
	[DS_CAUSE_UNMAP] = { "unmap", "iotlb_flush:unmap" },
	[DS_CAUSE_MAP] = { "map", "iotlb_flush:map" },
};

const struct counter_row counter_rows[] = {
	{ "bitmap_set", DS_CNT_BITMAP_SET },
	{ "bitmap_set_orphan", DS_CNT_BITMAP_SET_ORPHAN },
	{ "lost_events", DS_CNT_DROPS },
	{ "state_full", DS_CNT_STATE_FULL },
	{ "redirty_untracked", DS_CNT_REDIRTY_UNTRACKED },
};

const size_t ncounter_rows = sizeof(counter_rows) / sizeof(counter_rows[0]);

unsigned int ds_op_kind(unsigned int op)
{
	return op < DS_OP__COUNT ? ops[op].kind : 0;
}

const char *ds_op_name(unsigned int op)
{
	return op < DS_OP__COUNT ? ops[op].name : "unknown";
}

bool ds_op_is_dirty_read(unsigned int op)
{
	return ds_op_kind(op) & OP_DIRTY;
}

const char *ds_cause_name(unsigned int cause)
{
	return cause < DS_CAUSE__COUNT ? causes[cause].name : "unknown";
}

const char *report_row_name(unsigned int row)
{
	if (row < DS_OP__COUNT)
		return ops[row].name;
	row -= DS_OP__COUNT;
	return row < DS_CAUSE__COUNT ? causes[row].row : "unknown";
}
