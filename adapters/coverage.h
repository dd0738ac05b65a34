/* An adapter file's steps, flattened per change, for `versa diff` to match against the
 * differences between two spec versions (docs/diff.md#adapter-coverage). Only parsed, never
 * compiled: no spec is needed. */
#ifndef ADP_COVERAGE_H
#define ADP_COVERAGE_H

#include <stddef.h>
#include "node.h"

typedef struct st_adp_coverage_t adp_coverage_t;

typedef enum adp_cover_kind {
    ADP_COVER_RENAME,
    ADP_COVER_MOVE,
    ADP_COVER_ADDED,
    ADP_COVER_REMOVED,
    ADP_COVER_CONVERT,
    ADP_COVER_MAP,
    ADP_COVER_COLLAPSE,
    ADP_COVER_EXPAND,
    ADP_COVER_WRAP,
    ADP_COVER_UNWRAP,
    ADP_COVER_STATUS,
    ADP_COVER_GONE, /* an operation entry's `gone` */
    ADP_COVER_PATH, /* an operation entry's `path` rewrite: old and new are templates */
} adp_cover_kind_t;

typedef enum adp_cover_list {
    ADP_COVER_BODY,   /* `schemas` steps (both bodies) or operation `request`/`response` steps */
    ADP_COVER_HEADER, /* `headers` steps: old/new are header names */
    ADP_COVER_QUERY,  /* `query` steps: old/new are parameter names */
    ADP_COVER_OPERATION,
} adp_cover_list_t;

/* One step. Strings live as long as the coverage. */
typedef struct st_adp_cover_step_t {
    adp_cover_kind_t kind;
    adp_cover_list_t list;
    const char *keyword; /* "rename", "gone", ... */
    spec_pos_t pos;
    const char *schema;    /* component name for `schemas` steps, else NULL */
    const char *op_id;     /* operation entry by operationId, else NULL */
    int method;            /* operation entry by "METHOD /template": spec_method_t, else -1 */
    const char *tpl;       /* its template */
    int request, response; /* the bodies (or header directions) the step applies to */
    const char *old_path, *new_path; /* canonical adapter paths ("a[*].b"), names, templates */
    int has_default;                 /* a `default` or `from` to restore a value */
    int status_old, status_new;
    int used; /* set by the caller */
} adp_cover_step_t;

/* Parses the adapter file at `path` for an API whose versions are `names` (oldest first).
 * Returns 0, or -1 with `err` filled (file:line:col). */
int adp_coverage_load(adp_coverage_t **out, const char *path, const char *const *names, size_t n,
                      spec_error_t *err);
/* Version names an adapter file implies when no config lists them: every `to` of its changes
 * (oldest first) after the names under `versions` that are no `to`, else "base". Returns the
 * count (at most `max`) and fills `names` with strings owned by `doc`. */
size_t adp_coverage_guess_versions(const spec_doc_t *doc, const char **names, size_t max);
/* The steps of the change to version index `to`; NULL with *n = 0 when there is none. Mutable
 * for the `used` marks. */
adp_cover_step_t *adp_coverage_steps(adp_coverage_t *c, size_t to, size_t *n);
void adp_coverage_destroy(adp_coverage_t *c);

#endif
