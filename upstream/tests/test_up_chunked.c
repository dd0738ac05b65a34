/* Tests of up_chunked.c: the chunked decoder fed whole and one byte at a time, invalid sizes,
 * missing CRLFs and bounded extensions; no framing byte ever comes out as data. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "up_http.h"

/* A growable byte buffer for the decoded data, NUL-terminated. */
typedef struct {
    char *base;
    size_t len, cap;
} buf_t;

static void buf_append(buf_t *b, const char *p, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->base = realloc(b->base, b->cap);
        assert_non_null(b->base);
    }
    memcpy(b->base + b->len, p, n);
    b->len += n;
    b->base[b->len] = '\0';
}

static void buf_dispose(buf_t *b)
{
    free(b->base);
    *b = (buf_t){0};
}

static void collect(void *ctx, const char *p, size_t n)
{
    buf_append(ctx, p, n);
}

/* Decodes text one byte per call; returns the bytes consumed in total, or -1. */
static ssize_t decode_bytewise(const char *text, size_t len, buf_t *out, const char **err)
{
    up_chunked_t c;
    up_chunked_init(&c);
    size_t used = 0;
    for (size_t i = 0; i < len; i++) {
        ssize_t n = up_chunked_decode(&c, text + i, 1, collect, out, err);
        if (n < 0)
            return -1;
        used += (size_t)n;
        if (up_chunked_done(&c))
            break;
    }
    return up_chunked_done(&c) ? (ssize_t)used : -2;
}

static void chunked_decoding(void **state)
{
    const char *text = "5;ext=1\r\nhello\r\nA\r\n, chunked!\r\n0\r\nTrailer: x\r\n\r\nNEXT";
    buf_t out = {0};
    const char *err = NULL;
    assert_int_equal(decode_bytewise(text, strlen(text), &out, &err), (ssize_t)strlen(text) - 4);
    assert_string_equal(out.base, "hello, chunked!");
    buf_dispose(&out);

    /* all at once: stops right after the final CRLF */
    up_chunked_t c;
    up_chunked_init(&c);
    assert_int_equal(up_chunked_decode(&c, text, strlen(text), collect, &out, &err),
                     (ssize_t)strlen(text) - 4);
    assert_true(up_chunked_done(&c));
    buf_dispose(&out);

    /* bare LF line ends */
    const char *lf = "3\nabc\n0\n\n";
    assert_int_equal(decode_bytewise(lf, strlen(lf), &out, &err), (ssize_t)strlen(lf));
    assert_string_equal(out.base, "abc");
    buf_dispose(&out);
}

static void chunked_errors(void **state)
{
    static const char *cases[] = {"x\r\n", "5\r\nhelloXX", "11111111111111111\r\n", "\r\n",
                                  "zz\r\n", "-5\r\n", "1000000000000000000\r\n", /* 2^72 */
                                  "3\r\nabc\rX", "3 x\r\nabc\r\n0\r\n\r\n",
                                  "3\rX\nabc\r\n0\r\n\r\n", "3;a\r\nabcX",
                                  "5\rX", ";\r\n", "5\r\nhello\rX", "fffffffffffffffff\r\n"};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        buf_t out = {0};
        const char *err = NULL;
        if (decode_bytewise(cases[i], strlen(cases[i]), &out, &err) != -1)
            fail_msg("accepted chunked case %zu", i);
        assert_non_null(err);
        buf_dispose(&out);
    }
    /* an endless extension is bounded */
    buf_t big = {0}, out = {0};
    buf_append(&big, "1;", 2);
    for (int i = 0; i < 2000; i++)
        buf_append(&big, "a", 1);
    const char *err = NULL;
    assert_int_equal(decode_bytewise(big.base, big.len, &out, &err), -1);
    assert_string_equal(err, "chunk size line too long");
    buf_dispose(&big);
    buf_dispose(&out);
}

/* Whatever the error, the data handed out is exactly the data of the valid chunks before it. */
static void no_framing_bytes_as_data(void **state)
{
    static const struct {
        const char *in, *data;
    } cases[] = {
        {"5\r\nhello\r\nzz\r\nworld", "hello"},
        {"5\r\nhello\r\n-5\r\nworld", "hello"},
        {"5\r\nhelloXX\r\n", "hello"},
        {"5\r\nhello\r\n1000000000000000000\r\nworld", "hello"},
        {"0x5\r\nhello\r\n", ""},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        buf_t out = {0};
        const char *err = NULL;
        up_chunked_t c;
        up_chunked_init(&c);
        assert_int_equal(up_chunked_decode(&c, cases[i].in, strlen(cases[i].in), collect, &out,
                                           &err),
                         -1);
        assert_int_equal(out.len, strlen(cases[i].data));
        if (out.len != 0)
            assert_string_equal(out.base, cases[i].data);
        buf_dispose(&out);
    }
    /* a body cut in the middle is not done (the client reports it as an error) */
    buf_t out = {0};
    const char *err = NULL;
    assert_int_equal(decode_bytewise("3\r\nabc\r\n", 8, &out, &err), -2);
    buf_dispose(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(chunked_decoding),
        cmocka_unit_test(chunked_errors),
        cmocka_unit_test(no_framing_bytes_as_data),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
