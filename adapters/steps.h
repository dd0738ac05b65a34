/* Compiling step lists (internal): body steps checked against both versions' schemas and
 * turned into per-direction primitives; header and query-parameter steps. */
#ifndef ADP_STEPS_H
#define ADP_STEPS_H

#include "file.h"

/* The schemas one side of a change gives a list's bodies. */
typedef struct st_adp__side_t {
    const spec_t *spec; /* NULL: nothing to check against */
    const spec_node_t *schemas[16];
    size_t n;
    const char *version;
    const char *where; /* "schema Pet", "request body of createPet", "responses of listPets" */
} adp__side_t;

void adp__side_add(adp__side_t *s, const spec_node_t *schema);
/* Adds the response schemas of `op` for the statuses in `on`. */
void adp__side_responses(adp__side_t *s, const spec_t *spec, const spec_operation_t *op,
                         const adp__statuses_t *on);

/* Checks a list of body steps (upgrade order as written) against both sides and compiles it
 * into primitives in the arena: *up in list order, *down undoing it from the end. `prefix`
 * starts each step's description ("v2 schema Pet"). Returns 0, or -1 with ctx->err filled. */
int adp__compile_steps(adp__ctx_t *ctx, const adp__oplist_t *list, const adp__side_t *older,
                       const adp__side_t *newer, const char *prefix, int schema_scope,
                       adp__step_t **up, size_t *nup, adp__step_t **down, size_t *ndown);

/* A growing list of header or query steps (malloc'd until finished). */
typedef struct st_adp__fsteps_t {
    adp__fstep_t *items;
    size_t n, cap;
} adp__fsteps_t;

/* Appends the header steps of one direction: upgrades in list order, downgrades undoing it. */
void adp__compile_headers(const adp__foplist_t *list, int up, adp__fsteps_t *out);
/* Appends the query-parameter steps (requests only). */
void adp__compile_query(adp__ctx_t *ctx, const adp__foplist_t *list, adp__fsteps_t *out);
/* Moves the list into the arena and resets it. */
adp__fstep_t *adp__fsteps_finish(adp__ctx_t *ctx, adp__fsteps_t *f, size_t *n);

#endif
