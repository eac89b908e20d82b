/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One option vocabulary: an option that means the same in two commands has
 * the same long and short name in both (docs/dirtyscope.8). Commands build
 * their tables from these, with their own help text, and take -v from the
 * common child.
 */
#ifndef DIRTYSCOPE_OPTIONS_H
#define DIRTYSCOPE_OPTIONS_H

#include <argp.h>

#define OPT_CSV(doc)                      \
	{                                 \
		"csv", 'C', "DIR", 0, doc \
	}
#define OPT_JSON(doc)                     \
	{                                 \
		"json", 'j', NULL, 0, doc \
	}
#define OPT_SIZE(doc)                       \
	{                                   \
		"size", 's', "SIZE", 0, doc \
	}
#define OPT_SEED(doc)                       \
	{                                   \
		"seed", 'S', "SEED", 0, doc \
	}
#define OPT_DEVICE(doc)                       \
	{                                     \
		"device", 'D', "PATH", 0, doc \
	}
#define OPT_GROUP(doc)                       \
	{                                    \
		"group", 'g', "PATH", 0, doc \
	}

/* -v, --verbose for every command: the argp children of each. */
extern const struct argp_child common_options[];

#endif
