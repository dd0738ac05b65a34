/* Subcommand entry points of the `versa` binary. Each takes the arguments after "versa" (argv[0]
 * is the subcommand name) and returns the process exit code. */
#ifndef VERSA_CLI_H
#define VERSA_CLI_H

int cli_serve_main(int argc, char **argv);
int cli_lint_main(int argc, char **argv);
int cli_replay_main(int argc, char **argv);
int cli_validate_main(int argc, char **argv);
int cli_diff_main(int argc, char **argv);

#endif
