/* Lint output formats: stylish (people), JSON, SARIF 2.1.0 (code scanning), GitHub Actions
 * workflow commands (annotations) and JUnit XML (CI test reports). */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include "lint_internal.h"

#ifndef VERSA_VERSION
#define VERSA_VERSION "dev"
#endif

static const char *const format_names[] = {"stylish", "json", "sarif", "github", "junit"};

int spec_lint_format_parse(const char *s, spec_lint_format_t *out)
{
    for (size_t i = 0; i < sizeof(format_names) / sizeof(format_names[0]); ++i) {
        if (strcmp(s, format_names[i]) == 0) {
            *out = (spec_lint_format_t)i;
            return 0;
        }
    }
    return -1;
}

typedef struct {
    FILE *out;
    const spec_lint_t *lint;
    const spec_lint_write_options_t *opts;
    const spec_finding_t *findings;
    size_t nfindings;
} writer_t;

static int shown(const writer_t *w, const spec_finding_t *f)
{
    return f->severity <= w->opts->min_severity;
}

typedef struct {
    size_t by_severity[4];
    size_t total;
} counts_t;

static counts_t count(const writer_t *w, size_t first, size_t n)
{
    counts_t c = {{0}, 0};
    for (size_t i = first; i < first + n; ++i) {
        if (!shown(w, &w->findings[i]))
            continue;
        ++c.by_severity[w->findings[i].severity];
        ++c.total;
    }
    return c;
}

/* ---- stylish ---- */

#define RED "\033[31m"
#define YELLOW "\033[33m"
#define BLUE "\033[34m"
#define DIM "\033[2m"
#define BOLD "\033[1m"
#define GREEN "\033[32m"
#define RESET "\033[0m"

static const char *severity_color(spec_lint_severity_t s)
{
    return s == SPEC_LINT_ERROR ? RED : s == SPEC_LINT_WARN ? YELLOW : BLUE;
}

static const char *plural(size_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

/* A JSON pointer the way Spectral's stylish output shows paths: "paths./pets/{id}.get". */
static void write_dotted(FILE *out, const char *pointer)
{
    for (const char *p = pointer; *p != '\0'; ++p) {
        if (*p == '/') {
            if (p != pointer)
                fputc('.', out);
        } else if (p[0] == '~' && (p[1] == '0' || p[1] == '1'))
            fputc(*++p == '0' ? '~' : '/', out);
        else
            fputc(*p, out);
    }
}

static void write_stylish(const writer_t *w)
{
    FILE *out = w->out;
    int color = w->opts->color;
    size_t i = 0;
    while (i < w->nfindings) {
        /* a group: consecutive findings in one file */
        size_t end = i, pos_w = 0, rule_w = 0, any = 0;
        while (end < w->nfindings && w->findings[end].file == w->findings[i].file) {
            const spec_finding_t *f = &w->findings[end++];
            if (!shown(w, f))
                continue;
            char pos[32];
            size_t pl = (size_t)snprintf(pos, sizeof(pos), "%u:%u", f->line, f->col);
            pos_w = pl > pos_w ? pl : pos_w;
            rule_w = strlen(f->rule) > rule_w ? strlen(f->rule) : rule_w;
            any = 1;
        }
        if (any) {
            fprintf(out, "%s%s%s\n", color ? BOLD : "", w->findings[i].file, color ? RESET : "");
            for (size_t k = i; k < end; ++k) {
                const spec_finding_t *f = &w->findings[k];
                if (!shown(w, f))
                    continue;
                char pos[32];
                snprintf(pos, sizeof(pos), "%u:%u", f->line, f->col);
                fprintf(out, " %*s  %s%-5s%s  %-*s  %s", (int)pos_w, pos,
                        color ? severity_color(f->severity) : "",
                        spec_lint_severity_name(f->severity), color ? RESET : "", (int)rule_w,
                        f->rule, f->message);
                if (f->path[0] != '\0') {
                    fprintf(out, "  %s", color ? DIM : "");
                    write_dotted(out, f->path);
                    fputs(color ? RESET : "", out);
                }
                fputc('\n', out);
            }
            fputc('\n', out);
        }
        i = end;
    }
    counts_t c = count(w, 0, w->nfindings);
    size_t files = spec_lint_file_count(w->lint);
    if (c.total == 0) {
        if (!w->opts->quiet)
            fprintf(out, "%s✔ No problems found in %zu %s%s\n", color ? GREEN : "", files,
                    plural(files, "file", "files"), color ? RESET : "");
        return;
    }
    fprintf(out, "%s✖ %zu %s (%zu %s, %zu %s, %zu %s, %zu %s) in %zu %s%s\n",
            color ? (c.by_severity[SPEC_LINT_ERROR] ? RED BOLD : YELLOW BOLD) : "", c.total,
            plural(c.total, "problem", "problems"), c.by_severity[SPEC_LINT_ERROR],
            plural(c.by_severity[SPEC_LINT_ERROR], "error", "errors"),
            c.by_severity[SPEC_LINT_WARN],
            plural(c.by_severity[SPEC_LINT_WARN], "warning", "warnings"),
            c.by_severity[SPEC_LINT_INFO], plural(c.by_severity[SPEC_LINT_INFO], "info", "infos"),
            c.by_severity[SPEC_LINT_HINT], plural(c.by_severity[SPEC_LINT_HINT], "hint", "hints"),
            files, plural(files, "file", "files"), color ? RESET : "");
}

/* ---- json ---- */

static int dump(const writer_t *w, json_t *doc)
{
    if (doc == NULL)
        return -1; /* json_pack refused its arguments: a programming error */
    int r = json_dumpf(doc, w->out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(doc);
    if (r == 0)
        fputc('\n', w->out);
    return r == 0 ? 0 : -1;
}

static int write_json(const writer_t *w)
{
    json_t *files = json_array(), *findings = json_array();
    for (size_t i = 0; i < spec_lint_file_count(w->lint); ++i)
        json_array_append_new(files, json_string(spec_lint_file_name(w->lint, i)));
    for (size_t i = 0; i < w->nfindings; ++i) {
        const spec_finding_t *f = &w->findings[i];
        if (!shown(w, f))
            continue;
        json_array_append_new(findings,
                              json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:s}", "rule", f->rule,
                                        "severity", spec_lint_severity_name(f->severity), "message",
                                        f->message, "file", f->file, "line", (json_int_t)f->line,
                                        "column", (json_int_t)f->col, "path", f->path));
    }
    counts_t c = count(w, 0, w->nfindings);
    json_t *summary =
        json_pack("{s:I, s:I, s:I, s:I, s:I}", "errors", (json_int_t)c.by_severity[SPEC_LINT_ERROR],
                  "warnings", (json_int_t)c.by_severity[SPEC_LINT_WARN], "infos",
                  (json_int_t)c.by_severity[SPEC_LINT_INFO], "hints",
                  (json_int_t)c.by_severity[SPEC_LINT_HINT], "files",
                  (json_int_t)spec_lint_file_count(w->lint));
    return dump(
        w, json_pack("{s:o, s:o, s:o}", "files", files, "findings", findings, "summary", summary));
}

/* ---- sarif ---- */

static const char *sarif_level(spec_lint_severity_t s)
{
    switch (s) {
    case SPEC_LINT_ERROR:
        return "error";
    case SPEC_LINT_WARN:
        return "warning";
    case SPEC_LINT_OFF:
        return "none";
    default:
        return "note";
    }
}

/* A relative reference (RFC 3986) for a file path: unreserved and path characters stay, the
 * rest is percent-encoded; absolute paths become file: URIs. */
static json_t *file_uri(const char *path)
{
    char buf[3 * 1024 + 16];
    size_t o = 0;
    if (path[0] == '/')
        o = (size_t)snprintf(buf, sizeof(buf), "file://");
    for (const unsigned char *p = (const unsigned char *)path; *p != '\0' && o + 4 < sizeof(buf);
         ++p) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~/!$&'()*+,;=:@", *p) != NULL)
            buf[o++] = (char)*p;
        else
            o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%%%02X", *p);
    }
    buf[o] = '\0';
    return json_string(buf);
}

static int write_sarif(const writer_t *w)
{
    size_t nrules;
    const spec_lint_rule_t *rules = spec_lint_run_rules(w->lint, &nrules);
    json_t *jrules = json_array();
    for (size_t i = 0; i < nrules; ++i)
        json_array_append_new(jrules, json_pack("{s:s, s:{s:s}, s:{s:s, s:b}}", "id", rules[i].id,
                                                "shortDescription", "text", rules[i].description,
                                                "defaultConfiguration", "level",
                                                sarif_level(rules[i].severity), "enabled",
                                                rules[i].severity != SPEC_LINT_OFF));
    json_t *results = json_array();
    for (size_t i = 0; i < w->nfindings; ++i) {
        const spec_finding_t *f = &w->findings[i];
        if (!shown(w, f))
            continue;
        size_t index = 0;
        while (index < nrules && strcmp(rules[index].id, f->rule) != 0)
            ++index;
        json_t *location =
            json_pack("{s:{s:{s:o}, s:{s:I, s:I}}}", "physicalLocation", "artifactLocation", "uri",
                      file_uri(f->file), "region", "startLine", (json_int_t)f->line, "startColumn",
                      (json_int_t)f->col);
        if (f->path[0] != '\0')
            json_object_set_new(location, "logicalLocations",
                                json_pack("[{s:s}]", "fullyQualifiedName", f->path));
        json_array_append_new(results, json_pack("{s:s, s:I, s:s, s:{s:s}, s:[o]}", "ruleId",
                                                 f->rule, "ruleIndex", (json_int_t)index, "level",
                                                 sarif_level(f->severity), "message", "text",
                                                 f->message, "locations", location));
    }
    json_t *driver =
        json_pack("{s:s, s:s, s:o}", "name", "versa", "version", VERSA_VERSION, "rules", jrules);
    return dump(w, json_pack("{s:s, s:s, s:[{s:{s:o}, s:o}]}", "$schema",
                             "https://json.schemastore.org/sarif-2.1.0.json", "version", "2.1.0",
                             "runs", "tool", "driver", driver, "results", results));
}

/* ---- github ---- */

static void write_github(const writer_t *w)
{
    for (size_t i = 0; i < w->nfindings; ++i) {
        const spec_finding_t *f = &w->findings[i];
        if (!shown(w, f))
            continue;
        const char *cmd = f->severity == SPEC_LINT_ERROR  ? "error"
                          : f->severity == SPEC_LINT_WARN ? "warning"
                                                          : "notice";
        fprintf(w->out, "::%s file=", cmd);
        spec__github_escape(w->out, f->file, 1);
        fprintf(w->out, ",line=%u,col=%u,title=", f->line, f->col);
        spec__github_escape(w->out, f->rule, 1);
        fputs("::", w->out);
        spec__github_escape(w->out, f->message, 0);
        if (f->path[0] != '\0') {
            fputs(" (", w->out);
            spec__github_escape(w->out, f->path, 0);
            fputc(')', w->out);
        }
        fputc('\n', w->out);
    }
}

/* ---- junit ---- */

static void write_junit(const writer_t *w)
{
    FILE *out = w->out;
    size_t nfiles = spec_lint_file_count(w->lint);
    counts_t all = count(w, 0, w->nfindings);
    size_t tests = 0;
    for (size_t i = 0; i < nfiles; ++i) {
        size_t first, n = lint__file_findings(w->lint, i, &first);
        size_t failures = count(w, first, n).total;
        tests += failures != 0 ? failures : 1;
    }
    fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    fprintf(out, "<testsuites name=\"versa lint\" tests=\"%zu\" failures=\"%zu\" errors=\"0\">\n",
            tests, all.total);
    for (size_t i = 0; i < nfiles; ++i) {
        const char *file = spec_lint_file_name(w->lint, i);
        size_t first, n = lint__file_findings(w->lint, i, &first);
        size_t failures = count(w, first, n).total;
        fputs("  <testsuite name=\"", out);
        spec__xml_escape(out, file);
        fprintf(out, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\">\n",
                failures != 0 ? failures : 1, failures);
        if (failures == 0) {
            fputs("    <testcase classname=\"", out);
            spec__xml_escape(out, file);
            fputs("\" name=\"versa lint\"/>\n", out);
        }
        for (size_t k = first; k < first + n; ++k) {
            const spec_finding_t *f = &w->findings[k];
            if (!shown(w, f))
                continue;
            fputs("    <testcase classname=\"", out);
            spec__xml_escape(out, file);
            fputs("\" name=\"", out);
            spec__xml_escape(out, f->rule);
            fprintf(out, " at %u:%u\">\n      <failure type=\"%s\" message=\"", f->line, f->col,
                    spec_lint_severity_name(f->severity));
            spec__xml_escape(out, f->message);
            fputs("\">", out);
            spec__xml_escape(out, f->file);
            fprintf(out, ":%u:%u %s ", f->line, f->col, spec_lint_severity_name(f->severity));
            spec__xml_escape(out, f->rule);
            fputc(' ', out);
            spec__xml_escape(out, f->message);
            if (f->path[0] != '\0') {
                fputs(" (", out);
                spec__xml_escape(out, f->path);
                fputc(')', out);
            }
            fputs("</failure>\n    </testcase>\n", out);
        }
        fputs("  </testsuite>\n", out);
    }
    fputs("</testsuites>\n", out);
}

int spec_lint_write(FILE *out, const spec_lint_t *lint, spec_lint_format_t format,
                    const spec_lint_write_options_t *opts)
{
    spec_lint_write_options_t defaults = {.min_severity = SPEC_LINT_HINT};
    writer_t w = {out, lint, opts != NULL ? opts : &defaults, NULL, 0};
    w.findings = spec_lint_findings(lint, &w.nfindings);
    int r = 0;
    switch (format) {
    case SPEC_LINT_STYLISH:
        write_stylish(&w);
        break;
    case SPEC_LINT_JSON:
        r = write_json(&w);
        break;
    case SPEC_LINT_SARIF:
        r = write_sarif(&w);
        break;
    case SPEC_LINT_GITHUB:
        write_github(&w);
        break;
    case SPEC_LINT_JUNIT:
        write_junit(&w);
        break;
    }
    if (fflush(out) != 0 || ferror(out))
        return -1;
    if (r != 0)
        errno = EIO;
    return r;
}
