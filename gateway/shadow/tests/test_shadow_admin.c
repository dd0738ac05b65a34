/* Tests for shadow/shadow_admin.c: the /shadow page (drawn by contract-tests' report renderer)
 * shows entries with their counters, drops, errors and latencies, operations, paths with their
 * verdict, and samples side by side, escapes everything from the report, and survives members
 * that are missing or of the wrong type. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "shadow_internal.h"

static const char doc_text[] =
    "{\"shadows\": [{"
    " \"api\": \"pets\", \"version\": \"v1\", \"candidate\": \"http://c:1/<b>\","
    " \"secondary\": \"http://s:2\", \"mirrored\": 7, \"compared\": 5, \"differing\": 2,"
    " \"noise\": 1, \"inflight\": 0, \"queued\": 0,"
    " \"dropped\": {\"queue_full\": 0, \"response_too_large\": 2},"
    " \"candidate_errors\": {\"timeout\": 3}, \"secondary_errors\": {},"
    " \"latency\": {\"primary\": {\"count\": 5, \"mean_ms\": 1.5}},"
    " \"report\": {\"compared\": 5, \"regressions\": 1, \"groups\": [{"
    "   \"group\": \"getPet\", \"compared\": 5, \"identical\": 3, \"differing\": 2,"
    "   \"regressions\": 1, \"noise_compared\": 5, \"paths\": ["
    "     {\"path\": \"body.full_name\", \"kind\": \"extra\", \"count\": 2, \"noise_count\": 0,"
    "      \"rate\": 40.0, \"noise_rate\": 0.0, \"regression\": true,"
    "      \"sample\": {\"request_id\": \"r1\", \"source\": \"candidate\","
    "                   \"concrete_path\": \"body.full_name\", \"primary\": null,"
    "                   \"candidate\": \"\\\"<script>alert(1)</script>\\\"\"}},"
    "     {\"path\": \"body.nonce\", \"kind\": \"value_changed\", \"count\": 5,"
    "      \"noise_count\": 5, \"rate\": 100.0, \"noise_rate\": 100.0, \"regression\": false}]}]},"
    " \"samples\": [{\"time\": \"2030-01-01T00:00:00.000Z\", \"operation\": \"getPet\","
    "   \"request_id\": \"r1\", \"request\": {\"method\": \"GET\", \"target\": "
    "\"/pets/1?a=<x>&b\"},"
    "   \"primary\": {\"status\": 200, \"headers\": [[\"content-type\", \"application/json\"]],"
    "                \"body\": \"{\\\"name\\\":\\\"Rex\\\"}\", \"body_truncated\": false},"
    "   \"candidate\": {\"status\": 200, \"headers\": [], \"body\": \"{\\\"full_name\\\":1}\","
    "                  \"body_truncated\": true, \"body_bytes\": 99999},"
    "   \"differences\": [{\"kind\": \"extra\", \"path\": \"body.full_name\","
    "                     \"concrete_path\": \"body.full_name\", \"primary\": null,"
    "                     \"candidate\": \"1\", \"detail\": \"d'etail\"}]}]"
    "}]}";

static char *render(const char *text, size_t *len)
{
    json_error_t jerr;
    json_t *doc = json_loads(text, 0, &jerr);
    if (doc == NULL)
        fail_msg("bad test JSON: %s at %d:%d", jerr.text, jerr.line, jerr.column);
    char *html = gw_shadow__html_render(doc, len);
    json_decref(doc);
    assert_int_equal(strlen(html), *len);
    return html;
}

static void contains(const char *html, const char *s)
{
    if (strstr(html, s) == NULL)
        fail_msg("the page lacks: %s", s);
}

static void test_page(void **state)
{
    size_t len;
    char *html = render(doc_text, &len);
    assert_true(strncmp(html, "<!DOCTYPE html>", 15) == 0);
    contains(html, "<title>Shadow traffic</title>");
    contains(html, "<h2>pets v1 \u2192 http://c:1/&lt;b&gt; (secondary http://s:2)</h2>");
    contains(html, "<span class=\"verdict fail\">FAIL</span>");
    contains(html, "<b>7</b><span>mirrored</span>");
    contains(html, "<b>1</b><span>noise (secondary differed)</span>");
    contains(html, "<th>dropped</th><td>response_too_large 2</td>");
    contains(html, "<th>candidate errors</th><td>timeout 3</td>");
    contains(html, "<th>secondary errors</th><td>none</td>");
    contains(html, "<th>mean latency</th><td>primary 1.5 ms (5)</td>");
    contains(html, "<a href=\"#r0-g0\">getPet</a>");
    contains(html, "<code class=\"path\">body.full_name</code>");
    contains(html, "<span class=\"tag t-regression\">regression</span>");
    contains(html, "<code class=\"path\">body.nonce</code>");
    contains(html, "<span class=\"tag t-noise\">noise</span>");
    contains(html, "&quot;&lt;script&gt;alert(1)&lt;/script&gt;&quot;");
    contains(html, "/pets/1?a=&lt;x&gt;&amp;b");
    contains(html, "d&#39;etail");
    contains(html, "(99999 bytes in all)");
    contains(html, "<h4>primary</h4><pre>(absent)</pre>");
    contains(html, "Latest differing requests");
    assert_null(strstr(html, "<script>"));
    assert_null(strstr(html, "<x>"));
    free(html);
}

static void test_empty_and_malformed(void **state)
{
    size_t len;
    char *html = render("{\"shadows\": []}", &len);
    contains(html, "No API has shadow entries (docs/shadow.md).");
    free(html);
    html = render("{}", &len);
    contains(html, "No API has");
    free(html);
    /* wrong types everywhere: rendered as absent, never a crash */
    html = render("{\"shadows\": [{\"api\": 1, \"report\": {\"groups\": [{\"paths\": [{}]}, 7]},"
                  " \"samples\": [{\"request\": 5, \"differences\": [{}], \"primary\": {}}],"
                  " \"dropped\": [], \"latency\": \"x\"}]}",
                  &len);
    contains(html, "</html>");
    free(html);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_page),
        cmocka_unit_test(test_empty_and_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
