// SPDX-License-Identifier: GPL-2.0
/*
 * dirtyscope plot on CSVs the test writes: every image exists as a valid
 * PNG and SVG, and the SVG carries the series the data calls for.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "syshelp.h"

static char dir[] = "/tmp/ds-plot-XXXXXX";

static void put(const char *sub, const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%s/%s", dir, sub, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int plot(const char *sub, struct run *r)
{
	char path[256];
	const char *argv[] = { dirtyscope_bin(), "plot", path, NULL };

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	return run_sync(r, RUN_AS_ROOT, argv, 120);
}

/* The <text> of an SVG, as python3's XML parser reads it. */
static char *svg_text(const char *sub, const char *name)
{
	char path[256], prog[512];
	const char *argv[] = { PYTHON3, "-c", prog, path, NULL };
	struct run r;
	char *out = NULL;

	snprintf(path, sizeof(path), "%s/%s/%s", dir, sub, name);
	snprintf(prog, sizeof(prog),
		 "import sys, xml.etree.ElementTree as E\n"
		 "t = E.parse(sys.argv[1])\n"
		 "print('|'.join(x.strip() for x in t.getroot().itertext() "
		 "if x.strip()))\n");
	if (run_sync(&r, RUN_AS_ROOT, argv, 30) == 0)
		out = strdup(r.out);
	run_free(&r);
	return out;
}

static void assert_png(const char *sub, const char *name)
{
	char path[256], magic[8] = "";
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/%s", dir, sub, name);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("no %s", name);
	assert_int_equal(fread(magic, 1, 8, f), 8);
	fclose(f);
	assert_memory_equal(magic, "\x89PNG\r\n\x1a\n", 8);
}

static void images_with_expected_series(void **state)
{
	const char *svgs[] = { "rounds.svg", "iotlb.svg", "sweep.svg",
			       "latency.svg" };
	struct run r;
	char *t;

	(void)state;
	put("all", "rounds.csv",
	    "run,strategy,round,pages_sent,pages_redundant,"
	    "iotlb_invalidations\n"
	    "1,auto,0,100,0,0\n1,auto,1,40,5,2\n1,auto,2,10,4,1\n"
	    "2,manual,0,100,0,0\n2,manual,1,35,1,6\n");
	put("all", "sweep.csv",
	    "param,value,strategy,pages_sent,migration_ns\n"
	    "chunk,1048576,auto,150,5000000\nchunk,1048576,manual,135,"
	    "4500000\nchunk,16777216,auto,150,5000000\nchunk,16777216,"
	    "manual,145,4900000\n");
	put("all", "histograms.csv",
	    "op,kind,bucket_low,bucket_high,count\n"
	    "map,size_bytes,4096,4223,2\nread_clear,latency_ns,688,703,1\n"
	    "read_clear,latency_ns,5000,5119,3\nwalk,latency_ns,900,927,2\n");
	assert_int_equal(plot("all", &r), 0);
	assert_string_equal(r.err, "");
	run_free(&r);
	for (size_t i = 0; i < 4; i++) {
		char png[32];

		snprintf(png, sizeof(png), "%.*s.png",
			 (int)(strlen(svgs[i]) - 4), svgs[i]);
		assert_png("all", png);
	}
	t = svg_text("all", "rounds.svg");
	assert_non_null(t);
	assert_non_null(strstr(t, "auto: pages sent"));
	assert_non_null(strstr(t, "manual: redundant pages"));
	free(t);
	t = svg_text("all", "sweep.svg");
	assert_non_null(t);
	assert_non_null(strstr(t, "against chunk"));
	assert_non_null(strstr(t, "1MiB"));
	assert_non_null(strstr(t, "manual: migration ms"));
	free(t);
	t = svg_text("all", "latency.svg");
	assert_non_null(t);
	/* The operations with latencies, not the size histogram. */
	assert_non_null(strstr(t, "read_clear"));
	assert_non_null(strstr(t, "walk"));
	assert_null(strstr(t, "|map|"));
	free(t);
	t = svg_text("all", "iotlb.svg");
	assert_non_null(t);
	assert_non_null(strstr(t, "IOTLB invalidations per round"));
	free(t);
}

static void bad_input_one_line(void **state)
{
	struct run r;

	(void)state;
	assert_int_equal(plot("missing", &r), 1);
	assert_int_equal(count_lines(r.err), 1);
	assert_non_null(strstr(r.err, "not a folder"));
	run_free(&r);
	put("empty", "runs.csv", "run\n1\n");
	assert_int_equal(plot("empty", &r), 1);
	assert_int_equal(count_lines(r.err), 1);
	assert_non_null(strstr(r.err, "nothing to plot"));
	run_free(&r);
	put("bad", "rounds.csv", "run,strategy\n1,auto,9\n");
	assert_int_equal(plot("bad", &r), 1);
	assert_int_equal(count_lines(r.err), 1);
	assert_non_null(strstr(r.err, "rounds.csv:2"));
	run_free(&r);
	put("nocol", "rounds.csv", "run,strategy\n1,auto\n");
	assert_int_equal(plot("nocol", &r), 1);
	assert_non_null(strstr(r.err, "no column 'round'"));
	run_free(&r);
}

static int setup(void **state)
{
	(void)state;
	return tmpdir_create(dir);
}

static int teardown(void **state)
{
	(void)state;
	return tmpdir_remove(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(images_with_expected_series),
		cmocka_unit_test(bad_input_one_line),
	};

	return cmocka_run_group_tests_name("plot_host", tests, setup, teardown);
}
