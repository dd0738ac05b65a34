/* Tests for specs/pointer.c: RFC 6901 evaluation and escaping, and percent-decoding. */
#include "spec_internal.h"
#include "spec_test_util.h"

static spec_doc_t *doc;

static int setup(void **state)
{
    static const char yaml[] = "a/b: 1\n"
                               "m~n: 2\n"
                               "'~1': 3\n"
                               "'': 4\n"
                               "list: [x, y, {k: z}]\n"
                               "'0': zero\n"
                               "nested: {deep: {er: 5}}\n";
    spec_error_t err;
    return spec_doc_parse(&doc, "p.yaml", yaml, sizeof(yaml) - 1, NULL, &err);
}

static int teardown(void **state)
{
    spec_doc_destroy(doc);
    return 0;
}

static const char *at(const char *pointer)
{
    const spec_node_t *n = spec_pointer_get(spec_doc_root(doc), pointer, strlen(pointer));
    return n != NULL ? spec_node_scalar(n) : NULL;
}

static void test_rfc6901_examples(void **state)
{
    assert_ptr_equal(spec_pointer_get(spec_doc_root(doc), "", 0), spec_doc_root(doc));
    assert_string_equal(at("/a~1b"), "1");
    assert_string_equal(at("/m~0n"), "2");
    assert_string_equal(at("/~01"), "3"); /* "~01" is "~1", not "/" */
    assert_string_equal(at("/"), "4");    /* the empty key */
    assert_string_equal(at("/list/0"), "x");
    assert_string_equal(at("/list/2/k"), "z");
    assert_string_equal(at("/0"), "zero"); /* digits name a key in a mapping */
    assert_string_equal(at("/nested/deep/er"), "5");
}

static void test_misses(void **state)
{
    assert_null(at("a~1b"));     /* no leading slash */
    assert_null(at("/list/3"));  /* out of range */
    assert_null(at("/list/01")); /* leading zero */
    assert_null(at("/list/-"));  /* the past-the-end marker names nothing */
    assert_null(at("/list/+1"));
    assert_null(at("/list/99999999999999999999"));
    assert_null(at("/m~2n")); /* invalid escape */
    assert_null(at("/m~"));
    assert_null(at("/a~1b/x")); /* through a scalar */
    assert_null(at("/nope"));
    assert_null(spec_pointer_get(NULL, "", 0));
    size_t ok;
    assert_null(spec__pointer_walk(spec_doc_root(doc), "/nested/deep/x/y", 16, &ok));
    assert_int_equal(ok, 12); /* "/nested/deep" resolved */
}

static void test_length_delimited(void **state)
{
    const char *p = "/list/1/garbage";
    const spec_node_t *n = spec_pointer_get(spec_doc_root(doc), p, 7);
    assert_string_equal(spec_node_scalar(n), "y");
}

static void test_append(void **state)
{
    char buf[32] = "";
    assert_int_equal(spec_pointer_append(buf, sizeof(buf), "paths", 5), 0);
    assert_int_equal(spec_pointer_append(buf, sizeof(buf), "/a/{id}", 7), 0);
    assert_int_equal(spec_pointer_append(buf, sizeof(buf), "m~n", 3), 0);
    assert_string_equal(buf, "/paths/~1a~1{id}/m~0n");
    assert_ptr_equal(spec_pointer_get(spec_doc_root(doc), "/m~0n", 5),
                     spec_node_get(spec_doc_root(doc), "m~n"));
    char small[8] = "";
    assert_int_equal(spec_pointer_append(small, sizeof(small), "abcdefgh", 8), -1);
    assert_int_equal(strlen(small), 7); /* truncated but terminated */
    char tilde[4] = "";
    assert_int_equal(spec_pointer_append(tilde, sizeof(tilde), "a~", 2), -1);
    assert_string_equal(tilde, "/a"); /* never half an escape */
}

static void test_percent_decode(void **state)
{
    char out[32];
    assert_int_equal(spec__percent_decode("a%20b%7e%7E", 11, out), 5);
    assert_string_equal(out, "a b~~");
    assert_int_equal(spec__percent_decode("", 0, out), 0);
    assert_int_equal(spec__percent_decode("%", 1, out), -1);
    assert_int_equal(spec__percent_decode("%4", 2, out), -1);
    assert_int_equal(spec__percent_decode("%zz", 3, out), -1);
    assert_int_equal(spec__percent_decode("%00", 3, out), -1);  /* no NULs inside names */
    assert_int_equal(spec__percent_decode("a%41", 3, out), -1); /* length-delimited */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc6901_examples), cmocka_unit_test(test_misses),
        cmocka_unit_test(test_length_delimited), cmocka_unit_test(test_append),
        cmocka_unit_test(test_percent_decode),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
