/* SPDX-License-Identifier: GPL-2.0 */
/* Subcommands: each takes its own argv (argv[0] is the subcommand name) and
 * returns the process exit status. */
#ifndef DIRTYSCOPE_COMMANDS_H
#define DIRTYSCOPE_COMMANDS_H

int cmd_trace(int argc, char **argv);
int cmd_mock_dirty(int argc, char **argv);
int cmd_probes(int argc, char **argv);
int cmd_type1_dirty(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_gate(int argc, char **argv);

#endif
