/* Tests of ct_headers.c: default ignore list, case, repeated fields, rules on headers. */
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

#define H(n, v)                                                                                    \
    {                                                                                              \
        n, sizeof(n) - 1, v, sizeof(v) - 1                                                         \
    }

static int compare_headers(const ct_rules_t *rules, const ct_header_t *a, size_t na,
                           const ct_header_t *b, size_t nb)
{
    ct_response_t pa = ct_test_response(200, NULL, NULL), pb = ct_test_response(200, NULL, NULL);
    pa.headers = a;
    pa.num_headers = na;
    pb.headers = b;
    pb.num_headers = nb;
    return ct_compare(rules, NULL, &pa, &pb, &res);
}

static void test_default_ignores(void **state)
{
    ct_header_t a[] = {H("Date", "Mon, 01 Jan 2024 00:00:00 GMT"),
                       H("Server", "a"),
                       H("X-Request-Id", "1"),
                       H("Content-Length", "10"),
                       H("Age", "1"),
                       H("Via", "1.1 a"),
                       H("X-Forwarded-For", "1.2.3.4"),
                       H("Traceparent", "00-a-b-01"),
                       H("Connection", "keep-alive, X-Hop"),
                       H("Keep-Alive", "timeout=5"),
                       H("Transfer-Encoding", "chunked"),
                       H("X-Hop", "1"),
                       H("X-Envoy-Upstream-Service-Time", "3"),
                       H("Expires", "x"),
                       H("ETag", "\"v1\"")};
    ct_header_t b[] = {H("date", "Tue, 02 Jan 2024 00:00:00 GMT"),
                       H("server", "b"),
                       H("x-request-id", "2"),
                       H("content-length", "11"),
                       H("age", "2"),
                       H("via", "1.1 b"),
                       H("x-forwarded-for", "5.6.7.8"),
                       H("traceparent", "00-c-d-01"),
                       H("X-Hop", "2"),
                       H("x-envoy-upstream-service-time", "9"),
                       H("etag", "\"v1\"")};
    assert_int_equal(
        compare_headers(NULL, a, sizeof(a) / sizeof(a[0]), b, sizeof(b) / sizeof(b[0])), 0);
}

static void test_defaults_can_be_disabled(void **state)
{
    ct_options_t opts;
    ct_options_init(&opts);
    opts.default_header_ignores = 0;
    ct_error_t err;
    ct_rules_t *rules = ct_rules_create(&opts, &err);
    ct_header_t a[] = {H("Date", "1")}, b[] = {H("Date", "2")};
    compare_headers(rules, a, 1, b, 1);
    ct_test_only(&res, CT_DIFF_VALUE_CHANGED, "headers.date");
    ct_rules_destroy(rules);

    ct_options_init(&opts);
    opts.compare_headers = 0;
    rules = ct_rules_create(&opts, &err);
    ct_header_t c[] = {H("X-A", "1")};
    assert_int_equal(compare_headers(rules, c, 1, NULL, 0), 0);
    ct_rules_destroy(rules);
}

static void test_missing_extra_changed(void **state)
{
    ct_header_t a[] = {H("Content-Type", "application/json"), H("X-Old", "1"),
                       H("Cache-Control", "no-store")};
    ct_header_t b[] = {H("cache-control", "max-age=60"), H("content-type", "application/json"),
                       H("X-New", "1")};
    compare_headers(NULL, a, 3, b, 3);
    assert_int_equal(res.num_diffs, 3);
    const ct_diff_t *d = ct_test_find(&res, CT_DIFF_VALUE_CHANGED, "headers.cache-control");
    assert_non_null(d);
    assert_string_equal(d->primary, "no-store");
    assert_string_equal(d->candidate, "max-age=60");
    d = ct_test_find(&res, CT_DIFF_MISSING, "headers.x-old");
    assert_non_null(d);
    assert_null(d->candidate);
    assert_non_null(ct_test_find(&res, CT_DIFF_EXTRA, "headers.x-new"));
    /* sorted by name */
    assert_string_equal(res.diffs[0].path, "headers.cache-control");
}

static void test_repeated_fields(void **state)
{
    ct_header_t a[] = {H("Set-Cookie", "a=1"), H("Vary", "Accept"), H("Set-Cookie", "b=2")};
    ct_header_t b[] = {H("set-cookie", "a=1"), H("set-cookie", "b=2"), H("vary", "Accept")};
    assert_int_equal(compare_headers(NULL, a, 3, b, 3), 0);
    ct_header_t c[] = {H("set-cookie", "b=2"), H("set-cookie", "a=1")};
    compare_headers(NULL, a, 3, c, 2);
    const ct_diff_t *d = ct_test_find(&res, CT_DIFF_VALUE_CHANGED, "headers.set-cookie");
    assert_non_null(d);
    assert_string_equal(d->primary, "a=1, b=2");
    assert_string_equal(d->candidate, "b=2, a=1");
    ct_header_t e[] = {H("set-cookie", "a=1")};
    compare_headers(NULL, a, 2, e, 1);
    assert_non_null(ct_test_find(&res, CT_DIFF_MISSING, "headers.vary"));
}

static void test_rules_on_headers(void **state)
{
    const char *lines[] = {"ignore headers.X-Cache-*", "regex headers.etag \"[0-9a-f]+\"",
                           "present headers.x-session", "@getPet ignore headers.x-debug"};
    ct_rules_t *rules = ct_test_rules(lines, 4);
    ct_header_t a[] = {H("X-Cache-Hits", "1"), H("ETag", "\"abc\""), H("X-Session", "s1"),
                       H("X-Debug", "1")};
    ct_header_t b[] = {H("x-cache-hits", "9"), H("etag", "\"def\""), H("x-session", "s2"),
                       H("x-debug", "2")};
    ct_response_t pa = ct_test_response(200, NULL, NULL), pb = ct_test_response(200, NULL, NULL);
    pa.headers = a;
    pa.num_headers = 4;
    pb.headers = b;
    pb.num_headers = 4;
    assert_int_equal(ct_compare(rules, "getPet", &pa, &pb, &res), 0);
    ct_compare(rules, "listPets", &pa, &pb, &res);
    ct_test_only(&res, CT_DIFF_VALUE_CHANGED, "headers.x-debug");
    /* presence still matters under `present` */
    pb.num_headers = 2;
    ct_compare(rules, "getPet", &pa, &pb, &res);
    ct_test_only(&res, CT_DIFF_MISSING, "headers.x-session");
    ct_rules_destroy(rules);
}

static void test_odd_names_and_values(void **state)
{
    ct_header_t a[] = {H("X.Dotted", "line\r\nbreak\x01"), H("X-Bin\xff", "1")};
    ct_header_t b[] = {H("x.dotted", "other"), H("x-bin\xff", "2")};
    compare_headers(NULL, a, 2, b, 2);
    assert_int_equal(res.num_diffs, 2);
    const ct_diff_t *d = ct_test_find(&res, CT_DIFF_VALUE_CHANGED, "headers[\"x.dotted\"]");
    assert_non_null(d);
    assert_string_equal(d->primary, "line\\r\\nbreak\\x01");
    assert_non_null(ct_test_find(&res, CT_DIFF_VALUE_CHANGED, "headers[\"x-bin\\ufffd\"]"));
    json_t *j = ct_result_to_json(&res);
    assert_non_null(j);
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_ignores),
        cmocka_unit_test(test_defaults_can_be_disabled),
        cmocka_unit_test(test_missing_extra_changed),
        cmocka_unit_test(test_repeated_fields),
        cmocka_unit_test(test_rules_on_headers),
        cmocka_unit_test(test_odd_names_and_values),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
