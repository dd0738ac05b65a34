/* Replay: its part of the JSON report (targets, counts, skipped, bad lines, errors) and the curl
 * commands of the samples. */
#include "ct_replay_int.h"

#include <string.h>

/* The report. */

static json_t *string_or_null(const char *s)
{
    return s != NULL ? json_string(s) : json_null();
}

static void add_curls(const ct_replay_t *r, json_t *report)
{
    size_t i, k;
    json_t *g, *p;
    json_array_foreach(json_object_get(report, "groups"), i, g)
    {
        json_array_foreach(json_object_get(g, "paths"), k, p)
        {
            json_t *sample = json_object_get(p, "sample");
            const char *id = json_string_value(json_object_get(sample, "request_id"));
            const retained_t *kept = id != NULL ? ct__map_get(&r->retained, id, strlen(id)) : NULL;
            if (kept == NULL)
                continue;
            json_object_set_new(sample, "curl", json_string(kept->curl));
            if (kept->curl_primary != NULL)
                json_object_set_new(sample, "curl_primary", json_string(kept->curl_primary));
        }
    }
}

static json_t *requests_json(const ct_replay_t *r, const json_t *report)
{
    json_t *out = json_object();
    size_t i, k, m;
    json_t *g, *p, *id;
    json_array_foreach(json_object_get(report, "groups"), i, g)
    {
        json_array_foreach(json_object_get(g, "paths"), k, p)
        {
            json_array_foreach(json_object_get(p, "request_ids"), m, id)
            {
                const char *s = json_string_value(id);
                const retained_t *kept = s != NULL ? ct__map_get(&r->retained, s, strlen(s)) : NULL;
                if (kept != NULL && json_object_get(out, s) == NULL)
                    json_object_set_new(out, s,
                                        json_pack("{s:s, s:o}", "curl", kept->curl, "curl_primary",
                                                  string_or_null(kept->curl_primary)));
            }
        }
    }
    return out;
}

json_t *ct_replay_report(const ct_replay_t *r)
{
    json_t *report = ct_report_to_json(r->report);
    add_curls(r, report);
    json_t *captures = json_array();
    for (size_t i = 0; i < r->num_captures; i++)
        json_array_append_new(captures, json_string(r->captures[i]));
    double elapsed = r->t_end > r->t0 ? r->t_end - r->t0 : 0;
    uint64_t skipped =
        r->skipped_filtered + r->skipped_unsafe + r->skipped_truncated + r->skipped_no_response;
    int partial = r->fatal || (r->stopping && r->cut_short);
    json_t *replay = json_pack(
        "{s:b, s:o, s:s, s:{s:s, s:s, s:o}, s:o,"
        " s:{s:I, s:I, s:I, s:I, s:I},"
        " s:{s:I, s:I, s:I, s:I},"
        " s:{s:I, s:O}, s:{s:I, s:I, s:I, s:O}, s:f, s:f}",
        "partial", partial, "stop_reason", partial ? json_string(r->stop_reason) : json_null(),
        "fail_on", ct_fail_on_name(r->cfg.fail_on), "targets", "primary",
        r->have[PRIMARY] ? r->url[PRIMARY].url : "(recorded responses)", "candidate",
        r->url[CANDIDATE].url, "secondary",
        r->have[SECONDARY] ? json_string(r->url[SECONDARY].url) : json_null(), "captures", captures,
        "exchanges", "read", (json_int_t)r->read, "replayed", (json_int_t)r->replayed, "completed",
        (json_int_t)r->completed, "skipped", (json_int_t)skipped, "bodies_not_compared",
        (json_int_t)r->bodies_not_compared, "skipped", "filtered", (json_int_t)r->skipped_filtered,
        "unsafe_method", (json_int_t)r->skipped_unsafe, "request_body_truncated",
        (json_int_t)r->skipped_truncated, "no_recorded_response",
        (json_int_t)r->skipped_no_response, "bad_lines", "count", (json_int_t)r->bad_lines,
        "listed", r->bad_list, "errors", "primary", (json_int_t)r->errors[PRIMARY], "candidate",
        (json_int_t)r->errors[CANDIDATE], "secondary", (json_int_t)r->errors[SECONDARY], "listed",
        r->error_list, "elapsed_seconds", elapsed, "rate",
        elapsed > 0 ? (double)r->completed / elapsed : 0.0);
    json_object_set_new(replay, "requests", requests_json(r, report));
    if (r->cfg.shard_count != 0)
        json_object_set_new(replay, "shard", json_pack("{s:I, s:I}", "index",
                                                       (json_int_t)r->cfg.shard_index, "count",
                                                       (json_int_t)r->cfg.shard_count));
    if (r->cfg.checker != NULL) {
        json_object_set_new(report, "violations", ct_violations_to_json(r->violations));
        json_object_set_new(
            replay, "validate",
            json_pack("{s:s?, s:I, s:I, s:I, s:I}", "spec", r->cfg.checker->spec, "checked",
                      (json_int_t)r->checked, "violating",
                      (json_int_t)ct_violations_exchanges(r->violations), "violations",
                      (json_int_t)ct_violations_total(r->violations), "unlisted",
                      (json_int_t)ct_violations_unlisted(r->violations)));
    }
    json_object_set_new(report, "replay", replay);
    json_object_set_new(replay, "failed", json_boolean(ct_report_fails(report, r->cfg.fail_on)));
    return report;
}
