/* OpenAPI lint: structural validation of 3.0/3.1 documents and the rules CI users know from
 * Spectral's `spectral:oas` ruleset, with rulesets to change severities and writers for the
 * stylish, JSON, SARIF, GitHub annotation and JUnit formats. */
#ifndef SPEC_LINT_H
#define SPEC_LINT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "node.h"
#include "spec.h"

/* Ordered from most to least severe, so `a <= b` reads "a is at least as severe as b". */
typedef enum spec_lint_severity {
    SPEC_LINT_ERROR,
    SPEC_LINT_WARN,
    SPEC_LINT_INFO,
    SPEC_LINT_HINT,
    SPEC_LINT_OFF, /* a disabled rule; never the severity of a finding */
} spec_lint_severity_t;

/* "error", "warn", "info", "hint" or "off". */
const char *spec_lint_severity_name(spec_lint_severity_t s);
/* Parses one of the names above. Returns 0, or -1 for anything else. */
int spec_lint_severity_parse(const char *s, spec_lint_severity_t *out);

/* A rule: its id (as in Spectral where one exists), default severity and a one-line summary. */
typedef struct st_spec_lint_rule_t {
    const char *id;
    spec_lint_severity_t severity;
    const char *description;
} spec_lint_rule_t;

/* The built-in rules, in documentation order; static storage. */
const spec_lint_rule_t *spec_lint_rules(size_t *count);

/* One problem found. Strings live as long as the lint run that produced the finding. `path` is
 * the JSON pointer of the node in the document as resolved from the root ("" for the root
 * itself); `file`, `line` and `col` (1-based) are where the node is written, which may be in a
 * file the root references. */
typedef struct st_spec_finding_t {
    const char *rule;
    spec_lint_severity_t severity;
    const char *file;
    uint32_t line, col;
    const char *path;
    const char *message;
} spec_finding_t;

/* ---- Rulesets ------------------------------------------------------------------------------- */

/* Severity overrides read from YAML:
 *     extends: [spectral:oas]      # optional; the only ruleset that can be extended
 *     rules:
 *       operation-tags: off        # off | error | warn | info | hint | true | false
 * Rule ids are checked when the ruleset is given to spec_lint_create, so that rules of extra
 * linters are known. The ruleset keeps its document for positions; it is immutable. */
typedef struct st_spec_ruleset_t spec_ruleset_t;

/* Reads a ruleset file. Returns -1 with `err` (file:line:col) for unreadable files, YAML errors,
 * unknown keys, bad severities and unsupported features (custom rules, functions, overrides). */
int spec_ruleset_load(spec_ruleset_t **out, const char *path, spec_error_t *err);
int spec_ruleset_parse(spec_ruleset_t **out, const char *file, const char *buf, size_t len,
                       spec_error_t *err);
/* Accepts NULL. */
void spec_ruleset_destroy(spec_ruleset_t *rs);

/* ---- Other document kinds -------------------------------------------------------------------- */

/* Context handed to a linter; findings go through spec_lint_report. */
typedef struct st_spec_lint_ctx_t spec_lint_ctx_t;

/* A linter for YAML documents that are not OpenAPI (issue 4: adapter files). For each file that
 * is not an OpenAPI document, the first linter whose `accepts` returns 1 for its root lints it.
 * Its rules join the built-in ones: rulesets may configure them and formats list them. */
typedef struct st_spec_linter_t {
    const char *name;
    const spec_lint_rule_t *rules;
    size_t nrules;
    int (*accepts)(const spec_node_t *root, void *data);
    void (*lint)(spec_lint_ctx_t *ctx, const spec_doc_t *doc, void *data);
    void *data;
} spec_linter_t;

/* Records a finding of `rule` at node `at` (its position; NULL for the file's start) with JSON
 * pointer `path` (NULL for ""). Does nothing when the rule is off. Aborts on an unknown rule id,
 * which is a programming error. */
void spec_lint_report(spec_lint_ctx_t *ctx, const char *rule, const spec_node_t *at,
                      const char *path, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* The severity in effect for `rule`, SPEC_LINT_OFF when disabled (lets a linter skip work). */
spec_lint_severity_t spec_lint_severity(const spec_lint_ctx_t *ctx, const char *rule);

/* ---- Running ------------------------------------------------------------------------------- */

typedef struct st_spec_lint_options_t {
    const spec_ruleset_t *ruleset; /* NULL: every rule at its default severity */
    const spec_linter_t *linters;  /* extra document kinds, may be NULL */
    size_t nlinters;
    const spec_load_options_t *load; /* limits for every document; NULL for the defaults */
    /* Findings kept per rule per linted file (0: SPEC_LINT_MAX_PER_RULE; SIZE_MAX: no cap).
     * Beyond it one summary finding of the rule says how many more were not reported. */
    size_t max_findings_per_rule;
} spec_lint_options_t;

#define SPEC_LINT_MAX_PER_RULE 1000

/* A lint run over any number of files; it collects their findings. Not thread-safe. */
typedef struct st_spec_lint_t spec_lint_t;

/* Returns -1 with `err` at the offending ruleset entry when the ruleset names an unknown rule.
 * The ruleset and linters must outlive the run. */
int spec_lint_create(spec_lint_t **out, const spec_lint_options_t *opts, spec_error_t *err);
/* Accepts NULL. */
void spec_lint_destroy(spec_lint_t *lint);

/* Lints the document at `path` and the files it references. Problems with the document itself,
 * YAML syntax errors included, are findings. Returns -1 with `err` only when the file cannot be
 * read at all (missing, unreadable, a directory): the run cannot say anything about it. */
int spec_lint_file(spec_lint_t *lint, const char *path, spec_error_t *err);
/* Lints a spec that is already loaded (it counts as one file). */
void spec_lint_spec(spec_lint_t *lint, const spec_t *spec);

/* Findings of every file linted so far: by file in the order linted, then line and column. */
const spec_finding_t *spec_lint_findings(const spec_lint_t *lint, size_t *count);
/* Files linted (the ones named, not the ones they reference). */
size_t spec_lint_file_count(const spec_lint_t *lint);
const char *spec_lint_file_name(const spec_lint_t *lint, size_t i);
/* Every rule of the run (built-in, then the linters'), with the severity in effect. */
/* 1 when a linted spec hit a loader limit (spec_incomplete): some findings are missing. */
int spec_lint_incomplete(const spec_lint_t *lint);
const spec_lint_rule_t *spec_lint_run_rules(const spec_lint_t *lint, size_t *count);

/* ---- Output -------------------------------------------------------------------------------- */

typedef enum spec_lint_format {
    SPEC_LINT_STYLISH, /* for people: grouped by file, with a summary line */
    SPEC_LINT_JSON,
    SPEC_LINT_SARIF,  /* SARIF 2.1.0, for code scanning */
    SPEC_LINT_GITHUB, /* GitHub Actions workflow commands (annotations) */
    SPEC_LINT_JUNIT,
} spec_lint_format_t;

/* Parses "stylish", "json", "sarif", "github" or "junit". Returns 0, or -1. */
int spec_lint_format_parse(const char *s, spec_lint_format_t *out);

typedef struct st_spec_lint_write_options_t {
    spec_lint_severity_t min_severity; /* findings less severe are left out (--quiet) */
    int color;                         /* ANSI colours in stylish output */
    int quiet;                         /* stylish: no summary line when nothing is shown */
} spec_lint_write_options_t;

/* Writes the run's findings. Returns 0, or -1 when writing failed (errno set). */
int spec_lint_write(FILE *out, const spec_lint_t *lint, spec_lint_format_t format,
                    const spec_lint_write_options_t *opts);

#endif
