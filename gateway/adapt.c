/* Adapter chains in the request path: plan lookup, request upgrade, response downgrade. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "adapt.h"
#include "adapt_encoding.h"

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

/* The entry of `headers` at or after *from that `f` still borrows unchanged (same name and
 * value memory), or NULL. Fields keep their order, so the search moves forward only. */
static const h2o_header_t *unchanged(const h2o_headers_t *headers, size_t *from,
                                     const adp_field_t *f)
{
    for (size_t k = *from; k < headers->size; ++k) {
        const h2o_header_t *h = &headers->entries[k];
        if (h->name->base == f->name && h->name->len == f->name_len &&
            h->value.base == f->value && h->value.len == f->value_len) {
            *from = k + 1;
            return h;
        }
    }
    return NULL;
}

/* Replaces `headers` with `fields`. Entries the adapter left alone are kept as they are (token,
 * no copy); renamed and added ones are lowercased and copied into the request pool. */
static void set_headers(h2o_req_t *req, h2o_headers_t *headers, const adp_fields_t *fields)
{
    h2o_headers_t out = {NULL, 0, 0};
    size_t from = 0;
    h2o_vector_reserve(&req->pool, &out, fields->len);
    for (size_t i = 0; i < fields->len; ++i) {
        const adp_field_t *f = &fields->entries[i];
        const h2o_header_t *same = unchanged(headers, &from, f);
        if (same != NULL) {
            out.entries[out.size++] = *same;
            continue;
        }
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

/* The adapters' and validation's bump memory (body_mem_t) for one exchange, carved out of the
 * request's pool and freed with it. h2o's pool neither aligns nor keeps allocations of about a
 * kilobyte or more in its recycled 4 KiB chunks (each is a malloc of its own), so this takes
 * blocks from it and hands out 8-byte aligned pieces: first MEM_SMALL_BLOCKS blocks small enough
 * to come from the pool's chunks, which h2o recycles (the tree of a body of a few kilobytes costs
 * no malloc at all), then blocks growing from 32 KiB to 256 KiB for large bodies. Created on
 * first use, shared by the request's upgrade and validation and the response's. */
struct st_gw_adapt_mem_t {
    h2o_mem_pool_t *pool;
    char *cur;
    size_t left;
    size_t next_block;
    unsigned small_blocks; /* handed out so far */
    /* the client's Accept-Encoding (the upstream is asked for identity): base NULL when absent */
    h2o_iovec_t accept_encoding;
};

#define MEM_ALIGN 8
/* h2o 2.2 allocates requests of (4096 - 16) / 4 = 1020 bytes or more outside its chunks */
#define MEM_SMALL_BLOCK (1012 - MEM_ALIGN)
#define MEM_SMALL_BLOCKS 32 /* ~32 KB from recycled chunks */
#define MEM_FIRST_BLOCK (32 * 1024)
#define MEM_MAX_BLOCK (256 * 1024)

static void *pool_alloc_aligned(h2o_mem_pool_t *pool, size_t size)
{
    uintptr_t p = (uintptr_t)h2o_mem_alloc_pool(pool, size + MEM_ALIGN - 1);
    return (void *)((p + MEM_ALIGN - 1) & ~(uintptr_t)(MEM_ALIGN - 1));
}

/* The exchange's adapter state, created on first use. */
static struct st_gw_adapt_mem_t *state_of(gw_exchange_t *x)
{
    struct st_gw_adapt_mem_t *m = x->adapt_mem;
    if (m == NULL) {
        m = x->adapt_mem = pool_alloc_aligned(&x->req->pool, sizeof(*m));
        *m = (struct st_gw_adapt_mem_t){&x->req->pool, NULL, 0, MEM_FIRST_BLOCK, 0, {NULL, 0}};
    }
    return m;
}

static void *mem_alloc(void *ctx, size_t size)
{
    gw_exchange_t *x = ctx;
    struct st_gw_adapt_mem_t *m = state_of(x);
    if (size > SIZE_MAX / 2)
        h2o_fatal("adapter allocation too large");
    size = (size + MEM_ALIGN - 1) & ~(size_t)(MEM_ALIGN - 1);
    if (size > m->left) {
        int small = m->small_blocks < MEM_SMALL_BLOCKS;
        size_t block = small ? MEM_SMALL_BLOCK : m->next_block;
        if (size > block) /* a piece of its own; the current block keeps serving */
            return pool_alloc_aligned(m->pool, size);
        m->cur = pool_alloc_aligned(m->pool, block);
        m->left = block;
        if (small)
            ++m->small_blocks;
        else if (m->next_block < MEM_MAX_BLOCK)
            m->next_block *= 2;
    }
    void *p = m->cur;
    m->cur += size;
    m->left -= size;
    return p;
}

body_mem_t gw_adapt_mem(gw_exchange_t *x)
{
    return (body_mem_t){mem_alloc, x};
}

static int is_json(const h2o_headers_t *headers)
{
    ssize_t i = h2o_find_header(headers, H2O_TOKEN_CONTENT_TYPE, -1);
    return i != -1 &&
           adp_media_type_is_json(headers->entries[i].value.base, headers->entries[i].value.len);
}

static void delete_all(h2o_headers_t *headers, const h2o_token_t *token)
{
    ssize_t at;
    while ((at = h2o_find_header(headers, token, -1)) != -1)
        h2o_delete_header(headers, at);
}

/* A range of the upstream's body is no range of the adapted one, and a part of a JSON body cannot
 * be adapted: the upstream is asked for all of it (RFC 9110 §14.2 lets a server ignore Range),
 * and the client gets the whole adapted body with a 200. */
static void drop_range(h2o_headers_t *headers)
{
    delete_all(headers, H2O_TOKEN_RANGE);
    delete_all(headers, H2O_TOKEN_IF_RANGE);
}

/* Fields that describe the upstream's bytes themselves: digests (RFC 9530's Content-Digest and
 * Repr-Digest, RFC 3230's Digest, Content-MD5), which a client checking them would find wrong. */
static const char *const BYTES_FIELDS[] = {"content-digest", "repr-digest", "digest",
                                           "content-md5"};

/* A body the adapters changed is another representation than the upstream's: its strong ETag
 * becomes weak (as nginx's gzip filter does; RFC 9110 §8.8.1: a strong validator names these
 * very bytes), so If-None-Match still revalidates it and If-Match no longer claims it, no byte
 * ranges are offered of it, and the upstream's digests of its bytes go. */
static void changed_representation(h2o_req_t *req)
{
    for (size_t i = 0; i < sizeof(BYTES_FIELDS) / sizeof(BYTES_FIELDS[0]); ++i) {
        ssize_t at;
        while ((at = h2o_find_header_by_str(&req->res.headers, BYTES_FIELDS[i],
                                            strlen(BYTES_FIELDS[i]), -1)) != -1)
            h2o_delete_header(&req->res.headers, at);
    }
    ssize_t at = h2o_find_header(&req->res.headers, H2O_TOKEN_ETAG, -1);
    if (at != -1) {
        h2o_iovec_t *v = &req->res.headers.entries[at].value;
        if (!(v->len >= 2 && v->base[0] == 'W' && v->base[1] == '/')) {
            h2o_iovec_t weak = h2o_concat(&req->pool, h2o_iovec_init(H2O_STRLIT("W/")), *v);
            *v = weak;
        }
    }
    delete_all(&req->res.headers, H2O_TOKEN_ACCEPT_RANGES);
}

int gw_adapt_request(gw_exchange_t *x, const adp_plan_t *plan, const gw_route_t *r,
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
        ar.body = req->entity.base;
        ar.body_len = req->entity.len;
        ar.mem = gw_adapt_mem(x);
    }
    int ret = -1;
    char msg[256];
    switch (adp_request_upgrade(plan, &ar)) {
    case ADP_BAD_BODY:
        snprintf(msg, sizeof(msg), "the request body is not valid JSON: %s (line %u, column %u)",
                 ar.body_error.message, ar.body_error.line, ar.body_error.col);
        gw_exchange_send_problem(x, GW_PROBLEM_BAD_REQUEST, msg);
        goto exit;
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
    /* bodies are adapted in the clear: ask the upstream not to compress (RFC 9110 §12.5.3); the
     * client's preference decides how the adapted body goes back (encode_body) */
    ssize_t ae = h2o_find_header(&req->headers, H2O_TOKEN_ACCEPT_ENCODING, -1);
    if (ae != -1)
        state_of(x)->accept_encoding = req->headers.entries[ae].value;
    h2o_set_header(&req->pool, &req->headers, H2O_TOKEN_ACCEPT_ENCODING, H2O_STRLIT("identity"),
                   1);
    if (adp_plan_response_needs_body(plan, 200) || adp_plan_response_needs_body(plan, 206))
        drop_range(&req->headers);
    if (body_needed) /* pool memory, or the entity itself when no step changed it */
        req->entity = ar.body != NULL ? h2o_iovec_init(ar.body, ar.body_len)
                                      : h2o_iovec_init("", 0); /* the chain removed it */
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

/* The response's Content-Encoding field and its coding. */
static gw_coding_t coding_of(const h2o_headers_t *headers, ssize_t *at)
{
    *at = h2o_find_header(headers, H2O_TOKEN_CONTENT_ENCODING, -1);
    if (*at == -1)
        return GW_CODING_IDENTITY;
    if (h2o_find_header(headers, H2O_TOKEN_CONTENT_ENCODING, *at) != -1)
        return GW_CODING_UNKNOWN; /* codings in two fields: applied one after the other */
    return gw_coding_of(headers->entries[*at].value.base, headers->entries[*at].value.len);
}

int gw_adapt_needs_body(const gw_exchange_t *x, int status, const h2o_headers_t *headers,
                        const char **refuse)
{
    *refuse = NULL;
    if (x->plan == NULL || !is_json(headers))
        return 0;
    if (status == 206 && adp_plan_response_needs_body(x->plan, 200)) {
        *refuse = "it sent part of a body that must be adapted whole (206 Partial Content, "
                  "though the gateway did not ask for a range)";
        return 0;
    }
    if (!adp_plan_response_needs_body(x->plan, status))
        return 0;
    ssize_t at;
    if (coding_of(headers, &at) == GW_CODING_UNKNOWN) {
        *refuse = "its body must be adapted but its Content-Encoding is not one Versa decodes "
                  "(gzip, deflate, br or identity)";
        return 0;
    }
    return 1;
}

/* Decodes a compressed upstream body for the adapters (RFC 9110 §8.4), bounded by
 * limits.max_adapted_body; the Content-Encoding field goes, the body is sent as chosen later. */
static int decode_body(gw_exchange_t *x, h2o_iovec_t *body, gw_coding_t *was,
                       h2o_iovec_t *coded, const char **err)
{
    h2o_req_t *req = x->req;
    ssize_t at;
    *was = coding_of(&req->res.headers, &at);
    *coded = *body;
    if (*was == GW_CODING_IDENTITY) {
        if (at != -1)
            h2o_delete_header(&req->res.headers, at);
        return 0;
    }
    h2o_delete_header(&req->res.headers, at);
    if (body->len == 0) /* HEAD, 204: nothing to decode */
        return 0;
    return gw_coding_decode(&req->pool, *was, *body, x->thread->rt->config->limits.max_adapted_body,
                            body, err);
}

/* Codes the adapted body as the client prefers: gzip or identity. The upstream's own bytes are
 * sent again when the adapters left the body as it was and the client takes that coding. */
static h2o_iovec_t encode_body(gw_exchange_t *x, h2o_iovec_t body, int unchanged, gw_coding_t was,
                               h2o_iovec_t coded)
{
    h2o_req_t *req = x->req;
    h2o_iovec_t accept = state_of(x)->accept_encoding;
    gw_coding_t to = gw_coding_choose(accept.base, accept.len, was != GW_CODING_IDENTITY);
    if (accept.base != NULL) /* the coding depends on the client's Accept-Encoding */
        h2o_set_header_token(&req->pool, &req->res.headers, H2O_TOKEN_VARY,
                             H2O_STRLIT("accept-encoding"));
    if (to != GW_CODING_GZIP || body.len == 0)
        return body;
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_ENCODING, NULL,
                   H2O_STRLIT("gzip"));
    return unchanged && was == GW_CODING_GZIP ? coded : gw_coding_gzip(&req->pool, body);
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

h2o_iovec_t gw_adapt_response(gw_exchange_t *x, h2o_iovec_t body, const body_value_t **doc,
                              h2o_iovec_t *plain, const char **err)
{
    h2o_req_t *req = x->req;
    gw_coding_t was = GW_CODING_IDENTITY;
    h2o_iovec_t coded = body;
    *err = NULL;
    if (body.base != NULL && decode_body(x, &body, &was, &coded, err) != 0)
        return h2o_iovec_init(NULL, 0);
    adp_response_t ar;
    adp_response_init(&ar);
    ar.status = req->res.status;
    get_headers(&req->res.headers, &ar.headers);
    if (body.base != NULL) {
        ar.body = body.base;
        ar.body_len = body.len;
        ar.mem = gw_adapt_mem(x);
    }
    adp_response_downgrade(x->plan, &ar);
    adp_plan_deprecation_headers(x->plan, &ar.headers);
    log_mismatch(x, x->plan, ar.mismatches, &ar.first_mismatch);
    if (ar.status != req->res.status) {
        req->res.status = ar.status;
        req->res.reason = reason_of(ar.status);
    }
    set_headers(req, &req->res.headers, &ar.headers);
    /* the body itself when unchanged or not JSON, else pool memory; "" when a change removed it */
    h2o_iovec_t out = body;
    if (body.base != NULL) {
        out = ar.body != NULL ? h2o_iovec_init(ar.body, ar.body_len) : h2o_iovec_init("", 0);
        if (plain != NULL)
            *plain = out;
        out = encode_body(x, out, ar.body == body.base && ar.body_len == body.len, was, coded);
        /* not the upstream's own bytes; HEAD: the fields a GET would get */
        if (out.base != coded.base || out.len != coded.len ||
            (coded.len == 0 && h2o_memis(req->method.base, req->method.len, H2O_STRLIT("HEAD"))))
            changed_representation(req);
    }
    if (doc != NULL) /* in the exchange's memory (ar.mem): lives as long as the request */
        *doc = body.base != NULL && ar.body != NULL ? ar.doc : NULL;
    adp_response_dispose(&ar);
    return out;
}
