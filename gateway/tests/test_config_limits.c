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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_errors_limits),
    };
    return cmocka_run_group_tests(tests, config_setup, config_teardown);
}
