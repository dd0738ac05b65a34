/* Tests specs/lint_ruleset.c: the accepted ruleset forms, each error with its position, and
 * rule ids checked (with position) when a lint run is created. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "lint.h"

static spec_ruleset_t *parse_ok(const char *yaml)
{
    spec_ruleset_t *rs;
    spec_error_t err;
    if (spec_ruleset_parse(&rs, "rules.yaml", yaml, strlen(yaml), &err) != 0)
        fail_msg("%s: %s", yaml, err.message);
    return rs;
}

static void parse_fails(const char *yaml, uint32_t line, uint32_t col, const char *fragment)
{
    spec_ruleset_t *rs;
    spec_error_t err;
    assert_int_equal(spec_ruleset_parse(&rs, "rules.yaml", yaml, strlen(yaml), &err), -1);
    assert_null(rs);
    if (err.line != line || err.col != col || strstr(err.message, fragment) == NULL)
        fail_msg("%s: got %u:%u %s; want %u:%u ...%s...", yaml, err.line, err.col, err.message,
                 line, col, fragment);
    assert_string_equal(err.file, "rules.yaml");
}

/* Severity of `rule` in a run created with `rs`. */
static spec_lint_severity_t severity_in(const spec_ruleset_t *rs, const char *rule)
{
    spec_lint_options_t opts = {.ruleset = rs};
    spec_lint_t *lint;
    spec_error_t err;
    assert_int_equal(spec_lint_create(&lint, &opts, &err), 0);
    size_t n;
    const spec_lint_rule_t *rules = spec_lint_run_rules(lint, &n);
    spec_lint_severity_t s = SPEC_LINT_OFF;
    int found = 0;
    for (size_t i = 0; i < n; ++i)
        if (strcmp(rules[i].id, rule) == 0)
            s = rules[i].severity, found = 1;
    assert_true(found);
    spec_lint_destroy(lint);
    return s;
}

static void test_severities(void **state)
{
    (void)state;
    spec_ruleset_t *rs = parse_ok("rules:\n"
                                  "  info-contact: error\n"
                                  "  operation-tags: hint\n"
                                  "  operation-description: info\n"
                                  "  oas3-schema: warn\n"
                                  "  typed-enum: off\n"
                                  "  array-items: false\n"
                                  "  no-$ref-siblings: true\n");
    assert_int_equal(severity_in(rs, "info-contact"), SPEC_LINT_ERROR);
    assert_int_equal(severity_in(rs, "operation-tags"), SPEC_LINT_HINT);
    assert_int_equal(severity_in(rs, "operation-description"), SPEC_LINT_INFO);
    assert_int_equal(severity_in(rs, "oas3-schema"), SPEC_LINT_WARN);
    assert_int_equal(severity_in(rs, "typed-enum"), SPEC_LINT_OFF);
    assert_int_equal(severity_in(rs, "array-items"), SPEC_LINT_OFF);
    assert_int_equal(severity_in(rs, "no-$ref-siblings"), SPEC_LINT_ERROR); /* its default */
    assert_int_equal(severity_in(rs, "info-description"), SPEC_LINT_WARN);  /* untouched */
    spec_ruleset_destroy(rs);
}

static void test_extends_forms(void **state)
{
    (void)state;
    static const char *const ok[] = {
        "extends: spectral:oas\n",
        "extends: [spectral:oas]\n",
        "extends: [[spectral:oas, recommended]]\n",
        "extends: [spectral:oas, all]\n",
        "extends: [\"spectral:oas\"]\nrules: {}\ndescription: ours\ndocumentationUrl: x\n",
        "rules:\n",
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); ++i)
        spec_ruleset_destroy(parse_ok(ok[i]));
}

static void test_errors(void **state)
{
    (void)state;
    parse_fails("- a\n", 1, 1, "mapping");
    parse_fails("rules:\n  info-contact: loud\n", 2, 17, "severity must be");
    parse_fails("rules:\n  info-contact: 3\n", 2, 17, "severity must be");
    parse_fails("rules:\n  my-rule:\n    given: $\n", 3, 5, "custom rule");
    parse_fails("extends: [spectral:asyncapi]\n", 1, 11, "only \"spectral:oas\"");
    parse_fails("extends: spectral:oas\nfunctions: [x]\n", 2, 1, "unsupported ruleset key");
    parse_fails("overrides: []\n", 1, 1, "unsupported ruleset key");
    parse_fails("rules: [a]\n", 1, 8, "must be a mapping");
    parse_fails("rules:\n  a: [\n", 3, 1, "");
}

static void test_unknown_rule(void **state)
{
    (void)state;
    spec_ruleset_t *rs = parse_ok("rules:\n  info-contact: off\n  no-such-rule: warn\n");
    spec_lint_options_t opts = {.ruleset = rs};
    spec_lint_t *lint;
    spec_error_t err;
    assert_int_equal(spec_lint_create(&lint, &opts, &err), -1);
    assert_null(lint);
    assert_int_equal(err.line, 3);
    assert_int_equal(err.col, 3);
    assert_non_null(strstr(err.message, "unknown rule \"no-such-rule\""));
    spec_ruleset_destroy(rs);
}

static void test_load_missing(void **state)
{
    (void)state;
    spec_ruleset_t *rs;
    spec_error_t err;
    assert_int_equal(spec_ruleset_load(&rs, "specs/tests/no-such-ruleset.yaml", &err), -1);
    assert_null(rs);
    assert_true(err.message[0] != '\0');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_severities),   cmocka_unit_test(test_extends_forms),
        cmocka_unit_test(test_errors),       cmocka_unit_test(test_unknown_rule),
        cmocka_unit_test(test_load_missing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
