/* Tests of ct_diff.c: whole-response comparison, status, result lifecycle and rendering. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

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

static void test_kind_names(void **state)
{
    const char *names[] = {
        "missing",       "extra",        "type_changed",  "value_changed", "array_length_changed",
        "order_changed", "invalid_json", "bytes_changed", "too_deep"};
    assert_int_equal(sizeof(names) / sizeof(names[0]), CT_DIFF_KIND_COUNT);
    for (unsigned i = 0; i < CT_DIFF_KIND_COUNT; i++) {
        ct_kind_t k;
        assert_string_equal(ct_kind_name((ct_kind_t)i), names[i]);
        assert_int_equal(ct_kind_from_name(names[i], &k), 0);
        assert_int_equal(k, i);
    }
    ct_kind_t k;
    assert_int_equal(ct_kind_from_name("nope", &k), -1);
    assert_string_equal(ct_kind_name(CT_DIFF_KIND_COUNT), "unknown");
}

static void test_status(void **state)
{
    ct_response_t a = ct_test_response(200, "application/json", "{}");
    ct_response_t b = ct_test_response(500, "application/json", "{}");
    assert_int_equal(ct_compare(NULL, NULL, &a, &b, &res), 1);
    const ct_diff_t *d = ct_test_only(&res, CT_DIFF_VALUE_CHANGED, "status");
    assert_string_equal(d->primary, "200");
    assert_string_equal(d->candidate, "500");
    assert_string_equal(d->concrete, "status");

    const char *lines[] = {"regex status 2[0-9][0-9]"};
    ct_rules_t *rules = ct_test_rules(lines, 1);
    b.status = 201;
    assert_int_equal(ct_compare(rules, NULL, &a, &b, &res), 0);
    b.status = 404;
    assert_int_equal(ct_compare(rules, NULL, &a, &b, &res), 1);
    ct_rules_destroy(rules);

    const char *ignore[] = {"ignore status"};
    rules = ct_test_rules(ignore, 1);
    assert_int_equal(ct_compare(rules, NULL, &a, &b, &res), 0);
    ct_rules_destroy(rules);
}

static void test_whole_response_order(void **state)
{
    ct_header_t ha = {"X-A", 3, "1", 1}, hb = {"X-A", 3, "2", 1};
    ct_response_t a = ct_test_response(200, "application/json", "{\"a\":1}");
    ct_response_t b = ct_test_response(201, "application/json", "{\"a\":2}");
    a.headers = &ha;
    b.headers = &hb;
    a.num_headers = b.num_headers = 1;
    ct_compare(NULL, NULL, &a, &b, &res);
    assert_int_equal(res.num_diffs, 3);
    assert_string_equal(res.diffs[0].path, "status");
    assert_string_equal(res.diffs[1].path, "headers.x-a");
    assert_string_equal(res.diffs[2].path, "body.a");
    /* `**` reaches every part of the response */
    const char *lines[] = {"ignore **"};
    ct_rules_t *rules = ct_test_rules(lines, 1);
    assert_int_equal(ct_compare(rules, NULL, &a, &b, &res), 0);
    ct_rules_destroy(rules);
}

static void test_result_reuse(void **state)
{
    ct_test_diff(NULL, "[1,2,3]", "[4,5,6]", &res);
    assert_int_equal(res.num_diffs, 3);
    ct_test_diff(NULL, "[1]", "[1]", &res);
    assert_int_equal(res.num_diffs, 0);
    ct_test_diff(NULL, "{\"a\":1}", "{\"a\":2}", &res);
    assert_int_equal(res.num_diffs, 1);
    ct_result_clear(&res);
    assert_int_equal(res.num_diffs, 0);
    assert_false(res.truncated);
    /* dispose then init again is allowed */
    ct_result_dispose(&res);
    ct_result_init(&res);
}

static void test_format(void **state)
{
    char line[256];
    ct_test_diff(NULL, "{\"items\":[{\"id\":1}]}", "{\"items\":[{\"id\":2}]}", &res);
    size_t n = ct_diff_format(&res.diffs[0], line, sizeof(line));
    assert_string_equal(line, "value_changed body.items[*].id @ body.items[0].id: 1 -> 2");
    assert_int_equal(n, strlen(line));
    ct_test_diff(NULL, "{\"a\":[1]}", "{}", &res);
    ct_diff_format(&res.diffs[0], line, sizeof(line));
    assert_string_equal(line, "missing body.a: [1] -> (absent)");
    ct_test_diff(NULL, "[1]", "[1,2]", &res);
    ct_diff_format(&res.diffs[0], line, sizeof(line));
    assert_string_equal(line, "array_length_changed body: [1] -> [1,2] (1 vs 2 elements)");
    /* snprintf semantics: the needed length is returned even when the buffer is short */
    char small[8];
    assert_int_equal(ct_diff_format(&res.diffs[0], small, sizeof(small)), strlen(line));
    assert_string_equal(small, "array_l");
}

static void test_result_json(void **state)
{
    ct_test_diff(NULL, "{\"a\":1,\"b\":[1]}", "{\"a\":\"1\",\"b\":[1,2]}", &res);
    json_t *j = ct_result_to_json(&res);
    assert_non_null(j);
    assert_true(json_is_false(json_object_get(j, "identical")));
    assert_true(json_is_false(json_object_get(j, "truncated")));
    json_t *diffs = json_object_get(j, "differences");
    assert_int_equal(json_array_size(diffs), 2);
    json_t *d = json_array_get(diffs, 0);
    assert_string_equal(json_string_value(json_object_get(d, "kind")), "type_changed");
    assert_string_equal(json_string_value(json_object_get(d, "path")), "body.a");
    assert_string_equal(json_string_value(json_object_get(d, "concrete_path")), "body.a");
    assert_string_equal(json_string_value(json_object_get(d, "primary")), "1");
    assert_string_equal(json_string_value(json_object_get(d, "candidate")), "\"1\"");
    assert_string_equal(json_string_value(json_object_get(d, "detail")), "number vs string");
    assert_int_equal(json_object_size(d), 6);
    json_decref(j);

    ct_test_diff(NULL, "{}", "{\"x\":1}", &res);
    j = ct_result_to_json(&res);
    d = json_array_get(json_object_get(j, "differences"), 0);
    assert_true(json_is_null(json_object_get(d, "primary")));
    assert_true(json_is_null(json_object_get(d, "detail")));
    json_decref(j);

    ct_test_diff(NULL, "{}", "{}", &res);
    j = ct_result_to_json(&res);
    assert_true(json_is_true(json_object_get(j, "identical")));
    json_decref(j);
}

static void test_excerpt_limit_option(void **state)
{
    ct_options_t opts;
    ct_options_init(&opts);
    opts.excerpt_bytes = 16;
    ct_error_t err;
    ct_rules_t *rules = ct_rules_create(&opts, &err);
    ct_test_diff(rules, "\"0123456789abcdefghij\"", "\"x\"", &res);
    assert_string_equal(res.diffs[0].primary, "\"0123456789abcde\xe2\x80\xa6");
    ct_rules_destroy(rules);
}

typedef struct st_worker_t {
    const ct_rules_t *rules;
    int failures;
} worker_t;

static void *compare_many(void *arg)
{
    worker_t *w = arg;
    ct_result_t r;
    ct_result_init(&r);
    ct_header_t ha = {"ETag", 4, "\"abc\"", 5}, hb = {"ETag", 4, "\"def\"", 5};
    ct_response_t a = ct_test_response(200, "application/json", "{\"id\":\"x1\",\"n\":[1,2]}");
    ct_response_t b = ct_test_response(200, "application/json", "{\"id\":\"x2\",\"n\":[2,1]}");
    a.headers = &ha;
    b.headers = &hb;
    a.num_headers = b.num_headers = 1;
    for (int i = 0; i < 300; i++) {
        ct_compare(w->rules, "op", &a, &b, &r);
        if (r.num_diffs != 1 || r.diffs[0].kind != CT_DIFF_ORDER_CHANGED)
            w->failures++;
    }
    ct_result_dispose(&r);
    return NULL;
}

static void test_rules_shared_between_threads(void **state)
{
    const char *lines[] = {"regex body.id x[0-9]", "@op regex headers.etag \"[a-f]+\""};
    ct_rules_t *rules = ct_test_rules(lines, 2);
    pthread_t threads[4];
    worker_t workers[4];
    for (int i = 0; i < 4; i++) {
        workers[i] = (worker_t){rules, 0};
        assert_int_equal(pthread_create(&threads[i], NULL, compare_many, &workers[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(threads[i], NULL);
        assert_int_equal(workers[i].failures, 0);
    }
    ct_rules_destroy(rules);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kind_names),
        cmocka_unit_test(test_status),
        cmocka_unit_test(test_whole_response_order),
        cmocka_unit_test(test_result_reuse),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_result_json),
        cmocka_unit_test(test_excerpt_limit_option),
        cmocka_unit_test(test_rules_shared_between_threads),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
