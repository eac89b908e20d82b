/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The emulated device: a thread that keeps writing pages of the mapping at
 * `rate` pages per second (time spent paused does not count), in the order
 * a workload gives, through the backend's write op, and stamps every write
 * in the page log. Writes land while the migration loop syncs and sends:
 * that is where redundant transfers come from.
 */
#ifndef DIRTYSCOPE_WRITER_H
#define DIRTYSCOPE_WRITER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct backend;
struct workload;
struct page_log;

struct writer {
	struct backend *b;
	struct workload *wl;
	struct page_log *log;
	double rate; /* pages per second */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool paused; /* asked to pause */
	bool idle;   /* paused and no write in flight */
	bool stop;
	uint64_t *bitmap; /* one bit per page of the mapping */
	uint64_t *batch;
	int err;	    /* first write error, -errno */
	const char *failed; /* its step: the backend's b->failed then */
};

int writer_start(struct writer *w, struct backend *b, struct workload *wl,
		 struct page_log *log, double rate);
/* Returns once no write is in flight and none will start. */
void writer_pause(struct writer *w);
void writer_resume(struct writer *w);
/* Stop and join; returns the first write error (0 if none), whose step
 * is in w->failed. */
int writer_stop(struct writer *w);

#endif
