/* Compiles a parsed adapter file against the versions' specs: validates every change (operations,
 * schema components, fields, types, enums, paths), turns each step into direction-specific
 * primitives, locates schema components in each operation's bodies, and chains the changes into
 * one plan per (operation, requested version). */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "locate.h"
#include "registry.h"
#include "steps.h"

/* ---- compiler state ---- */

/* An operation as a version knows it. */
typedef struct {
    const char *id;
    int method; /* -1 when unknown */
    const char *tpl;
    const spec_operation_t *op; /* in that version's spec, or NULL */
    const spec_node_t *pos;     /* for errors */
} ident_t;

typedef struct {
    ident_t *items;
    size_t n, cap;
    int done;
} idents_t;

/* An operation entry of a change, validated and compiled. */
typedef struct {
    const spec_operation_t *old_op, *new_op;
    adp__step_t *req, *res;
    size_t nreq, nres;
    adp__status_map_t *smap;
    size_t nsmap;
    adp__fstep_t *hreq, *hres, *query;
    size_t nhreq, nhres, nquery;
    const adp__rewrite_t *rewrite;
} centry_t;

typedef struct {
    const adp__change_t *c;
    adp__unit_t *units;        /* per schema entry */
    const spec_node_t **comps; /* the component in the older spec, per schema entry */
    adp__target_t *req_targets, *res_targets;
    size_t nreq_targets, nres_targets;
    adp__statuses_t res_on; /* statuses some response-scope schema step applies to */
    centry_t *entries;      /* per operation entry */
    adp__fstep_t *hreq, *hres, *query;
    size_t nhreq, nhres, nquery;
    const adp__hop_t *generic; /* for operations with no entry and no schema instances */
} cchange_t;

typedef struct {
    const adp__change_t *c;
    const spec_node_t *root;
    unsigned scope;
    const adp__dfa_t *dfa;
} dfa_cache_t;

typedef struct {
    const adp__change_t *c;
    const spec_operation_t *op;
    const adp__opent_t *e;
    const adp__hop_t *hop;
} hop_cache_t;

typedef struct {
    adp__ctx_t *ctx;
    adp__arena_t *arena;
    const adp__file_t *file;
    adp_registry_t *reg;
    uint32_t max_states;
    size_t max_plans;
    cchange_t *changes; /* per version index (the change to it) */
    idents_t *idents;   /* per version */
    dfa_cache_t *dfas;
    size_t ndfas, dfas_cap;
    hop_cache_t *hops;
    size_t nhops, hops_cap;
} compiler_t;

static int fail(compiler_t *cc, const spec_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(compiler_t *cc, const spec_node_t *n, const char *fmt, ...)
{
    char msg[sizeof(cc->ctx->err->message)];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return spec_error_at(cc->ctx->err, n, "%s", msg);
}

/* The registry's copy: the caller's version names need not outlive the load. */
static const char *vname(const compiler_t *cc, size_t i)
{
    return cc->reg->versions[i].name;
}

static const spec_t *vspec(const compiler_t *cc, size_t i)
{
    return cc->ctx->versions[i].spec;
}

/* ---- operations in specs ---- */

static const spec_operation_t *find_op(const spec_t *spec, const char *id, int method,
                                       const char *tpl)
{
    if (spec == NULL)
        return NULL;
    if (id != NULL) {
        const spec_operation_t *op = spec_find_operation_by_id(spec, id);
        if (op != NULL || method < 0)
            return op;
    }
    if (method < 0 || tpl == NULL)
        return NULL;
    const spec_path_t *p = spec_find_path(spec, tpl);
    if (p != NULL && p->by_method[method] != NULL)
        return p->by_method[method];
    for (size_t i = 0; i < spec_path_count(spec); ++i) {
        p = spec_path_at(spec, i);
        if (p->by_method[method] != NULL && adp__tpl_same_shape(p->template, tpl))
            return p->by_method[method];
    }
    return NULL;
}

static const char *op_label(compiler_t *cc, const char *id, int method, const char *tpl)
{
    if (id != NULL)
        return id;
    return adp__arena_printf(cc->arena, "%s %s", spec_method_name((spec_method_t)method), tpl);
}

static const char *ident_key(compiler_t *cc, const ident_t *id)
{
    if (id->method < 0 || id->tpl == NULL)
        return NULL;
    return adp__arena_printf(cc->arena, "%s %s", spec_method_name((spec_method_t)id->method),
                             id->tpl);
}

/* ---- pass 1: validate and compile each change ---- */

static int compile_schemas(compiler_t *cc, cchange_t *cx)
{
    const adp__change_t *c = cx->c;
    const spec_t *older = vspec(cc, c->to - 1), *newer = vspec(cc, c->to);
    cx->units = adp__arena_alloc(cc->arena, (c->nschemas + 1) * sizeof(*cx->units));
    cx->comps = adp__arena_alloc(cc->arena, (c->nschemas + 1) * sizeof(*cx->comps));
    cx->req_targets = adp__arena_alloc(cc->arena, (c->nschemas + 1) * sizeof(adp__target_t));
    cx->res_targets = adp__arena_alloc(cc->arena, (c->nschemas + 1) * sizeof(adp__target_t));
    for (size_t i = 0; i < c->nschemas; ++i) {
        const adp__schent_t *s = &c->schemas[i];
        if (older == NULL)
            return fail(cc, s->key,
                        "schemas: %s has no spec, so instances of %s cannot be located "
                        "(give %s a spec, or use operation-scoped steps)",
                        vname(cc, c->to - 1), s->name, vname(cc, c->to - 1));
        const spec_node_t *oc = spec_component(older, "schemas", s->name);
        if (oc == NULL)
            return fail(cc, s->key, "schemas: %s's spec has no component schema '%s'",
                        vname(cc, c->to - 1), s->name);
        const spec_node_t *nc = newer != NULL ? spec_component(newer, "schemas", s->name) : NULL;
        if (newer != NULL && nc == NULL)
            return fail(cc, s->key, "schemas: %s's spec has no component schema '%s'",
                        vname(cc, c->to), s->name);
        for (size_t j = 0; j < i; ++j)
            if (cx->comps[j] == oc)
                return fail(cc, s->key, "schemas: '%s' is the same schema as '%s'", s->name,
                            c->schemas[j].name);
        const char *where = adp__arena_printf(cc->arena, "schema %s", s->name);
        adp__side_t os = {older, {oc}, 1, vname(cc, c->to - 1), where};
        adp__side_t ns = {newer, {nc}, nc != NULL, vname(cc, c->to), where};
        const char *prefix =
            adp__arena_printf(cc->arena, "%s schema %s", vname(cc, c->to), s->name);
        adp__unit_t *u = &cx->units[i];
        adp__step_t *up, *down;
        if (adp__compile_steps(cc->ctx, &s->ops, &os, &ns, prefix, 1, &up, &u->nup, &down,
                               &u->ndown) != 0)
            return -1;
        u->up = up;
        u->down = down;
        u->local_up = adp__steps_local(up, u->nup);
        u->local_down = adp__steps_local(down, u->ndown);
        cx->comps[i] = oc;
        unsigned scopes = 0;
        for (size_t k = 0; k < u->nup; ++k)
            scopes |= up[k].scope;
        for (size_t k = 0; k < u->ndown; ++k)
            scopes |= down[k].scope;
        if (scopes & ADP__IN_REQUEST)
            cx->req_targets[cx->nreq_targets++] = (adp__target_t){oc, u};
        if (scopes & ADP__IN_RESPONSE)
            cx->res_targets[cx->nres_targets++] = (adp__target_t){oc, u};
        for (size_t k = 0; k < u->ndown; ++k)
            for (int w = 0; w < 8 && (down[k].scope & ADP__IN_RESPONSE); ++w)
                cx->res_on.bits[w] |= down[k].on.bits[w];
    }
    return 0;
}

static int compile_rewrite(compiler_t *cc, const adp__opent_t *e, centry_t *ce)
{
    adp__rewrite_t *rw = adp__arena_alloc(cc->arena, sizeof(*rw));
    const char *bad = NULL;
    if (adp__tpl_parse(cc->arena, e->path_old, NULL, &rw->from, &bad) != 0)
        return fail(cc, spec_node_get(e->path_node, "old"), "path.old: malformed template '%s'",
                    e->path_old);
    if (adp__tpl_parse(cc->arena, e->path_new, &rw->from, &rw->to, &bad) != 0)
        return fail(cc, spec_node_get(e->path_node, "new"),
                    bad != NULL ? "path.new: variable '{%s}' is not in path.old"
                                : "path.new: malformed template '%s'",
                    bad != NULL ? bad : e->path_new);
    ce->rewrite = rw;
    return 0;
}

static int compile_entry(compiler_t *cc, cchange_t *cx, const adp__opent_t *e, centry_t *ce)
{
    const adp__change_t *c = cx->c;
    size_t k = c->to;
    const spec_t *older = vspec(cc, k - 1), *newer = vspec(cc, k);
    const char *label = spec_node_scalar(e->key);
    if (e->method >= 0 && e->path_old != NULL && !adp__tpl_same_shape(e->path_old, e->tpl))
        return fail(cc, spec_node_get(e->path_node, "old"),
                    "path.old: '%s' is not the operation's template '%s'", e->path_old, e->tpl);
    const char *old_tpl = e->tpl != NULL ? e->tpl : e->path_old;
    if (older != NULL) {
        ce->old_op = find_op(older, e->id, e->method, old_tpl);
        if (ce->old_op == NULL)
            return fail(cc, e->key, "operation '%s' is not in %s's spec", label, vname(cc, k - 1));
        if (e->path_old != NULL && !adp__tpl_same_shape(e->path_old, ce->old_op->path->template))
            return fail(cc, spec_node_get(e->path_node, "old"),
                        "path.old: '%s' is not %s's template for %s ('%s')", e->path_old,
                        vname(cc, k - 1), label, ce->old_op->path->template);
    }
    int method = e->method >= 0 ? e->method : ce->old_op != NULL ? (int)ce->old_op->method : -1;
    const char *new_tpl = e->path_new != NULL ? e->path_new : old_tpl;
    if (newer != NULL) {
        const spec_operation_t *n = e->id != NULL ? spec_find_operation_by_id(newer, e->id) : NULL;
        if (n == NULL && e->path_new != NULL && method >= 0)
            n = find_op(newer, NULL, method, new_tpl);
        if (n == NULL && e->id == NULL && method >= 0)
            n = find_op(newer, NULL, method, new_tpl);
        if (e->gone) {
            if (n != NULL)
                return fail(cc, e->key, "gone: %s's spec still has operation '%s'", vname(cc, k),
                            label);
            return 0;
        }
        if (n == NULL)
            return fail(cc, e->path_node != NULL ? e->path_node : e->key,
                        "operation '%s' is not in %s's spec (mark it 'gone: true', or give its "
                        "'path' when the template changed)",
                        label, vname(cc, k));
        if (e->path_new != NULL && !adp__tpl_same_shape(e->path_new, n->path->template))
            return fail(cc, spec_node_get(e->path_node, "new"),
                        "path.new: '%s' is not %s's template for %s ('%s')", e->path_new,
                        vname(cc, k), label, n->path->template);
        ce->new_op = n;
    }
    if (e->gone)
        return 0;
    if (e->path_old != NULL && compile_rewrite(cc, e, ce) != 0)
        return -1;
    /* bodies */
    const char *opname =
        ce->old_op != NULL && ce->old_op->operation_id != NULL ? ce->old_op->operation_id : label;
    adp__side_t os = {older, {0}, 0, vname(cc, k - 1), NULL},
                ns = {newer, {0}, 0, vname(cc, k), NULL};
    os.where = ns.where = adp__arena_printf(cc->arena, "request body of %s", opname);
    if (ce->old_op != NULL)
        adp__side_add(&os, spec_request_schema(older, ce->old_op, NULL));
    if (ce->new_op != NULL)
        adp__side_add(&ns, spec_request_schema(newer, ce->new_op, NULL));
    adp__step_t *down;
    size_t ndown;
    const char *prefix = adp__arena_printf(cc->arena, "%s %s request", vname(cc, k), opname);
    if (adp__compile_steps(cc->ctx, &e->request, &os, &ns, prefix, 0, &ce->req, &ce->nreq, &down,
                           &ndown) != 0)
        return -1;
    /* status mappings first: the response steps' `on` speaks of the older version's codes */
    adp__statuses_t on_old = {{0}}, on_new = {{0}};
    ce->smap = adp__arena_alloc(cc->arena, (e->response.n + 1) * sizeof(*ce->smap));
    for (size_t i = 0; i < e->response.n; ++i) {
        const adp__op_t *op = &e->response.items[i];
        for (int w = 0; w < 8; ++w) {
            on_old.bits[w] |= op->on.bits[w];
            on_new.bits[w] |= op->on.bits[w];
        }
        if (op->kind != ADP__OP_STATUS)
            continue;
        if (ce->old_op != NULL && spec_operation_response(ce->old_op, op->status_old) == NULL)
            return fail(cc, op->node, "status: %s's %s declares no response %d", vname(cc, k - 1),
                        opname, op->status_old);
        if (ce->new_op != NULL && spec_operation_response(ce->new_op, op->status_new) == NULL)
            return fail(cc, op->node, "status: %s's %s declares no response %d", vname(cc, k),
                        opname, op->status_new);
        for (size_t j = 0; j < ce->nsmap; ++j)
            if (ce->smap[j].newer == op->status_new)
                return fail(cc, op->node, "status: %d is mapped twice", op->status_new);
        ce->smap[ce->nsmap++] = (adp__status_map_t){op->status_old, op->status_new};
        adp__statuses_add(&on_new, op->status_new);
    }
    memset(&os.schemas, 0, sizeof(os.schemas));
    os.n = ns.n = 0;
    os.where = ns.where = adp__arena_printf(cc->arena, "responses of %s", opname);
    adp__side_responses(&os, older, ce->old_op, &on_old);
    adp__side_responses(&ns, newer, ce->new_op, &on_new);
    adp__step_t *up;
    size_t nup;
    prefix = adp__arena_printf(cc->arena, "%s %s response", vname(cc, k), opname);
    if (adp__compile_steps(cc->ctx, &e->response, &os, &ns, prefix, 0, &up, &nup, &ce->res,
                           &ce->nres) != 0)
        return -1;
    adp__fsteps_t f = {0};
    adp__compile_headers(&c->headers, 1, &f);
    adp__compile_headers(&e->headers, 1, &f);
    ce->hreq = adp__fsteps_finish(cc->ctx, &f, &ce->nhreq);
    adp__compile_headers(&e->headers, 0, &f);
    adp__compile_headers(&c->headers, 0, &f);
    ce->hres = adp__fsteps_finish(cc->ctx, &f, &ce->nhres);
    adp__compile_query(cc->ctx, &c->query, &f);
    adp__compile_query(cc->ctx, &e->query, &f);
    ce->query = adp__fsteps_finish(cc->ctx, &f, &ce->nquery);
    return 0;
}

static int compile_change(compiler_t *cc, cchange_t *cx)
{
    const adp__change_t *c = cx->c;
    if (compile_schemas(cc, cx) != 0)
        return -1;
    cx->entries = adp__arena_alloc(cc->arena, (c->nops + 1) * sizeof(*cx->entries));
    for (size_t i = 0; i < c->nops; ++i) {
        for (size_t j = 0; j < i; ++j)
            if ((c->ops[i].id != NULL && c->ops[j].id != NULL &&
                 strcmp(c->ops[i].id, c->ops[j].id) == 0) ||
                (c->ops[i].tpl != NULL && c->ops[j].tpl != NULL &&
                 c->ops[i].method == c->ops[j].method &&
                 adp__tpl_same_shape(c->ops[i].tpl, c->ops[j].tpl)))
                return fail(cc, c->ops[i].key, "operations: '%s' is listed twice",
                            spec_node_scalar(c->ops[i].key));
        if (compile_entry(cc, cx, &c->ops[i], &cx->entries[i]) != 0)
            return -1;
        /* the same operation named both ways */
        for (size_t j = 0; j < i; ++j)
            if (cx->entries[i].old_op != NULL && cx->entries[i].old_op == cx->entries[j].old_op)
                return fail(cc, c->ops[i].key, "operations: '%s' names the same operation as '%s'",
                            spec_node_scalar(c->ops[i].key), spec_node_scalar(c->ops[j].key));
    }
    adp__fsteps_t f = {0};
    adp__compile_headers(&c->headers, 1, &f);
    cx->hreq = adp__fsteps_finish(cc->ctx, &f, &cx->nhreq);
    adp__compile_headers(&c->headers, 0, &f);
    cx->hres = adp__fsteps_finish(cc->ctx, &f, &cx->nhres);
    adp__compile_query(cc->ctx, &c->query, &f);
    cx->query = adp__fsteps_finish(cc->ctx, &f, &cx->nquery);
    adp__hop_t *g = adp__arena_alloc(cc->arena, sizeof(*g));
    g->to = vname(cc, c->to);
    g->req_headers = cx->hreq;
    g->nreq_headers = cx->nhreq;
    g->res_headers = cx->hres;
    g->nres_headers = cx->nhres;
    g->query = cx->query;
    g->nquery = cx->nquery;
    cx->generic = g;
    return 0;
}

/* ---- hops ---- */

static int locate(compiler_t *cc, const cchange_t *cx, const spec_node_t *root, unsigned scope,
                  const spec_node_t *pos, const adp__dfa_t **out)
{
    *out = NULL;
    const adp__target_t *t = scope == ADP__IN_REQUEST ? cx->req_targets : cx->res_targets;
    size_t nt = scope == ADP__IN_REQUEST ? cx->nreq_targets : cx->nres_targets;
    if (root == NULL || nt == 0)
        return 0;
    for (size_t i = 0; i < cc->ndfas; ++i)
        if (cc->dfas[i].c == cx->c && cc->dfas[i].root == root && cc->dfas[i].scope == scope) {
            *out = cc->dfas[i].dfa;
            return 0;
        }
    if (adp__locate(cc->arena, vspec(cc, cx->c->to - 1), root, t, nt, cc->max_states, out) != 0)
        return fail(cc, pos,
                    "locating schemas of the change to %s here needs more than %" PRIu32
                    " automaton states",
                    vname(cc, cx->c->to), cc->max_states);
    adp__grow(&cc->dfas, &cc->dfas_cap, cc->ndfas + 1, sizeof(*cc->dfas));
    cc->dfas[cc->ndfas++] = (dfa_cache_t){cx->c, root, scope, *out};
    return 0;
}

static const adp__opent_t *find_entry(const adp__change_t *c, const ident_t *id, size_t *index)
{
    for (size_t i = 0; i < c->nops; ++i) {
        const adp__opent_t *e = &c->ops[i];
        if ((e->id != NULL && id->id != NULL && strcmp(e->id, id->id) == 0) ||
            (e->tpl != NULL && id->tpl != NULL && e->method == id->method &&
             adp__tpl_same_shape(e->tpl, id->tpl))) {
            *index = i;
            return e;
        }
    }
    return NULL;
}

static int make_hop(compiler_t *cc, const cchange_t *cx, const adp__opent_t *e, const centry_t *ce,
                    const spec_operation_t *op, const adp__hop_t **out)
{
    for (size_t i = 0; i < cc->nhops; ++i)
        if (cc->hops[i].c == cx->c && cc->hops[i].op == op && cc->hops[i].e == e) {
            *out = cc->hops[i].hop;
            return 0;
        }
    const spec_t *older = vspec(cc, cx->c->to - 1);
    const adp__dfa_t *req = NULL;
    adp__rdfa_t rd[64];
    size_t nrd = 0;
    if (op != NULL &&
        locate(cc, cx, spec_request_schema(older, op, NULL), ADP__IN_REQUEST, op->key, &req) != 0)
        return -1;
    for (size_t i = 0; op != NULL && i < op->nresponses; ++i) {
        const spec_node_t *media =
            spec_content_media(older, spec_node_get(op->responses[i].node, "content"), NULL);
        const adp__dfa_t *d;
        if (locate(cc, cx, spec_deref(older, spec_node_get(media, "schema")), ADP__IN_RESPONSE,
                   op->responses[i].key, &d) != 0)
            return -1;
        if (d == NULL || nrd == sizeof(rd) / sizeof(rd[0]))
            continue;
        memset(&rd[nrd], 0, sizeof(rd[nrd]));
        for (int s = 100; s <= 599; ++s)
            if (spec_operation_response(op, s) == &op->responses[i] &&
                adp__statuses_has(&cx->res_on, s))
                adp__statuses_add(&rd[nrd].statuses, s);
        rd[nrd++].dfa = d;
    }
    if (e == NULL && req == NULL && nrd == 0) {
        *out = cx->generic;
    } else {
        adp__hop_t *h = adp__arena_alloc(cc->arena, sizeof(*h));
        *h = *cx->generic;
        h->req_dfa = req;
        h->res_dfas = adp__arena_memdup(cc->arena, rd, nrd, sizeof(*rd));
        h->nres_dfas = nrd;
        if (ce != NULL) {
            h->req_steps = ce->req;
            h->nreq_steps = ce->nreq;
            h->res_steps = ce->res;
            h->nres_steps = ce->nres;
            h->status_map = ce->smap;
            h->nstatus_map = ce->nsmap;
            h->req_headers = ce->hreq;
            h->nreq_headers = ce->nhreq;
            h->res_headers = ce->hres;
            h->nres_headers = ce->nhres;
            h->query = ce->query;
            h->nquery = ce->nquery;
            h->rewrite = ce->rewrite;
        }
        *out = h;
    }
    adp__grow(&cc->hops, &cc->hops_cap, cc->nhops + 1, sizeof(*cc->hops));
    cc->hops[cc->nhops++] = (hop_cache_t){cx->c, op, e, *out};
    return 0;
}

/* ---- operations per version ---- */

static void idents_add(idents_t *l, ident_t id)
{
    for (size_t i = 0; i < l->n; ++i) {
        const ident_t *o = &l->items[i];
        if ((o->id != NULL && id.id != NULL && strcmp(o->id, id.id) == 0) ||
            (o->tpl != NULL && id.tpl != NULL && o->method == id.method &&
             adp__tpl_same_shape(o->tpl, id.tpl)))
            return;
    }
    adp__grow(&l->items, &l->cap, l->n + 1, sizeof(*l->items));
    l->items[l->n++] = id;
}

/* The operations version `i` has: its spec's, or (without a spec) those of the next version
 * mapped back through the change to it, plus what the adapter file names. */
static idents_t *idents_of(compiler_t *cc, size_t i)
{
    idents_t *l = &cc->idents[i];
    if (l->done)
        return l;
    l->done = 1;
    const spec_t *spec = vspec(cc, i);
    if (spec != NULL) {
        for (size_t k = 0; k < spec_operation_count(spec); ++k) {
            const spec_operation_t *op = spec_operation_at(spec, k);
            idents_add(
                l, (ident_t){op->operation_id, (int)op->method, op->path->template, op, op->key});
        }
        return l;
    }
    const adp__change_t *c = i + 1 < cc->ctx->nversions ? cc->file->by_version[i + 1] : NULL;
    for (size_t k = 0; c != NULL && k < c->nops; ++k) {
        const adp__opent_t *e = &c->ops[k];
        int method = e->method;
        const char *tpl = e->tpl != NULL ? e->tpl : e->path_old;
        const centry_t *ce = &cc->changes[i + 1].entries[k];
        if (method < 0 && ce->new_op != NULL)
            method = (int)ce->new_op->method;
        if (tpl == NULL && ce->new_op != NULL && e->path_new == NULL)
            tpl = ce->new_op->path->template;
        idents_add(l, (ident_t){e->id, tpl != NULL ? method : -1, tpl, NULL, e->key});
    }
    if (i + 1 < cc->ctx->nversions) {
        idents_t *next = idents_of(cc, i + 1);
        for (size_t k = 0; k < next->n; ++k) {
            ident_t id = next->items[k];
            id.op = NULL;
            if (c != NULL) {
                /* an operation whose path the change rewrote is known here by its old path */
                int skip = 0;
                for (size_t j = 0; j < c->nops && !skip; ++j)
                    skip = c->ops[j].path_new != NULL && id.tpl != NULL &&
                           adp__tpl_same_shape(c->ops[j].path_new, id.tpl);
                if (skip)
                    continue;
            }
            idents_add(l, id);
        }
    }
    const adp__vmeta_t *m = &cc->file->meta[i];
    for (size_t k = 0; k < m->nops; ++k)
        idents_add(l,
                   (ident_t){m->ops[k].id, m->ops[k].method, m->ops[k].tpl, NULL, m->ops[k].key});
    return l;
}

/* ---- deprecation ---- */

static const adp_deprecation_t *make_deprecation(compiler_t *cc, const adp__vmeta_t *m,
                                                 const adp__depr_t *op)
{
    const adp__depr_t *v = m->has_depr ? &m->depr : NULL;
    if (v == NULL && op == NULL)
        return NULL;
    adp_deprecation_t *d = adp__arena_alloc(cc->arena, sizeof(*d));
    const adp__depr_t *src;
    src = op != NULL && op->has_deprecated ? op : v != NULL && v->has_deprecated ? v : NULL;
    if (src != NULL) {
        d->has_deprecated = 1;
        d->deprecated_at = src->deprecated_at;
        /* RFC 9745 §2.1: an sf-date, "@" and seconds since the epoch */
        d->deprecation = adp__arena_printf(cc->arena, "@%" PRId64, src->deprecated_at);
    }
    src = op != NULL && op->has_sunset ? op : v != NULL && v->has_sunset ? v : NULL;
    if (src != NULL) {
        char buf[40];
        d->has_sunset = 1;
        d->sunset_at = src->sunset_at;
        d->sunset =
            adp__arena_strdup(cc->arena, adp_format_http_date(src->sunset_at, buf, sizeof(buf)));
    }
    src = op != NULL && op->has_after_sunset ? op : v;
    d->gone_after_sunset = src != NULL ? src->gone_after_sunset : 1;
    const char *link = op != NULL && op->link != NULL ? op->link : v != NULL ? v->link : NULL;
    if (link != NULL)
        d->link =
            adp__arena_printf(cc->arena, "<%s>; rel=\"deprecation\"; type=\"text/html\"", link);
    link = op != NULL && op->sunset_link != NULL ? op->sunset_link
           : v != NULL                           ? v->sunset_link
                                                 : NULL;
    if (link != NULL) /* RFC 8594 §6 */
        d->sunset_link = adp__arena_printf(cc->arena, "<%s>; rel=\"sunset\"", link);
    return d;
}

static adp__opdepr_t *find_opdepr(const adp__vmeta_t *m, const ident_t *id)
{
    for (size_t k = 0; k < m->nops; ++k) {
        adp__opdepr_t *o = &m->ops[k];
        if ((o->id != NULL && id->id != NULL && strcmp(o->id, id->id) == 0) ||
            (o->tpl != NULL && id->tpl != NULL && o->method == id->method &&
             adp__tpl_same_shape(o->tpl, id->tpl)))
            return o;
    }
    return NULL;
}

static int check_opdeprs(compiler_t *cc, size_t i)
{
    const adp__vmeta_t *m = &cc->file->meta[i];
    const spec_t *spec = vspec(cc, i);
    for (size_t k = 0; spec != NULL && k < m->nops; ++k)
        if (find_op(spec, m->ops[k].id, m->ops[k].method, m->ops[k].tpl) == NULL)
            return fail(cc, m->ops[k].key, "versions: operation '%s' is not in %s's spec",
                        spec_node_scalar(m->ops[k].key), vname(cc, i));
    return 0;
}

/* ---- plans ---- */

static adp_plan_t *new_plan(compiler_t *cc, size_t i)
{
    adp_registry_t *reg = cc->reg;
    adp_plan_t *p = adp__arena_alloc(cc->arena, sizeof(*p));
    p->version_name = reg->versions[i].name;
    atomic_init(&p->mismatches[0], 0);
    atomic_init(&p->mismatches[1], 0);
    atomic_init(&p->logged, 0);
    adp__grow(&reg->plans, &reg->plans_cap, reg->nplans + 1, sizeof(*reg->plans));
    reg->plans[reg->nplans++] = p;
    return p;
}

/* What the plan's hops need buffered. */
static void body_needs(adp_plan_t *p)
{
    for (size_t h = 0; h < p->nhops; ++h)
        p->request_body |= p->hops[h]->req_dfa != NULL || p->hops[h]->nreq_steps != 0;
    for (int s = 100; s <= 599; ++s) {
        int st = s, need = 0;
        for (size_t h = p->nhops; h-- > 0 && !need;) {
            const adp__hop_t *hop = p->hops[h];
            for (size_t k = 0; k < hop->nstatus_map; ++k)
                if (hop->status_map[k].newer == st) {
                    st = hop->status_map[k].older;
                    break;
                }
            for (size_t k = 0; k < hop->nres_steps && !need; ++k)
                need = adp__statuses_has(&hop->res_steps[k].on, st);
            for (size_t k = 0; k < hop->nres_dfas && !need; ++k)
                need = adp__statuses_has(&hop->res_dfas[k].statuses, st);
        }
        if (need)
            adp__statuses_add(&p->response_body, s);
    }
}

static int literal_segments(const char *tpl)
{
    int n = 0;
    for (const char *s = tpl; s != NULL && *s != '\0';) {
        const char *end = strchr(s + 1, '/');
        size_t len = end != NULL ? (size_t)(end - s) : strlen(s);
        n += memchr(s, '{', len) == NULL;
        s = end;
    }
    return n;
}

static const char *sunset_detail(compiler_t *cc, size_t i, const char *op,
                                 const adp_deprecation_t *d)
{
    if (d == NULL || !d->has_sunset)
        return NULL;
    if (op != NULL)
        return adp__arena_printf(cc->arena, "%s in version %s of %s was sunset on %s", op,
                                 vname(cc, i), cc->file->api, d->sunset);
    return adp__arena_printf(cc->arena, "version %s of %s was sunset on %s", vname(cc, i),
                             cc->file->api, d->sunset);
}

/* Builds the plan of one operation of version i (served by version u). NULL: the version's
 * fallback plan does the same. */
static int plan_op(compiler_t *cc, size_t i, size_t u, const ident_t *start, adp_plan_t **out)
{
    const adp__hop_t *hops[64];
    size_t nhops = 0;
    int specific = 0;
    const char *gone = NULL;
    ident_t cur = *start;
    *out = NULL;
    for (size_t k = i + 1; k <= u; ++k) {
        const cchange_t *cx = &cc->changes[k];
        const adp__opent_t *e = NULL;
        const centry_t *ce = NULL;
        size_t ei;
        if (cx->c != NULL && (e = find_entry(cx->c, &cur, &ei)) != NULL) {
            ((adp__opent_t *)e)->used = 1;
            ce = &cx->entries[ei];
        }
        if (e != NULL && e->gone) {
            gone = e->gone_detail != NULL
                       ? e->gone_detail
                       : adp__arena_printf(cc->arena, "%s was removed in version %s of %s",
                                           op_label(cc, cur.id, cur.method, cur.tpl), vname(cc, k),
                                           cc->file->api);
            specific = 1;
            nhops = 0;
            break;
        }
        if (cx->c != NULL) {
            const adp__hop_t *h;
            if (make_hop(cc, cx, e, ce, cur.op, &h) != 0)
                return -1;
            specific |= h != cx->generic;
            if (nhops == sizeof(hops) / sizeof(hops[0]))
                return fail(cc, start->pos, "more than 64 version changes in one chain");
            hops[nhops++] = h;
        }
        /* the operation as version k knows it */
        ident_t next = cur;
        if (e != NULL && e->path_new != NULL)
            next.tpl = e->path_new;
        next.op = NULL;
        const spec_t *spec = vspec(cc, k);
        if (spec != NULL) {
            const spec_operation_t *op = ce != NULL ? ce->new_op : NULL;
            if (op == NULL)
                op = find_op(spec, cur.id, next.tpl != NULL ? cur.method : -1, next.tpl);
            if (op == NULL)
                return fail(cc, e != NULL ? e->key : cur.pos,
                            "operation %s of %s has no counterpart in %s's spec: in the change "
                            "to %s, mark it 'gone: true' or give its new 'path'",
                            op_label(cc, cur.id, cur.method, cur.tpl), vname(cc, i), vname(cc, k),
                            vname(cc, k));
            next = (ident_t){op->operation_id, (int)op->method, op->path->template, op, op->key};
        }
        cur = next;
    }
    const adp__vmeta_t *m = &cc->file->meta[i];
    adp__opdepr_t *od = find_opdepr(m, start);
    if (od != NULL) {
        od->used = 1;
        specific = 1;
    }
    if (!specific)
        return 0;
    adp_plan_t *p = new_plan(cc, i);
    p->op_id = start->id != NULL ? adp__arena_strdup(cc->arena, start->id) : NULL;
    p->key = ident_key(cc, start);
    p->operation = p->op_id != NULL ? p->op_id : p->key;
    p->hops = adp__arena_memdup(cc->arena, hops, nhops, sizeof(*hops));
    p->nhops = nhops;
    p->gone_detail = gone;
    p->deprecation = make_deprecation(cc, m, od != NULL ? &od->depr : NULL);
    /* the sentence names the operation only when its own entry set the sunset */
    p->sunset_detail = sunset_detail(cc, i, od != NULL && od->depr.has_sunset ? p->operation : NULL,
                                     p->deprecation);
    if (start->tpl != NULL && start->method >= 0) {
        adp__tpl_t *t = adp__arena_alloc(cc->arena, sizeof(*t));
        const char *bad = NULL;
        if (adp__tpl_parse(cc->arena, start->tpl, NULL, t, &bad) == 0) {
            p->match_tpl = t;
            p->literal_segments = literal_segments(start->tpl);
        }
    }
    body_needs(p);
    *out = p;
    return 0;
}

static int cmp_named(const void *a, const void *b)
{
    return strcmp(((const adp__named_plan_t *)a)->name, ((const adp__named_plan_t *)b)->name);
}

static int cmp_match(const void *a, const void *b)
{
    const adp_plan_t *x = *(const adp_plan_t *const *)a, *y = *(const adp_plan_t *const *)b;
    if (x->literal_segments != y->literal_segments)
        return y->literal_segments - x->literal_segments;
    return strcmp(x->key, y->key);
}

static int plan_version(compiler_t *cc, size_t i)
{
    adp__version_t *v = &cc->reg->versions[i];
    size_t u = v->upstream;
    const adp__vmeta_t *m = &cc->file->meta[i];
    /* the fallback: change-wide steps only, the version's deprecation */
    const adp__hop_t *hops[64];
    size_t nhops = 0;
    for (size_t k = i + 1; k <= u; ++k)
        if (cc->changes[k].c != NULL && nhops < 64)
            hops[nhops++] = cc->changes[k].generic;
    if (u != i || m->has_depr) {
        adp_plan_t *f = new_plan(cc, i);
        f->operation = "*";
        f->hops = adp__arena_memdup(cc->arena, hops, nhops, sizeof(*hops));
        f->nhops = nhops;
        f->deprecation = make_deprecation(cc, m, NULL);
        f->sunset_detail = sunset_detail(cc, i, NULL, f->deprecation);
        body_needs(f);
        v->fallback = f;
    }
    idents_t *ids = idents_of(cc, i);
    adp__named_plan_t *by_id = adp__xcalloc(ids->n + 1, sizeof(*by_id));
    adp__named_plan_t *by_key = adp__xcalloc(ids->n + 1, sizeof(*by_key));
    const adp_plan_t **match = adp__xcalloc(ids->n + 1, sizeof(*match));
    size_t nid = 0, nkey = 0, nmatch = 0;
    int rc = 0;
    for (size_t k = 0; k < ids->n; ++k) {
        if (u == i && find_opdepr(m, &ids->items[k]) == NULL)
            continue;
        adp_plan_t *p;
        if ((rc = plan_op(cc, i, u, &ids->items[k], &p)) != 0)
            break;
        if (cc->reg->nplans > cc->max_plans) {
            rc = fail(cc, ids->items[k].pos, "more than %zu plans", cc->max_plans);
            break;
        }
        if (p == NULL)
            continue;
        if (p->op_id != NULL)
            by_id[nid++] = (adp__named_plan_t){p->op_id, p};
        if (p->key != NULL)
            by_key[nkey++] = (adp__named_plan_t){p->key, p};
        if (p->match_tpl != NULL)
            match[nmatch++] = p;
    }
    if (rc == 0) {
        qsort(by_id, nid, sizeof(*by_id), cmp_named);
        qsort(by_key, nkey, sizeof(*by_key), cmp_named);
        qsort(match, nmatch, sizeof(*match), cmp_match);
        v->by_id = adp__arena_memdup(cc->arena, by_id, nid, sizeof(*by_id));
        v->nby_id = nid;
        v->by_key = adp__arena_memdup(cc->arena, by_key, nkey, sizeof(*by_key));
        v->nby_key = nkey;
        v->matchable = adp__arena_memdup(cc->arena, match, nmatch, sizeof(*match));
        v->nmatchable = nmatch;
    }
    free(by_id);
    free(by_key);
    free(match);
    return rc;
}

int adp__compile(adp__ctx_t *ctx, const adp__file_t *file, adp_registry_t *reg, uint32_t max_states,
                 size_t max_plans)
{
    size_t n = ctx->nversions;
    compiler_t cc = {ctx, ctx->arena, file, reg, max_states, max_plans};
    cc.changes = adp__xcalloc(n, sizeof(*cc.changes));
    cc.idents = adp__xcalloc(n, sizeof(*cc.idents));
    int rc = -1;
    /* which upstream serves each version */
    for (size_t i = n; i-- > 0;) {
        adp__version_t *v = &reg->versions[i];
        if (ctx->versions[i].has_upstream)
            v->upstream = i;
        else if (i + 1 < n)
            v->upstream = reg->versions[i + 1].upstream;
        else
            v->upstream = SIZE_MAX;
    }
    for (size_t i = 0; i < n; ++i)
        if (reg->versions[i].upstream == SIZE_MAX) {
            spec_error_at(ctx->err, file->root,
                          "version %s has no upstream and no newer version has one", vname(&cc, i));
            goto out;
        }
    for (size_t k = 1; k < n; ++k) {
        cc.changes[k].c = file->by_version[k];
        if (cc.changes[k].c != NULL && compile_change(&cc, &cc.changes[k]) != 0)
            goto out;
    }
    for (size_t i = 0; i < n; ++i)
        if (check_opdeprs(&cc, i) != 0 || plan_version(&cc, i) != 0)
            goto out;
    rc = 0;
out:
    for (size_t i = 0; i < n; ++i)
        free(cc.idents[i].items);
    free(cc.idents);
    free(cc.changes);
    free(cc.dfas);
    free(cc.hops);
    return rc;
}
