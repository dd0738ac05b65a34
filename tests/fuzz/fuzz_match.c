/* Fuzz target: the request path matcher (specs/match.c, the segment trie spec-routed versions
 * use). Input: templates, one per line, then the request path on the last line; the templates
 * become a spec's paths. Properties: what matches is an indexed template; its captures are its
 * variables, each a non-empty piece of the path with no '/'; for a path and template without
 * '%' and a path without '?', writing the captures into the template gives the path back; a
 * template without variables that equals the path wins. */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "spec.h"

#define MAX_TEMPLATES 64

/* Appends `s` as a YAML double-quoted (JSON-style) scalar. */
static void quote(FILE *out, const char *s, size_t len)
{
    fputc('"', out);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c < 0x20 || c >= 0x7f)
            fprintf(out, "\\x%02x", c);
        else
            fputc(c, out);
    }
    fputc('"', out);
}

/* The template with each {variable} replaced by its capture, compared with the path. */
static int rebuilds(const spec_path_t *p, const spec_match_t *m, const char *path, size_t len)
{
    char out[8192];
    size_t o = 0, v = 0;
    for (const char *t = p->template; *t && o < sizeof(out); t++) {
        if (*t != '{') {
            out[o++] = *t;
            continue;
        }
        const char *close = strchr(t, '}');
        assert(close != NULL && v < m->count);
        if (o + m->vars[v].value_len > sizeof(out))
            return 1; /* too long to check */
        memcpy(out + o, m->vars[v].value, m->vars[v].value_len);
        o += m->vars[v++].value_len;
        t = close;
    }
    return o == len && memcmp(out, path, len) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data, *end = text + size;
    const char *last = memrchr(text, '\n', size);
    if (last == NULL || memchr(text, '\0', size) != NULL)
        return 0;
    char *yaml = NULL;
    size_t ylen = 0;
    FILE *out = open_memstream(&yaml, &ylen);
    fputs("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n", out);
    int n = 0;
    for (const char *line = text; line < last && n < MAX_TEMPLATES; n++) {
        const char *nl = memchr(line, '\n', (size_t)(last - line) + 1);
        fputs("  ", out);
        quote(out, line, (size_t)(nl - line));
        fputs(": {get: {responses: {'200': {description: ok}}}}\n", out);
        line = nl + 1;
    }
    fclose(out);
    spec_t *spec;
    spec_error_t err;
    spec_load_options_t opts = {.max_files = 1, .ref_root = "/nonexistent-fuzz-root"};
    if (spec_parse(&spec, "fuzz.yaml", yaml, ylen, &opts, &err) == 0) {
        const char *path = last + 1;
        size_t len = (size_t)(end - path);
        spec_match_t m;
        const spec_path_t *p = spec_match(spec, path, len, &m);
        int plain = memchr(path, '%', len) == NULL && memchr(path, '?', len) == NULL;
        if (p != NULL) {
            assert(p->indexed && m.count == p->nvars);
            for (size_t i = 0; i < m.count; i++) {
                assert(strcmp(m.vars[i].name, p->vars[i]) == 0);
                assert(m.vars[i].value_len > 0 && m.vars[i].value >= path &&
                       m.vars[i].value + m.vars[i].value_len <= end);
                assert(memchr(m.vars[i].value, '/', m.vars[i].value_len) == NULL);
            }
            /* (template literals are percent-decoded before matching: "%20" matches " ") */
            if (plain && strchr(p->template, '%') == NULL)
                assert(rebuilds(p, &m, path, len));
        }
        for (size_t i = 0; plain && i < spec_path_count(spec); i++) {
            const spec_path_t *lit = spec_path_at(spec, i);
            if (lit->indexed && lit->nvars == 0 && strlen(lit->template) == len &&
                memcmp(lit->template, path, len) == 0)
                assert(p == lit);
        }
        spec_destroy(spec);
    }
    free(yaml);
    return 0;
}
