/* Tests for shadow/shadow_http.c: the mirrored request head, byte for byte, and which request
 * headers count as secrets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "shadow_internal.h"

#define H(n, v)                                                                                    \
    {                                                                                              \
        n, sizeof(n) - 1, v, sizeof(v) - 1                                                         \
    }
#define V(s) h2o_iovec_init(s, sizeof(s) - 1)

static gw_shadow_conf_t conf_with(char **remove, size_t nremove, gw_shadow_header_t *set,
                                  size_t nset)
{
    gw_shadow_conf_t c = {0};
    c.remove = remove;
    c.num_remove = nremove;
    c.set = set;
    c.num_set = nset;
    return c;
}

static gw_upstream_t target(const char *authority, const char *base_path)
{
    return (gw_upstream_t){.authority = (char *)authority, .base_path = (char *)base_path};
}

static void expect(h2o_iovec_t got, const char *want)
{
    if (got.len != strlen(want) || memcmp(got.base, want, got.len) != 0)
        fail_msg("request head differs:\n--- got\n%.*s\n--- want\n%s", (int)got.len, got.base,
                 want);
    free(got.base);
}

static void test_get(void **state)
{
    gw_shadow_conf_t c = conf_with(NULL, 0, NULL, 0);
    gw_upstream_t t = target("candidate:9011", "/base");
    ct_header_t h[] = {H("accept", "application/json"),
                       H("x-request-id", "r1"),
                       H("host", "gw.example"),
                       H("connection", "keep-alive, x-private"),
                       H("x-private", "hop"),
                       H("te", "trailers"),
                       H("keep-alive", "5")};
    expect(gw_shadow__build_request(&c, &t, V("GET"), V("/pets/7"), V("?a=1"), h, 7, 0, 0,
                                    V("10.0.0.1"), V("https"), V("gw.example"), V("")),
           "GET /base/pets/7?a=1 HTTP/1.1\r\n"
           "host: candidate:9011\r\n"
           "connection: keep-alive\r\n"
           "accept: application/json\r\n"
           "x-request-id: r1\r\n"
           "x-forwarded-for: 10.0.0.1\r\n"
           "x-forwarded-proto: https\r\n"
           "x-forwarded-host: gw.example\r\n"
           "\r\n");
}

static void test_post_with_edits(void **state)
{
    char *remove[] = {"authorization", "x-debug"};
    gw_shadow_header_t set[] = {{"x-shadow", "1"}, {"accept", "text/plain"}};
    gw_shadow_conf_t c = conf_with(remove, 2, set, 2);
    gw_upstream_t t = target("[::1]:8080", "");
    ct_header_t h[] = {H("Authorization", "Bearer x"),
                       H("accept", "application/json"),
                       H("cookie", "a=1"),
                       H("x-forwarded-for", "192.0.2.1"),
                       H("cookie", "b=2"),
                       H("content-length", "999"),
                       H("expect", "100-continue"),
                       H("X-Debug", "1"),
                       H("content-type", "application/json")};
    expect(gw_shadow__build_request(&c, &t, V("POST"), V("/orders"), V(""), h, 9, 12, 1, V(""),
                                    V("http"), V("gw"), V("")),
           "POST /orders HTTP/1.1\r\n"
           "host: [::1]:8080\r\n"
           "connection: keep-alive\r\n"
           "content-length: 12\r\n"
           "content-type: application/json\r\n"
           "cookie: a=1; b=2\r\n"
           "x-forwarded-for: 192.0.2.1\r\n"
           "x-forwarded-proto: http\r\n"
           "x-forwarded-host: gw\r\n"
           "x-shadow: 1\r\n"
           "accept: text/plain\r\n"
           "\r\n");
}

static void test_removed_cookie_and_empty_body(void **state)
{
    char *remove[] = {"cookie"};
    gw_shadow_conf_t c = conf_with(remove, 1, NULL, 0);
    gw_upstream_t t = target("c", "");
    ct_header_t h[] = {H("cookie", "secret=1"), H("x-forwarded-for", "192.0.2.1")};
    expect(gw_shadow__build_request(&c, &t, V("PUT"), V("/x"), V(""), h, 2, 0, 1, V("10.0.0.9"),
                                    V("http"), V("gw"), V("")),
           "PUT /x HTTP/1.1\r\n"
           "host: c\r\n"
           "connection: keep-alive\r\n"
           "content-length: 0\r\n"
           "x-forwarded-for: 192.0.2.1, 10.0.0.9\r\n"
           "x-forwarded-proto: http\r\n"
           "x-forwarded-host: gw\r\n"
           "\r\n");
}

/* A traced request's shadow carries its own span as parent: the client's traceparent (already
 * the gateway's, trace.c) is replaced, tracestate passes. */
static void test_traceparent(void **state)
{
    gw_shadow_conf_t c = conf_with(NULL, 0, NULL, 0);
    gw_upstream_t t = target("c", "");
    ct_header_t h[] = {H("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
                       H("tracestate", "rojo=1")};
    expect(gw_shadow__build_request(&c, &t, V("GET"), V("/"), V(""), h, 2, 0, 0, V(""),
                                    V("http"), V("gw"),
                                    V("00-4bf92f3577b34da6a3ce929d0e0e4736-1111111111111111-01")),
           "GET / HTTP/1.1\r\n"
           "host: c\r\n"
           "connection: keep-alive\r\n"
           "tracestate: rojo=1\r\n"
           "x-forwarded-for: \r\n"
           "x-forwarded-proto: http\r\n"
           "x-forwarded-host: gw\r\n"
           "traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-1111111111111111-01\r\n"
           "\r\n");
}

static void test_large_headers_fit(void **state)
{
    gw_shadow_conf_t c = conf_with(NULL, 0, NULL, 0);
    gw_upstream_t t = target("c", "/p");
    enum { N = 50 };
    static char values[N][2000];
    ct_header_t h[N];
    for (int i = 0; i != N; ++i) {
        memset(values[i], 'a' + i % 26, sizeof(values[i]) - 1);
        values[i][sizeof(values[i]) - 1] = '\0';
        h[i] = (ct_header_t){i % 2 ? "cookie" : "x-forwarded-for", i % 2 ? 6 : 15, values[i],
                             sizeof(values[i]) - 1};
    }
    h2o_iovec_t req = gw_shadow__build_request(&c, &t, V("GET"), V("/"), V(""), h, N, 0, 0,
                                               V("127.0.0.1"), V("http"), V("gw"), V(""));
    assert_true(req.len > N * 1999);
    assert_memory_equal(req.base + req.len - 4, "\r\n\r\n", 4);
    free(req.base);
}

static void test_secret_headers(void **state)
{
    char *remove[] = {"x-tenant"};
    gw_shadow_conf_t c = conf_with(remove, 1, NULL, 0);
    assert_true(gw_shadow__is_secret_header(&c, H2O_STRLIT("Authorization")));
    assert_true(gw_shadow__is_secret_header(&c, H2O_STRLIT("cookie")));
    assert_true(gw_shadow__is_secret_header(&c, H2O_STRLIT("Proxy-Authorization")));
    assert_true(gw_shadow__is_secret_header(&c, H2O_STRLIT("x-api-key")));
    assert_true(gw_shadow__is_secret_header(&c, H2O_STRLIT("X-Tenant")));
    assert_false(gw_shadow__is_secret_header(&c, H2O_STRLIT("accept")));
    assert_false(gw_shadow__is_secret_header(&c, H2O_STRLIT("authorizatio")));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_get),
        cmocka_unit_test(test_post_with_edits),
        cmocka_unit_test(test_removed_cookie_and_empty_body),
        cmocka_unit_test(test_traceparent),
        cmocka_unit_test(test_large_headers_fit),
        cmocka_unit_test(test_secret_headers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
