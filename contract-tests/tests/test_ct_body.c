/* Tests of ct_body.c: media types, JSON parsing failures and limits, byte comparison. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
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

static int compare(const char *type_a, const char *a, const char *type_b, const char *b)
{
    ct_response_t pa = ct_test_response(200, type_a, a), pb = ct_test_response(200, type_b, b);
    return ct_compare(NULL, NULL, &pa, &pb, &res);
}

static void test_json_media_types(void **state)
{
    const char *json_types[] = {"application/json", "Application/JSON; charset=utf-8",
                                "application/problem+json", "application/vnd.api+json ; x=1",
                                " application/json "};
    for (size_t i = 0; i < sizeof(json_types) / sizeof(json_types[0]); i++) {
        /* structural: key order and number spelling do not matter */
        assert_int_equal(
            compare(json_types[i], "{\"a\":1,\"b\":2}", json_types[i], "{\"b\":2.0,\"a\":1}"), 0);
        compare(json_types[i], "{\"a\":1}", json_types[i], "{\"a\":2}");
        ct_test_only(&res, CT_DIFF_VALUE_CHANGED, "body.a");
    }
    /* JSON on one side is enough to compare structurally */
    assert_int_equal(compare("application/json", "[1]", "text/plain", "[1.0]"), 0);
}

/* ct_response_is_json, which replay and shadow validation also use: from the header or the
 * explicit content type, parameters and case ignored. */
static void test_response_is_json(void **state)
{
    (void)state;
    ct_header_t json[] = {{"Content-Type", 12, "Application/JSON; charset=utf-8", 31}};
    ct_header_t problem[] = {{"content-type", 12, "application/problem+json", 24}};
    ct_header_t text[] = {{"content-type", 12, "text/plain", 10}};
    ct_header_t bare[] = {{"content-type", 12, "+json", 5}};
    assert_true(ct_response_is_json(&(ct_response_t){.headers = json, .num_headers = 1}));
    assert_true(ct_response_is_json(&(ct_response_t){.headers = problem, .num_headers = 1}));
    assert_false(ct_response_is_json(&(ct_response_t){.headers = text, .num_headers = 1}));
    assert_false(ct_response_is_json(&(ct_response_t){.headers = bare, .num_headers = 1}));
    assert_false(ct_response_is_json(&(ct_response_t){.num_headers = 0}));
    assert_true(ct_response_is_json(&(ct_response_t){.headers = text,
                                                     .num_headers = 1,
                                                     .content_type = "application/json",
                                                     .content_type_len = 16}));
}

static void test_non_json_compared_as_bytes(void **state)
{
    const char *types[] = {"text/plain", "application/jsonx", "+json", "text/html", NULL};
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        assert_int_equal(compare(types[i], "{\"a\":1}", types[i], "{\"a\":1}"), 0);
        compare(types[i], "{\"a\":1,\"b\":2}", types[i], "{\"b\":2,\"a\":1}");
        const ct_diff_t *d = ct_test_only(&res, CT_DIFF_BYTES_CHANGED, "body");
        assert_string_equal(d->detail, "13 vs 13 bytes, first difference at byte 2");
    }
}

static void test_bytes_excerpt_window(void **state)
{
    char a[1001], b[1001];
    memset(a, 'x', 1000);
    memcpy(b, a, 1000);
    a[1000] = b[1000] = '\0';
    b[900] = 'Y';
    compare("application/octet-stream", a, "application/octet-stream", b);
    const ct_diff_t *d = ct_test_only(&res, CT_DIFF_BYTES_CHANGED, "body");
    assert_string_equal(d->detail, "1000 vs 1000 bytes, first difference at byte 900");
    /* the window starts a quarter of the excerpt before the difference and is marked on both
     * ends */
    assert_memory_equal(d->candidate, "\xe2\x80\xa6", 3);
    assert_non_null(strchr(d->candidate, 'Y'));
    assert_int_equal(strchr(d->candidate, 'Y') - d->candidate, 3 + 30);
    /* binary bytes are escaped so excerpts stay valid UTF-8 */
    compare("image/png", "\x89PNG\r\n", "image/png", "\x89PNG\n\xff");
    d = ct_test_only(&res, CT_DIFF_BYTES_CHANGED, "body");
    assert_string_equal(d->primary, "\\x89PNG\\r\\n");
    assert_string_equal(d->candidate, "\\x89PNG\\n\\xff");
}

static void test_invalid_json_one_side(void **state)
{
    compare("application/json", "{\"a\":1}", "application/json", "<html>oops</html>");
    const ct_diff_t *d = ct_test_only(&res, CT_DIFF_INVALID_JSON, "body");
    assert_string_equal(d->primary, "{\"a\":1}");
    assert_string_equal(d->candidate, "<html>oops</html>");
    assert_non_null(strstr(d->detail, "candidate: "));
    assert_non_null(strstr(d->detail, "line 1"));

    compare("application/json", "{\"a\":", "application/json", "{\"a\":1}");
    d = ct_test_only(&res, CT_DIFF_INVALID_JSON, "body");
    assert_non_null(strstr(d->detail, "primary: "));

    /* a bad byte in the input must not leak into the detail: it stays UTF-8 */
    compare("application/json", "[1]", "application/json", "[\xff\xfe]");
    d = ct_test_only(&res, CT_DIFF_INVALID_JSON, "body");
    json_t *j = ct_result_to_json(&res);
    assert_non_null(j);
    json_decref(j);
}

static void test_invalid_json_both_sides(void **state)
{
    assert_int_equal(compare("application/json", "not json", "application/json", "not json"), 0);
    compare("application/json", "not json", "application/json", "not jsoN");
    const ct_diff_t *d = ct_test_only(&res, CT_DIFF_BYTES_CHANGED, "body");
    assert_string_equal(d->detail,
                        "neither body is valid JSON; 8 vs 8 bytes, first difference at byte 7");
}

static char *deep_array(int depth, const char *leaf)
{
    size_t n = strlen(leaf);
    char *s = malloc(2 * (size_t)depth + n + 1);
    memset(s, '[', (size_t)depth);
    memcpy(s + depth, leaf, n);
    memset(s + depth + n, ']', (size_t)depth);
    s[2 * depth + n] = '\0';
    return s;
}

static void test_deep_json_does_not_crash(void **state)
{
    /* the body parser refuses more than BODY_MAX_DEPTH (1000) levels: such bodies are compared
     * as bytes and reported as too deep */
    char *a = deep_array(10000, "1"), *b = deep_array(10000, "2"), *c = deep_array(100, "1");
    assert_int_equal(compare("application/json", a, "application/json", a), 0);
    compare("application/json", a, "application/json", b);
    const ct_diff_t *d = ct_test_only(&res, CT_DIFF_TOO_DEEP, "body");
    assert_non_null(strstr(d->detail, "first difference at byte 10000"));
    /* one side too deep for the parser, the other fine */
    compare("application/json", c, "application/json", a);
    d = ct_test_only(&res, CT_DIFF_TOO_DEEP, "body");
    assert_non_null(strstr(d->detail, "candidate: "));
    free(a);
    free(b);
    free(c);
    /* parseable but deeper than max_depth */
    a = deep_array(1000, "1");
    b = deep_array(1000, "2");
    compare("application/json", a, "application/json", b);
    assert_int_equal(res.num_diffs, 1);
    assert_int_equal(res.diffs[0].kind, CT_DIFF_TOO_DEEP);
    free(a);
    free(b);
}

static void test_integers_beyond_int64(void **state)
{
    /* integers beyond int64 are compared as doubles, still by value */
    assert_int_equal(compare("application/json", "{\"n\":18446744073709551615,\"m\":1}",
                             "application/json", "{\"n\":1.8446744073709551615e19,\"m\":1.0}"),
                     0);
    compare("application/json", "{\"n\":18446744073709551615}", "application/json",
            "{\"n\":28446744073709551615}");
    ct_test_only(&res, CT_DIFF_VALUE_CHANGED, "body.n");
    /* numbers too large even for a double cannot be compared by value: invalid JSON here */
    compare("application/json", "[1]", "application/json", "[1e999]");
    ct_test_only(&res, CT_DIFF_INVALID_JSON, "body");
}

static void test_empty_bodies(void **state)
{
    assert_int_equal(compare("application/json", "", "application/json", ""), 0);
    compare("application/json", "{\"a\":1}", "application/json", "");
    const ct_diff_t *d = ct_test_only(&res, CT_DIFF_MISSING, "body");
    assert_string_equal(d->primary, "{\"a\":1}");
    assert_null(d->candidate);
    compare("text/plain", "", "text/plain", "hello");
    d = ct_test_only(&res, CT_DIFF_EXTRA, "body");
    assert_string_equal(d->candidate, "hello");
}

static void test_content_encoding_compares_bytes(void **state)
{
    ct_header_t gz = {"Content-Encoding", 16, "gzip", 4},
                id = {"content-encoding", 16, " identity", 9};
    ct_response_t a = ct_test_response(200, "application/json", "{\"a\":1,\"b\":2}");
    ct_response_t b = ct_test_response(200, "application/json", "{\"b\":2,\"a\":1}");
    a.headers = b.headers = &gz;
    a.num_headers = b.num_headers = 1;
    ct_compare(NULL, NULL, &a, &b, &res);
    const ct_diff_t *d = ct_test_only(&res, CT_DIFF_BYTES_CHANGED, "body");
    assert_non_null(strstr(d->detail, "content-encoded"));
    a.headers = b.headers = &id;
    assert_int_equal(ct_compare(NULL, NULL, &a, &b, &res), 0);
}

static void test_content_type_header(void **state)
{
    ct_header_t h = {"Content-Type", 12, "application/json", 16};
    ct_response_t a = ct_test_response(200, NULL, "{\"a\":1,\"b\":2}");
    ct_response_t b = ct_test_response(200, NULL, "{\"b\":2,\"a\":1}");
    a.headers = b.headers = &h;
    a.num_headers = b.num_headers = 1;
    assert_int_equal(ct_compare(NULL, NULL, &a, &b, &res), 0);
}

static void test_max_json_bytes(void **state)
{
    ct_options_t opts;
    ct_options_init(&opts);
    opts.max_json_bytes = 8;
    ct_error_t err;
    ct_rules_t *rules = ct_rules_create(&opts, &err);
    ct_response_t a = ct_test_response(200, "application/json", "{\"a\":1,\"b\":2}");
    ct_response_t b = ct_test_response(200, "application/json", "{\"b\":2,\"a\":1}");
    ct_compare(rules, NULL, &a, &b, &res);
    const ct_diff_t *d = ct_test_only(&res, CT_DIFF_BYTES_CHANGED, "body");
    assert_non_null(strstr(d->detail, "larger than max_json_bytes"));
    ct_rules_destroy(rules);
}

/* A caller's tree (shadowing passes the adapters') is compared instead of parsing the bytes. */
static void test_parsed_body_reused(void **state)
{
    ct_response_t a = ct_test_response(200, "application/json", "{\"a\":1}");
    ct_response_t b = ct_test_response(200, "application/json", "{\"a\": 1.0}");
    b.json = ct_test_parse("{\"a\":2}"); /* not what the bytes hold: proves it is the one read */
    ct_compare(NULL, NULL, &a, &b, &res);
    const ct_diff_t *d = ct_test_only(&res, CT_DIFF_VALUE_CHANGED, "body.a");
    assert_string_equal(d->candidate, "2");
    b.json = ct_test_parse("{\"a\":1}");
    assert_int_equal(ct_compare(NULL, NULL, &a, &b, &res), 0);
}

static void test_body_rules(void **state)
{
    const char *lines[] = {"present body"};
    ct_rules_t *rules = ct_test_rules(lines, 1);
    ct_response_t a = ct_test_response(200, "text/plain", "one");
    ct_response_t b = ct_test_response(200, "text/plain", "two");
    ct_response_t e = ct_test_response(200, "text/plain", "");
    assert_int_equal(ct_compare(rules, NULL, &a, &b, &res), 0);
    ct_compare(rules, NULL, &a, &e, &res);
    ct_test_only(&res, CT_DIFF_MISSING, "body");
    ct_rules_destroy(rules);

    const char *ignore[] = {"ignore body"};
    rules = ct_test_rules(ignore, 1);
    assert_int_equal(ct_compare(rules, NULL, &a, &e, &res), 0);
    ct_rules_destroy(rules);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_media_types),
        cmocka_unit_test(test_response_is_json),
        cmocka_unit_test(test_non_json_compared_as_bytes),
        cmocka_unit_test(test_bytes_excerpt_window),
        cmocka_unit_test(test_invalid_json_one_side),
        cmocka_unit_test(test_invalid_json_both_sides),
        cmocka_unit_test(test_deep_json_does_not_crash),
        cmocka_unit_test(test_integers_beyond_int64),
        cmocka_unit_test(test_empty_bodies),
        cmocka_unit_test(test_content_encoding_compares_bytes),
        cmocka_unit_test(test_content_type_header),
        cmocka_unit_test(test_max_json_bytes),
        cmocka_unit_test(test_parsed_body_reused),
        cmocka_unit_test(test_body_rules),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
