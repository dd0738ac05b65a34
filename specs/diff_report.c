/* Renderers of the spec diff for people and simple tools: text, JSON, Markdown and GitHub
 * workflow annotations (diff_report_xml.c has HTML, SARIF and JUnit). */
#include <string.h>
#include "diff_internal.h"

static const char *level_names[] = {"error", "warning", "info", "none"};

const char *spec_diff_level_name(spec_diff_level_t level)
{
    return level <= SPEC_DIFF_NONE ? level_names[level] : "?";
}

int spec_diff_level_parse(const char *s, spec_diff_level_t *out)
{
    for (int i = 0; i <= SPEC_DIFF_NONE; ++i)
        if (strcmp(s, level_names[i]) == 0)
            return *out = (spec_diff_level_t)i, 0;
    if (strcmp(s, "warn") == 0)
        return *out = SPEC_DIFF_WARNING, 0;
    return -1;
}

int spec_diff_format_parse(const char *s, spec_diff_format_t *out)
{
    static const char *names[] = {"text", "json", "markdown", "html", "github", "sarif", "junit"};
    for (size_t i = 0; i != sizeof(names) / sizeof(names[0]); ++i)
        if (strcmp(s, names[i]) == 0)
            return *out = (spec_diff_format_t)i, 0;
    if (strcmp(s, "md") == 0)
        return *out = SPEC_DIFF_MARKDOWN, 0;
    return -1;
}

void spec__diff_json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; ++p) {
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if (*p == '\n')
            fputs("\\n", out);
        else if (*p < 0x20)
            fprintf(out, "\\u%04x", *p);
        else
            fputc(*p, out);
    }
    fputc('"', out);
}

static void summary(FILE *out, const spec_diff_t *d, const char *lead)
{
    size_t e = 0, w = 0, i = 0, u = 0;
    for (size_t k = 0; k != d->n; ++k) {
        e += d->items[k].level == SPEC_DIFF_ERROR;
        w += d->items[k].level == SPEC_DIFF_WARNING;
        i += d->items[k].level == SPEC_DIFF_INFO;
        u += d->items[k].uncovered;
    }
    fprintf(out, "%s%zu error%s, %zu warning%s, %zu info%s", lead, e, e == 1 ? "" : "s", w,
            w == 1 ? "" : "s", i, i == 1 ? "" : "s");
    if (u != 0)
        fprintf(out, " (%zu breaking change%s not covered by the adapters)", u, u == 1 ? "" : "s");
    if (d->base_name != NULL)
        fprintf(out, ": %s -> %s", d->base_name, d->revision_name);
    fputc('\n', out);
}

static void write_text(FILE *out, const spec_diff_t *d)
{
    for (size_t k = 0; k != d->n; ++k) {
        const spec_diff_finding_t *f = &d->items[k];
        fprintf(out, "%s:%u:%u: %s [%s]", f->file ? f->file : "-", f->line, f->col,
                spec_diff_level_name(f->level), f->id);
        if (f->operation != NULL)
            fprintf(out, " %s%s%s%s", f->operation, f->operation_id ? " (" : "",
                    f->operation_id ? f->operation_id : "", f->operation_id ? ")" : "");
        fprintf(out, "\n    %s\n", f->message);
        if (f->path != NULL && f->path[0] != '\0')
            fprintf(out, "    at %s\n", f->path);
        if (f->covered_by != NULL)
            fprintf(out, "    covered by %s\n", f->covered_by);
        else if (f->uncovered)
            fprintf(out, "    uncovered: no adapter step carries this change\n");
    }
    summary(out, d, d->n != 0 ? "\n" : "");
}

static void json_member(FILE *out, const char *name, const char *value, int comma)
{
    if (value == NULL)
        return;
    fprintf(out, "%s\"%s\": ", comma ? ", " : "", name);
    spec__diff_json_string(out, value);
}

static void write_json(FILE *out, const spec_diff_t *d)
{
    fputs("{", out);
    json_member(out, "base", d->base_name, 0);
    json_member(out, "revision", d->revision_name, d->base_name != NULL);
    fprintf(out,
            "%s\"summary\": {\"error\": %zu, \"warning\": %zu, \"info\": %zu},\n"
            " \"findings\": [",
            d->base_name != NULL ? ", " : "", spec_diff_count(d, SPEC_DIFF_ERROR),
            spec_diff_count(d, SPEC_DIFF_WARNING) - spec_diff_count(d, SPEC_DIFF_ERROR),
            spec_diff_count(d, SPEC_DIFF_INFO) - spec_diff_count(d, SPEC_DIFF_WARNING));
    for (size_t k = 0; k != d->n; ++k) {
        const spec_diff_finding_t *f = &d->items[k];
        fprintf(out, "%s\n  {", k ? "," : "");
        json_member(out, "id", f->id, 0);
        json_member(out, "level", spec_diff_level_name(f->level), 1);
        json_member(out, "operation", f->operation, 1);
        json_member(out, "operationId", f->operation_id, 1);
        json_member(out, "path", f->path, 1);
        json_member(out, "file", f->file, 1);
        fprintf(out, ", \"line\": %u, \"column\": %u", f->line, f->col);
        json_member(out, "message", f->message, 1);
        json_member(out, "field", f->field != NULL && f->field[0] ? f->field : NULL, 1);
        json_member(out, "component", f->component, 1);
        if (f->covered_by != NULL || f->uncovered)
            json_member(out, "coverage", f->covered_by ? f->covered_by : "uncovered", 1);
        if (f->covered_by != NULL)
            json_member(out, "covered_by", f->covered_by, 1);
        fputs("}", out);
    }
    fputs(d->n ? "\n ]}\n" : "]}\n", out);
}

static void md_cell(FILE *out, const char *s)
{
    for (const char *p = s ? s : ""; *p; ++p) {
        if (*p == '|' || *p == '`' || *p == '*' || *p == '_' || *p == '<' || *p == '[')
            fputc('\\', out);
        fputc(*p == '\n' ? ' ' : *p, out);
    }
}

static void write_markdown(FILE *out, const spec_diff_t *d)
{
    fputs("## API changes", out);
    if (d->base_name != NULL) {
        fputs(": ", out);
        md_cell(out, d->base_name);
        fputs(" → ", out);
        md_cell(out, d->revision_name);
    }
    fputs("\n\n", out);
    summary(out, d, "");
    if (d->n == 0)
        return;
    fputs(
        "\n| level | check | operation | change | where | adapters |\n|---|---|---|---|---|---|\n",
        out);
    for (size_t k = 0; k != d->n; ++k) {
        const spec_diff_finding_t *f = &d->items[k];
        fprintf(out, "| %s | `%s` | ", spec_diff_level_name(f->level), f->id);
        md_cell(out, f->operation ? f->operation : "");
        fputs(" | ", out);
        md_cell(out, f->message);
        fputs(" | ", out);
        char pos[600];
        snprintf(pos, sizeof(pos), "%s:%u:%u", f->file ? f->file : "-", f->line, f->col);
        md_cell(out, pos);
        fputs(" | ", out);
        md_cell(out, f->covered_by ? f->covered_by : f->uncovered ? "uncovered" : "");
        fputs(" |\n", out);
    }
}

static void write_github(FILE *out, const spec_diff_t *d)
{
    static const char *cmd[] = {"error", "warning", "notice"};
    for (size_t k = 0; k != d->n; ++k) {
        const spec_diff_finding_t *f = &d->items[k];
        fprintf(out, "::%s file=", cmd[f->level]);
        spec__github_escape(out, f->file, 1);
        fprintf(out, ",line=%u,col=%u,title=", f->line, f->col);
        spec__github_escape(out, f->id, 1);
        fputs("::", out);
        if (f->operation != NULL) {
            spec__github_escape(out, f->operation, 0);
            fputs(": ", out);
        }
        spec__github_escape(out, f->message, 0);
        if (f->uncovered)
            fputs(" (not covered by the adapters)", out);
        fputc('\n', out);
    }
}

int spec_diff_write(FILE *out, const spec_diff_t *d, spec_diff_format_t format)
{
    switch (format) {
    case SPEC_DIFF_TEXT:
        write_text(out, d);
        break;
    case SPEC_DIFF_JSON:
        write_json(out, d);
        break;
    case SPEC_DIFF_MARKDOWN:
        write_markdown(out, d);
        break;
    case SPEC_DIFF_GITHUB:
        write_github(out, d);
        break;
    default:
        spec__diff_write_xml(out, d, format);
        break;
    }
    return ferror(out) ? -1 : 0;
}
