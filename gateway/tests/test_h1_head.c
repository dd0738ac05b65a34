/* Tests for gateway/h1_head.c: acceptable heads, each refusal with its status, every split
 * point of a valid head (incomplete, never bad), and the limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "h1_head.h"

static const gw_h1_limits_t limits = {65536, 100};

static gw_h1_result_t parse(const char *s, gw_h1_head_t *h)
{
    return gw_h1_head_parse(s, strlen(s), &limits, h);
}

static void test_good_heads(void **state)
{
    gw_h1_head_t h;
    const char *get = "GET /a?b=1 HTTP/1.1\r\nHost: example.com:8080\r\nAccept: */*\r\n\r\nrest";
    assert_int_equal(parse(get, &h), GW_H1_OK);
    assert_int_equal(h.head_len, strlen(get) - 4);
    assert_int_equal(h.method_len, 3);
    assert_memory_equal(h.target, "/a?b=1", 6);
    assert_int_equal(h.minor_version, 1);
    assert_int_equal(h.content_length, UINT64_MAX);
    assert_int_equal(parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n"
                           "content-length: 5\r\n\r\n", &h), GW_H1_OK);
    assert_int_equal(h.content_length, 5);
    assert_int_equal(parse("POST / HTTP/1.1\nHost: a\nTransfer-Encoding: Chunked\n\n", &h),
                     GW_H1_OK);
    assert_true(h.chunked);
    assert_int_equal(parse("\r\nGET / HTTP/1.0\r\n\r\n", &h), GW_H1_OK); /* §2.2 */
    assert_int_equal(parse("GET / HTTP/1.1\r\nHost:\r\nX-Empty:\r\nX-UTF8: caf\xc3\xa9\r\n\r\n",
                           &h), GW_H1_OK);
    assert_int_equal(parse("GET / HTTP/1.1\r\nHost: [::1]:80\r\nExpect: 100-continue\r\n\r\n", &h),
                     GW_H1_OK);
    assert_true(h.expect_continue);
}

static void test_refusals(void **state)
{
    static const struct {
        const char *head;
        int status;
    } cases[] = {
        {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nContent-Length: 44\r\n\r\n", 400},
        {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\n", 400},
        {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", 400},
        {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
        {"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n", 400},
        {"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
        {"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501},
        {"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n Transfer-Encoding: chunked\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n\tmore\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\nHost: a\r\nX-A : 1\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\nHost: a\r\n: 1\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\nHost: a\r\nBad Name: 1\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\nHost: a\r\nX-A: a\x01b\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\nHost: a\r\nX-A: a\rb\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\nHost: a\r\nExpect: something\r\n\r\n", 417},
        {"GET / HTTP/1.1 x\r\nHost: a\r\n\r\n", 400},
        {"GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400},
        {"GET\r\nHost: a\r\n\r\n", 400},
        {"G(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400},
        {"GET /\x7f HTTP/1.1\r\nHost: a\r\n\r\n", 400},
        {"GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505},
        {"GET / HTTP/1.2\r\nHost: a\r\n\r\n", 505},
        {"GET / HTTPS/1.1\r\nHost: a\r\n\r\n", 400},
        {"\x16\x03\x01\x02\x00\x01", 400}, /* a TLS ClientHello on the cleartext port */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); ++i) {
        gw_h1_head_t h;
        gw_h1_result_t r = gw_h1_head_parse(cases[i].head, strlen(cases[i].head), &limits, &h);
        if (r != GW_H1_BAD)
            fail_msg("case %zu accepted: %s", i, cases[i].head);
        assert_int_equal(gw_problem_status(h.problem), cases[i].status);
        assert_non_null(h.detail);
    }
}

static void test_every_prefix_is_incomplete(void **state)
{
    const char *head = "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nX-A: b\r\n\r\n";
    for (size_t cut = 0; cut < strlen(head); ++cut) {
        gw_h1_head_t h;
        gw_h1_result_t r = gw_h1_head_parse(head, cut, &limits, &h);
        if (r != GW_H1_INCOMPLETE)
            fail_msg("prefix of %zu bytes gave %d (%s)", cut, r, r == GW_H1_BAD ? h.detail : "");
    }
}

static void test_limits(void **state)
{
    gw_h1_limits_t small = {64, 3};
    gw_h1_head_t h;
    const char *many = "GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n";
    assert_int_equal(gw_h1_head_parse(many, strlen(many), &small, &h), GW_H1_BAD);
    assert_int_equal(gw_problem_status(h.problem), 431);
    char big[200];
    memset(big, 'a', sizeof(big));
    memcpy(big, "GET / HTTP/1.1\r\nX: ", 19);
    assert_int_equal(gw_h1_head_parse(big, sizeof(big), &small, &h), GW_H1_BAD);
    assert_int_equal(gw_problem_status(h.problem), 431);
    /* exactly at the limit, complete: fine */
    const char *fits = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
    gw_h1_limits_t exact = {strlen(fits), 3};
    assert_int_equal(gw_h1_head_parse(fits, strlen(fits), &exact, &h), GW_H1_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_heads),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_every_prefix_is_incomplete),
        cmocka_unit_test(test_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
