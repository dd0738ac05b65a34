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
    static const char *const tags[] = {
        "html", "head", "body", "table",  "tr",   "td",     "section", "details", "pre",   "code",
        "div",  "ul",   "li",   "header", "main", "footer", "nav",     "span",    "thead", "tbody"};
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(complete_safe_page),
        cmocka_unit_test(gateway_reports_without_replay),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
