/* Tests for gateway/config_tracing.c: the `tracing` key, its defaults and its errors. */
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
#include "trace.h"

#define EP "otlp_endpoint: \"http://collector:4318/v1/traces\""

static void test_defaults(void **state)
{
    gw_config_t *cfg = load_ok(MINIMAL);
    assert_null(cfg->tracing); /* off */
    gw_config_release(cfg);
    cfg = load_ok(MINIMAL "tracing: {}\n"); /* on, propagating and logging only */
    const gw_tracing_conf_t *t = cfg->tracing;
    assert_non_null(t);
    assert_null(t->otlp_endpoint);
    assert_true(t->sample == 1);
    assert_true(t->parent_based);
    assert_string_equal(t->service_name, "versa");
    assert_int_equal(t->queue_size, 2048);
    assert_int_equal(t->batch_size, 512);
    assert_int_equal(t->flush_interval_ms, 5000);
    assert_int_equal(t->timeout_ms, 10000);
    assert_int_equal(t->num_resource, 0);
    gw_config_release(cfg);
}

static void test_values(void **state)
{
    gw_config_t *cfg = load_ok(MINIMAL "tracing:\n  " EP "\n  sample: 0.1\n  parent_based: false\n"
                                       "  service_name: edge\n  queue_size: 100\n"
                                       "  batch_size: 100\n  flush_interval_ms: 250\n"
                                       "  timeout_ms: 3000\n"
                                       "  resource: {deployment.environment.name: prod, n: 1}\n");
    const gw_tracing_conf_t *t = cfg->tracing;
    assert_string_equal(t->otlp_endpoint, "http://collector:4318/v1/traces");
    assert_true(t->sample == 0.1);
    assert_false(t->parent_based);
    assert_string_equal(t->service_name, "edge");
    assert_int_equal(t->queue_size, 100);
    assert_int_equal(t->batch_size, 100);
    assert_int_equal(t->flush_interval_ms, 250);
    assert_int_equal(t->timeout_ms, 3000);
    assert_int_equal(t->num_resource, 2);
    assert_string_equal(t->resource_keys[0], "deployment.environment.name");
    assert_string_equal(t->resource_values[0], "prod");
    assert_string_equal(t->resource_values[1], "1");
    gw_config_release(cfg);
    cfg = load_ok(MINIMAL "tracing: {sample: 0}\n");
    assert_true(cfg->tracing->sample == 0);
    gw_config_release(cfg);
}

static void test_errors(void **state)
{
    static const error_case_t cases[] = {
        {MINIMAL "tracing: 1\n", 8, 10, "tracing: expected a mapping, got integer", "/tracing"},
        {MINIMAL "tracing: {sampel: 1}\n", 8, 11,
         "tracing: unknown key 'sampel' (did you mean 'sample'?)", NULL},
        {MINIMAL "tracing: {sample: 1.5}\n", 8, 19,
         "tracing.sample: expected a number between 0 and 1, got 1.5", "/tracing/sample"},
        {MINIMAL "tracing: {sample: -0.1}\n", 8, 19, "between 0 and 1", NULL},
        {MINIMAL "tracing: {sample: .nan}\n", 8, 19, "between 0 and 1", NULL},
        {MINIMAL "tracing: {sample: all}\n", 8, 19,
         "tracing.sample: expected a number between 0 and 1, got string", NULL},
        {MINIMAL "tracing: {otlp_endpoint: 4318}\n", 8, 26,
         "tracing.otlp_endpoint: expected a string, got integer", "/tracing/otlp_endpoint"},
        {MINIMAL "tracing: {otlp_endpoint: collector:4318}\n", 8, 26,
         "tracing.otlp_endpoint: collector:4318: expected an http:// or https:// URL", NULL},
        {MINIMAL "tracing: {otlp_endpoint: \"https://c/v1/traces\"}\n", 8, 26,
         "tracing.otlp_endpoint: https endpoints are not supported", NULL},
        {MINIMAL "tracing: {otlp_endpoint: \"http://c/v1/traces?x=1\"}\n", 8, 26,
         "a base URL takes no query", NULL},
        {MINIMAL "tracing: {otlp_endpoint: \"http://c:99999/\"}\n", 8, 26, "bad port", NULL},
        {MINIMAL "tracing: {parent_based: maybe}\n", 8, 25,
         "tracing.parent_based: expected true or false, got string", NULL},
        {MINIMAL "tracing: {service_name: \"\"}\n", 8, 25, "tracing.service_name: must not be empty",
         NULL},
        {MINIMAL "tracing: {queue_size: 0}\n", 8, 23,
         "tracing.queue_size: expected an integer between 1 and 1000000, got 0",
         "/tracing/queue_size"},
        {MINIMAL "tracing: {batch_size: 4096}\n", 8, 23,
         "tracing.batch_size: larger than queue_size (2048)", "/tracing/batch_size"},
        {MINIMAL "tracing: {flush_interval_ms: 0}\n", 8, 30, "between 1 and", NULL},
        {MINIMAL "tracing: {timeout_ms: x}\n", 8, 23,
         "tracing.timeout_ms: expected an integer, got string", NULL},
        {MINIMAL "tracing: {resource: [a]}\n", 8, 21, "tracing.resource: expected a mapping",
         NULL},
        {MINIMAL "tracing: {resource: {service.name: x}}\n", 8, 22,
         "tracing.resource.service.name: set by the gateway", NULL},
        {MINIMAL "tracing: {resource: {k: [1]}}\n", 8, 25,
         "tracing.resource.k: expected a string, got sequence", NULL},
    };
    CHECK_ERRORS(cases);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, config_setup, config_teardown);
}
