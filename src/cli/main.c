// SPDX-License-Identifier: GPL-2.0
/* dirtyscope: IOMMU / VFIO DMA dirty-page tracking, traced and driven. */
#include <argp.h>
#include <stdio.h>
#include <string.h>
#include "commands.h"
#include "log.h"

#ifndef DIRTYSCOPE_VERSION
#define DIRTYSCOPE_VERSION "unknown"
#endif

static const struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *help;
} commands[] = {
	{ "bench", cmd_bench,
	  "auto- vs manual-clear migration experiments, with verdict" },
	{ "gate", cmd_gate,
	  "compare two bench --csv folders for CI: exit 1 on regression" },
	{ "plot", cmd_plot, "render bench and trace CSVs as PNG and SVG" },
	{ "trace", cmd_trace, "trace map/unmap and dirty tracking, summarize" },
	{ "mock-dirty", cmd_mock_dirty,
	  "one dirty-tracking cycle on the iommufd selftest mock device" },
	{ "probes", cmd_probes,
	  "list probe points and kernel features, and why not" },
	{ "type1-dirty", cmd_type1_dirty,
	  "one dirty-tracking cycle on a VFIO type1 container" },
};

static void usage(FILE *out)
{
	size_t i;

	fprintf(out, "Usage: dirtyscope COMMAND [OPTIONS]\n\nCommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-12s %s\n", commands[i].name,
			commands[i].help);
	fprintf(out,
		"\n'dirtyscope COMMAND --help' for a command's options.\n");
}

int main(int argc, char **argv)
{
	size_t i;

	/* Usage errors exit 2, as bad input does everywhere else. */
	argp_err_exit_status = 2;
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version")) {
		printf("dirtyscope %s\n", DIRTYSCOPE_VERSION);
		return 0;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	ds_err("unknown command '%s' (see 'dirtyscope --help')", argv[1]);
	return 2;
}
