/* Renderings of a comparison report for people and CI systems: text, JUnit XML and a
 * self-contained HTML page. Each takes the JSON of ct_report_to_json(), optionally extended by
 * `versa replay` (a "replay" member, "curl" in samples; docs/replay.md) and, for HTML, by the
 * gateway's shadowing (the members below), so that the gateway's /shadow page and
 * `versa replay --format html` share one renderer.
 *
 * Members only the HTML renderer reads, each optional:
 *   "heading":   string, the report's title on a page of several (ct_report_html_page)
 *   "counters":  [[label, integer], ...], shown after the report's own counts
 *   "facts":     [[label, text], ...], a table under the counts
 *   "exchanges": the latest differing exchanges, newest first, as diff log lines
 *                (docs/shadow.md): {time, operation, request_id, request: {method, target},
 *                primary and candidate: {status, headers: [[name, value]], body,
 *                body_truncated, body_bytes}, differences: [{kind, concrete_path, primary,
 *                candidate, detail}]}; present but empty shows "None yet."
 *
 * Read by every renderer and by the verdict (CT_FAIL_ON_VIOLATIONS, CT_FAIL_ON_ANY):
 *   "violations": contract violations of the candidate's answers against its spec (`versa
 *                replay --validate`, shadowing with `validate: true`, the gateway's /contract
 *                page), most frequent first: [{operation, side, keyword, schema (its "#/..."
 *                location or null), count, sample: {request_id, pointer, message, curl}}]. A
 *                report without the diff engine's members ("compared") shows only these. */
#ifndef CT_REPORT_RENDER_H
#define CT_REPORT_RENDER_H

#include <jansson.h>
#include <stddef.h>

/* What makes a run fail (the exit status of `versa replay`, failures in JUnit). */
typedef enum ct_fail_on {
    CT_FAIL_ON_REGRESSION, /* regressions (paths beyond noise), and candidate errors */
    CT_FAIL_ON_ANY,        /* any candidate difference or any upstream error */
    CT_FAIL_ON_NONE,       /* nothing */
    CT_FAIL_ON_VIOLATIONS, /* what `regression` fails on, and any contract violation */
} ct_fail_on_t;

/* "regression", "any", "none", "violations"; returns 0, or -1 for another name. */
int ct_fail_on_parse(const char *name, ct_fail_on_t *out);
const char *ct_fail_on_name(ct_fail_on_t fail_on);

typedef struct st_ct_render_options_t {
    const char
        *title; /* heading of the HTML page and JUnit suites; NULL: "Versa contract report" */
    ct_fail_on_t fail_on;
    const char *empty; /* ct_report_html_page without reports says this; NULL: "No reports." */
} ct_render_options_t;

/* Whether the report fails under fail_on: totals "regressions" / "differing", the counts of
 * "replay.errors" and of "violations" when present. Members that are absent count as 0. */
int ct_report_fails(const json_t *report, ct_fail_on_t fail_on);

/* Whether one entry of groups[].paths[] fails under fail_on. */
int ct_report_path_fails(const json_t *path, ct_fail_on_t fail_on);

/* Each returns a new NUL-terminated string (free() it) with its length in *len (may be NULL).
 * They never fail: members that are absent or of the wrong type are rendered as absent. Strings
 * are escaped for the output format, so any report (including hostile paths and excerpts) renders
 * safely. opts may be NULL. Thread-safe. */
char *ct_report_text(const json_t *report, const ct_render_options_t *opts, size_t *len);
char *ct_report_junit(const json_t *report, const ct_render_options_t *opts, size_t *len);
/* A complete HTML5 page with inline CSS, no scripts and no external resources. */
char *ct_report_html(const json_t *report, const ct_render_options_t *opts, size_t *len);
/* The same page for an array of reports (the gateway's /shadow page: one per shadow entry), each
 * under its "heading" with its own verdict; anything but an array renders as no reports. */
char *ct_report_html_page(const json_t *reports, const ct_render_options_t *opts, size_t *len);

#endif
