// SPDX-License-Identifier: GPL-2.0
/*
 * dirtyscope plot on CSVs the test writes: every image exists as a valid
 * PNG and SVG, one quantity per panel, and each panel's axes (its tick
 * labels in the SVG) fit its own data: round 0 left out of the rounds,
 * no second y axis on the sweep, a panel per operation for latency.
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

/* The SVG file itself, to look at how gnuplot drew it. */
static char *svg_raw(const char *sub, const char *name)
{
	char path[256], *buf;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/%s/%s", dir, sub, name);
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, n + 1);
	if (buf && fread(buf, 1, n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/*
 * The text gnuplot draws for one panel: from the '|' that ends `prev` (the
 * title of the panel before, or of the whole image) to this panel's `title`.
 * gnuplot writes a panel's tick labels, axis labels and key first and its
 * title last. title starts with its '|', which the text returned ends
 * with. NULL when the titles are not there in this order.
 */
static char *panel(const char *t, const char *prev, const char *title)
{
	const char *a = strstr(t, prev), *b;

	if (!a)
		return NULL;
	a += strlen(prev) - 1;
	b = strstr(a, title);
	return b ? strndup(a, b - a + 1) : NULL;
}

static int count(const char *t, const char *s)
{
	int n = 0;

	for (; (t = strstr(t, s)); t += strlen(s))
		n++;
	return n;
}

static void assert_image(const char *sub, const char *name)
{
	char path[256], png[32];

	snprintf(png, sizeof(png), "%s.png", name);
	assert_png(sub, png);
	snprintf(path, sizeof(path), "%s/%s/.%s.png.tmp", dir, sub, name);
	assert_int_not_equal(access(path, F_OK), 0);
	snprintf(path, sizeof(path), "%s/%s/.%s.svg.tmp", dir, sub, name);
	assert_int_not_equal(access(path, F_OK), 0);
}

static void assert_no_image(const char *sub, const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s/%s.png", dir, sub, name);
	assert_int_not_equal(access(path, F_OK), 0);
	snprintf(path, sizeof(path), "%s/%s/%s.svg", dir, sub, name);
	assert_int_not_equal(access(path, F_OK), 0);
}

static void plot_ok(const char *sub)
{
	struct run r;

	assert_int_equal(plot(sub, &r), 0);
	assert_string_equal(r.err, "");
	run_free(&r);
}

/* Round 0 (every page) stated, not drawn: the axes fit rounds 1 and on. */
static void rounds_without_round_0(void **state)
{
	char *t, *pt;

	(void)state;
	put("rounds", "rounds.csv",
	    "run,strategy,round,pages_sent,pages_redundant,"
	    "iotlb_invalidations\n"
	    "1,auto,0,100,0,3\n1,auto,1,40,5,2\n1,auto,2,10,4,1\n"
	    "2,manual,0,100,0,3\n2,manual,1,35,1,6\n"
	    "3,auto,0,100,0,3\n3,auto,1,90,80,70\n");
	plot_ok("rounds");
	assert_image("rounds", "rounds");
	assert_image("rounds", "iotlb");
	t = svg_text("rounds", "rounds.svg");
	assert_non_null(t);
	assert_non_null(strstr(t, "round 0 (the full copy) not shown: auto "
				  "100, manual 100 pages sent|"));
	/* Two panels, auto and manual in each. */
	pt = panel(t, "pages sent|", "|pages sent per round|");
	assert_non_null(pt);
	assert_non_null(strstr(pt, "|auto|"));
	assert_non_null(strstr(pt, "|manual|"));
	/* x from round 1; y to 40-odd, not to round 0's 100 or run 3's 90. */
	assert_non_null(strstr(pt, "|1|2|pages|"));
	assert_null(strstr(pt, "|0|1|2|pages|"));
	assert_non_null(strstr(pt, "|40|"));
	assert_null(strstr(pt, "|100|"));
	assert_null(strstr(pt, "|90|"));
	free(pt);
	pt = panel(t, "|pages sent per round|",
		   "|redundant pages per round (sent again, not written "
		   "since)");
	assert_non_null(pt);
	assert_non_null(strstr(pt, "|auto|"));
	assert_non_null(strstr(pt, "|manual|"));
	assert_null(strstr(pt, "|80|"));
	free(pt);
	free(t);
	t = svg_text("rounds", "iotlb.svg");
	assert_non_null(t);
	assert_non_null(strstr(t, "|IOTLB invalidations per round (first run "
				  "of each strategy; round 0 not shown: auto "
				  "3, manual 3)"));
	assert_non_null(strstr(t, "|6|"));
	assert_null(strstr(t, "|70|"));
	free(t);
}

/* Pages sent, redundant % and migration time: a panel each, one y axis. */
static void sweep_one_quantity_per_panel(void **state)
{
	char *t, *pt;

	(void)state;
	put("sweep", "sweep.csv",
	    "param,value,strategy,pages_sent,redundant_pct,migration_ns\n"
	    "chunk,1048576,auto,150,5.1,5000000\n"
	    "chunk,1048576,manual,135,3.0,4500000\n"
	    "chunk,16777216,auto,150,5.2,5000000\n"
	    "chunk,16777216,manual,145,4.9,4900000\n");
	plot_ok("sweep");
	assert_image("sweep", "sweep");
	t = svg_text("sweep", "sweep.svg");
	assert_non_null(t);
	assert_non_null(strstr(t, "|Auto vs manual clear against chunk"));
	pt = panel(t, "95 % CI)|", "|pages sent|");
	assert_non_null(pt);
	/* Ticks at the swept values, in bytes; pages only on this axis. */
	assert_non_null(strstr(pt, "|1MiB|16MiB|pages|"));
	assert_null(strstr(pt, "4MiB"));
	assert_non_null(strstr(pt, "|auto|"));
	assert_non_null(strstr(pt, "|manual|"));
	assert_null(strstr(pt, "ms"));
	free(pt);
	pt = panel(t, "|pages sent|", "|redundant sends (% of pages sent)|");
	assert_non_null(pt);
	assert_non_null(strstr(pt, "|%|"));
	free(pt);
	pt = panel(t, "|redundant sends (% of pages sent)|", "|migration time");
	assert_non_null(pt);
	assert_non_null(strstr(pt, "|ms|chunk|"));
	assert_non_null(strstr(pt, "|manual|"));
	free(pt);
	/* The old combined plot: a second axis and its legend entries. */
	assert_null(strstr(t, "migration time (ms)"));
	assert_null(strstr(t, "migration ms"));
	free(t);
	/* A second y axis has its tick labels right of the plot, the only
	 * text gnuplot anchors at its start. */
	t = svg_raw("sweep", "sweep.svg");
	assert_non_null(t);
	assert_null(strstr(t, "text-anchor=\"start\""));
	free(t);
}

/* One panel per operation with latencies, each to its own scale. */
static void latency_one_panel_per_operation(void **state)
{
	char *t, *pt;

	(void)state;
	put("latency", "histograms.csv",
	    "op,kind,bucket_low,bucket_high,count\n"
	    "map,size_bytes,4096,4223,700\n"
	    "map_call,latency_ns,1024,1055,200\n"
	    "map_call,latency_ns,1088,1119,500\n"
	    "sync_noclear,latency_ns,49152,50175,2\n"
	    "sync_noclear,latency_ns,53248,54271,1\n"
	    "read_clear,latency_ns,688,703,1\n"
	    "read_clear,latency_ns,5000,5119,3\n"
	    "walk,latency_ns,900,927,2\n");
	plot_ok("latency");
	assert_image("latency", "latency");
	t = svg_text("latency", "latency.svg");
	assert_non_null(t);
	pt = panel(t, "its own scale)|", "|map_call (700 calls)|");
	assert_non_null(pt);
	assert_non_null(strstr(pt, "|500|"));
	free(pt);
	/* Three dirty reads on a scale of three, not of map_call's 500. */
	pt = panel(t, "|map_call (700 calls)|", "|sync_noclear (3 calls)|");
	assert_non_null(pt);
	assert_non_null(strstr(pt, "|0|1|2|"));
	assert_null(strstr(pt, "500"));
	assert_non_null(strstr(pt, "us|"));
	free(pt);
	pt = panel(t, "|sync_noclear (3 calls)|", "|read_clear (4 calls)|");
	assert_non_null(pt);
	assert_null(strstr(pt, "500"));
	free(pt);
	pt = panel(t, "|read_clear (4 calls)|", "|walk (2 calls)");
	assert_non_null(pt);
	free(pt);
	assert_int_equal(count(t, "calls)"), 4);
	/* map has sizes only; unmap_call is not in the file. */
	assert_null(strstr(t, "map ("));
	assert_null(strstr(t, "unmap_call"));
	free(t);
}

/* bench --no-trace on real hardware: no invalidations, no redundancy.
 * Panels and images for what is there, none left empty. */
static void missing_quantities_no_empty_panels(void **state)
{
	char *t;

	(void)state;
	put("notrace", "rounds.csv",
	    "run,strategy,round,pages_sent,pages_redundant,"
	    "iotlb_invalidations\n"
	    "1,auto,0,100,,\n1,auto,1,40,,\n2,manual,0,100,,\n"
	    "2,manual,1,30,,\n");
	put("notrace", "sweep.csv",
	    "param,value,strategy,pages_sent,redundant_pct,migration_ns\n"
	    "rate,10000,auto,150,,5000000\nrate,10000,manual,140,,4000000\n"
	    "rate,20000,auto,160,,6000000\n");
	put("notrace", "histograms.csv",
	    "op,kind,bucket_low,bucket_high,count\n"
	    "map,size_bytes,4096,4223,2\n");
	plot_ok("notrace");
	assert_image("notrace", "rounds");
	assert_image("notrace", "sweep");
	assert_no_image("notrace", "iotlb");
	assert_no_image("notrace", "latency");
	t = svg_text("notrace", "rounds.svg");
	assert_non_null(t);
	assert_non_null(strstr(t, "|pages sent per round"));
	assert_null(strstr(t, "redundant"));
	free(t);
	t = svg_text("notrace", "sweep.svg");
	assert_non_null(t);
	assert_non_null(strstr(t, "|10000|20000|pages|"));
	assert_non_null(strstr(t, "|ms|rate (pages/s)|"));
	assert_null(strstr(t, "redundant"));
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
	/* Numbers reach the script as numbers or not at all. */
	put("nan", "sweep.csv",
	    "param,value,strategy,pages_sent,migration_ns\n"
	    "chunk,1048576,auto,\"150\nEOD\",5000000\n");
	assert_int_equal(plot("nan", &r), 1);
	assert_int_equal(count_lines(r.err), 1);
	assert_non_null(strstr(r.err, "sweep.csv:2: column 'pages_sent'"));
	assert_non_null(strstr(r.err, "is not a number"));
	run_free(&r);
	assert_no_image("nan", "sweep");
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
		cmocka_unit_test(rounds_without_round_0),
		cmocka_unit_test(sweep_one_quantity_per_panel),
		cmocka_unit_test(latency_one_panel_per_operation),
		cmocka_unit_test(missing_quantities_no_empty_panels),
		cmocka_unit_test(bad_input_one_line),
	};

	return cmocka_run_group_tests_name("plot_host", tests, setup, teardown);
}
