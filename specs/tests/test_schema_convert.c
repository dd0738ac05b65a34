/* Tests specs/schema_convert.c: spec nodes into jansson values (load-time constants) and into
 * the body model (validation instances), with the alias-expansion budget. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "schema.h"

static void test_node_to_json(void **state)
{
    (void)state;
    static const char yaml[] = "n: ~\nb: true\ni: -12\nf: 1.5\ns: 'x'\nq: \"007\"\n"
                               "a: [1, {k: v}]\nbig: 123456789012345678901234567890\n";
    spec_doc_t *doc;
    spec_error_t err;
    assert_int_equal(spec_doc_parse(&doc, "t.yaml", yaml, strlen(yaml), NULL, &err), 0);
    json_t *j = spec_node_to_json(spec_doc_root(doc), NULL, &err);
    assert_non_null(j);
    assert_true(json_is_null(json_object_get(j, "n")));
    assert_true(json_is_true(json_object_get(j, "b")));
    assert_int_equal(json_integer_value(json_object_get(j, "i")), -12);
    assert_true(json_real_value(json_object_get(j, "f")) == 1.5);
    assert_string_equal(json_string_value(json_object_get(j, "q")), "007");
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(json_object_get(j, "a"), 1), "k")), "v");
    assert_true(json_is_real(json_object_get(j, "big")));
    json_decref(j);
    spec_doc_destroy(doc);
}

static void test_node_to_json_bounded(void **state)
{
    (void)state;
    /* aliases share nodes; converting expands them, so the conversion is bounded */
    static const char bomb[] = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
                               "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                               "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                               "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n";
    spec_doc_t *doc;
    spec_error_t err;
    assert_int_equal(spec_doc_parse(&doc, "bomb.yaml", bomb, strlen(bomb), NULL, &err), 0);
    size_t budget = 5000;
    assert_null(spec_node_to_json(spec_doc_root(doc), &budget, &err));
    assert_non_null(strstr(err.message, "too large"));
    assert_int_equal(budget, 0);
    budget = 20000;
    json_t *j = spec_node_to_json(spec_doc_root(doc), &budget, &err);
    assert_non_null(j);
    /* the root, then a (1 + 10), b (1 + 10 * 11), c (1 + 10 * 111), d (1 + 10 * 1111) */
    assert_int_equal(budget, 20000 - (1 + 11 + 111 + 1111 + 11111));
    json_decref(j);
    spec_doc_destroy(doc);
}

/* JSON Schema equality (enum, const, uniqueItems) is the body model's by-value equality. */
static void test_json_equal(void **state)
{
    (void)state;
    body_arena_t arena;
    body_arena_init(&arena);
    body_mem_t mem = body_arena_mem(&arena);
    const char *ta = "{\"x\": [1, 2.0, \"s\"], \"y\": null}",
               *tb = "{\"y\": null, \"x\": [1.0, 2, \"s\"]}",
               *tc = "{\"y\": null, \"x\": [1.0, 2, \"t\"]}";
    body_value_t *a = body_parse(&mem, ta, strlen(ta), 0, NULL),
                 *b = body_parse(&mem, tb, strlen(tb), 0, NULL),
                 *c = body_parse(&mem, tc, strlen(tc), 0, NULL);
    assert_true(body_equal_by_value(a, b));
    assert_false(body_equal_by_value(a, c));
    body_arena_dispose(&arena);
}

static void test_node_to_body(void **state)
{
    (void)state;
    static const char yaml[] = "n: ~\nb: true\ni: -12\nf: 1.5\ns: 'x'\nq: \"007\"\n"
                               "a: [1, {k: v}]\nbig: 123456789012345678901234567890\n"
                               "\"say \\\"hi\\\"\": 1\n";
    spec_doc_t *doc;
    spec_error_t err;
    assert_int_equal(spec_doc_parse(&doc, "t.yaml", yaml, strlen(yaml), NULL, &err), 0);
    body_arena_t arena;
    body_arena_init(&arena);
    body_mem_t mem = body_arena_mem(&arena);
    body_value_t *j = spec_node_to_body(&mem, spec_doc_root(doc), NULL, &err);
    assert_non_null(j);
    size_t len;
    char *text = body_dump(&mem, j, &len);
    const char *want = "{\"n\":null,\"b\":true,\"i\":-12,\"f\":1.5,\"s\":\"x\",\"q\":\"007\","
                       "\"a\":[1,{\"k\":\"v\"}],\"big\":1.2345678901234568e+29,"
                       "\"say \\\"hi\\\"\":1}";
    assert_int_equal(len, strlen(want));
    assert_memory_equal(text, want, len);
    /* the same budget as the jansson conversion */
    size_t budget = 5;
    assert_null(spec_node_to_body(&mem, spec_doc_root(doc), &budget, &err));
    assert_non_null(strstr(err.message, "too large"));
    body_arena_dispose(&arena);
    spec_doc_destroy(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_node_to_json),
        cmocka_unit_test(test_node_to_json_bounded),
        cmocka_unit_test(test_json_equal),
        cmocka_unit_test(test_node_to_body),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
