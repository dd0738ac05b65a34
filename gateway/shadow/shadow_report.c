/* JSON views of shadow traffic: one comparison (a diff log line and a report sample) and the
 * /shadow/report document (per entry: counters, drops, errors, latency, the ct_report and the
 * latest differing samples). Text taken from requests and responses is made valid UTF-8 and
 * secrets are redacted before it leaves the process. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "shadow_internal.h"

/* Length of the well-formed UTF-8 character at p (RFC 3629), or 0. */
static size_t utf8_len(const unsigned char *p, size_t avail)
{
    size_t n = p[0] < 0x80 ? 1 : p[0] >= 0xf0 ? 4 : p[0] >= 0xe0 ? 3 : 2;
    if (n == 1)
        return p[0] != 0; /* NUL is replaced too: jansson strings are C strings here */
    if (p[0] < 0xc2 || p[0] > 0xf4 || avail < n)
        return 0;
    for (size_t i = 1; i < n; ++i)
        if ((p[i] & 0xc0) != 0x80)
            return 0;
    if ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] > 0x9f) ||
        (p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] > 0x8f))
        return 0;
    return n;
}

/* At most `limit` bytes of s as a JSON string (whole characters), bytes that are not UTF-8
 * replaced by U+FFFD. */
static json_t *text(const char *s, size_t len, size_t limit)
{
    char *out = malloc((limit < len ? limit : len) * 3 + 4), *o = out;
    if (out == NULL)
        h2o_fatal("no memory");
    size_t used = 0;
    for (size_t i = 0; i < len;) {
        size_t n = utf8_len((const unsigned char *)s + i, len - i);
        size_t width = n != 0 ? n : 1;
        if (used + width > limit)
            break;
        if (n != 0) {
            memcpy(o, s + i, n);
            o += n;
        } else {
            memcpy(o, "\xef\xbf\xbd", 3);
            o += 3;
        }
        used += width;
        i += width;
    }
    json_t *j = json_stringn(out, (size_t)(o - out));
    free(out);
    return j;
}

static json_t *headers_json(const ct_header_t *h, size_t n, const gw_shadow_conf_t *redact)
{
    json_t *arr = json_array();
    for (size_t i = 0; i != n; ++i) {
        int secret =
            redact != NULL && gw_shadow__is_secret_header(redact, h[i].name, h[i].name_len);
        json_array_append_new(arr, json_pack("[oo]", text(h[i].name, h[i].name_len, 256),
                                             secret ? json_string("[redacted]")
                                                    : text(h[i].value, h[i].value_len, 1024)));
    }
    return arr;
}

static json_t *side_json(const gw_shadow_capture_t *c)
{
    json_t *o = json_pack("{si sI sf}", "status", c->status, "body_bytes", (json_int_t)c->body_len,
                          "duration_ms", (double)c->duration_us / 1000.0);
    json_object_set_new(o, "headers", headers_json(c->headers, c->num_headers, NULL));
    json_object_set_new(o, "body",
                        text(c->body != NULL ? c->body : "", c->body_len, GW_SHADOW_EXCERPT));
    json_object_set_new(o, "body_truncated", json_boolean(c->body_len > GW_SHADOW_EXCERPT));
    return o;
}

static json_t *time_json(struct timeval tv)
{
    struct tm tm;
    char buf[64];
    time_t sec = tv.tv_sec;
    gmtime_r(&sec, &tm);
    snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(tv.tv_usec / 1000));
    return json_string(buf);
}

static json_t *differences_of(const ct_result_t *r)
{
    json_t *whole = ct_result_to_json(r);
    json_t *diffs = json_incref(json_object_get(whole, "differences"));
    json_decref(whole);
    return diffs != NULL ? diffs : json_array();
}

json_t *gw_shadow__sample_json(const gw_shadow_entry_t *e, const gw_shadow_job_t *job,
                               const ct_result_t *candidate, const ct_result_t *noise)
{
    const gw_shadow_conf_t *conf = e->conf;
    json_t *o = json_object();
    json_object_set_new(o, "time", time_json(job->time));
    json_object_set_new(o, "shadow",
                        json_pack("{ss ss ss}", "api", e->api->name, "version", conf->version->name,
                                  "candidate", conf->label));
    json_object_set_new(o, "operation", text(job->group, strlen(job->group), 1024));
    json_object_set_new(o, "request_id", text(job->request_id, strlen(job->request_id), 256));
    json_t *req = json_object();
    json_object_set_new(req, "method", text(job->method, strlen(job->method), 64));
    json_object_set_new(req, "target", text(job->target, strlen(job->target), 4096));
    json_object_set_new(req, "headers", headers_json(job->req_headers, job->num_req_headers, conf));
    json_object_set_new(o, "request", req);
    for (int s = 0; s != GW_SHADOW_SIDES; ++s)
        if (s != GW_SHADOW_SECONDARY || job->has_secondary)
            json_object_set_new(o, gw_shadow__side_names[s], side_json(&job->side[s]));
    json_object_set_new(o, "differences", differences_of(candidate));
    json_object_set_new(o, "truncated", json_boolean(candidate->truncated));
    if (noise != NULL)
        json_object_set_new(o, "noise", differences_of(noise));
    return o;
}

char *gw_shadow__json_dump(const json_t *j, size_t flags, size_t *len)
{
    size_t n = json_dumpb(j, NULL, 0, flags);
    char *out = malloc(n + 1);
    if (out == NULL)
        h2o_fatal("no memory");
    if (n != 0 && json_dumpb(j, out, n, flags) != n)
        n = 0; /* cannot happen: the same value, the same flags */
    out[n] = '\0';
    *len = n;
    return out;
}

/* --- the report --- */

static uint64_t load(const uint64_t *p)
{
    return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static json_t *counts_json(const uint64_t *values, const char *const *names, size_t n)
{
    json_t *o = json_object();
    for (size_t i = 0; i != n; ++i)
        json_object_set_new(o, names[i], json_integer((json_int_t)load(&values[i])));
    return o;
}

static json_t *latency_json(const gw_shadow_entry_t *e)
{
    json_t *o = json_object();
    for (int s = 0; s != GW_SHADOW_SIDES; ++s) {
        if (s == GW_SHADOW_SECONDARY && !e->conf->has_secondary)
            continue;
        uint64_t count = load(&e->latency[s].count), sum = load(&e->latency[s].sum_us);
        json_object_set_new(o, gw_shadow__side_names[s],
                            json_pack("{sI sf}", "count", (json_int_t)count, "mean_ms",
                                      count != 0 ? (double)sum / (double)count / 1000.0 : 0.0));
    }
    return o;
}

static json_t *entry_json(gw_shadow_t *s, gw_shadow_entry_t *e)
{
    const gw_shadow_conf_t *conf = e->conf;
    json_t *o = json_object();
    json_object_set_new(o, "api", json_string(e->api->name));
    json_object_set_new(o, "version", json_string(conf->version->name));
    json_object_set_new(o, "candidate", json_string(conf->label));
    json_object_set_new(o, "candidate_version",
                        conf->candidate_version != NULL ? json_string(conf->candidate_version->name)
                                                        : json_null());
    json_object_set_new(o, "secondary",
                        conf->has_secondary ? json_string(conf->secondary.url) : json_null());
    json_object_set_new(o, "sample", json_real(conf->sample));
    json_t *methods = json_array();
    for (size_t i = 0; i != conf->num_methods; ++i)
        json_array_append_new(methods, json_string(conf->methods[i]));
    json_object_set_new(o, "methods", methods);
    json_object_set_new(o, "mirrored", json_integer((json_int_t)load(&e->mirrored)));
    json_object_set_new(o, "inflight", json_integer((json_int_t)load(&e->inflight)));
    json_object_set_new(o, "queued", json_integer((json_int_t)load(&e->queued)));
    json_object_set_new(o, "compared", json_integer((json_int_t)load(&e->compared)));
    json_object_set_new(o, "differing", json_integer((json_int_t)load(&e->differing)));
    json_object_set_new(o, "noise", json_integer((json_int_t)load(&e->noise)));
    json_object_set_new(o, "dropped",
                        counts_json(e->dropped, gw_shadow__drop_names, GW_SHADOW_DROP__COUNT));
    json_object_set_new(o, "candidate_errors",
                        counts_json(e->errors[0], gw_shadow__error_names, GW_SHADOW_ERR__COUNT));
    if (conf->has_secondary)
        json_object_set_new(
            o, "secondary_errors",
            counts_json(e->errors[1], gw_shadow__error_names, GW_SHADOW_ERR__COUNT));
    json_object_set_new(o, "latency", latency_json(e));
    json_t *samples = json_array();
    pthread_mutex_lock(&s->report_lock);
    json_t *report = ct_report_to_json(e->report);
    for (size_t k = 1; k <= GW_SHADOW_RECENT; ++k) { /* newest first */
        json_t *sample = e->recent[(e->recent_next + GW_SHADOW_RECENT - k) % GW_SHADOW_RECENT];
        if (sample != NULL)
            json_array_append_new(samples, json_deep_copy(sample));
    }
    gw_shadow__validate_report(e, o);
    pthread_mutex_unlock(&s->report_lock);
    json_object_set_new(o, "report", report);
    json_object_set_new(o, "samples", samples);
    return o;
}

json_t *gw_shadow__report_json(gw_shadow_t *s)
{
    json_t *entries = json_array();
    for (size_t i = 0; s != NULL && i != s->num_entries; ++i)
        json_array_append_new(entries, entry_json(s, &s->entries[i]));
    return json_pack("{so}", "shadows", entries);
}
