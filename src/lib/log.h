/* SPDX-License-Identifier: GPL-2.0 */
/* Logging: errors are one line on stderr, prefixed with the program name. */
#ifndef DIRTYSCOPE_LOG_H
#define DIRTYSCOPE_LOG_H

#include <stdarg.h>

enum ds_log_level {
	DS_LOG_ERROR,
	DS_LOG_WARN,
	DS_LOG_INFO,
	DS_LOG_DEBUG,
};

extern int ds_verbosity;

void ds_log(enum ds_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define ds_err(...)   ds_log(DS_LOG_ERROR, __VA_ARGS__)
#define ds_warn(...)  ds_log(DS_LOG_WARN, __VA_ARGS__)
#define ds_info(...)  ds_log(DS_LOG_INFO, __VA_ARGS__)
#define ds_debug(...) ds_log(DS_LOG_DEBUG, __VA_ARGS__)

/* Print a bad command-line value as one error line; returns EINVAL so an
 * argp parser can return it. */
int ds_arg_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Route libbpf's messages through ds_log: shown only with -v. */
void ds_log_setup_libbpf(void);

#endif
