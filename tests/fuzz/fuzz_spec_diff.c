/* Fuzz target: `versa diff` (specs/diff*.c) on two specs, base and revision, separated by the
 * first NUL byte, then every report format. Properties: a spec compared with itself has no
 * finding; the JSON report is valid JSON (jansson agrees) for any pair. */
#include <assert.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "diff.h"
#include "spec.h"

static const spec_load_options_t load_opts = {.max_files = 1, .ref_root = "/nonexistent-fuzz-root"};

static spec_t *parse(const char *name, const char *buf, size_t len)
{
    spec_t *spec;
    spec_error_t err;
    return spec_parse(&spec, name, buf, len, &load_opts, &err) == 0 ? spec : NULL;
}

/* Every format to a sink; the JSON one parsed back. */
static void write_reports(const spec_diff_t *diff)
{
    static FILE *sink;
    if (sink == NULL && (sink = fopen("/dev/null", "w")) == NULL)
        abort();
    for (int f = SPEC_DIFF_TEXT; f <= SPEC_DIFF_JUNIT; f++)
        if (f != SPEC_DIFF_JSON)
            spec_diff_write(sink, diff, (spec_diff_format_t)f);
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    if (mem == NULL)
        abort();
    int rc = spec_diff_write(mem, diff, SPEC_DIFF_JSON);
    fclose(mem);
    if (rc == 0) {
        json_error_t jerr;
        json_t *j = json_loadb(buf, len, 0, &jerr);
        if (j == NULL) {
            fprintf(stderr, "JSON report does not parse: %s at %d:%d\n%.*s\n", jerr.text, jerr.line,
                    jerr.column, (int)len, buf);
            abort();
        }
        json_decref(j);
    }
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data, *end = text + size;
    const char *nul = memchr(text, '\0', size);
    if (nul == NULL)
        return 0;
    spec_t *base = parse("base.yaml", text, (size_t)(nul - text));
    spec_t *rev = base ? parse("revision.yaml", nul + 1, (size_t)(end - nul - 1)) : NULL;
    spec_diff_options_t opts = {.now = 1800000000, .max_pairs = 20000};
    spec_diff_t *diff;
    spec_error_t err;
    if (base != NULL && spec_diff_run(&diff, base, base, &opts, &err) == 0) {
        size_t n;
        spec_diff_findings(diff, &n);
        if (n != 0) {
            fprintf(stderr, "a spec compared with itself: %zu finding(s), first %s\n", n,
                    spec_diff_findings(diff, &n)[0].id);
            abort();
        }
        spec_diff_destroy(diff);
    }
    if (rev != NULL && spec_diff_run(&diff, base, rev, &opts, &err) == 0) {
        spec_diff_set_names(diff, "base.yaml", "revision.yaml");
        write_reports(diff);
        spec_diff_destroy(diff);
    }
    spec_destroy(base);
    spec_destroy(rev);
    return 0;
}
