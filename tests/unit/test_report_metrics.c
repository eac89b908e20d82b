// SPDX-License-Identifier: GPL-2.0
/* trace's Prometheus output on an aggregation the test makes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "report_output.h"

static char *render(const struct trace_report *r, bool om)
{
	char *text = NULL;
	size_t len;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	assert_int_equal(report_print_metrics(r, om, f), 0);
	fclose(f);
	return text;
}

static void has(const char *text, const char *line)
{
	char want[256];

	snprintf(want, sizeof(want), "\n%s\n", line);
	if (!strstr(text, want))
		fail_msg("no line '%s' in:\n%s", line, text);
}

static struct trace_report *sample(void)
{
	struct trace_report *r = calloc(1, sizeof(*r));
	struct ds_event e = { .op = DS_OP_READ_CLEAR,
			      .dur_ns = 1500, /* in le 2047 ns */
			      .length = 1 << 20,
			      .dirty_pages = 7 };
	struct ds_event flush = { .op = DS_OP_IOTLB_FLUSH,
				  .dur_ns = 1023, /* le 1023 ns exactly */
				  .aux = DS_CAUSE_DIRTY_CLEAR };

	assert_non_null(r);
	report_init(r);
	report_add(r, &e);
	e.dur_ns = 3000000; /* le 4194303 ns */
	e.ret = -5;
	report_add(r, &e);
	report_add(r, &flush);
	r->counters[DS_CNT_DROPS] = 3;
	return r;
}

static void counters_and_histograms(void **state)
{
	struct trace_report *r = sample();
	char *text = render(r, false);

	(void)state;
	has(text, "# TYPE dirtyscope_operations_total counter");
	has(text, "dirtyscope_operations_total{op=\"read_clear\"} 2");
	has(text, "dirtyscope_operations_total{op=\"map\"} 0");
	has(text, "dirtyscope_operation_errors_total{op=\"read_clear\"} 1");
	has(text,
	    "dirtyscope_operation_bytes_total{op=\"read_clear\"} 2097152");
	has(text, "dirtyscope_dirty_pages_total{op=\"read_clear\"} 14");
	/* Dirty pages only for dirty reads: no series for map_call. */
	assert_null(strstr(text, "dirty_pages_total{op=\"map_call\"}"));
	has(text, "# TYPE dirtyscope_operation_duration_seconds histogram");
	has(text, "dirtyscope_operation_duration_seconds_bucket{op="
		  "\"read_clear\",le=\"1.023e-06\"} 0");
	has(text, "dirtyscope_operation_duration_seconds_bucket{op="
		  "\"read_clear\",le=\"2.047e-06\"} 1");
	has(text, "dirtyscope_operation_duration_seconds_bucket{op="
		  "\"read_clear\",le=\"0.002097151\"} 1");
	has(text, "dirtyscope_operation_duration_seconds_bucket{op="
		  "\"read_clear\",le=\"0.004194303\"} 2");
	has(text, "dirtyscope_operation_duration_seconds_bucket{op="
		  "\"read_clear\",le=\"+Inf\"} 2");
	has(text, "dirtyscope_operation_duration_seconds_sum{op="
		  "\"read_clear\"} 0.0030015");
	has(text, "dirtyscope_operation_duration_seconds_count{op="
		  "\"read_clear\"} 2");
	has(text,
	    "dirtyscope_iotlb_invalidations_total{cause=\"dirty_clear\"} 1");
	has(text, "dirtyscope_iotlb_invalidations_total{cause=\"unmap\"} 0");
	has(text, "dirtyscope_iotlb_invalidation_duration_seconds_bucket{"
		  "cause=\"dirty_clear\",le=\"1.023e-06\"} 1");
	has(text, "dirtyscope_events_total 3");
	has(text, "dirtyscope_events_lost_total 3");
	/* The text format has no EOF marker. */
	assert_null(strstr(text, "# EOF"));
	free(text);
	free(r);
}

/* OpenMetrics: families named without _total, a unit, and # EOF last. */
static void openmetrics_form(void **state)
{
	struct trace_report *r = sample();
	char *text = render(r, true);
	size_t len = strlen(text);

	(void)state;
	has(text, "# TYPE dirtyscope_operations counter");
	has(text, "dirtyscope_operations_total{op=\"read_clear\"} 2");
	has(text, "# UNIT dirtyscope_operation_duration_seconds seconds");
	assert_true(len > 6);
	assert_string_equal(text + len - 6, "# EOF\n");
	free(text);
	free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(counters_and_histograms),
		cmocka_unit_test(openmetrics_form),
	};

	return cmocka_run_group_tests_name("report_metrics", tests, NULL, NULL);
}
