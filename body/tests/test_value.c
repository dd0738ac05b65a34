/* Tests of body/value.c: numbers as int64 and double, structural equality. */
#include "body_test_util.h"

static void expect_int_value(const char *text, int ok, int64_t want)
{
    tmem_t t;
    tmem_init(&t);
    int64_t got = 12345;
    assert_int_equal(body_int_value(parse(&t, text), &got), ok ? 0 : -1);
    if (ok)
        assert_true(got == want);
    else
        assert_true(got == 12345);
    tmem_dispose(&t);
}

static void expect_real_value(const char *text, int ok, double want)
{
    tmem_t t;
    tmem_init(&t);
    double got = 0;
    assert_int_equal(body_real_value(parse(&t, text), &got), ok ? 0 : -1);
    if (ok)
        assert_true(got == want);
    tmem_dispose(&t);
}

static void test_accessors(void **state)
{
    expect_int_value("0", 1, 0);
    expect_int_value("-0", 1, 0);
    expect_int_value("42", 1, 42);
    expect_int_value("9223372036854775807", 1, INT64_MAX);
    expect_int_value("-9223372036854775808", 1, INT64_MIN);
    expect_int_value("9223372036854775808", 0, 0);
    expect_int_value("-9223372036854775809", 0, 0);
    expect_int_value("10000000000000000000", 0, 0);
    expect_int_value("99999999999999999999999", 0, 0);
    expect_int_value("1.0", 0, 0);
    expect_int_value("1e2", 0, 0);
    expect_int_value("\"1\"", 0, 0);
    expect_int_value("true", 0, 0);

    expect_real_value("1.5", 1, 1.5);
    expect_real_value("-2", 1, -2);
    expect_real_value("1E+2", 1, 100);
    expect_real_value("12345678901234567890", 1, 12345678901234567890.0);
    expect_real_value("1e-999", 1, 0);
    expect_real_value("1e999", 0, 0);
    expect_real_value("-1e309", 0, 0);
    expect_real_value("null", 0, 0);
    expect_real_value("\"1\"", 0, 0);

    /* longer than any stack buffer: still read */
    char text[2100];
    memcpy(text, "0.", 2);
    memset(text + 2, '0', 2000);
    memcpy(text + 2002, "25", 3);
    expect_real_value(text, 1, 0); /* underflows */
    text[0] = '1';
    expect_real_value(text, 1, 1);
    memset(text, '9', 300);
    text[300] = '\0';
    expect_real_value(text, 1, strtod(text, NULL));
    memset(text, '9', 400);
    text[400] = '\0';
    expect_real_value(text, 0, 0);
    expect_int_value(text, 0, 0);

    tmem_t t;
    tmem_init(&t);
    int64_t i;
    double d;
    assert_int_equal(body_int_value(NULL, &i), -1);
    assert_int_equal(body_real_value(NULL, &d), -1);
    assert_int_equal(body_real_value(body_number_text(&t.mem, "3", 1), &d), 0);
    assert_true(d == 3);
    tmem_dispose(&t);
}

static void expect_equal(const char *a, const char *b, int want)
{
    tmem_t t;
    tmem_init(&t);
    body_value_t *x = parse(&t, a), *y = parse(&t, b);
    if (body_equal(x, y) != want || body_equal(y, x) != want)
        fail_msg("%s == %s should be %d", a, b, want);
    tmem_dispose(&t);
}

static void test_equal(void **state)
{
    expect_equal("1", "1", 1);
    expect_equal("-0", "0", 1);
    expect_equal("1", "1.0", 0);
    expect_equal("1.0", "1.00", 1);
    expect_equal("1e2", "100.0", 1);
    expect_equal("1E2", "1e+2", 1);
    expect_equal("1", "2", 0);
    expect_equal("12345678901234567890", "12345678901234567890", 1);
    expect_equal("12345678901234567890", "12345678901234567891", 0);
    expect_equal("12345678901234567890", "1", 0);
    expect_equal("1e999", "1e999", 1);
    expect_equal("1e999", "2e999", 0);
    expect_equal("\"a\\u0000b\"", "\"a\\u0000b\"", 1);
    expect_equal("\"a\\u0000b\"", "\"a\\u0000c\"", 0);
    expect_equal("\"\\u00e9\"", "\"\xc3\xa9\"", 1);
    expect_equal("\"ab\"", "\"abc\"", 0);
    expect_equal("null", "false", 0);
    expect_equal("true", "true", 1);
    expect_equal("[1,[2,{}]]", "[1,[2,{}]]", 1);
    expect_equal("[1,2]", "[2,1]", 0);
    expect_equal("[1,2]", "[1,2,3]", 0);
    expect_equal("{\"a\":1,\"b\":[true]}", "{\"b\":[true],\"a\":1}", 1);
    expect_equal("{\"a\":1,\"b\":2}", "{\"a\":1,\"c\":2}", 0);
    expect_equal("{\"a\":1,\"b\":2}", "{\"a\":1}", 0);
    expect_equal("{\"a\":1}", "{\"a\":1.0}", 0);
    expect_equal("{\"a\":1,\"a\":2}", "{\"a\":2}", 1);
    expect_equal("{}", "[]", 0);
    assert_true(body_equal(NULL, NULL));
}

static void expect_number_equal(const char *a, const char *b, int want)
{
    tmem_t t;
    tmem_init(&t);
    const body_value_t *x = parse(&t, a), *y = parse(&t, b);
    if (body_number_equal(x, y) != want || body_number_equal(y, x) != want)
        fail_msg("%s vs %s: expected %s", a, b, want ? "equal" : "different");
    tmem_dispose(&t);
}

/* The diff engine's and JSON Schema's notion: 1 == 1.0, integers exact beyond 2^53. */
static void test_number_equal(void **state)
{
    expect_number_equal("1", "1.0", 1);
    expect_number_equal("-0.0", "0", 1);
    expect_number_equal("1e2", "100", 1);
    expect_number_equal("0.5", "5e-1", 1);
    expect_number_equal("9007199254740993", "9007199254740992", 0);
    expect_number_equal("9007199254740993", "9007199254740993.0", 0); /* the real rounds */
    expect_number_equal("-9223372036854775808", "-9.223372036854775808e18", 1);
    expect_number_equal("9223372036854775807", "9.3e18", 0);
    /* beyond int64: compared as doubles */
    expect_number_equal("18446744073709551615", "1.8446744073709551615e19", 1);
    expect_number_equal("18446744073709551615", "28446744073709551615", 0);
    expect_number_equal("1e999", "1e999", 1); /* same text */
    expect_number_equal("1e999", "2e999", 0);
    tmem_t t;
    tmem_init(&t);
    assert_true(body_number_value(parse(&t, "2.5")) == 2.5);
    assert_true(body_number_value(parse(&t, "-3")) == -3.0);
    assert_true(isnan(body_number_value(parse(&t, "1e999"))));
    assert_true(isnan(body_number_value(parse(&t, "\"1\""))));
    tmem_dispose(&t);
}

/* JSON Schema's equality: numbers by value, member order ignored. */
static void test_equal_by_value(void **state)
{
    tmem_t t;
    tmem_init(&t);
    const body_value_t *a = parse(&t, "{\"x\": [1, 2.0, \"s\"], \"y\": null}"),
                       *b = parse(&t, "{\"y\": null, \"x\": [1.0, 2, \"s\"]}"),
                       *c = parse(&t, "{\"y\": null, \"x\": [1.0, 2, \"t\"]}");
    assert_true(body_equal_by_value(a, b));
    assert_false(body_equal(a, b)); /* the byte-preserving equality keeps 1 and 1.0 apart */
    assert_false(body_equal_by_value(a, c));
    assert_false(body_equal_by_value(parse(&t, "[1]"), parse(&t, "[1, 2]")));
    assert_false(body_equal_by_value(parse(&t, "{\"a\": 1}"), parse(&t, "{\"b\": 1}")));
    assert_false(body_equal_by_value(parse(&t, "true"), parse(&t, "false")));
    tmem_dispose(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accessors),
        cmocka_unit_test(test_equal),
        cmocka_unit_test(test_number_equal),
        cmocka_unit_test(test_equal_by_value),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
