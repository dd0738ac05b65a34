/* Tests of ct_report_junit.c: the XML is well-formed (checked by a small XML 1.0 checker: nesting,
 * quoting, entities, characters), test and failure counts follow --fail-on, and hostile strings
 * stay text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>

#include "ct_render_test.h"

/* A well-formedness check for the subset of XML the renderer writes: a prolog, elements with
 * double-quoted attributes, text, and the five predefined entities or numeric references.
 * Returns NULL, or what is wrong. Counts elements by name into *testcases and *failures. */
static const char *xml_check(const char *s, int *testcases, int *failures, int *errors)
{
    const char *stack[64];
    size_t stack_len[64], depth = 0;
    int root_seen = 0;
    if (strncmp(s, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", 39) != 0)
        return "no XML declaration";
    s += 39;
    while (*s) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 && c != '\n' && c != '\t' && c != '\r')
            return "control character";
        if (c == '&') {
            const char *ents[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&#39;"};
            size_t k;
            for (k = 0; k < 5 && strncmp(s, ents[k], strlen(ents[k])) != 0; k++)
                ;
            if (k == 5)
                return "bad entity";
            s += strlen(ents[k]);
            continue;
        }
        if (c == '>')
            return "bare '>' in text";
        if (c != '<') {
            if (depth == 0 && c != '\n')
                return "text outside the root";
            s++;
            continue;
        }
        if (s[1] == '/') {
            const char *name = s + 2;
            size_t n = strcspn(name, ">");
            if (depth == 0 || n != stack_len[depth - 1] || strncmp(name, stack[depth - 1], n) != 0)
                return "mismatched end tag";
            depth--;
            s = name + n + 1;
            continue;
        }
        const char *name = s + 1;
        size_t n = strcspn(name, " />");
        if (n == 0)
            return "empty tag name";
        if (depth == 0 && root_seen)
            return "two roots";
        root_seen = 1;
        if (n == 8 && strncmp(name, "testcase", 8) == 0)
            (*testcases)++;
        if (n == 7 && strncmp(name, "failure", 7) == 0)
            (*failures)++;
        if (n == 5 && strncmp(name, "error", 5) == 0)
            (*errors)++;
        const char *p = name + n;
        for (;;) {
            while (*p == ' ')
                p++;
            if (*p == '>' || (p[0] == '/' && p[1] == '>'))
                break;
            size_t an = strcspn(p, "=");
            if (an == 0 || p[an] != '=' || p[an + 1] != '"')
                return "bad attribute";
            p += an + 2;
            while (*p && *p != '"') {
                if (*p == '<')
                    return "'<' in an attribute";
                if ((unsigned char)*p < 0x20 && *p != '\n' && *p != '\t')
                    return "control character in an attribute";
                p++;
            }
            if (*p != '"')
                return "unterminated attribute";
            p++;
        }
        if (*p == '/') {
            s = p + 2;
        } else {
            if (depth == 64)
                return "too deep";
            stack[depth] = name;
            stack_len[depth++] = n;
            s = p + 1;
        }
    }
    return depth == 0 && root_seen ? NULL : "unclosed elements";
}

static char *render(const json_t *report, ct_fail_on_t fail_on)
{
    ct_render_options_t o = {NULL, fail_on};
    size_t len;
    char *xml = ct_report_junit(report, &o, &len);
    assert_int_equal(strlen(xml), len);
    return xml;
}

static void well_formed_with_failures_per_threshold(void **state)
{
    json_t *report = ct_test_report(1, 1);
    struct {
        ct_fail_on_t fail_on;
        int failures, errors;
    } cases[] = {{CT_FAIL_ON_REGRESSION, 2, 1}, {CT_FAIL_ON_ANY, 3, 1}, {CT_FAIL_ON_NONE, 0, 0}};
    for (size_t i = 0; i < 3; i++) {
        char *xml = render(report, cases[i].fail_on);
        int testcases = 0, failures = 0, errors = 0;
        const char *problem = xml_check(xml, &testcases, &failures, &errors);
        if (problem != NULL)
            fail_msg("%s in:\n%s", problem, xml);
        /* getPet: name (regression) and ts (noise); listPets: one identical case; hostile: one
         * regression (value changed); upstream errors: one */
        assert_int_equal(testcases, 5);
        assert_int_equal(failures, cases[i].failures);
        assert_int_equal(errors, cases[i].errors);
        char expect[128];
        snprintf(expect, sizeof(expect), "tests=\"5\" failures=\"%d\" errors=\"%d\"",
                 cases[i].failures, cases[i].errors);
        assert_non_null(strstr(xml, expect));
        assert_null(strstr(xml, "<script>"));
        assert_non_null(strstr(xml, "&lt;script&gt;"));
        assert_non_null(strstr(xml, "responses identical (10 compared)"));
        assert_non_null(strstr(xml, "reproduce: curl -i &#39;http://h/pets?a=1&amp;b="));
        free(xml);
    }
    json_decref(report);
}

static void tolerates_partial_documents(void **state)
{
    json_t *empty = json_object();
    char *xml = render(empty, CT_FAIL_ON_ANY);
    int t = 0, f = 0, e = 0;
    assert_null(xml_check(xml, &t, &f, &e));
    assert_int_equal(t, 0);
    free(xml);
    json_decref(empty);
    json_t *odd =
        json_pack("{s:[{s:i, s:[i, {s:[]}]}]}", "groups", "group", 3, "paths", 1, "path", "x");
    xml = render(odd, CT_FAIL_ON_ANY);
    assert_null(xml_check(xml, &t, &f, &e));
    free(xml);
    json_decref(odd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(well_formed_with_failures_per_threshold),
        cmocka_unit_test(tolerates_partial_documents),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
