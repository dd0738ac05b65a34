/* Tests for gateway/config_address.c: listener addresses, upstream URLs and normalised prefixes,
 * accepted forms and every error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "config_fixture.h"

static void test_addresses(void **state)
{
    static const struct {
        const char *address, *host;
        uint16_t port;
    } cases[] = {
        {"127.0.0.1:8080", "127.0.0.1", 8080},
        {"[::1]:8080", "::1", 8080},
        {"[::]:65535", "::", 65535},
        {"[2001:DB8::1]:443", "2001:db8::1", 443},
        {"localhost:80", "localhost", 80},
        {"LocalHost:80", "localhost", 80},
        {"0.0.0.0:1", "0.0.0.0", 1},
        {"api-1.example.com:8080", "api-1.example.com", 8080},
        {"127.0.0.1:08080", "127.0.0.1", 8080},
    };
    for (size_t i = 0; i != sizeof(cases) / sizeof(cases[0]); ++i) {
        char yaml[512];
        snprintf(yaml, sizeof(yaml), "listen:\n  - address: \"%s\"\n" APIS, cases[i].address);
        gw_config_t *cfg = load_ok(yaml);
        assert_string_equal(cfg->listen[0].address, cases[i].address);
        assert_string_equal(cfg->listen[0].host, cases[i].host);
        assert_int_equal(cfg->listen[0].port, cases[i].port);
        gw_config_release(cfg);
    }
}

static void test_upstreams(void **state)
{
    static const struct {
        const char *url, *host, *authority, *base_path;
        uint16_t port;
        int tls;
    } cases[] = {
        {"http://127.0.0.1:9001/legacy", "127.0.0.1", "127.0.0.1:9001", "/legacy", 9001, 0},
        {"http://127.0.0.1:9001/legacy/", "127.0.0.1", "127.0.0.1:9001", "/legacy", 9001, 0},
        {"http://127.0.0.1:9001/", "127.0.0.1", "127.0.0.1:9001", "", 9001, 0},
        {"http://127.0.0.1:9001", "127.0.0.1", "127.0.0.1:9001", "", 9001, 0},
        {"http://backend", "backend", "backend", "", 80, 0},
        {"https://API.example.com", "api.example.com", "API.example.com", "", 443, 1},
        {"HTTPS://api.example.com:8443/v2/base", "api.example.com", "api.example.com:8443",
         "/v2/base", 8443, 1},
        {"http://[::1]:9000/a/b/", "::1", "[::1]:9000", "/a/b", 9000, 0},
        {"http://[::1]", "::1", "[::1]", "", 80, 0},
        {"http://h/a%20b", "h", "h", "/a%20b", 80, 0},
    };
    for (size_t i = 0; i != sizeof(cases) / sizeof(cases[0]); ++i) {
        char yaml[512];
        snprintf(yaml, sizeof(yaml),
                 LISTEN "apis:\n  - name: a\n    prefix: /a\n    versions:\n      v1: {upstream: "
                        "\"%s\"}\n",
                 cases[i].url);
        gw_config_t *cfg = load_ok(yaml);
        const gw_upstream_t *up = &cfg->apis[0].versions[0].upstream;
        assert_string_equal(up->url, cases[i].url);
        assert_string_equal(up->host, cases[i].host);
        assert_string_equal(up->authority, cases[i].authority);
        assert_string_equal(up->base_path, cases[i].base_path);
        assert_int_equal(up->port, cases[i].port);
        assert_int_equal(up->is_tls, cases[i].tls);
        gw_config_release(cfg);
    }
}

static void test_errors_addresses(void **state)
{
    static const struct {
        const char *address, *message;
    } cases[] = {
        {"127.0.0.1", "missing port (expected host:port)"},
        {"localhost", "missing port"},
        {"127.0.0.1:", "invalid port (expected 1-65535)"},
        {"127.0.0.1:0", "invalid port"},
        {"127.0.0.1:65536", "invalid port"},
        {"127.0.0.1:100000", "invalid port"},
        {"127.0.0.1:http", "invalid port"},
        {"127.0.0.1:+80", "invalid port"},
        {"127.0.0.1:-1", "invalid port"},
        {"127.0.0.1: 80", "invalid port"},
        {"::1:8080", "IPv6 addresses must be written in brackets"},
        {"127.0.0.1:80:80", "IPv6 addresses must be written in brackets"},
        {"[::1:8080", "unterminated '['"},
        {"[::1]8080", "invalid port"},
        {"[::1]", "missing port"},
        {"[]:80", "invalid IPv6 address"},
        {"[zz]:80", "invalid IPv6 address"},
        {"[127.0.0.1]:80", "invalid IPv6 address"},
        {"300.1.1.1:80", "invalid IPv4 address"},
        {"1.2.3:80", "invalid IPv4 address"},
        {":8080", "missing host"},
        {"local_host:80", "invalid host name"},
        {"-bad.example:80", "invalid host name"},
        {"bad-.example:80", "invalid host name"},
        {"a..b:80", "invalid host name"},
        {"host name:80", "invalid host name"},
        {"http://127.0.0.1:80", "expected host:port, not a URL"},
    };
    for (size_t i = 0; i != sizeof(cases) / sizeof(cases[0]); ++i) {
        char yaml[512];
        snprintf(yaml, sizeof(yaml), "listen:\n  - address: \"%s\"\n" APIS, cases[i].address);
        error_case_t c = {yaml, 2, 14, cases[i].message, "/listen/0/address", "listen[0].address"};
        check_errors(&c, 1);
        /* the same rules apply to the admin listener */
        snprintf(yaml, sizeof(yaml), MINIMAL "admin: {address: \"%s\"}\n", cases[i].address);
        error_case_t a = {yaml, 8, 18, cases[i].message, "/admin/address", "admin.address"};
        check_errors(&a, 1);
    }
}

static void test_errors_upstream(void **state)
{
    static const struct {
        const char *url, *message;
    } cases[] = {
        {"ftp://h/x", "unsupported scheme in 'ftp://h/x' (expected http:// or https://)"},
        {"ws://h", "unsupported scheme"},
        {"127.0.0.1:9001", "is not an absolute http:// or https:// URL"},
        {"/legacy", "is not an absolute http:// or https:// URL"},
        {"http:/h", "is not an absolute"},
        {"http://", "missing host in 'http://'"},
        {"http:///x", "missing host"},
        {"http://user:pw@h", "user information is not allowed in upstream URLs"},
        {"http://h:0", "invalid port (expected 1-65535) in 'http://h:0'"},
        {"http://h:99999", "invalid port"},
        {"http://h:", "invalid port"},
        {"http://h:x/", "invalid port"},
        {"http://::1/", "IPv6 addresses must be written in brackets"},
        {"http://[::1/", "unterminated '['"},
        {"http://[::g]/", "invalid IPv6 address"},
        {"http://999.0.0.1/", "invalid IPv4 address"},
        {"http://h_x/", "invalid host name"},
        {"http://h?x=1", "upstream URLs must not have a query or fragment"},
        {"http://h/a?x=1", "the path of 'http://h/a?x=1' must not contain '?' or '#'"},
        {"http://h#f", "must not have a query or fragment"},
        {"http://h/a/../b", "must be normalised"},
        {"http://h//a", "must be normalised"},
        {"http://h/a b", "contains a character that is not allowed"},
        {"http://h/a%zz", "is not a valid path"},
        {"http://h/a%00", "is not a valid path"},
    };
    for (size_t i = 0; i != sizeof(cases) / sizeof(cases[0]); ++i) {
        char yaml[512];
        snprintf(yaml, sizeof(yaml), API_HEAD "    versions:\n      v1: {upstream: \"%s\"}\n",
                 cases[i].url);
        error_case_t c = {yaml,
                          7,
                          22,
                          cases[i].message,
                          "/apis/0/versions/v1/upstream",
                          "apis[0].versions.v1.upstream"};
        check_errors(&c, 1);
    }
}

static void test_errors_prefix(void **state)
{
    static const struct {
        const char *prefix, *message;
    } cases[] = {
        {"pets", "must start with '/'"},
        {"", "must not be empty"},
        {"/pets?x=1", "must not contain '?' or '#'"},
        {"/pets#x", "must not contain '?' or '#'"},
        {"/pe%74s", "must not contain percent-escapes"},
        {"/pets/../shops", "must be normalised"},
        {"/pets/./x", "must be normalised"},
        {"/a//b", "must be normalised"},
        {"//a", "must be normalised"},
        {"/pets//", "must be normalised"},
        {"/a b", "contains a character that is not allowed"},
        {"/a\\\\b", "contains a character that is not allowed"},
        {"/a\\tb", "contains a character that is not allowed"},
        {"/a{b}", "contains a character that is not allowed"},
    };
    for (size_t i = 0; i != sizeof(cases) / sizeof(cases[0]); ++i) {
        char yaml[512];
        snprintf(yaml, sizeof(yaml),
                 LISTEN "apis:\n  - name: a\n    prefix: \"%s\"\n    versions: {v1: {upstream: "
                        "\"http://h\"}}\n",
                 cases[i].prefix);
        error_case_t c = {yaml, 5, 13, cases[i].message, "/apis/0/prefix", "apis[0].prefix"};
        check_errors(&c, 1);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_addresses),
        cmocka_unit_test(test_upstreams),
        cmocka_unit_test(test_errors_addresses),
        cmocka_unit_test(test_errors_upstream),
        cmocka_unit_test(test_errors_prefix),
    };
    return cmocka_run_group_tests(tests, config_setup, config_teardown);
}
