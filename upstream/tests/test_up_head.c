/* Tests of up_head.c: response heads split at every byte, the status range, field syntax errors
 * and framing (RFC 9112 section 6.3). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "up_http.h"

static ssize_t parse(const char *text, up_http_head_t *head, up_header_t *slots, size_t max,
                     const char **err)
{
    return up_http_parse_head(text, strlen(text), head, slots, max, err);
}

static void head_complete_only_at_the_end(void **state)
{
    const char *text = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-A:  spaced value \t"
                       "\r\nX-Empty:\r\n\r\nbody";
    size_t head_len = strlen(text) - 4;
    up_header_t slots[8];
    up_http_head_t head;
    const char *err = NULL;
    for (size_t i = 0; i < head_len; i++)
        assert_int_equal(up_http_parse_head(text, i, &head, slots, 8, &err), 0);
    assert_int_equal(up_http_parse_head(text, strlen(text), &head, slots, 8, &err),
                     (ssize_t)head_len);
    assert_int_equal(head.status, 200);
    assert_int_equal(head.minor_version, 1);
    assert_int_equal(head.reason_len, 2);
    assert_int_equal(head.num_headers, 3);
    assert_memory_equal(head.headers[1].value, "spaced value", 12);
    assert_int_equal(head.headers[1].value_len, 12);
    assert_int_equal(head.headers[2].value_len, 0);
}

static void bare_lf_and_no_reason(void **state)
{
    up_header_t slots[4];
    up_http_head_t head;
    const char *err = NULL;
    assert_int_equal(parse("HTTP/1.0 204\nA: b\n\n", &head, slots, 4, &err), 19);
    assert_int_equal(head.status, 204);
    assert_int_equal(head.minor_version, 0);
    assert_int_equal(head.reason_len, 0);
    assert_int_equal(head.num_headers, 1);
}

static void malformed_heads(void **state)
{
    static const char *cases[] = {
        "HTTP/2 200 OK\r\n\r\n",
        "HTTP/1.1 2x0 OK\r\n\r\n",
        "HTTP/1.1 099 Low\r\n\r\n",
        "HTTP/1.1 000 Zero\r\n\r\n",
        "HTTP/1.1 600 High\r\n\r\n",
        "HTTP/1.1 999 High\r\n\r\n",
        "HTTP/1.1 200OK\r\n\r\n",
        "HTTP/1.1 200 OK\r\n folded\r\n\r\n",
        "HTTP/1.1 200 OK\r\nNo-Colon\r\n\r\n",
        "HTTP/1.1 200 OK\r\nName : v\r\n\r\n",
        "HTTP/1.1 200 OK\r\nBad Name: v\r\n\r\n",
        "HTTP/1.1 200 OK\r\nA: b\x01\r\n\r\n",
        "ICY 200 OK\r\n\r\n",
    };
    up_header_t slots[4];
    up_http_head_t head;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *err = NULL;
        if (parse(cases[i], &head, slots, 4, &err) != -1)
            fail_msg("accepted case %zu: %s", i, cases[i]);
        assert_non_null(err);
    }
}

static void too_many_headers(void **state)
{
    up_header_t slots[2];
    up_http_head_t head;
    const char *err = NULL;
    assert_int_equal(
        parse("HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", &head, slots, 2, &err), -1);
    assert_string_equal(err, "too many response header fields");
}

static int framing_of(const char *text, int is_head, up_http_framing_t *f, uint64_t *len, int *ka)
{
    up_header_t slots[8];
    up_http_head_t head;
    const char *err = NULL;
    assert_true(parse(text, &head, slots, 8, &err) > 0);
    return up_http_framing(&head, is_head, f, len, ka, &err);
}

static void framing_rules(void **state)
{
    up_http_framing_t f;
    uint64_t len;
    int ka;
    assert_int_equal(framing_of("HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n", 0, &f, &len, &ka),
                     0);
    assert_int_equal(f, UP_HTTP_BODY_LENGTH);
    assert_int_equal(len, 12);
    assert_true(ka);
    assert_int_equal(
        framing_of("HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\n\r\n", 0, &f, &len, &ka), 0);
    assert_int_equal(len, 5);
    assert_int_equal(
        framing_of("HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\n", 0, &f, &len, &ka), -1);
    assert_int_equal(framing_of("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
                                0, &f, &len, &ka),
                     -1);
    assert_int_equal(framing_of("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", 0, &f, &len, &ka),
                     -1);
    assert_int_equal(
        framing_of("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n", 0, &f,
                   &len, &ka),
        -1);
    /* Content-Length with Transfer-Encoding is an error (response splitting) */
    assert_int_equal(
        framing_of(
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n", 0,
            &f, &len, &ka),
        -1);
    assert_int_equal(
        framing_of("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n", 0, &f, &len, &ka),
        0);
    assert_int_equal(f, UP_HTTP_BODY_CHUNKED);
    assert_true(ka);
    assert_int_equal(
        framing_of("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 0, &f, &len, &ka),
        0);
    assert_int_equal(f, UP_HTTP_BODY_CLOSE);
    assert_false(ka);
    assert_int_equal(framing_of("HTTP/1.1 200 OK\r\n\r\n", 0, &f, &len, &ka), 0);
    assert_int_equal(f, UP_HTTP_BODY_CLOSE);
    assert_false(ka);
    assert_int_equal(
        framing_of("HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n", 0, &f, &len, &ka), 0);
    assert_int_equal(f, UP_HTTP_BODY_NONE);
    assert_int_equal(framing_of("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", 1, &f, &len, &ka),
                     0);
    assert_int_equal(f, UP_HTTP_BODY_NONE);
    assert_true(ka);
    assert_int_equal(
        framing_of("HTTP/1.1 200 OK\r\nConnection: keep-alive, Close\r\nContent-Length: 0\r\n\r\n",
                   0, &f, &len, &ka),
        0);
    assert_false(ka);
    assert_int_equal(framing_of("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", 0, &f, &len, &ka),
                     0);
    assert_false(ka);
    assert_int_equal(
        framing_of("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n", 0, &f,
                   &len, &ka),
        0);
    assert_true(ka);
}

static void status_range(void **state)
{
    up_header_t slots[2];
    up_http_head_t head;
    const char *err = NULL;
    assert_true(parse("HTTP/1.1 100 Continue\r\n\r\n", &head, slots, 2, &err) > 0);
    assert_int_equal(head.status, 100);
    assert_true(parse("HTTP/1.1 599 Edge\r\n\r\n", &head, slots, 2, &err) > 0);
    assert_int_equal(head.status, 599);
    /* after a 100 Continue and nothing more, h2o hands an empty buffer with no storage
     * (issue 15's fault matrix: memchr on NULL under UBSan) */
    assert_int_equal(up_http_parse_head(NULL, 0, &head, slots, 2, &err), 0);
}

/* The proxy's framing cases (issue 11), as raw heads. */
static void length_values(void **state)
{
    up_http_framing_t f;
    uint64_t len;
    int ka;
    assert_int_equal(framing_of("HTTP/1.1 200 OK\r\nContent-Length: 5\r\ncontent-length:  5 \r\n\r\n",
                                0, &f, &len, &ka),
                     0);
    assert_int_equal(len, 5);
    assert_int_equal(
        framing_of("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n", 0,
                   &f, &len, &ka),
        -1);
    static const char *bad[] = {"",     "-1", "0x10", "1e3", "5,", "5,6", ",5",
                                "99999999999999999999", "+5", "5 5"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char head[128];
        snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\nContent-Length: %s\r\n\r\n", bad[i]);
        if (framing_of(head, 0, &f, &len, &ka) != -1)
            fail_msg("accepted Content-Length: %s", bad[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(head_complete_only_at_the_end),
        cmocka_unit_test(bare_lf_and_no_reason),
        cmocka_unit_test(malformed_heads),
        cmocka_unit_test(status_range),
        cmocka_unit_test(too_many_headers),
        cmocka_unit_test(framing_rules),
        cmocka_unit_test(length_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
