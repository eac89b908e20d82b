// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "backend.h"
#include "bitmap.h"
#include "clock.h"
#include "page_log.h"
#include "workload.h"
#include "writer.h"

/* At most this many pages per write ioctl: keeps a burst from holding the
 * backend for long while the loop waits to sync. */
#define MAX_BATCH 4096
#define TICK_NS	  1000000

static void sleep_ns(uint64_t ns)
{
	struct timespec ts = { ns / 1000000000, ns % 1000000000 };

	nanosleep(&ts, NULL);
}

/* Wait while paused; returns false when asked to stop. Paused time is
 * added to *paused_ns so that it does not count towards the rate. */
static bool wait_running(struct writer *w, uint64_t *paused_ns)
{
	uint64_t t0 = 0;
	bool run;

	pthread_mutex_lock(&w->lock);
	while (w->paused && !w->stop) {
		if (!w->idle) {
			w->idle = true;
			t0 = now_ns();
			pthread_cond_broadcast(&w->cond);
		}
		pthread_cond_wait(&w->cond, &w->lock);
	}
	if (w->idle) {
		w->idle = false;
		*paused_ns += now_ns() - t0;
	}
	run = !w->stop;
	pthread_mutex_unlock(&w->lock);
	return run;
}

static void *writer_main(void *arg)
{
	struct writer *w = arg;
	struct backend *b = w->b;
	uint64_t start = now_ns(), paused_ns = 0, done = 0;

	/* A name of its own, so that ps -L, top -H and perf, and anything
	 * that aims at one thread through /proc/PID/task/TID, can tell the
	 * device from the migration loop. */
	pthread_setname_np(pthread_self(), "ds-writer");
	while (wait_running(w, &paused_ns)) {
		double due = w->rate * (now_ns() - start - paused_ns) / 1e9;
		uint64_t n, i, ts;
		int err;

		if (due < done + 1) {
			sleep_ns(TICK_NS);
			continue;
		}
		n = (uint64_t)due - done;
		if (n > MAX_BATCH)
			n = MAX_BATCH;
		workload_next(w->wl, w->batch, n);
		ts = now_ns();
		for (i = 0; i < n; i++) {
			bitmap_set_bit(w->bitmap, w->batch[i]);
			page_log_begin(w->log, w->batch[i], ts);
		}
		err = b->ops->write(b, b->iova, b->length, w->bitmap);
		ts = now_ns();
		for (i = 0; i < n; i++) {
			w->bitmap[w->batch[i] / 64] = 0;
			if (!err)
				page_log_write(w->log, w->batch[i], ts);
		}
		if (err) {
			pthread_mutex_lock(&w->lock);
			w->err = err;
			w->failed = b->failed;
			w->stop = true;
			pthread_mutex_unlock(&w->lock);
			break;
		}
		done += n;
		/* Always leave the device to the migration loop for a tick:
		 * a writer that falls behind its rate would otherwise issue
		 * write after write and starve the loop's reads (the mock
		 * backend serialises them). Batches grow to keep the rate. */
		sleep_ns(TICK_NS);
	}
	pthread_mutex_lock(&w->lock);
	w->idle = true;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

int writer_start(struct writer *w, struct backend *b, struct workload *wl,
		 struct page_log *log, double rate)
{
	memset(w, 0, sizeof(*w));
	w->b = b;
	w->wl = wl;
	w->log = log;
	w->rate = rate;
	w->bitmap = calloc(bitmap_words(backend_pages(b)), sizeof(uint64_t));
	w->batch = calloc(MAX_BATCH, sizeof(uint64_t));
	if (!w->bitmap || !w->batch)
		goto nomem;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	if (pthread_create(&w->thread, NULL, writer_main, w)) {
		pthread_mutex_destroy(&w->lock);
		pthread_cond_destroy(&w->cond);
		goto nomem;
	}
	return 0;
nomem:
	free(w->bitmap);
	free(w->batch);
	w->bitmap = w->batch = NULL;
	return -ENOMEM;
}

void writer_pause(struct writer *w)
{
	pthread_mutex_lock(&w->lock);
	w->paused = true;
	while (!w->idle && !w->stop)
		pthread_cond_wait(&w->cond, &w->lock);
	pthread_mutex_unlock(&w->lock);
}

void writer_resume(struct writer *w)
{
	pthread_mutex_lock(&w->lock);
	w->paused = false;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

int writer_stop(struct writer *w)
{
	if (!w->bitmap)
		return 0;
	pthread_mutex_lock(&w->lock);
	w->stop = true;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->cond);
	free(w->bitmap);
	free(w->batch);
	w->bitmap = w->batch = NULL;
	return w->err;
}
