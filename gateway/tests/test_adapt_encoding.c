/* Tests of gateway/adapt_encoding.c: decoding gzip, deflate (zlib and raw) and br within a bound,
 * the failures (truncated, corrupt, trailing data, bombs), gzip encoding, Content-Encoding values
 * and the Accept-Encoding choice with q-values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <brotli/encode.h>
#include <zlib.h>
#include "adapt_encoding.h"

static const char JSON[] = "{\"data\":[{\"id\":\"p1\",\"category\":\"dog\",\"price\":1250}],"
                           "\"next\":\"c2\"}";

/* zlib's formats: window_bits 16+15 gzip, 15 zlib, -15 raw deflate. */
static h2o_iovec_t zcompress(h2o_mem_pool_t *pool, const char *in, size_t len, int window_bits)
{
    z_stream z;
    memset(&z, 0, sizeof(z));
    assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY), Z_OK);
    size_t cap = deflateBound(&z, len);
    char *buf = h2o_mem_alloc_pool(pool, cap);
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)len;
    z.next_out = (Bytef *)buf;
    z.avail_out = (uInt)cap;
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    size_t n = cap - z.avail_out;
    deflateEnd(&z);
    return h2o_iovec_init(buf, n);
}

static h2o_iovec_t brcompress(h2o_mem_pool_t *pool, const char *in, size_t len)
{
    size_t n = BrotliEncoderMaxCompressedSize(len);
    char *buf = h2o_mem_alloc_pool(pool, n);
    assert_true(BrotliEncoderCompress(5, 22, BROTLI_MODE_TEXT, len, (const uint8_t *)in, &n,
                                      (uint8_t *)buf));
    return h2o_iovec_init(buf, n);
}

static void expect_decoded(h2o_mem_pool_t *pool, gw_coding_t c, h2o_iovec_t in, const char *want,
                           size_t want_len)
{
    h2o_iovec_t out;
    const char *err = "unset";
    assert_int_equal(gw_coding_decode(pool, c, in, 1 << 20, &out, &err), 0);
    assert_null(err);
    assert_int_equal(out.len, want_len);
    assert_memory_equal(out.base, want, want_len);
}

static void expect_error(h2o_mem_pool_t *pool, gw_coding_t c, h2o_iovec_t in, size_t max,
                         const char *words)
{
    h2o_iovec_t out;
    const char *err = NULL;
    assert_int_equal(gw_coding_decode(pool, c, in, max, &out, &err), -1);
    assert_non_null(err);
    if (strstr(err, words) == NULL)
        fail_msg("expected \"%s\" in \"%s\"", words, err);
}

static void test_decode(void **state)
{
    h2o_mem_pool_t pool;
    h2o_mem_init_pool(&pool);
    size_t n = strlen(JSON);
    expect_decoded(&pool, GW_CODING_GZIP, zcompress(&pool, JSON, n, 16 + 15), JSON, n);
    expect_decoded(&pool, GW_CODING_DEFLATE, zcompress(&pool, JSON, n, 15), JSON, n);
    expect_decoded(&pool, GW_CODING_DEFLATE, zcompress(&pool, JSON, n, -15), JSON, n);
    expect_decoded(&pool, GW_CODING_BR, brcompress(&pool, JSON, n), JSON, n);
    /* two gzip members are one body (RFC 1952 §2.2) */
    h2o_iovec_t a = zcompress(&pool, JSON, 10, 31), b = zcompress(&pool, JSON + 10, n - 10, 31);
    char *both = h2o_mem_alloc_pool(&pool, a.len + b.len);
    memcpy(both, a.base, a.len);
    memcpy(both + a.len, b.base, b.len);
    expect_decoded(&pool, GW_CODING_GZIP, h2o_iovec_init(both, a.len + b.len), JSON, n);
    /* a body exactly at the bound decodes; one byte more does not */
    h2o_iovec_t out;
    const char *err;
    assert_int_equal(
        gw_coding_decode(&pool, GW_CODING_GZIP, zcompress(&pool, JSON, n, 31), n, &out, &err), 0);
    expect_error(&pool, GW_CODING_GZIP, zcompress(&pool, JSON, n, 31), n - 1, "more than");
    /* an empty gzip body is an empty body */
    expect_decoded(&pool, GW_CODING_GZIP, zcompress(&pool, "", 0, 31), "", 0);
    h2o_mem_clear_pool(&pool);
}

static void test_bad_bodies(void **state)
{
    h2o_mem_pool_t pool;
    h2o_mem_init_pool(&pool);
    size_t n = strlen(JSON);
    h2o_iovec_t gz = zcompress(&pool, JSON, n, 31), br = brcompress(&pool, JSON, n);
    for (size_t cut = 0; cut < gz.len; cut += 3)
        expect_error(&pool, GW_CODING_GZIP, h2o_iovec_init(gz.base, cut), 1 << 20,
                     cut == 0 ? "truncated" : "");
    expect_error(&pool, GW_CODING_GZIP, h2o_iovec_init(gz.base, gz.len - 1), 1 << 20, "truncated");
    expect_error(&pool, GW_CODING_BR, h2o_iovec_init(br.base, br.len - 1), 1 << 20, "");
    expect_error(&pool, GW_CODING_GZIP, h2o_iovec_init(JSON, n), 1 << 20, "corrupt");
    expect_error(&pool, GW_CODING_DEFLATE, h2o_iovec_init("\xff\xff\xff\xff", 4), 1 << 20, "");
    expect_error(&pool, GW_CODING_BR, h2o_iovec_init("\xff\xff\xff\xff", 4), 1 << 20, "");
    /* data after a deflate or br stream's end */
    h2o_iovec_t zl = zcompress(&pool, JSON, n, 15);
    char *tail = h2o_mem_alloc_pool(&pool, zl.len + 1);
    memcpy(tail, zl.base, zl.len);
    tail[zl.len] = 'x';
    expect_error(&pool, GW_CODING_DEFLATE, h2o_iovec_init(tail, zl.len + 1), 1 << 20, "after");
    tail = h2o_mem_alloc_pool(&pool, br.len + 1);
    memcpy(tail, br.base, br.len);
    tail[br.len] = 'x';
    expect_error(&pool, GW_CODING_BR, h2o_iovec_init(tail, br.len + 1), 1 << 20, "");
    expect_error(&pool, GW_CODING_UNKNOWN, gz, 1 << 20, "not one Versa decodes");
    h2o_mem_clear_pool(&pool);
}

/* 64 MiB of zeros compress to about 64 KiB: decoding stops at the bound, memory stays near it */
static void test_bombs(void **state)
{
    h2o_mem_pool_t pool;
    h2o_mem_init_pool(&pool);
    size_t big = 64u << 20;
    char *zeros = calloc(1, big);
    assert_non_null(zeros);
    h2o_iovec_t gz = zcompress(&pool, zeros, big, 31), br = brcompress(&pool, zeros, big);
    free(zeros);
    assert_true(gz.len < 256 * 1024);
    expect_error(&pool, GW_CODING_GZIP, gz, 1 << 20, "more than");
    expect_error(&pool, GW_CODING_BR, br, 1 << 20, "more than");
    h2o_mem_clear_pool(&pool);
}

static void test_gzip_round_trip(void **state)
{
    h2o_mem_pool_t pool;
    h2o_mem_init_pool(&pool);
    size_t n = strlen(JSON);
    h2o_iovec_t gz = gw_coding_gzip(&pool, h2o_iovec_init(JSON, n));
    assert_true(gz.len > 18 && (unsigned char)gz.base[0] == 0x1f &&
                (unsigned char)gz.base[1] == 0x8b);
    expect_decoded(&pool, GW_CODING_GZIP, gz, JSON, n);
    h2o_mem_clear_pool(&pool);
}

static void test_content_encoding(void **state)
{
    assert_int_equal(gw_coding_of(NULL, 0), GW_CODING_IDENTITY);
    assert_int_equal(gw_coding_of(H2O_STRLIT("identity")), GW_CODING_IDENTITY);
    assert_int_equal(gw_coding_of(H2O_STRLIT(" GZip ")), GW_CODING_GZIP);
    assert_int_equal(gw_coding_of(H2O_STRLIT("x-gzip")), GW_CODING_GZIP);
    assert_int_equal(gw_coding_of(H2O_STRLIT("deflate")), GW_CODING_DEFLATE);
    assert_int_equal(gw_coding_of(H2O_STRLIT("br")), GW_CODING_BR);
    assert_int_equal(gw_coding_of(H2O_STRLIT("compress")), GW_CODING_UNKNOWN);
    assert_int_equal(gw_coding_of(H2O_STRLIT("zstd")), GW_CODING_UNKNOWN);
    assert_int_equal(gw_coding_of(H2O_STRLIT("gzip, br")), GW_CODING_UNKNOWN);
}

static gw_coding_t choose(const char *accept, int was_coded)
{
    return gw_coding_choose(accept, accept != NULL ? strlen(accept) : 0, was_coded);
}

static void test_accept_encoding(void **state)
{
    const gw_coding_t G = GW_CODING_GZIP, I = GW_CODING_IDENTITY;
    assert_int_equal(choose(NULL, 1), I);
    assert_int_equal(choose("", 1), I);
    assert_int_equal(choose("gzip", 1), G);
    assert_int_equal(choose("gzip", 0), I); /* a tie: as the upstream sent it */
    assert_int_equal(choose("gzip, deflate, br", 1), G);
    assert_int_equal(choose("br", 1), I);
    assert_int_equal(choose("gzip;q=0", 1), I);
    assert_int_equal(choose("gzip;q=0.5, identity;q=0.6", 1), I);
    assert_int_equal(choose("gzip;q=0.7, identity;q=0.6", 0), G);
    assert_int_equal(choose("identity;q=0, gzip;q=0.001", 0), G);
    assert_int_equal(choose("*;q=0, gzip", 0), G);
    assert_int_equal(choose("*", 1), G);
    assert_int_equal(choose("*;q=0", 1), I); /* nothing acceptable: identity */
    assert_int_equal(choose("X-GZIP ; Q=1.0 ,identity;q=0.9", 0), G);
    assert_int_equal(choose("gzip;level=1;q=1", 0), I);
    assert_int_equal(choose("gzip;q=, identity;q=0", 0), I); /* q= reads as 0: both refused */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode),
        cmocka_unit_test(test_bad_bodies),
        cmocka_unit_test(test_bombs),
        cmocka_unit_test(test_gzip_round_trip),
        cmocka_unit_test(test_content_encoding),
        cmocka_unit_test(test_accept_encoding),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
