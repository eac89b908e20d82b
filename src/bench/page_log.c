// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "page_log.h"

int page_log_init(struct page_log *l, uint64_t npages)
{
	memset(l, 0, sizeof(*l));
	l->npages = npages;
	l->written = calloc(npages, sizeof(*l->written));
	l->sent = calloc(npages, sizeof(*l->sent));
	l->begun = calloc(npages, sizeof(*l->begun));
	if (!l->written || !l->sent || !l->begun) {
		page_log_free(l);
		return -ENOMEM;
	}
	return 0;
}

void page_log_free(struct page_log *l)
{
	free(l->written);
	free(l->sent);
	free(l->begun);
	l->written = l->sent = l->begun = NULL;
}

void page_log_reset(struct page_log *l)
{
	memset(l->written, 0, l->npages * sizeof(*l->written));
	memset(l->sent, 0, l->npages * sizeof(*l->sent));
	memset(l->begun, 0, l->npages * sizeof(*l->begun));
	l->writes = 0;
}

void page_log_begin(struct page_log *l, uint64_t page, uint64_t ts)
{
	if (page < l->npages)
		__atomic_store_n(&l->begun[page], ts, __ATOMIC_RELEASE);
}

bool page_log_written_after(const struct page_log *l, uint64_t page, uint64_t t)
{
	if (page >= l->npages)
		return false;
	return __atomic_load_n(&l->written[page], __ATOMIC_ACQUIRE) > t ||
	       __atomic_load_n(&l->begun[page], __ATOMIC_ACQUIRE) > t;
}

void page_log_write(struct page_log *l, uint64_t page, uint64_t ts)
{
	if (page >= l->npages)
		return;
	/* The loop thread reads this concurrently: a plain 64-bit store is
	 * atomic on the architectures we run on; say so to the compiler. */
	__atomic_store_n(&l->written[page], ts, __ATOMIC_RELEASE);
	__atomic_fetch_add(&l->writes, 1, __ATOMIC_RELAXED);
}

bool page_log_send(struct page_log *l, uint64_t page, uint64_t ts)
{
	uint64_t written, prev;

	if (page >= l->npages)
		return false;
	written = __atomic_load_n(&l->written[page], __ATOMIC_ACQUIRE);
	prev = l->sent[page];
	l->sent[page] = ts;
	return prev && written < prev;
}
