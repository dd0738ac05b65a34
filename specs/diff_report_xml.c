/* Renderers of the spec diff for report pages and CI systems: HTML, SARIF 2.1.0 (code
 * scanning) and JUnit XML (test reporters). */
#include <string.h>
#include "diff_internal.h"

static void write_html(FILE *out, const spec_diff_t *d)
{
    fputs("<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>versa diff</title>\n"
          "<style>body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse}"
          "td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}"
          ".error{color:#b00}.warning{color:#a60}.info{color:#555}code{font-size:12px}</style>"
          "</head><body>\n<h1>API changes</h1>\n",
          out);
    if (d->base_name != NULL) {
        fputs("<p><code>", out);
        spec__xml_escape(out, d->base_name);
        fputs("</code> → <code>", out);
        spec__xml_escape(out, d->revision_name);
        fputs("</code></p>\n", out);
    }
    fprintf(out, "<p>%zu errors, %zu warnings, %zu infos</p>\n",
            spec_diff_count(d, SPEC_DIFF_ERROR),
            spec_diff_count(d, SPEC_DIFF_WARNING) - spec_diff_count(d, SPEC_DIFF_ERROR),
            spec_diff_count(d, SPEC_DIFF_INFO) - spec_diff_count(d, SPEC_DIFF_WARNING));
    fputs("<table><tr><th>level</th><th>check</th><th>operation</th><th>change</th>"
          "<th>where</th><th>adapters</th></tr>\n",
          out);
    for (size_t k = 0; k != d->n; ++k) {
        const spec_diff_finding_t *f = &d->items[k];
        const char *lv = spec_diff_level_name(f->level);
        fprintf(out, "<tr class=\"%s\"><td>%s</td><td><code>%s</code></td><td>", lv, lv, f->id);
        spec__xml_escape(out, f->operation);
        fputs("</td><td>", out);
        spec__xml_escape(out, f->message);
        fputs("</td><td><code>", out);
        spec__xml_escape(out, f->file);
        fprintf(out, ":%u:%u</code><br><code>", f->line, f->col);
        spec__xml_escape(out, f->path);
        fputs("</code></td><td>", out);
        spec__xml_escape(out, f->covered_by ? f->covered_by : f->uncovered ? "uncovered" : "");
        fputs("</td></tr>\n", out);
    }
    fputs("</table>\n</body></html>\n", out);
}

static void write_sarif(FILE *out, const spec_diff_t *d)
{
    static const char *sarif_level[] = {"error", "warning", "note"};
    fputs("{\"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\", \"version\": "
          "\"2.1.0\",\n \"runs\": [{\"tool\": {\"driver\": {\"name\": \"versa diff\", "
          "\"informationUri\": \"https://github.com/versa/versa/blob/main/docs/diff.md\", "
          "\"rules\": [",
          out);
    size_t n;
    const spec_diff_check_t *checks = spec_diff_checks(&n);
    for (size_t i = 0; i != n; ++i) {
        fprintf(out, "%s\n  {\"id\": \"%s\", \"shortDescription\": {\"text\": ", i ? "," : "",
                checks[i].id);
        spec__diff_json_string(out, checks[i].description);
        fprintf(out, "}, \"defaultConfiguration\": {\"level\": \"%s\"}}",
                sarif_level[checks[i].level]);
    }
    fputs("]}},\n \"results\": [", out);
    for (size_t k = 0; k != d->n; ++k) {
        const spec_diff_finding_t *f = &d->items[k];
        fprintf(out, "%s\n  {\"ruleId\": \"%s\", \"level\": \"%s\", \"message\": {\"text\": ",
                k ? "," : "", f->id, sarif_level[f->level]);
        char msg[1600];
        snprintf(msg, sizeof(msg), "%s%s%s%s", f->operation ? f->operation : "",
                 f->operation ? ": " : "", f->message,
                 f->uncovered ? " (not covered by the adapters)" : "");
        spec__diff_json_string(out, msg);
        fputs("}, \"locations\": [{\"physicalLocation\": {\"artifactLocation\": {\"uri\": ", out);
        spec__diff_json_string(out, f->file ? f->file : "");
        fprintf(out, "}, \"region\": {\"startLine\": %u, \"startColumn\": %u}}",
                f->line ? f->line : 1, f->col ? f->col : 1);
        fputs(", \"logicalLocations\": [{\"fullyQualifiedName\": ", out);
        spec__diff_json_string(out, f->path);
        fputs("}]}]}", out);
    }
    fputs(d->n ? "\n ]}]}\n" : "]}]}\n", out);
}

static void write_junit(FILE *out, const spec_diff_t *d)
{
    size_t failures = spec_diff_count(d, SPEC_DIFF_WARNING);
    fprintf(out,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"versa diff\" "
            "tests=\"%zu\" failures=\"%zu\">\n<testsuite name=\"",
            d->n, failures);
    spec__xml_escape(out, d->revision_name ? d->revision_name : "versa diff");
    fprintf(out, "\" tests=\"%zu\" failures=\"%zu\">\n", d->n, failures);
    for (size_t k = 0; k != d->n; ++k) {
        const spec_diff_finding_t *f = &d->items[k];
        fputs("  <testcase classname=\"", out);
        spec__xml_escape(out, f->operation ? f->operation : "spec");
        fprintf(out, "\" name=\"%s ", f->id);
        spec__xml_escape(out, f->path);
        fputs("\"", out);
        if (f->level == SPEC_DIFF_INFO) {
            fputs("/>\n", out);
            continue;
        }
        fprintf(out, ">\n    <failure type=\"%s\" message=\"", spec_diff_level_name(f->level));
        spec__xml_escape(out, f->message);
        fprintf(out, "\">%s:%u:%u ", f->file ? f->file : "", f->line, f->col);
        spec__xml_escape(out, f->message);
        fputs("</failure>\n  </testcase>\n", out);
    }
    fputs("</testsuite>\n</testsuites>\n", out);
}

int spec__diff_write_xml(FILE *out, const spec_diff_t *d, spec_diff_format_t format)
{
    if (format == SPEC_DIFF_HTML)
        write_html(out, d);
    else if (format == SPEC_DIFF_SARIF)
        write_sarif(out, d);
    else
        write_junit(out, d);
    return 0;
}
