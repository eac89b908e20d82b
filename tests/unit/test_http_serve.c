// SPDX-License-Identifier: GPL-2.0
/*
 * The scrape endpoint's responder (src/lib/http_serve.c) against a client
 * that hangs up before it reads the answer, as a Prometheus stopped
 * mid-scrape does: the server must see an error, not a SIGPIPE, which
 * would end the trace serving it. SIGPIPE keeps its default action here,
 * so a regression kills this test.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>
#include "http_serve.h"

#define PORT	 19473
#define LISTEN	 "127.0.0.1:19473" /* PORT */
#define BODY_LEN (1 << 20)

/* A body larger than the socket buffers, so that the answer takes more
 * than one send. */
static const char *big_body(void *ctx, const char *accept, FILE *f)
{
	(void)ctx;
	(void)accept;
	for (int i = 0; i < BODY_LEN / 64; i++)
		fputs("dirtyscope_test_padding_line "
		      "0123456789012345678901234567\n",
		      f);
	return "text/plain";
}

/* A client of the server: connected, the request sent. */
static int client_request(void)
{
	const char req[] = "GET /metrics HTTP/1.0\r\n\r\n";
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(PORT) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(write(fd, req, sizeof(req) - 1), sizeof(req) - 1);
	return fd;
}

static void client_gone_before_the_answer(void **state)
{
	struct http_server s = { .fd = -1 };
	char err[128], buf[64];
	int fd;

	(void)state;
	signal(SIGPIPE, SIG_DFL);
	assert_int_equal(http_listen(&s, LISTEN, "/metrics", err, sizeof(err)),
			 0);
	/* Three hang-ups in a row: each answer meets a closed socket. */
	for (int i = 0; i < 3; i++) {
		fd = client_request();
		close(fd);
		http_serve_pending(&s, big_body, NULL);
	}
	/* Still serving: the next client gets its answer. */
	fd = client_request();
	http_serve_pending(&s, big_body, NULL);
	memset(buf, 0, sizeof(buf));
	assert_true(read(fd, buf, sizeof(buf) - 1) > 0);
	assert_non_null(strstr(buf, "HTTP/1.0 200 OK"));
	close(fd);
	http_close(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(client_gone_before_the_answer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
