/* Tests of value conversions and dates (convert.c): inputs parsed with the body model
 * (body/body.h), outputs compared as the text its writer produces (so 100.0 is a real, 100 an
 * integer). */
#include "adp_test_util.h"
#include "convert.h"

static void conv(adp__conv_t c, int scale, const char *in, const char *want)
{
    test_mem_t tm;
    body_mem_t mem = test_mem(&tm);
    char *text = exact_copy(in, strlen(in));
    body_error_t e;
    body_value_t *v = body_parse(&mem, text, strlen(in), 0, &e);
    if (v == NULL)
        fail_msg("bad JSON in test: %s: %s", in, e.message);
    body_value_t *out = adp__convert(&mem, c, scale, v);
    size_t n = 0;
    const char *got = out != NULL ? body_dump(&mem, out, &n) : NULL;
    if (want == NULL && out != NULL)
        fail_msg("%s converted to %.*s", in, (int)n, got);
    if (want != NULL && out == NULL)
        fail_msg("%s not converted (expected %s)", in, want);
    if (want != NULL && (n != strlen(want) || memcmp(got, want, n) != 0))
        fail_msg("%s converted to %.*s, expected %s", in, (int)n, got, want);
    test_mem_free(&tm);
    free(text);
}

static void test_pairs(void **state)
{
    adp__conv_t c;
    int scale;
    assert_int_equal(adp__conv_for(ADP__T_DECIMAL_STRING, ADP__T_INTEGER_CENTS, 2, &c, &scale), 0);
    assert_int_equal(c, ADP__C_DEC_TO_MINOR);
    assert_int_equal(adp__conv_for(ADP__T_UNIX_MILLIS, ADP__T_DATE_TIME, 2, &c, &scale), 0);
    assert_int_equal(scale, 3);
    assert_int_equal(adp__conv_for(ADP__T_BOOLEAN, ADP__T_ENUM, 2, &c, &scale), 0);
    assert_int_equal(c, ADP__C_ENUM);
    assert_int_equal(adp__conv_for(ADP__T_BOOLEAN, ADP__T_NUMBER, 2, &c, &scale), -1);
    assert_int_equal(adp__conv_for(ADP__T_STRING, ADP__T_STRING, 2, &c, &scale), -1);
    adp__type_t t;
    assert_int_equal(adp__type_parse("integer_cents", &t), 0);
    assert_int_equal(t, ADP__T_INTEGER_CENTS);
    assert_int_equal(adp__type_parse("cents", &t), -1);
    assert_true(adp__type_fits(ADP__T_NUMBER, "integer"));
    assert_false(adp__type_fits(ADP__T_DECIMAL_STRING, "number"));
}

static void test_numbers(void **state)
{
    conv(ADP__C_NUM_TO_STR, 0, "12", "\"12\"");
    conv(ADP__C_NUM_TO_STR, 0, "0.1", "\"0.1\"");
    conv(ADP__C_NUM_TO_STR, 0, "1e300", "\"1e+300\"");
    conv(ADP__C_NUM_TO_STR, 0, "\"1\"", NULL);
    conv(ADP__C_INT_TO_STR, 0, "-7", "\"-7\"");
    conv(ADP__C_INT_TO_STR, 0, "7.5", NULL);
    conv(ADP__C_STR_TO_NUM, 0, "\"42\"", "42");
    conv(ADP__C_STR_TO_NUM, 0, "\"-0.5\"", "-0.5");
    conv(ADP__C_STR_TO_NUM, 0, "\"1E2\"", "100.0");
    conv(ADP__C_STR_TO_NUM, 0, "\"99999999999999999999\"", "1e+20");
    conv(ADP__C_STR_TO_NUM, 0, "\"0x10\"", NULL);
    conv(ADP__C_STR_TO_NUM, 0, "\"01\"", NULL);
    conv(ADP__C_STR_TO_NUM, 0, "\"\"", NULL);
    conv(ADP__C_STR_TO_NUM, 0, "\"1e999\"", NULL);
    conv(ADP__C_STR_TO_INT, 0, "\"12\"", "12");
    conv(ADP__C_STR_TO_INT, 0, "\"12.0\"", NULL);
    conv(ADP__C_STR_TO_INT, 0, "\"99999999999999999999\"", NULL);
}

static void test_minor_units(void **state)
{
    conv(ADP__C_DEC_TO_MINOR, 2, "\"12.34\"", "1234");
    conv(ADP__C_DEC_TO_MINOR, 2, "\"12.3\"", "1230");
    conv(ADP__C_DEC_TO_MINOR, 2, "\"12\"", "1200");
    conv(ADP__C_DEC_TO_MINOR, 2, "\"-0.01\"", "-1");
    conv(ADP__C_DEC_TO_MINOR, 2, "\"1.2300\"", "123");
    conv(ADP__C_DEC_TO_MINOR, 2, "\"1.234\"", NULL);
    conv(ADP__C_DEC_TO_MINOR, 2, "\"+1.00\"", NULL);
    conv(ADP__C_DEC_TO_MINOR, 2, "\"1.\"", NULL);
    conv(ADP__C_DEC_TO_MINOR, 2, "\"00.5\"", NULL);
    conv(ADP__C_DEC_TO_MINOR, 2, "\"1e2\"", NULL);
    conv(ADP__C_DEC_TO_MINOR, 2, "\"92233720368547758.08\"", NULL);
    conv(ADP__C_DEC_TO_MINOR, 0, "\"500\"", "500");
    conv(ADP__C_DEC_TO_MINOR, 3, "\"1.5\"", "1500");
    conv(ADP__C_MINOR_TO_DEC, 2, "1234", "\"12.34\"");
    conv(ADP__C_MINOR_TO_DEC, 2, "-5", "\"-0.05\"");
    conv(ADP__C_MINOR_TO_DEC, 2, "0", "\"0.00\"");
    conv(ADP__C_MINOR_TO_DEC, 0, "7", "\"7\"");
    conv(ADP__C_MINOR_TO_DEC, 2, "-9223372036854775808", "\"-92233720368547758.08\"");
    conv(ADP__C_MINOR_TO_DEC, 2, "\"12\"", NULL);
    conv(ADP__C_NUM_TO_MINOR, 2, "12.34", "1234");
    conv(ADP__C_NUM_TO_MINOR, 2, "0.1", "10");
    conv(ADP__C_NUM_TO_MINOR, 2, "3", "300");
    conv(ADP__C_NUM_TO_MINOR, 2, "1.005", NULL);
    conv(ADP__C_MINOR_TO_NUM, 2, "1234", "12.34");
    conv(ADP__C_NUM_TO_DEC, 2, "2.5", "\"2.50\"");
    conv(ADP__C_DEC_TO_NUM, 2, "\"2.50\"", "2.5");
    conv(ADP__C_DEC_TO_NUM, 2, "\"2e1\"", NULL);
}

static void test_timestamps(void **state)
{
    conv(ADP__C_UNIX_TO_DT, 0, "0", "\"1970-01-01T00:00:00Z\"");
    conv(ADP__C_UNIX_TO_DT, 0, "-1", "\"1969-12-31T23:59:59Z\"");
    conv(ADP__C_UNIX_TO_DT, 0, "951782400", "\"2000-02-29T00:00:00Z\"");
    conv(ADP__C_UNIX_TO_DT, 3, "1500", "\"1970-01-01T00:00:01.500Z\"");
    conv(ADP__C_UNIX_TO_DT, 3, "-1", "\"1969-12-31T23:59:59.999Z\"");
    conv(ADP__C_UNIX_TO_DT, 0, "999999999999999", NULL);
    conv(ADP__C_UNIX_TO_DT, 0, "1.5", NULL);
    conv(ADP__C_DT_TO_UNIX, 0, "\"2000-02-29T00:00:00Z\"", "951782400");
    conv(ADP__C_DT_TO_UNIX, 0, "\"2000-02-29T01:30:00+01:30\"", "951782400");
    conv(ADP__C_DT_TO_UNIX, 0, "\"2000-02-28T22:00:00-02:00\"", "951782400");
    conv(ADP__C_DT_TO_UNIX, 3, "\"1970-01-01T00:00:01.25Z\"", "1250");
    conv(ADP__C_DT_TO_UNIX, 0, "\"2001-02-29T00:00:00Z\"", NULL);
    conv(ADP__C_DT_TO_UNIX, 0, "\"2000-01-01\"", NULL);
    conv(ADP__C_DT_TO_UNIX, 0, "\"2000-01-01T00:00:00\"", NULL);
    conv(ADP__C_DT_TO_UNIX, 0, "\"2000-01-01T24:00:00Z\"", NULL);
}

static void test_dates(void **state)
{
    int64_t t;
    assert_int_equal(adp_parse_date("2026-06-30", 10, &t), 0);
    assert_int_equal(t, 1782777600);
    assert_int_equal(adp_parse_date("2026-06-30T12:00:00Z", 20, &t), 0);
    assert_int_equal(t, 1782777600 + 43200);
    assert_int_equal(adp_parse_date("2026-6-30", 9, &t), -1);
    assert_int_equal(adp_parse_date("2026-13-01", 10, &t), -1);
    assert_int_equal(adp_parse_date("2026-06-31", 10, &t), -1);
    assert_int_equal(adp_parse_date("2024-02-29", 10, &t), 0);
    assert_int_equal(adp_parse_date("1900-02-29", 10, &t), -1);
    assert_int_equal(adp_parse_date("2026-06-30x", 11, &t), -1);
    char buf[40];
    /* RFC 9110 §5.6.7's example */
    assert_string_equal(adp_format_http_date(784111777, buf, sizeof(buf)),
                        "Sun, 06 Nov 1994 08:49:37 GMT");
    assert_string_equal(adp_format_http_date(1801353600, buf, sizeof(buf)),
                        "Sun, 31 Jan 2027 00:00:00 GMT");
    assert_string_equal(adp_format_http_date(-86400, buf, sizeof(buf)),
                        "Wed, 31 Dec 1969 00:00:00 GMT");
    assert_int_equal(adp__days_from_civil(1970, 1, 1), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pairs),       cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_minor_units), cmocka_unit_test(test_timestamps),
        cmocka_unit_test(test_dates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
