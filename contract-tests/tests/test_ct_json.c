/* Tests of ct_json.c: structural JSON diff (kinds, numbers, key order, arrays, depth, rules). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ct_path.h"
#include "ct_test.h"

static ct_result_t res;

static int setup(void **state)
{
    ct_result_init(&res);
    return 0;
}

static int teardown(void **state)
{
    ct_result_dispose(&res);
    return 0;
}

static void test_identical(void **state)
{
    assert_int_equal(ct_test_diff(NULL, "{\"a\":[1,{\"b\":null}],\"c\":true}",
                                  "{\"a\":[1,{\"b\":null}],\"c\":true}", &res),
                     0);
    assert_int_equal(res.num_diffs, 0);
    assert_false(res.truncated);
}

static void test_missing_and_extra(void **state)
{
    assert_int_equal(
        ct_test_diff(NULL, "{\"a\":1,\"b\":{\"x\":\"y\"}}", "{\"a\":1,\"c\":[]}", &res), 1);
    assert_int_equal(res.num_diffs, 2);
    const ct_diff_t *d = ct_test_find(&res, CT_DIFF_MISSING, "body.b");
    assert_non_null(d);
    assert_string_equal(d->primary, "{\"x\":\"y\"}");
    assert_null(d->candidate);
    d = ct_test_find(&res, CT_DIFF_EXTRA, "body.c");
    assert_non_null(d);
    assert_null(d->primary);
    assert_string_equal(d->candidate, "[]");
    /* primary keys come first, then candidate-only keys */
    assert_int_equal(res.diffs[0].kind, CT_DIFF_MISSING);
}

static void test_type_changed(void **state)
{
    ct_test_diff(NULL, "{\"a\":\"1\"}", "{\"a\":1}", &res);
    const ct_diff_t *d = ct_test_only(&res, CT_DIFF_TYPE_CHANGED, "body.a");
    assert_string_equal(d->primary, "\"1\"");
    assert_string_equal(d->candidate, "1");
    assert_string_equal(d->detail, "string vs number");

    ct_test_diff(NULL, "{\"a\":null}", "{\"a\":false}", &res);
    ct_test_only(&res, CT_DIFF_TYPE_CHANGED, "body.a");
    ct_test_diff(NULL, "{\"a\":{}}", "{\"a\":[]}", &res);
    assert_string_equal(ct_test_only(&res, CT_DIFF_TYPE_CHANGED, "body.a")->detail,
                        "object vs array");
    ct_test_diff(NULL, "[1]", "{\"0\":1}", &res);
    ct_test_only(&res, CT_DIFF_TYPE_CHANGED, "body");
}

static void test_value_changed(void **state)
{
    ct_test_diff(NULL, "{\"s\":\"caf\\u00e9\"}", "{\"s\":\"cafe\"}", &res);
    const ct_diff_t *d = ct_test_only(&res, CT_DIFF_VALUE_CHANGED, "body.s");
    assert_string_equal(d->primary, "\"caf\xc3\xa9\"");
    assert_string_equal(d->candidate, "\"cafe\"");
    ct_test_diff(NULL, "true", "false", &res);
    ct_test_only(&res, CT_DIFF_VALUE_CHANGED, "body");
    /* strings holding NULs compare by length, not up to the first NUL */
    ct_test_diff(NULL, "\"a\\u0000b\"", "\"a\\u0000c\"", &res);
    d = ct_test_only(&res, CT_DIFF_VALUE_CHANGED, "body");
    assert_string_equal(d->primary, "\"a\\u0000b\"");
}

static void test_numbers_by_value(void **state)
{
    assert_int_equal(ct_test_diff(NULL, "[1, 1.0, -0.0, 1e2, 0.5]", "[1.0, 1, 0, 100, 5e-1]", &res),
                     0);
    /* integers stay exact beyond 2^53, where doubles would merge them */
    ct_test_diff(NULL, "{\"id\":9007199254740993}", "{\"id\":9007199254740992}", &res);
    const ct_diff_t *d = ct_test_only(&res, CT_DIFF_VALUE_CHANGED, "body.id");
    assert_string_equal(d->primary, "9007199254740993");
    assert_string_equal(d->candidate, "9007199254740992");
    /* an integer never equals a real that only rounds to it */
    ct_test_diff(NULL, "{\"id\":9007199254740993}", "{\"id\":9007199254740993.0}", &res);
    ct_test_only(&res, CT_DIFF_VALUE_CHANGED, "body.id");
    assert_int_equal(ct_test_diff(NULL, "9223372036854775807", "9223372036854775807", &res), 0);
    assert_int_equal(ct_test_diff(NULL, "-9223372036854775808", "-9.223372036854775808e18", &res),
                     0);
    ct_test_diff(NULL, "9223372036854775807", "9.3e18", &res);
    ct_test_only(&res, CT_DIFF_VALUE_CHANGED, "body");
    /* reals compare exactly; excerpts use the shortest round-trip text */
    ct_test_diff(NULL, "{\"x\":0.30000000000000004}", "{\"x\":0.3}", &res);
    d = ct_test_only(&res, CT_DIFF_VALUE_CHANGED, "body.x");
    assert_string_equal(d->primary, "0.30000000000000004");
    assert_string_equal(d->candidate, "0.3");
    ct_test_diff(NULL, "2.5", "2", &res);
    d = ct_test_only(&res, CT_DIFF_VALUE_CHANGED, "body");
    assert_string_equal(d->primary, "2.5");
}

static void test_key_order_ignored(void **state)
{
    assert_int_equal(ct_test_diff(NULL, "{\"a\":1,\"b\":{\"c\":2,\"d\":3}}",
                                  "{\"b\":{\"d\":3,\"c\":2},\"a\":1}", &res),
                     0);
}

static void test_array_paths_aggregate(void **state)
{
    ct_test_diff(
        NULL, "{\"items\":[{\"id\":1,\"n\":\"a\"},{\"id\":2,\"n\":\"b\"},{\"id\":3,\"n\":\"c\"}]}",
        "{\"items\":[{\"id\":1,\"n\":\"a\"},{\"id\":2,\"n\":\"B\"},{\"id\":3,\"n\":\"C\"}]}", &res);
    assert_int_equal(res.num_diffs, 2);
    assert_string_equal(res.diffs[0].path, "body.items[*].n");
    assert_string_equal(res.diffs[0].concrete, "body.items[1].n");
    assert_string_equal(res.diffs[1].path, "body.items[*].n");
    assert_string_equal(res.diffs[1].concrete, "body.items[2].n");
    /* nested arrays aggregate every level */
    ct_test_diff(NULL, "[[1,2],[3,4]]", "[[1,2],[3,5]]", &res);
    const ct_diff_t *d = ct_test_only(&res, CT_DIFF_VALUE_CHANGED, "body[*][*]");
    assert_string_equal(d->concrete, "body[1][1]");
}

static void test_array_length_changed(void **state)
{
    /* appended element: the common prefix is equal, only the length differs */
    ct_test_diff(NULL, "{\"a\":[1,2,3]}", "{\"a\":[1,2,3,4]}", &res);
    const ct_diff_t *d = ct_test_only(&res, CT_DIFF_ARRAY_LENGTH_CHANGED, "body.a");
    assert_string_equal(d->detail, "3 vs 4 elements");
    assert_string_equal(d->primary, "[1,2,3]");
    assert_string_equal(d->candidate, "[1,2,3,4]");
    /* prepended element: aligning the tails avoids a cascade of shifted values */
    ct_test_diff(NULL, "{\"a\":[{\"id\":1},{\"id\":2}]}",
                 "{\"a\":[{\"id\":0},{\"id\":1},{\"id\":2}]}", &res);
    ct_test_only(&res, CT_DIFF_ARRAY_LENGTH_CHANGED, "body.a");
    /* neither alignment works: the length and the start-aligned element differences */
    ct_test_diff(NULL, "[1,2,3]", "[9,2]", &res);
    assert_int_equal(res.num_diffs, 2);
    assert_non_null(ct_test_find(&res, CT_DIFF_ARRAY_LENGTH_CHANGED, "body"));
    d = ct_test_find(&res, CT_DIFF_VALUE_CHANGED, "body[*]");
    assert_non_null(d);
    assert_string_equal(d->concrete, "body[0]");
}

static void test_order_changed(void **state)
{
    ct_test_diff(NULL, "{\"tags\":[\"a\",\"b\",\"c\"]}", "{\"tags\":[\"c\",\"a\",\"b\"]}", &res);
    const ct_diff_t *d = ct_test_only(&res, CT_DIFF_ORDER_CHANGED, "body.tags");
    assert_string_equal(d->primary, "[\"a\",\"b\",\"c\"]");
    assert_string_equal(d->candidate, "[\"c\",\"a\",\"b\"]");
    /* elements equal by value (numbers, key order) still make a permutation */
    ct_test_diff(NULL, "[{\"a\":1,\"b\":2},{\"a\":3}]", "[{\"a\":3.0},{\"b\":2,\"a\":1}]", &res);
    ct_test_only(&res, CT_DIFF_ORDER_CHANGED, "body");
    /* same elements with different multiplicities are not a permutation */
    ct_test_diff(NULL, "[1,2,2]", "[2,1,1]", &res);
    assert_int_equal(res.num_diffs, 3);
    assert_null(ct_test_find(&res, CT_DIFF_ORDER_CHANGED, "body"));
    /* inner permutations are reported where they happen */
    ct_test_diff(NULL, "{\"m\":[[1,2],[3,4]]}", "{\"m\":[[2,1],[3,4]]}", &res);
    d = ct_test_only(&res, CT_DIFF_ORDER_CHANGED, "body.m[*]");
    assert_string_equal(d->concrete, "body.m[0]");
}

static void test_order_changed_of_large_array(void **state)
{
    /* a permutation whose element-wise diff overflows the cap is still one difference */
    body_value_t *a = body_array(ct_test_mem()), *b = body_array(ct_test_mem());
    for (int i = 0; i < 1000; i++) {
        body_append(ct_test_mem(), a, ct_test_parse_fmt("{\"id\":%d}", i));
        body_append(ct_test_mem(), b, ct_test_parse_fmt("{\"id\":%d}", 999 - i));
    }
    assert_int_equal(ct_compare_json(NULL, NULL, a, b, &res), 1);
    ct_test_only(&res, CT_DIFF_ORDER_CHANGED, "body");
    assert_false(res.truncated);
}

static void test_cap_truncates(void **state)
{
    ct_options_t opts;
    ct_options_init(&opts);
    opts.max_diffs = 3;
    ct_error_t err;
    ct_rules_t *rules = ct_rules_create(&opts, &err);
    ct_test_diff(rules, "{\"a\":1,\"b\":2,\"c\":3,\"d\":4,\"e\":5}",
                 "{\"a\":0,\"b\":0,\"c\":0,\"d\":0,\"e\":0}", &res);
    assert_int_equal(res.num_diffs, 3);
    assert_true(res.truncated);
    ct_rules_destroy(rules);
}

static body_value_t *nest(int depth, int leaf)
{
    body_value_t *v = body_integer(ct_test_mem(), leaf);
    for (int i = 0; i < depth; i++) {
        body_value_t *arr = body_array(ct_test_mem());
        body_append(ct_test_mem(), arr, v);
        v = arr;
    }
    return v;
}

static void test_deep_nesting_bounded(void **state)
{
    /* 10000 levels: far beyond max_depth (and beyond the body parser, so built by hand) */
    body_value_t *a = nest(10000, 1), *b = nest(10000, 2), *c = nest(10000, 1);
    assert_int_equal(ct_compare_json(NULL, NULL, a, c, &res), 0);
    assert_int_equal(ct_compare_json(NULL, NULL, a, b, &res), 1);
    const ct_diff_t *d = &res.diffs[0];
    assert_int_equal(res.num_diffs, 1);
    assert_int_equal(d->kind, CT_DIFF_TOO_DEEP);
    assert_string_equal(d->detail, "nested deeper than 128 levels");
    /* the path stops at the limit: body then 128 [*] */
    assert_int_equal(strlen(d->path), strlen("body") + 128 * 3);
    /* excerpts stay bounded */
    assert_true(strlen(d->primary) <= 120 + 3);
}

static void test_max_depth_option(void **state)
{
    ct_options_t opts;
    ct_options_init(&opts);
    opts.max_depth = 2;
    ct_error_t err;
    ct_rules_t *rules = ct_rules_create(&opts, &err);
    ct_test_diff(rules, "{\"a\":{\"b\":{\"c\":1}}}", "{\"a\":{\"b\":{\"c\":2}}}", &res);
    ct_test_only(&res, CT_DIFF_TOO_DEEP, "body.a.b");
    assert_int_equal(ct_test_diff(rules, "{\"a\":{\"b\":{\"c\":[1,{\"x\":1.0}]}}}",
                                  "{\"a\":{\"b\":{\"c\":[1,{\"x\":1}]}}}", &res),
                     0);
    /* scalars at the limit still compare normally */
    ct_test_diff(rules, "{\"a\":{\"b\":1}}", "{\"a\":{\"b\":2}}", &res);
    ct_test_only(&res, CT_DIFF_VALUE_CHANGED, "body.a.b");
    ct_rules_destroy(rules);
}

static void test_deepest_allowed_depth(void **state)
{
    /* the recursion at the highest max_depth, with a rule state alive on every level */
    ct_options_t opts;
    ct_options_init(&opts);
    opts.max_depth = CT_MAX_DEPTH_LIMIT;
    ct_error_t err;
    ct_rules_t *rules = ct_rules_create(&opts, &err);
    assert_int_equal(ct_rules_add_line(rules, "ignore body.**.x", &err), 0);
    body_value_t *a = nest(3000, 1), *b = nest(3000, 2);
    assert_int_equal(ct_compare_json(rules, NULL, a, b, &res), 1);
    assert_int_equal(res.num_diffs, 1);
    assert_int_equal(res.diffs[0].kind, CT_DIFF_TOO_DEEP);
    /* the path was cut, not grown without bound */
    assert_true(strlen(res.diffs[0].path) <= CT_PATH_MAX + 3);
    a = nest(1000, 1);
    b = nest(1000, 2);
    ct_compare_json(rules, NULL, a, b, &res);
    assert_int_equal(res.num_diffs, 1);
    assert_int_equal(res.diffs[0].kind, CT_DIFF_VALUE_CHANGED);
    ct_rules_destroy(rules);
}

static void test_absent_bodies(void **state)
{
    body_value_t *v = ct_test_parse("{\"a\":1}");
    assert_int_equal(ct_compare_json(NULL, NULL, v, NULL, &res), 1);
    ct_test_only(&res, CT_DIFF_MISSING, "body");
    assert_int_equal(ct_compare_json(NULL, NULL, NULL, v, &res), 1);
    ct_test_only(&res, CT_DIFF_EXTRA, "body");
    assert_int_equal(ct_compare_json(NULL, NULL, NULL, NULL, &res), 0);
}

static void test_keys_needing_quotes(void **state)
{
    ct_test_diff(NULL, "{\"a.b\":{\"\":1,\"x y\":[{\"q\\\"\":1}]}}",
                 "{\"a.b\":{\"\":2,\"x y\":[{\"q\\\"\":2}]}}", &res);
    assert_int_equal(res.num_diffs, 2);
    assert_string_equal(res.diffs[0].path, "body[\"a.b\"][\"\"]");
    assert_string_equal(res.diffs[1].path, "body[\"a.b\"][\"x y\"][*][\"q\\\"\"]");
    assert_string_equal(res.diffs[1].concrete, "body[\"a.b\"][\"x y\"][0][\"q\\\"\"]");
}

static void test_rules_ignore_wildcards(void **state)
{
    const char *lines[] = {"ignore body.**.updatedAt", "ignore body.items[*].etag",
                           "ignore body.meta.*"};
    ct_rules_t *rules = ct_test_rules(lines, 3);
    assert_int_equal(
        ct_test_diff(rules,
                     "{\"updatedAt\":1,\"items\":[{\"etag\":\"a\",\"x\":{\"updatedAt\":1}}],"
                     "\"meta\":{\"t\":1,\"u\":[1]}}",
                     "{\"updatedAt\":2,\"items\":[{\"etag\":\"b\",\"x\":{\"updatedAt\":2}}],"
                     "\"meta\":{\"t\":2,\"v\":[2]}}",
                     &res),
        0);
    /* `*` is one key: deeper changes under meta.t are ignored with it, meta itself is not */
    ct_test_diff(rules, "{\"meta\":{}}", "{\"meta\":[]}", &res);
    ct_test_only(&res, CT_DIFF_TYPE_CHANGED, "body.meta");
    /* an ignored member that is missing is not reported either */
    assert_int_equal(ct_test_diff(rules, "{\"items\":[{\"etag\":1}]}", "{\"items\":[{}]}", &res),
                     0);
    ct_rules_destroy(rules);
}

static void test_rules_apply_in_permutations(void **state)
{
    const char *lines[] = {"ignore body[*].seen"};
    ct_rules_t *rules = ct_test_rules(lines, 1);
    /* reordered elements that differ only in an ignored member are a pure order change */
    ct_test_diff(rules, "[{\"id\":1,\"seen\":1},{\"id\":2,\"seen\":2}]",
                 "[{\"id\":2,\"seen\":9},{\"id\":1,\"seen\":8}]", &res);
    ct_test_only(&res, CT_DIFF_ORDER_CHANGED, "body");
    ct_rules_destroy(rules);
}

static void test_rules_tolerance(void **state)
{
    const char *lines[] = {"tolerance body.price abs=0.01", "tolerance body.total rel=0.001",
                           "tolerance body.items[*].w abs=1 rel=0.5"};
    ct_rules_t *rules = ct_test_rules(lines, 3);
    assert_int_equal(ct_test_diff(rules, "{\"price\":10.00,\"total\":1000,\"items\":[{\"w\":10}]}",
                                  "{\"price\":10.005,\"total\":1000.9,\"items\":[{\"w\":14.9}]}",
                                  &res),
                     0);
    ct_test_diff(rules, "{\"price\":10.00,\"total\":1000}", "{\"price\":10.02,\"total\":1002}",
                 &res);
    assert_int_equal(res.num_diffs, 2);
    /* tolerance is for numbers only: a type change is still one */
    ct_test_diff(rules, "{\"price\":10}", "{\"price\":\"10\"}", &res);
    ct_test_only(&res, CT_DIFF_TYPE_CHANGED, "body.price");
    ct_rules_destroy(rules);
}

static void test_rules_regex(void **state)
{
    const char *lines[] = {"regex body.id [0-9a-f]{8}", "regex body.n [0-9]+"};
    ct_rules_t *rules = ct_test_rules(lines, 2);
    assert_int_equal(ct_test_diff(rules, "{\"id\":\"deadbeef\",\"n\":12}",
                                  "{\"id\":\"0badf00d\",\"n\":\"77\"}", &res),
                     0);
    /* both sides must match, and the regex must match the whole value */
    ct_test_diff(rules, "{\"id\":\"deadbeef\"}", "{\"id\":\"xdeadbeef\"}", &res);
    ct_test_only(&res, CT_DIFF_VALUE_CHANGED, "body.id");
    ct_test_diff(rules, "{\"id\":\"deadbeef\"}", "{\"id\":null}", &res);
    ct_test_only(&res, CT_DIFF_TYPE_CHANGED, "body.id");
    ct_rules_destroy(rules);
}

static void test_rules_present(void **state)
{
    const char *lines[] = {"present body.token", "present body.list"};
    ct_rules_t *rules = ct_test_rules(lines, 2);
    assert_int_equal(
        ct_test_diff(rules, "{\"token\":\"a\",\"list\":[1]}", "{\"token\":5,\"list\":[2,3]}", &res),
        0);
    ct_test_diff(rules, "{\"token\":\"a\"}", "{}", &res);
    ct_test_only(&res, CT_DIFF_MISSING, "body.token");
    ct_rules_destroy(rules);
}

static void test_rules_scoped_to_operation(void **state)
{
    const char *lines[] = {"@listPets ignore body.count"};
    ct_rules_t *rules = ct_test_rules(lines, 1);
    body_value_t *a = ct_test_parse("{\"count\":1}"), *b = ct_test_parse("{\"count\":2}");
    assert_int_equal(ct_compare_json(rules, "listPets", a, b, &res), 0);
    assert_int_equal(ct_compare_json(rules, "getPet", a, b, &res), 1);
    assert_int_equal(ct_compare_json(rules, NULL, a, b, &res), 1);
    ct_rules_destroy(rules);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identical),
        cmocka_unit_test(test_missing_and_extra),
        cmocka_unit_test(test_type_changed),
        cmocka_unit_test(test_value_changed),
        cmocka_unit_test(test_numbers_by_value),
        cmocka_unit_test(test_key_order_ignored),
        cmocka_unit_test(test_array_paths_aggregate),
        cmocka_unit_test(test_array_length_changed),
        cmocka_unit_test(test_order_changed),
        cmocka_unit_test(test_order_changed_of_large_array),
        cmocka_unit_test(test_cap_truncates),
        cmocka_unit_test(test_deep_nesting_bounded),
        cmocka_unit_test(test_max_depth_option),
        cmocka_unit_test(test_deepest_allowed_depth),
        cmocka_unit_test(test_absent_bodies),
        cmocka_unit_test(test_keys_needing_quotes),
        cmocka_unit_test(test_rules_ignore_wildcards),
        cmocka_unit_test(test_rules_apply_in_permutations),
        cmocka_unit_test(test_rules_tolerance),
        cmocka_unit_test(test_rules_regex),
        cmocka_unit_test(test_rules_present),
        cmocka_unit_test(test_rules_scoped_to_operation),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
