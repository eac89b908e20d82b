// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "parse.h"
#include "schedule.h"

static int add(struct schedule *s, const struct sched_entry *e)
{
	struct sched_entry *n = realloc(s->e, (s->n + 1) * sizeof(*n));

	if (!n)
		return -ENOMEM;
	s->e = n;
	s->e[s->n++] = *e;
	return 0;
}

static int parse_entry(char *entry, uint64_t npages, struct schedule *s)
{
	char *at = strchr(entry, '@'), *colon, *range, *save = NULL;
	struct sched_entry e = {};
	unsigned int ranges = 0;
	uint64_t round;
	int err;

	if (!at)
		return -EINVAL;
	*at = '\0';
	colon = strchr(at + 1, ':');
	if (!colon)
		return -EINVAL;
	*colon = '\0';
	if (parse_u64(entry, &round) || round > 1000000)
		return -EINVAL;
	e.round = round;
	if (!strcmp(at + 1, "sync"))
		e.point = SCHED_SYNC;
	else if (!strcmp(at + 1, "send"))
		e.point = SCHED_SEND;
	else
		return -EINVAL;
	for (range = strtok_r(colon + 1, ",", &save); range;
	     range = strtok_r(NULL, ",", &save)) {
		char *dash = strchr(range, '-');

		if (dash)
			*dash = '\0';
		if (parse_u64(range, &e.first) ||
		    (dash ? parse_u64(dash + 1, &e.last)
			  : (e.last = e.first, 0)))
			return -EINVAL;
		if (e.first > e.last || e.last >= npages)
			return -ERANGE;
		err = add(s, &e);
		if (err)
			return err;
		ranges++;
	}
	return ranges ? 0 : -EINVAL;
}

int schedule_parse(const char *spec, uint64_t npages, struct schedule *s)
{
	char *copy, *entry, *save = NULL;
	int err = 0;

	memset(s, 0, sizeof(*s));
	if (!spec || !*spec)
		return -EINVAL;
	copy = strdup(spec);
	if (!copy)
		return -ENOMEM;
	for (entry = strtok_r(copy, ";", &save); entry && !err;
	     entry = strtok_r(NULL, ";", &save))
		err = parse_entry(entry, npages, s);
	free(copy);
	if (!err && !s->n)
		err = -EINVAL;
	if (err)
		schedule_free(s);
	return err;
}

void schedule_free(struct schedule *s)
{
	free(s->e);
	s->e = NULL;
	s->n = 0;
}
