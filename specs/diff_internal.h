/* Internals shared by the files of the spec diff (diff.c: run, findings and operations;
 * diff_params.c, diff_bodies.c, diff_schema.c, diff_security.c: the comparisons; diff_report*.c:
 * renderers). */
#ifndef SPEC_DIFF_INTERNAL_H
#define SPEC_DIFF_INTERNAL_H

#include "diff.h"
#include "spec_internal.h"

#define SPEC__DIFF_MAX_DEPTH 200 /* schema nesting followed; cycles stop earlier (visited set) */

/* Set of (base node, revision node) pairs already compared under one root. */
typedef struct st_spec__pairset_t {
    const void **keys; /* 2 per slot; NULL = empty */
    size_t cap, len;
} spec__pairset_t;

struct st_spec_diff_t {
    spec__arena_t arena; /* every string of every finding */
    spec_diff_finding_t *items;
    size_t n, cap;
    const char *base_name, *revision_name;
};

/* What the comparison of one operation is looking at: set by the operation walk, read by the
 * recorders so that every finding carries its operation and coverage keys. */
typedef struct st_spec__dctx_t {
    spec_diff_t *diff;
    const spec_t *base, *rev;
    const spec_diff_options_t *opts;
    const spec_operation_t *bop, *rop; /* current operations, or NULL */
    const char *operation;             /* "GET /pets" */
    char ptr[4096];                    /* JSON pointer being compared (revision's spelling) */
    size_t ptr_len;
    char field[1024]; /* body path in adapter syntax */
    size_t field_len;
    const char *component; /* innermost component schema name on the way, or NULL */
    size_t component_at;   /* field_len when it was entered */
    spec_diff_where_t where;
    const char *status;
    spec_param_in_t param_in;
    spec__pairset_t visited;
    size_t pairs;
    int truncated; /* max_pairs reached under the current root */
} spec__dctx_t;

/* ---- recording (diff.c) ---- */

/* Records a finding with the context's operation, pointer and field. `at` gives the position
 * (revision node, or base node for removals). The level comes from the check table (diff_checks.c);
 * an id missing from it is a programming error (abort). Returns the finding. */
spec_diff_finding_t *spec__diff_report(spec__dctx_t *c, const char *id, spec_diff_change_t change,
                                       const spec_node_t *at, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
int spec__diff_check_level(const char *id, spec_diff_level_t *level);
char *spec__diff_strdup(spec_diff_t *d, const char *s);

/* Pointer and field stacks: push returns the old length to pop back to. */
size_t spec__diff_push(spec__dctx_t *c, const char *token);
void spec__diff_pop(spec__dctx_t *c, size_t len);
size_t spec__diff_field_push(spec__dctx_t *c, const char *seg); /* "name", "[*]", ".*" */
void spec__diff_field_pop(spec__dctx_t *c, size_t len);

/* ---- comparisons ---- */

void spec__diff_params(spec__dctx_t *c);
void spec__diff_request_body(spec__dctx_t *c);
void spec__diff_responses(spec__dctx_t *c);
void spec__diff_security(spec__dctx_t *c);
void spec__diff_servers(spec__dctx_t *c);

/* Schema comparison. `prefix` names the checks: "request-property", "response-property",
 * "request-parameter", "response-header"; `root_prefix` is used for the schema itself
 * ("request-body", "response-body"; NULL: `prefix`). `response` selects the direction: a request
 * schema must accept everything it accepted, a response schema must not send anything new. */
typedef struct st_spec__schema_side_t {
    const char *prefix, *root_prefix;
    int response;
    int scalar_only; /* parameters and headers: no properties, items or composition */
} spec__schema_side_t;
void spec__diff_schema(spec__dctx_t *c, const spec__schema_side_t *side, const spec_node_t *b,
                       const spec_node_t *r);
/* Starts a new root: forgets the visited pairs and the pair budget. */
void spec__diff_schema_reset(spec__dctx_t *c);

void spec__pairset_dispose(spec__pairset_t *s);
void spec__pairset_clear(spec__pairset_t *s);
/* Inserts the pair; returns 1 when new, 0 when it was there. */
int spec__pairset_add(spec__pairset_t *s, const void *a, const void *b);

/* Helpers for renderers (diff_report*.c). */
void spec__diff_json_string(FILE *out, const char *s);
int spec__diff_write_xml(FILE *out, const spec_diff_t *d, spec_diff_format_t format);

#endif
