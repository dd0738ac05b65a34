/* HTML rendering of a report: one self-contained page (inline CSS, no scripts, no external
 * resources) listing groups, their differing paths with counts and noise, and a side-by-side view
 * of each path's sample. Shared by `versa replay --format html` and the gateway's /shadow page. */
#include <stdio.h>
#include <string.h>

#include "ct_buf.h"
#include "ct_render_int.h"

static const char style[] =
    "body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;"
    "color:#1d2330;background:#f6f7f9}"
    "header,main,footer{max-width:1200px;margin:0 auto;padding:0 24px}"
    "header{padding-top:20px}h1{font-size:22px;margin:0 0 6px}h2{font-size:17px;margin:0}"
    ".verdict{display:inline-block;padding:2px 10px;border-radius:4px;font-weight:600;color:#fff}"
    ".pass{background:#2f855a}.fail{background:#c53030}.partial{background:#b7791f}"
    ".cards{display:flex;flex-wrap:wrap;gap:10px;margin:14px 0}"
    ".card{background:#fff;border:1px solid #dde1e7;border-radius:6px;padding:8px 14px;"
    "min-width:110px}.card b{display:block;font-size:20px}.card span{color:#5a6270}"
    "section{background:#fff;border:1px solid #dde1e7;border-radius:6px;margin:14px 0;"
    "padding:14px 16px}.meta{color:#5a6270;margin:4px 0 10px}"
    "table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:5px 8px;"
    "border-bottom:1px solid #edf0f3;vertical-align:top}th{font-weight:600;color:#5a6270}"
    "td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}"
    "code,pre{font:12.5px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}"
    "pre{background:#f3f4f6;border-radius:4px;padding:8px;margin:4px 0;white-space:pre-wrap;"
    "word-break:break-all}"
    ".tag{font-size:12px;font-weight:600;padding:1px 7px;border-radius:10px;white-space:nowrap}"
    ".t-regression{background:#fed7d7;color:#9b2c2c}.t-noise{background:#e2e8f0;color:#4a5568}"
    ".t-differs{background:#feebc8;color:#9c4221}.t-ok{background:#c6f6d5;color:#276749}"
    ".side{display:grid;grid-template-columns:1fr 1fr;gap:10px}.side h4{margin:6px 0 0}"
    "details summary{cursor:pointer;color:#2b6cb0}nav ul{columns:2;padding-left:18px}"
    "footer{color:#5a6270;padding-bottom:24px}";

static void put_text(ct_buf_t *b, const char *s)
{
    if (s != NULL)
        ct__buf_markup(b, s, strlen(s));
}

static void card(ct_buf_t *b, unsigned long long value, const char *label)
{
    ct__buf_printf(b, "<div class=\"card\"><b>%llu</b><span>%s</span></div>", value, label);
}

static const char *verdict_of(const json_t *p, const json_t *g)
{
    if (ct__jbool(p, "regression"))
        return "regression";
    if (ct__jint(p, "count") == 0 || ct__jint(g, "noise_compared") != 0)
        return "noise";
    return "differs";
}

static void put_side(ct_buf_t *b, const char *title, const char *value)
{
    ct__buf_puts(b, "<div><h4>");
    ct__buf_puts(b, title);
    ct__buf_puts(b, "</h4><pre>");
    put_text(b, value != NULL ? value : "(absent)");
    ct__buf_puts(b, "</pre></div>");
}

static void put_sample(ct_buf_t *b, const json_t *p, int open)
{
    const json_t *s = ct__jobj(p, "sample");
    if (s == NULL)
        return;
    int noise = ct__jstr(s, "source") != NULL && strcmp(ct__jstr(s, "source"), "noise") == 0;
    ct__buf_printf(b, "<tr class=\"sample\"><td></td><td colspan=\"7\"><details%s><summary>sample",
                   open ? " open" : "");
    if (ct__jstr(s, "request_id") != NULL) {
        ct__buf_puts(b, " <code>");
        put_text(b, ct__jstr(s, "request_id"));
        ct__buf_puts(b, "</code>");
    }
    ct__buf_puts(b, " at <code>");
    put_text(b, ct__jstr(s, "concrete_path"));
    ct__buf_puts(b, "</code></summary><div class=\"side\">");
    put_side(b, "primary", ct__jstr(s, "primary"));
    put_side(b, noise ? "secondary (noise)" : "candidate", ct__jstr(s, "candidate"));
    ct__buf_puts(b, "</div>");
    if (ct__jstr(s, "detail") != NULL) {
        ct__buf_puts(b, "<p>");
        put_text(b, ct__jstr(s, "detail"));
        ct__buf_puts(b, "</p>");
    }
    json_t *ids = ct__jarr(p, "request_ids");
    if (json_array_size(ids) != 0) {
        ct__buf_puts(b, "<p class=\"meta\">requests:");
        size_t i;
        json_t *id;
        json_array_foreach(ids, i, id)
        {
            ct__buf_puts(b, " <code>");
            put_text(b, json_string_value(id));
            ct__buf_puts(b, "</code>");
        }
        ct__buf_puts(b, "</p>");
    }
    if (ct__jstr(s, "curl") != NULL) {
        ct__buf_puts(b, "<h4>reproduce</h4><pre class=\"curl\">");
        put_text(b, ct__jstr(s, "curl"));
        ct__buf_puts(b, "</pre>");
    }
    if (ct__jstr(s, "curl_primary") != NULL) {
        ct__buf_puts(b, "<pre class=\"curl\">");
        put_text(b, ct__jstr(s, "curl_primary"));
        ct__buf_puts(b, "</pre>");
    }
    ct__buf_puts(b, "</details></td></tr>\n");
}

static void put_group(ct_buf_t *b, const json_t *g, size_t index, ct_fail_on_t fail_on)
{
    ct__buf_printf(b, "<section id=\"g%zu\"><h2>", index);
    put_text(b, ct__jstr(g, "group") != NULL ? ct__jstr(g, "group") : "(unnamed)");
    ct__buf_printf(b,
                   "</h2><p class=\"meta\">%llu compared, %llu identical, %llu differing, %llu "
                   "regressions, %llu noise comparisons",
                   (unsigned long long)ct__jint(g, "compared"),
                   (unsigned long long)ct__jint(g, "identical"),
                   (unsigned long long)ct__jint(g, "differing"),
                   (unsigned long long)ct__jint(g, "regressions"),
                   (unsigned long long)ct__jint(g, "noise_compared"));
    if (ct__jint(g, "dropped_paths") != 0)
        ct__buf_printf(b, "; %llu more paths not listed (limit)",
                       (unsigned long long)ct__jint(g, "dropped_paths"));
    ct__buf_puts(b, "</p>\n");
    json_t *paths = ct__jarr(g, "paths");
    if (json_array_size(paths) == 0) {
        ct__buf_puts(b, "<p><span class=\"tag t-ok\">identical</span> every response matched</p>"
                        "</section>\n");
        return;
    }
    ct__buf_puts(b, "<table><thead><tr><th>verdict</th><th>kind</th><th>path</th><th>count</th>"
                    "<th>rate</th><th>noise</th><th>noise rate</th><th>relative</th></tr>"
                    "</thead><tbody>\n");
    size_t i;
    json_t *p;
    json_array_foreach(paths, i, p)
    {
        const char *verdict = verdict_of(p, g);
        ct__buf_printf(b, "<tr class=\"%s\"><td><span class=\"tag t-%s\">%s</span></td><td>",
                       verdict, verdict, verdict);
        put_text(b, ct__jstr(p, "kind"));
        ct__buf_puts(b, "</td><td><code class=\"path\">");
        put_text(b, ct__jstr(p, "path"));
        ct__buf_printf(b,
                       "</code></td><td class=\"n\">%llu</td><td class=\"n\">%.2f%%</td>"
                       "<td class=\"n\">%llu</td><td class=\"n\">%.2f%%</td>"
                       "<td class=\"n\">%.1f%%</td></tr>\n",
                       (unsigned long long)ct__jint(p, "count"), ct__jnum(p, "rate"),
                       (unsigned long long)ct__jint(p, "noise_count"), ct__jnum(p, "noise_rate"),
                       ct__jnum(p, "relative_difference"));
        put_sample(b, p, ct_report_path_fails(p, fail_on));
    }
    ct__buf_puts(b, "</tbody></table></section>\n");
}

static void put_kv(ct_buf_t *b, const char *key, const char *value)
{
    ct__buf_puts(b, "<tr><th>");
    ct__buf_puts(b, key);
    ct__buf_puts(b, "</th><td>");
    put_text(b, value);
    ct__buf_puts(b, "</td></tr>");
}

static void put_replay(ct_buf_t *b, const json_t *r)
{
    ct__buf_puts(b, "<section><h2>Replay</h2><table>");
    const json_t *t = ct__jobj(r, "targets");
    put_kv(b, "primary", ct__jstr(t, "primary"));
    put_kv(b, "candidate", ct__jstr(t, "candidate"));
    if (ct__jstr(t, "secondary") != NULL)
        put_kv(b, "secondary", ct__jstr(t, "secondary"));
    ct_buf_t caps = CT_BUF_INIT;
    size_t i;
    json_t *c;
    json_array_foreach(ct__jarr(r, "captures"), i, c)
    {
        if (i != 0)
            ct__buf_puts(&caps, ", ");
        if (json_is_string(c))
            ct__buf_puts(&caps, json_string_value(c));
    }
    put_kv(b, "captures", caps.base != NULL ? caps.base : "");
    ct__buf_dispose(&caps);
    const json_t *x = ct__jobj(r, "exchanges");
    char line[256];
    snprintf(line, sizeof(line), "%llu read, %llu replayed, %llu skipped, in %.1f s (%.0f/s)",
             (unsigned long long)ct__jint(x, "read"), (unsigned long long)ct__jint(x, "replayed"),
             (unsigned long long)ct__jint(x, "skipped"), ct__jnum(r, "elapsed_seconds"),
             ct__jnum(r, "rate"));
    put_kv(b, "exchanges", line);
    const char *key;
    json_t *v;
    json_object_foreach(ct__jobj(r, "skipped"), key, v)
    {
        if (json_is_integer(v) && json_integer_value(v) > 0) {
            snprintf(line, sizeof(line), "%lld", (long long)json_integer_value(v));
            ct__buf_puts(b, "<tr><th>skipped: ");
            put_text(b, key);
            ct__buf_puts(b, "</th><td>");
            ct__buf_puts(b, line);
            ct__buf_puts(b, "</td></tr>");
        }
    }
    ct__buf_puts(b, "</table></section>\n");

    const json_t *bad = ct__jobj(r, "bad_lines");
    if (ct__jint(bad, "count") != 0) {
        ct__buf_printf(b, "<section><h2>Bad capture lines (%llu, skipped)</h2><table>",
                       (unsigned long long)ct__jint(bad, "count"));
        json_array_foreach(ct__jarr(bad, "listed"), i, c)
        {
            ct__buf_puts(b, "<tr><td><code>");
            put_text(b, ct__jstr(c, "file"));
            ct__buf_printf(b, ":%llu</code></td><td>", (unsigned long long)ct__jint(c, "line"));
            put_text(b, ct__jstr(c, "message"));
            ct__buf_puts(b, "</td></tr>");
        }
        ct__buf_puts(b, "</table></section>\n");
    }
    const json_t *errs = ct__jobj(r, "errors");
    if (json_array_size(ct__jarr(errs, "listed")) != 0) {
        ct__buf_printf(b,
                       "<section><h2>Upstream errors</h2><p class=\"meta\">primary %llu, "
                       "candidate %llu, secondary %llu</p><table>",
                       (unsigned long long)ct__jint(errs, "primary"),
                       (unsigned long long)ct__jint(errs, "candidate"),
                       (unsigned long long)ct__jint(errs, "secondary"));
        json_array_foreach(ct__jarr(errs, "listed"), i, c)
        {
            ct__buf_puts(b, "<tr><td>");
            put_text(b, ct__jstr(c, "side"));
            ct__buf_puts(b, "</td><td><code>");
            put_text(b, ct__jstr(c, "request_id"));
            ct__buf_puts(b, "</code></td><td>");
            put_text(b, ct__jstr(c, "group"));
            ct__buf_puts(b, "</td><td>");
            put_text(b, ct__jstr(c, "message"));
            if (ct__jstr(c, "curl") != NULL) {
                ct__buf_puts(b, "<pre class=\"curl\">");
                put_text(b, ct__jstr(c, "curl"));
                ct__buf_puts(b, "</pre>");
            }
            ct__buf_puts(b, "</td></tr>");
        }
        ct__buf_puts(b, "</table></section>\n");
    }
}

char *ct_report_html(const json_t *report, const ct_render_options_t *opts, size_t *len)
{
    ct_render_options_t o = {NULL, CT_FAIL_ON_REGRESSION};
    if (opts != NULL)
        o = *opts;
    const char *title = o.title != NULL ? o.title : "Versa contract report";
    const json_t *replay = ct__jobj(report, "replay");
    int fails = ct_report_fails(report, o.fail_on);

    ct_buf_t b = CT_BUF_INIT;
    ct__buf_puts(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                     "<title>");
    put_text(&b, title);
    ct__buf_printf(&b, "</title><style>%s</style></head><body>\n<header><h1>", style);
    put_text(&b, title);
    ct__buf_printf(&b, "</h1><span class=\"verdict %s\" id=\"verdict\">%s</span>",
                   fails ? "fail" : "pass", fails ? "FAIL" : "PASS");
    if (ct__jbool(replay, "partial")) {
        ct__buf_puts(&b, " <span class=\"verdict partial\">PARTIAL</span> ");
        put_text(&b, ct__jstr(replay, "stop_reason"));
    }
    ct__buf_printf(&b,
                   " <span class=\"meta\">fails on: %s; noise thresholds: relative %.1f%%, "
                   "absolute %.2f points</span>",
                   ct_fail_on_name(o.fail_on), ct__jnum(ct__jobj(report, "thresholds"), "relative"),
                   ct__jnum(ct__jobj(report, "thresholds"), "absolute"));
    ct__buf_puts(&b, "<div class=\"cards\">");
    card(&b, ct__jint(report, "compared"), "compared");
    card(&b, ct__jint(report, "identical"), "identical");
    card(&b, ct__jint(report, "differing"), "differing");
    card(&b, ct__jint(report, "regressions"), "regressions");
    card(&b, ct__jint(report, "noise_compared"), "noise comparisons");
    if (ct__jint(report, "dropped_comparisons") != 0)
        card(&b, ct__jint(report, "dropped_comparisons"), "not aggregated (limit)");
    ct__buf_puts(&b, "</div></header>\n<main>\n");
    if (replay != NULL)
        put_replay(&b, replay);

    json_t *groups = ct__jarr(report, "groups");
    size_t i;
    json_t *g;
    if (json_array_size(groups) != 0) {
        ct__buf_puts(&b, "<nav><section><h2>Operations</h2><ul>");
        json_array_foreach(groups, i, g)
        {
            ct__buf_printf(&b, "<li><a href=\"#g%zu\">", i);
            put_text(&b, ct__jstr(g, "group") != NULL ? ct__jstr(g, "group") : "(unnamed)");
            ct__buf_printf(&b, "</a> %llu compared, %llu differing%s</li>",
                           (unsigned long long)ct__jint(g, "compared"),
                           (unsigned long long)ct__jint(g, "differing"),
                           ct__jint(g, "regressions") != 0 ? ", <b>regressions</b>" : "");
        }
        ct__buf_puts(&b, "</ul></section></nav>\n");
    } else {
        ct__buf_puts(&b, "<section><p>No comparisons yet.</p></section>\n");
    }
    json_array_foreach(groups, i, g) put_group(&b, g, i, o.fail_on);
    ct__buf_puts(&b, "</main><footer>Generated by versa.</footer></body></html>\n");
    return ct__buf_steal(&b, len);
}
