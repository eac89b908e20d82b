// SPDX-License-Identifier: GPL-2.0
#include "log.h"
#include "options.h"

static const struct argp_option options[] = {
	{ "verbose", 'v', NULL, 0,
	  "Debug output: libbpf's messages, the gnuplot script" },
	{},
};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	(void)arg;
	(void)state;
	if (key != 'v')
		return ARGP_ERR_UNKNOWN;
	ds_verbosity = DS_LOG_DEBUG;
	return 0;
}

static const struct argp common = { options, parse_opt };

const struct argp_child common_options[] = {
	{ &common, 0, NULL, 0 },
	{},
};
