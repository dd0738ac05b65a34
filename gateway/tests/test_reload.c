/* Tests for gateway/reload.c's pure part: which changed keys a running process keeps until a
 * restart (the reload answer lists them). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>
#include "reload.h"

static gw_config_t base(void)
{
    gw_config_t c;
    memset(&c, 0, sizeof(c));
    c.threads = 2;
    c.admin.address = "127.0.0.1:9901";
    c.admin.host = "127.0.0.1";
    c.admin.port = 9901;
    c.limits.max_request_body = 1024;
    c.limits.client_request_timeout_ms = 10000;
    return c;
}

static void test_nothing_changed(void **state)
{
    gw_config_t a = base(), b = base();
    char buf[256];
    /* what a reload applies (upstreams, APIs, access log, listeners...) is never listed */
    b.shutdown_timeout_ms = 5;
    b.limits.max_body_memory = 7;
    gw_reload_restart_keys(&a, &b, buf, sizeof(buf));
    assert_string_equal(buf, "");
}

static void test_restart_keys(void **state)
{
    gw_config_t a = base(), b = base();
    char buf[256];
    b.threads = 4;
    b.admin.port = 9902;
    b.limits.max_request_body = 2048;
    b.limits.client_request_timeout_ms = 1;
    gw_reload_restart_keys(&a, &b, buf, sizeof(buf));
    assert_string_equal(buf, "threads, admin.address, limits.max_request_body, "
                             "limits.client_request_timeout_ms");
    b = base();
    b.admin.address = NULL; /* the admin listener removed */
    gw_reload_restart_keys(&a, &b, buf, sizeof(buf));
    assert_string_equal(buf, "admin.address");
}

static void test_truncated_list_stays_a_string(void **state)
{
    gw_config_t a = base(), b = base();
    char buf[12];
    b.threads = 4;
    b.admin.port = 1;
    gw_reload_restart_keys(&a, &b, buf, sizeof(buf));
    assert_int_equal(strlen(buf), sizeof(buf) - 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nothing_changed),
        cmocka_unit_test(test_restart_keys),
        cmocka_unit_test(test_truncated_list_stays_a_string),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
