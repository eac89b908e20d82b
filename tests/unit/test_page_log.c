// SPDX-License-Identifier: GPL-2.0
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "page_log.h"

static void redundant_only_without_a_write_since(void **state)
{
	struct page_log l;

	(void)state;
	assert_int_equal(page_log_init(&l, 8), 0);
	/* First send of a page: the destination has nothing yet. */
	assert_false(page_log_send(&l, 0, 10));
	/* Sent again, never written: redundant. */
	assert_true(page_log_send(&l, 0, 20));
	/* Written after the last send: the next send is needed... */
	page_log_write(&l, 0, 25);
	assert_false(page_log_send(&l, 0, 30));
	/* ...and the one after it is not. */
	assert_true(page_log_send(&l, 0, 40));
	/* A write stamped before the previous send was already in it. */
	page_log_write(&l, 1, 5);
	assert_false(page_log_send(&l, 1, 10));
	assert_true(page_log_send(&l, 1, 20));
	/* Out of range: ignored, never redundant. */
	page_log_write(&l, 8, 1);
	assert_false(page_log_send(&l, 8, 1));
	assert_int_equal(l.writes, 2);
	page_log_reset(&l);
	assert_false(page_log_send(&l, 0, 50));
	assert_int_equal(l.writes, 0);
	page_log_free(&l);
}

/* The granularity question: was the page itself written after t (its
 * last clear)? A write counts from when it began, before its "written"
 * stamp is stored. */
static void written_after_counts_writes_in_flight(void **state)
{
	struct page_log l;

	(void)state;
	assert_int_equal(page_log_init(&l, 4), 0);
	assert_false(page_log_written_after(&l, 0, 0));
	/* Begun at 10, not stamped yet: in flight, so written after 5. */
	page_log_begin(&l, 0, 10);
	assert_true(page_log_written_after(&l, 0, 5));
	assert_false(page_log_written_after(&l, 0, 10));
	/* Begun before a clear at 15, done after it: the clear may have
	 * missed it, so it counts. */
	page_log_write(&l, 0, 20);
	assert_true(page_log_written_after(&l, 0, 15));
	assert_false(page_log_written_after(&l, 0, 20));
	assert_false(page_log_written_after(&l, 1, 0));
	assert_false(page_log_written_after(&l, 4, 0));
	page_log_reset(&l);
	assert_false(page_log_written_after(&l, 0, 0));
	page_log_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(redundant_only_without_a_write_since),
		cmocka_unit_test(written_after_counts_writes_in_flight),
	};

	return cmocka_run_group_tests_name("page_log", tests, NULL, NULL);
}
