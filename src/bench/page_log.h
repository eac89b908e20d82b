/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ground truth of bench's redundancy count: per page, when the device
 * last wrote it and when the migration last sent it. A send is redundant
 * when the page was sent before and not written since: the destination
 * already has that content.
 *
 * The writer thread stamps writes after the write ioctl returned (the bit
 * is set by then); a write whose ioctl overlaps a send of the same page is
 * thus stamped after the send and makes the next send needed: the count
 * errs on the side of "not redundant".
 *
 * The granularity count (migration.c) asks whether a page the IOMMU
 * reported was itself written since its last clear, or only shares an
 * IOPTE with a page that was: for that a write is also stamped before its
 * ioctl (begun), so that a write whose ioctl returned but whose "written"
 * stamp is not stored yet still counts as the page's own.
 */
#ifndef DIRTYSCOPE_PAGE_LOG_H
#define DIRTYSCOPE_PAGE_LOG_H

#include <stdbool.h>
#include <stdint.h>

struct page_log {
	uint64_t npages;
	uint64_t *written; /* ns; 0: never; written by the writer */
	uint64_t *begun;   /* ns the last write began; writer too */
	uint64_t *sent;	   /* ns; 0: never; loop thread only */
	uint64_t writes;   /* page writes logged */
};

int page_log_init(struct page_log *l, uint64_t npages);
void page_log_free(struct page_log *l);
/* Forget every write and send (between runs). */
void page_log_reset(struct page_log *l);
/* Writer side: a write of page begins at ts (before its ioctl). */
void page_log_begin(struct page_log *l, uint64_t page, uint64_t ts);
/* Writer side: page was written at ts (ns, nonzero). */
void page_log_write(struct page_log *l, uint64_t page, uint64_t ts);
/* Loop side: did a write of page end, or begin, after t? */
bool page_log_written_after(const struct page_log *l, uint64_t page,
			    uint64_t t);
/* Loop side: page is sent at ts. Returns true when the send is redundant. */
bool page_log_send(struct page_log *l, uint64_t page, uint64_t ts);

#endif
