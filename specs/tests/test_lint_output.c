/* Tests specs/lint_output.c: each format's shape on real runs (several files, findings in a
 * referenced file, a clean file), escaping of awkward file names and messages, and filtering. */
/* gcc 12 at -O3 takes open_memstream's buffer for a dangling stack pointer (it is heap). */
#pragma GCC diagnostic ignored "-Wpragmas"
#pragma GCC diagnostic ignored "-Wdangling-pointer"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "lint.h"

#define CASES "specs/tests/lint-cases/"

typedef struct {
    spec_lint_t *lint;
    char dir[64], odd[128];
} fixture_t;

/* A spec named with characters every format must escape, whose messages hold quotes. */
static const char odd_spec[] =
    "openapi: 3.0.3\n"
    "info: {title: t, version: '1', description: d, contact: {name: c}}\n"
    "servers: [{url: 'https://example.com'}]\n"
    "paths:\n"
    "  /a&b:\n"
    "    get:\n"
    "      operationId: 'x<y'\n"
    "      description: d\n"
    "      tags: [t]\n"
    "      responses: {'200': {description: ok}}\n";

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof(*f));
    snprintf(f->dir, sizeof(f->dir), "/tmp/versa-lint-out-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->odd, sizeof(f->odd), "%s/we,ird:na&me.yaml", f->dir);
    FILE *out = fopen(f->odd, "w");
    assert_non_null(out);
    fputs(odd_spec, out);
    fclose(out);
    spec_error_t err;
    assert_int_equal(spec_lint_create(&f->lint, NULL, &err), 0);
    assert_int_equal(spec_lint_file(f->lint, CASES "operations/input.yaml", &err), 0);
    assert_int_equal(spec_lint_file(f->lint, CASES "clean-30/input.yaml", &err), 0);
    assert_int_equal(spec_lint_file(f->lint, CASES "refs/input.yaml", &err), 0);
    assert_int_equal(spec_lint_file(f->lint, f->odd, &err), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    spec_lint_destroy(f->lint);
    unlink(f->odd);
    rmdir(f->dir);
    free(f);
    return 0;
}

static char *render(const spec_lint_t *lint, spec_lint_format_t format,
                    const spec_lint_write_options_t *opts)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    assert_int_equal(spec_lint_write(mem, lint, format, opts), 0);
    fclose(mem);
    return buf;
}

static size_t count_of(const char *s, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(s, needle); p != NULL; p = strstr(p + 1, needle))
        ++n;
    return n;
}

static size_t total_findings(const spec_lint_t *lint)
{
    size_t n;
    spec_lint_findings(lint, &n);
    return n;
}

static void test_json(void **state)
{
    fixture_t *f = *state;
    char *text = render(f->lint, SPEC_LINT_JSON, NULL);
    json_error_t jerr;
    json_t *doc = json_loads(text, 0, &jerr);
    if (doc == NULL)
        fail_msg("invalid JSON: %s", jerr.text);
    json_t *findings = json_object_get(doc, "findings");
    assert_int_equal(json_array_size(findings), total_findings(f->lint));
    assert_int_equal(json_array_size(json_object_get(doc, "files")), 4);
    json_t *first = json_array_get(findings, 0);
    assert_string_equal(json_string_value(json_object_get(first, "file")),
                        CASES "operations/input.yaml");
    assert_true(json_integer_value(json_object_get(first, "line")) > 0);
    assert_true(json_is_string(json_object_get(first, "path")));
    json_t *summary = json_object_get(doc, "summary");
    assert_int_equal(json_integer_value(json_object_get(summary, "files")), 4);
    assert_true(json_integer_value(json_object_get(summary, "errors")) >= 5);
    json_decref(doc);
    free(text);
}

static void test_sarif(void **state)
{
    fixture_t *f = *state;
    char *text = render(f->lint, SPEC_LINT_SARIF, NULL);
    json_t *doc = json_loads(text, 0, NULL);
    assert_non_null(doc);
    assert_string_equal(json_string_value(json_object_get(doc, "version")), "2.1.0");
    json_t *run = json_array_get(json_object_get(doc, "runs"), 0);
    json_t *driver = json_object_get(json_object_get(run, "tool"), "driver");
    assert_string_equal(json_string_value(json_object_get(driver, "name")), "versa");
    json_t *rules = json_object_get(driver, "rules");
    size_t nrules;
    spec_lint_rules(&nrules);
    assert_int_equal(json_array_size(rules), nrules);
    json_t *results = json_object_get(run, "results");
    assert_int_equal(json_array_size(results), total_findings(f->lint));
    size_t i;
    json_t *r;
    int saw_odd = 0;
    json_array_foreach(results, i, r)
    {
        const char *id = json_string_value(json_object_get(r, "ruleId"));
        json_int_t index = json_integer_value(json_object_get(r, "ruleIndex"));
        assert_string_equal(json_string_value(json_object_get(json_array_get(rules, index), "id")),
                            id);
        const char *level = json_string_value(json_object_get(r, "level"));
        assert_true(strcmp(level, "error") == 0 || strcmp(level, "warning") == 0 ||
                    strcmp(level, "note") == 0);
        json_t *loc =
            json_object_get(json_array_get(json_object_get(r, "locations"), 0), "physicalLocation");
        const char *uri =
            json_string_value(json_object_get(json_object_get(loc, "artifactLocation"), "uri"));
        json_t *region = json_object_get(loc, "region");
        assert_true(json_integer_value(json_object_get(region, "startLine")) >= 1);
        assert_true(json_integer_value(json_object_get(region, "startColumn")) >= 1);
        assert_non_null(json_string_value(json_object_get(json_object_get(r, "message"), "text")));
        if (strstr(uri, "we,ird:na&me.yaml") != NULL) {
            assert_int_equal(strncmp(uri, "file:///tmp/", 12), 0);
            saw_odd = 1;
        }
    }
    assert_true(saw_odd);
    json_decref(doc);
    free(text);
}

static void test_github(void **state)
{
    fixture_t *f = *state;
    char *text = render(f->lint, SPEC_LINT_GITHUB, NULL);
    assert_int_equal(count_of(text, "\n"), total_findings(f->lint));
    assert_non_null(strstr(text, "::error file=" CASES "operations/input.yaml,line=17,col=20,"
                                 "title=operation-operationId-unique::Every operation must have "
                                 "unique \"operationId\". (/paths/~1a/put/operationId)\n"));
    assert_non_null(strstr(text, "::warning file=" CASES "operations/input.yaml,line="));
    assert_non_null(strstr(text, "::notice file=" CASES "refs/input.yaml,"));
    /* property values escape ',' and ':' (and '%') */
    assert_non_null(strstr(text, "we%2Cird%3Ana&me.yaml,line=7,col=20,"
                                 "title=operation-operationId-valid-in-url::"));
    free(text);
}

static void test_junit(void **state)
{
    fixture_t *f = *state;
    char *text = render(f->lint, SPEC_LINT_JUNIT, NULL);
    assert_int_equal(strncmp(text, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites", 50),
                     0);
    assert_int_equal(count_of(text, "<testsuite "), 4);
    assert_int_equal(count_of(text, "</testsuite>"), 4);
    assert_int_equal(count_of(text, "<failure "), total_findings(f->lint));
    /* the clean file is one passing case */
    assert_non_null(
        strstr(text, "classname=\"" CASES "clean-30/input.yaml\" name=\"versa lint\"/>"));
    assert_non_null(strstr(text, "we,ird:na&amp;me.yaml"));
    assert_null(strstr(text, "na&me"));
    assert_non_null(strstr(text, "must have unique &quot;operationId&quot;"));
    free(text);
}

static void test_stylish(void **state)
{
    fixture_t *f = *state;
    char *text = render(f->lint, SPEC_LINT_STYLISH, NULL);
    /* grouped by file, the referenced file after the one that references it */
    const char *ops = strstr(text, CASES "operations/input.yaml\n");
    const char *refs = strstr(text, CASES "refs/input.yaml\n");
    const char *refs_paths = strstr(text, CASES "refs/paths.yaml\n");
    assert_true(ops != NULL && refs != NULL && refs_paths != NULL);
    assert_true(ops < refs && refs < refs_paths);
    assert_null(strstr(text, CASES "clean-30")); /* nothing to show */
    assert_non_null(strstr(text, " 17:20  error  operation-operationId-unique  "));
    assert_non_null(strstr(text, "paths./a.put.operationId\n"));
    size_t n;
    const spec_finding_t *fs = spec_lint_findings(f->lint, &n);
    size_t errors = 0, warnings = 0, infos = 0;
    for (size_t i = 0; i < n; ++i) {
        errors += fs[i].severity == SPEC_LINT_ERROR;
        warnings += fs[i].severity == SPEC_LINT_WARN;
        infos += fs[i].severity == SPEC_LINT_INFO;
    }
    char summary[200];
    snprintf(summary, sizeof(summary),
             "✖ %zu problems (%zu errors, %zu warnings, %zu info, 0 hints) in 4 files\n", n, errors,
             warnings, infos);
    assert_int_equal(infos, 1);
    assert_non_null(strstr(text, summary));
    assert_null(strstr(text, "\033[")); /* no colour unless asked */
    free(text);
}

static void test_filtering_and_color(void **state)
{
    fixture_t *f = *state;
    spec_lint_write_options_t errors_only = {.min_severity = SPEC_LINT_ERROR, .quiet = 1};
    char *text = render(f->lint, SPEC_LINT_STYLISH, &errors_only);
    assert_null(strstr(text, " warn "));
    assert_non_null(strstr(text, " errors, 0 warnings, 0 infos, 0 hints) in 4 files\n"));
    free(text);
    text = render(f->lint, SPEC_LINT_JSON, &errors_only);
    json_t *doc = json_loads(text, 0, NULL);
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(doc, "findings"), i, v)
        assert_string_equal(json_string_value(json_object_get(v, "severity")), "error");
    json_decref(doc);
    free(text);
    spec_lint_write_options_t color = {.min_severity = SPEC_LINT_HINT, .color = 1};
    text = render(f->lint, SPEC_LINT_STYLISH, &color);
    assert_non_null(strstr(text, "\033[31merror"));
    free(text);
}

static void test_clean_run(void **state)
{
    (void)state;
    spec_lint_t *lint;
    spec_error_t err;
    assert_int_equal(spec_lint_create(&lint, NULL, &err), 0);
    assert_int_equal(spec_lint_file(lint, CASES "clean-31/input.yaml", &err), 0);
    char *text = render(lint, SPEC_LINT_STYLISH, NULL);
    assert_string_equal(text, "✔ No problems found in 1 file\n");
    free(text);
    spec_lint_write_options_t quiet = {.min_severity = SPEC_LINT_ERROR, .quiet = 1};
    text = render(lint, SPEC_LINT_STYLISH, &quiet);
    assert_string_equal(text, "");
    free(text);
    text = render(lint, SPEC_LINT_GITHUB, NULL);
    assert_string_equal(text, "");
    free(text);
    spec_lint_destroy(lint);
}

static void test_format_names(void **state)
{
    (void)state;
    static const char *const names[] = {"stylish", "json", "sarif", "github", "junit"};
    for (size_t i = 0; i < 5; ++i) {
        spec_lint_format_t fmt;
        assert_int_equal(spec_lint_format_parse(names[i], &fmt), 0);
        assert_int_equal(fmt, (spec_lint_format_t)i);
    }
    spec_lint_format_t fmt;
    assert_int_equal(spec_lint_format_parse("xml", &fmt), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_json, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sarif, setup, teardown),
        cmocka_unit_test_setup_teardown(test_github, setup, teardown),
        cmocka_unit_test_setup_teardown(test_junit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stylish, setup, teardown),
        cmocka_unit_test_setup_teardown(test_filtering_and_color, setup, teardown),
        cmocka_unit_test(test_clean_run),
        cmocka_unit_test(test_format_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
