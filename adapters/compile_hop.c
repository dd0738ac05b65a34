/* Hops: what one change does to one operation (its steps, status map, header and query steps,
 * path rewrite) and the automata that locate the change's schema components in the operation's
 * bodies, each built once and cached. */
#include <inttypes.h>
#include <string.h>
#include "compile.h"
#include "locate.h"

static int locate(adp__compiler_t *cc, const adp__cchange_t *cx, const spec_node_t *root,
                  unsigned scope, const spec_node_t *pos, const adp__dfa_t **out)
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
    if (adp__locate(cc->arena, adp__compile_vspec(cc, cx->c->to - 1), root, t, nt, cc->max_states,
                    out) != 0)
        return adp__compile_fail(
            cc, pos,
            "locating schemas of the change to %s here needs more than %" PRIu32
            " automaton states",
            adp__compile_vname(cc, cx->c->to), cc->max_states);
    adp__grow(&cc->dfas, &cc->dfas_cap, cc->ndfas + 1, sizeof(*cc->dfas));
    cc->dfas[cc->ndfas++] = (adp__dfa_cache_t){cx->c, root, scope, *out};
    return 0;
}

const adp__opent_t *adp__compile_find_entry(const adp__change_t *c, const adp__ident_t *id,
                                            size_t *index)
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

int adp__compile_make_hop(adp__compiler_t *cc, const adp__cchange_t *cx, const adp__opent_t *e,
                          const adp__centry_t *ce, const spec_operation_t *op,
                          const adp__hop_t **out)
{
    for (size_t i = 0; i < cc->nhops; ++i)
        if (cc->hops[i].c == cx->c && cc->hops[i].op == op && cc->hops[i].e == e) {
            *out = cc->hops[i].hop;
            return 0;
        }
    const spec_t *older = adp__compile_vspec(cc, cx->c->to - 1);
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
    cc->hops[cc->nhops++] = (adp__hop_cache_t){cx->c, op, e, *out};
    return 0;
}
