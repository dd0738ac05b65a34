/* Tests of ct_report_text.c: the verdict rules (--fail-on, replay errors) and the text rendering.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>

#include "ct_render_test.h"

static void fail_on_names(void **state)
{
    ct_fail_on_t f;
    assert_int_equal(ct_fail_on_parse("regression", &f), 0);
    assert_int_equal(f, CT_FAIL_ON_REGRESSION);
    assert_int_equal(ct_fail_on_parse("any", &f), 0);
    assert_int_equal(f, CT_FAIL_ON_ANY);
    assert_int_equal(ct_fail_on_parse("none", &f), 0);
    assert_int_equal(f, CT_FAIL_ON_NONE);
    assert_int_equal(ct_fail_on_parse("all", &f), -1);
    assert_string_equal(ct_fail_on_name(CT_FAIL_ON_ANY), "any");
    assert_int_equal(ct_fail_on_parse("violations", &f), 0);
    assert_int_equal(f, CT_FAIL_ON_VIOLATIONS);
    assert_string_equal(ct_fail_on_name(CT_FAIL_ON_VIOLATIONS), "violations");
}

/* "violations" fail under violations and any, never under regression; rendered in text with an
 * example and its curl command. */
static void violations_verdict_and_text(void **state)
{
    json_t *r = json_pack("{s:i, s:i, s:[{s:s, s:s, s:s, s:s, s:i, s:{s:s, s:s, s:s, s:s}}]}",
                          "regressions", 0, "differing", 0, "violations", "operation", "getPet",
                          "side", "response", "keyword", "enum", "schema", "#/components/x",
                          "count", 3, "sample", "request_id", "cap:1", "pointer", "/body/x",
                          "message", "must be one of", "curl", "curl -i 'http://c/pets/1'");
    assert_false(ct_report_fails(r, CT_FAIL_ON_REGRESSION));
    assert_true(ct_report_fails(r, CT_FAIL_ON_VIOLATIONS));
    assert_true(ct_report_fails(r, CT_FAIL_ON_ANY));
    assert_false(ct_report_fails(r, CT_FAIL_ON_NONE));
    ct_render_options_t o = {"versa replay", CT_FAIL_ON_VIOLATIONS};
    char *text = ct_report_text(r, &o, NULL);
    assert_non_null(strstr(text, "contract violations: 3  [fails]"));
    assert_non_null(strstr(text, "getPet response enum at #/components/x: 3"));
    assert_non_null(strstr(text, "e.g. cap:1 /body/x: must be one of"));
    assert_non_null(strstr(text, "curl -i 'http://c/pets/1'"));
    assert_non_null(strstr(text, "result: FAIL (--fail-on violations)"));
    free(text);
    char *xml = ct_report_junit(r, &o, NULL);
    assert_non_null(strstr(xml, "<testsuite name=\"contract violations\" tests=\"1\" failures=\"1\""));
    free(xml);
    o.fail_on = CT_FAIL_ON_REGRESSION;
    xml = ct_report_junit(r, &o, NULL);
    assert_non_null(strstr(xml, "failures=\"0\""));
    assert_null(strstr(xml, "<failure"));
    free(xml);
    char *html = ct_report_html(r, &o, NULL);
    assert_non_null(strstr(html, "Contract violations"));
    assert_non_null(strstr(html, "#/components/x"));
    assert_null(strstr(html, "No comparisons yet.")); /* a report of violations alone */
    free(html);
    json_decref(r);
}

static void verdicts(void **state)
{
    json_t *r = json_pack("{s:i, s:i}", "regressions", 0, "differing", 0);
    assert_false(ct_report_fails(r, CT_FAIL_ON_REGRESSION));
    assert_false(ct_report_fails(r, CT_FAIL_ON_ANY));
    json_object_set_new(r, "differing", json_integer(3)); /* noise-explained differences */
    assert_false(ct_report_fails(r, CT_FAIL_ON_REGRESSION));
    assert_true(ct_report_fails(r, CT_FAIL_ON_ANY));
    assert_false(ct_report_fails(r, CT_FAIL_ON_NONE));
    json_object_set_new(r, "differing", json_integer(0));
    json_object_set_new(r, "replay",
                        json_pack("{s:{s:i, s:i}}", "errors", "primary", 2, "candidate", 0));
    assert_false(ct_report_fails(r, CT_FAIL_ON_REGRESSION)); /* no comparison, no regression */
    assert_true(ct_report_fails(r, CT_FAIL_ON_ANY));
    json_object_set_new(r, "replay", json_pack("{s:{s:i}}", "errors", "candidate", 1));
    assert_true(ct_report_fails(r, CT_FAIL_ON_REGRESSION)); /* the candidate failed to answer */
    json_object_set_new(r, "regressions", json_integer(1));
    json_object_del(r, "replay");
    assert_true(ct_report_fails(r, CT_FAIL_ON_REGRESSION));
    assert_false(ct_report_fails(r, CT_FAIL_ON_NONE));
    json_decref(r);
}

static void text_lists_groups_paths_and_samples(void **state)
{
    json_t *report = ct_test_report(1, 1);
    ct_render_options_t o = {"versa replay", CT_FAIL_ON_REGRESSION};
    size_t len;
    char *text = ct_report_text(report, &o, &len);
    assert_int_equal(strlen(text), len);
    assert_non_null(strstr(text, "versa replay: 21 compared, 10 identical, 11 differing, 2 "
                                 "regressions"));
    assert_non_null(strstr(text, "getPet: 10 compared, 0 identical, 10 differing"));
    assert_non_null(strstr(text, "REGRESSION value_changed body.name  5 (50.00%), noise 0 "
                                 "(0.00%)  [fails]"));
    assert_non_null(strstr(text, "noise      value_changed body.ts  10 (100.00%), noise 10"));
    assert_non_null(strstr(text, "e.g. cap.jsonl:1 at body.name: \"Rex\" -> \"rex\""));
    assert_non_null(strstr(text, "curl -i 'http://h/pets?a=1&b="));
    assert_non_null(strstr(text, "listPets: 10 compared, 10 identical, 0 differing"));
    assert_non_null(strstr(text, "bad lines: 2 (skipped)\n  cap.jsonl:7: invalid JSON"));
    assert_non_null(strstr(text, "upstream errors: primary 0, candidate 1, secondary 0"));
    assert_non_null(strstr(text, "skipped unsafe_method: 1"));
    assert_non_null(strstr(text, "result: FAIL (--fail-on regression)"));
    free(text);
    o.fail_on = CT_FAIL_ON_NONE;
    text = ct_report_text(report, &o, NULL);
    assert_non_null(strstr(text, "result: PASS (--fail-on none)"));
    assert_null(strstr(text, "[fails]"));
    free(text);
    json_decref(report);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fail_on_names),
        cmocka_unit_test(verdicts),
        cmocka_unit_test(violations_verdict_and_text),
        cmocka_unit_test(text_lists_groups_paths_and_samples),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
