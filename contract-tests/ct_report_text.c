/* The verdict rules shared by every rendering, and the plain-text rendering of a report. */
#include <stdio.h>
#include <string.h>

#include "ct_buf.h"
#include "ct_render_int.h"

int ct_fail_on_parse(const char *name, ct_fail_on_t *out)
{
    static const char *names[] = {"regression", "any", "none", "violations"};
    for (int i = 0; i < 4; i++) {
        if (strcmp(name, names[i]) == 0) {
            *out = (ct_fail_on_t)i;
            return 0;
        }
    }
    return -1;
}

const char *ct_fail_on_name(ct_fail_on_t fail_on)
{
    switch (fail_on) {
    case CT_FAIL_ON_REGRESSION:
        return "regression";
    case CT_FAIL_ON_ANY:
        return "any";
    case CT_FAIL_ON_NONE:
        return "none";
    case CT_FAIL_ON_VIOLATIONS:
        return "violations";
    }
    return "unknown";
}

int ct_report_fails(const json_t *report, ct_fail_on_t fail_on)
{
    switch (fail_on) {
    case CT_FAIL_ON_REGRESSION:
        return ct__jint(report, "regressions") != 0 || ct__replay_errors(report, "candidate") != 0;
    case CT_FAIL_ON_VIOLATIONS:
        return ct__jint(report, "regressions") != 0 ||
               ct__replay_errors(report, "candidate") != 0 || ct__violations(report) != 0;
    case CT_FAIL_ON_ANY:
        return ct__jint(report, "differing") != 0 || ct__replay_errors(report, "candidate") != 0 ||
               ct__replay_errors(report, "primary") != 0 ||
               ct__replay_errors(report, "secondary") != 0 || ct__violations(report) != 0;
    case CT_FAIL_ON_NONE:
        break;
    }
    return 0;
}

int ct_report_path_fails(const json_t *path, ct_fail_on_t fail_on)
{
    switch (fail_on) {
    case CT_FAIL_ON_REGRESSION:
    case CT_FAIL_ON_VIOLATIONS:
        return ct__jbool(path, "regression");
    case CT_FAIL_ON_ANY:
        return ct__jint(path, "count") != 0;
    case CT_FAIL_ON_NONE:
        break;
    }
    return 0;
}

/* Text: one line per fact, values as the report holds them (already display-safe excerpts); the
 * caller's strings are written as they are, since they are valid UTF-8 by construction. */

static void put_opt(ct_buf_t *b, const char *s)
{
    ct__buf_puts(b, s != NULL ? s : "(absent)");
}

static void put_sample(ct_buf_t *b, const json_t *path)
{
    const json_t *s = ct__jobj(path, "sample");
    if (s == NULL)
        return;
    ct__buf_puts(b, "      e.g. ");
    if (ct__jstr(s, "request_id") != NULL)
        ct__buf_printf(b, "%s ", ct__jstr(s, "request_id"));
    ct__buf_printf(b, "at %s%s: ", ct__jstr(s, "concrete_path") ? ct__jstr(s, "concrete_path") : "",
                   strcmp(ct__jstr(s, "source") ? ct__jstr(s, "source") : "", "noise") == 0
                       ? " (primary vs secondary)"
                       : "");
    put_opt(b, ct__jstr(s, "primary"));
    ct__buf_puts(b, " -> ");
    put_opt(b, ct__jstr(s, "candidate"));
    if (ct__jstr(s, "detail") != NULL)
        ct__buf_printf(b, " (%s)", ct__jstr(s, "detail"));
    ct__buf_putc(b, '\n');
    if (ct__jstr(s, "curl") != NULL)
        ct__buf_printf(b, "      %s\n", ct__jstr(s, "curl"));
}

static void put_group(ct_buf_t *b, const json_t *g, ct_fail_on_t fail_on)
{
    uint64_t compared = ct__jint(g, "compared");
    ct__buf_printf(b, "\n%s: %llu compared, %llu identical, %llu differing",
                   ct__jstr(g, "group") ? ct__jstr(g, "group") : "(unnamed)",
                   (unsigned long long)compared, (unsigned long long)ct__jint(g, "identical"),
                   (unsigned long long)ct__jint(g, "differing"));
    if (ct__jint(g, "noise_compared") != 0)
        ct__buf_printf(b, ", %llu noise comparisons",
                       (unsigned long long)ct__jint(g, "noise_compared"));
    if (ct__jint(g, "dropped_paths") != 0)
        ct__buf_printf(b, ", %llu paths not listed (limit)",
                       (unsigned long long)ct__jint(g, "dropped_paths"));
    ct__buf_putc(b, '\n');
    size_t i;
    json_t *p;
    json_array_foreach(ct__jarr(g, "paths"), i, p)
    {
        const char *verdict = ct__jbool(p, "regression") ? "REGRESSION" : "noise";
        if (!ct__jbool(p, "regression") && ct__jint(g, "noise_compared") == 0)
            verdict = "differs";
        ct__buf_printf(b, "  %-10s %s %s  %llu (%.2f%%), noise %llu (%.2f%%)%s\n", verdict,
                       ct__jstr(p, "kind") ? ct__jstr(p, "kind") : "?",
                       ct__jstr(p, "path") ? ct__jstr(p, "path") : "?",
                       (unsigned long long)ct__jint(p, "count"), ct__jnum(p, "rate"),
                       (unsigned long long)ct__jint(p, "noise_count"), ct__jnum(p, "noise_rate"),
                       ct_report_path_fails(p, fail_on) ? "  [fails]" : "");
        put_sample(b, p);
    }
}

static void put_replay(ct_buf_t *b, const json_t *r)
{
    const json_t *t = ct__jobj(r, "targets");
    ct__buf_printf(b, "primary %s, candidate %s",
                   ct__jstr(t, "primary") ? ct__jstr(t, "primary") : "?",
                   ct__jstr(t, "candidate") ? ct__jstr(t, "candidate") : "?");
    if (ct__jstr(t, "secondary") != NULL)
        ct__buf_printf(b, ", secondary %s", ct__jstr(t, "secondary"));
    const json_t *x = ct__jobj(r, "exchanges");
    ct__buf_printf(b, "\nexchanges: %llu read, %llu replayed, %llu skipped; %.1f s, %.0f/s\n",
                   (unsigned long long)ct__jint(x, "read"),
                   (unsigned long long)ct__jint(x, "replayed"),
                   (unsigned long long)ct__jint(x, "skipped"), ct__jnum(r, "elapsed_seconds"),
                   ct__jnum(r, "rate"));
    const json_t *sk = ct__jobj(r, "skipped");
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)sk, key, v)
    {
        if (json_is_integer(v) && json_integer_value(v) > 0)
            ct__buf_printf(b, "  skipped %s: %lld\n", key, (long long)json_integer_value(v));
    }
    if (ct__jbool(r, "partial"))
        ct__buf_printf(b, "PARTIAL REPORT: %s\n",
                       ct__jstr(r, "stop_reason") ? ct__jstr(r, "stop_reason") : "stopped early");
}

static const char *or_else(const char *s, const char *absent)
{
    return s != NULL ? s : absent;
}

static void put_violation(void *ctx, const ct__violation_t *v)
{
    ct_buf_t *b = ctx;
    ct__buf_printf(b, "  %s %s %s at %s: %llu\n", or_else(v->operation, "?"), or_else(v->side, "?"),
                   or_else(v->keyword, "?"), or_else(v->schema, "(no schema)"), v->count);
    if (v->sample != NULL)
        ct__buf_printf(b, "      e.g. %s %s: %s\n", or_else(v->request_id, "?"),
                       or_else(v->pointer, "?"), or_else(v->message, ""));
    if (v->curl != NULL)
        ct__buf_printf(b, "      %s\n", v->curl);
}

/* "violations": one line per (operation, side, keyword, schema location), with its example. */
static void put_violations(ct_buf_t *b, const json_t *report, ct_fail_on_t fail_on)
{
    if (json_array_size(ct__jarr(report, "violations")) == 0)
        return;
    int fails = fail_on == CT_FAIL_ON_ANY || fail_on == CT_FAIL_ON_VIOLATIONS;
    ct__buf_printf(b, "\ncontract violations: %llu%s\n", (unsigned long long)ct__violations(report),
                   fails ? "  [fails]" : "");
    ct__report_foreach_violation(report, put_violation, b);
}

static void put_listed(ct_buf_t *b, const json_t *r)
{
    const json_t *bad = ct__jobj(r, "bad_lines");
    if (ct__jint(bad, "count") != 0) {
        ct__buf_printf(b, "\nbad lines: %llu (skipped)\n",
                       (unsigned long long)ct__jint(bad, "count"));
        size_t i;
        json_t *e;
        json_array_foreach(ct__jarr(bad, "listed"), i, e)
        {
            ct__buf_printf(b, "  %s:%llu", ct__jstr(e, "file") ? ct__jstr(e, "file") : "?",
                           (unsigned long long)ct__jint(e, "line"));
            if (ct__jint(e, "column") != 0)
                ct__buf_printf(b, ":%llu", (unsigned long long)ct__jint(e, "column"));
            ct__buf_printf(b, ": %s\n", ct__jstr(e, "message") ? ct__jstr(e, "message") : "");
        }
    }
    const json_t *errs = ct__jobj(r, "errors");
    uint64_t total =
        ct__jint(errs, "primary") + ct__jint(errs, "candidate") + ct__jint(errs, "secondary");
    if (total != 0) {
        ct__buf_printf(b, "\nupstream errors: primary %llu, candidate %llu, secondary %llu\n",
                       (unsigned long long)ct__jint(errs, "primary"),
                       (unsigned long long)ct__jint(errs, "candidate"),
                       (unsigned long long)ct__jint(errs, "secondary"));
        size_t i;
        json_t *e;
        json_array_foreach(ct__jarr(errs, "listed"), i, e)
        {
            ct__buf_printf(b, "  %s %s (%s): %s\n", ct__jstr(e, "side") ? ct__jstr(e, "side") : "?",
                           ct__jstr(e, "request_id") ? ct__jstr(e, "request_id") : "?",
                           ct__jstr(e, "group") ? ct__jstr(e, "group") : "?",
                           ct__jstr(e, "message") ? ct__jstr(e, "message") : "");
            if (ct__jstr(e, "curl") != NULL)
                ct__buf_printf(b, "    %s\n", ct__jstr(e, "curl"));
        }
    }
}

char *ct_report_text(const json_t *report, const ct_render_options_t *opts, size_t *len)
{
    ct_render_options_t o = {NULL, CT_FAIL_ON_REGRESSION};
    if (opts != NULL)
        o = *opts;
    ct_buf_t b = CT_BUF_INIT;
    ct__buf_printf(&b, "%s: %llu compared, %llu identical, %llu differing, %llu regressions",
                   o.title != NULL ? o.title : "Versa contract report",
                   (unsigned long long)ct__jint(report, "compared"),
                   (unsigned long long)ct__jint(report, "identical"),
                   (unsigned long long)ct__jint(report, "differing"),
                   (unsigned long long)ct__jint(report, "regressions"));
    if (ct__jint(report, "noise_compared") != 0)
        ct__buf_printf(&b, " (%llu noise comparisons with the secondary)",
                       (unsigned long long)ct__jint(report, "noise_compared"));
    ct__buf_putc(&b, '\n');
    const json_t *r = ct__jobj(report, "replay");
    if (r != NULL)
        put_replay(&b, r);
    size_t i;
    json_t *g;
    json_array_foreach(ct__jarr(report, "groups"), i, g) put_group(&b, g, o.fail_on);
    if (ct__jint(report, "dropped_comparisons") != 0)
        ct__buf_printf(&b, "\n%llu comparisons not aggregated (group limit)\n",
                       (unsigned long long)ct__jint(report, "dropped_comparisons"));
    put_violations(&b, report, o.fail_on);
    if (r != NULL)
        put_listed(&b, r);
    int fails = ct_report_fails(report, o.fail_on);
    ct__buf_printf(&b, "\nresult: %s (--fail-on %s)\n", fails ? "FAIL" : "PASS",
                   ct_fail_on_name(o.fail_on));
    return ct__buf_steal(&b, len);
}
