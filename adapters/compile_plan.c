/* Plans: the operations each version knows, chained hop by hop to the version that serves them,
 * with their deprecation and sunset, sorted for lookup by operationId, by "METHOD /template" and
 * by matching the request path. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "compile.h"

/* ---- operations per version ---- */

static void idents_add(adp__idents_t *l, adp__ident_t id)
{
    for (size_t i = 0; i < l->n; ++i) {
        const adp__ident_t *o = &l->items[i];
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
static adp__idents_t *idents_of(adp__compiler_t *cc, size_t i)
{
    adp__idents_t *l = &cc->idents[i];
    if (l->done)
        return l;
    l->done = 1;
    const spec_t *spec = adp__compile_vspec(cc, i);
    if (spec != NULL) {
        for (size_t k = 0; k < spec_operation_count(spec); ++k) {
            const spec_operation_t *op = spec_operation_at(spec, k);
            idents_add(l, (adp__ident_t){op->operation_id, (int)op->method, op->path->template, op,
                                         op->key});
        }
        return l;
    }
    const adp__change_t *c = i + 1 < cc->ctx->nversions ? cc->file->by_version[i + 1] : NULL;
    for (size_t k = 0; c != NULL && k < c->nops; ++k) {
        const adp__opent_t *e = &c->ops[k];
        int method = e->method;
        const char *tpl = e->tpl != NULL ? e->tpl : e->path_old;
        const adp__centry_t *ce = &cc->changes[i + 1].entries[k];
        if (method < 0 && ce->new_op != NULL)
            method = (int)ce->new_op->method;
        if (tpl == NULL && ce->new_op != NULL && e->path_new == NULL)
            tpl = ce->new_op->path->template;
        idents_add(l, (adp__ident_t){e->id, tpl != NULL ? method : -1, tpl, NULL, e->key});
    }
    if (i + 1 < cc->ctx->nversions) {
        adp__idents_t *next = idents_of(cc, i + 1);
        for (size_t k = 0; k < next->n; ++k) {
            adp__ident_t id = next->items[k];
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
        idents_add(
            l, (adp__ident_t){m->ops[k].id, m->ops[k].method, m->ops[k].tpl, NULL, m->ops[k].key});
    return l;
}

/* ---- deprecation ---- */

static const adp_deprecation_t *make_deprecation(adp__compiler_t *cc, const adp__vmeta_t *m,
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

static adp__opdepr_t *find_opdepr(const adp__vmeta_t *m, const adp__ident_t *id)
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

int adp__compile_check_opdeprs(adp__compiler_t *cc, size_t i)
{
    const adp__vmeta_t *m = &cc->file->meta[i];
    const spec_t *spec = adp__compile_vspec(cc, i);
    for (size_t k = 0; spec != NULL && k < m->nops; ++k)
        if (adp__compile_find_op(spec, m->ops[k].id, m->ops[k].method, m->ops[k].tpl) == NULL)
            return adp__compile_fail(cc, m->ops[k].key,
                                     "versions: operation '%s' is not in %s's spec",
                                     spec_node_scalar(m->ops[k].key), adp__compile_vname(cc, i));
    return 0;
}

/* ---- plans ---- */

static adp_plan_t *new_plan(adp__compiler_t *cc, size_t i)
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

static const char *sunset_detail(adp__compiler_t *cc, size_t i, const char *op,
                                 const adp_deprecation_t *d)
{
    if (d == NULL || !d->has_sunset)
        return NULL;
    if (op != NULL)
        return adp__arena_printf(cc->arena, "%s in version %s of %s was sunset on %s", op,
                                 adp__compile_vname(cc, i), cc->file->api, d->sunset);
    return adp__arena_printf(cc->arena, "version %s of %s was sunset on %s",
                             adp__compile_vname(cc, i), cc->file->api, d->sunset);
}

/* Builds the plan of one operation of version i (served by version u). NULL: the version's
 * fallback plan does the same. */
static int plan_op(adp__compiler_t *cc, size_t i, size_t u, const adp__ident_t *start,
                   adp_plan_t **out)
{
    const adp__hop_t *hops[64];
    size_t nhops = 0;
    int specific = 0;
    const char *gone = NULL;
    adp__ident_t cur = *start;
    *out = NULL;
    for (size_t k = i + 1; k <= u; ++k) {
        const adp__cchange_t *cx = &cc->changes[k];
        const adp__opent_t *e = NULL;
        const adp__centry_t *ce = NULL;
        size_t ei;
        if (cx->c != NULL && (e = adp__compile_find_entry(cx->c, &cur, &ei)) != NULL) {
            ((adp__opent_t *)e)->used = 1;
            ce = &cx->entries[ei];
        }
        if (e != NULL && e->gone) {
            gone = e->gone_detail != NULL
                       ? e->gone_detail
                       : adp__arena_printf(cc->arena, "%s was removed in version %s of %s",
                                           adp__compile_op_label(cc, cur.id, cur.method, cur.tpl),
                                           adp__compile_vname(cc, k), cc->file->api);
            specific = 1;
            nhops = 0;
            break;
        }
        if (cx->c != NULL) {
            const adp__hop_t *h;
            if (adp__compile_make_hop(cc, cx, e, ce, cur.op, &h) != 0)
                return -1;
            specific |= h != cx->generic;
            if (nhops == sizeof(hops) / sizeof(hops[0]))
                return adp__compile_fail(cc, start->pos,
                                         "more than 64 version changes in one chain");
            hops[nhops++] = h;
        }
        /* the operation as version k knows it */
        adp__ident_t next = cur;
        if (e != NULL && e->path_new != NULL)
            next.tpl = e->path_new;
        next.op = NULL;
        const spec_t *spec = adp__compile_vspec(cc, k);
        if (spec != NULL) {
            const spec_operation_t *op = ce != NULL ? ce->new_op : NULL;
            if (op == NULL)
                op = adp__compile_find_op(spec, cur.id, next.tpl != NULL ? cur.method : -1,
                                          next.tpl);
            if (op == NULL)
                return adp__compile_fail(
                    cc, e != NULL ? e->key : cur.pos,
                    "operation %s of %s has no counterpart in %s's spec: in the change "
                    "to %s, mark it 'gone: true' or give its new 'path'",
                    adp__compile_op_label(cc, cur.id, cur.method, cur.tpl),
                    adp__compile_vname(cc, i), adp__compile_vname(cc, k),
                    adp__compile_vname(cc, k));
            next =
                (adp__ident_t){op->operation_id, (int)op->method, op->path->template, op, op->key};
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
    p->key = adp__compile_ident_key(cc, start);
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

int adp__compile_plan_version(adp__compiler_t *cc, size_t i)
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
    adp__idents_t *ids = idents_of(cc, i);
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
            rc = adp__compile_fail(cc, ids->items[k].pos, "more than %zu plans", cc->max_plans);
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
