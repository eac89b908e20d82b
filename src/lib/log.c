// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <bpf/libbpf.h>
#include "log.h"

int ds_verbosity = DS_LOG_INFO;

void ds_log(enum ds_log_level level, const char *fmt, ...)
{
	va_list ap;

	if ((int)level > ds_verbosity)
		return;
	if (level == DS_LOG_ERROR)
		fputs("dirtyscope: ", stderr);
	else if (level == DS_LOG_WARN)
		fputs("dirtyscope: warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int ds_arg_error(const char *fmt, ...)
{
	va_list ap;

	fputs("dirtyscope: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EINVAL;
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	(void)level;
	/* libbpf explains every failed probe at length: only with -v. */
	if (ds_verbosity < DS_LOG_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

void ds_log_setup_libbpf(void)
{
	libbpf_set_print(libbpf_print);
}
