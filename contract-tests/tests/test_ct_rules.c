/* Tests of ct_rules.c: options, rule validation, the line syntax. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ct_match.h"
#include "ct_rules.h"

static void test_options(void **state)
{
    ct_options_t o;
    ct_options_init(&o);
    assert_int_equal(o.max_depth, 128);
    assert_int_equal(o.max_diffs, 100);
    assert_int_equal(o.max_json_bytes, 32 * 1024 * 1024);
    assert_int_equal(o.excerpt_bytes, 120);
    assert_true(o.compare_headers && o.default_header_ignores);
    ct_error_t err;
    ct_rules_t *r = ct_rules_create(NULL, &err);
    assert_non_null(r);
    assert_int_equal(ct_rules_options(r)->max_depth, 128);
    assert_int_equal(ct_rules_count(r), 0);
    ct_rules_destroy(r);
    ct_rules_destroy(NULL);

    struct {
        uint32_t depth, diffs, excerpt;
        const char *message;
    } bad[] = {{0, 100, 120, "max_depth"},      {CT_MAX_DEPTH_LIMIT + 1, 100, 120, "max_depth"},
               {128, 0, 120, "max_diffs"},      {128, CT_MAX_DIFFS_LIMIT + 1, 120, "max_diffs"},
               {128, 100, 15, "excerpt_bytes"}, {128, 100, CT_EXCERPT_LIMIT + 1, "excerpt_bytes"}};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ct_options_init(&o);
        o.max_depth = bad[i].depth;
        o.max_diffs = bad[i].diffs;
        o.excerpt_bytes = bad[i].excerpt;
        assert_null(ct_rules_create(&o, &err));
        assert_non_null(strstr(err.message, bad[i].message));
    }
}

static void test_add_validation(void **state)
{
    ct_error_t err;
    ct_rules_t *r = ct_rules_create(NULL, &err);
    ct_rule_t ok = {.path = "body.a", .match = CT_MATCH_TOLERANCE, .absolute = 0.5};
    assert_int_equal(ct_rules_add(r, &ok, &err), 0);
    ct_rule_t bad[] = {
        {.path = NULL, .match = CT_MATCH_IGNORE},
        {.path = "body..a", .match = CT_MATCH_IGNORE},
        {.path = "body.a", .match = CT_MATCH_TOLERANCE},
        {.path = "body.a", .match = CT_MATCH_TOLERANCE, .absolute = -1, .relative = 1},
        {.path = "body.a", .match = CT_MATCH_TOLERANCE, .absolute = NAN},
        {.path = "body.a", .match = CT_MATCH_TOLERANCE, .relative = INFINITY},
        {.path = "body.a", .match = CT_MATCH_REGEX},
        {.path = "body.a", .match = CT_MATCH_REGEX, .regex = ""},
        {.path = "body.a", .match = CT_MATCH_REGEX, .regex = "(unclosed"},
        {.path = "body..a", .match = CT_MATCH_REGEX, .regex = "x"},
        {.path = "body.a", .match = (ct_match_t)42},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        err.message[0] = '\0';
        if (ct_rules_add(r, &bad[i], &err) == 0)
            fail_msg("accepted bad rule %zu", i);
        assert_true(err.message[0] != '\0');
    }
    assert_int_equal(ct_rules_count(r), 1);
    ct_rules_destroy(r);
}

static void test_rule_limit(void **state)
{
    ct_error_t err;
    ct_rules_t *r = ct_rules_create(NULL, &err);
    ct_rule_t rule = {.path = "body.a", .match = CT_MATCH_IGNORE};
    for (int i = 0; i < CT_MAX_RULES; i++)
        assert_int_equal(ct_rules_add(r, &rule, &err), 0);
    assert_int_equal(ct_rules_add(r, &rule, &err), -1);
    assert_non_null(strstr(err.message, "too many rules"));
    ct_rules_destroy(r);
}

static void test_lines(void **state)
{
    ct_error_t err;
    ct_rules_t *r = ct_rules_create(NULL, &err);
    const char *good[] = {
        "ignore body.**.updatedAt",
        "  present\tbody.token  \r\n",
        "tolerance body.price abs=0.01",
        "tolerance body.total rel=1e-3 abs=2",
        "regex body.id ^[0-9a-f]{8}( [a-z]+)?$  ",
        "@listPets ignore body.meta",
        "",
        "   ",
        "# a comment",
        "ignore headers.X-Trace-*",
    };
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        if (ct_rules_add_line(r, good[i], &err) != 0)
            fail_msg("%s: %s", good[i], err.message);
    assert_int_equal(ct_rules_count(r), 7);
    const ct_crule_t *c = r->rules;
    assert_int_equal(c[0].match, CT_MATCH_IGNORE);
    assert_int_equal(c[1].match, CT_MATCH_PRESENT);
    assert_int_equal(c[1].num_segs, 2);
    assert_true(c[2].absolute == 0.01 && c[2].relative == 0);
    assert_true(c[3].absolute == 2 && c[3].relative == 1e-3);
    assert_int_equal(c[4].match, CT_MATCH_REGEX);
    assert_int_equal(regexec(&c[4].regex, "deadbeef abc", 0, NULL, 0), 0);
    assert_null(c[4].operation);
    assert_string_equal(c[5].operation, "listPets");
    /* header names in patterns are lower-cased like the paths they match */
    assert_string_equal(c[6].segs[1].str, "x-trace-*");
    ct_rules_destroy(r);
}

static void test_bad_lines(void **state)
{
    ct_error_t err;
    ct_rules_t *r = ct_rules_create(NULL, &err);
    struct {
        const char *line, *message;
    } bad[] = {
        {"ignore", "expected <action> <path>"},
        {"skip body.a", "unknown action"},
        {"ignore body.a extra", "unexpected text"},
        {"tolerance body.a", "needs finite"},
        {"tolerance body.a abs=", "expected abs="},
        {"tolerance body.a abs=x", "expected abs="},
        {"tolerance body.a tol=1", "expected abs="},
        {"tolerance body.a abs=1e999", "expected abs="},
        {"regex body.a", "without a regex"},
        {"regex body.a [", "regex"},
        {"@ ignore body.a", "bad @operation"},
        {"ignore body..a", "path pattern"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        err.message[0] = '\0';
        if (ct_rules_add_line(r, bad[i].line, &err) == 0)
            fail_msg("accepted %s", bad[i].line);
        if (strstr(err.message, bad[i].message) == NULL)
            fail_msg("%s: message %s", bad[i].line, err.message);
    }
    assert_int_equal(ct_rules_count(r), 0);
    ct_rules_destroy(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_options),    cmocka_unit_test(test_add_validation),
        cmocka_unit_test(test_rule_limit), cmocka_unit_test(test_lines),
        cmocka_unit_test(test_bad_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
