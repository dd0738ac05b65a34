/* Response validation (docs/validation.md): the upstream's answer held to the operation's spec
 * in the version the client asked for, after any adapter: status declared (or `default`),
 * declared headers, Content-Type and the JSON body. Report mode (sampled) logs and counts;
 * enforce turns a violating answer into a 502 listing the violations. The proxy buffers the body
 * for it as for an adapter, bounded by limits.max_adapted_body. */
#include <stdio.h>
#include <string.h>
#include "validate.h"
#include "adapt.h"
#include "exchange.h"
#include "random.h"

struct st_gw_validate_response_t {
    const gw_validate_conf_t *conf;
    size_t version;
    spec_validator_t *validator;
    const spec_t *spec;
    const spec_node_t *schema; /* the body's, when it is JSON and declared */
    body_mem_t mem;
    gw_violations_t v;
    int status; /* the upstream's */
    int refused;
};

static const char *res_header(h2o_req_t *req, const char *lower, size_t *len)
{
    ssize_t i = h2o_find_header_by_str(&req->res.headers, lower, strlen(lower), -1);
    if (i == -1)
        return NULL;
    *len = req->res.headers.entries[i].value.len;
    return req->res.headers.entries[i].value.base;
}

static int node_true(const spec_node_t *n)
{
    int b = 0;
    return n != NULL && spec_node_bool(n, &b) == 0 && b;
}

/* Declared response headers (OpenAPI §4.8.21 Header Object, style simple): required ones
 * present, values typed by their schema and validated. Content-Type is described by `content`,
 * not here (§4.8.17.1: such a header definition is ignored). */
static void check_headers(struct st_gw_validate_response_t *s, h2o_req_t *req,
                          const spec_node_t *resp)
{
    const spec_node_t *headers = spec_deref(s->spec, spec_node_get(resp, "headers"));
    if (headers == NULL || headers->kind != SPEC_NODE_MAPPING)
        return;
    for (size_t i = 0; i < headers->u.map.len; ++i) {
        const char *name = headers->u.map.items[i].key->u.scalar.str;
        const spec_node_t *h = spec_deref(s->spec, headers->u.map.items[i].value);
        char lower[128], ptr[200];
        size_t n = strlen(name);
        if (h == NULL || n >= sizeof(lower) || !strcasecmp(name, "content-type"))
            continue;
        for (size_t k = 0; k <= n; ++k)
            lower[k] = (char)(name[k] >= 'A' && name[k] <= 'Z' ? name[k] + 32 : name[k]);
        snprintf(ptr, sizeof(ptr), "/header");
        spec_pointer_append(ptr, sizeof(ptr), name, n);
        size_t len;
        const char *value = res_header(req, lower, &len);
        if (value == NULL) {
            if (node_true(spec_node_get(h, "required")))
                gw_violations_add(&s->v, ptr, "required", h,
                                  "response header \"%.100s\" is required", name);
            continue;
        }
        const spec_node_t *schema = spec_deref(s->spec, spec_node_get(h, "schema"));
        if (schema == NULL)
            continue;
        /* typed like a request header (style simple) */
        body_value_t *inst = gw_validate_simple_value(s->spec, schema, value, len, &s->mem);
        gw_violations_validate(&s->v, s->validator, schema, inst, SPEC_VALIDATE_RESPONSE, ptr);
    }
}

int gw_validate_response_head(gw_exchange_t *x, int status)
{
    const gw_validate_conf_t *c = x->api != NULL ? x->api->validate : NULL;
    const spec_operation_t *op = x->operation;
    if (c == NULL || c->response == GW_VALIDATE_OFF || op == NULL || c->validators == NULL)
        return 0;
    size_t vi = (size_t)(x->version - x->api->versions);
    if (c->validators[vi] == NULL)
        return 0;
    if (c->response == GW_VALIDATE_REPORT && c->sample < 1 &&
        !(gw_random_fraction(&x->thread->rng) < c->sample))
        return 0;
    h2o_req_t *req = x->req;
    struct st_gw_validate_response_t *s = h2o_mem_alloc_pool(&req->pool, sizeof(*s));
    *s = (struct st_gw_validate_response_t){c, vi, c->validators[vi], x->version->spec};
    s->mem = gw_adapt_mem(x);
    s->v = (gw_violations_t){&s->mem, NULL, 0, c->max_errors, 0, 0};
    s->status = status;
    x->validate = s;

    const spec_response_t *resp = spec_operation_response(op, status);
    if (resp == NULL || resp->node == NULL) {
        gw_violations_add(&s->v, "/status", "status", op->node,
                          "status %d is not declared by the operation (and it has no default)",
                          status);
    } else {
        check_headers(s, req, resp->node);
        const spec_node_t *content = spec_deref(s->spec, spec_node_get(resp->node, "content"));
        if (content != NULL && content->kind == SPEC_NODE_MAPPING && content->u.map.len != 0 &&
            status != 204 && status != 304) {
            size_t len = 0;
            const char *ct = res_header(req, "content-type", &len);
            char mt[128];
            size_t m = 0;
            while (ct != NULL && m < len && ct[m] != ';' && ct[m] != ' ' && m + 1 < sizeof(mt))
                mt[m] = ct[m], ++m;
            mt[m] = '\0';
            const spec_node_t *media =
                ct != NULL ? spec_content_media(s->spec, content, mt) : NULL;
            if (media == NULL && ct != NULL)
                gw_violations_add(&s->v, "/header/content-type", "content-type", content,
                                  "media type \"%.100s\" is not declared for status %d", mt,
                                  status);
            int json = m == 16 ? !strncasecmp(mt, "application/json", 16)
                               : m > 5 && !strncasecmp(mt + m - 5, "+json", 5);
            if (media != NULL && json)
                s->schema = spec_deref(s->spec, spec_node_get(media, "schema"));
        }
    }
    /* a body too large to buffer is not checked: report what the head showed, never refuse */
    if (s->schema != NULL && req->res.content_length != SIZE_MAX &&
        req->res.content_length > x->rt->config->limits.max_adapted_body) {
        s->schema = NULL;
        s->v.incomplete = 1;
    }
    if (s->schema != NULL || (c->response == GW_VALIDATE_ENFORCE && s->v.total != 0))
        return 1;
    gw_validate_response_body(x, NULL, 0);
    return 0;
}

int gw_validate_response_body(gw_exchange_t *x, const char *body, size_t len)
{
    struct st_gw_validate_response_t *s = x->validate;
    if (s == NULL)
        return 0;
    if (s->schema != NULL && body != NULL && len != 0) {
        body_error_t err;
        body_value_t *inst = body_parse(&s->mem, body, len, 0, &err);
        if (inst == NULL)
            gw_violations_add(&s->v, "/body", "json", NULL,
                              "invalid JSON at line %u, column %u: %s", err.line, err.col,
                              err.message);
        else
            gw_violations_validate(&s->v, s->validator, s->schema, inst, SPEC_VALIDATE_RESPONSE,
                                   "/body");
    }
    if (s->v.total == 0)
        return 0;
    char detail[640];
    gw_validate__report(x, s->conf, s->version, GW_VALIDATE_SIDE_RESPONSE, &s->v, s->status,
                        detail, sizeof(detail));
    h2o_req_log_error(x->req, "versa/validate", "response %.*s: %s", (int)x->request_id.len,
                      x->request_id.base, detail);
    if (s->conf->response != GW_VALIDATE_ENFORCE)
        return 0;
    s->refused = 1;
    return -1;
}

void gw_validate_refuse_response(gw_exchange_t *x)
{
    struct st_gw_validate_response_t *s = x->validate;
    h2o_req_t *req = x->req;
    char detail[640];
    snprintf(detail, sizeof(detail),
             "the upstream of %.64s %.64s answered outside its contract (%zu violation%s)",
             x->api->name, x->version->name, s->v.total, s->v.total == 1 ? "" : "s");
    req->res.headers = (h2o_headers_t){NULL, 0, 0}; /* start from scratch, as for a 502 */
    req->res.content_length = SIZE_MAX;
    gw_validate__send(x, s->spec, &s->v, GW_PROBLEM_UPSTREAM_CONTRACT, detail);
}
