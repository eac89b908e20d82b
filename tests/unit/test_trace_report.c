// SPDX-License-Identifier: GPL-2.0
/* Aggregation and CSV output of trace events (user space only). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "trace_report.h"

static char dir[] = "/tmp/ds-report-XXXXXX";

static char *slurp(const char *name)
{
	char path[512];
	static char buf[8192];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static struct ds_event sync_ev(unsigned int op, uint64_t pages, int ret)
{
	struct ds_event e = {
		.ts_ns = 100,
		.dur_ns = 5000,
		.iova = 1 << 24,
		.length = 1 << 20,
		.page_size = 2048,
		.hwpt_id = 3,
		.pid = 42,
		.tid = 42,
		.op = op,
		.ret = ret,
		.dirty_pages = pages,
		.dirty_records = pages,
		.dirty_bytes = pages * 2048,
	};

	e.flags = op == DS_OP_SYNC_NOCLEAR ? DS_GET_DIRTY_NO_CLEAR : 0;
	strcpy(e.comm, "qemu,kvm");
	return e;
}

static void counts_and_csv(void **state)
{
	struct trace_report *r = malloc(sizeof(*r));
	struct ds_event map = { .op = DS_OP_MAP, .length = 4096 };
	struct ds_event unmap = { .op = DS_OP_UNMAP,
				  .length = 8192,
				  .aux = 4096 };
	struct ds_event e;
	char *csv;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(report_init(r, dir), 0);
	report_add(r, &map);
	report_add(r, &map);
	report_add(r, &unmap);
	e = sync_ev(DS_OP_SYNC_NOCLEAR, 10, 0);
	report_add(r, &e);
	e = sync_ev(DS_OP_READ_CLEAR, 10, 0);
	report_add(r, &e);
	e = sync_ev(DS_OP_READ_CLEAR, 0, -22);
	report_add(r, &e);
	r->counters[DS_CNT_BITMAP_SET] = 20;
	r->counters[DS_CNT_DROPS] = 3;

	assert_int_equal(r->consumed, 6);
	assert_int_equal(r->op[DS_OP_MAP].bytes, 8192);
	assert_int_equal(r->op[DS_OP_UNMAP].bytes, 4096);
	assert_int_equal(r->op[DS_OP_READ_CLEAR].count, 2);
	assert_int_equal(r->op[DS_OP_READ_CLEAR].errors, 1);
	assert_int_equal(r->op[DS_OP_READ_CLEAR].dirty_pages, 10);
	assert_int_equal(report_write_csv(r), 0);

	csv = slurp("summary.csv");
	assert_non_null(csv);
	assert_non_null(strstr(csv, "op,count,errors,bytes,dirty_pages,"));
	assert_non_null(strstr(csv, "\nmap,2,0,8192,0,0,0,0,0,0\n"));
	assert_non_null(strstr(csv, "\nunmap,1,0,4096,0,0,0,0,0,0\n"));
	assert_non_null(strstr(csv, "\nsync_noclear,1,0,1048576,10,10,5000,"
				    "5000,5000,5000\n"));
	assert_non_null(strstr(csv, "\nread_clear,2,1,2097152,10,10,"));
	assert_non_null(strstr(csv, "\nbitmap_set,20,"));
	assert_non_null(strstr(csv, "\nlost_events,3,"));

	csv = slurp("syncs.csv");
	assert_non_null(csv);
	assert_non_null(strstr(csv, "ts_ns,pid,comm,op,hwpt,iova,length,"));
	assert_non_null(strstr(csv, "\n100,42,\"qemu,kvm\",sync_noclear,3,"
				    "16777216,1048576,2048,1,10,10,0,5000\n"));
	assert_non_null(strstr(csv, ",read_clear,3,16777216,1048576,2048,0,"
				    "0,0,-22,5000\n"));
	report_abort(r);
	free(r);
	{
		char path[600];

		snprintf(path, sizeof(path), "%s/summary.csv", dir);
		unlink(path);
		snprintf(path, sizeof(path), "%s/syncs.csv", dir);
		unlink(path);
	}
}

static void abort_writes_nothing(void **state)
{
	struct trace_report *r = malloc(sizeof(*r));
	struct ds_event e = sync_ev(DS_OP_READ_CLEAR, 1, 0);

	(void)state;
	assert_int_equal(report_init(r, dir), 0);
	report_add(r, &e);
	report_abort(r);
	free(r);
	assert_null(slurp("syncs.csv"));
	assert_null(slurp("summary.csv"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(counts_and_csv),
		cmocka_unit_test(abort_writes_nothing),
	};
	int ret =
		cmocka_run_group_tests_name("trace_report", tests, NULL, NULL);
	char cmd[64];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		return 1;
	return ret;
}
