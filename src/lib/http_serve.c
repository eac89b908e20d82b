// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE /* accept4, strcasestr */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include "http_serve.h"

#define REQUEST_MAX 4096
#define CLIENT_MS   1000

static int parse_spec(const char *spec, struct sockaddr_in *sa, char *err,
		      size_t errlen)
{
	const char *colon = strrchr(spec, ':');
	const char *port = colon ? colon + 1 : spec;
	char host[64] = "127.0.0.1", *end;
	unsigned long p;

	if (colon && colon > spec) {
		if ((size_t)(colon - spec) >= sizeof(host))
			goto bad;
		memcpy(host, spec, colon - spec);
		host[colon - spec] = '\0';
	}
	errno = 0;
	p = strtoul(port, &end, 10);
	if (!*port || *end || errno || p > 65535)
		goto bad;
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons(p);
	if (inet_pton(AF_INET, host, &sa->sin_addr) != 1)
		goto bad;
	return 0;
bad:
	snprintf(err, errlen,
		 "invalid address '%s' (ADDR:PORT with an IPv4 ADDR, or PORT)",
		 spec);
	return -EINVAL;
}

bool http_addr_valid(const char *spec)
{
	struct sockaddr_in sa;
	char err[8];

	return !parse_spec(spec, &sa, err, sizeof(err));
}

int http_listen(struct http_server *s, const char *spec, const char *path,
		char *err, size_t errlen)
{
	struct sockaddr_in sa;
	int one = 1, ret;

	s->fd = -1;
	s->path = path;
	ret = parse_spec(spec, &sa, err, errlen);
	if (ret)
		return ret;
	s->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0)
		goto fail;
	setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s->fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(s->fd, 16))
		goto fail;
	return 0;
fail:
	ret = -errno;
	snprintf(err, errlen, "cannot listen on %s: %s", spec, strerror(-ret));
	http_close(s);
	return ret;
}

/* The request head, NUL-terminated, or NULL (too slow, too long, gone). */
static char *read_head(int fd, char *buf, size_t len)
{
	size_t n = 0;

	while (n < len - 1) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t r;

		if (poll(&p, 1, CLIENT_MS) != 1)
			return NULL;
		r = read(fd, buf + n, len - 1 - n);
		if (r <= 0)
			return NULL;
		n += r;
		buf[n] = '\0';
		if (strstr(buf, "\r\n\r\n") || strstr(buf, "\n\n"))
			return buf;
	}
	return NULL;
}

static void respond(int fd, const char *status, const char *type,
		    const char *body, size_t len)
{
	char head[256];
	int n = snprintf(head, sizeof(head),
			 "HTTP/1.0 %s\r\nContent-Type: %s\r\n"
			 "Content-Length: %zu\r\nConnection: close\r\n\r\n",
			 status, type, len);

	/* send(MSG_NOSIGNAL), not write(): a scraper that hung up (one
	 * stopped mid-scrape) must cost an EPIPE here, not a SIGPIPE that
	 * ends trace. */
	if (send(fd, head, n, MSG_NOSIGNAL) == n && len)
		(void)!send(fd, body, len, MSG_NOSIGNAL);
}

/* The Accept header's value, into buf ("" if none). */
static const char *accept_of(const char *head, char *buf, size_t len)
{
	const char *a = strcasestr(head, "\nAccept:");
	size_t n;

	buf[0] = '\0';
	if (!a)
		return buf;
	a += strlen("\nAccept:");
	n = strcspn(a, "\r\n");
	snprintf(buf, len, "%.*s", (int)n, a);
	return buf;
}

static void serve_one(struct http_server *s, int fd, http_body_fn body,
		      void *ctx)
{
	struct timeval tv = { CLIENT_MS / 1000, 0 };
	char head[REQUEST_MAX], path[256], accept[512], *out = NULL;
	const char *type;
	size_t len = 0;
	FILE *f;

	/* A client that does not read cannot stall the tracer for long. */
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (!read_head(fd, head, sizeof(head)))
		return;
	if (strncmp(head, "GET ", 4)) {
		respond(fd, "405 Method Not Allowed", "text/plain", "", 0);
		return;
	}
	snprintf(path, sizeof(path), "%.*s", (int)strcspn(head + 4, " ?\r\n"),
		 head + 4);
	if (strcmp(path, s->path)) {
		respond(fd, "404 Not Found", "text/plain", "", 0);
		return;
	}
	f = open_memstream(&out, &len);
	if (!f) {
		respond(fd, "500 Internal Server Error", "text/plain", "", 0);
		return;
	}
	type = body(ctx, accept_of(head, accept, sizeof(accept)), f);
	if (fclose(f) || !type)
		respond(fd, "500 Internal Server Error", "text/plain", "", 0);
	else
		respond(fd, "200 OK", type, out, len);
	free(out);
}

void http_serve_pending(struct http_server *s, http_body_fn body, void *ctx)
{
	int fd;

	if (s->fd < 0)
		return;
	while ((fd = accept4(s->fd, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
		serve_one(s, fd, body, ctx);
		close(fd);
	}
}

void http_close(struct http_server *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}
