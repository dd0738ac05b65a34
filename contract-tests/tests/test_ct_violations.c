/* Tests of ct_violations.c: counted by (operation, side, keyword, schema), the first example
 * kept, most frequent first, the bound (unlisted), and merging shards' JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "ct_violations.h"

static ct_violation_t one(const char *op, const char *kw, const char *schema, const char *ptr)
{
    ct_violation_t v = {.side = "response", .keyword = kw};
    snprintf(v.operation, sizeof(v.operation), "%s", op);
    snprintf(v.schema, sizeof(v.schema), "%s", schema);
    snprintf(v.pointer, sizeof(v.pointer), "%s", ptr);
    snprintf(v.message, sizeof(v.message), "msg %s", ptr);
    return v;
}

static void test_counts_and_order(void **state)
{
    ct_violations_t *v = ct_violations_create(10);
    ct_violation_t a = one("getPet", "enum", "#/a", "/body/x"),
                   b = one("getPet", "type", "#/b", "/body/y"),
                   c = one("getPet", "status", "", "/status");
    ct_violations_add(v, &a, "cap:1", "curl 1");
    ct_violations_add(v, &b, "cap:2", NULL);
    ct_violations_add(v, &b, "cap:3", "curl 3"); /* the first example stays */
    ct_violations_add(v, &c, NULL, NULL);
    ct_violations_exchange(v);
    assert_int_equal(ct_violations_total(v), 4);
    assert_int_equal(ct_violations_exchanges(v), 1);
    json_t *j = ct_violations_to_json(v);
    assert_int_equal(json_array_size(j), 3);
    json_t *first = json_array_get(j, 0);
    assert_string_equal(json_string_value(json_object_get(first, "keyword")), "type");
    assert_int_equal(json_integer_value(json_object_get(first, "count")), 2);
    json_t *s = json_object_get(first, "sample");
    assert_string_equal(json_string_value(json_object_get(s, "request_id")), "cap:2");
    assert_null(json_object_get(s, "curl"));
    /* ties in order of appearance; no schema is null */
    assert_string_equal(json_string_value(json_object_get(json_array_get(j, 1), "keyword")),
                        "enum");
    assert_true(json_is_null(json_object_get(json_array_get(j, 2), "schema")));
    /* merged into another: counts add up */
    ct_violations_t *m = ct_violations_create(10);
    ct_violations_merge_json(m, j);
    ct_violations_merge_json(m, j);
    json_t *bad = json_pack("[{s:s}, {s:s, s:s, s:s, s:i}]", "operation", "x", "operation", "x",
                            "side", "response", "keyword", "type", "count", -1);
    ct_violations_merge_json(m, bad); /* malformed entries are skipped */
    json_decref(bad);
    assert_int_equal(ct_violations_total(m), 8);
    json_t *mj = ct_violations_to_json(m);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(mj, 0), "count")), 4);
    json_decref(mj);
    json_decref(j);
    ct_violations_destroy(m);
    ct_violations_destroy(v);
    ct_violations_destroy(NULL);
}

static void test_bounded(void **state)
{
    ct_violations_t *v = ct_violations_create(2);
    char ptr[32];
    for (int i = 0; i != 5; ++i) {
        snprintf(ptr, sizeof(ptr), "#/s%d", i);
        ct_violation_t x = one("op", "type", ptr, "/body");
        ct_violations_add(v, &x, "r", NULL);
    }
    assert_int_equal(ct_violations_total(v), 5);
    assert_int_equal(ct_violations_unlisted(v), 3);
    json_t *j = ct_violations_to_json(v);
    assert_int_equal(json_array_size(j), 2);
    json_decref(j);
    ct_violations_destroy(v);
}

/* Text that is not UTF-8 (a cut character, request bytes) is reported with U+FFFD, never lost. */
static void test_text_stays_utf8(void **state)
{
    ct_violations_t *v = ct_violations_create(4);
    ct_violation_t x = one("op", "type", "#/a", "/query/\xff\xc3");
    ct_violations_add(v, &x, "r\x80", NULL);
    json_t *j = ct_violations_to_json(v);
    json_t *s = json_object_get(json_array_get(j, 0), "sample");
    assert_string_equal(json_string_value(json_object_get(s, "pointer")),
                        "/query/\xef\xbf\xbd\xef\xbf\xbd");
    assert_string_equal(json_string_value(json_object_get(s, "request_id")), "r\xef\xbf\xbd");
    json_decref(j);
    ct_violations_destroy(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counts_and_order),
        cmocka_unit_test(test_bounded),
        cmocka_unit_test(test_text_stays_utf8),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
