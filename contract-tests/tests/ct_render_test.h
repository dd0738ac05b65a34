/* Helpers shared by the renderer tests (include after cmocka.h): a report built with the real
 * diff engine and report, extended the way `versa replay` extends it, with hostile strings in
 * group names, paths, excerpts and curl commands. */
#ifndef CT_RENDER_TEST_H
#define CT_RENDER_TEST_H

#include <jansson.h>
#include <string.h>

#include "ct_diff.h"
#include "ct_report.h"
#include "ct_report_render.h"

#define CT_HOSTILE "<script>alert('x')</script> & \"q\" ]]> \x01"

static inline void ct_test_compare(ct_report_t *report, const char *group, const char *id,
                                   const char *p, const char *c, const char *s)
{
    ct_result_t cand, noise;
    ct_result_init(&cand);
    ct_result_init(&noise);
    ct_response_t rp = {.status = 200,
                        .content_type = "application/json",
                        .content_type_len = 16,
                        .body = p,
                        .body_len = strlen(p)};
    ct_response_t rc = rp, rs = rp;
    rc.body = c;
    rc.body_len = strlen(c);
    ct_compare(NULL, group, &rp, &rc, &cand);
    if (s != NULL) {
        rs.body = s;
        rs.body_len = strlen(s);
        ct_compare(NULL, group, &rp, &rs, &noise);
    }
    ct_report_add(report, group, id, &cand, s != NULL ? &noise : NULL);
    ct_result_dispose(&cand);
    ct_result_dispose(&noise);
}

/* Groups: "getPet" with a regression on body.name and noise on body.ts; "listPets" identical;
 * a hostile group with a regression. Plus a replay member with errors and bad lines. */
static inline json_t *ct_test_report(int with_replay, int with_errors)
{
    ct_error_t err;
    ct_report_t *report = ct_report_create(NULL, &err);
    for (int i = 0; i < 10; i++) {
        char id[32];
        snprintf(id, sizeof(id), "cap.jsonl:%d", i + 1);
        ct_test_compare(report, "getPet", id, "{\"name\":\"Rex\",\"ts\":1}",
                        i < 5 ? "{\"name\":\"rex\",\"ts\":2}" : "{\"name\":\"Rex\",\"ts\":3}",
                        "{\"name\":\"Rex\",\"ts\":4}");
        ct_test_compare(report, "listPets", id, "[1,2]", "[1,2]", "[1,2]");
    }
    ct_test_compare(report, CT_HOSTILE, "cap.jsonl:99", "{\"" CT_HOSTILE "\":1}",
                    "{\"" CT_HOSTILE "\":\"" CT_HOSTILE "\"}", NULL);
    json_t *j = ct_report_to_json(report);
    ct_report_destroy(report);
    /* curl commands in samples, as ct_replay adds them */
    size_t i, k;
    json_t *g, *p;
    json_array_foreach(json_object_get(j, "groups"), i, g)
    {
        json_array_foreach(json_object_get(g, "paths"), k, p)
        {
            json_t *sample = json_object_get(p, "sample");
            if (json_is_object(sample))
                json_object_set_new(sample, "curl",
                                    json_string("curl -i 'http://h/pets?a=1&b=" CT_HOSTILE "'"));
        }
    }
    if (!with_replay)
        return j;
    json_t *replay = json_pack(
        "{s:b, s:n, s:{s:s, s:s, s:n}, s:[s], s:{s:i, s:i, s:i, s:i}, s:{s:i, s:i},"
        " s:{s:i, s:[{s:s, s:i, s:s}]}, s:{s:i, s:i, s:i, s:[{s:s, s:s, s:s, s:s, s:s}]},"
        " s:f, s:f}",
        "partial", 0, "stop_reason", "targets", "primary", "http://127.0.0.1:1", "candidate",
        "http://127.0.0.1:2", "secondary", "captures", "cap.jsonl", "exchanges", "read", 24,
        "replayed", 21, "completed", 21, "skipped", 1, "skipped", "filtered", 0, "unsafe_method", 1,
        "bad_lines", "count", 2, "listed", "file", "cap.jsonl", "line", 7, "message",
        "invalid JSON at column 3: " CT_HOSTILE, "errors", "primary", 0, "candidate",
        with_errors ? 1 : 0, "secondary", 0, "listed", "request_id", "cap.jsonl:12", "side",
        "candidate", "group", "getPet", "message", "the upstream closed the connection", "curl",
        "curl -i 'http://127.0.0.1:2/pets/12'", "elapsed_seconds", 1.5, "rate", 14.0);
    if (!with_errors)
        json_array_clear(json_object_get(json_object_get(replay, "errors"), "listed"));
    json_object_set_new(j, "replay", replay);
    return j;
}

#endif
