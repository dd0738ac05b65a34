/* Tests for gateway/metrics_layout.c: the registry keeps a label set's row for the process's
 * life (counters carry over a reload), adds only new labels, and refuses beyond its capacity. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "metrics.h"

static void test_rows_are_stable(void **state)
{
    gw_metrics_layout_t *l = gw_metrics_layout_create();
    assert_int_equal(l->rows, 1); /* the no-API row */
    assert_string_equal(l->api[0], "");
    long v1 = gw_metrics_layout_row(l, "pets", "v1");
    long v2 = gw_metrics_layout_row(l, "pets", "v2");
    assert_int_equal(v1, 1);
    assert_int_equal(v2, 2);
    /* a reload naming the same versions gets the same rows, a new one the next row */
    assert_int_equal(gw_metrics_layout_row(l, "pets", "v2"), v2);
    assert_int_equal(gw_metrics_layout_row(l, "shop", "v1"), 3);
    assert_int_equal(gw_metrics_layout_row(l, "pets", "v1"), v1);
    assert_int_equal(l->rows, 4);
    gw_metrics_layout_destroy(l);
}

static void test_operation_rows(void **state)
{
    gw_metrics_layout_t *l = gw_metrics_layout_create();
    long a = gw_metrics_layout_op_row(l, "pets", "v1", "listPets");
    long b = gw_metrics_layout_op_row(l, "pets", "v1", "getPet");
    long c = gw_metrics_layout_op_row(l, "pets", "v2", "listPets");
    /* label parts do not run into each other: ("pets","v1x") differs from ("petsv","1x") */
    long d = gw_metrics_layout_op_row(l, "petsv", "1", "listPets");
    assert_int_equal(a, 0);
    assert_int_equal(b, 1);
    assert_int_equal(c, 2);
    assert_int_equal(d, 3);
    assert_int_equal(gw_metrics_layout_op_row(l, "pets", "v1", "getPet"), b);
    assert_int_equal(gw_metrics_layout_op_row(l, "pets", "v2", "listPets"), c);
    assert_int_equal(l->op_rows, 4);
    assert_string_equal(l->op_name[c], "listPets");
    assert_string_equal(l->op_version[c], "v2");
    gw_metrics_layout_destroy(l);
}

static void test_capacity(void **state)
{
    gw_metrics_layout_t *l = gw_metrics_layout_create();
    char name[32];
    for (size_t i = 1; i < GW_METRICS_MAX_ROWS; ++i) {
        snprintf(name, sizeof(name), "v%zu", i);
        assert_int_equal(gw_metrics_layout_row(l, "api", name), (long)i);
    }
    assert_int_equal(gw_metrics_layout_row(l, "api", "one-too-many"), -1);
    assert_int_equal(gw_metrics_layout_row(l, "api", "v7"), 7); /* known labels still resolve */
    for (size_t i = 0; i < GW_METRICS_MAX_OP_ROWS; ++i) {
        snprintf(name, sizeof(name), "op%zu", i);
        assert_int_equal(gw_metrics_layout_op_row(l, "api", "v1", name), (long)i);
    }
    assert_int_equal(gw_metrics_layout_op_row(l, "api", "v1", "one-too-many"), -1);
    assert_int_equal(gw_metrics_layout_op_row(l, "api", "v1", "op65535"), 65535);
    gw_metrics_layout_destroy(l);
}

static void test_counters_sized_for_the_registry(void **state)
{
    gw_metrics_layout_t *l = gw_metrics_layout_create();
    gw_metrics_t m;
    gw_metrics_init(&m, l); /* before the rows exist: room for every row the registry can add */
    long row = gw_metrics_layout_row(l, "pets", "v9");
    gw_metrics_count_request(&m, (size_t)row, GW_METHOD_GET, 200, 10, 0, 0, 5);
    gw_metrics_count_request(&m, GW_METRICS_MAX_ROWS - 1, GW_METHOD_GET, 200, 10, 0, 0, 5);
    gw_metrics_t *threads[] = {&m};
    size_t len;
    char *text = gw_metrics_render(l, threads, 1, &len);
    assert_non_null(strstr(text, "versa_requests_total{api=\"pets\",version=\"v9\",method=\"GET\","
                                 "status=\"2xx\"} 1\n"));
    free(text);
    gw_metrics_dispose(&m);
    gw_metrics_layout_destroy(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows_are_stable),
        cmocka_unit_test(test_operation_rows),
        cmocka_unit_test(test_capacity),
        cmocka_unit_test(test_counters_sized_for_the_registry),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
