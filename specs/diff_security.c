/* Security requirements of a matched operation pair (the operation's, else the document's) and
 * the document's servers. */
#include <string.h>
#include "diff_internal.h"

static const spec_node_t *effective(const spec_t *s, const spec_operation_t *op)
{
    const spec_node_t *sec = spec_node_get(op->node, "security");
    if (sec == NULL)
        sec = spec_node_get(spec_root(s), "security");
    return sec != NULL && sec->kind == SPEC_NODE_SEQUENCE ? sec : NULL;
}

/* 1 when two Security Requirement Objects name the same schemes. */
static int same_schemes(const spec_node_t *a, const spec_node_t *b)
{
    if (a->kind != SPEC_NODE_MAPPING || b->kind != SPEC_NODE_MAPPING ||
        a->u.map.len != b->u.map.len)
        return 0;
    for (size_t i = 0; i != a->u.map.len; ++i)
        if (spec_node_get(b, a->u.map.items[i].key->u.scalar.str) == NULL)
            return 0;
    return 1;
}

static int has_scope(const spec_node_t *scopes, const spec_node_t *scope)
{
    for (size_t i = 0;
         scopes != NULL && scopes->kind == SPEC_NODE_SEQUENCE && i != scopes->u.seq.len; ++i)
        if (spec_node_is(scopes->u.seq.items[i], scope->u.scalar.str))
            return 1;
    return 0;
}

/* 1 when every scope `a` lists for its schemes (scalars: what diff_scopes compares) is in `b`'s
 * list for the same scheme. */
static int scopes_within(const spec_node_t *a, const spec_node_t *b)
{
    for (size_t i = 0; i != a->u.map.len; ++i) {
        const spec_node_t *as = a->u.map.items[i].value;
        const spec_node_t *bs = spec_node_get(b, a->u.map.items[i].key->u.scalar.str);
        for (size_t k = 0; as->kind == SPEC_NODE_SEQUENCE && k != as->u.seq.len; ++k)
            if (as->u.seq.items[k]->kind == SPEC_NODE_SCALAR && !has_scope(bs, as->u.seq.items[k]))
                return 0;
    }
    return 1;
}

/* The requirement of `list` that `req` is a version of: one with the same schemes and the same
 * scopes if there is one (a list may name a scheme in several requirements, with other scopes
 * each), else the first with the same schemes. */
static const spec_node_t *find_req(const spec_node_t *list, const spec_node_t *req)
{
    const spec_node_t *first = NULL;
    for (size_t i = 0; list != NULL && i != list->u.seq.len; ++i) {
        const spec_node_t *cand = list->u.seq.items[i];
        if (!same_schemes(cand, req))
            continue;
        if (scopes_within(req, cand) && scopes_within(cand, req))
            return cand;
        if (first == NULL)
            first = cand;
    }
    return first;
}

/* "oauth2 + apiKey" for messages. */
static void names(const spec_node_t *req, char *buf, size_t size)
{
    size_t at = 0;
    buf[0] = '\0';
    for (size_t i = 0; req->kind == SPEC_NODE_MAPPING && i != req->u.map.len && at < size; ++i)
        at += (size_t)snprintf(buf + at, size - at, "%s%s", i ? " + " : "",
                               req->u.map.items[i].key->u.scalar.str);
    if (at == 0)
        snprintf(buf, size, "none ({})");
}

static void diff_scopes(spec__dctx_t *c, const spec_node_t *b, const spec_node_t *r)
{
    for (size_t i = 0; i != r->u.map.len; ++i) {
        const char *scheme = r->u.map.items[i].key->u.scalar.str;
        const spec_node_t *rs = r->u.map.items[i].value, *bs = spec_node_get(b, scheme);
        for (size_t k = 0; rs->kind == SPEC_NODE_SEQUENCE && k != rs->u.seq.len; ++k)
            if (rs->u.seq.items[k]->kind == SPEC_NODE_SCALAR && !has_scope(bs, rs->u.seq.items[k]))
                spec__diff_report(c, "api-security-scope-added", SPEC_DIFF_CHANGE_ADDED,
                                  rs->u.seq.items[k],
                                  "%s: %s now needs scope %s: tokens "
                                  "granted without it are refused; keep the old scopes",
                                  c->operation, scheme, rs->u.seq.items[k]->u.scalar.str);
        for (size_t k = 0; bs != NULL && bs->kind == SPEC_NODE_SEQUENCE && k != bs->u.seq.len; ++k)
            if (bs->u.seq.items[k]->kind == SPEC_NODE_SCALAR && !has_scope(rs, bs->u.seq.items[k]))
                spec__diff_report(c, "api-security-scope-removed", SPEC_DIFF_CHANGE_REMOVED, rs,
                                  "%s: %s no longer needs scope %s", c->operation, scheme,
                                  bs->u.seq.items[k]->u.scalar.str);
    }
}

void spec__diff_security(spec__dctx_t *c)
{
    const spec_node_t *b = effective(c->base, c->bop), *r = effective(c->rev, c->rop);
    size_t bn = b != NULL ? b->u.seq.len : 0, rn = r != NULL ? r->u.seq.len : 0;
    c->where = SPEC_DIFF_AT_OPERATION;
    c->field_len = 0;
    size_t p = spec__diff_push(c, "security");
    char buf[256];
    for (size_t i = 0; i != rn; ++i) {
        const spec_node_t *req = r->u.seq.items[i], *old = find_req(b, req);
        if (req->kind != SPEC_NODE_MAPPING)
            continue; /* not a Security Requirement Object: lint's to report, not a change */
        if (old != NULL) {
            diff_scopes(c, old, req);
            continue;
        }
        names(req, buf, sizeof(buf));
        if (bn == 0 || find_req(b, &(spec_node_t){.kind = SPEC_NODE_MAPPING}) != NULL)
            continue; /* reported below as security added when it was open */
        spec__diff_report(c, "api-security-alternative-added", SPEC_DIFF_CHANGE_ADDED, req,
                          "%s accepts another security requirement: %s", c->operation, buf);
    }
    int was_open = bn == 0 || find_req(b, &(spec_node_t){.kind = SPEC_NODE_MAPPING}) != NULL;
    int is_open = rn == 0 || find_req(r, &(spec_node_t){.kind = SPEC_NODE_MAPPING}) != NULL;
    if (was_open && !is_open) {
        names(r->u.seq.items[0], buf, sizeof(buf));
        spec__diff_report(c, "api-security-added", SPEC_DIFF_CHANGE_ADDED, r,
                          "%s now requires authentication (%s): clients calling it without "
                          "credentials are refused; keep it open for the old version",
                          c->operation, buf);
    }
    for (size_t i = 0; !is_open && i != bn; ++i) {
        const spec_node_t *req = b->u.seq.items[i];
        if (req->kind != SPEC_NODE_MAPPING || req->u.map.len == 0 || find_req(r, req) != NULL)
            continue;
        names(req, buf, sizeof(buf));
        spec__diff_report(c, "api-security-removed", SPEC_DIFF_CHANGE_REMOVED, req,
                          "%s no longer accepts the security requirement %s: clients "
                          "authenticating that way are refused; keep accepting it",
                          c->operation, buf);
    }
    spec__diff_pop(c, p);
}

static const spec_node_t *find_server(const spec_node_t *list, const char *url)
{
    for (size_t i = 0; list != NULL && list->kind == SPEC_NODE_SEQUENCE && i != list->u.seq.len;
         ++i)
        if (spec_node_is(spec_node_get(list->u.seq.items[i], "url"), url))
            return list->u.seq.items[i];
    return NULL;
}

void spec__diff_servers(spec__dctx_t *c)
{
    const spec_node_t *b = spec_node_get(spec_root(c->base), "servers");
    const spec_node_t *r = spec_node_get(spec_root(c->rev), "servers");
    size_t p = spec__diff_push(c, "servers");
    for (size_t i = 0; b != NULL && b->kind == SPEC_NODE_SEQUENCE && i != b->u.seq.len; ++i) {
        const spec_node_t *url = spec_node_get(b->u.seq.items[i], "url");
        if (spec_node_str(url) == NULL || find_server(r, spec_node_str(url)) != NULL)
            continue;
        spec__diff_report(c, "api-server-removed", SPEC_DIFF_CHANGE_REMOVED, url,
                          "server %s removed: clients configured with it lose the API; keep it "
                          "routed (versa serve can keep serving the old URL)",
                          spec_node_str(url));
    }
    for (size_t i = 0; r != NULL && r->kind == SPEC_NODE_SEQUENCE && i != r->u.seq.len; ++i) {
        const spec_node_t *url = spec_node_get(r->u.seq.items[i], "url");
        if (spec_node_str(url) == NULL || find_server(b, spec_node_str(url)) != NULL)
            continue;
        spec__diff_report(c, "api-server-added", SPEC_DIFF_CHANGE_ADDED, url, "server %s added",
                          spec_node_str(url));
    }
    spec__diff_pop(c, p);
}
