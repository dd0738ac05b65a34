/* The gateway's request handler: every request is routed (API, version) and forwarded, or
 * answered with a problem+json error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "handler.h"
#include "adapt.h"
#include "guard.h"
#include "proxy.h"
#include "route.h"
#include "shadow.h"
#include "validate.h"


/* All lines of a header, joined as RFC 9110 §5.3 allows for list-valued fields. */
static h2o_iovec_t find_header(h2o_req_t *req, const char *name)
{
    h2o_iovec_t out = {NULL, 0};
    if (name == NULL)
        return out;
    size_t len = strlen(name);
    for (ssize_t i = -1; (i = h2o_find_header_by_str(&req->headers, name, len, i)) != -1;)
        out = out.base == NULL ? req->headers.entries[i].value
                               : h2o_concat(&req->pool, out, h2o_iovec_init(H2O_STRLIT(", ")),
                                            req->headers.entries[i].value);
    return out;
}

/* Spec-driven routing: the version's spec decides which paths and methods exist (404 / 405 with
 * Allow), and names the operation for logs and metrics. Returns -1 when it answered. */
static int route_by_spec(gw_exchange_t *x, const gw_route_t *r)
{
    h2o_req_t *req = x->req;
    const spec_path_t *path;
    const spec_operation_t *op;
    char detail[256];
    spec_route_status_t found;
    if (r->spec_match.spec == r->version->spec && r->spec_match.path == r->path &&
        r->spec_match.len == r->path_len) /* matched already, while picking the API */
        found = spec_route_path(path = r->spec_match.found, req->method.base, req->method.len,
                                &op);
    else
        found = spec_route(r->version->spec, req->method.base, req->method.len, r->path,
                           r->path_len, &path, &op, NULL);
    switch (found) {
    case SPEC_ROUTE_FOUND:
        gw_exchange_set_operation(x, op);
        return 0;
    case SPEC_ROUTE_NO_PATH:
        snprintf(detail, sizeof(detail), "no operation of %s %s matches the path %.*s",
                 r->api->name, r->version->name, (int)(r->path_len < 128 ? r->path_len : 128),
                 r->path);
        gw_exchange_send_problem(x, GW_PROBLEM_NOT_FOUND, detail);
        return -1;
    case SPEC_ROUTE_NO_METHOD: {
        char allow[128];
        size_t len = spec_path_allow(path, allow, sizeof(allow));
        h2o_iovec_t v = h2o_strdup(&req->pool, allow, len);
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_ALLOW, NULL, v.base, v.len);
        snprintf(detail, sizeof(detail), "%s %s defines %s for %s; not %.*s", r->api->name,
                 r->version->name, allow, path->template, (int)(req->method.len < 32 ? req->method.len : 32),
                 req->method.base);
        gw_exchange_send_problem(x, GW_PROBLEM_METHOD_NOT_ALLOWED, detail);
        return -1;
    }
    }
    return 0;
}

/* underscores_in_headers: reject. (Dropping happens where the upstream request is built.) */
static int refuse_underscores(h2o_req_t *req, const gw_config_t *cfg, gw_problem_kind_t *kind,
                              const char **detail)
{
    if (cfg->underscores_in_headers != GW_UNDERSCORES_REJECT)
        return 0;
    for (size_t i = 0; i < req->headers.size; ++i)
        if (memchr(req->headers.entries[i].name->base, '_', req->headers.entries[i].name->len)) {
            *kind = GW_PROBLEM_BAD_REQUEST;
            *detail = "a header field name holds an underscore (underscores_in_headers: reject)";
            return 1;
        }
    return 0;
}

static int on_req(h2o_handler_t *_self, h2o_req_t *req)
{
    gw_thread_t *t = gw_thread_of(req);
    gw_exchange_t *x = gw_exchange_start(req, t);
    const gw_runtime_t *rt = x->rt; /* the current generation, for this request's whole life */
    const gw_config_t *cfg = rt->config;
    gw_problem_kind_t refused;
    const char *why;
    if (gw_guard_check_request(req, &refused, &why) != 0 || refuse_underscores(req, cfg, &refused, &why)) {
        req->http1_is_persistent = 0; /* the framing is in doubt: nothing after it is read */
        gw_exchange_send_problem(x, refused, why);
        return 0;
    }

    size_t path_len = req->query_at != SIZE_MAX ? req->query_at : req->path.len;
    char *scratch = h2o_mem_alloc_pool(&req->pool, path_len + 1);
    h2o_iovec_t accept = find_header(req, "accept");
    h2o_iovec_t vheader = find_header(req, cfg->versioning.header_lower);
    gw_route_t r;
    if (gw_route(cfg, req->path.base, path_len, accept.base, accept.len, vheader.base,
                 vheader.len, scratch, &r) != 0) {
        gw_exchange_send_problem(x, r.problem, r.detail);
        return 0;
    }
    gw_exchange_set_route(x, r.api, r.version);
    if (req->entity.base != NULL && req->entity.len > cfg->limits.max_request_body) {
        char detail[128];
        snprintf(detail, sizeof(detail), "the request body is larger than %zu bytes",
                 cfg->limits.max_request_body);
        gw_exchange_send_problem(x, GW_PROBLEM_BODY_TOO_LARGE, detail);
        return 0;
    }
    if (r.version->spec != NULL && route_by_spec(x, &r) != 0)
        return 0;
    if (gw_validate_request(x, &r) != 0) /* the contract, before the upstream pays for it */
        return 0;
    gw_record_start(x, &rt->recorders, x->version_index,
                    r.path, r.path_len);
    /* A version served through adapters goes to the nearest newer upstream, upgraded. */
    const gw_version_t *serving = r.version;
    h2o_iovec_t path = h2o_iovec_init(r.path, r.path_len);
    const adp_plan_t *plan = gw_adapt_plan(x, &r);
    if (plan != NULL) {
        int vi = gw_adapt_request(x, plan, &r, &path);
        if (vi < 0)
            return 0;
        serving = &r.api->versions[vi];
    }
    if (!serving->has_upstream) { /* config.c and the registry make this unreachable */
        gw_exchange_send_problem(x, GW_PROBLEM_INTERNAL, "no upstream serves this version");
        return 0;
    }
    size_t origin = gw_runtime_version_index(rt, r.api, serving);
    gw_shadow_start(x, path.base, path.len); /* before forwarding: its tap must see the head */
    gw_proxy_forward(x, &serving->upstream, x->gen->targets[origin], path.base, path.len);
    return 0;
}

void gw_handler_register(h2o_pathconf_t *pathconf)
{
    h2o_handler_t *self = h2o_create_handler(pathconf, sizeof(*self));
    self->on_req = on_req;
}
