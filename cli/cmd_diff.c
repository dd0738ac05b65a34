/* `versa diff`: breaking changes between two versions of an OpenAPI spec, and whether the
 * adapters carry them (docs/diff.md). Exit status: 0 nothing at or above --fail-on, 1 something
 * is, 2 could not run. */
#include <stdint.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "config.h"
#include "diff.h"
#include "diff_adapters.h"

#define EXIT_FINDINGS 1
#define EXIT_CANNOT_RUN 2

static void usage(FILE *out)
{
    fputs("usage: versa diff BASE REVISION [options]\n"
          "       versa diff -c versa.yaml [--api NAME] [--from V --to V] [options]\n"
          "\n"
          "Reports the differences between two OpenAPI 3.0/3.1 specs that break clients, and\n"
          "whether the API's adapters carry them.\n"
          "\n"
          "options:\n"
          "  -f, --format FORMAT   text (default), json, markdown, html, github, sarif, junit\n"
          "  -F, --fail-on LEVEL   exit 1 when a finding is at least this level:\n"
          "                        error (default), warning, info, none\n"
          "  -a, --adapters FILE   check each breaking change against this adapter file's\n"
          "                        change (--to V names it; default: its newest change)\n"
          "  -o, --output FILE     write the report to FILE instead of standard output\n"
          "      --suggest         print adapter YAML for the uncovered breaking changes\n"
          "  -c, --config FILE     versa's config: diff consecutive versions of each API that\n"
          "                        have specs, with the API's adapter file\n"
          "      --api NAME        only this API of the config\n"
          "      --from V, --to V  only the versions from V to V\n"
          "      --ref-root DIR    let $refs reach files under DIR\n"
          "      --max-files N     load at most N files per spec (default 20000)\n"
          "      --list-checks     print the check ids and their levels\n"
          "  -h, --help            show this help\n"
          "\n"
          "exit status: 0 nothing at or above --fail-on, 1 something is, 2 could not run\n",
          out);
}

typedef struct {
    spec_diff_format_t format;
    spec_diff_level_t fail;
    const char *adapters, *output, *config, *api, *from, *to, *ref_root;
    const char *base, *revision;
    int suggest;
    uint32_t max_files; /* 0: the loader's default, or the config's spec_max_files */
} options_t;

static int list_checks(void)
{
    size_t n;
    const spec_diff_check_t *c = spec_diff_checks(&n);
    for (size_t i = 0; i != n; ++i)
        printf("%-52s %-7s  %s\n", c[i].id, spec_diff_level_name(c[i].level), c[i].description);
    return 0;
}

static int parse_options(int argc, char **argv, options_t *o, int *status)
{
    static const struct option longopts[] = {
        {"format", required_argument, NULL, 'f'},
        {"fail-on", required_argument, NULL, 'F'},
        {"adapters", required_argument, NULL, 'a'},
        {"output", required_argument, NULL, 'o'},
        {"config", required_argument, NULL, 'c'},
        {"api", required_argument, NULL, 'A'},
        {"from", required_argument, NULL, 'B'},
        {"to", required_argument, NULL, 'T'},
        {"ref-root", required_argument, NULL, 'R'},
        {"max-files", required_argument, NULL, 'M'},
        {"suggest", no_argument, NULL, 'S'},
        {"list-checks", no_argument, NULL, 'L'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    *o = (options_t){.format = SPEC_DIFF_TEXT, .fail = SPEC_DIFF_ERROR};
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "f:F:a:o:c:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (spec_diff_format_parse(optarg, &o->format) != 0) {
                fprintf(stderr,
                        "versa diff: unknown format \"%s\" (text, json, markdown, html, "
                        "github, sarif, junit)\n",
                        optarg);
                return *status = EXIT_CANNOT_RUN, -1;
            }
            break;
        case 'F':
            if (spec_diff_level_parse(optarg, &o->fail) != 0) {
                fprintf(stderr, "versa diff: unknown level \"%s\" (error, warning, info, none)\n",
                        optarg);
                return *status = EXIT_CANNOT_RUN, -1;
            }
            break;
        case 'a':
            o->adapters = optarg;
            break;
        case 'o':
            o->output = optarg;
            break;
        case 'c':
            o->config = optarg;
            break;
        case 'A':
            o->api = optarg;
            break;
        case 'B':
            o->from = optarg;
            break;
        case 'T':
            o->to = optarg;
            break;
        case 'R':
            o->ref_root = optarg;
            break;
        case 'M':
            if (cli_parse_max_files("diff", optarg, &o->max_files) != 0)
                return *status = 2, -1;
            break;
        case 'S':
            o->suggest = 1;
            break;
        case 'L':
            return *status = list_checks(), -1;
        case 'h':
            usage(stdout);
            return *status = 0, -1;
        default:
            if (optopt != 0 && strchr("fFaoc", optopt) != NULL)
                fprintf(stderr, "versa diff: option -%c needs a value\n", optopt);
            else
                fprintf(stderr, "versa diff: unknown or incomplete option \"%s\"\n",
                        argv[optind - 1]);
            usage(stderr);
            return *status = EXIT_CANNOT_RUN, -1;
        }
    }
    int nargs = argc - optind;
    if (o->config == NULL && nargs != 2) {
        fprintf(stderr, "versa diff: expected BASE and REVISION (or -c versa.yaml)\n");
        usage(stderr);
        return *status = EXIT_CANNOT_RUN, -1;
    }
    if (o->config != NULL && (nargs != 0 || o->adapters != NULL)) {
        fprintf(stderr, "versa diff: with -c the config names the specs and adapter files\n");
        return *status = EXIT_CANNOT_RUN, -1;
    }
    if (nargs == 2) {
        o->base = argv[optind];
        o->revision = argv[optind + 1];
    }
    return 0;
}

static spec_t *load(const char *path, const options_t *o)
{
    spec_t *s;
    spec_error_t err;
    char msg[1600];
    spec_load_options_t lo = {.ref_root = o->ref_root, .max_files = o->max_files};
    if (spec_load(&s, path, &lo, &err) != 0) {
        fprintf(stderr, "versa diff: %s\n", spec_error_format(&err, msg, sizeof(msg)));
        return NULL;
    }
    if (spec_incomplete(s)) { /* a diff of part of a spec would report removals that are not */
        size_t n;
        const spec_problem_t *p = spec_problems(s, &n);
        for (size_t i = 0; i != n; ++i)
            if (strcmp(p[i].code, SPEC_PROBLEM_LIMIT) == 0) {
                fprintf(stderr, "versa diff: %s\n",
                        spec_error_format(&p[i].error, msg, sizeof(msg)));
                break;
            }
        spec_destroy(s);
        return NULL;
    }
    return s;
}

/* Diffs two spec files; NULL after saying why. */
static spec_diff_t *diff_files(const char *base, const char *rev, const options_t *o)
{
    spec_t *b = load(base, o), *r = b != NULL ? load(rev, o) : NULL;
    spec_diff_t *d = NULL;
    spec_error_t err;
    char msg[1600];
    if (r != NULL && spec_diff_run(&d, b, r, NULL, &err) != 0)
        fprintf(stderr, "versa diff: %s\n", spec_error_format(&err, msg, sizeof(msg)));
    if (d != NULL)
        spec_diff_set_names(d, base, rev);
    spec_destroy(b);
    spec_destroy(r);
    return d;
}

static size_t index_of(const char *const *names, size_t n, const char *name)
{
    for (size_t i = 0; name != NULL && i != n; ++i)
        if (strcmp(names[i], name) == 0)
            return i;
    return SIZE_MAX;
}

/* BASE REVISION [--adapters FILE]. */
static spec_diff_t *run_pair(const options_t *o, FILE *suggest)
{
    spec_diff_t *d = diff_files(o->base, o->revision, o);
    if (d == NULL || o->adapters == NULL)
        return d;
    spec_error_t err;
    char msg[1600];
    spec_doc_t *doc;
    const char *names[64];
    if (spec_doc_load(&doc, o->adapters, NULL, &err) != 0) {
        fprintf(stderr, "versa diff: %s\n", spec_error_format(&err, msg, sizeof(msg)));
        spec_diff_destroy(d);
        return NULL;
    }
    size_t n = adp_coverage_guess_versions(doc, names, 64);
    size_t to = o->to != NULL ? index_of(names, n, o->to) : n - 1;
    adp_coverage_t *cov = NULL;
    if (to == SIZE_MAX || to == 0) {
        fprintf(stderr, "versa diff: %s: no change to version %s\n", o->adapters,
                o->to ? o->to : "?");
    } else if (adp_coverage_load(&cov, o->adapters, names, n, &err) != 0) {
        fprintf(stderr, "versa diff: %s\n", spec_error_format(&err, msg, sizeof(msg)));
    } else {
        cli_diff_cover(d, cov, to, names[to], suggest);
    }
    int ok = cov != NULL;
    adp_coverage_destroy(cov);
    spec_doc_destroy(doc);
    if (!ok) {
        spec_diff_destroy(d);
        return NULL;
    }
    return d;
}

/* -c: every consecutive pair of versions with specs, per API. */
static spec_diff_t *run_config(const options_t *o, FILE *suggest)
{
    spec_error_t err;
    char msg[1600];
    spec_doc_t *doc;
    gw_config_t *cfg = NULL;
    if (spec_doc_load(&doc, o->config, NULL, &err) != 0 ||
        (gw_config_from_doc(doc, NULL, &cfg, &err), spec_doc_destroy(doc), cfg == NULL)) {
        fprintf(stderr, "versa diff: %s\n", spec_error_format(&err, msg, sizeof(msg)));
        return NULL;
    }
    /* the config's spec settings, unless the command line names its own */
    options_t with_config = *o;
    if (with_config.ref_root == NULL)
        with_config.ref_root = cfg->spec_ref_root;
    if (with_config.max_files == 0)
        with_config.max_files = cfg->spec_max_files;
    o = &with_config;
    spec_diff_t *all = NULL;
    int failed = 0, found_api = 0;
    for (size_t a = 0; a != cfg->num_apis && !failed; ++a) {
        const gw_api_t *api = &cfg->apis[a];
        if (o->api != NULL && strcmp(o->api, api->name) != 0)
            continue;
        found_api = 1;
        const char **names = calloc(api->num_versions + 1, sizeof(*names));
        for (size_t v = 0; v != api->num_versions; ++v)
            names[v] = api->versions[v].name;
        size_t from = o->from ? index_of(names, api->num_versions, o->from) : 0;
        size_t to = o->to ? index_of(names, api->num_versions, o->to) : api->num_versions - 1;
        if (from == SIZE_MAX || to == SIZE_MAX || from > to) {
            fprintf(stderr, "versa diff: API %s has no versions %s..%s\n", api->name,
                    o->from ? o->from : names[0], o->to ? o->to : names[api->num_versions - 1]);
            failed = 1;
        }
        adp_coverage_t *cov = NULL;
        if (!failed && api->adapters_path != NULL &&
            adp_coverage_load(&cov, api->adapters_path, names, api->num_versions, &err) != 0) {
            fprintf(stderr, "versa diff: %s\n", spec_error_format(&err, msg, sizeof(msg)));
            failed = 1;
        }
        /* consecutive versions that have specs; a version without one is skipped */
        size_t prev = SIZE_MAX;
        for (size_t v = from; !failed && v <= to; ++v) {
            if (api->versions[v].spec_path == NULL)
                continue;
            if (prev != SIZE_MAX) {
                spec_diff_t *d =
                    diff_files(api->versions[prev].spec_path, api->versions[v].spec_path, o);
                if (d == NULL) {
                    failed = 1;
                    break;
                }
                if (cov != NULL)
                    cli_diff_cover(d, cov, v, names[v], suggest);
                if (all == NULL) {
                    all = d;
                } else {
                    spec_diff_merge(all, d);
                    spec_diff_destroy(d);
                }
            }
            prev = v;
        }
        adp_coverage_destroy(cov);
        free(names);
    }
    if (!found_api && !failed) {
        fprintf(stderr, "versa diff: %s: no API %s\n", o->config, o->api ? o->api : "");
        failed = 1;
    }
    gw_config_release(cfg);
    if (failed) {
        spec_diff_destroy(all);
        return NULL;
    }
    if (all == NULL) {
        fprintf(stderr, "versa diff: %s: no two versions with specs to compare\n", o->config);
        return NULL;
    }
    spec_diff_sort(all);
    return all;
}

int cli_diff_main(int argc, char **argv)
{
    options_t o;
    int status = 0;
    if (parse_options(argc, argv, &o, &status) != 0)
        return status;
    char *sbuf = NULL;
    size_t slen = 0;
    FILE *suggest = o.suggest ? open_memstream(&sbuf, &slen) : NULL;
    spec_diff_t *d = o.config != NULL ? run_config(&o, suggest) : run_pair(&o, suggest);
    if (suggest != NULL)
        fclose(suggest);
    if (d == NULL) {
        free(sbuf);
        return EXIT_CANNOT_RUN;
    }
    FILE *out = stdout;
    if (o.output != NULL && (out = fopen(o.output, "w")) == NULL) {
        fprintf(stderr, "versa diff: cannot write %s: %s\n", o.output, strerror(errno));
        spec_diff_destroy(d);
        free(sbuf);
        return EXIT_CANNOT_RUN;
    }
    int r = spec_diff_write(out, d, o.format);
    if (o.suggest) {
        /* on standard output after a text report, else on standard error */
        FILE *to = out == stdout && o.format == SPEC_DIFF_TEXT ? stdout : stderr;
        if (slen != 0)
            fprintf(to,
                    "\n# Adapter steps for the uncovered breaking changes: paste under "
                    "`changes:` (merge entries with the same `to`)\n%s",
                    sbuf);
        else if (o.adapters == NULL && o.config == NULL)
            fprintf(to, "\n# --suggest needs --adapters or -c: nothing to suggest\n");
    }
    if (out != stdout && fclose(out) != 0)
        r = -1;
    free(sbuf);
    int failing = o.fail != SPEC_DIFF_NONE && spec_diff_count(d, o.fail) != 0;
    spec_diff_destroy(d);
    if (r != 0) {
        fprintf(stderr, "versa diff: cannot write the report\n");
        return EXIT_CANNOT_RUN;
    }
    return failing ? EXIT_FINDINGS : 0;
}
