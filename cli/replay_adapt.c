/* The adapter hook of `versa replay`: recorded requests of the primary's version are upgraded to
 * the candidate's version before they are sent, and the candidate's answers are downgraded back
 * before they are compared, with the same plans the gateway runs (adapters/README.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "adapters.h"
#include "replay_adapt.h"

struct st_replay_adapt_t {
    adp_registry_t *reg;
    size_t version; /* the primary's index */
    const char *prefix;
    size_t prefix_len;
};

/* What one adapted message borrows until the engine releases it: adapted bodies live in the
 * request's or response's own arena, so they die with `req` and `res`. */
typedef struct {
    adp_request_t req;
    adp_response_t res;
    ct_header_t *headers;
    char *path;
} state_t;

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n != 0 ? n : 1, size);
    if (p == NULL) {
        fputs("versa replay: out of memory\n", stderr);
        abort();
    }
    return p;
}

int replay_adapt_create(const gw_api_t *api, const char *primary, const char *candidate,
                        replay_adapt_t **out, char *err, size_t err_size)
{
    *out = NULL;
    size_t p = SIZE_MAX, c = SIZE_MAX;
    for (size_t i = 0; i < api->num_versions; i++) {
        if (strcmp(api->versions[i].name, primary) == 0)
            p = i;
        if (strcmp(api->versions[i].name, candidate) == 0)
            c = i;
    }
    if (p == SIZE_MAX || c == SIZE_MAX || p >= c) {
        snprintf(err, err_size,
                 "adapters only go from an older version to a newer one; %s is "
                 "not older than %s in API %s",
                 primary, candidate, api->name);
        return -1;
    }
    if (api->adapters_path == NULL) {
        snprintf(err, err_size, "API %s has no adapter file to turn %s traffic into %s traffic",
                 api->name, primary, candidate);
        return -1;
    }
    /* versions below the candidate are served by the candidate's upstream, as the gateway serves
     * versions without an upstream of their own: then plan(primary) is primary -> candidate */
    adp_version_info_t *v = xcalloc(api->num_versions, sizeof(*v));
    for (size_t i = 0; i < api->num_versions; i++) {
        v[i].name = api->versions[i].name;
        v[i].spec = api->versions[i].spec;
        v[i].has_upstream = i == c || (i > c && api->versions[i].has_upstream);
    }
    adp_load_options_t opts = {.api = api->name};
    spec_error_t serr;
    adp_registry_t *reg;
    int rc = adp_registry_load(&reg, api->adapters_path, v, api->num_versions, &opts, &serr);
    free(v);
    if (rc != 0) {
        char msg[1024];
        snprintf(err, err_size, "%s", spec_error_format(&serr, msg, sizeof(msg)));
        return -1;
    }
    replay_adapt_t *a = xcalloc(1, sizeof(*a));
    a->reg = reg;
    a->version = p;
    a->prefix = api->prefix;
    a->prefix_len = api->prefix_len;
    *out = a;
    return 0;
}

void replay_adapt_destroy(replay_adapt_t *a)
{
    if (a == NULL)
        return;
    adp_registry_destroy(a->reg);
    free(a);
}

/* The recorded path relative to the API prefix, as the adapters see paths. */
static ct_str_t relative_path(const replay_adapt_t *a, const ct_capture_request_t *q)
{
    ct_str_t path = q->upstream_path.base != NULL ? q->upstream_path : q->path;
    if (a->prefix_len != 0 && path.len >= a->prefix_len &&
        memcmp(path.base, a->prefix, a->prefix_len) == 0 &&
        (path.len == a->prefix_len || path.base[a->prefix_len] == '/')) {
        path.base += a->prefix_len;
        path.len -= a->prefix_len;
        if (path.len == 0)
            path = (ct_str_t){"/", 1};
    }
    return path;
}

static const adp_plan_t *plan_of(const replay_adapt_t *a, const ct_exchange_t *x)
{
    char method[32];
    snprintf(method, sizeof(method), "%.*s", (int)x->request.method.len, x->request.method.base);
    if (x->operation.base != NULL) {
        char op[256];
        snprintf(op, sizeof(op), "%.*s", (int)x->operation.len, x->operation.base);
        return adp_plan_find(a->reg, a->version, op, method, NULL);
    }
    ct_str_t path = relative_path(a, &x->request);
    return adp_plan_match(a->reg, a->version, method, path.base, path.len);
}

static int is_json(const ct_header_t *h, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (h[i].name_len == 12 && strncasecmp(h[i].name, "content-type", 12) == 0)
            return adp_media_type_is_json(h[i].value, h[i].value_len);
    return 0;
}

/* The adapter's field list as headers the engine can send or compare. */
static ct_header_t *headers_of(const adp_fields_t *f)
{
    ct_header_t *h = xcalloc(f->len, sizeof(*h));
    for (size_t i = 0; i < f->len; i++)
        h[i] = (ct_header_t){f->entries[i].name, f->entries[i].name_len, f->entries[i].value,
                             f->entries[i].value_len};
    return h;
}

/* The recorded request's path, query and headers (borrowed) as the adapters take them. */
static void request_of(const replay_adapt_t *a, const ct_capture_request_t *q, adp_request_t *r)
{
    ct_str_t path = relative_path(a, q);
    r->path = path.base;
    r->path_len = path.len;
    r->query = q->query.base;
    r->query_len = q->query.len;
    for (size_t i = 0; i < q->num_headers; i++)
        adp_fields_push(&r->headers, q->headers[i].name, q->headers[i].name_len,
                        q->headers[i].value, q->headers[i].value_len);
}

static state_t *new_state(void **state)
{
    state_t *st = xcalloc(1, sizeof(*st));
    adp_request_init(&st->req);
    adp_response_init(&st->res);
    *state = st;
    return st;
}

static int adapt_request(void *ctx, const ct_exchange_t *x, ct_capture_request_t *out, void **state,
                         char *err, size_t err_size)
{
    const replay_adapt_t *a = ctx;
    const ct_capture_request_t *q = &x->request;
    *out = *q;
    const adp_plan_t *plan = plan_of(a, x);
    if (plan == NULL)
        return 0;
    state_t *st = new_state(state);
    request_of(a, q, &st->req);
    int with_body = adp_plan_request_needs_body(plan) && is_json(q->headers, q->num_headers) &&
                    q->body.len != 0;
    if (with_body) {
        st->req.body = q->body.bytes;
        st->req.body_len = q->body.len;
    }
    adp_result_t rc = adp_request_upgrade(plan, &st->req);
    if (rc == ADP_BAD_BODY) { /* sent as recorded, the rest upgraded, as shadowing does */
        adp_request_dispose(&st->req);
        adp_request_init(&st->req);
        request_of(a, q, &st->req);
        with_body = 0;
        rc = adp_request_upgrade(plan, &st->req);
    }
    switch (rc) {
    case ADP_BAD_BODY: /* not without a body */
        snprintf(err, err_size, "the request body is not valid JSON");
        return -1;
    case ADP_GONE:
        snprintf(err, err_size, "the operation is gone in the candidate's version");
        return -1;
    case ADP_BAD_PATH:
        snprintf(err, err_size, "the path does not fit the operation's template");
        return -1;
    case ADP_OK:
        break;
    }
    if (st->req.upstream_path != NULL) {
        size_t n = a->prefix_len + strlen(st->req.upstream_path);
        st->path = xcalloc(n + 1, 1);
        snprintf(st->path, n + 1, "%s%s", a->prefix_len != 0 ? a->prefix : "",
                 st->req.upstream_path);
        out->path = out->upstream_path = (ct_str_t){st->path, n};
    }
    if (st->req.upstream_query != NULL)
        out->query = st->req.upstream_query[0] != '\0'
                         ? (ct_str_t){st->req.upstream_query, strlen(st->req.upstream_query)}
                         : (ct_str_t){NULL, 0};
    st->headers = headers_of(&st->req.headers);
    out->headers = st->headers;
    out->num_headers = st->req.headers.len;
    if (with_body && st->req.body != q->body.bytes) /* changed, or removed: "" */
        out->body = (ct_capture_body_t){.bytes = st->req.body != NULL ? st->req.body : "",
                                        .len = st->req.body_len,
                                        .size = st->req.body_len};
    return 0;
}

static int adapt_response(void *ctx, const ct_exchange_t *x, const ct_response_t *c,
                          ct_response_t *out, void **state, char *err, size_t err_size)
{
    const replay_adapt_t *a = ctx;
    *out = *c;
    const adp_plan_t *plan = plan_of(a, x);
    if (plan == NULL)
        return 0;
    state_t *st = new_state(state);
    st->res.status = c->status;
    for (size_t i = 0; i < c->num_headers; i++)
        adp_fields_push(&st->res.headers, c->headers[i].name, c->headers[i].name_len,
                        c->headers[i].value, c->headers[i].value_len);
    /* a body that does not parse passes unchanged (res.body_invalid), as in the gateway */
    int with_body = adp_plan_response_needs_body(plan, c->status) &&
                    is_json(c->headers, c->num_headers) && c->body_len != 0;
    if (with_body) {
        st->res.body = c->body;
        st->res.body_len = c->body_len;
    }
    adp_response_downgrade(plan, &st->res);
    out->status = st->res.status;
    st->headers = headers_of(&st->res.headers);
    out->headers = st->headers;
    out->num_headers = st->res.headers.len;
    out->content_type = NULL;
    if (with_body) { /* "" when a change removed it */
        out->body = st->res.body != NULL ? st->res.body : "";
        out->body_len = st->res.body_len;
    }
    return 0;
}

static void release(void *ctx, void *state)
{
    state_t *st = state;
    if (st == NULL)
        return;
    adp_request_dispose(&st->req);
    adp_response_dispose(&st->res);
    free(st->headers);
    free(st->path);
    free(st);
}

void replay_adapt_hook(replay_adapt_t *a, ct_replay_adapter_t *hook)
{
    *hook = (ct_replay_adapter_t){a, adapt_request, adapt_response, release};
}
