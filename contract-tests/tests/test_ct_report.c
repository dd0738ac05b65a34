/* Tests of ct_report.c: noise rule, aggregation, samples, limits, merge, JSON shape. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ct_report.h"
#include "ct_test.h"

static ct_result_t cand, noise, same;

static int setup(void **state)
{
    ct_result_init(&cand);
    ct_result_init(&noise);
    ct_result_init(&same);
    ct_test_diff(NULL, "{}", "{}", &same);
    return 0;
}

static int teardown(void **state)
{
    ct_result_dispose(&cand);
    ct_result_dispose(&noise);
    ct_result_dispose(&same);
    return 0;
}

static ct_report_t *report_new(void)
{
    ct_error_t err;
    ct_report_t *r = ct_report_create(NULL, &err);
    assert_non_null(r);
    return r;
}

static json_t *group_of(json_t *report, const char *name)
{
    json_t *groups = json_object_get(report, "groups"), *g;
    size_t i;
    json_array_foreach(groups, i, g)
    {
        if (strcmp(json_string_value(json_object_get(g, "group")), name) == 0)
            return g;
    }
    fail_msg("no group %s", name);
    return NULL;
}

static json_t *path_of(json_t *group, const char *path, const char *kind)
{
    json_t *paths = json_object_get(group, "paths"), *p;
    size_t i;
    json_array_foreach(paths, i, p)
    {
        if (strcmp(json_string_value(json_object_get(p, "path")), path) == 0 &&
            strcmp(json_string_value(json_object_get(p, "kind")), kind) == 0)
            return p;
    }
    fail_msg("no path %s %s", path, kind);
    return NULL;
}

static json_int_t int_at(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_integer(v))
        fail_msg("%s is not an integer", key);
    return json_integer_value(v);
}

static void test_noise_formula(void **state)
{
    ct_report_config_t cfg;
    ct_report_config_init(&cfg);
    assert_true(cfg.relative_threshold == 20.0 && cfg.absolute_threshold == 0.03);
    ct_noise_t n;
    /* similar rates in candidate and secondary: noise */
    ct_noise_evaluate(&cfg, 50, 100, 48, 100, &n);
    assert_false(n.regression);
    assert_true(n.rate == 50.0 && n.noise_rate == 48.0 && n.absolute_difference == 2.0);
    assert_true(fabs(n.relative_difference - 200.0 / 98.0) < 1e-9);
    /* differing only in candidate: regression */
    ct_noise_evaluate(&cfg, 50, 100, 0, 100, &n);
    assert_true(n.regression);
    assert_true(n.relative_difference == 100.0 && n.absolute_difference == 50.0);
    /* the relative threshold is strict: (60-40)/(60+40) = 20% is not above 20% */
    ct_noise_evaluate(&cfg, 60, 100, 40, 100, &n);
    assert_false(n.regression);
    ct_noise_evaluate(&cfg, 61, 100, 40, 100, &n);
    assert_true(n.regression);
    /* below the absolute threshold: 1 in 10000 is 0.01 percentage points */
    ct_noise_evaluate(&cfg, 1, 10000, 0, 10000, &n);
    assert_false(n.regression);
    /* without any secondary every difference counts */
    ct_noise_evaluate(&cfg, 1, 10000, 0, 0, &n);
    assert_true(n.regression);
    /* fewer candidate than noise differences */
    ct_noise_evaluate(&cfg, 10, 100, 20, 100, &n);
    assert_false(n.regression);
    assert_true(n.absolute_difference < 0);
    ct_noise_evaluate(&cfg, 0, 100, 0, 100, &n);
    assert_false(n.regression);
    assert_true(n.relative_difference == 0);
    /* rates use their own denominators when some secondaries were missing */
    ct_noise_evaluate(&cfg, 50, 100, 25, 50, &n);
    assert_true(n.noise_rate == 50.0);
    assert_false(n.regression);
    /* configurable thresholds */
    cfg.relative_threshold = 1;
    ct_noise_evaluate(&cfg, 50, 100, 48, 100, &n);
    assert_true(n.regression);
}

static void test_noise_and_regression(void **state)
{
    ct_report_t *r = report_new();
    char id[16];
    for (int i = 0; i < 100; i++) {
        snprintf(id, sizeof(id), "r%d", i);
        /* the timestamp differs everywhere; the price only in the candidate, 1 in 10 */
        ct_test_diff(NULL, "{\"ts\":1,\"price\":10}",
                     i % 10 == 0 ? "{\"ts\":2,\"price\":12}" : "{\"ts\":2,\"price\":10}", &cand);
        ct_test_diff(NULL, "{\"ts\":1,\"price\":10}", "{\"ts\":3,\"price\":10}", &noise);
        ct_report_add(r, "GET /items", id, &cand, &noise);
    }
    json_t *j = ct_report_to_json(r);
    json_t *g = group_of(j, "GET /items");
    assert_int_equal(int_at(g, "compared"), 100);
    assert_int_equal(int_at(g, "differing"), 100);
    assert_int_equal(int_at(g, "identical"), 0);
    assert_int_equal(int_at(g, "noise_compared"), 100);
    assert_int_equal(int_at(g, "noise_differing"), 100);
    assert_int_equal(int_at(g, "regressions"), 1);
    json_t *ts = path_of(g, "body.ts", "value_changed");
    assert_int_equal(int_at(ts, "count"), 100);
    assert_int_equal(int_at(ts, "noise_count"), 100);
    assert_true(json_is_false(json_object_get(ts, "regression")));
    json_t *price = path_of(g, "body.price", "value_changed");
    assert_int_equal(int_at(price, "count"), 10);
    assert_int_equal(int_at(price, "noise_count"), 0);
    assert_true(json_is_true(json_object_get(price, "regression")));
    assert_true(json_real_value(json_object_get(price, "rate")) == 10.0);
    /* regressions are listed first */
    assert_ptr_equal(json_array_get(json_object_get(g, "paths"), 0), price);
    assert_int_equal(int_at(j, "regressions"), 1);

    ct_report_totals_t t;
    ct_report_totals(r, &t);
    assert_int_equal(t.groups, 1);
    assert_int_equal(t.compared, 100);
    assert_int_equal(t.regressions, 1);
    json_decref(j);
    ct_report_destroy(r);
}

static void test_counts_once_per_comparison(void **state)
{
    ct_report_t *r = report_new();
    ct_test_diff(NULL, "[{\"n\":1},{\"n\":2},{\"n\":3}]", "[{\"n\":7},{\"n\":8},{\"n\":9}]", &cand);
    assert_int_equal(cand.num_diffs, 3);
    ct_report_add(r, "g", "a", &cand, NULL);
    ct_report_add(r, "g", "b", &cand, NULL);
    ct_report_add(r, "g", "c", &same, NULL);
    json_t *j = ct_report_to_json(r);
    json_t *g = group_of(j, "g");
    assert_int_equal(int_at(g, "compared"), 3);
    assert_int_equal(int_at(g, "identical"), 1);
    assert_int_equal(int_at(g, "differing"), 2);
    json_t *p = path_of(g, "body[*].n", "value_changed");
    assert_int_equal(int_at(p, "count"), 2);
    assert_int_equal(json_array_size(json_object_get(p, "request_ids")), 2);
    /* without a secondary, every difference is a regression */
    assert_true(json_is_true(json_object_get(p, "regression")));
    json_decref(j);
    ct_report_destroy(r);
}

static void test_samples(void **state)
{
    ct_report_t *r = report_new();
    char id[16];
    /* first seen in noise only: the sample comes from noise until a candidate one exists */
    ct_test_diff(NULL, "{\"a\":1}", "{\"a\":5}", &noise);
    ct_report_add(r, "g", "n0", &same, &noise);
    json_t *j = ct_report_to_json(r);
    json_t *s = json_object_get(path_of(group_of(j, "g"), "body.a", "value_changed"), "sample");
    assert_string_equal(json_string_value(json_object_get(s, "source")), "noise");
    assert_string_equal(json_string_value(json_object_get(s, "request_id")), "n0");
    json_decref(j);
    for (int i = 0; i < 10; i++) {
        snprintf(id, sizeof(id), "r%d", i);
        ct_test_diff(NULL, "{\"a\":1}", i == 0 ? "{\"a\":2}" : "{\"a\":3}", &cand);
        ct_report_add(r, "g", id, &cand, NULL);
    }
    j = ct_report_to_json(r);
    json_t *p = path_of(group_of(j, "g"), "body.a", "value_changed");
    json_t *ids = json_object_get(p, "request_ids");
    assert_int_equal(json_array_size(ids), 5);
    assert_string_equal(json_string_value(json_array_get(ids, 0)), "r0");
    assert_string_equal(json_string_value(json_array_get(ids, 4)), "r4");
    s = json_object_get(p, "sample");
    assert_string_equal(json_string_value(json_object_get(s, "source")), "candidate");
    assert_string_equal(json_string_value(json_object_get(s, "request_id")), "r0");
    assert_string_equal(json_string_value(json_object_get(s, "primary")), "1");
    assert_string_equal(json_string_value(json_object_get(s, "candidate")), "2");
    json_decref(j);
    ct_report_destroy(r);
}

static const char *const report_keys[] = {"thresholds",          "compared",       "identical",
                                          "differing",           "noise_compared", "regressions",
                                          "dropped_comparisons", "groups"};
static const char *const group_keys[] = {
    "group",          "compared",        "identical",   "differing",     "truncated",
    "noise_compared", "noise_differing", "regressions", "dropped_paths", "paths"};
static const char *const path_keys[] = {"path",
                                        "kind",
                                        "count",
                                        "noise_count",
                                        "rate",
                                        "noise_rate",
                                        "absolute_difference",
                                        "relative_difference",
                                        "regression",
                                        "request_ids",
                                        "sample"};
static const char *const sample_keys[] = {"request_id", "source",    "concrete_path",
                                          "primary",    "candidate", "detail"};

static void assert_keys(json_t *o, const char *const *keys, size_t n)
{
    assert_true(json_is_object(o));
    assert_int_equal(json_object_size(o), n);
    for (size_t i = 0; i < n; i++)
        if (json_object_get(o, keys[i]) == NULL)
            fail_msg("missing key %s", keys[i]);
}

#define ASSERT_KEYS(o, keys) assert_keys(o, keys, sizeof(keys) / sizeof(keys[0]))

static void test_json_shape(void **state)
{
    ct_report_t *r = report_new();
    ct_test_diff(NULL, "{\"items\":[1,2]}", "{\"items\":[1]}", &cand);
    ct_report_add(r, "b", "req-1", &cand, &same);
    ct_report_add(r, "a", NULL, &same, NULL);
    json_t *j = ct_report_to_json(r);
    ASSERT_KEYS(j, report_keys);
    json_t *th = json_object_get(j, "thresholds");
    assert_true(json_real_value(json_object_get(th, "relative")) == 20.0);
    assert_true(json_real_value(json_object_get(th, "absolute")) == 0.03);
    json_t *groups = json_object_get(j, "groups");
    assert_int_equal(json_array_size(groups), 2);
    /* sorted by name */
    assert_string_equal(json_string_value(json_object_get(json_array_get(groups, 0), "group")),
                        "a");
    json_t *g = json_array_get(groups, 1);
    ASSERT_KEYS(g, group_keys);
    json_t *p = json_array_get(json_object_get(g, "paths"), 0);
    ASSERT_KEYS(p, path_keys);
    assert_string_equal(json_string_value(json_object_get(p, "kind")), "array_length_changed");
    json_t *s = json_object_get(p, "sample");
    ASSERT_KEYS(s, sample_keys);
    assert_string_equal(json_string_value(json_object_get(s, "concrete_path")), "body.items");
    assert_string_equal(json_string_value(json_object_get(s, "detail")), "2 vs 1 elements");
    /* an identical group has no paths; a comparison without request id keeps none */
    assert_int_equal(json_array_size(json_object_get(json_array_get(groups, 0), "paths")), 0);
    json_decref(j);
    ct_report_destroy(r);
}

static void test_merge(void **state)
{
    ct_report_t *a = report_new(), *b = report_new(), *all = report_new();
    ct_test_diff(NULL, "{\"x\":1}", "{\"x\":2}", &cand);
    ct_test_diff(NULL, "{\"x\":1}", "{\"x\":3}", &noise);
    ct_report_add(a, "g1", "a1", &cand, &noise);
    ct_report_add(all, "g1", "a1", &cand, &noise);
    ct_report_add(b, "g1", "b1", &cand, NULL);
    ct_report_add(all, "g1", "b1", &cand, NULL);
    ct_report_add(b, "g2", "b2", &same, &same);
    ct_report_add(all, "g2", "b2", &same, &same);

    ct_report_t *merged = report_new();
    ct_report_merge(merged, a);
    ct_report_merge(merged, b);
    ct_report_merge(merged, merged); /* no-op */
    json_t *jm = ct_report_to_json(merged), *ja = ct_report_to_json(all);
    assert_true(json_equal(jm, ja));
    json_t *p = path_of(group_of(jm, "g1"), "body.x", "value_changed");
    assert_int_equal(int_at(p, "count"), 2);
    assert_int_equal(int_at(p, "noise_count"), 1);
    assert_int_equal(json_array_size(json_object_get(p, "request_ids")), 2);
    json_decref(jm);
    json_decref(ja);
    /* the sources are untouched */
    json_t *j = ct_report_to_json(a);
    assert_int_equal(int_at(j, "compared"), 1);
    json_decref(j);
    ct_report_destroy(a);
    ct_report_destroy(b);
    ct_report_destroy(all);
    ct_report_destroy(merged);
}

static void test_limits(void **state)
{
    ct_report_config_t cfg;
    ct_report_config_init(&cfg);
    cfg.max_groups = 1;
    cfg.max_paths = 1;
    cfg.max_samples = 1;
    ct_error_t err;
    ct_report_t *r = ct_report_create(&cfg, &err), *other = report_new();
    ct_test_diff(NULL, "{\"x\":1,\"y\":1}", "{\"x\":2,\"y\":2}", &cand);
    ct_report_add(r, "g1", "1", &cand, NULL);
    ct_report_add(r, "g1", "2", &cand, NULL);
    ct_report_add(r, "g2", "3", &cand, NULL);
    ct_report_add(other, "g3", "4", &cand, NULL);
    ct_report_merge(r, other);
    json_t *j = ct_report_to_json(r);
    assert_int_equal(int_at(j, "dropped_comparisons"), 2);
    assert_int_equal(json_array_size(json_object_get(j, "groups")), 1);
    json_t *g = group_of(j, "g1");
    assert_int_equal(int_at(g, "dropped_paths"), 2);
    json_t *p = path_of(g, "body.x", "value_changed");
    assert_int_equal(int_at(p, "count"), 2);
    assert_int_equal(json_array_size(json_object_get(p, "request_ids")), 1);
    json_decref(j);
    ct_report_destroy(r);
    ct_report_destroy(other);
}

static void test_config_validation(void **state)
{
    ct_report_config_t cfg;
    ct_error_t err;
    ct_report_config_init(&cfg);
    cfg.relative_threshold = -1;
    assert_null(ct_report_create(&cfg, &err));
    assert_non_null(strstr(err.message, "thresholds"));
    ct_report_config_init(&cfg);
    cfg.absolute_threshold = NAN;
    assert_null(ct_report_create(&cfg, &err));
    ct_report_config_init(&cfg);
    cfg.max_paths = 0;
    assert_null(ct_report_create(&cfg, &err));
    ct_report_destroy(NULL);
}

static void test_clear_and_names(void **state)
{
    ct_report_t *r = report_new();
    char long_id[300];
    memset(long_id, 'i', sizeof(long_id) - 1);
    long_id[sizeof(long_id) - 1] = '\0';
    ct_test_diff(NULL, "1", "2", &cand);
    ct_report_add(r, "GET /pets/\xff\xfe", long_id, &cand, NULL);
    json_t *j = ct_report_to_json(r);
    assert_non_null(j);
    json_t *g = json_array_get(json_object_get(j, "groups"), 0);
    assert_string_equal(json_string_value(json_object_get(g, "group")),
                        "GET /pets/\xef\xbf\xbd\xef\xbf\xbd");
    json_t *ids = json_object_get(json_array_get(json_object_get(g, "paths"), 0), "request_ids");
    assert_int_equal(strlen(json_string_value(json_array_get(ids, 0))), CT_REQUEST_ID_MAX);
    json_decref(j);
    ct_report_clear(r);
    j = ct_report_to_json(r);
    assert_int_equal(json_array_size(json_object_get(j, "groups")), 0);
    assert_int_equal(int_at(j, "compared"), 0);
    json_decref(j);
    ct_report_destroy(r);
}

static void test_truncated_results(void **state)
{
    ct_options_t opts;
    ct_options_init(&opts);
    opts.max_diffs = 1;
    ct_error_t err;
    ct_rules_t *rules = ct_rules_create(&opts, &err);
    ct_test_diff(rules, "[1,2]", "[3,4]", &cand);
    assert_true(cand.truncated);
    ct_report_t *r = report_new();
    ct_report_add(r, "g", NULL, &cand, NULL);
    json_t *j = ct_report_to_json(r);
    assert_int_equal(int_at(group_of(j, "g"), "truncated"), 1);
    json_decref(j);
    ct_report_destroy(r);
    ct_rules_destroy(rules);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_noise_formula),
        cmocka_unit_test(test_noise_and_regression),
        cmocka_unit_test(test_counts_once_per_comparison),
        cmocka_unit_test(test_samples),
        cmocka_unit_test(test_json_shape),
        cmocka_unit_test(test_merge),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_config_validation),
        cmocka_unit_test(test_clear_and_names),
        cmocka_unit_test(test_truncated_results),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
