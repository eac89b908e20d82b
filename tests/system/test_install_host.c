// SPDX-License-Identifier: GPL-2.0
/*
 * make install with PREFIX and DESTDIR puts the binary, the man page and the
 * docs where a packager expects them, and what it installed works.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "syshelp.h"

static char dir[] = "/tmp/ds-install-XXXXXX";

static void installs_binary_man_page_and_docs(void **state)
{
	char destdir[128], path[256];
	const char *make[] = { "make",	      "-s",    "install",
			       "PREFIX=/usr", destdir, NULL };
	const char *files[] = { "usr/sbin/dirtyscope",
				"usr/share/man/man8/dirtyscope.8",
				"usr/share/doc/dirtyscope/csv.md",
				"usr/share/doc/dirtyscope/bench.md",
				"usr/share/doc/dirtyscope/examples/"
				"dirtyscope-trace.service" };
	const char *version[] = { path, "--version", NULL };
	const char *man[] = { "groff",	 "-man", "-Tutf8", "-ww",
			      "-P-cbou", path,	 NULL };
	struct stat st;
	struct run r;

	(void)state;
	snprintf(destdir, sizeof(destdir), "DESTDIR=%s", dir);
	assert_int_equal(run_sync(&r, RUN_AS_ROOT, make, 120), 0);
	run_free(&r);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		if (stat(path, &st))
			fail_msg("not installed: %s", files[i]);
	}
	snprintf(path, sizeof(path), "%s/usr/sbin/dirtyscope", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_true(st.st_mode & S_IXUSR);
	assert_int_equal(run_sync(&r, RUN_AS_ROOT, version, 10), 0);
	assert_non_null(strstr(r.out, "dirtyscope "));
	run_free(&r);
	/* The man page renders without a single groff warning. */
	snprintf(path, sizeof(path), "%s/usr/share/man/man8/dirtyscope.8", dir);
	assert_int_equal(run_sync(&r, RUN_AS_ROOT, man, 30), 0);
	assert_string_equal(r.err, "");
	assert_non_null(strstr(r.out, "OVERHEAD"));
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
		cmocka_unit_test(installs_binary_man_page_and_docs),
	};

	return cmocka_run_group_tests_name("install_host", tests, setup,
					   teardown);
}
