/* Tests for contract-tests/ct_replay_merge.c: counts add up, verdicts are recomputed, request ids
 * and samples are chosen by capture position, and sets that are not one replay's shards are
 * refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>
#include "ct_replay_merge.h"

/* A shard's report: one group "g" with one path; ids and sample as given. */
static json_t *shard(int index, int count, int compared, int differing, const char *ids,
                     const char *sample_id, const char *source)
{
    char text[4096];
    char sample[512] = "null";
    if (sample_id != NULL)
        snprintf(sample, sizeof(sample),
                 "{\"request_id\": \"%s\", \"source\": \"%s\", \"concrete_path\": \"body.x\","
                 " \"primary\": \"1\", \"candidate\": \"2\", \"detail\": null}",
                 sample_id, source);
    snprintf(text, sizeof(text),
             "{\"thresholds\": {\"relative\": 20.0, \"absolute\": 0.03},"
             " \"compared\": %d, \"identical\": %d, \"differing\": %d, \"noise_compared\": 0,"
             " \"regressions\": 1, \"dropped_comparisons\": 0,"
             " \"groups\": [{\"group\": \"g\", \"compared\": %d, \"identical\": %d,"
             " \"differing\": %d, \"truncated\": 0, \"noise_compared\": 0, \"noise_differing\": 0,"
             " \"regressions\": 1, \"dropped_paths\": 0, \"paths\": [{\"path\": \"body.x\","
             " \"kind\": \"value\", \"count\": %d, \"noise_count\": 0, \"rate\": 0,"
             " \"noise_rate\": 0, \"absolute_difference\": 0, \"relative_difference\": 0,"
             " \"regression\": true, \"request_ids\": [%s], \"sample\": %s}]}],"
             " \"replay\": {\"partial\": false, \"stop_reason\": null, \"fail_on\": \"none\","
             " \"targets\": {\"primary\": \"http://p\", \"candidate\": \"http://c\","
             " \"secondary\": null}, \"captures\": [\"/x/a.jsonl\", \"/x/b.jsonl\"],"
             " \"exchanges\": {\"read\": %d, \"replayed\": %d, \"completed\": %d, \"skipped\": 0,"
             " \"bodies_not_compared\": 0}, \"skipped\": {\"filtered\": 0, \"unsafe_method\": 0,"
             " \"request_body_truncated\": 0, \"no_recorded_response\": 0},"
             " \"bad_lines\": {\"count\": 0, \"listed\": []}, \"errors\": {\"primary\": 0,"
             " \"candidate\": 0, \"secondary\": 0, \"listed\": []}, \"elapsed_seconds\": %d.0,"
             " \"rate\": 1.0, \"requests\": {}, \"failed\": false,"
             " \"shard\": {\"index\": %d, \"count\": %d}}}",
             compared, compared - differing, differing, compared, compared - differing, differing,
             differing, ids, sample, compared, compared, compared, index + 1, index, count);
    json_error_t jerr;
    json_t *j = json_loads(text, 0, &jerr);
    if (j == NULL)
        fail_msg("bad fixture: %s", jerr.text);
    return j;
}

static const json_t *first_path(const json_t *report)
{
    return json_array_get(
        json_object_get(json_array_get(json_object_get(report, "groups"), 0), "paths"), 0);
}

static void test_counts_ids_and_samples(void **state)
{
    json_t *r[3] = {
        shard(2, 3, 4, 3, "\"b.jsonl:2\", \"a.jsonl:9\", \"b.jsonl:5\"", "b.jsonl:2", "candidate"),
        shard(0, 3, 4, 2, "\"a.jsonl:3\", \"a.jsonl:6\"", "a.jsonl:3", "noise"),
        shard(1, 3, 4, 2, "\"a.jsonl:10\", \"b.jsonl:1\"", "a.jsonl:10", "candidate"),
    };
    ct_report_config_t cfg;
    ct_report_config_init(&cfg); /* max_samples 5 */
    ct_error_t err;
    json_t *m = ct_replay_merge(r, 3, &cfg, CT_FAIL_ON_REGRESSION, &err);
    assert_non_null(m);
    assert_int_equal(json_integer_value(json_object_get(m, "compared")), 12);
    assert_int_equal(json_integer_value(json_object_get(m, "differing")), 7);
    const json_t *p = first_path(m);
    assert_int_equal(json_integer_value(json_object_get(p, "count")), 7);
    /* 7 of 12 differ, no noise: rate 58.33...%, a regression */
    assert_true(json_real_value(json_object_get(p, "rate")) > 58.3 &&
                json_real_value(json_object_get(p, "rate")) < 58.4);
    assert_true(json_is_true(json_object_get(p, "regression")));
    /* the first five in capture order: a before b, lines numerically (9 < 10) */
    char *ids = json_dumps(json_object_get(p, "request_ids"), JSON_COMPACT);
    assert_string_equal(ids, "[\"a.jsonl:3\",\"a.jsonl:6\",\"a.jsonl:9\",\"a.jsonl:10\","
                             "\"b.jsonl:1\"]");
    free(ids);
    /* a candidate sample beats an earlier noise one; the earliest candidate one wins */
    const json_t *sample = json_object_get(p, "sample");
    assert_string_equal(json_string_value(json_object_get(sample, "request_id")), "a.jsonl:10");
    const json_t *replay = json_object_get(m, "replay");
    assert_null(json_object_get(replay, "shard"));
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(replay, "exchanges"), "read")), 12);
    assert_true(json_real_value(json_object_get(replay, "elapsed_seconds")) == 3.0);
    assert_string_equal(json_string_value(json_object_get(replay, "fail_on")), "regression");
    assert_true(json_is_true(json_object_get(replay, "failed")));
    json_decref(m);
    for (int i = 0; i < 3; i++)
        json_decref(r[i]);
}

static void expect_refused(json_t **r, size_t n, const char *message)
{
    ct_error_t err;
    json_t *m = ct_replay_merge(r, n, NULL, CT_FAIL_ON_REGRESSION, &err);
    assert_null(m);
    if (strstr(err.message, message) == NULL)
        fail_msg("\"%s\" does not say \"%s\"", err.message, message);
}

static void test_not_one_replay(void **state)
{
    json_t *r[3] = {shard(0, 2, 1, 0, "", NULL, NULL), shard(1, 2, 1, 0, "", NULL, NULL),
                    shard(0, 2, 1, 0, "", NULL, NULL)};
    expect_refused(r, 1, "shard 1/2 is missing");
    expect_refused(r, 3, "shard 0/2 is given twice");
    json_t *other[2] = {r[0], shard(1, 3, 1, 0, "", NULL, NULL)};
    expect_refused(other, 2, "a shard of 3");
    json_object_del(json_object_get(r[2], "replay"), "shard");
    json_t *unsharded[2] = {r[0], r[2]};
    expect_refused(unsharded, 2, "not a shard");
    json_object_set_new(json_object_get(json_object_get(r[1], "replay"), "targets"), "candidate",
                        json_string("http://elsewhere"));
    expect_refused(r, 2, "other targets");
    expect_refused(r, 0, "no reports");
    for (int i = 0; i < 3; i++)
        json_decref(r[i]);
    json_decref(other[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counts_ids_and_samples),
        cmocka_unit_test(test_not_one_replay),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
