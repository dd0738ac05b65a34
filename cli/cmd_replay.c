/* `versa replay`: replays recorded traffic against two versions of a service and reports, per
 * operation and path, what differs (the engine is contract-tests/ct_replay.c). Exit status: 0
 * nothing fails --fail-on, 1 something does, 2 could not run (usage, I/O, unreachable upstream). */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include "cli.h"
#include "config.h"
#include "ct_replay.h"
#include "ct_report_render.h"
#include "replay_merge.h"
#include "replay_progress.h"
#include "replay_output.h"
#include "replay_validate.h"
#ifdef VERSA_REPLAY_ADAPTERS
#include "replay_adapt.h"
#endif

#define EXIT_FAILING 1
#define EXIT_CANNOT_RUN 2
#define MAX_RULE_LINE 8192

/* Set by SIGINT/SIGTERM; the engine polls it (a signal handler may only touch such a flag). */
static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    stop_requested = 1;
}

static void usage(FILE *out)
{
    fputs("usage: versa replay [options] CAPTURE...\n"
          "       versa replay --merge [-f FORMAT] [-o FILE] [--fail-on LEVEL] REPORT...\n"
          "\n"
          "Replays recorded exchanges (JSON Lines captures written by `versa serve`, or HAR 1.2\n"
          "files; \"-\" reads standard input) against two versions of a service and reports, per\n"
          "operation and path, what differs. Documentation: docs/replay.md\n"
          "\n"
          "targets:\n"
          "      --primary URL            the current version (http://host:port[/base])\n"
          "      --candidate URL          the version under test\n"
          "      --secondary URL          a second instance of the primary, to learn noise\n"
          "      --against-recorded       compare the candidate with the recorded responses\n"
          "  -c, --config FILE            versa.yaml: upstream URLs of the versions below\n"
          "      --api NAME               the API in the config (when it has several)\n"
          "      --primary-version V      with -c: the primary is version V's upstream\n"
          "      --candidate-version V    with -c: the candidate is version V's upstream\n"
          "selection:\n"
          "      --filter KEY=VALUE       operation=ID, method=NAME or path=/prefix (repeatable;\n"
          "                               one kind matches any of its values, kinds combine)\n"
          "      --allow-unsafe           also replay POST, PUT, PATCH, DELETE and other unsafe\n"
          "                               methods (skipped and counted otherwise)\n"
          "      --client-paths           send the paths clients sent to the gateway instead of\n"
          "                               the paths the gateway sent upstream\n"
          "      --shard I/N              replay only exchanges whose index in the captures is I\n"
          "                               modulo N (0 <= I < N); merge the shards' json reports\n"
          "      --merge                  the arguments are json reports of shards 0..N-1 of one\n"
          "                               replay: write the report of the whole replay\n"
          "pace:\n"
          "      --rate N                 exchanges per second (default: no limit)\n"
          "      --concurrency N          exchanges in flight, 1-1024 (default 64)\n"
          "      --timeout MS             no response data for this long is an error (30000)\n"
          "      --connect-timeout MS     (default 2000)\n"
          "      --max-body SIZE          response bytes compared, e.g. 8MiB (the default)\n"
          "comparison:\n"
          "      --rules FILE             rules, one per line: ignore, present, tolerance, regex\n"
          "      --rule RULE              one rule line (repeatable)\n"
          "      --ignore PATH            the rule \"ignore PATH\" (repeatable), e.g.\n"
          "                               body.meta.generated_at, headers.etag, body.**.id\n"
          "      --relative-threshold P   noise threshold, percent (default 20)\n"
          "      --absolute-threshold P   noise threshold, percentage points (default 0.03)\n"
          "contract:\n"
          "      --validate               hold the candidate's answers to its spec: with -c the\n"
          "                               spec of --candidate-version, else --spec\n"
          "      --spec FILE              the candidate's OpenAPI spec (implies --validate)\n"
          "report:\n"
          "  -f, --format FORMAT          text (default), json, junit, html\n"
          "  -o, --output FILE            write the report to FILE instead of standard output\n"
          "      --fail-on LEVEL          regression (default), violations, any, none\n"
          "      --progress, --no-progress  progress bar on standard error (default: when it is\n"
          "                               a terminal)\n"
          "  -h, --help                   show this help\n"
          "\n"
          "exit status: 0 nothing fails --fail-on, 1 something does, 2 could not run (bad\n"
          "usage, unreadable capture, unreachable upstream). Ctrl-C stops sending, waits briefly\n"
          "for the exchanges in flight and writes a partial report.\n",
          out);
}


typedef struct {
    ct_replay_config_t rc;
    const char *config, *api, *primary_version, *candidate_version;
    const char *rules_file;
    char **rules; /* --rule and --ignore, as rule lines (owned) */
    size_t num_rules;
    ct_replay_filter_t *filters;
    size_t num_filters;
    replay_format_t format;
    int merge; /* --merge: the arguments are shard reports */
    const char *output;
    int progress; /* -1: when stderr is a terminal */
    int validate;      /* --validate: the candidate's answers against its spec */
    const char *spec;  /* --spec FILE; else the candidate version's spec (-c) */
    replay_validate_t *checker;
    ct_replay_checker_t check_hook;
#ifdef VERSA_REPLAY_ADAPTERS
    replay_adapt_t *adapt;
    ct_replay_adapter_t hook;
#endif
} options_t;

static void options_dispose(options_t *o)
{
    replay_validate_destroy(o->checker);
#ifdef VERSA_REPLAY_ADAPTERS
    replay_adapt_destroy(o->adapt);
#endif
    for (size_t i = 0; i < o->num_rules; i++)
        free(o->rules[i]);
    free(o->rules);
    free(o->filters);
}

static int bad(const char *fmt, const char *arg)
{
    fputs("versa replay: ", stderr);
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    return -1;
}

static int parse_uint(const char *s, unsigned long long max, unsigned long long *out)
{
    char *end;
    errno = 0;
    if (*s < '0' || *s > '9')
        return -1;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0' || v > max)
        return -1;
    *out = v;
    return 0;
}

static int parse_double(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno != 0 || end == s || *end != '\0' || !(v >= 0) || v > 1e12)
        return -1;
    *out = v;
    return 0;
}

static void add_rule(options_t *o, const char *prefix, const char *text)
{
    size_t n = strlen(prefix) + strlen(text) + 1;
    char *line = malloc(n);
    char **rules = realloc(o->rules, (o->num_rules + 1) * sizeof(*rules));
    if (line == NULL || rules == NULL) {
        fputs("versa replay: out of memory\n", stderr);
        abort();
    }
    snprintf(line, n, "%s%s", prefix, text);
    o->rules = rules;
    o->rules[o->num_rules++] = line;
}

enum {
    OPT_PRIMARY = 256,
    OPT_CANDIDATE,
    OPT_SECONDARY,
    OPT_AGAINST_RECORDED,
    OPT_API,
    OPT_PRIMARY_VERSION,
    OPT_CANDIDATE_VERSION,
    OPT_FILTER,
    OPT_ALLOW_UNSAFE,
    OPT_CLIENT_PATHS,
    OPT_RATE,
    OPT_CONCURRENCY,
    OPT_TIMEOUT,
    OPT_CONNECT_TIMEOUT,
    OPT_MAX_BODY,
    OPT_RULES,
    OPT_RULE,
    OPT_IGNORE,
    OPT_RELATIVE,
    OPT_ABSOLUTE,
    OPT_FAIL_ON,
    OPT_PROGRESS,
    OPT_NO_PROGRESS,
    OPT_SHARD,
    OPT_MERGE,
    OPT_VALIDATE,
    OPT_SPEC,
};

/* Parses one option; returns 0, or -1 after saying why. */
static int parse_option(options_t *o, int c, const char *arg)
{
    unsigned long long v;
    ct_error_t err;
    switch (c) {
    case OPT_PRIMARY:
        o->rc.primary_url = arg;
        return 0;
    case OPT_CANDIDATE:
        o->rc.candidate_url = arg;
        return 0;
    case OPT_SECONDARY:
        o->rc.secondary_url = arg;
        return 0;
    case OPT_AGAINST_RECORDED:
        o->rc.against_recorded = 1;
        return 0;
    case 'c':
        o->config = arg;
        return 0;
    case OPT_API:
        o->api = arg;
        return 0;
    case OPT_PRIMARY_VERSION:
        o->primary_version = arg;
        return 0;
    case OPT_CANDIDATE_VERSION:
        o->candidate_version = arg;
        return 0;
    case OPT_FILTER: {
        ct_replay_filter_t *f = realloc(o->filters, (o->num_filters + 1) * sizeof(*f));
        if (f == NULL)
            abort();
        o->filters = f;
        if (ct_replay_filter_parse(arg, &o->filters[o->num_filters], &err) != 0)
            return bad("%s", err.message);
        o->num_filters++;
        return 0;
    }
    case OPT_ALLOW_UNSAFE:
        o->rc.allow_unsafe = 1;
        return 0;
    case OPT_CLIENT_PATHS:
        o->rc.client_paths = 1;
        return 0;
    case OPT_RATE:
        if (parse_double(arg, &o->rc.rate) != 0)
            return bad("--rate: \"%s\" is not a number of requests per second", arg);
        return 0;
    case OPT_CONCURRENCY:
        if (parse_uint(arg, 1024, &v) != 0 || v == 0)
            return bad("--concurrency: \"%s\" is not a number from 1 to 1024", arg);
        o->rc.concurrency = (unsigned)v;
        return 0;
    case OPT_TIMEOUT:
    case OPT_CONNECT_TIMEOUT:
        if (parse_uint(arg, 3600000, &v) != 0 || v == 0)
            return bad("timeouts are milliseconds from 1 to 3600000, not \"%s\"", arg);
        *(c == OPT_TIMEOUT ? &o->rc.timeout_ms : &o->rc.connect_timeout_ms) = v;
        return 0;
    case OPT_MAX_BODY: {
        size_t size;
        if (gw_parse_size(arg, &size) != 0 || size == 0 || size > ((size_t)1 << 30))
            return bad("--max-body: \"%s\" is not a size from 1 byte to 1GiB", arg);
        o->rc.max_body_bytes = size;
        return 0;
    }
    case OPT_RULES:
        o->rules_file = arg;
        return 0;
    case OPT_RULE:
        add_rule(o, "", arg);
        return 0;
    case OPT_IGNORE:
        add_rule(o, "ignore ", arg);
        return 0;
    case OPT_RELATIVE:
    case OPT_ABSOLUTE:
        if (parse_double(arg, c == OPT_RELATIVE ? &o->rc.report.relative_threshold
                                                : &o->rc.report.absolute_threshold) != 0)
            return bad("noise thresholds are numbers >= 0, not \"%s\"", arg);
        return 0;
    case 'f':
        if (strcmp(arg, "text") == 0)
            o->format = FORMAT_TEXT;
        else if (strcmp(arg, "json") == 0)
            o->format = FORMAT_JSON;
        else if (strcmp(arg, "junit") == 0)
            o->format = FORMAT_JUNIT;
        else if (strcmp(arg, "html") == 0)
            o->format = FORMAT_HTML;
        else
            return bad("unknown format \"%s\" (text, json, junit, html)", arg);
        return 0;
    case 'o':
        o->output = arg;
        return 0;
    case OPT_FAIL_ON:
        if (ct_fail_on_parse(arg, &o->rc.fail_on) != 0)
            return bad("--fail-on: \"%s\" is not regression, violations, any or none", arg);
        return 0;
    case OPT_PROGRESS:
    case OPT_NO_PROGRESS:
        o->progress = c == OPT_PROGRESS;
        return 0;
    case OPT_SHARD: {
        unsigned i, n;
        int used = 0;
        if (sscanf(arg, "%u/%u%n", &i, &n, &used) != 2 || arg[used] != '\0' || arg[0] == '+' ||
            arg[0] == '-' || n == 0 || n > 1000000 || i >= n)
            return bad("--shard: \"%s\" is not I/N with 0 <= I < N", arg);
        o->rc.shard_index = i;
        o->rc.shard_count = n;
        return 0;
    }
    case OPT_MERGE:
        o->merge = 1;
        return 0;
    case OPT_VALIDATE:
        o->validate = 1;
        return 0;
    case OPT_SPEC:
        o->spec = arg;
        o->validate = 1;
        return 0;
    }
    return -1;
}

/* Returns 0 to run, or -1 to exit with *status. */
static int parse_options(int argc, char **argv, options_t *o, int *status)
{
    static const struct option longopts[] = {
        {"primary", required_argument, NULL, OPT_PRIMARY},
        {"candidate", required_argument, NULL, OPT_CANDIDATE},
        {"secondary", required_argument, NULL, OPT_SECONDARY},
        {"against-recorded", no_argument, NULL, OPT_AGAINST_RECORDED},
        {"config", required_argument, NULL, 'c'},
        {"api", required_argument, NULL, OPT_API},
        {"primary-version", required_argument, NULL, OPT_PRIMARY_VERSION},
        {"candidate-version", required_argument, NULL, OPT_CANDIDATE_VERSION},
        {"filter", required_argument, NULL, OPT_FILTER},
        {"allow-unsafe", no_argument, NULL, OPT_ALLOW_UNSAFE},
        {"client-paths", no_argument, NULL, OPT_CLIENT_PATHS},
        {"rate", required_argument, NULL, OPT_RATE},
        {"concurrency", required_argument, NULL, OPT_CONCURRENCY},
        {"timeout", required_argument, NULL, OPT_TIMEOUT},
        {"connect-timeout", required_argument, NULL, OPT_CONNECT_TIMEOUT},
        {"max-body", required_argument, NULL, OPT_MAX_BODY},
        {"rules", required_argument, NULL, OPT_RULES},
        {"rule", required_argument, NULL, OPT_RULE},
        {"ignore", required_argument, NULL, OPT_IGNORE},
        {"relative-threshold", required_argument, NULL, OPT_RELATIVE},
        {"absolute-threshold", required_argument, NULL, OPT_ABSOLUTE},
        {"format", required_argument, NULL, 'f'},
        {"output", required_argument, NULL, 'o'},
        {"fail-on", required_argument, NULL, OPT_FAIL_ON},
        {"progress", no_argument, NULL, OPT_PROGRESS},
        {"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
        {"shard", required_argument, NULL, OPT_SHARD},
        {"merge", no_argument, NULL, OPT_MERGE},
        {"validate", no_argument, NULL, OPT_VALIDATE},
        {"spec", required_argument, NULL, OPT_SPEC},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    ct_replay_config_init(&o->rc);
    o->progress = -1;
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "c:f:o:h", longopts, NULL)) != -1) {
        if (c == 'h') {
            usage(stdout);
            return *status = 0, -1;
        }
        if (c == '?' || c == ':') {
            if (optopt != 0 && optopt < 256 && strchr("cfo", optopt) != NULL)
                fprintf(stderr, "versa replay: option -%c needs a value\n", optopt);
            else
                fprintf(stderr, "versa replay: unknown or incomplete option \"%s\"\n",
                        argv[optind - 1]);
            usage(stderr);
            return *status = EXIT_CANNOT_RUN, -1;
        }
        if (parse_option(o, c, optarg) != 0)
            return *status = EXIT_CANNOT_RUN, -1;
    }
    o->rc.filters = o->filters;
    o->rc.num_filters = o->num_filters;
    const char *problem = NULL;
    if (optind >= argc)
        problem = o->merge ? "no reports given" : "no capture files given";
    else if (o->merge) {
        if (o->config != NULL || o->rc.candidate_url != NULL || o->rc.primary_url != NULL ||
            o->rc.shard_count != 0)
            problem = "--merge takes reports, not targets, -c or --shard";
        else
            return 0;
    } else if (o->validate && o->spec == NULL &&
               (o->config == NULL || o->candidate_version == NULL))
        problem = "--validate needs the candidate's spec: --spec FILE, or -c with "
                  "--candidate-version";
    else if ((o->primary_version != NULL || o->candidate_version != NULL || o->api != NULL) &&
             o->config == NULL)
        problem = "--api, --primary-version and --candidate-version need -c versa.yaml";
    else if (o->config == NULL && o->rc.candidate_url == NULL)
        problem = "no candidate: give --candidate URL (or -c with --candidate-version)";
    else if (o->config == NULL && !o->rc.against_recorded && o->rc.primary_url == NULL)
        problem = "no primary: give --primary URL, or --against-recorded";
    else if (o->rc.against_recorded && (o->rc.primary_url != NULL || o->primary_version != NULL ||
                                        o->rc.secondary_url != NULL))
        problem = "--against-recorded takes no --primary, --primary-version or --secondary";
    if (problem != NULL) {
        fprintf(stderr, "versa replay: %s\n\n", problem);
        usage(stderr);
        return *status = EXIT_CANNOT_RUN, -1;
    }
    return 0;
}

/* Rules: --rules FILE (errors point at its lines), then --rule and --ignore in order. */
static ct_rules_t *load_rules(const options_t *o)
{
    ct_error_t err;
    ct_rules_t *rules = ct_rules_create(NULL, &err);
    if (rules == NULL) {
        fprintf(stderr, "versa replay: %s\n", err.message);
        return NULL;
    }
    if (o->rules_file != NULL) {
        FILE *f = fopen(o->rules_file, "r");
        if (f == NULL) {
            fprintf(stderr, "versa replay: %s: %s\n", o->rules_file, strerror(errno));
            ct_rules_destroy(rules);
            return NULL;
        }
        char *line = NULL;
        size_t cap = 0;
        ssize_t n;
        unsigned lineno = 0;
        while ((n = getline(&line, &cap, f)) >= 0) {
            lineno++;
            while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
                line[--n] = '\0';
            if (n > MAX_RULE_LINE || ct_rules_add_line(rules, line, &err) != 0) {
                fprintf(stderr, "versa replay: %s:%u: %s\n", o->rules_file, lineno,
                        n > MAX_RULE_LINE ? "line too long" : err.message);
                free(line);
                fclose(f);
                ct_rules_destroy(rules);
                return NULL;
            }
        }
        free(line);
        fclose(f);
    }
    for (size_t i = 0; i < o->num_rules; i++) {
        if (ct_rules_add_line(rules, o->rules[i], &err) != 0) {
            fprintf(stderr, "versa replay: rule \"%s\": %s\n", o->rules[i], err.message);
            ct_rules_destroy(rules);
            return NULL;
        }
    }
    return rules;
}

static const gw_version_t *find_version(const gw_api_t *api, const char *name)
{
    for (size_t i = 0; i < api->num_versions; i++)
        if (strcmp(api->versions[i].name, name) == 0)
            return &api->versions[i];
    return NULL;
}

/* The upstream URL of a version of the config's API, for a side the user did not give a URL. */
static int version_url(const gw_api_t *api, const char *version, const char *side, const char **url)
{
    const gw_version_t *v = find_version(api, version);
    if (v == NULL) {
        fprintf(stderr, "versa replay: API %s has no version \"%s\"\n", api->name, version);
        return -1;
    }
    if (*url != NULL)
        return 0; /* an explicit URL wins */
    if (!v->has_upstream) {
        fprintf(stderr,
                "versa replay: version %s of API %s has no upstream of its own; give --%s URL\n",
                version, api->name, side);
        return -1;
    }
    *url = v->upstream.url;
    return 0;
}

/* -c versa.yaml: picks the API, takes the versions' upstream URLs and, when the candidate is
 * another version, its adapter chain (the engine's ct_replay_config_t.adapter hook). */
static int apply_config(options_t *o, gw_config_t **out)
{
    spec_error_t err;
    char msg[2048];
    gw_config_t *cfg;
    if (gw_config_load(o->config, &cfg, &err) != 0) {
        fprintf(stderr, "versa replay: %s\n", spec_error_format(&err, msg, sizeof(msg)));
        return -1;
    }
    *out = cfg;
    const gw_api_t *api = NULL;
    for (size_t i = 0; i < cfg->num_apis; i++)
        if (o->api != NULL ? strcmp(cfg->apis[i].name, o->api) == 0 : cfg->num_apis == 1)
            api = &cfg->apis[i];
    if (api == NULL) {
        fprintf(stderr, "versa replay: %s: %s\n", o->config,
                o->api != NULL ? "no API of that name" : "several APIs: pick one with --api");
        return -1;
    }
    o->rc.api = api->name;
    if (o->primary_version != NULL &&
        version_url(api, o->primary_version, "primary", &o->rc.primary_url) != 0)
        return -1;
    if (o->candidate_version != NULL &&
        version_url(api, o->candidate_version, "candidate", &o->rc.candidate_url) != 0)
        return -1;
    if (o->rc.candidate_url == NULL || (!o->rc.against_recorded && o->rc.primary_url == NULL)) {
        fprintf(stderr, "versa replay: with -c, name the versions (--primary-version, "
                        "--candidate-version) or give their URLs\n");
        return -1;
    }
    if (o->validate && o->spec == NULL) {
        const spec_t *spec = NULL;
        const char *name = NULL;
        for (size_t i = 0; i < api->num_versions; i++)
            if (strcmp(api->versions[i].name, o->candidate_version) == 0)
                spec = api->versions[i].spec, name = api->versions[i].spec_path;
        if (spec == NULL) {
            fprintf(stderr, "versa replay: --validate: version %s of %s has no spec (give --spec)\n",
                    o->candidate_version, api->name);
            return -1;
        }
        char err[1024];
        if (replay_validate_create(NULL, spec, name, &o->checker, err, sizeof(err)) != 0) {
            fprintf(stderr, "versa replay: %s\n", err);
            return -1;
        }
    }
    if (o->primary_version != NULL && o->candidate_version != NULL &&
        strcmp(o->primary_version, o->candidate_version) != 0 && api->adapters_path != NULL) {
        /* The candidate speaks another version: its answers go through the adapter chain
         * before they are compared, as in shadowing; without an adapter file the versions are
         * compared as they answer. */
#ifdef VERSA_REPLAY_ADAPTERS
        char err[1024];
        if (replay_adapt_create(api, o->primary_version, o->candidate_version, &o->adapt, err,
                                sizeof(err)) != 0) {
            fprintf(stderr, "versa replay: %s\n", err);
            return -1;
        }
        replay_adapt_hook(o->adapt, &o->hook);
        o->rc.adapter = &o->hook;
#else
        fprintf(stderr,
                "versa replay: replaying %s traffic against %s needs the adapter chain "
                "of %s, and this build has no adapters\n",
                o->primary_version, o->candidate_version, api->name);
        return -1;
#endif
    }
    return 0;
}

static int write_report(const json_t *report, const options_t *o)
{
    return replay_write_report(report, o->format, o->rc.fail_on, o->output);
}

/* Each connection is a descriptor and there may be three per exchange in flight. */
static void raise_fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

static int run(options_t *o, const ct_rules_t *rules, char **captures, size_t n)
{
    replay_progress_t pg = {0};
    int tty = isatty(STDERR_FILENO);
    if (o->progress == 1 || (o->progress == -1 && tty)) {
        o->rc.progress = replay_progress_draw;
        o->rc.progress_ctx = &pg;
        o->rc.count_total = 1;
    }
    o->rc.rules = rules;
    o->rc.stop = &stop_requested;
    ct_error_t err;
    ct_replay_t *r = ct_replay_create(&o->rc, &err);
    if (r == NULL) {
        fprintf(stderr, "versa replay: %s\n", err.message);
        return EXIT_CANNOT_RUN;
    }
    struct sigaction sa = {.sa_handler = on_signal, .sa_flags = SA_RESETHAND};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL); /* a second Ctrl-C kills as usual */
    sigaction(SIGTERM, &sa, NULL);
    int started;
    ct_replay_status_t st = ct_replay_run(r, (const char *const *)captures, n, &started, &err);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    if (pg.drawn)
        fputc('\n', stderr);
    int status = 0;
    if (st == CT_REPLAY_FAILED)
        fprintf(stderr, "versa replay: %s\n", err.message);
    if (started) {
        json_t *report = ct_replay_report(r);
        json_t *x = json_object_get(json_object_get(report, "replay"), "exchanges");
        json_t *b = json_object_get(json_object_get(report, "replay"), "bad_lines");
        uint64_t read = (uint64_t)json_integer_value(json_object_get(x, "read"));
        uint64_t nbad = (uint64_t)json_integer_value(json_object_get(b, "count"));
        if (write_report(report, o) != 0)
            status = EXIT_CANNOT_RUN;
        if (st == CT_REPLAY_STOPPED)
            fprintf(stderr, "versa replay: interrupted; the report is partial\n");
        if (st == CT_REPLAY_DONE && read == nbad) {
            /* the first bad line says where, so a cut or corrupt capture reads file:line:col */
            json_t *first = json_array_get(json_object_get(b, "listed"), 0);
            if (read == 0 && n == 1)
                fprintf(stderr, "versa replay: %s:1:1: the captures hold no exchanges\n",
                        captures[0]);
            else if (read == 0 || first == NULL)
                fprintf(stderr, "versa replay: %s\n",
                        read == 0 ? "the captures hold no exchanges"
                                  : "no valid exchange in the captures");
            else
                fprintf(stderr,
                        "versa replay: no valid exchange in the captures; %s:%lld:%lld: %s\n",
                        json_string_value(json_object_get(first, "file")),
                        (long long)json_integer_value(json_object_get(first, "line")),
                        (long long)(json_integer_value(json_object_get(first, "column"))
                                        ? json_integer_value(json_object_get(first, "column"))
                                        : 1),
                        json_string_value(json_object_get(first, "message")));
            status = EXIT_CANNOT_RUN;
        }
        if (status == 0 && st != CT_REPLAY_FAILED)
            status = ct_report_fails(report, o->rc.fail_on) ? EXIT_FAILING : 0;
        json_decref(report);
    }
    if (st == CT_REPLAY_FAILED)
        status = EXIT_CANNOT_RUN;
    ct_replay_destroy(r);
    return status;
}

/* --merge: the shards' reports become one, rendered and judged as a replay's. */
static int merge(const options_t *o, char **reports, size_t n)
{
    json_t *report = replay_merge_files(reports, n, o->rc.fail_on);
    if (report == NULL)
        return EXIT_CANNOT_RUN;
    int status = write_report(report, o) != 0             ? EXIT_CANNOT_RUN
                 : ct_report_fails(report, o->rc.fail_on) ? EXIT_FAILING
                                                          : 0;
    json_decref(report);
    return status;
}

int cli_replay_main(int argc, char **argv)
{
    options_t o = {0};
    int status = 0;
    if (parse_options(argc, argv, &o, &status) != 0) {
        options_dispose(&o);
        return status;
    }
    if (o.merge) {
        status = merge(&o, argv + optind, (size_t)(argc - optind));
        options_dispose(&o);
        return status;
    }
    gw_config_t *cfg = NULL;
    if (o.config != NULL && apply_config(&o, &cfg) != 0) {
        gw_config_release(cfg);
        options_dispose(&o);
        return EXIT_CANNOT_RUN;
    }
    if (o.validate && o.checker == NULL) {
        char err[1200];
        if (replay_validate_create(o.spec, NULL, NULL, &o.checker, err, sizeof(err)) != 0) {
            fprintf(stderr, "versa replay: %s\n", err);
            gw_config_release(cfg);
            options_dispose(&o);
            return EXIT_CANNOT_RUN;
        }
    }
    if (o.checker != NULL) {
        replay_validate_hook(o.checker, &o.check_hook);
        o.rc.checker = &o.check_hook;
    }
    ct_rules_t *rules = load_rules(&o);
    if (rules == NULL) {
        gw_config_release(cfg);
        options_dispose(&o);
        return EXIT_CANNOT_RUN;
    }
    signal(SIGPIPE, SIG_IGN); /* a peer closing mid-write is an error result, not a death */
    raise_fd_limit();
    status = run(&o, rules, argv + optind, (size_t)(argc - optind));
    ct_rules_destroy(rules);
    gw_config_release(cfg);
    options_dispose(&o);
    return status;
}
