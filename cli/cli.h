/* Subcommand entry points of the `versa` binary. Each takes the arguments after "versa" (argv[0]
 * is the subcommand name) and returns the process exit code. */
#ifndef VERSA_CLI_H
#define VERSA_CLI_H

#include <stdint.h>

int cli_serve_main(int argc, char **argv);
int cli_lint_main(int argc, char **argv);
int cli_replay_main(int argc, char **argv);
int cli_validate_main(int argc, char **argv);
int cli_diff_main(int argc, char **argv);

/* --max-files N of `command`: a positive integer that fits a uint32_t. Returns 0, or -1 after
 * saying on stderr what was wrong. */
int cli_parse_max_files(const char *command, const char *arg, uint32_t *out);

#endif
