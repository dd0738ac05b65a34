/* Tests for shadow/shadow_report.c: one comparison as a diff log line (redaction, UTF-8 safety,
 * excerpts) and the /shadow/report document. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "shadow_internal.h"

static gw_api_t api = {.name = "pets"};
static gw_version_t v1 = {.name = "v1"};

static gw_shadow_job_t *make_job(void)
{
    gw_shadow_job_t *job = calloc(1, sizeof(*job));
    job->time = (struct timeval){1700000000, 123456};
    job->group = strdup("getPet");
    job->request_id = strdup("rid-1");
    job->method = strdup("GET");
    job->target = strdup("/pets/7?x=\xff");
    ct_header_t h[] = {{"authorization", 13, "Bearer secret", 13},
                       {"x-tenant", 8, "acme", 4},
                       {"accept", 6, "application/json", 16}};
    job->req_headers = malloc(sizeof(h));
    memcpy(job->req_headers, h, sizeof(h));
    job->req_hbuf = NULL;
    job->num_req_headers = 3;
    for (int s = 0; s != GW_SHADOW_SIDES; ++s)
        gw_shadow__capture_init(&job->side[s], 1 << 20);
    job->side[0].status = 200;
    gw_shadow__capture_body(&job->side[0], "{\"name\":\"Rex\"}", 14);
    job->side[1].status = 200;
    char big[5000];
    memset(big, 'b', sizeof(big));
    memcpy(big, "caf\xc3\xa9 \xfe\x00!", 9);
    gw_shadow__capture_body(&job->side[1], big, sizeof(big));
    return job;
}

static void free_job(gw_shadow_job_t *job)
{
    free(job->req_headers); /* views into static strings here */
    job->req_headers = NULL;
    job->num_req_headers = 0;
    gw_shadow__job_free(job);
}

static void test_sample(void **state)
{
    char *remove[] = {"x-tenant"};
    gw_shadow_conf_t conf = {
        .version = &v1, .label = "http://c:1", .remove = remove, .num_remove = 1};
    gw_shadow_entry_t e = {.conf = &conf, .api = &api};
    gw_shadow_job_t *job = make_job();
    ct_result_t cand;
    ct_result_init(&cand);
    ct_response_t p = {.status = 200, .body = job->side[0].body, .body_len = 14};
    ct_response_t c = {.status = 500, .body = "{}", .body_len = 2};
    assert_int_equal(ct_compare(NULL, "getPet", &p, &c, &cand), 1);

    json_t *j = gw_shadow__sample_json(&e, job, &cand, NULL);
    size_t len;
    char *text = gw_shadow__json_dump(j, JSON_COMPACT, &len);
    assert_true(len > 100); /* valid UTF-8 throughout, or jansson would refuse */
    assert_int_equal(strlen(text), len);
    assert_null(strstr(text, "secret"));
    assert_null(strstr(text, "acme"));
    assert_string_equal(json_string_value(json_object_get(j, "time")), "2023-11-14T22:13:20.123Z");
    json_t *shadow = json_object_get(j, "shadow");
    assert_string_equal(json_string_value(json_object_get(shadow, "api")), "pets");
    assert_string_equal(json_string_value(json_object_get(shadow, "candidate")), "http://c:1");
    assert_string_equal(json_string_value(json_object_get(j, "operation")), "getPet");
    json_t *req = json_object_get(j, "request");
    assert_string_equal(json_string_value(json_object_get(req, "target")),
                        "/pets/7?x=\xef\xbf\xbd");
    json_t *hs = json_object_get(req, "headers");
    assert_string_equal(json_string_value(json_array_get(json_array_get(hs, 0), 1)), "[redacted]");
    assert_string_equal(json_string_value(json_array_get(json_array_get(hs, 1), 1)), "[redacted]");
    assert_string_equal(json_string_value(json_array_get(json_array_get(hs, 2), 1)),
                        "application/json");
    json_t *cj = json_object_get(j, "candidate");
    const char *body = json_string_value(json_object_get(cj, "body"));
    assert_int_equal(strncmp(body, "caf\xc3\xa9 \xef\xbf\xbd\xef\xbf\xbd!", 13), 0);
    assert_int_equal(json_string_length(json_object_get(cj, "body")), GW_SHADOW_EXCERPT + 4);
    assert_true(json_is_true(json_object_get(cj, "body_truncated")));
    assert_int_equal(json_integer_value(json_object_get(cj, "body_bytes")), 5000);
    assert_null(json_object_get(j, "secondary"));
    assert_null(json_object_get(j, "noise"));
    json_t *diffs = json_object_get(j, "differences");
    assert_true(json_array_size(diffs) >= 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(diffs, 0), "path")),
                        "status");
    free(text);
    json_decref(j);

    job->has_secondary = 1;
    j = gw_shadow__sample_json(&e, job, &cand, &cand);
    assert_non_null(json_object_get(j, "secondary"));
    assert_true(json_is_array(json_object_get(j, "noise")));
    json_decref(j);
    ct_result_dispose(&cand);
    free_job(job);
}

static void test_empty_report(void **state)
{
    json_t *doc = gw_shadow__report_json(NULL);
    assert_int_equal(json_array_size(json_object_get(doc, "shadows")), 0);
    json_decref(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sample),
        cmocka_unit_test(test_empty_report),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
