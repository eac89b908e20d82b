// SPDX-License-Identifier: GPL-2.0
/*
 * Replays one fuzz target's inputs without libFuzzer, as a cmocka test:
 * every file of tests/fuzz/regress/TARGET/ (inputs that once crashed or
 * broke an invariant) and tests/fuzz/corpus/TARGET/ (the seeds). Built
 * with ASan+UBSan beside the unit tests; TARGET comes from -DFUZZ_TARGET.
 * A failed invariant aborts the program, which tests/run.sh counts.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "fuzz.h"

/* Feed every regular file of dir to the target; the count replayed. */
static int replay_dir(const char *dir)
{
	char path[512];
	struct dirent *d;
	int n = 0;
	DIR *dh = opendir(dir);

	if (!dh)
		return 0;
	while ((d = readdir(dh))) {
		uint8_t buf[4096];
		size_t len;
		FILE *f;

		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		f = fopen(path, "rb");
		assert_non_null(f);
		len = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		LLVMFuzzerTestOneInput(buf, len);
		n++;
	}
	closedir(dh);
	return n;
}

static void regress(void **state)
{
	(void)state;
	/* May be empty: no crash found yet. */
	replay_dir("tests/fuzz/regress/" FUZZ_TARGET);
}

static void corpus(void **state)
{
	(void)state;
	assert_true(replay_dir("tests/fuzz/corpus/" FUZZ_TARGET) > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(regress),
		cmocka_unit_test(corpus),
	};

	return cmocka_run_group_tests_name("replay_" FUZZ_TARGET, tests, NULL,
					   NULL);
}
