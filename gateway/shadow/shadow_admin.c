/* Shadow traffic on the admin listener: /shadow/report (JSON), /shadow (HTML) and the shadow
 * families of /metrics (Prometheus text format 0.0.4). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ct_report_render.h"
#include "shadow_internal.h"

/* --- /shadow: each entry of the report document as a report the contract-tests renderer draws,
 * with the entry's own numbers in the members it reads (ct_report_render.h) --- */

/* Appends to `text` (`size` bytes, `*used` so far): ", " between items, quietly cut when full. */
static void join(char *text, size_t size, size_t *used, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void join(char *text, size_t size, size_t *used, const char *fmt, ...)
{
    if (*used >= size)
        return;
    if (*used != 0)
        *used += (size_t)snprintf(text + *used, size - *used, ", ");
    if (*used >= size)
        return;
    va_list ap;
    va_start(ap, fmt);
    *used += (size_t)vsnprintf(text + *used, size - *used, fmt, ap);
    va_end(ap);
}

/* "queue_full 2, timeout 1" for the non-zero counts of `counts`, or "none". */
static json_t *counts_text(const json_t *counts)
{
    char text[512] = "";
    size_t used = 0;
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)counts, key, v)
    {
        if (json_integer_value(v) != 0)
            join(text, sizeof(text), &used, "%s %lld", key, (long long)json_integer_value(v));
    }
    return json_string(used != 0 ? text : "none");
}

/* "primary 1.5 ms (5), candidate 2.0 ms (5)": mean latency and count per side. */
static json_t *latency_text(const json_t *latency)
{
    char text[512] = "";
    size_t used = 0;
    const char *side;
    json_t *l;
    json_object_foreach((json_t *)latency, side, l)
    {
        join(text, sizeof(text), &used, "%s %.1f ms (%lld)", side,
             json_number_value(json_object_get(l, "mean_ms")),
             (long long)json_integer_value(json_object_get(l, "count")));
    }
    return json_string(text);
}

static const char *str(const json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    return s != NULL ? s : "";
}

static json_t *entry_view(const json_t *e)
{
    const json_t *report = json_object_get(e, "report");
    json_t *view = json_is_object(report) ? json_copy((json_t *)report) : json_object();
    const char *secondary = json_string_value(json_object_get(e, "secondary"));
    char heading[1024];
    snprintf(heading, sizeof(heading), "%s %s \u2192 %s%s%s%s", str(e, "api"), str(e, "version"),
             str(e, "candidate"), secondary != NULL ? " (secondary " : "",
             secondary != NULL ? secondary : "", secondary != NULL ? ")" : "");
    json_object_set_new(view, "heading", json_stringn_nocheck(heading, strlen(heading)));
    json_t *counters = json_array();
    static const char *const keys[][2] = {{"mirrored", "mirrored"},
                                          {"noise", "noise (secondary differed)"},
                                          {"inflight", "in flight"},
                                          {"queued", "queued"}};
    for (size_t i = 0; i != sizeof(keys) / sizeof(keys[0]); ++i)
        json_array_append_new(counters,
                              json_pack("[s O?]", keys[i][1], json_object_get(e, keys[i][0])));
    const json_t *validate = json_object_get(e, "validate");
    if (validate != NULL) { /* validate: true: the candidate's violations of its spec */
        json_array_append_new(counters, json_pack("[s O?]", "answers checked against the spec",
                                                  json_object_get(validate, "checked")));
        json_array_append_new(counters, json_pack("[s O?]", "answers violating the spec",
                                                  json_object_get(validate, "violating")));
        json_object_set(view, "violations", json_object_get(e, "violations"));
    }
    json_object_set_new(view, "counters", counters);
    json_t *facts = json_array();
    json_array_append_new(
        facts, json_pack("[s o]", "dropped", counts_text(json_object_get(e, "dropped"))));
    json_array_append_new(facts, json_pack("[s o]", "candidate errors",
                                           counts_text(json_object_get(e, "candidate_errors"))));
    if (json_object_get(e, "secondary_errors") != NULL)
        json_array_append_new(facts,
                              json_pack("[s o]", "secondary errors",
                                        counts_text(json_object_get(e, "secondary_errors"))));
    json_array_append_new(
        facts, json_pack("[s o]", "mean latency", latency_text(json_object_get(e, "latency"))));
    json_object_set_new(view, "facts", facts);
    const json_t *samples = json_object_get(e, "samples");
    json_object_set_new(view, "exchanges",
                        json_is_array(samples) ? json_incref((json_t *)samples) : json_array());
    return view;
}

char *gw_shadow__html_render(const json_t *doc, size_t *len)
{
    json_t *views = json_array();
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(doc, "shadows"), i, e)
    {
        json_array_append_new(views, entry_view(e));
    }
    ct_render_options_t opts = {"Shadow traffic", CT_FAIL_ON_REGRESSION,
                                "No API has shadow entries (docs/shadow.md)."};
    char *html = ct_report_html_page(views, &opts, len);
    json_decref(views);
    return html;
}

/* --- the routes --- */

char *gw_shadow_admin_page(gw_shadow_t *shadow, const char *path, size_t path_len,
                           const char **content_type, size_t *len)
{
    int html = h2o_memis(path, path_len, H2O_STRLIT("/shadow")) ||
               h2o_memis(path, path_len, H2O_STRLIT("/shadow/"));
    if (!html && !h2o_memis(path, path_len, H2O_STRLIT("/shadow/report")))
        return NULL;
    json_t *report = gw_shadow__report_json(shadow);
    char *body;
    if (html) {
        body = gw_shadow__html_render(report, len);
        *content_type = "text/html; charset=utf-8";
    } else {
        body = gw_shadow__json_dump(report, JSON_INDENT(1) | JSON_REAL_PRECISION(10), len);
        *content_type = "application/json";
    }
    json_decref(report);
    return body;
}

static uint64_t load(const uint64_t *p)
{
    return __atomic_load_n(p, __ATOMIC_RELAXED);
}

/* Label values escape backslash, double quote and newline (text format 0.0.4). */
static void escape_label(char *out, size_t size, const char *s)
{
    size_t o = 0;
    for (; *s != '\0' && o + 3 < size; ++s) {
        if (*s == '\\' || *s == '"' || *s == '\n')
            out[o++] = '\\';
        out[o++] = *s == '\n' ? 'n' : *s;
    }
    out[o] = '\0';
}

static void family(gw_metrics_out_t *o, const char *name, const char *type, const char *help)
{
    gw_metrics_outf(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

char *gw_shadow_metrics_render(gw_shadow_t *s, size_t *len)
{
    gw_metrics_out_t o = {0};
    gw_metrics_outf(&o, "%s", "");
    if (s == NULL) {
        *len = 0;
        return o.buf;
    }
    char(*labels)[1024] = calloc(s->num_entries ? s->num_entries : 1, sizeof(*labels));
    if (labels == NULL)
        h2o_fatal("no memory");
    for (size_t i = 0; i != s->num_entries; ++i) {
        char api[300], candidate[600];
        escape_label(api, sizeof(api), s->entries[i].api->name);
        escape_label(candidate, sizeof(candidate), s->entries[i].conf->label);
        snprintf(labels[i], sizeof(labels[i]), "api=\"%s\",version=\"%s\",candidate=\"%s\"", api,
                 s->entries[i].conf->version->name, candidate);
    }
    static const struct {
        const char *name, *help;
        size_t offset;
    } counters[] = {
        {"versa_shadow_mirrored_total", "Requests sent to the candidate (and secondary).",
         offsetof(gw_shadow_entry_t, mirrored)},
        {"versa_shadow_compared_total", "Primary and candidate responses compared.",
         offsetof(gw_shadow_entry_t, compared)},
        {"versa_shadow_differing_total", "Comparisons where the candidate differed.",
         offsetof(gw_shadow_entry_t, differing)},
        {"versa_shadow_noise_total", "Comparisons where the secondary differed from the primary.",
         offsetof(gw_shadow_entry_t, noise)},
        {"versa_shadow_validated_total",
         "Candidate answers held to the candidate's spec (validate: true).",
         offsetof(gw_shadow_entry_t, validated)},
        {"versa_shadow_violating_total", "Candidate answers that violated the candidate's spec.",
         offsetof(gw_shadow_entry_t, violating)},
    };
    for (size_t c = 0; c != sizeof(counters) / sizeof(counters[0]); ++c) {
        family(&o, counters[c].name, "counter", counters[c].help);
        for (size_t i = 0; i != s->num_entries; ++i)
            gw_metrics_outf(
                &o, "%s{%s} %llu\n", counters[c].name, labels[i],
                (unsigned long long)load(
                    (const uint64_t *)((const char *)&s->entries[i] + counters[c].offset)));
    }
    family(&o, "versa_shadow_inflight", "gauge", "Shadowed requests in flight.");
    for (size_t i = 0; i != s->num_entries; ++i)
        gw_metrics_outf(&o, "versa_shadow_inflight{%s} %llu\n", labels[i],
                        (unsigned long long)load(&s->entries[i].inflight));
    family(&o, "versa_shadow_dropped_total", "counter",
           "Shadowed requests not compared, by reason.");
    for (size_t i = 0; i != s->num_entries; ++i)
        for (int r = 0; r != GW_SHADOW_DROP__COUNT; ++r)
            gw_metrics_outf(&o, "versa_shadow_dropped_total{%s,reason=\"%s\"} %llu\n", labels[i],
                            gw_shadow__drop_names[r],
                            (unsigned long long)load(&s->entries[i].dropped[r]));
    static const char *const error_families[2][2] = {
        {"versa_shadow_candidate_errors_total", "Candidate exchanges that failed, by kind."},
        {"versa_shadow_secondary_errors_total", "Secondary exchanges that failed, by kind."}};
    for (int side = 0; side != 2; ++side) {
        family(&o, error_families[side][0], "counter", error_families[side][1]);
        for (size_t i = 0; i != s->num_entries; ++i) {
            if (side == 1 && !s->entries[i].conf->has_secondary)
                continue;
            for (int k = 0; k != GW_SHADOW_ERR__COUNT; ++k)
                gw_metrics_outf(&o, "%s{%s,kind=\"%s\"} %llu\n", error_families[side][0], labels[i],
                                gw_shadow__error_names[k],
                                (unsigned long long)load(&s->entries[i].errors[side][k]));
        }
    }
    family(&o, "versa_shadow_duration_seconds", "histogram",
           "Complete responses of each side, from the request's start (primary) or from sending "
           "it (candidate, secondary) to the last byte.");
    for (size_t i = 0; i != s->num_entries; ++i)
        for (int side = 0; side != GW_SHADOW_SIDES; ++side) {
            if (side == GW_SHADOW_SECONDARY && !s->entries[i].conf->has_secondary)
                continue;
            const gw_shadow_histogram_t *h = &s->entries[i].latency[side];
            uint64_t buckets[GW_LATENCY_BUCKETS];
            for (size_t b = 0; b != GW_LATENCY_BUCKETS; ++b)
                buckets[b] = load(&h->buckets[b]);
            char l[1100];
            snprintf(l, sizeof(l), "%s,side=\"%s\"", labels[i], gw_shadow__side_names[side]);
            gw_metrics_render_histogram(&o, "versa_shadow_duration_seconds", l, buckets,
                                        load(&h->count), load(&h->sum_us));
        }
    free(labels);
    *len = o.len;
    return o.buf;
}
