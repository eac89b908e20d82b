// SPDX-License-Identifier: GPL-2.0
/*
 * schedule_parse for a mapping of FUZZ_PAGES pages: what it accepts is in
 * range, and written back out as a spec it parses to the same entries.
 */
#include <errno.h>
#include "fuzz.h"
#include "schedule.h"

#define FUZZ_PAGES 8192 /* 16 MiB of 2 KiB mock pages */

static void check_entries(const struct schedule *s)
{
	CHECK(s->n > 0 && s->e);
	for (unsigned int i = 0; i < s->n; i++) {
		const struct sched_entry *e = &s->e[i];

		CHECK(e->point == SCHED_SYNC || e->point == SCHED_SEND);
		CHECK(e->round <= 1000000);
		CHECK(e->first <= e->last && e->last < FUZZ_PAGES);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *spec = fuzz_string(data, size), *canon;
	struct schedule s, again;
	size_t len = 0;
	FILE *f;
	int err = schedule_parse(spec, FUZZ_PAGES, &s);

	CHECK(err == 0 || err == -EINVAL || err == -ERANGE || err == -ENOMEM);
	if (err) {
		/* A failed parse leaves nothing to free. */
		CHECK(!s.e && !s.n);
		free(spec);
		return 0;
	}
	check_entries(&s);
	f = open_memstream(&canon, &len);
	CHECK(f);
	for (unsigned int i = 0; i < s.n; i++)
		fprintf(f, "%s%u@%s:%llu-%llu", i ? ";" : "", s.e[i].round,
			s.e[i].point == SCHED_SYNC ? "sync" : "send",
			(unsigned long long)s.e[i].first,
			(unsigned long long)s.e[i].last);
	fclose(f);
	CHECK(schedule_parse(canon, FUZZ_PAGES, &again) == 0);
	CHECK(again.n == s.n);
	CHECK(!memcmp(again.e, s.e, s.n * sizeof(*s.e)));
	/* The same spec for fewer pages than the last page named: -ERANGE. */
	for (unsigned int i = 0; i < s.n; i++) {
		struct schedule small;

		if (s.e[i].last == 0)
			continue;
		CHECK(schedule_parse(spec, s.e[i].last, &small) == -ERANGE);
		CHECK(!small.e && !small.n);
		break;
	}
	schedule_free(&again);
	schedule_free(&s);
	CHECK(!s.e && !s.n);
	free(canon);
	free(spec);
	return 0;
}
