/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One option vocabulary: an option that means the same in two commands has
 * the same long and short name in both, and a short letter means one thing
 * in every command: an option whose letter means something else elsewhere
 * has only its long name (docs/dirtyscope.8, COMMON OPTIONS). The common
 * options are argp children, one per option, parsed here into struct
 * common_opts; a command lists the children it takes and parses only its
 * own options.
 */
#ifndef DIRTYSCOPE_OPTIONS_H
#define DIRTYSCOPE_OPTIONS_H

#include <argp.h>
#include <stdbool.h>
#include <stdint.h>

/* The command sets its defaults before argp_parse() and reads the values
 * after it. */
struct common_opts {
	const char *csv_dir;   /* -C, --csv DIR */
	bool json;	       /* -j, --json */
	uint64_t size;	       /* -s, --size SIZE: bytes, not 0 */
	uint64_t seed;	       /* -S, --seed SEED */
	const char *device;    /* -D, --device PATH */
	const char *group;     /* -g, --group PATH */
	uint64_t size_default; /* the size before parsing, for --help */
};

extern const struct argp opt_csv, opt_json, opt_size, opt_seed, opt_device,
	opt_group, opt_verbose;

/*
 * For the command's ARGP_KEY_INIT: its children (its argp's children
 * array) parse into c. Errors name the command by argv[0], which main()
 * makes the command's name.
 */
void common_opts_init(struct argp_state *state,
		      const struct argp_child *children, struct common_opts *c);

#endif
