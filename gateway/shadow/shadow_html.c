/* The /shadow page: the /shadow/report document rendered for people as one self-contained HTML
 * page (inline CSS, no scripts, no external resources): per entry its counters, operations,
 * differing paths with their verdict and a sample, and the latest differing requests side by
 * side. Every string from the report is escaped. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "shadow_internal.h"

typedef gw_metrics_out_t out_t;
#define outf gw_metrics_outf

static void esc(out_t *o, const char *s)
{
    if (s == NULL)
        return;
    for (const char *run = s;; ++s) {
        const char *rep = NULL;
        switch (*s) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&#39;";
            break;
        case '\0':
            rep = "";
            break;
        default:
            continue;
        }
        if (s > run)
            outf(o, "%.*s", (int)(s - run), run);
        if (*s == '\0')
            return;
        outf(o, "%s", rep);
        run = s + 1;
    }
}

static const char *str(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

static long long num(const json_t *obj, const char *key)
{
    return (long long)json_integer_value(json_object_get(obj, key));
}

static double real(const json_t *obj, const char *key)
{
    return json_number_value(json_object_get(obj, key));
}

static const char style[] =
    "body{font:14px/1.45 system-ui,sans-serif;margin:1.5em;color:#1d2330}"
    "h1{font-size:1.5em}h2{font-size:1.25em;border-bottom:2px solid #ccd;padding-bottom:.2em}"
    "h3{font-size:1.05em;margin-top:1.4em}table{border-collapse:collapse;margin:.4em 0 1em}"
    "th,td{border:1px solid #ccd;padding:.25em .5em;text-align:left;vertical-align:top}"
    "th{background:#eef0f6}td.n{text-align:right;font-variant-numeric:tabular-nums}"
    "code,pre{font:12px/1.35 ui-monospace,monospace}pre{white-space:pre-wrap;"
    "word-break:break-all;margin:0}.regression{color:#a4000f;font-weight:600}"
    ".noise{color:#6b7280}.sbs{display:grid;grid-template-columns:1fr 1fr;gap:.5em}"
    ".sbs>div{border:1px solid #ccd;padding:.4em;background:#fafbfd;overflow:auto}"
    ".sbs h4{margin:0 0 .3em;font-size:.95em}details{margin:.5em 0;border:1px solid #dde;"
    "padding:.4em}summary{cursor:pointer}.muted{color:#6b7280}";

static void counts_line(out_t *o, const char *title, const json_t *counts)
{
    const char *key;
    json_t *v;
    int any = 0;
    outf(o, "<p><b>%s:</b> ", title);
    json_object_foreach((json_t *)counts, key, v)
    {
        if (json_integer_value(v) == 0)
            continue;
        outf(o, "%s", any++ ? ", " : "");
        esc(o, key);
        outf(o, " %lld", (long long)json_integer_value(v));
    }
    outf(o, "%s</p>\n", any ? "" : "none");
}

static void summary(out_t *o, const json_t *e, const json_t *report)
{
    static const char *const keys[][2] = {
        {"mirrored", "mirrored"},   {"compared", "compared"},
        {"differing", "differing"}, {"noise", "noise (secondary differed)"},
        {"inflight", "in flight"},  {"queued", "queued"}};
    outf(o, "<table><tr>");
    for (size_t i = 0; i != sizeof(keys) / sizeof(keys[0]); ++i)
        outf(o, "<th>%s</th>", keys[i][1]);
    outf(o, "<th>regressions</th></tr><tr>");
    for (size_t i = 0; i != sizeof(keys) / sizeof(keys[0]); ++i)
        outf(o, "<td class=n>%lld</td>", num(e, keys[i][0]));
    outf(o, "<td class=n>%lld</td></tr></table>\n", num(report, "regressions"));
    counts_line(o, "Dropped", json_object_get(e, "dropped"));
    counts_line(o, "Candidate errors", json_object_get(e, "candidate_errors"));
    if (json_object_get(e, "secondary_errors") != NULL)
        counts_line(o, "Secondary errors", json_object_get(e, "secondary_errors"));
    const char *side;
    json_t *lat;
    outf(o, "<p><b>Mean latency:</b> ");
    int first = 1;
    json_object_foreach(json_object_get(e, "latency"), side, lat)
    {
        outf(o, "%s", first ? "" : ", ");
        first = 0;
        esc(o, side);
        outf(o, " %.1f ms (%lld)", real(lat, "mean_ms"), num(lat, "count"));
    }
    outf(o, "</p>\n");
}

static void excerpt(out_t *o, const char *label, const char *value)
{
    outf(o, "<div><h4>%s</h4><pre>", label);
    if (value != NULL)
        esc(o, value);
    else
        outf(o, "<span class=muted>(absent)</span>");
    outf(o, "</pre></div>");
}

static void paths_table(out_t *o, const json_t *group)
{
    const json_t *paths = json_object_get(group, "paths");
    if (json_array_size(paths) == 0)
        return;
    outf(o, "<h3>");
    esc(o, str(group, "group"));
    outf(o, "</h3>\n<table><tr><th>path</th><th>kind</th><th>count</th><th>noise</th>"
            "<th>rate</th><th>noise rate</th><th>verdict</th><th>sample</th></tr>\n");
    size_t i;
    json_t *p;
    json_array_foreach(paths, i, p)
    {
        int regression = json_is_true(json_object_get(p, "regression"));
        const json_t *sample = json_object_get(p, "sample");
        outf(o, "<tr><td><code>");
        esc(o, str(p, "path"));
        outf(o, "</code></td><td>");
        esc(o, str(p, "kind"));
        outf(o,
             "</td><td class=n>%lld</td><td class=n>%lld</td><td class=n>%.2f%%</td>"
             "<td class=n>%.2f%%</td><td class=%s>%s</td><td>",
             num(p, "count"), num(p, "noise_count"), real(p, "rate"), real(p, "noise_rate"),
             regression ? "regression" : "noise", regression ? "regression" : "noise");
        if (sample != NULL) {
            outf(o, "<code>");
            esc(o, str(sample, "concrete_path"));
            outf(o, "</code> in ");
            esc(o, str(sample, "request_id"));
            outf(o, " (%s)<div class=sbs>",
                 json_is_string(json_object_get(sample, "source")) &&
                         strcmp(str(sample, "source"), "noise") == 0
                     ? "secondary"
                     : "candidate");
            excerpt(o, "primary", str(sample, "primary"));
            excerpt(o, "other side", str(sample, "candidate"));
            outf(o, "</div>");
        }
        outf(o, "</td></tr>\n");
    }
    outf(o, "</table>\n");
}

static void operations(out_t *o, const json_t *report)
{
    const json_t *groups = json_object_get(report, "groups");
    outf(o, "<h3>Operations</h3>\n");
    if (json_array_size(groups) == 0) {
        outf(o, "<p class=muted>Nothing compared yet.</p>\n");
        return;
    }
    outf(o, "<table><tr><th>operation</th><th>compared</th><th>identical</th><th>differing</th>"
            "<th>regressions</th><th>with secondary</th></tr>\n");
    size_t i;
    json_t *g;
    json_array_foreach(groups, i, g)
    {
        outf(o, "<tr><td>");
        esc(o, str(g, "group"));
        outf(o,
             "</td><td class=n>%lld</td><td class=n>%lld</td><td class=n>%lld</td>"
             "<td class=n>%lld</td><td class=n>%lld</td></tr>\n",
             num(g, "compared"), num(g, "identical"), num(g, "differing"), num(g, "regressions"),
             num(g, "noise_compared"));
    }
    outf(o, "</table>\n");
    json_array_foreach(groups, i, g) paths_table(o, g);
}

static void side_text(out_t *o, const char *title, const json_t *side)
{
    outf(o, "<div><h4>%s</h4><pre>", title);
    if (side == NULL) {
        outf(o, "<span class=muted>(none)</span></pre></div>");
        return;
    }
    outf(o, "%lld\n", num(side, "status"));
    size_t i;
    json_t *h;
    json_array_foreach(json_object_get(side, "headers"), i, h)
    {
        esc(o, json_string_value(json_array_get(h, 0)));
        outf(o, ": ");
        esc(o, json_string_value(json_array_get(h, 1)));
        outf(o, "\n");
    }
    outf(o, "\n");
    esc(o, str(side, "body"));
    if (json_is_true(json_object_get(side, "body_truncated")))
        outf(o, "\n<span class=muted>(%lld bytes in all)</span>", num(side, "body_bytes"));
    outf(o, "</pre></div>");
}

static void differences_list(out_t *o, const json_t *diffs)
{
    size_t i;
    json_t *d;
    outf(o, "<ul>");
    json_array_foreach(diffs, i, d)
    {
        outf(o, "<li>");
        esc(o, str(d, "kind"));
        outf(o, " <code>");
        esc(o, str(d, "concrete_path"));
        outf(o, "</code>: <code>");
        esc(o, str(d, "primary") != NULL ? str(d, "primary") : "(absent)");
        outf(o, "</code> &rarr; <code>");
        esc(o, str(d, "candidate") != NULL ? str(d, "candidate") : "(absent)");
        outf(o, "</code>");
        if (str(d, "detail") != NULL) {
            outf(o, " <span class=muted>(");
            esc(o, str(d, "detail"));
            outf(o, ")</span>");
        }
        outf(o, "</li>");
    }
    outf(o, "</ul>\n");
}

static void samples(out_t *o, const json_t *list)
{
    outf(o, "<h3>Latest differing requests</h3>\n");
    if (json_array_size(list) == 0) {
        outf(o, "<p class=muted>None yet.</p>\n");
        return;
    }
    size_t i;
    json_t *s;
    json_array_foreach(list, i, s)
    {
        const json_t *req = json_object_get(s, "request");
        outf(o, "<details%s><summary>", i == 0 ? " open" : "");
        esc(o, str(s, "time"));
        outf(o, " <code>");
        esc(o, str(req, "method"));
        outf(o, " ");
        esc(o, str(req, "target"));
        outf(o, "</code> &mdash; ");
        esc(o, str(s, "operation"));
        outf(o, ", %zu difference(s), request ",
             json_array_size(json_object_get(s, "differences")));
        esc(o, str(s, "request_id"));
        outf(o, "</summary>\n");
        differences_list(o, json_object_get(s, "differences"));
        outf(o, "<div class=sbs>");
        side_text(o, "primary", json_object_get(s, "primary"));
        side_text(o, "candidate", json_object_get(s, "candidate"));
        outf(o, "</div></details>\n");
    }
}

char *gw_shadow__html_render(const json_t *doc, size_t *len)
{
    out_t o = {0};
    outf(&o,
         "<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>"
         "<title>Versa shadow traffic</title><style>%s</style></head><body>\n"
         "<h1>Shadow traffic</h1>\n",
         style);
    const json_t *entries = json_object_get(doc, "shadows");
    if (json_array_size(entries) == 0)
        outf(&o, "<p>No API has <code>shadow</code> entries (docs/shadow.md).</p>\n");
    size_t i;
    json_t *e;
    json_array_foreach(entries, i, e)
    {
        const json_t *report = json_object_get(e, "report");
        outf(&o, "<section><h2>");
        esc(&o, str(e, "api"));
        outf(&o, " ");
        esc(&o, str(e, "version"));
        outf(&o, " &rarr; ");
        esc(&o, str(e, "candidate"));
        if (str(e, "secondary") != NULL) {
            outf(&o, " <span class=muted>(secondary ");
            esc(&o, str(e, "secondary"));
            outf(&o, ")</span>");
        }
        outf(&o, "</h2>\n");
        summary(&o, e, report);
        operations(&o, report);
        samples(&o, json_object_get(e, "samples"));
        outf(&o, "</section>\n");
    }
    outf(&o, "</body></html>\n");
    *len = o.len;
    return o.buf;
}
