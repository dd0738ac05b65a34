/* Tests specs/lint.c: the rule table, running over files (unreadable ones, several at once, a
 * loaded spec, limits), severities in effect, and the hook for other document kinds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "lint.h"

#define CASES "specs/tests/lint-cases/"

static void test_rule_table(void **state)
{
    (void)state;
    /* the rules issue 3 asks for, with Spectral's default severities */
    static const struct {
        const char *id;
        spec_lint_severity_t severity;
    } wanted[] = {
        {"oas3-schema", SPEC_LINT_ERROR},
        {"path-params", SPEC_LINT_ERROR},
        {"operation-operationId", SPEC_LINT_WARN},
        {"operation-operationId-unique", SPEC_LINT_ERROR},
        {"operation-operationId-valid-in-url", SPEC_LINT_WARN},
        {"operation-parameters", SPEC_LINT_WARN},
        {"operation-success-response", SPEC_LINT_WARN},
        {"operation-description", SPEC_LINT_WARN},
        {"operation-tags", SPEC_LINT_WARN},
        {"operation-tag-defined", SPEC_LINT_WARN},
        {"path-keys-no-trailing-slash", SPEC_LINT_WARN},
        {"path-not-include-query", SPEC_LINT_WARN},
        {"path-declarations-must-exist", SPEC_LINT_WARN},
        {"no-ambiguous-paths", SPEC_LINT_WARN},
        {"no-$ref-siblings", SPEC_LINT_ERROR},
        {"invalid-ref", SPEC_LINT_ERROR},
        {"oas3-unused-component", SPEC_LINT_WARN},
        {"duplicated-entry-in-enum", SPEC_LINT_WARN},
        {"typed-enum", SPEC_LINT_WARN},
        {"array-items", SPEC_LINT_ERROR},
        {"info-contact", SPEC_LINT_WARN},
        {"info-description", SPEC_LINT_WARN},
        {"oas3-api-servers", SPEC_LINT_WARN},
        {"oas3-server-trailing-slash", SPEC_LINT_WARN},
        {"oas3-server-variables", SPEC_LINT_ERROR},
        {"oas3-operation-security-defined", SPEC_LINT_WARN},
        {"oas3-valid-media-example", SPEC_LINT_ERROR},
        {"oas3-valid-schema-example", SPEC_LINT_ERROR},
    };
    size_t n;
    const spec_lint_rule_t *rules = spec_lint_rules(&n);
    for (size_t i = 0; i < n; ++i) {
        assert_non_null(rules[i].id);
        assert_true(rules[i].severity < SPEC_LINT_OFF);
        assert_true(strlen(rules[i].description) > 10);
        for (size_t j = 0; j < i; ++j)
            assert_string_not_equal(rules[i].id, rules[j].id);
    }
    for (size_t w = 0; w < sizeof(wanted) / sizeof(wanted[0]); ++w) {
        size_t i;
        for (i = 0; i < n && strcmp(rules[i].id, wanted[w].id) != 0; ++i)
            ;
        if (i == n)
            fail_msg("rule %s missing", wanted[w].id);
        assert_int_equal(rules[i].severity, wanted[w].severity);
    }
}

static void test_severity_names(void **state)
{
    (void)state;
    for (int s = SPEC_LINT_ERROR; s <= SPEC_LINT_OFF; ++s) {
        spec_lint_severity_t back;
        assert_int_equal(spec_lint_severity_parse(spec_lint_severity_name(s), &back), 0);
        assert_int_equal(back, s);
    }
    spec_lint_severity_t x;
    assert_int_equal(spec_lint_severity_parse("warning", &x), -1);
    assert_string_equal(spec_lint_severity_name(SPEC_LINT_WARN), "warn");
}

static spec_lint_t *run(const spec_lint_options_t *opts)
{
    spec_lint_t *lint;
    spec_error_t err;
    assert_int_equal(spec_lint_create(&lint, opts, &err), 0);
    return lint;
}

static size_t count_rule(const spec_lint_t *lint, const char *rule)
{
    size_t n, k = 0;
    const spec_finding_t *f = spec_lint_findings(lint, &n);
    for (size_t i = 0; i < n; ++i)
        k += strcmp(f[i].rule, rule) == 0;
    return k;
}

static void test_unreadable(void **state)
{
    (void)state;
    spec_lint_t *lint = run(NULL);
    spec_error_t err;
    assert_int_equal(spec_lint_file(lint, CASES "no-such-file.yaml", &err), -1);
    assert_non_null(strstr(err.message, "cannot open"));
    assert_int_equal(spec_lint_file(lint, CASES "clean-30", &err), -1);
    assert_non_null(strstr(err.message, "directory"));
    assert_int_equal(spec_lint_file_count(lint), 0);
    spec_lint_destroy(lint);
}

static void test_several_files(void **state)
{
    (void)state;
    spec_lint_t *lint = run(NULL);
    spec_error_t err;
    assert_int_equal(spec_lint_file(lint, CASES "paths/input.yaml", &err), 0);
    assert_int_equal(spec_lint_file(lint, CASES "clean-30/input.yaml", &err), 0);
    assert_int_equal(spec_lint_file(lint, CASES "operations/input.yaml", &err), 0);
    assert_int_equal(spec_lint_file_count(lint), 3);
    assert_string_equal(spec_lint_file_name(lint, 2), CASES "operations/input.yaml");
    assert_null(spec_lint_file_name(lint, 3));
    size_t n;
    const spec_finding_t *f = spec_lint_findings(lint, &n);
    assert_true(n > 10);
    /* by file in the order linted, then by position, and no finding twice */
    int seen_ops = 0;
    for (size_t i = 0; i < n; ++i) {
        int ops = strstr(f[i].file, "operations") != NULL;
        assert_false(seen_ops && !ops);
        seen_ops |= ops;
        if (i > 0 && f[i].file == f[i - 1].file) {
            assert_true(f[i].line > f[i - 1].line ||
                        (f[i].line == f[i - 1].line && f[i].col >= f[i - 1].col));
            assert_false(f[i].line == f[i - 1].line && f[i].col == f[i - 1].col &&
                         strcmp(f[i].rule, f[i - 1].rule) == 0 &&
                         strcmp(f[i].message, f[i - 1].message) == 0);
        }
    }
    spec_lint_destroy(lint);
}

static void test_loaded_spec(void **state)
{
    (void)state;
    static const char doc[] = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n";
    spec_t *spec;
    spec_error_t err;
    assert_int_equal(spec_parse(&spec, "memory.yaml", doc, strlen(doc), NULL, &err), 0);
    spec_lint_t *lint = run(NULL);
    spec_lint_spec(lint, spec);
    spec_destroy(spec); /* findings outlive the spec */
    assert_int_equal(spec_lint_file_count(lint), 1);
    assert_string_equal(spec_lint_file_name(lint, 0), "memory.yaml");
    assert_int_equal(count_rule(lint, "info-contact"), 1);
    size_t n;
    const spec_finding_t *f = spec_lint_findings(lint, &n);
    assert_string_equal(f[0].file, "memory.yaml");
    spec_lint_destroy(lint);
}

static void test_limits(void **state)
{
    (void)state;
    spec_load_options_t load = {.limits = {.max_file_bytes = 100}};
    spec_lint_options_t opts = {.load = &load};
    spec_lint_t *lint = run(&opts);
    spec_error_t err;
    assert_int_equal(spec_lint_file(lint, CASES "clean-30/input.yaml", &err), 0);
    size_t n;
    const spec_finding_t *f = spec_lint_findings(lint, &n);
    assert_int_equal(n, 1);
    assert_string_equal(f[0].rule, "parser");
    assert_int_equal(f[0].severity, SPEC_LINT_ERROR);
    spec_lint_destroy(lint);
}

static void test_rule_off(void **state)
{
    (void)state;
    static const char rules[] = "rules: {operation-tags: off, operation-description: hint}\n";
    spec_ruleset_t *rs;
    spec_error_t err;
    assert_int_equal(spec_ruleset_parse(&rs, "r.yaml", rules, strlen(rules), &err), 0);
    spec_lint_options_t opts = {.ruleset = rs};
    spec_lint_t *lint = run(&opts);
    assert_int_equal(spec_lint_file(lint, CASES "operations/input.yaml", &err), 0);
    assert_int_equal(count_rule(lint, "operation-tags"), 0);
    size_t n;
    const spec_finding_t *f = spec_lint_findings(lint, &n);
    size_t hints = 0;
    for (size_t i = 0; i < n; ++i)
        if (strcmp(f[i].rule, "operation-description") == 0)
            assert_int_equal(f[i].severity, SPEC_LINT_HINT), ++hints;
    assert_int_equal(hints, 2);
    spec_lint_destroy(lint);
    spec_ruleset_destroy(rs);
}

/* ---- the hook for other document kinds ---- */

static const spec_lint_rule_t adapter_rules[] = {
    {"adapter-changes", SPEC_LINT_WARN, "An adapter file must list its changes."},
};

static int accepts_adapter(const spec_node_t *root, void *data)
{
    (void)data;
    return spec_node_is(spec_node_get(root, "kind"), "adapter");
}

static void lint_adapter(spec_lint_ctx_t *ctx, const spec_doc_t *doc, void *data)
{
    ++*(int *)data;
    const spec_node_t *root = spec_doc_root(doc);
    const spec_node_t *changes = spec_node_get(root, "changes");
    if (spec_lint_severity(ctx, "adapter-changes") == SPEC_LINT_OFF)
        return;
    if (changes == NULL || changes->kind != SPEC_NODE_SEQUENCE || changes->u.seq.len == 0)
        spec_lint_report(ctx, "adapter-changes", changes != NULL ? changes : root,
                         changes != NULL ? "/changes" : "", "no changes in %s", "adapter");
}

static void test_extra_linter(void **state)
{
    (void)state;
    char path[] = "/tmp/versa-lint-adapter-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    static const char body[] = "kind: adapter\nchanges: []\n";
    assert_int_equal(write(fd, body, strlen(body)), (ssize_t)strlen(body));
    close(fd);

    int calls = 0;
    spec_linter_t linter = {"adapter", adapter_rules, 1, accepts_adapter, lint_adapter, &calls};
    static const char rules[] = "rules: {adapter-changes: error}\n";
    spec_ruleset_t *rs;
    spec_error_t err;
    assert_int_equal(spec_ruleset_parse(&rs, "r.yaml", rules, strlen(rules), &err), 0);
    spec_lint_options_t opts = {.ruleset = rs, .linters = &linter, .nlinters = 1};
    spec_lint_t *lint = run(&opts);
    assert_int_equal(spec_lint_file(lint, path, &err), 0);
    /* an OpenAPI document still goes to the OpenAPI rules, and a YAML file no linter takes is
     * unrecognized */
    assert_int_equal(spec_lint_file(lint, CASES "clean-30/input.yaml", &err), 0);
    assert_int_equal(spec_lint_file(lint, CASES "not-openapi/input.yaml", &err), 0);
    assert_int_equal(calls, 1);
    size_t n;
    const spec_finding_t *f = spec_lint_findings(lint, &n);
    assert_int_equal(n, 2);
    assert_string_equal(f[0].rule, "adapter-changes");
    assert_int_equal(f[0].severity, SPEC_LINT_ERROR);
    assert_int_equal(f[0].line, 2);
    assert_string_equal(f[0].path, "/changes");
    assert_string_equal(f[0].message, "no changes in adapter");
    assert_string_equal(f[1].rule, "unrecognized-format");
    size_t nrules;
    const spec_lint_rule_t *all = spec_lint_run_rules(lint, &nrules);
    assert_string_equal(all[nrules - 1].id, "adapter-changes");
    spec_lint_destroy(lint);
    spec_ruleset_destroy(rs);
    unlink(path);
}

/* Aliases let a small file hand one huge value to many examples: the lint's work budget for
 * examples keeps the run short and small (node.c already keeps the parse itself bounded). */
static void test_alias_bomb_in_examples(void **state)
{
    (void)state;
    char path[] = "/tmp/versa-lint-bomb-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("openapi: 3.0.3\n"
          "info: {title: t, version: '1', description: d, contact: {name: c}}\n"
          "servers: [{url: 'https://example.com'}]\n"
          "paths: {}\n"
          "x-bomb:\n"
          "  a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n"
          "  b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
          "  c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
          "  d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
          "  e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
          "  f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
          "components:\n  schemas:\n",
          f);
    for (int i = 0; i < 2000; ++i) /* each example would expand to 1.1 million values */
        fprintf(f, "    S%d: {type: string, example: *f, default: *f}\n", i);
    fclose(f);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    spec_lint_t *lint = run(NULL);
    spec_error_t err;
    assert_int_equal(spec_lint_file(lint, path, &err), 0);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    /* a second or two even under sanitizers; unbounded it would be hours */
    assert_true(seconds < 30.0);
    assert_true(count_rule(lint, "oas3-valid-schema-example") < 10);
    spec_lint_destroy(lint);
    unlink(path);
}

/* Findings past --max-findings-per-rule: the first N kept, one summary finding of the rule with
 * the count of the rest, and the count starts again for the next file. */
static void test_findings_cap(void **state)
{
    (void)state;
    char path[] = "/tmp/versa-lint-cap-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n", f);
    for (int i = 0; i < 10; ++i) /* 10 x 10 ambiguous pairs */
        fprintf(f, "  /x%d/{a}: {}\n  /{p}/y%d: {}\n", i, i);
    fclose(f);
    spec_lint_options_t opts = {.max_findings_per_rule = 7};
    spec_lint_t *lint = run(&opts);
    spec_error_t err;
    assert_int_equal(spec_lint_file(lint, path, &err), 0);
    assert_int_equal(spec_lint_file(lint, path, &err), 0);
    size_t n, summaries = 0;
    const spec_finding_t *found = spec_lint_findings(lint, &n);
    for (size_t i = 0; i < n; ++i)
        if (strstr(found[i].message, "93 more no-ambiguous-paths findings not reported") != NULL)
            ++summaries;
    assert_int_equal(summaries, 2);                               /* one per file */
    assert_int_equal(count_rule(lint, "no-ambiguous-paths"), 16); /* (7 + 1) per file */
    spec_lint_destroy(lint);
    opts.max_findings_per_rule = SIZE_MAX;
    lint = run(&opts);
    assert_int_equal(spec_lint_file(lint, path, &err), 0);
    assert_int_equal(count_rule(lint, "no-ambiguous-paths"), 100);
    spec_lint_destroy(lint);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rule_table),
        cmocka_unit_test(test_severity_names),
        cmocka_unit_test(test_unreadable),
        cmocka_unit_test(test_several_files),
        cmocka_unit_test(test_loaded_spec),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_rule_off),
        cmocka_unit_test(test_extra_linter),
        cmocka_unit_test(test_alias_bomb_in_examples),
        cmocka_unit_test(test_findings_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
