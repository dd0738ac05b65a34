/* Correctness fixtures for the lint (../shared/specs): the OpenAPI Initiative's 3.0 examples and
 * 3.1 "pass" schema tests give no error, every 3.1 "fail" test gives at least one, and GitHub's
 * real 3.0 description is structurally valid and fully resolvable. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "lint.h"

#ifndef VERSA_SHARED_DIR
#define VERSA_SHARED_DIR "../shared"
#endif
#define SPECS VERSA_SHARED_DIR "/specs"

/* operation-object-example.yaml is valid against the 3.1 schema (which is all the OAI's "pass"
 * set promises) but its path /pets/{id} declares a parameter named petId: OpenAPI 3.1 §4.8.8.2
 * says each template expression MUST correspond to a path parameter, so path-params (an error
 * in Spectral's ruleset too) rightly reports it. That one finding is expected. */
static int expected_error(const char *file, const spec_finding_t *f)
{
    return strstr(file, "pass/operation-object-example.yaml") != NULL &&
           strcmp(f->rule, "path-params") == 0;
}

static void skip_without(const char *dir)
{
    struct stat st;
    if (stat(dir, &st) != 0) {
        print_message("# %s not found: fixtures unavailable\n", dir);
        skip();
    }
}

typedef void (*check_fn)(const char *path, const spec_lint_t *lint);

/* Lints each YAML file of `dir` on its own and hands the run to `check`; returns the count. */
static size_t each_file(const char *dir, check_fn check)
{
    skip_without(dir);
    DIR *d = opendir(dir);
    assert_non_null(d);
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 5, ".yaml") != 0)
            continue;
        char path[1024];
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        spec_lint_t *lint;
        spec_error_t err;
        assert_int_equal(spec_lint_create(&lint, NULL, &err), 0);
        if (spec_lint_file(lint, path, &err) != 0)
            fail_msg("%s: %s", path, err.message);
        check(path, lint);
        spec_lint_destroy(lint);
        ++n;
    }
    closedir(d);
    return n;
}

static void no_errors(const char *path, const spec_lint_t *lint)
{
    size_t n;
    const spec_finding_t *f = spec_lint_findings(lint, &n);
    for (size_t i = 0; i < n; ++i)
        if (f[i].severity == SPEC_LINT_ERROR && !expected_error(path, &f[i]))
            fail_msg("%s:%u:%u: unexpected error %s: %s", f[i].file, f[i].line, f[i].col, f[i].rule,
                     f[i].message);
}

static void some_error(const char *path, const spec_lint_t *lint)
{
    size_t n;
    const spec_finding_t *f = spec_lint_findings(lint, &n);
    for (size_t i = 0; i < n; ++i)
        if (f[i].severity == SPEC_LINT_ERROR)
            return;
    fail_msg("%s: no error found in a document that breaks the 3.1 schema", path);
}

static void test_oas30_examples(void **state)
{
    (void)state;
    assert_int_equal(each_file(SPECS "/oas30", no_errors), 6);
}

static void test_oas31_pass(void **state)
{
    (void)state;
    assert_true(each_file(SPECS "/oas31-schema-tests/pass", no_errors) >= 30);
}

static void test_oas31_fail(void **state)
{
    (void)state;
    assert_true(each_file(SPECS "/oas31-schema-tests/fail", some_error) >= 10);
}

/* GitHub's description: many findings of style rules and some invalid examples, but nothing
 * structural and no broken reference (its example values hold "$ref" keys that are data). */
static void test_github(void **state)
{
    (void)state;
    const char *path = SPECS "/large/github-2022-06-11.yaml";
    skip_without(path);
    spec_lint_t *lint;
    spec_error_t err;
    assert_int_equal(spec_lint_create(&lint, NULL, &err), 0);
    assert_int_equal(spec_lint_file(lint, path, &err), 0);
    size_t n, examples = 0;
    const spec_finding_t *f = spec_lint_findings(lint, &n);
    assert_true(n > 100);
    for (size_t i = 0; i < n; ++i) {
        if (strcmp(f[i].rule, "oas3-schema") == 0 || strcmp(f[i].rule, "invalid-ref") == 0 ||
            strcmp(f[i].rule, "path-params") == 0 || strcmp(f[i].rule, "parser") == 0)
            fail_msg("%s:%u:%u: %s: %s", f[i].file, f[i].line, f[i].col, f[i].rule, f[i].message);
        examples += strcmp(f[i].rule, "oas3-valid-media-example") == 0;
    }
    /* the migration examples lack exclude_git_data/exclude_metadata, which the schema requires */
    assert_true(examples >= 10);
    spec_lint_destroy(lint);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_oas30_examples),
        cmocka_unit_test(test_oas31_pass),
        cmocka_unit_test(test_oas31_fail),
        cmocka_unit_test(test_github),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
