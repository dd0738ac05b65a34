/* Tests of ct_report_html.c: a complete, self-contained page (no scripts, no external resources)
 * whose tags balance, with every group, path and sample shown and every hostile string escaped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>

#include "ct_render_test.h"

static char *render(const json_t *report, ct_fail_on_t fail_on, const char *title)
{
    ct_render_options_t o = {title, fail_on};
    size_t len;
    char *html = ct_report_html(report, &o, &len);
    assert_int_equal(strlen(html), len);
    return html;
}

static int count(const char *s, const char *needle)
{
    int n = 0;
    for (const char *p = s; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

/* Elements that are opened must be closed (void elements aside), in order. */
static void assert_balanced(const char *html)
{
    static const char *const tags[] = {"html",    "head",    "body",    "table",  "tr",  "td",
                                       "section", "details", "pre",     "code",   "div", "ul",
                                       "li",      "header",  "main",    "footer", "nav", "span",
                                       "thead",   "tbody",   "article", "h2",     "h3",  "h4"};
    for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
        char open1[32], open2[32], close[32];
        snprintf(open1, sizeof(open1), "<%s>", tags[i]);
        snprintf(open2, sizeof(open2), "<%s ", tags[i]);
        snprintf(close, sizeof(close), "</%s>", tags[i]);
        int opened = count(html, open1) + count(html, open2), closed = count(html, close);
        if (opened != closed)
            fail_msg("<%s>: %d opened, %d closed", tags[i], opened, closed);
    }
}

static void complete_safe_page(void **state)
{
    json_t *report = ct_test_report(1, 1);
    char *html = render(report, CT_FAIL_ON_REGRESSION, "Shadow <traffic>");
    assert_true(strncmp(html, "<!DOCTYPE html>", 15) == 0);
    assert_balanced(html);
    assert_non_null(strstr(html, "<title>Shadow &lt;traffic&gt;</title>"));
    assert_null(strstr(html, "<script"));
    assert_null(strstr(html, "src="));
    assert_null(strstr(html, "<link"));
    assert_null(strstr(html, "href=\"http"));
    assert_null(strstr(html, "\x01"));
    assert_non_null(strstr(html, "id=\"verdict\">FAIL<"));
    /* groups, paths, side-by-side samples, curl */
    assert_non_null(strstr(html, ">getPet<"));
    assert_non_null(strstr(html, ">listPets<"));
    assert_non_null(strstr(html, "body.name"));
    assert_non_null(strstr(html, "body.ts"));
    assert_non_null(strstr(html, "&quot;Rex&quot;"));
    assert_non_null(strstr(html, "&quot;rex&quot;"));
    assert_non_null(strstr(html, "<div class=\"side\">"));
    assert_non_null(strstr(html, "curl -i &#39;http://h/pets?a=1&amp;b=&lt;script&gt;"));
    assert_non_null(strstr(html, "t-regression"));
    assert_non_null(strstr(html, "t-noise"));
    assert_non_null(strstr(html, "every response matched"));
    /* the replay section, bad lines and errors */
    assert_non_null(strstr(html, "http://127.0.0.1:2"));
    assert_non_null(strstr(html, "Bad capture lines (2, skipped)"));
    assert_non_null(strstr(html, "cap.jsonl:7"));
    assert_non_null(strstr(html, "Upstream errors"));
    assert_non_null(strstr(html, "skipped: unsafe_method"));
    /* failing paths have their sample open */
    assert_int_equal(count(html, "<details open>"), 2);
    free(html);

    html = render(report, CT_FAIL_ON_NONE, NULL);
    assert_non_null(strstr(html, "id=\"verdict\">PASS<"));
    assert_int_equal(count(html, "<details open>"), 0);
    assert_non_null(strstr(html, "<title>Versa contract report</title>"));
    free(html);
    json_decref(report);
}

static void gateway_reports_without_replay(void **state)
{
    json_t *report = ct_test_report(0, 0);
    char *html = render(report, CT_FAIL_ON_REGRESSION, "Versa shadow traffic");
    assert_balanced(html);
    assert_null(strstr(html, "Replay"));
    assert_non_null(strstr(html, "body.name"));
    free(html);
    json_decref(report);
    json_t *empty = json_object();
    html = render(empty, CT_FAIL_ON_REGRESSION, NULL);
    assert_balanced(html);
    assert_non_null(strstr(html, "No comparisons yet."));
    assert_non_null(strstr(html, "id=\"verdict\">PASS<"));
    free(html);
    json_decref(empty);
}

/* The members the gateway adds, on a page of several reports: counters, facts and exchanges
 * shown and escaped, anchors unique per report, each report with its own verdict. */
static void page_of_reports(void **state)
{
    json_t *failing = ct_test_report(0, 0), *passing = json_object();
    json_object_set_new(failing, "heading", json_string("pets v1 \u2192 " CT_HOSTILE));
    json_object_set_new(
        failing, "counters",
        json_pack("[[s i] [s s] [s i]]", "mirrored", 7, "bad", "x", CT_HOSTILE, -3));
    json_object_set_new(failing, "facts",
                        json_pack("[[s s] [s i]]", "dropped", CT_HOSTILE, "wrong", 5));
    json_t *side =
        json_pack("{s:i, s:[[s s]], s:s, s:b, s:i}", "status", 200, "headers", "x-h", CT_HOSTILE,
                  "body", CT_HOSTILE, "body_truncated", 1, "body_bytes", 99999);
    json_object_set_new(
        failing, "exchanges",
        json_pack("[{s:s, s:s, s:s, s:{s:s, s:s}, s:O, s:n, s:[{s:s, s:s, s:n, s:s, s:s}]}, {}]",
                  "time", "2030-01-01T00:00:00Z", "operation", "getPet", "request_id", "r1",
                  "request", "method", "GET", "target", "/pets?a=<x>&b", "primary", side,
                  "candidate", "differences", "kind", "extra", "concrete_path", "body.x", "primary",
                  "candidate", "1", "detail", "d'etail"));
    json_decref(side);
    json_object_set_new(passing, "heading", json_string("shop v2"));
    json_object_set_new(passing, "exchanges", json_array());
    json_t *reports = json_pack("[O O]", failing, passing);
    ct_render_options_t o = {"Shadow traffic", CT_FAIL_ON_REGRESSION, NULL};
    size_t len;
    char *html = ct_report_html_page(reports, &o, &len);
    assert_int_equal(strlen(html), len);
    assert_balanced(html);
    assert_null(strstr(html, "<script"));
    assert_null(strstr(html, "\x01"));
    assert_non_null(strstr(html, "<title>Shadow traffic</title>"));
    assert_non_null(strstr(html, "<h2>pets v1 \u2192 &lt;script&gt;"));
    assert_non_null(strstr(html, "<h2>shop v2</h2>"));
    assert_int_equal(count(html, "<span class=\"verdict fail\">FAIL</span>"), 1);
    assert_int_equal(count(html, "<span class=\"verdict pass\">PASS</span>"), 1);
    assert_null(strstr(html, "id=\"verdict\""));
    assert_non_null(strstr(html, "<b>7</b><span>mirrored</span>"));
    assert_non_null(strstr(html, "<b>0</b><span>bad</span>"));
    assert_non_null(strstr(html, "<b>0</b><span>&lt;script&gt;"));
    assert_non_null(strstr(html, "<th>dropped</th><td>&lt;script&gt;"));
    assert_non_null(strstr(html, "<th>wrong</th><td></td>"));
    /* anchors of the first report's groups, none of the bare "g0" a single report uses */
    assert_non_null(strstr(html, "<section id=\"r0-g0\"><h3>"));
    assert_non_null(strstr(html, "href=\"#r0-g0\""));
    assert_null(strstr(html, "\"g0\""));
    /* exchanges: newest open, sides as text, everything escaped, malformed ones survive */
    assert_non_null(strstr(html, "<h3>Latest differing requests</h3>"));
    assert_non_null(strstr(html, "<code>GET /pets?a=&lt;x&gt;&amp;b</code> &mdash; getPet, 1 "
                                 "difference(s), request r1"));
    assert_non_null(strstr(html, "<code>(absent)</code> &rarr; <code>1</code>"));
    assert_non_null(strstr(html, "(d&#39;etail)"));
    assert_non_null(strstr(html, "<pre>200\nx-h: &lt;script&gt;"));
    assert_non_null(strstr(html, "(99999 bytes in all)</pre>"));
    assert_non_null(strstr(html, "<h4>candidate</h4><pre>(none)</pre>"));
    assert_non_null(strstr(html, "None yet."));
    free(html);
    json_decref(reports);
    json_decref(failing);
    json_decref(passing);

    /* no reports: the caller's sentence; not an array: the same */
    o.empty = "No API has shadow entries.";
    json_t *none = json_array();
    html = ct_report_html_page(none, &o, &len);
    assert_balanced(html);
    assert_non_null(strstr(html, "<p>No API has shadow entries.</p>"));
    free(html);
    html = ct_report_html_page(NULL, NULL, &len);
    assert_non_null(strstr(html, "<p>No reports.</p>"));
    assert_non_null(strstr(html, "<title>Versa contract report</title>"));
    free(html);
    json_decref(none);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(complete_safe_page),
        cmocka_unit_test(gateway_reports_without_replay),
        cmocka_unit_test(page_of_reports),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
