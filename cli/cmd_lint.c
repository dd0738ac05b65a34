/* `versa lint`: lints OpenAPI documents for CI and reports in the format a CI system reads.
 * Exit status: 0 nothing at or above --fail-severity, 1 findings that are, 2 could not run. */
#include <stdint.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "config.h"
#include "lint.h"
#include "lint_adapters.h"

#define EXIT_FINDINGS 1
#define EXIT_CANNOT_RUN 2

static void usage(FILE *out)
{
    fputs("usage: versa lint [options] FILE...\n"
          "\n"
          "Lints OpenAPI 3.0/3.1 documents (YAML or JSON) and the files they reference.\n"
          "\n"
          "options:\n"
          "  -f, --format FORMAT        stylish (default), json, sarif, github, junit\n"
          "  -F, --fail-severity LEVEL  exit 1 when a finding is at least this severe:\n"
          "                             error (default), warn, info, hint\n"
          "  -c, --config FILE          versa's config: adapter files are checked against the\n"
          "                             specs of the API that names them\n"
          "  -r, --ruleset FILE         YAML ruleset changing severities:\n"
          "                               rules: {operation-tags: off, info-contact: hint}\n"
          "  -o, --output FILE          write the report to FILE instead of standard output\n"
          "  -q, --quiet                report only findings at or above --fail-severity\n"
          "      --max-files N          load at most N files per spec (default 20000)\n"
          "      --max-findings-per-rule N\n"
          "                             report at most N findings of a rule per file, then one\n"
          "                             summary finding (default 1000; 0: no limit)\n"
          "      --ref-root DIR         let $refs reach files under DIR (default: each spec's\n"
          "                             own directory; a $ref outside it is an error)\n"
          "      --list-rules           print the rules and their default severities\n"
          "  -h, --help                 show this help\n"
          "\n"
          "exit status: 0 clean, 1 findings at or above --fail-severity, 2 could not run\n",
          out);
}

static int list_rules(void)
{
    size_t n;
    const spec_lint_rule_t *rules = spec_lint_rules(&n);
    for (size_t i = 0; i < n; ++i)
        printf("%-36s %-5s  %s\n", rules[i].id, spec_lint_severity_name(rules[i].severity),
               rules[i].description);
    return 0;
}

typedef struct {
    spec_lint_format_t format;
    spec_lint_severity_t fail;
    const char *ruleset, *output, *config, *ref_root;
    int quiet;
    uint32_t max_files;
    size_t max_per_rule;
} options_t;

/* Parses options; returns -1 to exit with `*status`. */
static int parse_options(int argc, char **argv, options_t *o, int *status)
{
    static const struct option longopts[] = {
        {"format", required_argument, NULL, 'f'},  {"fail-severity", required_argument, NULL, 'F'},
        {"config", required_argument, NULL, 'c'}, {"ruleset", required_argument, NULL, 'r'}, {"output", required_argument, NULL, 'o'},
        {"quiet", no_argument, NULL, 'q'},         {"list-rules", no_argument, NULL, 'L'},
        {"help", no_argument, NULL, 'h'},          {"ref-root", required_argument, NULL, 'R'},
        {"max-files", required_argument, NULL, 'M'},
        {"max-findings-per-rule", required_argument, NULL, 'P'},
        {NULL, 0, NULL, 0},
    };
    *o = (options_t){.format = SPEC_LINT_STYLISH, .fail = SPEC_LINT_ERROR};
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "f:F:r:o:c:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (spec_lint_format_parse(optarg, &o->format) != 0) {
                fprintf(stderr,
                        "versa lint: unknown format \"%s\" (stylish, json, sarif, github, "
                        "junit)\n",
                        optarg);
                return *status = EXIT_CANNOT_RUN, -1;
            }
            break;
        case 'F':
            if (spec_lint_severity_parse(optarg, &o->fail) != 0 || o->fail == SPEC_LINT_OFF) {
                fprintf(stderr, "versa lint: unknown severity \"%s\" (error, warn, info, hint)\n",
                        optarg);
                return *status = EXIT_CANNOT_RUN, -1;
            }
            break;
        case 'r':
            o->ruleset = optarg;
            break;
        case 'c':
            o->config = optarg;
            break;
        case 'o':
            o->output = optarg;
            break;
        case 'q':
            o->quiet = 1;
            break;
        case 'R':
            o->ref_root = optarg;
            break;
        case 'M':
            if (cli_parse_max_files("lint", optarg, &o->max_files) != 0)
                return *status = EXIT_CANNOT_RUN, -1;
            break;
        case 'P': {
            char *end;
            errno = 0;
            unsigned long long v = strtoull(optarg, &end, 10);
            if (optarg[0] < '0' || optarg[0] > '9' || *end != '\0' || errno != 0 ||
                v > SIZE_MAX / 2) {
                fprintf(stderr,
                        "versa lint: --max-findings-per-rule wants a count (0: no limit), not "
                        "\"%s\"\n",
                        optarg);
                return *status = EXIT_CANNOT_RUN, -1;
            }
            o->max_per_rule = v == 0 ? SIZE_MAX : (size_t)v;
            break;
        }
        case 'L':
            return *status = list_rules(), -1;
        case 'h':
            usage(stdout);
            return *status = 0, -1;
        default:
            if (optopt != 0 && strchr("fFroc", optopt) != NULL)
                fprintf(stderr, "versa lint: option -%c needs a value\n", optopt);
            else if (optopt != 0)
                fprintf(stderr, "versa lint: unknown option -%c\n", optopt);
            else
                fprintf(stderr, "versa lint: unknown or incomplete option \"%s\"\n",
                        argv[optind - 1]);
            usage(stderr);
            return *status = EXIT_CANNOT_RUN, -1;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "versa lint: no files to lint\n");
        usage(stderr);
        return *status = EXIT_CANNOT_RUN, -1;
    }
    return 0;
}

/* Writes the report to stdout or --output; returns 0 or -1 after saying why. */
static int write_report(const spec_lint_t *lint, const options_t *o)
{
    FILE *out = stdout;
    if (o->output != NULL && (out = fopen(o->output, "w")) == NULL) {
        fprintf(stderr, "versa lint: cannot write %s: %s\n", o->output, strerror(errno));
        return -1;
    }
    const char *no_color = getenv("NO_COLOR");
    spec_lint_write_options_t wo = {
        .min_severity = o->quiet ? o->fail : SPEC_LINT_HINT,
        .color = out == stdout && isatty(STDOUT_FILENO) && (no_color == NULL || !*no_color),
        .quiet = o->quiet,
    };
    int r = spec_lint_write(out, lint, o->format, &wo);
    int saved = errno;
    if (out != stdout && fclose(out) != 0 && r == 0) {
        r = -1;
        saved = errno;
    }
    if (r != 0) {
        fprintf(stderr, "versa lint: cannot write the report: %s\n", strerror(saved));
        return -1;
    }
    return 0;
}

int cli_lint_main(int argc, char **argv)
{
    options_t o;
    int status = 0;
    if (parse_options(argc, argv, &o, &status) != 0)
        return status;

    spec_error_t err;
    char msg[1024];
    spec_ruleset_t *rs = NULL;
    if (o.ruleset != NULL && spec_ruleset_load(&rs, o.ruleset, &err) != 0) {
        fprintf(stderr, "versa lint: bad ruleset: %s\n", spec_error_format(&err, msg, sizeof(msg)));
        return EXIT_CANNOT_RUN;
    }
    /* With --config, the gateway's config is loaded without its specs and adapters (those are
     * linted as files below), so that adapter files are checked against their API's specs. */
    gw_config_t *cfg = NULL;
    if (o.config != NULL) {
        spec_doc_t *doc;
        if (spec_doc_load(&doc, o.config, NULL, &err) != 0 ||
            (gw_config_from_doc(doc, NULL, &cfg, &err), spec_doc_destroy(doc), cfg == NULL)) {
            fprintf(stderr, "versa lint: %s\n", spec_error_format(&err, msg, sizeof(msg)));
            spec_ruleset_destroy(rs);
            return EXIT_CANNOT_RUN;
        }
    }
    spec_linter_t linters[] = {cli_adapter_linter(cfg)};
    spec_load_options_t load = {.ref_root = o.ref_root, .max_files = o.max_files};
    spec_lint_options_t lo = {.ruleset = rs,
                              .linters = linters,
                              .nlinters = 1,
                              .load = &load,
                              .max_findings_per_rule = o.max_per_rule};
    spec_lint_t *lint;
    if (spec_lint_create(&lint, &lo, &err) != 0) {
        fprintf(stderr, "versa lint: bad ruleset: %s\n", spec_error_format(&err, msg, sizeof(msg)));
        spec_ruleset_destroy(rs);
        gw_config_release(cfg);
        return EXIT_CANNOT_RUN;
    }
    int unreadable = 0;
    for (int i = optind; i < argc; ++i) {
        if (spec_lint_file(lint, argv[i], &err) != 0) {
            fprintf(stderr, "versa lint: %s: %s\n", argv[i], err.message);
            unreadable = 1;
        }
    }
    int wrote = write_report(lint, &o);
    int incomplete = spec_lint_incomplete(lint);
    if (incomplete)
        fprintf(stderr, "versa lint: the findings are incomplete: a loader limit stopped files "
                        "from loading (the limit error above says which, and how to raise it)\n");
    size_t n;
    const spec_finding_t *f = spec_lint_findings(lint, &n);
    int failing = 0;
    for (size_t i = 0; i < n && !failing; ++i)
        failing = f[i].severity <= o.fail;
    spec_lint_destroy(lint);
    spec_ruleset_destroy(rs);
    gw_config_release(cfg);
    if (unreadable || wrote != 0 || incomplete)
        return EXIT_CANNOT_RUN;
    return failing ? EXIT_FINDINGS : 0;
}
