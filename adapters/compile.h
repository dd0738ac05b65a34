/* Internal to the adapter compiler (compile.c, compile_change.c, compile_hop.c, compile_plan.c):
 * its state and what the files share. The compiler's memory is the registry's arena; its caches
 * (dfas, hops, idents) are malloc'ed and freed by adp__compile. Functions that fail record the
 * error in ctx->err at the node's position and return -1. */
#ifndef ADP_COMPILE_H
#define ADP_COMPILE_H

#include <stddef.h>
#include <stdint.h>
#include "locate.h"
#include "registry.h"

/* An operation as a version knows it. */
typedef struct st_adp__ident_t {
    const char *id;
    int method; /* -1 when unknown */
    const char *tpl;
    const spec_operation_t *op; /* in that version's spec, or NULL */
    const spec_node_t *pos;     /* for errors */
} adp__ident_t;

typedef struct st_adp__idents_t {
    adp__ident_t *items;
    size_t n, cap;
    int done;
} adp__idents_t;

/* An operation entry of a change, validated and compiled. */
typedef struct st_adp__centry_t {
    const spec_operation_t *old_op, *new_op;
    adp__step_t *req, *res;
    size_t nreq, nres;
    adp__status_map_t *smap;
    size_t nsmap;
    adp__fstep_t *hreq, *hres, *query;
    size_t nhreq, nhres, nquery;
    const adp__rewrite_t *rewrite;
} adp__centry_t;

typedef struct st_adp__cchange_t {
    const adp__change_t *c;
    adp__unit_t *units;        /* per schema entry */
    const spec_node_t **comps; /* the component in the older spec, per schema entry */
    adp__target_t *req_targets, *res_targets;
    size_t nreq_targets, nres_targets;
    adp__statuses_t res_on; /* statuses some response-scope schema step applies to */
    adp__centry_t *entries; /* per operation entry */
    adp__fstep_t *hreq, *hres, *query;
    size_t nhreq, nhres, nquery;
    const adp__hop_t *generic; /* for operations with no entry and no schema instances */
} adp__cchange_t;

typedef struct st_adp__dfa_cache_t {
    const adp__change_t *c;
    const spec_node_t *root;
    unsigned scope;
    const adp__dfa_t *dfa;
} adp__dfa_cache_t;

typedef struct st_adp__hop_cache_t {
    const adp__change_t *c;
    const spec_operation_t *op;
    const adp__opent_t *e;
    const adp__hop_t *hop;
} adp__hop_cache_t;

typedef struct st_adp__compiler_t {
    adp__ctx_t *ctx;
    adp__arena_t *arena;
    const adp__file_t *file;
    adp_registry_t *reg;
    uint32_t max_states;
    size_t max_plans;
    adp__cchange_t *changes; /* per version index (the change to it) */
    adp__idents_t *idents;   /* per version */
    adp__dfa_cache_t *dfas;
    size_t ndfas, dfas_cap;
    adp__hop_cache_t *hops;
    size_t nhops, hops_cap;
} adp__compiler_t;

/* The registry's copy: the caller's version names need not outlive the load. */
static inline const char *adp__compile_vname(const adp__compiler_t *cc, size_t i)
{
    return cc->reg->versions[i].name;
}

static inline const spec_t *adp__compile_vspec(const adp__compiler_t *cc, size_t i)
{
    return cc->ctx->versions[i].spec;
}

/* Records "<message>" at `n`; returns -1. */
int adp__compile_fail(adp__compiler_t *cc, const spec_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The operation of `spec` by operationId, else by method and template shape; NULL if none. */
const spec_operation_t *adp__compile_find_op(const spec_t *spec, const char *id, int method,
                                             const char *tpl);
/* For messages: the operationId, or "METHOD /template". */
const char *adp__compile_op_label(adp__compiler_t *cc, const char *id, int method, const char *tpl);
/* "METHOD /template" of `id`, or NULL without both. */
const char *adp__compile_ident_key(adp__compiler_t *cc, const adp__ident_t *id);

/* Pass 1 (compile_change.c): validates and compiles the change of `cx`. */
int adp__compile_change(adp__compiler_t *cc, adp__cchange_t *cx);

/* compile_hop.c: the entry of `c` naming `id` (its index in *index), or NULL. */
const adp__opent_t *adp__compile_find_entry(const adp__change_t *c, const adp__ident_t *id,
                                            size_t *index);
/* The hop of change `cx` for operation `op` (of the older version's spec; NULL: unknown) with
 * its entry `e` and compiled entry `ce` (both NULL when the change does not name it); cached. */
int adp__compile_make_hop(adp__compiler_t *cc, const adp__cchange_t *cx, const adp__opent_t *e,
                          const adp__centry_t *ce, const spec_operation_t *op,
                          const adp__hop_t **out);

/* compile_plan.c: the operations the `versions` entry of version i names must be in its spec. */
int adp__compile_check_opdeprs(adp__compiler_t *cc, size_t i);
/* Builds the plans of version i (after every change is compiled). */
int adp__compile_plan_version(adp__compiler_t *cc, size_t i);

#endif
