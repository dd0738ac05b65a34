/* Tests for specs/node.c: typing, positions, aliases, limits and every error path. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "node.h"

static spec_doc_t *parse_ok(const char *yaml)
{
    spec_doc_t *doc = NULL;
    spec_error_t err;
    int ret = spec_doc_parse(&doc, "t.yaml", yaml, strlen(yaml), NULL, &err);
    if (ret != 0)
        fail_msg("unexpected error: %u:%u: %s", err.line, err.col, err.message);
    return doc;
}

static void expect_error(const char *yaml, const spec_limits_t *lim, uint32_t line, uint32_t col,
                         const char *needle)
{
    spec_doc_t *doc = NULL;
    spec_error_t err;
    assert_int_equal(spec_doc_parse(&doc, "t.yaml", yaml, strlen(yaml), lim, &err), -1);
    assert_null(doc);
    assert_string_equal(err.file, "t.yaml");
    if (strstr(err.message, needle) == NULL)
        fail_msg("message '%s' lacks '%s'", err.message, needle);
    if (err.line != line || err.col != col)
        fail_msg("%s: at %u:%u, expected %u:%u", err.message, err.line, err.col, line, col);
}

static void test_scalar_types(void **state)
{
    spec_doc_t *doc = parse_ok("a: 1\nb: -2.5\nc: true\nd: ~\ne: '1'\nf: 3.0.1\ng: 0x1F\n"
                               "h: .inf\ni: !!str 12\nj: \"null\"\nk: 1e3\nl:\n");
    const spec_node_t *r = spec_doc_root(doc);
    int64_t i;
    double d;
    int b;
    assert_int_equal(spec_node_int(spec_node_get(r, "a"), &i), 0);
    assert_int_equal(i, 1);
    assert_int_equal(spec_node_number(spec_node_get(r, "b"), &d), 0);
    assert_true(d == -2.5);
    assert_int_equal(spec_node_bool(spec_node_get(r, "c"), &b), 0);
    assert_true(b);
    assert_string_equal(spec_node_type_name(spec_node_get(r, "d")), "null");
    assert_string_equal(spec_node_str(spec_node_get(r, "e")), "1");
    assert_string_equal(spec_node_str(spec_node_get(r, "f")), "3.0.1");
    assert_int_equal(spec_node_int(spec_node_get(r, "g"), &i), 0);
    assert_int_equal(i, 31);
    assert_int_equal(spec_node_number(spec_node_get(r, "h"), &d), 0);
    assert_true(d > 1e308);
    assert_string_equal(spec_node_str(spec_node_get(r, "i")), "12");
    assert_string_equal(spec_node_str(spec_node_get(r, "j")), "null");
    assert_string_equal(spec_node_type_name(spec_node_get(r, "k")), "number");
    assert_string_equal(spec_node_type_name(spec_node_get(r, "l")), "null");
    assert_int_equal(spec_node_int(spec_node_get(r, "e"), &i), -1); /* quoted: a string */
    assert_null(spec_node_str(spec_node_get(r, "a")));
    assert_string_equal(spec_node_scalar(spec_node_get(r, "a")), "1");
    spec_doc_destroy(doc);
}

static void test_positions(void **state)
{
    spec_doc_t *doc = parse_ok("openapi: 3.1.0\npaths:\n  /pets:\n    get: {operationId: x}\n");
    const spec_node_t *get = spec_node_get(spec_node_get(spec_node_get(spec_doc_root(doc),
                                                                       "paths"), "/pets"), "get");
    assert_non_null(get);
    assert_int_equal(get->pos.line, 4);
    assert_int_equal(get->pos.col, 10);
    assert_string_equal(get->pos.file, "t.yaml");
    const spec_node_t *op = spec_node_get(get, "operationId");
    assert_int_equal(op->pos.col, 24);
    spec_doc_destroy(doc);
}

static void test_json_input(void **state)
{
    spec_doc_t *doc = parse_ok("{\"a\": [1, \"two\", {\"b\": null}],\n\t\"c\": false}");
    const spec_node_t *a = spec_node_get(spec_doc_root(doc), "a");
    assert_int_equal(a->kind, SPEC_NODE_SEQUENCE);
    assert_int_equal(a->u.seq.len, 3);
    assert_string_equal(spec_node_str(spec_node_at(a, 1)), "two");
    assert_null(spec_node_at(a, 3));
    assert_string_equal(spec_node_type_name(spec_node_get(spec_node_at(a, 2), "b")), "null");
    spec_doc_destroy(doc);
}

static void test_aliases_are_shared(void **state)
{
    spec_doc_t *doc = parse_ok("a: &x {k: v}\nb: *x\n");
    const spec_node_t *r = spec_doc_root(doc);
    assert_ptr_equal(spec_node_get(r, "a"), spec_node_get(r, "b"));
    spec_doc_destroy(doc);
}

/* Billion laughs: 9 levels of 10 aliases would be 10^9 nodes if expanded. */
static void test_alias_bomb_is_cheap(void **state)
{
    char yaml[4096];
    size_t n = (size_t)snprintf(yaml, sizeof(yaml), "a0: &a0 [lol]\n");
    for (int l = 1; l < 10; ++l) {
        n += (size_t)snprintf(yaml + n, sizeof(yaml) - n, "a%d: &a%d [", l, l);
        for (int k = 0; k < 10; ++k)
            n += (size_t)snprintf(yaml + n, sizeof(yaml) - n, "%s*a%d", k ? "," : "", l - 1);
        n += (size_t)snprintf(yaml + n, sizeof(yaml) - n, "]\n");
    }
    spec_doc_t *doc = parse_ok(yaml);
    const spec_node_t *top = spec_node_get(spec_doc_root(doc), "a9");
    assert_int_equal(top->u.seq.len, 10);
    assert_ptr_equal(spec_node_at(top, 0), spec_node_at(top, 9));
    spec_doc_destroy(doc);
    spec_limits_t lim = {.max_aliases = 50};
    expect_error(yaml, &lim, 7, 10, "more than 50 aliases"); /* the 51st */
}

static void test_errors(void **state)
{
    expect_error("a: [1, 2\nb: 3\n", NULL, 2, 2, "YAML syntax error");
    expect_error("a: 1\na: 2\n", NULL, 2, 1, "duplicate key 'a'");
    expect_error("a: *nope\n", NULL, 1, 4, "unknown anchor 'nope'");
    expect_error("a: &s [*s]\n", NULL, 1, 8, "unknown anchor 's'");
    expect_error("? [1]\n: x\n", NULL, 1, 3, "mapping keys must be scalars");
    expect_error("a: 1\n---\nb: 2\n", NULL, 2, 1, "more than one YAML document");
    expect_error("", NULL, 1, 1, "document is empty");
    spec_limits_t lim = {.max_depth = 3};
    expect_error("a: {b: {c: {d: 1}}}\n", &lim, 1, 9, "nesting deeper than 3");
    lim = (spec_limits_t){.max_nodes = 3};
    expect_error("[1, 2, 3]\n", &lim, 1, 8, "more than 3 nodes");
    lim = (spec_limits_t){.max_file_bytes = 4};
    expect_error("a: 12345\n", &lim, 0, 0, "larger than 4 bytes");
}

static void test_deep_nesting_bounded(void **state)
{
    static char yaml[200001];
    memset(yaml, '[', 100000);
    memset(yaml + 100000, ']', 100000);
    expect_error(yaml, NULL, 1, 257, "nesting deeper than 256");
}

static void test_load_file_errors(void **state)
{
    spec_doc_t *doc = NULL;
    spec_error_t err;
    char buf[1200];
    assert_int_equal(spec_doc_load(&doc, "/nonexistent/x.yaml", NULL, &err), -1);
    assert_string_equal(spec_error_format(&err, buf, sizeof(buf)),
                        "/nonexistent/x.yaml: cannot read file: No such file or directory");
    assert_int_equal(spec_doc_load(&doc, "/tmp", NULL, &err), -1);
    assert_non_null(strstr(err.message, "not a regular file"));
}

static void test_error_at(void **state)
{
    spec_doc_t *doc = parse_ok("x:\n  y: 1\n");
    spec_error_t err;
    char buf[1200];
    const spec_node_t *y = spec_node_get(spec_node_get(spec_doc_root(doc), "x"), "y");
    assert_int_equal(spec_error_at(&err, y, "bad %s", "value"), -1);
    assert_string_equal(spec_error_format(&err, buf, sizeof(buf)), "t.yaml:2:6: bad value");
    assert_true(spec_node_is(y, "1"));
    assert_false(spec_node_is(NULL, "1"));
    spec_doc_destroy(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scalar_types),       cmocka_unit_test(test_positions),
        cmocka_unit_test(test_json_input),         cmocka_unit_test(test_aliases_are_shared),
        cmocka_unit_test(test_alias_bomb_is_cheap), cmocka_unit_test(test_errors),
        cmocka_unit_test(test_deep_nesting_bounded), cmocka_unit_test(test_load_file_errors),
        cmocka_unit_test(test_error_at),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
