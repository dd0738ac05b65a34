/* Lint findings: recorded per rule with their position (file names interned per run), sorted and
 * de-duplicated per linted file, and listed for the output formats. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lint_internal.h"

static const char *intern_file(spec_lint_t *lint, const char *file)
{
    if (file == NULL)
        file = "";
    if (lint->last_file_in == NULL || strcmp(lint->last_file_in, file) != 0) {
        /* the run outlives every spec, so positions' file names are copied */
        for (size_t i = lint->batch; i < lint->nfindings; ++i) {
            if (strcmp(lint->findings[i].file, file) == 0) {
                lint->last_file_out = lint->findings[i].file;
                lint->last_file_in = lint->last_file_out;
                return lint->last_file_out;
            }
        }
        lint->last_file_out = spec__arena_strndup(&lint->arena, file, strlen(file));
        lint->last_file_in = lint->last_file_out;
    }
    return lint->last_file_out;
}

/* Past the rule's cap, counts the finding, remembers where the first one was, and returns 1.
 * A hostile spec can make a rule fire millions of times (4,096 ambiguous templates give 16.8
 * million pairs): beyond the cap only a count is kept. */
static int drop(spec_lint_t *lint, size_t rule, const char *file, uint32_t line, uint32_t col,
                const char *path)
{
    if (lint->rule_count[rule] < lint->max_per_rule)
        return 0;
    if (lint->rule_dropped[rule]++ == 0) {
        spec_finding_t *d = &lint->rule_first_dropped[rule];
        d->file = intern_file(lint, file);
        d->line = line;
        d->col = col;
        path = path != NULL ? path : "";
        d->path = spec__arena_strndup(&lint->arena, path, strlen(path));
    }
    return 1;
}

static void add_finding(spec_lint_t *lint, size_t rule, const char *file, uint32_t line,
                        uint32_t col, const char *path, const char *message)
{
    if (drop(lint, rule, file, line, col, path))
        return;
    ++lint->rule_count[rule];
    if (lint->nfindings == lint->findings_cap) {
        lint->findings_cap = lint->findings_cap ? lint->findings_cap * 2 : 64;
        lint->findings =
            spec__xrealloc(lint->findings, lint->findings_cap * sizeof(*lint->findings));
    }
    const char *f = intern_file(lint, file);
    spec_finding_t *fd = &lint->findings[lint->nfindings++];
    fd->rule = lint->rules[rule].id;
    fd->severity = lint->rules[rule].severity;
    fd->file = f;
    fd->line = line;
    fd->col = col;
    path = path != NULL ? path : "";
    fd->path = spec__arena_strndup(&lint->arena, path, strlen(path));
    fd->message = spec__arena_strndup(&lint->arena, message, strlen(message));
}

static void vreport(spec_lint_ctx_t *ctx, size_t rule, const spec_node_t *at, const char *path,
                    const char *fmt, va_list ap)
{
    const char *file = at != NULL ? at->pos.file : spec_doc_file(ctx->doc);
    uint32_t line = at != NULL ? at->pos.line : 1, col = at != NULL ? at->pos.col : 1;
    if (drop(ctx->lint, rule, file, line, col, path))
        return; /* before formatting: past the cap, a finding costs only the test */
    char msg[1024];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    add_finding(ctx->lint, rule, file, line, col, path, msg);
}

int lint__capped(spec_lint_ctx_t *ctx, lint__rule_t rule)
{
    spec_lint_t *lint = ctx->lint;
    if (ctx->severity[rule] == SPEC_LINT_OFF)
        return 1;
    if (lint->rule_count[rule] < lint->max_per_rule || lint->rule_dropped[rule] == 0)
        return 0; /* the first finding past the cap goes through lint__report for its place */
    ++lint->rule_dropped[rule];
    return 1;
}

void lint__report(spec_lint_ctx_t *ctx, lint__rule_t rule, const spec_node_t *at, const char *path,
                  const char *fmt, ...)
{
    if (ctx->severity[rule] == SPEC_LINT_OFF)
        return;
    va_list ap;
    va_start(ap, fmt);
    vreport(ctx, rule, at, path, fmt, ap);
    va_end(ap);
}

void lint__report_at(spec_lint_ctx_t *ctx, lint__rule_t rule, const char *file, uint32_t line,
                     uint32_t col, const char *path, const char *message)
{
    if (ctx->severity[rule] != SPEC_LINT_OFF)
        add_finding(ctx->lint, rule, file, line != 0 ? line : 1, col != 0 ? col : 1, path, message);
}

void spec_lint_report(spec_lint_ctx_t *ctx, const char *rule, const spec_node_t *at,
                      const char *path, const char *fmt, ...)
{
    ssize_t r = lint__find_rule(ctx->lint, rule);
    if (r < 0)
        abort(); /* a linter reporting a rule it did not declare */
    if (ctx->lint->rules[r].severity == SPEC_LINT_OFF)
        return;
    va_list ap;
    va_start(ap, fmt);
    vreport(ctx, (size_t)r, at, path, fmt, ap);
    va_end(ap);
}

spec_lint_severity_t spec_lint_severity(const spec_lint_ctx_t *ctx, const char *rule)
{
    ssize_t r = lint__find_rule(ctx->lint, rule);
    return r < 0 ? SPEC_LINT_OFF : ctx->lint->rules[r].severity;
}

/* ---- Sorting ---- */

static int cmp_findings(const void *pa, const void *pb, void *root)
{
    const spec_finding_t *a = pa, *b = pb;
    const char *sort_root = root;
    if (a->file != b->file) {
        /* the linted file first, then the files it references by name */
        int ra = strcmp(a->file, sort_root) == 0, rb = strcmp(b->file, sort_root) == 0;
        if (ra != rb)
            return rb - ra;
        int c = strcmp(a->file, b->file);
        if (c != 0)
            return c;
    }
    if (a->line != b->line)
        return a->line < b->line ? -1 : 1;
    if (a->col != b->col)
        return a->col < b->col ? -1 : 1;
    int c = strcmp(a->rule, b->rule);
    if (c != 0)
        return c;
    c = strcmp(a->path, b->path);
    return c != 0 ? c : strcmp(a->message, b->message);
}

static int same_finding(const spec_finding_t *a, const spec_finding_t *b)
{
    return a->file == b->file && a->line == b->line && a->col == b->col && a->rule == b->rule &&
           strcmp(a->message, b->message) == 0;
}

/* One finding per capped rule saying how many of its findings were left out, where the first of
 * them is; then the counts start again for the next file. */
static void summarize_dropped(spec_lint_t *lint)
{
    for (size_t r = 0; r < lint->nrules; ++r) {
        size_t dropped = lint->rule_dropped[r];
        lint->rule_count[r] = 0;
        lint->rule_dropped[r] = 0;
        if (dropped == 0)
            continue;
        const spec_finding_t *d = &lint->rule_first_dropped[r];
        char msg[256];
        snprintf(msg, sizeof(msg),
                 "%zu more %s findings not reported, the first here (at most %zu per rule and "
                 "file: --max-findings-per-rule)",
                 dropped, lint->rules[r].id, lint->max_per_rule);
        add_finding(lint, r, d->file, d->line, d->col, d->path, msg); /* the count is 0 again */
        lint->rule_count[r] = 0;
    }
}

void lint__sort_batch(spec_lint_t *lint, const char *root)
{
    summarize_dropped(lint);
    size_t n = lint->nfindings - lint->batch;
    lint->last_file_in = lint->last_file_out = NULL;
    if (n == 0)
        return;
    spec_finding_t *f = lint->findings + lint->batch;
    qsort_r(f, n, sizeof(*f), cmp_findings, (void *)root);
    size_t kept = 0;
    for (size_t i = 0; i < n; ++i)
        if (kept == 0 || !same_finding(&f[kept - 1], &f[i]))
            f[kept++] = f[i];
    lint->nfindings = lint->batch + kept;
    lint->batch = lint->nfindings;
}

/* ---- Per file ---- */

void lint__add_file(spec_lint_t *lint, const char *name)
{
    lint->files = spec__xrealloc(lint->files, (lint->nfiles + 1) * sizeof(*lint->files));
    lint->file_first =
        spec__xrealloc(lint->file_first, (lint->nfiles + 1) * sizeof(*lint->file_first));
    lint->file_first[lint->nfiles] = lint->nfindings;
    size_t len = strlen(name);
    lint->files[lint->nfiles] = spec__xmalloc(len + 1);
    memcpy(lint->files[lint->nfiles++], name, len + 1);
}

/* A finding already at this position (of `rule`, or of any rule when `rule` is NULL). */
int lint__finding_at(const spec_lint_t *lint, const spec_error_t *e, const char *rule)
{
    for (size_t i = lint->batch; i < lint->nfindings; ++i) {
        const spec_finding_t *f = &lint->findings[i];
        if ((rule == NULL || f->rule == rule) && f->line == e->line && f->col == e->col &&
            strcmp(f->file, e->file) == 0)
            return 1;
    }
    return 0;
}

const spec_finding_t *spec_lint_findings(const spec_lint_t *lint, size_t *count)
{
    *count = lint->nfindings;
    return lint->findings;
}

size_t spec_lint_file_count(const spec_lint_t *lint)
{
    return lint->nfiles;
}

const char *spec_lint_file_name(const spec_lint_t *lint, size_t i)
{
    return i < lint->nfiles ? lint->files[i] : NULL;
}

size_t lint__file_findings(const spec_lint_t *lint, size_t file, size_t *first)
{
    *first = lint->file_first[file];
    size_t end = file + 1 < lint->nfiles ? lint->file_first[file + 1] : lint->nfindings;
    return end - *first;
}
