// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "backend.h"
#include "bitmap.h"
#include "clock.h"
#include "migration.h"
#include "page_log.h"
#include "schedule.h"
#include "writer.h"

struct mig {
	struct backend *b;
	struct writer *w;
	struct page_log *log;
	const struct mig_config *cfg;
	struct mig_result *res;
	uint64_t npages;
	uint64_t *dirty; /* the round's sync */
	uint64_t *chunk; /* one chunk's read-and-clear */
	/* Per page: when the last read-and-clear covering it began (ns), and
	 * whether its last report came only from its IOPTE's other pages. */
	uint64_t *cleared;
	uint64_t *by_neighbour;
	uint64_t link_free_ns; /* when the modelled link is idle again */
	const char *failed;
};

static void sleep_until(uint64_t t)
{
	uint64_t now = now_ns();
	struct timespec ts;

	if (t <= now)
		return;
	ts.tv_sec = (t - now) / 1000000000;
	ts.tv_nsec = (t - now) % 1000000000;
	nanosleep(&ts, NULL);
}

/* Send page: occupy the link for page_size / bandwidth, then count it. The
 * link does not bank idle time: a round that starts late starts now. */
static void send_page(struct mig *m, uint64_t page, struct mig_round *r)
{
	uint64_t now = now_ns();
	double ns = m->b->page_size * 1e9 / m->cfg->bandwidth;

	if (m->link_free_ns < now)
		m->link_free_ns = now;
	m->link_free_ns += (uint64_t)ns;
	/* Sleep in slices of >= 1 ms: finer sleeps cost more than a page. */
	if (m->link_free_ns > now + 1000000)
		sleep_until(m->link_free_ns);
	r->pages_sent++;
	if (!page_log_send(m->log, page, now_ns()))
		return;
	r->pages_redundant++;
	if (bitmap_test_bit(m->by_neighbour, page))
		r->pages_granularity++;
}

static bool interrupted(const struct mig *m)
{
	return m->cfg->interrupted && *m->cfg->interrupted;
}

static int send_bitmap(struct mig *m, const uint64_t *map, uint64_t first,
		       uint64_t n, struct mig_round *r)
{
	uint64_t i;

	for (i = 0; i < n; i++) {
		if (!bitmap_test_bit(map, i))
			continue;
		if (interrupted(m)) {
			m->failed = "interrupted";
			return -EINTR;
		}
		send_page(m, first + i, r);
	}
	return 0;
}

/* The schedule's writes for this point of this round, done now. */
static int scheduled_writes(struct mig *m, unsigned int round,
			    enum sched_point point)
{
	const struct schedule *s = m->cfg->sched;
	uint64_t p, ts;
	unsigned int i;
	bool any = false;
	int err;

	if (!s)
		return 0;
	memset(m->chunk, 0, bitmap_words(m->npages) * 8);
	for (i = 0; i < s->n; i++) {
		if (s->e[i].round != round || s->e[i].point != point)
			continue;
		for (p = s->e[i].first; p <= s->e[i].last; p++)
			bitmap_set_bit(m->chunk, p);
		any = true;
	}
	if (!any)
		return 0;
	ts = now_ns();
	for (p = 0; p < m->npages; p++)
		if (bitmap_test_bit(m->chunk, p))
			page_log_begin(m->log, p, ts);
	err = m->b->ops->write(m->b, m->b->iova, m->b->length, m->chunk);
	if (err) {
		m->failed = m->b->failed;
		return err;
	}
	ts = now_ns();
	for (p = 0; p < m->npages; p++)
		if (bitmap_test_bit(m->chunk, p))
			page_log_write(m->log, p, ts);
	return 0;
}

/*
 * The ground truth's view of a read that began at t0: of the pages it
 * reported, those written since their last clear (the device's own), and
 * the rest, reported because their IOPTE holds a written page. A clearing
 * read then makes t0 the last clear of every page in its range.
 */
static void account_read(struct mig *m, const uint64_t *map, uint64_t first,
			 uint64_t n, bool clear, uint64_t t0,
			 struct mig_round *r)
{
	uint64_t i, p;

	for (i = 0; i < n; i++) {
		if (!bitmap_test_bit(map, i))
			continue;
		p = first + i;
		if (page_log_written_after(m->log, p, m->cleared[p])) {
			r->received_written++;
			bitmap_clear_bit(m->by_neighbour, p);
		} else {
			bitmap_set_bit(m->by_neighbour, p);
		}
	}
	if (clear)
		for (i = 0; i < n; i++)
			m->cleared[first + i] = t0;
}

static int read_range(struct mig *m, uint64_t *map, uint64_t first, uint64_t n,
		      bool clear, struct mig_round *r, struct hist *lat,
		      uint64_t *ns)
{
	struct backend *b = m->b;
	uint64_t t0, dt;
	int err;

	memset(map, 0, bitmap_words(n) * 8);
	t0 = now_ns();
	err = b->ops->read(b, b->iova + first * b->page_size, n * b->page_size,
			   clear, map);
	dt = now_ns() - t0;
	if (err) {
		m->failed = b->failed;
		return err;
	}
	hist_add(lat, dt);
	*ns += dt;
	r->received_pages += bitmap_weight(map, n);
	account_read(m, map, first, n, clear, t0, r);
	return 0;
}

static struct mig_round *new_round(struct mig *m, unsigned int round)
{
	struct mig_result *res = m->res;
	struct mig_round *r;

	r = realloc(res->rounds, (res->nrounds + 1) * sizeof(*r));
	if (!r)
		return NULL;
	res->rounds = r;
	r = &res->rounds[res->nrounds++];
	memset(r, 0, sizeof(*r));
	r->round = round;
	return r;
}

/* Manual strategy: read and clear each chunk right before sending it, and
 * send what the chunk read returns as well as what the sync reported. */
static int send_chunked(struct mig *m, struct mig_round *r)
{
	uint64_t per = m->cfg->chunk_bytes / m->b->page_size, first, n, i;
	int err;

	if (!per)
		per = 1;
	for (first = 0; first < m->npages; first += per) {
		n = first + per > m->npages ? m->npages - first : per;
		err = read_range(m, m->chunk, first, n, true, r,
				 &m->res->clear_lat, &r->clear_ns);
		if (err)
			return err;
		r->clear_calls++;
		for (i = 0; i < n; i++)
			if (bitmap_test_bit(m->dirty, first + i))
				bitmap_set_bit(m->chunk, i);
		err = send_bitmap(m, m->chunk, first, n, r);
		if (err)
			return err;
	}
	return 0;
}

static void round_done(struct mig *m, struct mig_round *r, uint64_t t0,
		       const struct mig_hooks *hooks)
{
	struct mig_result *res = m->res;

	r->round_ns = now_ns() - t0;
	if (hooks && hooks->round_end)
		hooks->round_end(hooks->ctx, r);
	res->pages_sent += r->pages_sent;
	res->pages_redundant += r->pages_redundant;
	res->pages_granularity += r->pages_granularity;
	res->received_written += r->received_written;
	res->syncs += r->syncs;
	res->clear_calls += r->clear_calls;
	res->received_pages += r->received_pages;
	res->iotlb_invalidations += r->iotlb_invalidations;
	res->iotlb_ns += r->iotlb_ns;
	res->kernel_reads += r->kernel_reads;
	res->kernel_dirty_pages += r->kernel_dirty_pages;
	res->lost_events += r->lost_events;
}

static int run(struct mig *m, const struct mig_hooks *hooks)
{
	const struct mig_config *cfg = m->cfg;
	uint64_t start = now_ns(), t0, down0, p;
	struct mig_round *r;
	unsigned int round;
	bool final = false;
	int err;

	/* Round 0: everything, once. */
	r = new_round(m, 0);
	if (!r)
		return -ENOMEM;
	err = scheduled_writes(m, 0, SCHED_SEND);
	if (err)
		return err;
	for (p = 0; p < m->npages; p++) {
		if (interrupted(m)) {
			m->failed = "interrupted";
			return -EINTR;
		}
		send_page(m, p, r);
	}
	round_done(m, r, start, hooks);

	for (round = 1; !final; round++) {
		t0 = now_ns();
		r = new_round(m, round);
		if (!r)
			return -ENOMEM;
		err = scheduled_writes(m, round, SCHED_SYNC);
		if (!err)
			err = read_range(m, m->dirty, 0, m->npages,
					 cfg->strategy == STRATEGY_AUTO, r,
					 &m->res->sync_lat, &r->sync_ns);
		if (err)
			return err;
		r->syncs++;
		r->dirty_reported = bitmap_weight(m->dirty, m->npages);
		err = scheduled_writes(m, round, SCHED_SEND);
		if (err)
			return err;
		final = round >= cfg->max_rounds ||
			r->dirty_reported * m->b->page_size * 1e9 /
					cfg->bandwidth <=
				cfg->downtime_ns;
		if (!final) {
			if (cfg->strategy == STRATEGY_AUTO)
				err = send_bitmap(m, m->dirty, 0, m->npages, r);
			else
				err = send_chunked(m, r);
			if (err)
				return err;
			round_done(m, r, t0, hooks);
			continue;
		}
		/* Stop and copy: the device stops, one last read-and-clear
		 * decides what is left; everything from here is downtime. */
		r->final = true;
		if (m->w)
			writer_pause(m->w);
		down0 = now_ns();
		err = read_range(m, m->chunk, 0, m->npages, true, r,
				 &m->res->sync_lat, &r->sync_ns);
		if (err)
			return err;
		r->syncs++;
		for (p = 0; p < bitmap_words(m->npages); p++)
			m->chunk[p] |= m->dirty[p];
		err = send_bitmap(m, m->chunk, 0, m->npages, r);
		if (err)
			return err;
		sleep_until(m->link_free_ns);
		m->res->downtime_ns = now_ns() - down0;
		round_done(m, r, t0, hooks);
	}
	m->res->migration_ns = now_ns() - start;
	return 0;
}

int migrate(struct backend *b, struct writer *w, struct page_log *log,
	    const struct mig_config *cfg, const struct mig_hooks *hooks,
	    struct mig_result *res, const char **failed)
{
	struct mig m = {
		.b = b,
		.w = w,
		.log = log,
		.cfg = cfg,
		.res = res,
		.npages = backend_pages(b),
	};
	int err;

	memset(res, 0, sizeof(*res));
	hist_init(&res->sync_lat);
	hist_init(&res->clear_lat);
	m.dirty = calloc(bitmap_words(m.npages), 8);
	m.chunk = calloc(bitmap_words(m.npages), 8);
	m.by_neighbour = calloc(bitmap_words(m.npages), 8);
	m.cleared = calloc(m.npages, sizeof(*m.cleared));
	if (!m.dirty || !m.chunk || !m.by_neighbour || !m.cleared) {
		m.failed = "allocating bitmaps";
		err = -ENOMEM;
	} else {
		err = run(&m, hooks);
	}
	if (err && !m.failed)
		m.failed = "allocating round records";
	if (failed)
		*failed = m.failed;
	free(m.dirty);
	free(m.chunk);
	free(m.by_neighbour);
	free(m.cleared);
	return err;
}

void mig_result_free(struct mig_result *res)
{
	free(res->rounds);
	res->rounds = NULL;
	res->nrounds = 0;
}
