/* Tests of ct_http.c: response heads split at every byte, field syntax errors, framing (RFC 9112
 * section 6.3) and the chunked decoder fed one byte at a time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "ct_buf.h"
#include "ct_http.h"

static ssize_t parse(const char *text, ct_http_head_t *head, ct_header_t *slots, size_t max,
                     const char **err)
{
    return ct__http_parse_head(text, strlen(text), head, slots, max, err);
}

static void head_complete_only_at_the_end(void **state)
{
    const char *text = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-A:  spaced value \t"
                       "\r\nX-Empty:\r\n\r\nbody";
    size_t head_len = strlen(text) - 4;
    ct_header_t slots[8];
    ct_http_head_t head;
    const char *err = NULL;
    for (size_t i = 0; i < head_len; i++)
        assert_int_equal(ct__http_parse_head(text, i, &head, slots, 8, &err), 0);
    assert_int_equal(ct__http_parse_head(text, strlen(text), &head, slots, 8, &err),
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
    ct_header_t slots[4];
    ct_http_head_t head;
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
        "HTTP/1.1 200OK\r\n\r\n",
        "HTTP/1.1 200 OK\r\n folded\r\n\r\n",
        "HTTP/1.1 200 OK\r\nNo-Colon\r\n\r\n",
        "HTTP/1.1 200 OK\r\nName : v\r\n\r\n",
        "HTTP/1.1 200 OK\r\nBad Name: v\r\n\r\n",
        "HTTP/1.1 200 OK\r\nA: b\x01\r\n\r\n",
        "ICY 200 OK\r\n\r\n",
    };
    ct_header_t slots[4];
    ct_http_head_t head;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *err = NULL;
        if (parse(cases[i], &head, slots, 4, &err) != -1)
            fail_msg("accepted case %zu: %s", i, cases[i]);
        assert_non_null(err);
    }
}

static void too_many_headers(void **state)
{
    ct_header_t slots[2];
    ct_http_head_t head;
    const char *err = NULL;
    assert_int_equal(
        parse("HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", &head, slots, 2, &err), -1);
    assert_string_equal(err, "too many response header fields");
}

static int framing_of(const char *text, int is_head, ct_http_framing_t *f, uint64_t *len, int *ka)
{
    ct_header_t slots[8];
    ct_http_head_t head;
    const char *err = NULL;
    assert_true(parse(text, &head, slots, 8, &err) > 0);
    return ct__http_framing(&head, is_head, f, len, ka, &err);
}

static void framing_rules(void **state)
{
    ct_http_framing_t f;
    uint64_t len;
    int ka;
    assert_int_equal(framing_of("HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n", 0, &f, &len, &ka),
                     0);
    assert_int_equal(f, CT_HTTP_BODY_LENGTH);
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
    /* chunked wins over Content-Length, and the connection is not reused */
    assert_int_equal(
        framing_of(
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n", 0,
            &f, &len, &ka),
        0);
    assert_int_equal(f, CT_HTTP_BODY_CHUNKED);
    assert_false(ka);
    assert_int_equal(
        framing_of("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 0, &f, &len, &ka),
        0);
    assert_int_equal(f, CT_HTTP_BODY_CLOSE);
    assert_false(ka);
    assert_int_equal(framing_of("HTTP/1.1 200 OK\r\n\r\n", 0, &f, &len, &ka), 0);
    assert_int_equal(f, CT_HTTP_BODY_CLOSE);
    assert_false(ka);
    assert_int_equal(
        framing_of("HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n", 0, &f, &len, &ka), 0);
    assert_int_equal(f, CT_HTTP_BODY_NONE);
    assert_int_equal(framing_of("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", 1, &f, &len, &ka),
                     0);
    assert_int_equal(f, CT_HTTP_BODY_NONE);
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

static void collect(void *ctx, const char *p, size_t n)
{
    ct__buf_append(ctx, p, n);
}

/* Decodes text one byte per call; returns the bytes consumed in total, or -1. */
static ssize_t decode_bytewise(const char *text, size_t len, ct_buf_t *out, const char **err)
{
    ct_chunked_t c;
    ct__chunked_init(&c);
    size_t used = 0;
    for (size_t i = 0; i < len; i++) {
        ssize_t n = ct__chunked_decode(&c, text + i, 1, collect, out, err);
        if (n < 0)
            return -1;
        used += (size_t)n;
        if (ct__chunked_done(&c))
            break;
    }
    return ct__chunked_done(&c) ? (ssize_t)used : -2;
}

static void chunked_decoding(void **state)
{
    const char *text = "5;ext=1\r\nhello\r\nA\r\n, chunked!\r\n0\r\nTrailer: x\r\n\r\nNEXT";
    ct_buf_t out = CT_BUF_INIT;
    const char *err = NULL;
    assert_int_equal(decode_bytewise(text, strlen(text), &out, &err), (ssize_t)strlen(text) - 4);
    assert_string_equal(out.base, "hello, chunked!");
    ct__buf_dispose(&out);

    /* all at once: stops right after the final CRLF */
    ct_chunked_t c;
    ct__chunked_init(&c);
    assert_int_equal(ct__chunked_decode(&c, text, strlen(text), collect, &out, &err),
                     (ssize_t)strlen(text) - 4);
    assert_true(ct__chunked_done(&c));
    ct__buf_dispose(&out);

    /* bare LF line ends */
    const char *lf = "3\nabc\n0\n\n";
    assert_int_equal(decode_bytewise(lf, strlen(lf), &out, &err), (ssize_t)strlen(lf));
    assert_string_equal(out.base, "abc");
    ct__buf_dispose(&out);
}

static void chunked_errors(void **state)
{
    static const char *cases[] = {"x\r\n", "5\r\nhelloXX", "11111111111111111\r\n", "\r\n"};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ct_buf_t out = CT_BUF_INIT;
        const char *err = NULL;
        if (decode_bytewise(cases[i], strlen(cases[i]), &out, &err) != -1)
            fail_msg("accepted chunked case %zu", i);
        assert_non_null(err);
        ct__buf_dispose(&out);
    }
    /* an endless extension is bounded */
    ct_buf_t big = CT_BUF_INIT, out = CT_BUF_INIT;
    ct__buf_puts(&big, "1;");
    for (int i = 0; i < 2000; i++)
        ct__buf_putc(&big, 'a');
    const char *err = NULL;
    assert_int_equal(decode_bytewise(big.base, big.len, &out, &err), -1);
    assert_string_equal(err, "chunk size line too long");
    ct__buf_dispose(&big);
    ct__buf_dispose(&out);
}

static void tokens_and_lists(void **state)
{
    assert_true(ct__http_is_token("X-Api_Version.1~", 16));
    assert_false(ct__http_is_token("", 0));
    assert_false(ct__http_is_token("a b", 3));
    assert_false(ct__http_is_token("a:b", 3));
    assert_true(ct__http_is_field_value("a\tb", 3));
    assert_false(ct__http_is_field_value("a\rb", 3));
    assert_true(ct__http_list_has("gzip, chunked;q=1", 17, "chunked"));
    assert_false(ct__http_list_has("chunkedx", 8, "chunked"));
    assert_true(ct__http_name_is("Content-Length", 14, "content-length"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(head_complete_only_at_the_end),
        cmocka_unit_test(bare_lf_and_no_reason),
        cmocka_unit_test(malformed_heads),
        cmocka_unit_test(too_many_headers),
        cmocka_unit_test(framing_rules),
        cmocka_unit_test(chunked_decoding),
        cmocka_unit_test(chunked_errors),
        cmocka_unit_test(tokens_and_lists),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
