/* JUnit XML rendering of a report, in the dialect CI systems read (Jenkins, GitLab, GitHub
 * reporters): a suite per group, a test case per (path, kind), a failure per failing path, and a
 * "replay" suite for upstream errors. */
#include <stdio.h>
#include <string.h>

#include "ct_buf.h"
#include "ct_render_int.h"

static void put_text(ct_buf_t *b, const char *s)
{
    if (s != NULL)
        ct__buf_markup(b, s, strlen(s));
}

static void put_sample(ct_buf_t *b, const json_t *p)
{
    const json_t *s = ct__jobj(p, "sample");
    if (s == NULL)
        return;
    ct__buf_puts(b, "sample");
    if (ct__jstr(s, "request_id") != NULL) {
        ct__buf_puts(b, " ");
        put_text(b, ct__jstr(s, "request_id"));
    }
    ct__buf_puts(b, " at ");
    put_text(b, ct__jstr(s, "concrete_path"));
    ct__buf_puts(b, "\nprimary:   ");
    put_text(b, ct__jstr(s, "primary") != NULL ? ct__jstr(s, "primary") : "(absent)");
    ct__buf_puts(b, "\ncandidate: ");
    put_text(b, ct__jstr(s, "candidate") != NULL ? ct__jstr(s, "candidate") : "(absent)");
    if (ct__jstr(s, "detail") != NULL) {
        ct__buf_puts(b, "\ndetail:    ");
        put_text(b, ct__jstr(s, "detail"));
    }
    if (ct__jstr(s, "curl") != NULL) {
        ct__buf_puts(b, "\nreproduce: ");
        put_text(b, ct__jstr(s, "curl"));
    }
    ct__buf_putc(b, '\n');
}

static void put_path(ct_buf_t *b, const char *group, const json_t *p, ct_fail_on_t fail_on)
{
    char summary[256];
    snprintf(summary, sizeof(summary), "%llu of the comparisons (%.2f%%), noise %llu (%.2f%%)%s",
             (unsigned long long)ct__jint(p, "count"), ct__jnum(p, "rate"),
             (unsigned long long)ct__jint(p, "noise_count"), ct__jnum(p, "noise_rate"),
             ct__jbool(p, "regression") ? ": regression" : "");
    ct__buf_puts(b, "    <testcase classname=\"");
    put_text(b, group);
    ct__buf_puts(b, "\" name=\"");
    put_text(b, ct__jstr(p, "kind"));
    ct__buf_puts(b, " ");
    put_text(b, ct__jstr(p, "path"));
    ct__buf_puts(b, "\">\n");
    if (ct_report_path_fails(p, fail_on)) {
        ct__buf_puts(b, "      <failure type=\"");
        ct__buf_puts(b, ct__jbool(p, "regression") ? "regression" : "difference");
        ct__buf_puts(b, "\" message=\"");
        put_text(b, summary);
        ct__buf_puts(b, "\">");
        put_sample(b, p);
        ct__buf_puts(b, "</failure>\n");
    } else {
        ct__buf_puts(b, "      <system-out>");
        put_text(b, summary);
        ct__buf_puts(b, "\n");
        put_sample(b, p);
        ct__buf_puts(b, "</system-out>\n");
    }
    ct__buf_puts(b, "    </testcase>\n");
}

static void put_group(ct_buf_t *b, const json_t *g, ct_fail_on_t fail_on)
{
    const char *name = ct__jstr(g, "group") != NULL ? ct__jstr(g, "group") : "";
    json_t *paths = ct__jarr(g, "paths");
    size_t failures = 0, i;
    json_t *p;
    json_array_foreach(paths, i, p) failures += ct_report_path_fails(p, fail_on) != 0;
    size_t tests = json_array_size(paths) != 0 ? json_array_size(paths) : 1;
    ct__buf_puts(b, "  <testsuite name=\"");
    put_text(b, name);
    ct__buf_printf(b, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"0\">\n", tests,
                   failures);
    ct__buf_printf(b,
                   "    <properties>\n"
                   "      <property name=\"compared\" value=\"%llu\"/>\n"
                   "      <property name=\"identical\" value=\"%llu\"/>\n"
                   "      <property name=\"differing\" value=\"%llu\"/>\n"
                   "      <property name=\"noise_compared\" value=\"%llu\"/>\n"
                   "    </properties>\n",
                   (unsigned long long)ct__jint(g, "compared"),
                   (unsigned long long)ct__jint(g, "identical"),
                   (unsigned long long)ct__jint(g, "differing"),
                   (unsigned long long)ct__jint(g, "noise_compared"));
    if (json_array_size(paths) == 0) {
        ct__buf_puts(b, "    <testcase classname=\"");
        put_text(b, name);
        ct__buf_printf(b, "\" name=\"responses identical (%llu compared)\"/>\n",
                       (unsigned long long)ct__jint(g, "compared"));
    }
    json_array_foreach(paths, i, p) put_path(b, name, p, fail_on);
    ct__buf_puts(b, "  </testsuite>\n");
}

/* Upstream errors as test errors: candidate errors fail under regression and any, the others
 * under any only (they prevent a comparison rather than show a difference). */
static void put_errors(ct_buf_t *b, const json_t *replay, ct_fail_on_t fail_on, size_t *errors,
                       size_t *tests)
{
    const json_t *errs = ct__jobj(replay, "errors");
    json_t *listed = ct__jarr(errs, "listed");
    if (json_array_size(listed) == 0)
        return;
    ct_buf_t cases = CT_BUF_INIT;
    size_t n_err = 0, i;
    json_t *e;
    json_array_foreach(listed, i, e)
    {
        const char *side = ct__jstr(e, "side") != NULL ? ct__jstr(e, "side") : "";
        int fails = fail_on == CT_FAIL_ON_ANY ||
                    ((fail_on == CT_FAIL_ON_REGRESSION || fail_on == CT_FAIL_ON_VIOLATIONS) &&
                     strcmp(side, "candidate") == 0);
        ct__buf_puts(&cases, "    <testcase classname=\"upstream errors\" name=\"");
        put_text(&cases, side);
        ct__buf_puts(&cases, " ");
        put_text(&cases, ct__jstr(e, "request_id"));
        ct__buf_puts(&cases, "\">\n      <");
        ct__buf_puts(&cases, fails ? "error" : "system-out");
        if (fails) {
            ct__buf_puts(&cases, " type=\"upstream error\" message=\"");
            put_text(&cases, ct__jstr(e, "message"));
            ct__buf_puts(&cases, "\"");
        }
        ct__buf_puts(&cases, ">");
        put_text(&cases, ct__jstr(e, "group"));
        ct__buf_puts(&cases, ": ");
        put_text(&cases, ct__jstr(e, "message"));
        if (ct__jstr(e, "curl") != NULL) {
            ct__buf_puts(&cases, "\nreproduce: ");
            put_text(&cases, ct__jstr(e, "curl"));
        }
        ct__buf_puts(&cases, fails ? "</error>\n" : "</system-out>\n");
        ct__buf_puts(&cases, "    </testcase>\n");
        n_err += fails != 0;
    }
    ct__buf_printf(b,
                   "  <testsuite name=\"upstream errors\" tests=\"%zu\" failures=\"0\" "
                   "errors=\"%zu\" skipped=\"0\">\n",
                   json_array_size(listed), n_err);
    ct__buf_append(b, cases.base, cases.len);
    ct__buf_puts(b, "  </testsuite>\n");
    ct__buf_dispose(&cases);
    *errors += n_err;
    *tests += json_array_size(listed);
}

typedef struct {
    ct_buf_t *b;
    int fails;
} violation_ctx_t;

static void put_violation(void *ctx, const ct__violation_t *v)
{
    const violation_ctx_t *c = ctx;
    ct_buf_t *b = c->b;
    ct__buf_puts(b, "    <testcase classname=\"");
    put_text(b, v->operation);
    ct__buf_puts(b, "\" name=\"");
    put_text(b, v->side);
    ct__buf_puts(b, " ");
    put_text(b, v->keyword);
    ct__buf_puts(b, " ");
    put_text(b, v->schema != NULL ? v->schema : "(no schema)");
    ct__buf_printf(b, "\">\n      <%s", c->fails ? "failure" : "system-out");
    if (c->fails) {
        ct__buf_printf(b, " type=\"contract violation\" message=\"%llu violation(s): ", v->count);
        put_text(b, v->message);
        ct__buf_puts(b, "\"");
    }
    ct__buf_puts(b, ">");
    put_text(b, v->request_id);
    ct__buf_puts(b, " ");
    put_text(b, v->pointer);
    ct__buf_puts(b, ": ");
    put_text(b, v->message);
    if (v->curl != NULL) {
        ct__buf_puts(b, "\nreproduce: ");
        put_text(b, v->curl);
    }
    ct__buf_printf(b, "</%s>\n    </testcase>\n", c->fails ? "failure" : "system-out");
}

/* "violations": a suite with one test case per (operation, side, keyword, schema location). */
static void put_violations(ct_buf_t *b, const json_t *report, ct_fail_on_t fail_on,
                           size_t *failures, size_t *tests)
{
    json_t *list = ct__jarr(report, "violations");
    if (json_array_size(list) == 0)
        return;
    violation_ctx_t c = {b, fail_on == CT_FAIL_ON_ANY || fail_on == CT_FAIL_ON_VIOLATIONS};
    ct__buf_printf(b,
                   "  <testsuite name=\"contract violations\" tests=\"%zu\" failures=\"%zu\" "
                   "errors=\"0\" skipped=\"0\">\n",
                   json_array_size(list), c.fails ? json_array_size(list) : 0);
    ct__report_foreach_violation(report, put_violation, &c);
    ct__buf_puts(b, "  </testsuite>\n");
    *tests += json_array_size(list);
    *failures += c.fails ? json_array_size(list) : 0;
}

char *ct_report_junit(const json_t *report, const ct_render_options_t *opts, size_t *len)
{
    ct_render_options_t o = {NULL, CT_FAIL_ON_REGRESSION};
    if (opts != NULL)
        o = *opts;
    ct_buf_t body = CT_BUF_INIT;
    size_t tests = 0, failures = 0, errors = 0, i;
    json_t *g, *p;
    json_array_foreach(ct__jarr(report, "groups"), i, g)
    {
        size_t k;
        json_t *paths = ct__jarr(g, "paths");
        tests += json_array_size(paths) != 0 ? json_array_size(paths) : 1;
        json_array_foreach(paths, k, p) failures += ct_report_path_fails(p, o.fail_on) != 0;
        put_group(&body, g, o.fail_on);
    }
    put_errors(&body, ct__jobj(report, "replay"), o.fail_on, &errors, &tests);
    put_violations(&body, report, o.fail_on, &failures, &tests);

    ct_buf_t b = CT_BUF_INIT;
    ct__buf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"");
    put_text(&b, o.title != NULL ? o.title : "Versa contract report");
    ct__buf_printf(&b, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\">\n", tests, failures,
                   errors);
    ct__buf_append(&b, body.base, body.len);
    ct__buf_puts(&b, "</testsuites>\n");
    ct__buf_dispose(&body);
    return ct__buf_steal(&b, len);
}
