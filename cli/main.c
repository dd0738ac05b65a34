/* versa: the API gateway and its CI tooling, one binary with subcommands. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

typedef struct {
    const char *name;
    int (*main)(int argc, char **argv);
    const char *summary;
} command_t;

static const command_t commands[] = {
    {"serve", cli_serve_main, "run the gateway (versa serve -c versa.yaml [--check])"},
#ifdef VERSA_HAVE_LINT
    {"lint", cli_lint_main, "lint OpenAPI specs for CI (versa lint [options] FILE...)"},
#endif
#ifdef VERSA_HAVE_LINT
    {"validate", cli_validate_main,
     "validate JSON/YAML documents against a schema (versa validate --schema FILE DOC...)"},
#endif
#ifdef VERSA_HAVE_DIFF
    {"diff", cli_diff_main, "breaking changes between spec versions (versa diff BASE REVISION)"},
#endif
#ifdef VERSA_HAVE_REPLAY
    {"replay", cli_replay_main, "replay captures against two versions (versa replay --help)"},
#endif
};

static void usage(FILE *out)
{
    fprintf(out, "versa %s: an API gateway that keeps old API versions working\n\n"
                 "usage: versa <command> [options]\n\ncommands:\n",
            VERSA_VERSION);
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); ++i)
        fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "  %-8s %s\n  %-8s %s\n\n"
                 "Run 'versa <command> --help' for a command's options. Documentation: README.md\n",
            "help", "show this help", "version", "print the version (also --version)");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(cmd, "version") || !strcmp(cmd, "--version") || !strcmp(cmd, "-V")) {
        printf("versa %s\n", VERSA_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); ++i)
        if (!strcmp(cmd, commands[i].name))
            return commands[i].main(argc - 1, argv + 1);
    fprintf(stderr, "versa: unknown command '%s'\n\n", cmd);
    usage(stderr);
    return 2;
}

int cli_parse_max_files(const char *command, const char *arg, uint32_t *out)
{
    char *end;
    unsigned long v = strtoul(arg, &end, 10);
    if (arg[0] == '\0' || arg[0] == '-' || *end != '\0' || v == 0 || v > UINT32_MAX) {
        fprintf(stderr, "versa %s: --max-files needs a positive integer, got \"%s\"\n", command,
                arg);
        return -1;
    }
    *out = (uint32_t)v;
    return 0;
}
