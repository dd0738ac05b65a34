/* Breaking-change detection between two versions of an OpenAPI spec (`versa diff`, docs/diff.md):
 * operations matched by method and path template, parameters, request bodies, responses and
 * schemas compared through their $refs, security and servers. A spec_diff_t owns its findings;
 * it borrows nothing from the specs once spec_diff_run returns. */
#ifndef SPEC_DIFF_H
#define SPEC_DIFF_H

#include <stdio.h>
#include <time.h>
#include "spec.h"

typedef struct st_spec_diff_t spec_diff_t;

typedef enum spec_diff_level {
    SPEC_DIFF_ERROR,   /* breaks existing clients */
    SPEC_DIFF_WARNING, /* may break some clients */
    SPEC_DIFF_INFO,    /* compatible change */
    SPEC_DIFF_NONE,    /* for --fail-on none: nothing reaches it */
} spec_diff_level_t;

/* Where a finding is, for adapter coverage. */
typedef enum spec_diff_where {
    SPEC_DIFF_AT_SPEC,      /* servers, global things */
    SPEC_DIFF_AT_OPERATION, /* an operation or a path as a whole, security */
    SPEC_DIFF_AT_PARAMETER, /* `field` is the parameter name, `param_in` its location */
    SPEC_DIFF_AT_REQUEST,   /* request body; `field` is the body path ("owner.name", "[*].id") */
    SPEC_DIFF_AT_RESPONSE,  /* response body (status in `status`); `field` as above */
    SPEC_DIFF_AT_STATUS,    /* a response status as a whole (`status`) */
    SPEC_DIFF_AT_HEADER,    /* a response header (`field` its name) */
} spec_diff_where_t;

/* Kinds of change, for adapter coverage: what a step of an adapter file may carry. */
typedef enum spec_diff_change {
    SPEC_DIFF_CHANGE_OTHER,
    SPEC_DIFF_CHANGE_REMOVED,  /* something the base had is gone */
    SPEC_DIFF_CHANGE_ADDED,    /* something new clients must now send or handle */
    SPEC_DIFF_CHANGE_TYPE,     /* type or format */
    SPEC_DIFF_CHANGE_ENUM,     /* enum values */
    SPEC_DIFF_CHANGE_REQUIRED, /* became required / optional */
} spec_diff_change_t;

/* One difference. Strings are owned by the diff. `pos` is in the revision, or in the base for
 * something removed. `path` is the JSON pointer of the node from the document root through the
 * operation ("/paths/~1pets/get/responses/200/content/application~1json/schema/properties/id"),
 * as the revision writes it (the base, for removals); schemas are followed through $refs, so the
 * pointer names where the schema is used, `pos` where it is written. */
typedef struct st_spec_diff_finding_t {
    char id[64]; /* check id, e.g. "request-parameter-became-required" */
    spec_diff_level_t level;
    spec_diff_where_t where;
    spec_diff_change_t change;
    const char *operation;    /* "GET /pets/{id}" as the base writes it, or NULL */
    const char *operation_id; /* base's operationId (the revision's for added ones), or NULL */
    const char *path;
    const char *file; /* pos */
    uint32_t line, col;
    const char *message;
    /* coverage keys */
    const char *field;     /* parameter or header name, or body path in adapter syntax */
    const char *component; /* the innermost components/schemas entry the field lives in, or NULL */
    const char *component_field; /* `field` relative to that component */
    const char *status;          /* response status, or NULL */
    spec_param_in_t param_in;
    int method;      /* spec_method_t, or -1 */
    const char *tpl; /* base template, or NULL */
    /* set by adapter coverage (spec_diff_set_coverage) */
    const char *covered_by; /* "adapters.yaml:12:7", or NULL */
    int uncovered;          /* 1 when breaking and checked against adapters without a match */
} spec_diff_finding_t;

typedef struct st_spec_diff_options_t {
    time_t now; /* for sunset dates; 0: time(NULL) */
    /* Each root schema comparison stops after this many (base, revision) schema pairs; default
     * 1000000. Bounds memory on huge or pathological schemas. */
    size_t max_pairs;
} spec_diff_options_t;

/* Compares `base` with `revision`. Returns 0 and a diff (possibly with no findings), or -1 with
 * `err` filled when the pair cannot be compared: specs of different OpenAPI minor versions (3.0
 * vs 3.1), or a spec with errors (unresolved $refs, $ref cycles without a value: the first
 * error's position). `opts` may be NULL. The specs may be destroyed after the call. */
int spec_diff_run(spec_diff_t **out, const spec_t *base, const spec_t *revision,
                  const spec_diff_options_t *opts, spec_error_t *err);
void spec_diff_destroy(spec_diff_t *diff);

/* Findings in report order: by level (errors first), then operation, then path. The array
 * stays valid until the next spec_diff_add or spec_diff_sort. */
const spec_diff_finding_t *spec_diff_findings(const spec_diff_t *diff, size_t *count);
size_t spec_diff_count(const spec_diff_t *diff, spec_diff_level_t at_least);

/* Adds a finding not found by comparing specs (adapter coverage): copies every string. */
void spec_diff_add(spec_diff_t *diff, const char *id, spec_diff_level_t level,
                   const spec_pos_t *pos, const char *message);
/* Marks finding i covered by `where` ("file:line:col", copied), which makes it an info (old
 * clients keep working through the adapter), or uncovered when NULL, which makes it an error. */
void spec_diff_set_coverage(spec_diff_t *diff, size_t i, const char *where);
/* Restores report order after spec_diff_add. */
void spec_diff_sort(spec_diff_t *diff);
/* 1 when the finding's change breaks clients (level error or warning before coverage). */
int spec_diff_breaking(const spec_diff_finding_t *f);

/* Names the two inputs in reports ("base.yaml" -> "revision.yaml"). */
void spec_diff_set_names(spec_diff_t *diff, const char *base, const char *revision);
/* Appends another diff's findings (for `-c`: one report for every consecutive pair). */
void spec_diff_merge(spec_diff_t *into, const spec_diff_t *from);

/* ---- Reports -------------------------------------------------------------------------------- */

typedef enum spec_diff_format {
    SPEC_DIFF_TEXT,
    SPEC_DIFF_JSON,
    SPEC_DIFF_MARKDOWN,
    SPEC_DIFF_HTML,
    SPEC_DIFF_GITHUB,
    SPEC_DIFF_SARIF,
    SPEC_DIFF_JUNIT,
} spec_diff_format_t;

int spec_diff_format_parse(const char *s, spec_diff_format_t *out);
int spec_diff_level_parse(const char *s, spec_diff_level_t *out);
const char *spec_diff_level_name(spec_diff_level_t level);
/* Writes the report; returns 0, or -1 when writing failed. */
int spec_diff_write(FILE *out, const spec_diff_t *diff, spec_diff_format_t format);

/* Every check id with its default level and a description, for docs and --list-checks. */
typedef struct st_spec_diff_check_t {
    const char *id;
    spec_diff_level_t level;
    const char *description;
} spec_diff_check_t;
const spec_diff_check_t *spec_diff_checks(size_t *count);

#endif
