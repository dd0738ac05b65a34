/* Pass 1 of the compiler: each change validated against the older and newer specs (operations,
 * their templates and statuses, schema components) and its body, header and query steps compiled
 * into the primitives the hops run. */
#include <string.h>
#include "compile.h"
#include "steps.h"

static int compile_schemas(adp__compiler_t *cc, adp__cchange_t *cx)
{
    const adp__change_t *c = cx->c;
    const spec_t *older = adp__compile_vspec(cc, c->to - 1), *newer = adp__compile_vspec(cc, c->to);
    cx->units = adp__arena_alloc(cc->arena, (c->nschemas + 1) * sizeof(*cx->units));
    cx->comps = adp__arena_alloc(cc->arena, (c->nschemas + 1) * sizeof(*cx->comps));
    cx->req_targets = adp__arena_alloc(cc->arena, (c->nschemas + 1) * sizeof(adp__target_t));
    cx->res_targets = adp__arena_alloc(cc->arena, (c->nschemas + 1) * sizeof(adp__target_t));
    for (size_t i = 0; i < c->nschemas; ++i) {
        const adp__schent_t *s = &c->schemas[i];
        if (older == NULL)
            return adp__compile_fail(
                cc, s->key,
                "schemas: %s has no spec, so instances of %s cannot be located "
                "(give %s a spec, or use operation-scoped steps)",
                adp__compile_vname(cc, c->to - 1), s->name, adp__compile_vname(cc, c->to - 1));
        const spec_node_t *oc = spec_component(older, "schemas", s->name);
        if (oc == NULL)
            return adp__compile_fail(cc, s->key, "schemas: %s's spec has no component schema '%s'",
                                     adp__compile_vname(cc, c->to - 1), s->name);
        const spec_node_t *nc = newer != NULL ? spec_component(newer, "schemas", s->name) : NULL;
        if (newer != NULL && nc == NULL)
            return adp__compile_fail(cc, s->key, "schemas: %s's spec has no component schema '%s'",
                                     adp__compile_vname(cc, c->to), s->name);
        for (size_t j = 0; j < i; ++j)
            if (cx->comps[j] == oc)
                return adp__compile_fail(cc, s->key, "schemas: '%s' is the same schema as '%s'",
                                         s->name, c->schemas[j].name);
        const char *where = adp__arena_printf(cc->arena, "schema %s", s->name);
        adp__side_t os = {older, {oc}, 1, adp__compile_vname(cc, c->to - 1), where};
        adp__side_t ns = {newer, {nc}, nc != NULL, adp__compile_vname(cc, c->to), where};
        const char *prefix =
            adp__arena_printf(cc->arena, "%s schema %s", adp__compile_vname(cc, c->to), s->name);
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

static int compile_rewrite(adp__compiler_t *cc, const adp__opent_t *e, adp__centry_t *ce)
{
    adp__rewrite_t *rw = adp__arena_alloc(cc->arena, sizeof(*rw));
    const char *bad = NULL;
    if (adp__tpl_parse(cc->arena, e->path_old, NULL, &rw->from, &bad) != 0)
        return adp__compile_fail(cc, spec_node_get(e->path_node, "old"),
                                 "path.old: malformed template '%s'", e->path_old);
    if (adp__tpl_parse(cc->arena, e->path_new, &rw->from, &rw->to, &bad) != 0)
        return adp__compile_fail(cc, spec_node_get(e->path_node, "new"),
                                 bad != NULL ? "path.new: variable '{%s}' is not in path.old"
                                             : "path.new: malformed template '%s'",
                                 bad != NULL ? bad : e->path_new);
    ce->rewrite = rw;
    return 0;
}

static int compile_entry(adp__compiler_t *cc, adp__cchange_t *cx, const adp__opent_t *e,
                         adp__centry_t *ce)
{
    const adp__change_t *c = cx->c;
    size_t k = c->to;
    const spec_t *older = adp__compile_vspec(cc, k - 1), *newer = adp__compile_vspec(cc, k);
    const char *label = spec_node_scalar(e->key);
    if (e->method >= 0 && e->path_old != NULL && !adp__tpl_same_shape(e->path_old, e->tpl))
        return adp__compile_fail(cc, spec_node_get(e->path_node, "old"),
                                 "path.old: '%s' is not the operation's template '%s'", e->path_old,
                                 e->tpl);
    const char *old_tpl = e->tpl != NULL ? e->tpl : e->path_old;
    if (older != NULL) {
        ce->old_op = adp__compile_find_op(older, e->id, e->method, old_tpl);
        if (ce->old_op == NULL)
            return adp__compile_fail(cc, e->key, "operation '%s' is not in %s's spec", label,
                                     adp__compile_vname(cc, k - 1));
        if (e->path_old != NULL && !adp__tpl_same_shape(e->path_old, ce->old_op->path->template))
            return adp__compile_fail(cc, spec_node_get(e->path_node, "old"),
                                     "path.old: '%s' is not %s's template for %s ('%s')",
                                     e->path_old, adp__compile_vname(cc, k - 1), label,
                                     ce->old_op->path->template);
    }
    int method = e->method >= 0 ? e->method : ce->old_op != NULL ? (int)ce->old_op->method : -1;
    const char *new_tpl = e->path_new != NULL ? e->path_new : old_tpl;
    if (newer != NULL) {
        const spec_operation_t *n = e->id != NULL ? spec_find_operation_by_id(newer, e->id) : NULL;
        if (n == NULL && e->path_new != NULL && method >= 0)
            n = adp__compile_find_op(newer, NULL, method, new_tpl);
        if (n == NULL && e->id == NULL && method >= 0)
            n = adp__compile_find_op(newer, NULL, method, new_tpl);
        if (e->gone) {
            if (n != NULL)
                return adp__compile_fail(cc, e->key, "gone: %s's spec still has operation '%s'",
                                         adp__compile_vname(cc, k), label);
            return 0;
        }
        if (n == NULL)
            return adp__compile_fail(
                cc, e->path_node != NULL ? e->path_node : e->key,
                "operation '%s' is not in %s's spec (mark it 'gone: true', or give its "
                "'path' when the template changed)",
                label, adp__compile_vname(cc, k));
        if (e->path_new != NULL && !adp__tpl_same_shape(e->path_new, n->path->template))
            return adp__compile_fail(cc, spec_node_get(e->path_node, "new"),
                                     "path.new: '%s' is not %s's template for %s ('%s')",
                                     e->path_new, adp__compile_vname(cc, k), label,
                                     n->path->template);
        ce->new_op = n;
    }
    if (e->gone)
        return 0;
    if (e->path_old != NULL && compile_rewrite(cc, e, ce) != 0)
        return -1;
    /* bodies */
    const char *opname =
        ce->old_op != NULL && ce->old_op->operation_id != NULL ? ce->old_op->operation_id : label;
    adp__side_t os = {older, {0}, 0, adp__compile_vname(cc, k - 1), NULL},
                ns = {newer, {0}, 0, adp__compile_vname(cc, k), NULL};
    os.where = ns.where = adp__arena_printf(cc->arena, "request body of %s", opname);
    if (ce->old_op != NULL)
        adp__side_add(&os, spec_request_schema(older, ce->old_op, NULL));
    if (ce->new_op != NULL)
        adp__side_add(&ns, spec_request_schema(newer, ce->new_op, NULL));
    adp__step_t *down;
    size_t ndown;
    const char *prefix =
        adp__arena_printf(cc->arena, "%s %s request", adp__compile_vname(cc, k), opname);
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
            return adp__compile_fail(cc, op->node, "status: %s's %s declares no response %d",
                                     adp__compile_vname(cc, k - 1), opname, op->status_old);
        if (ce->new_op != NULL && spec_operation_response(ce->new_op, op->status_new) == NULL)
            return adp__compile_fail(cc, op->node, "status: %s's %s declares no response %d",
                                     adp__compile_vname(cc, k), opname, op->status_new);
        for (size_t j = 0; j < ce->nsmap; ++j)
            if (ce->smap[j].newer == op->status_new)
                return adp__compile_fail(cc, op->node, "status: %d is mapped twice",
                                         op->status_new);
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
    prefix = adp__arena_printf(cc->arena, "%s %s response", adp__compile_vname(cc, k), opname);
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

int adp__compile_change(adp__compiler_t *cc, adp__cchange_t *cx)
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
                return adp__compile_fail(cc, c->ops[i].key, "operations: '%s' is listed twice",
                                         spec_node_scalar(c->ops[i].key));
        if (compile_entry(cc, cx, &c->ops[i], &cx->entries[i]) != 0)
            return -1;
        /* the same operation named both ways */
        for (size_t j = 0; j < i; ++j)
            if (cx->entries[i].old_op != NULL && cx->entries[i].old_op == cx->entries[j].old_op)
                return adp__compile_fail(
                    cc, c->ops[i].key, "operations: '%s' names the same operation as '%s'",
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
    g->to = adp__compile_vname(cc, c->to);
    g->req_headers = cx->hreq;
    g->nreq_headers = cx->nhreq;
    g->res_headers = cx->hres;
    g->nres_headers = cx->nhres;
    g->query = cx->query;
    g->nquery = cx->nquery;
    cx->generic = g;
    return 0;
}
