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

/* Bodies up to this size leave their parse memory to the thread for the next one. */
#define SCRATCH_KEEP (64 * 1024)

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

static const char *answer_header(void *ctx, const char *lower, size_t *len)
{
    return res_header(ctx, lower, len);
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

    gw_answer_t a = {status, answer_header, req};
    s->schema = gw_validate_answer_head(&s->v, s->spec, s->validator, op, &a);
    /* a body too large to buffer is not checked: report what the head showed, never refuse */
    if (s->schema != NULL && req->res.content_length != SIZE_MAX &&
        req->res.content_length > x->rt->config->limits.max_adapted_body) {
        s->schema = NULL;
        s->v.incomplete = 1;
    }
    if (s->schema != NULL || (c->response == GW_VALIDATE_ENFORCE && s->v.total != 0))
        return 1;
    gw_validate_response_body(x, NULL, 0, NULL);
    return 0;
}

int gw_validate_response_body(gw_exchange_t *x, const char *body, size_t len,
                              const body_value_t *doc)
{
    struct st_gw_validate_response_t *s = x->validate;
    if (s == NULL)
        return 0;
    /* the tree goes to the thread's scratch arena (violations are copied to the pool): reset
     * after each body, so a steady stream of small answers parses without a malloc; a large
     * body's blocks are given back rather than kept by the thread */
    body_arena_t *scratch = &x->thread->scratch;
    body_mem_t parse_mem = body_arena_mem(scratch);
    gw_validate_answer_body(&s->v, s->validator, s->schema, body, len, doc, &parse_mem);
    if (len > SCRATCH_KEEP) {
        body_arena_dispose(scratch);
        body_arena_init(scratch);
    } else {
        body_arena_reset(scratch);
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
