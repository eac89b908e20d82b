// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE /* asprintf */
#include <inttypes.h>
#include <stdio.h>
#include "log.h"
#include "options.h"
#include "parse.h"

static error_t parse_common(int key, char *arg, struct argp_state *state)
{
	struct common_opts *c = state->input;

	switch (key) {
	case ARGP_KEY_INIT:
		/* Before any option: what the command set is its default. */
		if (c)
			c->size_default = c->size;
		break;
	case 'C':
		c->csv_dir = arg;
		break;
	case 'j':
		c->json = true;
		break;
	case 's':
		if (parse_size(arg, &c->size) || !c->size)
			return ds_arg_error("%s: invalid --size '%s'",
					    state->name, arg);
		break;
	case 'S':
		if (parse_u64(arg, &c->seed))
			return ds_arg_error("%s: invalid --seed '%s'",
					    state->name, arg);
		break;
	case 'D':
		c->device = arg;
		break;
	case 'g':
		c->group = arg;
		break;
	case 'v':
		ds_verbosity = DS_LOG_DEBUG;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* --size's help states the command's default; the defaults are whole MiB. */
static char *size_help(int key, const char *text, void *input)
{
	const struct common_opts *c = input;
	char *s;

	if (key != 's' || !c ||
	    asprintf(&s, "%s (default %" PRIu64 "M)", text,
		     c->size_default >> 20) < 0)
		return (char *)text;
	return s;
}

/*
 * One child per option, so that a command takes exactly the common options
 * it uses. The help text is the same in every command; what is particular
 * to one (the files it writes) its own help says.
 */
#define ONE_OPTION(...) ((const struct argp_option[]){ __VA_ARGS__, {} })

const struct argp opt_csv = {
	ONE_OPTION({ "csv", 'C', "DIR", 0,
		     "Write the CSV files into DIR: all of them, or none" }),
	parse_common,
};
const struct argp opt_json = {
	ONE_OPTION({ "json", 'j', NULL, 0, "JSON instead of tables" }),
	parse_common,
};
const struct argp opt_size = {
	ONE_OPTION({ "size", 's', "SIZE", 0, "Bytes to map, with K, M or G" }),
	parse_common,
	.help_filter = size_help,
};
const struct argp opt_seed = {
	ONE_OPTION({ "seed", 'S', "SEED", 0,
		     "Seed of the write pattern (default 1)" }),
	parse_common,
};
const struct argp opt_device = {
	ONE_OPTION({ "device", 'D', "PATH", 0,
		     "VFIO device node, /dev/vfio/devices/vfioN" }),
	parse_common,
};
const struct argp opt_group = {
	ONE_OPTION({ "group", 'g', "PATH", 0, "VFIO group node, /dev/vfio/N" }),
	parse_common,
};
const struct argp opt_verbose = {
	ONE_OPTION({ "verbose", 'v', NULL, 0,
		     "Debug output: libbpf's messages, the gnuplot script" }),
	parse_common,
};

void common_opts_init(struct argp_state *state,
		      const struct argp_child *children, struct common_opts *c)
{
	size_t i;

	for (i = 0; children[i].argp; i++)
		state->child_inputs[i] = c;
}
