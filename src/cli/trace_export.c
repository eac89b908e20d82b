// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <string.h>
#include "log.h"
#include "outfile.h"
#include "trace_export.h"

#define OPENMETRICS "application/openmetrics-text"

/* The numbers as of now; a failed read is kept by the tracer, and trace
 * ends on it at its next interval or at the end. */
static int refresh(struct trace_export *x)
{
	int err = tracer_snapshot(x->t, x->snap);

	if (!err)
		report_snapshot(x->r, x->snap);
	return err;
}

/* OpenMetrics for a scraper that asks for it, else the text format. */
static const char *scrape(void *ctx, const char *accept, FILE *f)
{
	struct trace_export *x = ctx;
	bool om = strstr(accept, OPENMETRICS) != NULL;

	if (refresh(x) || report_print_metrics(x->r, om, f))
		return NULL;
	return om ? OPENMETRICS "; version=1.0.0; charset=utf-8"
		  : "text/plain; version=0.0.4; charset=utf-8";
}

/* The textfile's temp file, beside it (dirname and basename of a copy). */
static int open_textfile(struct trace_export *x, struct outfile *o)
{
	char dirbuf[PATH_MAX], basebuf[PATH_MAX];

	snprintf(dirbuf, sizeof(dirbuf), "%s", x->textfile);
	snprintf(basebuf, sizeof(basebuf), "%s", x->textfile);
	return outfile_open(o, dirname(dirbuf), basename(basebuf));
}

static int write_textfile(struct trace_export *x)
{
	struct outfile o = {};
	int err;

	err = refresh(x);
	if (err) {
		ds_err("trace: reading the BPF maps failed: %s",
		       strerror(-err));
		return err;
	}
	err = open_textfile(x, &o);
	if (!err)
		err = report_print_metrics(x->r, false, o.f);
	if (!err)
		err = outfile_commit(&o);
	else
		outfile_abort(&o);
	if (err)
		ds_err("trace: writing %s failed: %s", x->textfile,
		       strerror(-err));
	return err;
}

int trace_export_open(struct trace_export *x, const char *listen,
		      const char *textfile, uint64_t every_ns, struct tracer *t,
		      struct trace_report *r, struct trace_snapshot *snap)
{
	struct outfile o;
	char err[160];
	int ret;

	memset(x, 0, sizeof(*x));
	x->http.fd = -1;
	x->textfile = textfile;
	x->every_ns = every_ns;
	x->t = t;
	x->r = r;
	x->snap = snap;
	if (listen) {
		ret = http_listen(&x->http, listen, "/metrics", err,
				  sizeof(err));
		if (ret) {
			ds_err("trace: --metrics: %s", err);
			return ret;
		}
	}
	/* A file that cannot be written says so before tracing starts. */
	if (textfile) {
		ret = open_textfile(x, &o);
		if (ret) {
			ds_err("trace: cannot write %s: %s", textfile,
			       strerror(-ret));
			http_close(&x->http);
			return ret;
		}
		outfile_abort(&o);
	}
	return 0;
}

int trace_export_poll(struct trace_export *x, uint64_t now_ns)
{
	http_serve_pending(&x->http, scrape, x);
	if (!x->textfile || now_ns < x->next_ns)
		return 0;
	/* The first poll writes at once, then every every_ns. */
	x->next_ns = (x->next_ns ? x->next_ns : now_ns) + x->every_ns;
	return write_textfile(x);
}

int trace_export_finish(struct trace_export *x)
{
	return x->textfile ? write_textfile(x) : 0;
}

void trace_export_close(struct trace_export *x)
{
	http_close(&x->http);
}
