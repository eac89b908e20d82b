/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal HTTP/1.0 responder for a scrape endpoint, served from the
 * caller's own loop: no thread, no blocking accept. Each pending request
 * is read (at most 4 KiB, within 1 s), answered and closed; GET of the
 * one path gets the body the callback writes, anything else 404 or 405.
 */
#ifndef DIRTYSCOPE_HTTP_SERVE_H
#define DIRTYSCOPE_HTTP_SERVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct http_server {
	int fd;
	const char *path; /* "/metrics" */
};

/* The body of a GET: write it to f; accept is the request's Accept header
 * ("" if none). Returns the Content-Type, or NULL for a 500. */
typedef const char *(*http_body_fn)(void *ctx, const char *accept, FILE *f);

/* Listen on spec: "ADDR:PORT" (IPv4), ":PORT" or "PORT" (127.0.0.1). 0, or
 * -errno with one line in err. */
int http_listen(struct http_server *s, const char *spec, const char *path,
		char *err, size_t errlen);
/* Whether http_listen() would take spec as an address. */
bool http_addr_valid(const char *spec);
/* Answer every request waiting now. */
void http_serve_pending(struct http_server *s, http_body_fn body, void *ctx);
/* Stop listening; safe on a server never started. */
void http_close(struct http_server *s);

#endif
