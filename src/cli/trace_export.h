/* SPDX-License-Identifier: GPL-2.0 */
/*
 * trace's counts for Prometheus while it traces: served on /metrics
 * (--metrics ADDR:PORT, loopback unless an address is given) and/or
 * rewritten atomically into a file for node_exporter's textfile collector
 * (--textfile FILE, every interval, 10 s without one, and at the end).
 * Each scrape or write reads the kernel's counts first, so it is current.
 */
#ifndef DIRTYSCOPE_TRACE_EXPORT_H
#define DIRTYSCOPE_TRACE_EXPORT_H

#include <stdbool.h>
#include <stdint.h>
#include "http_serve.h"
#include "report_output.h"
#include "tracer.h"

struct trace_export {
	struct http_server http;
	const char *textfile; /* NULL: none */
	uint64_t every_ns, next_ns;
	struct tracer *t;
	struct trace_report *r;
	struct trace_snapshot *snap;
};

/* Listen, and check the file can be written (both may be NULL); before
 * the tracer is open. 0, or -errno after one error line. */
int trace_export_open(struct trace_export *x, const char *listen,
		      const char *textfile, uint64_t every_ns, struct tracer *t,
		      struct trace_report *r, struct trace_snapshot *snap);
/* Answer pending scrapes; rewrite the file when due. 0, or -errno after
 * one error line (the file or the BPF maps could not be written or read):
 * trace ends on it. */
int trace_export_poll(struct trace_export *x, uint64_t now_ns);
/* The file's last version. 0, or -errno after one error line. */
int trace_export_finish(struct trace_export *x);
void trace_export_close(struct trace_export *x);

#endif
