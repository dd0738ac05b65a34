/* Tests for gateway/path.c: normalisation, segment-wise prefix matching, decoding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "path.h"

/* Normalises with an output buffer of exactly len + 1 bytes, so ASan catches any overrun. */
static char *normalize(const char *in, size_t len, long *n)
{
    char *out = malloc(len + 1);
    *n = gw_path_normalize(in, len, out);
    return out;
}

static void test_normalize_table(void **state)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"/", "/"},
        {"/pets", "/pets"},
        {"/pets/", "/pets/"},
        {"/pets/7", "/pets/7"},
        /* duplicate slashes merge */
        {"//", "/"},
        {"///", "/"},
        {"//pets", "/pets"},
        {"/pets//7", "/pets/7"},
        {"/pets///7//", "/pets/7/"},
        /* single dots */
        {"/.", "/"},
        {"/./pets", "/pets"},
        {"/pets/./7", "/pets/7"},
        {"/pets/.", "/pets/"},
        {"/pets/%2e/7", "/pets/7"},
        {"/pets/%2E/7", "/pets/7"},
        /* double dots, in every encoded spelling */
        {"/pets/../shops", "/shops"},
        {"/pets/%2e%2e/shops", "/shops"},
        {"/pets/%2E%2E/shops", "/shops"},
        {"/pets/%2e%2E/shops", "/shops"},
        {"/pets/.%2e/shops", "/shops"},
        {"/pets/%2e./shops", "/shops"},
        {"/pets/7/..", "/pets/"},
        {"/pets/..", "/"},
        {"/a/b/c/../../d", "/a/d"},
        {"/a/b/../../../../c", "/c"},
        {"/a/./b/../c/", "/a/c/"},
        {"/a/.//b", "/a/b"},
        /* ".." never climbs above the root */
        {"/..", "/"},
        {"/../", "/"},
        {"/../../etc/passwd", "/etc/passwd"},
        {"/%2e%2e/%2e%2e/etc", "/etc"},
        /* not dot segments */
        {"/...", "/..."},
        {"/.hidden", "/.hidden"},
        {"/a..b", "/a..b"},
        {"/..a", "/..a"},
        {"/%2e%2e%2e", "/%2e%2e%2e"},
        {"/%2e%2", "!"},
        {"/.%2f", "/.%2f"},
        /* encoded slashes are data inside a segment, never separators */
        {"/a%2Fb", "/a%2Fb"},
        {"/pets/%2e%2e%2fshops", "/pets/%2e%2e%2fshops"},
        {"/pets/..%2F..%2Fshops", "/pets/..%2F..%2Fshops"},
        /* percent-decoding happens once, upstream: escapes are kept as sent */
        {"/%252F", "/%252F"},
        {"/%70ets", "/%70ets"},
        {"/caf%C3%A9", "/caf%C3%A9"},
        {"/caf\xc3\xa9", "/caf\xc3\xa9"},
        {"/a%20b", "/a%20b"},
        {"/a+b;c=d:e@f!$&'()*,", "/a+b;c=d:e@f!$&'()*,"},
    };
    for (size_t i = 0; i != sizeof(cases) / sizeof(cases[0]); ++i) {
        long n;
        char *out = normalize(cases[i].in, strlen(cases[i].in), &n);
        if (strcmp(cases[i].out, "!") == 0) {
            if (n != -1)
                fail_msg("'%s' accepted as '%s'", cases[i].in, out);
        } else if (n < 0 || strcmp(out, cases[i].out) != 0 || (size_t)n != strlen(out)) {
            fail_msg("'%s': expected '%s', got %ld '%s'", cases[i].in, cases[i].out, n,
                     n < 0 ? "" : out);
        }
        free(out);
    }
}

static void test_normalize_rejects(void **state)
{
    static const char *bad[] = {
        "pets",   "*",    "?x",     "pets/7", "/a%",    "/a%2",       "/a%zz", "/a%g0",     "/%0g",
        "/a%00b", "/%00", "/a\x01", "/a b",   "/a\x7f", "/a\r\nX: y", "/a\tb", "/\x1b[31m", "/a\nb",
    };
    for (size_t i = 0; i != sizeof(bad) / sizeof(bad[0]); ++i) {
        long n;
        char *out = normalize(bad[i], strlen(bad[i]), &n);
        if (n != -1)
            fail_msg("'%s' accepted", bad[i]);
        free(out);
    }
    long n;
    char *out = normalize("", 0, &n);
    assert_int_equal(n, -1);
    free(out);
    /* a NUL byte inside the given length */
    out = normalize("/a\0b", 4, &n);
    assert_int_equal(n, -1);
    free(out);
}

static void test_normalize_respects_length(void **state)
{
    long n;
    /* "/pets/../shops" cut after "/pets/.." */
    char *out = normalize("/pets/../shops", 8, &n);
    assert_int_equal(n, 1);
    assert_string_equal(out, "/");
    free(out);
    /* a cut escape is a bad escape */
    out = normalize("/a%41", 4, &n);
    assert_int_equal(n, -1);
    free(out);
}

static void test_normalize_long(void **state)
{
    /* many segments and climbs: linear, bounded output */
    size_t len = 0, cap = 300000;
    char *in = malloc(cap);
    for (int i = 0; i != 20000; ++i)
        len += (size_t)snprintf(in + len, cap - len, "/s%d/..", i);
    long n;
    char *out = normalize(in, len, &n);
    assert_int_equal(n, 1);
    assert_string_equal(out, "/");
    free(out);
    free(in);
}

static void test_has_prefix(void **state)
{
    static const struct {
        const char *path, *prefix;
        int match;
    } cases[] = {
        {"/pets", "/pets", 1},
        {"/pets/", "/pets", 1},
        {"/pets/7", "/pets", 1},
        {"/pets/7/toys", "/pets", 1},
        {"/petshop", "/pets", 0},
        {"/pet", "/pets", 0},
        {"/", "/pets", 0},
        {"/PETS", "/pets", 0},     /* paths are case-sensitive */
        {"/%70ets/7", "/pets", 1}, /* compared decoded */
        {"/pe%74s", "/pets", 1},
        {"/pe%74", "/pets", 0},
        {"/pets%2F7", "/pets", 0}, /* an encoded slash does not end the prefix */
        {"/pets%2f7", "/pets", 0},
        {"/api/pets/1", "/api/pets", 1},
        {"/api%2Fpets/1", "/api/pets", 0}, /* nor does it separate prefix segments */
        {"/api/pets%2F", "/api/pets", 0},
        {"/caf%C3%A9/x", "/caf\xc3\xa9", 1},
        {"/caf\xc3\xa9", "/caf\xc3\xa9", 1},
        {"/anything/at/all", "", 1}, /* the empty prefix owns "/" */
        {"/", "", 1},
    };
    for (size_t i = 0; i != sizeof(cases) / sizeof(cases[0]); ++i) {
        int got = gw_path_has_prefix(cases[i].path, strlen(cases[i].path), cases[i].prefix,
                                     strlen(cases[i].prefix));
        if (got != cases[i].match)
            fail_msg("'%s' vs prefix '%s': expected %d", cases[i].path, cases[i].prefix,
                     cases[i].match);
    }
    /* bounded by len */
    assert_int_equal(gw_path_has_prefix("/petsX", 5, "/pets", 5), 1);
    assert_int_equal(gw_path_has_prefix("/pets", 4, "/pets", 5), 0);
    assert_int_equal(gw_path_has_prefix("/%70ets", 3, "/pets", 5), 0);
}

static void test_first_segment(void **state)
{
    const char *seg, *rest;
    const char *p = "/v1/pets/7";
    assert_int_equal(gw_path_first_segment(p, strlen(p), &seg, &rest), 2);
    assert_memory_equal(seg, "v1", 2);
    assert_string_equal(rest, "/pets/7");

    p = "/v1";
    assert_int_equal(gw_path_first_segment(p, strlen(p), &seg, &rest), 2);
    assert_ptr_equal(rest, p + 3);

    p = "/v1/";
    assert_int_equal(gw_path_first_segment(p, strlen(p), &seg, &rest), 2);
    assert_string_equal(rest, "/");

    p = "/";
    assert_int_equal(gw_path_first_segment(p, strlen(p), &seg, &rest), 0);
    assert_ptr_equal(seg, p + 1);
    assert_ptr_equal(rest, p + 1);

    p = "/v1/x";
    assert_int_equal(gw_path_first_segment(p, 2, &seg, &rest), 1); /* bounded by len */
    assert_ptr_equal(rest, p + 2);
}

static void test_decode(void **state)
{
    char out[32];
    assert_int_equal(gw_path_decode("%41b%2F%2fc", 11, out), 5);
    assert_string_equal(out, "Ab//c");
    assert_int_equal(gw_path_decode("plain", 5, out), 5);
    assert_string_equal(out, "plain");
    assert_int_equal(gw_path_decode("", 0, out), 0);
    assert_string_equal(out, "");
    assert_int_equal(gw_path_decode("%C3%A9", 6, out), 2);
    assert_memory_equal(out, "\xc3\xa9", 3);
    assert_int_equal(gw_path_decode("%252F", 5, out), 3); /* once only */
    assert_string_equal(out, "%2F");
    assert_int_equal(gw_path_decode("%", 1, out), -1);
    assert_int_equal(gw_path_decode("a%4", 3, out), -1);
    assert_int_equal(gw_path_decode("%zz", 3, out), -1);
    assert_int_equal(gw_path_decode("%414", 2, out), -1); /* bounded by len */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_normalize_table),
        cmocka_unit_test(test_normalize_rejects),
        cmocka_unit_test(test_normalize_respects_length),
        cmocka_unit_test(test_normalize_long),
        cmocka_unit_test(test_has_prefix),
        cmocka_unit_test(test_first_segment),
        cmocka_unit_test(test_decode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
