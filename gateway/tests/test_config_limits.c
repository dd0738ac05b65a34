/* Tests for gateway/config_limits.c: the `limits` key. (Defaults: test_config.c.) */
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

static void test_errors_limits(void **state)
{
    static const error_case_t cases[] = {
        {MINIMAL "limits: 5\n", 8, 9, "limits: expected a mapping, got integer", "/limits"},
        {MINIMAL "limits: {max_body: 5}\n", 8, 10, "limits: unknown key 'max_body'", NULL},
        {MINIMAL "limits: {max_request_body: lots}\n", 8, 28,
         "limits.max_request_body: invalid size 'lots' (examples: 1048576, 512KiB, 16MiB, 1GiB)",
         "/limits/max_request_body"},
        {MINIMAL "limits: {max_request_body: 16XB}\n", 8, 28, "invalid size '16XB'", NULL},
        {MINIMAL "limits: {max_request_body: -1}\n", 8, 28,
         "limits.max_request_body: must not be negative", NULL},
        {MINIMAL "limits: {max_request_body: true}\n", 8, 28,
         "limits.max_request_body: expected a size such as 16MiB, got boolean", NULL},
        {MINIMAL "limits: {max_request_body: 99999999999999999999999MiB}\n", 8, 28, "invalid size",
         NULL},
        {MINIMAL "limits: {max_upstream_connections: 0}\n", 8, 36,
         "limits.max_upstream_connections: expected an integer between 1 and 65535, got 0",
         "/limits/max_upstream_connections"},
        {MINIMAL "limits: {max_upstream_connections: 65536}\n", 8, 36, "between 1 and 65535", NULL},
        {MINIMAL "limits: {upstream_keepalive_ms: x}\n", 8, 33,
         "limits.upstream_keepalive_ms: expected an integer, got string",
         "/limits/upstream_keepalive_ms"},
    };
    CHECK_ERRORS(cases);
}

static void test_guard_limits(void **state)
{
    gw_config_t *cfg = load_ok(MINIMAL);
    assert_int_equal(cfg->limits.max_request_head, 64 * 1024);
    assert_int_equal(cfg->limits.max_request_headers, 100);
    assert_int_equal(cfg->limits.max_body_memory_per_connection, 33 * 1024 * 1024);
    assert_int_equal(cfg->limits.max_body_memory, 256 * 1024 * 1024);
    assert_int_equal(cfg->limits.http2_max_concurrent_requests, 100);
    assert_int_equal(cfg->limits.http2_max_resets_per_second, 100);
    assert_int_equal(cfg->limits.client_request_timeout_ms, 10000);
    assert_int_equal(cfg->underscores_in_headers, GW_UNDERSCORES_DROP);
    assert_null(cfg->spec_ref_root);
    gw_config_release(cfg);
    cfg = load_ok(MINIMAL "limits: {max_request_body: 1MiB, max_request_head: 8KiB, "
                          "max_request_headers: 50, max_body_memory: 64MiB, "
                          "http2_max_resets_per_second: 10, client_idle_timeout_ms: 500}\n"
                          "underscores_in_headers: reject\nspec_ref_root: /srv/specs\n");
    assert_int_equal(cfg->limits.max_body_memory_per_connection, 3 * 1024 * 1024);
    assert_int_equal(cfg->limits.max_request_head, 8 * 1024);
    assert_int_equal(cfg->limits.max_request_headers, 50);
    assert_int_equal(cfg->limits.max_body_memory, 64 * 1024 * 1024);
    assert_int_equal(cfg->limits.http2_max_resets_per_second, 10);
    assert_int_equal(cfg->limits.client_idle_timeout_ms, 500);
    assert_int_equal(cfg->underscores_in_headers, GW_UNDERSCORES_REJECT);
    assert_string_equal(cfg->spec_ref_root, "/srv/specs");
    gw_config_release(cfg);
}

static void test_errors_guard_limits(void **state)
{
    static const error_case_t cases[] = {
        {MINIMAL "limits: {max_request_headers: 101}\n", 8, 31,
         "limits.max_request_headers: expected an integer between 1 and 100, got 101", NULL},
        {MINIMAL "limits: {max_request_body: 4MiB, max_body_memory_per_connection: 1MiB}\n", 8, 9,
         "limits: max_body_memory_per_connection (1048576) is smaller than max_request_body", NULL},
        {MINIMAL "limits: {max_body_memory: 1MiB}\n", 8, 9,
         "limits: max_body_memory (1048576) is smaller than max_body_memory_per_connection", NULL},
        {MINIMAL "limits: {max_request_head: 100}\n", 8, 9,
         "limits: max_request_head must be at least 1KiB", NULL},
        {MINIMAL "limits: {http2_max_concurrent_requests: 0}\n", 8, 41, "between 1 and 100", NULL},
        {MINIMAL "limits: {client_request_timeout_ms: 0}\n", 8, 37, "client_request_timeout_ms", NULL},
        {MINIMAL "underscores_in_headers: maybe\n", 8, 25,
         "underscores_in_headers: expected drop, reject or forward, got 'maybe'",
         "/underscores_in_headers"},
        {MINIMAL "spec_ref_root: [a]\n", 8, 16, "spec_ref_root: expected a string", NULL},
    };
    CHECK_ERRORS(cases);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_errors_limits),
        cmocka_unit_test(test_guard_limits),
        cmocka_unit_test(test_errors_guard_limits),
    };
    return cmocka_run_group_tests(tests, config_setup, config_teardown);
}
