/* Tests for gateway/problem.c: the problem table and RFC 9457 JSON rendering. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>
#include "problem.h"

static void test_table(void **state)
{
    static const struct {
        gw_problem_kind_t kind;
        int status;
        const char *slug;
    } expected[] = {
        {GW_PROBLEM_NO_ROUTE, 404, "no-route"},
        {GW_PROBLEM_UNKNOWN_VERSION, 404, "unknown-version"},
        {GW_PROBLEM_NOT_ACCEPTABLE, 406, "not-acceptable"},
        {GW_PROBLEM_BAD_VERSION_HEADER, 400, "bad-version-header"},
        {GW_PROBLEM_VERSION_CONFLICT, 400, "version-conflict"},
        {GW_PROBLEM_BAD_REQUEST, 400, "bad-request"},
        {GW_PROBLEM_NOT_FOUND, 404, "not-found"},
        {GW_PROBLEM_METHOD_NOT_ALLOWED, 405, "method-not-allowed"},
        {GW_PROBLEM_BODY_TOO_LARGE, 413, "body-too-large"},
        {GW_PROBLEM_GONE, 410, "gone"},
        {GW_PROBLEM_UPSTREAM_UNAVAILABLE, 502, "upstream-unavailable"},
        {GW_PROBLEM_UPSTREAM_TIMEOUT, 504, "upstream-timeout"},
        {GW_PROBLEM_SHUTTING_DOWN, 503, "shutting-down"},
        {GW_PROBLEM_INTERNAL, 500, "internal"},
        {GW_PROBLEM_HEADERS_TOO_LARGE, 431, "headers-too-large"},
        {GW_PROBLEM_NOT_IMPLEMENTED, 501, "not-implemented"},
        {GW_PROBLEM_HTTP_VERSION, 505, "http-version"},
        {GW_PROBLEM_EXPECTATION_FAILED, 417, "expectation-failed"},
        {GW_PROBLEM_BODY_BUDGET, 503, "body-budget"},
        {GW_PROBLEM_UPSTREAM_BUSY, 503, "upstream-busy"},
        {GW_PROBLEM_CONTRACT, 400, "contract-violation"},
        {GW_PROBLEM_UNSUPPORTED_MEDIA_TYPE, 415, "unsupported-media-type"},
        {GW_PROBLEM_UPSTREAM_CONTRACT, 502, "upstream-contract-violation"},
        {GW_PROBLEM_INVALID_CONFIG, 422, "invalid-config"},
    };
    assert_int_equal(sizeof(expected) / sizeof(expected[0]), GW_PROBLEM__COUNT);
    for (size_t i = 0; i != GW_PROBLEM__COUNT; ++i) {
        char type[128];
        snprintf(type, sizeof(type), "https://versa.dev/problems/%s", expected[i].slug);
        assert_int_equal(gw_problem_status(expected[i].kind), expected[i].status);
        assert_string_equal(gw_problem_type(expected[i].kind), type);
        const char *title = gw_problem_title(expected[i].kind);
        assert_non_null(title);
        assert_true(strlen(title) > 0);
        for (size_t j = 0; j != i; ++j)
            assert_string_not_equal(gw_problem_title(expected[j].kind), title);
    }
    /* out-of-range kinds are internal errors, never out-of-bounds reads */
    assert_int_equal(gw_problem_status(GW_PROBLEM__COUNT), 500);
    assert_int_equal(gw_problem_status((gw_problem_kind_t)-1), 500);
    assert_string_equal(gw_problem_type((gw_problem_kind_t)1000),
                        "https://versa.dev/problems/internal");
}

static json_t *parse(const char *s)
{
    json_error_t e;
    json_t *j = json_loads(s, JSON_REJECT_DUPLICATES, &e);
    if (j == NULL)
        fail_msg("invalid JSON (%s): %s", e.text, s);
    assert_true(json_is_object(j));
    return j;
}

static void test_render_fields(void **state)
{
    char buf[1024];
    size_t n = gw_problem_render(buf, sizeof(buf), GW_PROBLEM_UNKNOWN_VERSION,
                                 "version v9 is not served by API pets; known: v1, v2", "req-42");
    assert_int_equal(n, strlen(buf));
    json_t *j = parse(buf);
    assert_int_equal(json_object_size(j), 5);
    assert_string_equal(json_string_value(json_object_get(j, "type")),
                        "https://versa.dev/problems/unknown-version");
    assert_string_equal(json_string_value(json_object_get(j, "title")), "Unknown API version");
    assert_true(json_is_integer(json_object_get(j, "status")));
    assert_int_equal(json_integer_value(json_object_get(j, "status")), 404);
    assert_string_equal(json_string_value(json_object_get(j, "detail")),
                        "version v9 is not served by API pets; known: v1, v2");
    assert_string_equal(json_string_value(json_object_get(j, "instance")), "req-42");
    json_decref(j);
    /* members in RFC 9457's order */
    assert_true(strncmp(buf, "{\"type\":", 8) == 0);
    assert_true(strstr(buf, "\"title\"") < strstr(buf, "\"status\""));
    assert_true(strstr(buf, "\"status\"") < strstr(buf, "\"detail\""));
    assert_true(strstr(buf, "\"detail\"") < strstr(buf, "\"instance\""));
}

static void test_render_optional_members(void **state)
{
    char buf[512];
    gw_problem_render(buf, sizeof(buf), GW_PROBLEM_UPSTREAM_TIMEOUT, NULL, NULL);
    json_t *j = parse(buf);
    assert_int_equal(json_object_size(j), 3);
    assert_int_equal(json_integer_value(json_object_get(j, "status")), 504);
    json_decref(j);

    gw_problem_render(buf, sizeof(buf), GW_PROBLEM_INTERNAL, NULL, "id");
    j = parse(buf);
    assert_int_equal(json_object_size(j), 4);
    assert_null(json_object_get(j, "detail"));
    json_decref(j);

    gw_problem_render(buf, sizeof(buf), GW_PROBLEM_INTERNAL, "", NULL);
    j = parse(buf);
    assert_string_equal(json_string_value(json_object_get(j, "detail")), "");
    json_decref(j);
}

static void test_render_escaping(void **state)
{
    static const struct {
        const char *in, *decoded;
    } cases[] = {
        {"say \"hi\"", "say \"hi\""},
        {"back\\slash", "back\\slash"},
        {"line\nbreak\r\ttab", "line\nbreak\r\ttab"},
        {"ctl\x01\x1f\x7f", "ctl\x01\x1f\x7f"},
        {"</script>", "</script>"},
        {"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb6", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb6"},
        /* invalid UTF-8 becomes U+FFFD, one per bad byte */
        {"bad\xff", "bad\xef\xbf\xbd"},
        {"\xc3", "\xef\xbf\xbd"},                                                 /* cut sequence */
        {"\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd"},                                 /* overlong '/' */
        {"\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},                 /* surrogate */
        {"\xf4\x90\x80\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"}, /* > U+10FFFF */
        {"\xe2\x82", "\xef\xbf\xbd\xef\xbf\xbd"},
    };
    for (size_t i = 0; i != sizeof(cases) / sizeof(cases[0]); ++i) {
        char buf[512];
        gw_problem_render(buf, sizeof(buf), GW_PROBLEM_BAD_REQUEST, cases[i].in, cases[i].in);
        json_t *j = parse(buf);
        assert_string_equal(json_string_value(json_object_get(j, "detail")), cases[i].decoded);
        assert_string_equal(json_string_value(json_object_get(j, "instance")), cases[i].decoded);
        json_decref(j);
    }
    char buf[256];
    gw_problem_render(buf, sizeof(buf), GW_PROBLEM_BAD_REQUEST, "a\x01", NULL);
    assert_non_null(strstr(buf, "\"a\\u0001\""));
}

/* Every buffer size yields NUL-terminated, valid JSON; the detail is cut at a character boundary
 * and marked with "..."; the instance is kept whole or dropped. */
static void test_render_truncation(void **state)
{
    const char *detail = "quote \" slash \\ newline \n caf\xc3\xa9 \xf0\x9f\x90\xb6 \x01 end";
    char full[1024];
    size_t full_len = gw_problem_render(full, sizeof(full), GW_PROBLEM_VERSION_CONFLICT, detail,
                                        "request-id-1234");
    json_t *fj = parse(full);
    const char *full_detail = json_string_value(json_object_get(fj, "detail"));
    int saw_cut_detail = 0, saw_no_instance = 0;
    for (size_t size = 0; size <= full_len + 4; ++size) {
        char *buf = malloc(size + 1);
        buf[size] = 'X'; /* canary just past the buffer */
        size_t n =
            gw_problem_render(buf, size, GW_PROBLEM_VERSION_CONFLICT, detail, "request-id-1234");
        assert_int_equal(buf[size], 'X');
        if (size == 0) {
            assert_int_equal(n, 0);
            free(buf);
            continue;
        }
        assert_true(n < size);
        assert_int_equal(strlen(buf), n);
        if (size < 3) {
            assert_int_equal(n, 0);
        } else {
            json_t *j = parse(buf);
            json_t *d = json_object_get(j, "detail"), *inst = json_object_get(j, "instance");
            if (json_object_size(j) != 0)
                assert_int_equal(json_integer_value(json_object_get(j, "status")), 400);
            if (inst != NULL)
                assert_string_equal(json_string_value(inst), "request-id-1234");
            else if (json_object_size(j) != 0)
                saw_no_instance = 1;
            if (d != NULL) {
                const char *s = json_string_value(d);
                if (strcmp(s, full_detail) != 0) {
                    saw_cut_detail = 1;
                    size_t len = strlen(s);
                    if (len >= 3 && strcmp(s + len - 3, "...") == 0)
                        len -= 3;
                    assert_true(strncmp(s, full_detail, len) == 0);
                }
            }
            json_decref(j);
        }
        if (size > full_len)
            assert_string_equal(buf, full);
        free(buf);
    }
    assert_true(saw_cut_detail);
    assert_true(saw_no_instance);
    json_decref(fj);
}

static void test_render_huge_detail(void **state)
{
    size_t len = 100000;
    char *detail = malloc(len + 1);
    for (size_t i = 0; i != len; ++i)
        detail[i] = "\"\\\n\x01x"[i % 5];
    detail[len] = '\0';
    char buf[512];
    size_t n = gw_problem_render(buf, sizeof(buf), GW_PROBLEM_BAD_REQUEST, detail, "id");
    assert_true(n < sizeof(buf));
    assert_true(n > sizeof(buf) - 16); /* filled, not given up */
    json_t *j = parse(buf);
    assert_string_equal(json_string_value(json_object_get(j, "instance")), "id");
    const char *d = json_string_value(json_object_get(j, "detail"));
    assert_string_equal(d + strlen(d) - 3, "...");
    json_decref(j);
    free(detail);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_render_fields),
        cmocka_unit_test(test_render_optional_members),
        cmocka_unit_test(test_render_escaping),
        cmocka_unit_test(test_render_truncation),
        cmocka_unit_test(test_render_huge_detail),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
