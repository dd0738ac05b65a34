/* Adapter chains in the request path: plan lookup, request upgrade, response downgrade. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "adapt.h"
#include "json_arena.h"

const adp_plan_t *gw_adapt_plan(const gw_exchange_t *x, const gw_route_t *r)
{
    const adp_registry_t *reg = r->api->adapters;
    if (reg == NULL)
        return NULL;
    size_t vi = adp_registry_version(reg, r->version->name);
    if (vi >= adp_registry_version_count(reg))
        return NULL;
    const spec_operation_t *op = x->operation;
    if (op != NULL)
        return adp_plan_find(reg, vi, op->operation_id, spec_method_name(op->method),
                             op->path->template);
    char method[32];
    h2o_iovec_t m = x->req->method;
    if (m.len >= sizeof(method))
        return adp_plan_match(reg, vi, "OTHER", r->path, r->path_len);
    memcpy(method, m.base, m.len);
    method[m.len] = '\0';
    return adp_plan_match(reg, vi, method, r->path, r->path_len);
}

/* A transform the body didn't fit (missing field, other type) is left undone; it is counted in
 * the plan and logged once per plan, so a drifting upstream shows up without flooding logs. */
static void log_mismatch(gw_exchange_t *x, const adp_plan_t *plan, size_t n,
                         const adp_mismatch_t *m)
{
    if (n != 0 && adp_plan_claim_log(plan))
        h2o_req_log_error(x->req, "versa/adapters",
                          "%s %s: %zu transform(s) left undone, first: %s (%s at '%s')",
                          adp_plan_version_name(plan), adp_plan_operation(plan), n, m->step,
                          m->reason, m->pointer);
}

static h2o_iovec_t lowercase_dup(h2o_mem_pool_t *pool, const char *s, size_t len)
{
    char *p = h2o_mem_alloc_pool(pool, len + 1);
    for (size_t i = 0; i < len; ++i)
        p[i] = (char)tolower((unsigned char)s[i]);
    p[len] = '\0';
    return h2o_iovec_init(p, len);
}

/* Replaces `headers` with `fields`, copied into the request pool. */
static void set_headers(h2o_req_t *req, h2o_headers_t *headers, const adp_fields_t *fields)
{
    h2o_headers_t out = {NULL, 0, 0};
    for (size_t i = 0; i < fields->len; ++i) {
        const adp_field_t *f = &fields->entries[i];
        h2o_iovec_t name = lowercase_dup(&req->pool, f->name, f->name_len);
        h2o_iovec_t value = h2o_strdup(&req->pool, f->value, f->value_len);
        h2o_add_header_by_str(&req->pool, &out, name.base, name.len, 1, NULL, value.base,
                              value.len);
    }
    *headers = out;
}

static void get_headers(const h2o_headers_t *headers, adp_fields_t *fields)
{
    for (size_t i = 0; i < headers->size; ++i) {
        const h2o_header_t *h = &headers->entries[i];
        adp_fields_push(fields, h->name->base, h->name->len, h->value.base, h->value.len);
    }
}

static h2o_iovec_t dump_json(h2o_mem_pool_t *pool, const json_t *body)
{
    size_t len = json_dumpb(body, NULL, 0, JSON_COMPACT | JSON_ENCODE_ANY);
    char *buf = h2o_mem_alloc_pool(pool, len + 1);
    json_dumpb(body, buf, len, JSON_COMPACT | JSON_ENCODE_ANY);
    return h2o_iovec_init(buf, len);
}

static int is_json(const h2o_headers_t *headers)
{
    ssize_t i = h2o_find_header(headers, H2O_TOKEN_CONTENT_TYPE, -1);
    return i != -1 &&
           adp_media_type_is_json(headers->entries[i].value.base, headers->entries[i].value.len);
}

static int adapt_request(gw_exchange_t *x, const adp_plan_t *plan, const gw_route_t *r,
                         h2o_iovec_t *path);

int gw_adapt_request(gw_exchange_t *x, const adp_plan_t *plan, const gw_route_t *r,
                     h2o_iovec_t *path)
{
    gw_json_arena_begin();
    int ret = adapt_request(x, plan, r, path);
    gw_json_arena_end();
    return ret;
}

static int adapt_request(gw_exchange_t *x, const adp_plan_t *plan, const gw_route_t *r,
                         h2o_iovec_t *path)
{
    h2o_req_t *req = x->req;
    const adp_registry_t *reg = r->api->adapters;
    const char *detail = NULL;
    if (adp_plan_gone(plan, time(NULL), &detail)) {
        gw_exchange_send_problem(x, GW_PROBLEM_GONE, detail);
        return -1;
    }
    adp_request_t ar;
    adp_request_init(&ar);
    ar.path = r->path;
    ar.path_len = r->path_len;
    if (req->query_at != SIZE_MAX) {
        ar.query = req->path.base + req->query_at + 1;
        ar.query_len = req->path.len - req->query_at - 1;
    }
    get_headers(&req->headers, &ar.headers);
    int body_needed = adp_plan_request_needs_body(plan) && req->entity.len != 0 &&
                      is_json(&req->headers);
    if (body_needed) {
        json_error_t jerr;
        json_t *doc = json_loadb(req->entity.base, req->entity.len, JSON_DECODE_ANY, &jerr);
        if (doc == NULL) {
            char msg[256];
            snprintf(msg, sizeof(msg), "the request body is not valid JSON: %s (line %d)",
                     jerr.text, jerr.line);
            adp_request_dispose(&ar);
            gw_exchange_send_problem(x, GW_PROBLEM_BAD_REQUEST, msg);
            return -1;
        }
        adp_request_set_body_new(&ar, doc);
    }
    int ret = -1;
    char msg[256];
    switch (adp_request_upgrade(plan, &ar)) {
    case ADP_GONE:
        snprintf(msg, sizeof(msg), "%s is not served by the newer versions of %s",
                 adp_plan_operation(plan), r->api->name);
        gw_exchange_send_problem(x, GW_PROBLEM_GONE, msg);
        goto exit;
    case ADP_BAD_PATH:
        snprintf(msg, sizeof(msg), "the path %.*s cannot be mapped to a newer version of %s",
                 (int)(r->path_len < 128 ? r->path_len : 128), r->path, r->api->name);
        gw_exchange_send_problem(x, GW_PROBLEM_NOT_FOUND, msg);
        goto exit;
    case ADP_OK:
        break;
    }
    log_mismatch(x, plan, ar.mismatches, &ar.first_mismatch);
    set_headers(req, &req->headers, &ar.headers);
    /* bodies are adapted in the clear: ask the upstream not to compress (RFC 9110 §12.5.3) */
    h2o_set_header(&req->pool, &req->headers, H2O_TOKEN_ACCEPT_ENCODING, H2O_STRLIT("identity"),
                   1);
    if (body_needed && ar.body != NULL)
        req->entity = dump_json(&req->pool, ar.body);
    *path = ar.upstream_path != NULL
                ? h2o_strdup(&req->pool, ar.upstream_path, strlen(ar.upstream_path))
                : h2o_iovec_init(r->path, r->path_len);
    if (ar.upstream_query != NULL) {
        x->query_override = h2o_strdup(&req->pool, ar.upstream_query, strlen(ar.upstream_query));
        x->has_query_override = 1;
    }
    x->plan = plan;
    ret = (int)adp_registry_upstream_of(reg, adp_registry_version(reg, r->version->name));
exit:
    adp_request_dispose(&ar);
    return ret;
}

int gw_adapt_needs_body(const gw_exchange_t *x, int status, const h2o_headers_t *headers,
                        const char **refuse)
{
    *refuse = NULL;
    if (x->plan == NULL || !adp_plan_response_needs_body(x->plan, status) || !is_json(headers))
        return 0;
    ssize_t i = h2o_find_header(headers, H2O_TOKEN_CONTENT_ENCODING, -1);
    if (i != -1 && !h2o_lcstris(headers->entries[i].value.base, headers->entries[i].value.len,
                                H2O_STRLIT("identity"))) {
        *refuse = "the upstream compressed a body that must be adapted";
        return 0;
    }
    return 1;
}

static const char *reason_of(int status)
{
    switch (status / 100) {
    case 1:
        return "Informational";
    case 2:
        return status == 200 ? "OK" : status == 201 ? "Created" : status == 204 ? "No Content"
                                                                                : "Success";
    case 3:
        return "Redirection";
    case 4:
        return status == 404 ? "Not Found" : status == 410 ? "Gone" : "Client Error";
    default:
        return "Server Error";
    }
}

static h2o_iovec_t adapt_response(gw_exchange_t *x, h2o_iovec_t body);

h2o_iovec_t gw_adapt_response(gw_exchange_t *x, h2o_iovec_t body)
{
    gw_json_arena_begin();
    h2o_iovec_t out = adapt_response(x, body);
    gw_json_arena_end();
    return out;
}

static h2o_iovec_t adapt_response(gw_exchange_t *x, h2o_iovec_t body)
{
    h2o_req_t *req = x->req;
    adp_response_t ar;
    adp_response_init(&ar);
    ar.status = req->res.status;
    get_headers(&req->res.headers, &ar.headers);
    int parsed = 0;
    if (body.base != NULL) {
        json_t *doc = json_loadb(body.base, body.len, JSON_DECODE_ANY, NULL);
        if (doc != NULL) {
            adp_response_set_body_new(&ar, doc);
            parsed = 1;
        }
    }
    adp_response_downgrade(x->plan, &ar);
    adp_plan_deprecation_headers(x->plan, &ar.headers);
    log_mismatch(x, x->plan, ar.mismatches, &ar.first_mismatch);
    if (ar.status != req->res.status) {
        req->res.status = ar.status;
        req->res.reason = reason_of(ar.status);
    }
    set_headers(req, &req->res.headers, &ar.headers);
    h2o_iovec_t out = body;
    if (parsed && ar.body != NULL)
        out = dump_json(&req->pool, ar.body);
    else if (parsed) /* a downgrade may remove the body altogether */
        out = h2o_iovec_init("", 0);
    adp_response_dispose(&ar);
    return out;
}
