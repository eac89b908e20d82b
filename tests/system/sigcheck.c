// SPDX-License-Identifier: GPL-2.0
/* The checks of the signal tests; see sigcheck.h. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include <cmocka.h>
#include "sigcheck.h"
#include "trace.skel.h"

uint64_t ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ull + ts.tv_nsec / 1000000;
}

void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

void assert_no_temp_files(const char *path)
{
	struct dirent *d;
	DIR *dh = opendir(path);

	if (!dh)
		return;
	while ((d = readdir(dh)))
		if (d->d_name[0] == '.' && strcmp(d->d_name, ".") &&
		    strcmp(d->d_name, ".."))
			fail_msg("temp file %s/%s left behind", path,
				 d->d_name);
	closedir(dh);
}

bool file_in(const char *dir, const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}

/*
 * The kernel keeps 15 characters of a program's name; bpftool is the host
 * root's, seen by the guest.
 */
int our_bpf_progs(void)
{
	const char *argv[] = { "/usr/sbin/bpftool", "prog", "show", NULL };
	struct trace_bpf *skel = trace_bpf__open();
	struct bpf_program *prog;
	struct run r;
	int n = 0;

	assert_non_null(skel);
	assert_int_equal(run_sync(&r, RUN_AS_ROOT, argv, 60), 0);
	bpf_object__for_each_program (prog, skel->obj) {
		char want[32];

		snprintf(want, sizeof(want), " name %.15s ",
			 bpf_program__name(prog));
		for (const char *p = r.out; (p = strstr(p, want)); p++)
			n++;
	}
	run_free(&r);
	trace_bpf__destroy(skel);
	return n;
}

bool died_early(const struct run *r, int sig, const char *csvdir)
{
	return r->status == 128 + sig && !*r->err && dir_entries(csvdir) <= 0;
}
