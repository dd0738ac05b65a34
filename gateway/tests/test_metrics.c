/* Tests for gateway/metrics.c: counters from several threads sum, histograms are cumulative, and
 * the exposition has the families and labels the README documents. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "metrics.h"

static const char *apis[] = {"pets", "pets", ""};
static const char *versions[] = {"v1", "v2", ""};

static void test_render_sums_threads(void **state)
{
    char *op_names[] = {"listPets"};
    const char *op_api[] = {"pets"}, *op_version[] = {"v2"};
    gw_metrics_layout_t layout = {3, apis, versions, 1, op_api, op_version, op_names};
    gw_metrics_t a, b;
    gw_metrics_init(&a, &layout);
    gw_metrics_init(&b, &layout);
    gw_metrics_count_request(&a, 0, gw_method_class("GET", 3), 200, 1500, 800, 1, 100);
    gw_metrics_count_request(&b, 0, gw_method_class("GET", 3), 204, 20000000, 0, 0, 0);
    gw_metrics_count_request(&b, 2, gw_method_class("BREW", 4), 404, 10, 0, 0, 50);
    gw_metrics_count_upstream_error(&a, 1, GW_UPSTREAM_ERR_TIMEOUT);
    gw_metrics_count_operation(&a, 0, 503);
    gw_metrics_add(&a.connections_open, 2);
    gw_metrics_add(&b.connections_open, 1);
    gw_metrics_t *threads[] = {&a, &b};
    size_t len;
    char *text = gw_metrics_render(&layout, threads, 2, &len);
    assert_int_equal(strlen(text), len);
    static const char *expected[] = {
        "versa_requests_total{api=\"pets\",version=\"v1\",method=\"GET\",status=\"2xx\"} 2\n",
        "versa_requests_total{api=\"\",version=\"\",method=\"OTHER\",status=\"4xx\"} 1\n",
        "versa_request_duration_seconds_bucket{api=\"pets\",version=\"v1\",le=\"0.0025\"} 1\n",
        "versa_request_duration_seconds_bucket{api=\"pets\",version=\"v1\",le=\"10\"} 1\n",
        "versa_request_duration_seconds_bucket{api=\"pets\",version=\"v1\",le=\"+Inf\"} 2\n",
        "versa_request_duration_seconds_count{api=\"pets\",version=\"v1\"} 2\n",
        "versa_upstream_duration_seconds_count{api=\"pets\",version=\"v1\"} 1\n",
        "versa_upstream_errors_total{api=\"pets\",version=\"v2\",kind=\"timeout\"} 1\n",
        "versa_operation_requests_total{api=\"pets\",version=\"v2\",operation=\"listPets\","
        "status=\"5xx\"} 1\n",
        "versa_response_bytes_total{api=\"pets\",version=\"v1\"} 100\n",
        "versa_connections_open 3\n",
        "# TYPE versa_request_duration_seconds histogram\n",
    };
    for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); ++i)
        if (strstr(text, expected[i]) == NULL)
            fail_msg("missing: %s", expected[i]);
    free(text);
    gw_metrics_dispose(&a);
    gw_metrics_dispose(&b);
}

static void test_method_classes(void **state)
{
    assert_int_equal(gw_method_class("DELETE", 6), GW_METHOD_DELETE);
    assert_int_equal(gw_method_class("GETX", 4), GW_METHOD_OTHER);
    assert_int_equal(gw_method_class("get", 3), GW_METHOD_OTHER); /* methods are case-sensitive */
}

static void test_label_values_are_escaped(void **state)
{
    /* exposition format 0.0.4: backslash, double quote and line feed are escaped, nothing else */
    char *s = gw_metrics_escape_label("a\\b\"c\nd/e f");
    assert_string_equal(s, "a\\\\b\\\"c\\nd/e f");
    free(s);
    s = gw_metrics_escape_label("");
    assert_string_equal(s, "");
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_render_sums_threads),
        cmocka_unit_test(test_method_classes),
        cmocka_unit_test(test_label_values_are_escaped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
