/* The registry's layout (internal): per-version plan indexes and the compiler's entry point. */
#ifndef ADP_REGISTRY_H
#define ADP_REGISTRY_H

#include "file.h"
#include "plan.h"

typedef struct st_adp__named_plan_t {
    const char *name; /* operationId, or "METHOD /template" */
    const adp_plan_t *plan;
} adp__named_plan_t;

typedef struct st_adp__version_t {
    const char *name;
    size_t upstream;                   /* index of the version whose upstream serves this one */
    adp__named_plan_t *by_id, *by_key; /* sorted by name */
    size_t nby_id, nby_key;
    const adp_plan_t **matchable; /* plans with a template, most literal first */
    size_t nmatchable;
    const adp_plan_t *fallback; /* NULL: pass through */
} adp__version_t;

struct st_adp_registry_t {
    adp__arena_t arena;
    json_t *keep; /* every jansson value steps refer to */
    adp__version_t *versions;
    size_t nversions;
    adp_plan_t **plans; /* malloc'd; each plan in the arena */
    size_t nplans, plans_cap;
};

/* Validates the parsed file against the specs and builds every plan into `reg`. Returns 0, or
 * -1 with ctx->err filled. */
int adp__compile(adp__ctx_t *ctx, const adp__file_t *file, adp_registry_t *reg, uint32_t max_states,
                 size_t max_plans);

/* Path templates ("/pets/{id}.{ext}") parsed for matching and rewriting. */
int adp__tpl_parse(adp__arena_t *a, const char *tpl, const adp__tpl_t *vars_from, adp__tpl_t *out,
                   const char **bad_var);
/* Matches a concrete path; fills caps[2*i] (offset) and caps[2*i+1] (length) per variable.
 * Returns 0 on a match. Literal parts compare after percent-decoding the path. */
int adp__tpl_match(const adp__tpl_t *t, const char *path, size_t len, size_t *caps);
/* 1 when two templates have the same shape (variable names ignored). */
int adp__tpl_same_shape(const char *a, const char *b);

#endif
