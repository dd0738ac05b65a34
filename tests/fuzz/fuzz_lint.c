/* Fuzz target: `versa lint` on its own: a ruleset (YAML) and a spec, separated by the first NUL
 * byte (no NUL: the spec alone, every rule at its default severity), then every output format.
 * fuzz_spec drives the loader with every rule; this one adds rulesets and the writers.
 * Properties: findings come sorted by line and column; the JSON and SARIF reports are valid JSON
 * (jansson agrees). */
#include <assert.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lint.h"
#include "spec.h"

static void check_json(const spec_lint_t *lint, spec_lint_format_t format)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    if (mem == NULL)
        abort();
    spec_lint_write_options_t wo = {.min_severity = SPEC_LINT_HINT};
    int rc = spec_lint_write(mem, lint, format, &wo);
    fclose(mem);
    json_error_t jerr;
    json_t *j = rc == 0 ? json_loadb(buf, len, 0, &jerr) : NULL;
    if (rc == 0 && j == NULL) {
        fprintf(stderr, "report does not parse: %s\n%.*s\n", jerr.text, (int)len, buf);
        abort();
    }
    json_decref(j);
    free(buf);
}

static void write_reports(const spec_lint_t *lint)
{
    static FILE *sink;
    if (sink == NULL && (sink = fopen("/dev/null", "w")) == NULL)
        abort();
    spec_lint_write_options_t wo = {.min_severity = SPEC_LINT_HINT, .color = 1};
    spec_lint_write(sink, lint, SPEC_LINT_STYLISH, &wo);
    spec_lint_write(sink, lint, SPEC_LINT_GITHUB, &wo);
    spec_lint_write(sink, lint, SPEC_LINT_JUNIT, &wo);
    check_json(lint, SPEC_LINT_JSON);
    check_json(lint, SPEC_LINT_SARIF);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data, *end = text + size;
    const char *nul = memchr(text, '\0', size);
    spec_error_t err;
    spec_ruleset_t *rs = NULL;
    if (nul != NULL &&
        spec_ruleset_parse(&rs, ".spectral.yaml", text, (size_t)(nul - text), &err) != 0)
        return 0;
    const char *spec_text = nul ? nul + 1 : text;
    spec_load_options_t opts = {.max_files = 1, .ref_root = "/nonexistent-fuzz-root"};
    spec_t *spec;
    spec_lint_t *lint;
    spec_lint_options_t lo = {.ruleset = rs, .load = &opts};
    if (spec_parse(&spec, "fuzz.yaml", spec_text, (size_t)(end - spec_text), &opts, &err) == 0) {
        if (spec_lint_create(&lint, &lo, &err) == 0) {
            spec_lint_spec(lint, spec);
            size_t n;
            const spec_finding_t *f = spec_lint_findings(lint, &n);
            for (size_t i = 1; i < n; i++)
                assert(strcmp(f[i - 1].file, f[i].file) != 0 || f[i - 1].line < f[i].line ||
                       (f[i - 1].line == f[i].line && f[i - 1].col <= f[i].col));
            write_reports(lint);
            spec_lint_destroy(lint);
        }
        spec_destroy(spec);
    }
    spec_ruleset_destroy(rs);
    return 0;
}
