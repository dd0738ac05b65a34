/* HTML rendering of reports: one self-contained page (inline CSS, no scripts, no external
 * resources) listing groups, their differing paths with counts and noise, a side-by-side view of
 * each path's sample, and the members that `versa replay` and the gateway's shadowing add (replay
 * targets and errors; counters, facts and the latest differing exchanges). The one renderer of
 * `versa replay --format html` and of the gateway's /shadow page. */
#include <stdio.h>
#include <string.h>

#include "ct_buf.h"
#include "ct_render_int.h"

static const char style[] =
    "body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;"
    "color:#1d2330;background:#f6f7f9}"
    "header,main,footer{max-width:1200px;margin:0 auto;padding:0 24px}"
    "header{padding-top:20px}h1{font-size:22px;margin:0 0 6px}h2{font-size:17px;margin:0}"
    "h3{font-size:15px;margin:0}article.report{border-top:2px solid #dde1e7;margin-top:22px}"
    "article.report>h2{font-size:19px;margin:14px 0 8px}table.facts{width:auto}"
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

/* `open`, the escaped text and `close`; nothing at all when `text` is NULL. */
static void put_wrapped(ct_buf_t *b, const char *open, const char *text, const char *close)
{
    if (text == NULL)
        return;
    ct__buf_puts(b, open);
    put_text(b, text);
    ct__buf_puts(b, close);
}

static void card(ct_buf_t *b, unsigned long long value, const char *label)
{
    ct__buf_printf(b, "<div class=\"card\"><b>%llu</b><span>", value);
    put_text(b, label);
    ct__buf_puts(b, "</span></div>");
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
    put_wrapped(b, " <code>", ct__jstr(s, "request_id"), "</code>");
    ct__buf_puts(b, " at <code>");
    put_text(b, ct__jstr(s, "concrete_path"));
    ct__buf_puts(b, "</code></summary><div class=\"side\">");
    put_side(b, "primary", ct__jstr(s, "primary"));
    put_side(b, noise ? "secondary (noise)" : "candidate", ct__jstr(s, "candidate"));
    ct__buf_puts(b, "</div>");
    put_wrapped(b, "<p>", ct__jstr(s, "detail"), "</p>");
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
    put_wrapped(b, "<h4>reproduce</h4><pre class=\"curl\">", ct__jstr(s, "curl"), "</pre>");
    put_wrapped(b, "<pre class=\"curl\">", ct__jstr(s, "curl_primary"), "</pre>");
    ct__buf_puts(b, "</details></td></tr>\n");
}

/* `anchor` prefixes the section's id, `h` is its heading level (see put_report). */
static void put_group(ct_buf_t *b, const json_t *g, size_t index, ct_fail_on_t fail_on,
                      const char *anchor, int h)
{
    ct__buf_printf(b, "<section id=\"%sg%zu\"><h%d>", anchor, index, h);
    put_text(b, ct__jstr(g, "group") != NULL ? ct__jstr(g, "group") : "(unnamed)");
    ct__buf_printf(b, "</h%d>", h);
    ct__buf_printf(b,
                   "<p class=\"meta\">%llu compared, %llu identical, %llu differing, %llu "
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
    put_text(b, key);
    ct__buf_puts(b, "</th><td>");
    put_text(b, value);
    ct__buf_puts(b, "</td></tr>");
}

static void put_replay(ct_buf_t *b, const json_t *r, int h)
{
    ct__buf_printf(b, "<section><h%d>Replay</h%d><table>", h, h);
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
        ct__buf_printf(b, "<section><h%d>Bad capture lines (%llu, skipped)</h%d><table>", h,
                       (unsigned long long)ct__jint(bad, "count"), h);
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
                       "<section><h%d>Upstream errors</h%d><p class=\"meta\">primary %llu, "
                       "candidate %llu, secondary %llu</p><table>",
                       h, h, (unsigned long long)ct__jint(errs, "primary"),
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
            put_wrapped(b, "<pre class=\"curl\">", ct__jstr(c, "curl"), "</pre>");
            ct__buf_puts(b, "</td></tr>");
        }
        ct__buf_puts(b, "</table></section>\n");
    }
}

/* --- members the gateway's shadowing adds (ct_report_render.h) --- */

/* "facts": [[label, text], ...] as a table. */
static void put_facts(ct_buf_t *b, const json_t *report)
{
    json_t *facts = ct__jarr(report, "facts");
    if (json_array_size(facts) == 0)
        return;
    ct__buf_puts(b, "<table class=\"facts\">");
    size_t i;
    json_t *f;
    json_array_foreach(facts, i, f)
    {
        put_kv(b, json_string_value(json_array_get(f, 0)), json_string_value(json_array_get(f, 1)));
    }
    ct__buf_puts(b, "</table>\n");
}

/* One side of an exchange as text: status, headers, a blank line and the body as captured. */
static void put_exchange_side(ct_buf_t *b, const char *title, const json_t *side)
{
    ct__buf_printf(b, "<div><h4>%s</h4><pre>", title);
    if (side == NULL) {
        ct__buf_puts(b, "(none)</pre></div>");
        return;
    }
    ct__buf_printf(b, "%llu\n", (unsigned long long)ct__jint(side, "status"));
    size_t i;
    json_t *h;
    json_array_foreach(ct__jarr(side, "headers"), i, h)
    {
        put_text(b, json_string_value(json_array_get(h, 0)));
        ct__buf_puts(b, ": ");
        put_text(b, json_string_value(json_array_get(h, 1)));
        ct__buf_puts(b, "\n");
    }
    ct__buf_puts(b, "\n");
    put_text(b, ct__jstr(side, "body"));
    if (ct__jbool(side, "body_truncated"))
        ct__buf_printf(b, "\n(%llu bytes in all)",
                       (unsigned long long)ct__jint(side, "body_bytes"));
    ct__buf_puts(b, "</pre></div>");
}

static void put_differences(ct_buf_t *b, const json_t *diffs)
{
    size_t i;
    json_t *d;
    ct__buf_puts(b, "<ul>");
    json_array_foreach(diffs, i, d)
    {
        ct__buf_puts(b, "<li>");
        put_text(b, ct__jstr(d, "kind"));
        ct__buf_puts(b, " <code>");
        put_text(b, ct__jstr(d, "concrete_path"));
        ct__buf_puts(b, "</code>: <code>");
        put_text(b, ct__jstr(d, "primary") != NULL ? ct__jstr(d, "primary") : "(absent)");
        ct__buf_puts(b, "</code> &rarr; <code>");
        put_text(b, ct__jstr(d, "candidate") != NULL ? ct__jstr(d, "candidate") : "(absent)");
        ct__buf_puts(b, "</code>");
        put_wrapped(b, " <span class=\"meta\">(", ct__jstr(d, "detail"), ")</span>");
        ct__buf_puts(b, "</li>");
    }
    ct__buf_puts(b, "</ul>\n");
}

/* "exchanges": the latest differing exchanges, newest first and open, each with its
 * differences and both sides. */
static void put_exchanges(ct_buf_t *b, const json_t *list, int h)
{
    ct__buf_printf(b, "<section><h%d>Latest differing requests</h%d>\n", h, h);
    if (json_array_size(list) == 0) {
        ct__buf_puts(b, "<p class=\"meta\">None yet.</p></section>\n");
        return;
    }
    size_t i;
    json_t *x;
    json_array_foreach(list, i, x)
    {
        const json_t *req = ct__jobj(x, "request");
        const json_t *diffs = ct__jarr(x, "differences");
        ct__buf_printf(b, "<details%s><summary>", i == 0 ? " open" : "");
        put_text(b, ct__jstr(x, "time"));
        ct__buf_puts(b, " <code>");
        put_text(b, ct__jstr(req, "method"));
        ct__buf_puts(b, " ");
        put_text(b, ct__jstr(req, "target"));
        ct__buf_puts(b, "</code> &mdash; ");
        put_text(b, ct__jstr(x, "operation"));
        ct__buf_printf(b, ", %zu difference(s), request ", json_array_size(diffs));
        put_text(b, ct__jstr(x, "request_id"));
        ct__buf_puts(b, "</summary>\n");
        put_differences(b, diffs);
        ct__buf_puts(b, "<div class=\"side\">");
        put_exchange_side(b, "primary", ct__jobj(x, "primary"));
        put_exchange_side(b, "candidate", ct__jobj(x, "candidate"));
        ct__buf_puts(b, "</div></details>\n");
    }
    ct__buf_puts(b, "</section>\n");
}

static void put_violation(void *ctx, const ct__violation_t *v)
{
    ct_buf_t *b = ctx;
    ct__buf_puts(b, "<tr><td>");
    put_text(b, v->operation);
    ct__buf_puts(b, "</td><td>");
    put_text(b, v->side);
    ct__buf_puts(b, "</td><td><span class=\"tag t-regression\">");
    put_text(b, v->keyword);
    ct__buf_puts(b, "</span></td><td><code>");
    put_text(b, v->schema != NULL ? v->schema : "(none)");
    ct__buf_printf(b, "</code></td><td class=\"n\">%llu</td><td><code>", v->count);
    put_text(b, v->pointer);
    ct__buf_puts(b, "</code>: ");
    put_text(b, v->message);
    put_wrapped(b, " <span class=\"meta\">(", v->request_id, ")</span>");
    put_wrapped(b, "<pre>", v->curl, "</pre>");
    ct__buf_puts(b, "</td></tr>\n");
}

/* "violations": a table by operation, side, keyword and schema location, with an example. */
static void put_violations(ct_buf_t *b, const json_t *report, int h)
{
    json_t *list = ct__jarr(report, "violations");
    if (list == NULL)
        return;
    ct__buf_printf(b, "<section class=\"violations\"><h%d>Contract violations</h%d>\n", h, h);
    if (json_array_size(list) == 0) {
        ct__buf_puts(b, "<p class=\"meta\">None yet.</p></section>\n");
        return;
    }
    ct__buf_puts(b, "<table><tr><th>operation</th><th>side</th><th>keyword</th><th>schema</th>"
                    "<th>count</th><th>latest</th></tr>\n");
    ct__report_foreach_violation(report, put_violation, b);
    ct__buf_puts(b, "</table></section>\n");
}

/* --- a report: its summary (verdict, thresholds, cards), then its sections --- */

static void put_summary(ct_buf_t *b, const json_t *report, ct_fail_on_t fail_on,
                        const char *verdict_id)
{
    const json_t *replay = ct__jobj(report, "replay");
    int fails = ct_report_fails(report, fail_on);
    ct__buf_printf(b, "<span class=\"verdict %s\"%s%s%s>%s</span>", fails ? "fail" : "pass",
                   verdict_id != NULL ? " id=\"" : "", verdict_id != NULL ? verdict_id : "",
                   verdict_id != NULL ? "\"" : "", fails ? "FAIL" : "PASS");
    if (ct__jbool(replay, "partial")) {
        ct__buf_puts(b, " <span class=\"verdict partial\">PARTIAL</span> ");
        put_text(b, ct__jstr(replay, "stop_reason"));
    }
    /* a report of contract violations alone (the /contract page) has no comparisons */
    int diff = json_object_get(report, "compared") != NULL || ct__jarr(report, "violations") == NULL;
    if (diff)
        ct__buf_printf(b,
                       " <span class=\"meta\">fails on: %s; noise thresholds: relative %.1f%%, "
                       "absolute %.2f points</span>",
                       ct_fail_on_name(fail_on),
                       ct__jnum(ct__jobj(report, "thresholds"), "relative"),
                       ct__jnum(ct__jobj(report, "thresholds"), "absolute"));
    ct__buf_puts(b, "<div class=\"cards\">");
    if (diff) {
        card(b, ct__jint(report, "compared"), "compared");
        card(b, ct__jint(report, "identical"), "identical");
        card(b, ct__jint(report, "differing"), "differing");
        card(b, ct__jint(report, "regressions"), "regressions");
        card(b, ct__jint(report, "noise_compared"), "noise comparisons");
    }
    if (ct__jarr(report, "violations") != NULL && ct__jobj(report, "replay") != NULL)
        card(b, ct__violations(report), "contract violations");
    if (ct__jint(report, "dropped_comparisons") != 0)
        card(b, ct__jint(report, "dropped_comparisons"), "not aggregated (limit)");
    size_t i;
    json_t *c;
    json_array_foreach(ct__jarr(report, "counters"), i, c)
    {
        json_t *v = json_array_get(c, 1);
        card(b,
             json_is_integer(v) && json_integer_value(v) > 0
                 ? (unsigned long long)json_integer_value(v)
                 : 0,
             json_string_value(json_array_get(c, 0)));
    }
    ct__buf_puts(b, "</div>");
}

/* The sections of a report below its summary. Alone on its page, section headings are <h2> and
 * group anchors "g<i>"; on a page of several, <h3> and "r<k>-g<i>" (`anchor` "r<k>-"). */
static void put_report(ct_buf_t *b, const json_t *report, ct_fail_on_t fail_on, const char *anchor,
                       int h)
{
    put_facts(b, report);
    if (ct__jobj(report, "replay") != NULL)
        put_replay(b, ct__jobj(report, "replay"), h);
    json_t *groups = ct__jarr(report, "groups");
    size_t i;
    json_t *g;
    if (json_array_size(groups) != 0) {
        ct__buf_printf(b, "<nav><section><h%d>Operations</h%d><ul>", h, h);
        json_array_foreach(groups, i, g)
        {
            ct__buf_printf(b, "<li><a href=\"#%sg%zu\">", anchor, i);
            put_text(b, ct__jstr(g, "group") != NULL ? ct__jstr(g, "group") : "(unnamed)");
            ct__buf_printf(b, "</a> %llu compared, %llu differing%s</li>",
                           (unsigned long long)ct__jint(g, "compared"),
                           (unsigned long long)ct__jint(g, "differing"),
                           ct__jint(g, "regressions") != 0 ? ", <b>regressions</b>" : "");
        }
        ct__buf_puts(b, "</ul></section></nav>\n");
    } else if (json_object_get(report, "compared") != NULL ||
               ct__jarr(report, "violations") == NULL) {
        ct__buf_puts(b, "<section><p>No comparisons yet.</p></section>\n");
    }
    json_array_foreach(groups, i, g) put_group(b, g, i, fail_on, anchor, h);
    put_violations(b, report, h);
    if (json_object_get(report, "exchanges") != NULL)
        put_exchanges(b, ct__jarr(report, "exchanges"), h);
}

/* --- the page --- */

static void page_begin(ct_buf_t *b, const char *title)
{
    ct__buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                    "<title>");
    put_text(b, title);
    ct__buf_printf(b, "</title><style>%s</style></head><body>\n<header><h1>", style);
    put_text(b, title);
    ct__buf_puts(b, "</h1>");
}

static char *page_end(ct_buf_t *b, size_t *len)
{
    ct__buf_puts(b, "</main><footer>Generated by versa.</footer></body></html>\n");
    return ct__buf_steal(b, len);
}

static ct_render_options_t options(const ct_render_options_t *opts)
{
    ct_render_options_t o = {NULL, CT_FAIL_ON_REGRESSION, NULL};
    if (opts != NULL)
        o = *opts;
    if (o.title == NULL)
        o.title = "Versa contract report";
    return o;
}

char *ct_report_html(const json_t *report, const ct_render_options_t *opts, size_t *len)
{
    ct_render_options_t o = options(opts);
    ct_buf_t b = CT_BUF_INIT;
    page_begin(&b, o.title);
    put_summary(&b, report, o.fail_on, "verdict");
    ct__buf_puts(&b, "</header>\n<main>\n");
    put_report(&b, report, o.fail_on, "", 2);
    return page_end(&b, len);
}

char *ct_report_html_page(const json_t *reports, const ct_render_options_t *opts, size_t *len)
{
    ct_render_options_t o = options(opts);
    ct_buf_t b = CT_BUF_INIT;
    page_begin(&b, o.title);
    ct__buf_puts(&b, "</header>\n<main>\n");
    if (json_array_size(reports) == 0) {
        ct__buf_puts(&b, "<section><p>");
        put_text(&b, o.empty != NULL ? o.empty : "No reports.");
        ct__buf_puts(&b, "</p></section>\n");
    }
    size_t i;
    json_t *r;
    json_array_foreach(reports, i, r)
    {
        char anchor[32];
        snprintf(anchor, sizeof(anchor), "r%zu-", i);
        ct__buf_printf(&b, "<article class=\"report\" id=\"r%zu\"><h2>", i);
        put_text(&b, ct__jstr(r, "heading") != NULL ? ct__jstr(r, "heading") : "(unnamed)");
        ct__buf_puts(&b, "</h2>");
        put_summary(&b, r, o.fail_on, NULL);
        ct__buf_puts(&b, "\n");
        put_report(&b, r, o.fail_on, anchor, 3);
        ct__buf_puts(&b, "</article>\n");
    }
    return page_end(&b, len);
}
