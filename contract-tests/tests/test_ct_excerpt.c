/* Tests of ct_excerpt.c: bounded JSON and text excerpts, number formatting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "ct_excerpt.h"
#include "ct_test.h"

#define ELLIPSIS "\xe2\x80\xa6"

static void excerpt_is(const char *json, size_t limit, const char *expected)
{
    char out[CT_EXCERPT_SIZE(256)];
    body_value_t *v = ct_test_parse(json);
    size_t n = ct__excerpt_json(v, limit, out);
    assert_string_equal(out, expected);
    assert_int_equal(n, strlen(expected));
}

static void test_json_compact(void **state)
{
    excerpt_is("{ \"a\" : [1, 2.5, true, false, null], \"b\": {} , \"c\":[]}", 100,
               "{\"a\":[1,2.5,true,false,null],\"b\":{},\"c\":[]}");
    excerpt_is("\"q\\\"\\\\\\n\\t\\r\\u0001\\u00e9\"", 100,
               "\"q\\\"\\\\\\n\\t\\r\\u0001\xc3\xa9\"");
    excerpt_is("\"a\\u0000b\"", 100, "\"a\\u0000b\"");
}

static void test_json_cut(void **state)
{
    excerpt_is("[1234567890,1234567890]", 16, "[1234567890," ELLIPSIS);
    /* never inside a character: é is two bytes */
    excerpt_is("\"\\u00e9\\u00e9\\u00e9\"", 4, "\"\xc3\xa9" ELLIPSIS);
    excerpt_is("{\"key\":\"value\"}", 15, "{\"key\":\"value\"}");
    excerpt_is("{\"key\":\"value\"}", 14, "{\"key\":\"value\"" ELLIPSIS);
}

static void test_json_deep_is_bounded(void **state)
{
    body_value_t *v = body_integer(ct_test_mem(), 1);
    for (int i = 0; i < 5000; i++) {
        body_value_t *a = body_array(ct_test_mem());
        body_append(ct_test_mem(), a, v);
        v = a;
    }
    char out[CT_EXCERPT_SIZE(4096)];
    size_t n = ct__excerpt_json(v, 4096, out);
    assert_true(n < 100);
    assert_string_equal(out + n - 3, ELLIPSIS);
}

static void number_is(body_value_t *v, const char *expected)
{
    char out[32];
    assert_int_equal(ct__format_number(v, out), strlen(expected));
    assert_string_equal(out, expected);
}

static void test_numbers(void **state)
{
    number_is(body_integer(ct_test_mem(), -9223372036854775807LL - 1), "-9223372036854775808");
    number_is(body_real(ct_test_mem(), 0.1), "0.1");
    number_is(body_real(ct_test_mem(), 0.1 + 0.2), "0.30000000000000004");
    number_is(body_real(ct_test_mem(), 1.0), "1.0");
    number_is(body_real(ct_test_mem(), -0.0), "-0.0");
    number_is(body_real(ct_test_mem(), 1e300), "1e+300");
    number_is(body_real(ct_test_mem(), 123456789012345680.0), "1.2345678901234568e+17");
    number_is(body_real(ct_test_mem(), 5e-324), "5e-324");
    number_is(body_real(ct_test_mem(), 100.0), "100.0");
    number_is(body_real(ct_test_mem(), -2.5e-7), "-2.5e-07");
    number_is(body_real(ct_test_mem(), 1234567.5), "1234567.5");
    number_is(body_real(ct_test_mem(), 1e16), "1e+16");
}

static void test_text(void **state)
{
    char out[CT_EXCERPT_SIZE(64)];
    ct__excerpt_text("a\\b\n\t\r\x01\x7f\xc3\xa9\xff", 11, 0, 64, out);
    assert_string_equal(out, "a\\\\b\\n\\t\\r\\x01\\x7f\xc3\xa9\\xff");
    /* truncated UTF-8 at the end of the input is escaped */
    ct__excerpt_text("x\xc3", 2, 0, 64, out);
    assert_string_equal(out, "x\\xc3");
    ct__excerpt_text("0123456789", 10, 0, 4, out);
    assert_string_equal(out, "0123" ELLIPSIS);
    /* an offset is marked, and moved back to a character start */
    ct__excerpt_text("0123456789", 10, 5, 64, out);
    assert_string_equal(out, ELLIPSIS "56789");
    ct__excerpt_text("ab\xc3\xa9z", 5, 3, 64, out);
    assert_string_equal(out, ELLIPSIS "\xc3\xa9z");
    ct__excerpt_text("abc", 3, 10, 64, out);
    assert_string_equal(out, ELLIPSIS);
    ct__excerpt_text("", 0, 0, 64, out);
    assert_string_equal(out, "");
    /* an escape is never split */
    ct__excerpt_text("\x01\x02", 2, 0, 6, out);
    assert_string_equal(out, "\\x01" ELLIPSIS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_compact),
        cmocka_unit_test(test_json_cut),
        cmocka_unit_test(test_json_deep_is_bounded),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
