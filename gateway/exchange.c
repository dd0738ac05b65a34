/* Per-request bookkeeping: request ids, problem responses, access-log lines and metrics. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "exchange.h"
#include "guard.h"
#include "problem.h"
#include "trace.h"

#define MAX_REQUEST_ID 128

/* Client-supplied ids are kept only when they are short printable tokens, so they can be logged
 * and forwarded without escaping surprises. */
static int is_sane_id(h2o_iovec_t v)
{
    if (v.len == 0 || v.len > MAX_REQUEST_ID)
        return 0;
    for (size_t i = 0; i < v.len; ++i)
        if (v.base[i] <= 0x20 || v.base[i] >= 0x7f || v.base[i] == '"' || v.base[i] == '\\')
            return 0;
    return 1;
}

static void on_dispose(void *p);

/* 16 lowercase hex digits, most significant first (what "%016llx" wrote, without printf's cost
 * on every request). */
static void put_hex64(char *dst, uint64_t v)
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 15; i >= 0; --i, v >>= 4)
        dst[i] = digits[v & 15];
}

gw_exchange_t *gw_exchange_start(h2o_req_t *req, gw_thread_t *thread)
{
    gw_exchange_t *x = h2o_mem_alloc_shared(&req->pool, sizeof(*x), on_dispose);
    memset(x, 0, sizeof(*x));
    x->req = req;
    x->thread = thread;
    x->upstream_error = -1;
    x->gen = thread->gen;
    ++x->gen->inflight; /* keeps the generation's part of this thread alive (on_dispose) */
    x->rt = x->gen->rt;
    x->metrics_row = x->rt->version_row[x->rt->num_versions]; /* "no API" until routed */
    gw_metrics_add(&thread->metrics.requests_inflight, 1);

    ssize_t i = h2o_find_header_by_str(&req->headers, H2O_STRLIT("x-request-id"), -1);
    if (i != -1 && is_sane_id(req->headers.entries[i].value)) {
        x->request_id = req->headers.entries[i].value;
    } else {
        char *id = h2o_mem_alloc_pool(&req->pool, 32);
        put_hex64(id, gw_random_next(&thread->rng));
        put_hex64(id + 16, gw_random_next(&thread->rng));
        x->request_id = h2o_iovec_init(id, 32);
        h2o_set_header_by_str(&req->pool, &req->headers, H2O_STRLIT("x-request-id"), 0, id, 32,
                              1);
    }
    if (x->rt->tracer != NULL)
        gw_trace_start(x);
    return x;
}

void gw_exchange_set_route(gw_exchange_t *x, const gw_api_t *api, const gw_version_t *version)
{
    x->api = api;
    x->version = version;
    x->version_index = gw_runtime_version_index(x->rt, api, version);
    x->metrics_row = x->rt->version_row[x->version_index];
}

void gw_exchange_add_tap(gw_exchange_t *x, gw_tap_t *tap)
{
    gw_tap_t **slot = &x->taps;
    while (*slot != NULL)
        slot = &(*slot)->next;
    tap->next = NULL;
    *slot = tap;
}

void gw_exchange_tap_head(gw_exchange_t *x)
{
    for (gw_tap_t *t = x->taps; t != NULL; t = t->next)
        if (t->on_head != NULL)
            t->on_head(t, x->req);
}

void gw_exchange_tap_body(gw_exchange_t *x, const char *bytes, size_t len)
{
    if (len == 0)
        return;
    for (gw_tap_t *t = x->taps; t != NULL; t = t->next)
        if (t->on_body != NULL)
            t->on_body(t, bytes, len);
}

void gw_exchange_tap_end(gw_exchange_t *x, gw_tap_end_t how)
{
    gw_tap_t *t = x->taps;
    x->taps = NULL;
    while (t != NULL) {
        gw_tap_t *next = t->next; /* on_end may free the tap */
        if (t->on_end != NULL)
            t->on_end(t, x->req, how);
        t = next;
    }
}

void gw_exchange_set_operation(gw_exchange_t *x, const spec_operation_t *op)
{
    x->operation = op;
    x->operation_id = op->operation_id;
}

void gw_exchange_add_version_headers(gw_exchange_t *x)
{
    h2o_req_t *req = x->req;
    const gw_config_t *cfg = x->rt->config;
    if (x->version != NULL)
        h2o_set_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("api-version"), 0,
                              x->version->name, strlen(x->version->name), 1);
    /* RFC 9110 §12.5.5: caches must key on every header that took part in negotiation. */
    if (cfg->versioning.media_type != NULL)
        h2o_set_header_token(&req->pool, &req->res.headers, H2O_TOKEN_VARY, H2O_STRLIT("Accept"));
    if (cfg->versioning.header != NULL)
        h2o_set_header_token(&req->pool, &req->res.headers, H2O_TOKEN_VARY,
                             cfg->versioning.header, strlen(cfg->versioning.header));
    h2o_set_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("x-request-id"), 0,
                          x->request_id.base, x->request_id.len, 1);
}

void gw_exchange_send_problem(gw_exchange_t *x, gw_problem_kind_t kind, const char *detail)
{
    h2o_req_t *req = x->req;
    char instance[MAX_REQUEST_ID + 16];
    snprintf(instance, sizeof(instance), "urn:request:%.*s", (int)x->request_id.len,
             x->request_id.base);
    size_t cap = strlen(detail) * 6 + sizeof(instance) * 6 + 512;
    char *body = h2o_mem_alloc_pool(&req->pool, cap);
    size_t len = gw_problem_render(body, cap, kind, detail, instance);
    req->res.status = gw_problem_status(kind);
    req->res.reason = gw_problem_title(kind);
    req->res.content_length = len;
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL,
                   H2O_STRLIT("application/problem+json"));
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, NULL, H2O_STRLIT("no-store"));
    gw_exchange_add_version_headers(x);
    if (kind == GW_PROBLEM_SHUTTING_DOWN)
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONNECTION, NULL, H2O_STRLIT("close"));
    h2o_send_inline(req, body, len);
}

static int64_t usec_between(const struct timeval *from, const struct timeval *to)
{
    if (from->tv_sec == 0 || to->tv_sec == 0)
        return 0;
    int64_t d = (int64_t)(to->tv_sec - from->tv_sec) * 1000000 + (to->tv_usec - from->tv_usec);
    return d < 0 ? 0 : d;
}

static void write_access_log(gw_exchange_t *x, int64_t total_us, int64_t upstream_us)
{
    h2o_req_t *req = x->req;
    char line[4096];
    size_t o = 0;
    struct tm tm;
    time_t now = req->timestamps.request_begin_at.tv_sec;
    gmtime_r(&now, &tm);
    o += (size_t)snprintf(line, sizeof(line), "{\"time\":\"%04d-%02d-%02dT%02d:%02d:%02d.%03dZ\","
                          "\"request_id\":\"", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                          tm.tm_hour, tm.tm_min, tm.tm_sec,
                          (int)(req->timestamps.request_begin_at.tv_usec / 1000));
#define STR(key, s, n)                                                                             \
    do {                                                                                           \
        if (o < sizeof(line))                                                                      \
            o += (size_t)snprintf(line + o, sizeof(line) - o, "\",\"" key "\":\"");                \
        if (o < sizeof(line))                                                                      \
            gw_json_escape_into(line, sizeof(line), &o, (s), (n));                                 \
    } while (0)
    gw_json_escape_into(line, sizeof(line), &o, x->request_id.base, x->request_id.len);
    STR("method", req->method.base, req->method.len);
    STR("path", req->input.path.base, req->input.path.len);
    STR("api", x->api ? x->api->name : "", x->api ? strlen(x->api->name) : 0);
    STR("version", x->version ? x->version->name : "", x->version ? strlen(x->version->name) : 0);
    if (x->operation_id != NULL)
        STR("operation_id", x->operation_id, strlen(x->operation_id));
    STR("protocol", req->version >= 0x200 ? "HTTP/2" : "HTTP/1.1", req->version >= 0x200 ? 6 : 8);
    if (x->trace != NULL)
        gw_trace_log_fields(x, line, sizeof(line), &o);
#undef STR
    if (o < sizeof(line))
        o += (size_t)snprintf(line + o, sizeof(line) - o,
                              "\",\"status\":%d,\"bytes\":%zu,\"upstream_ms\":%.3f,"
                              "\"total_ms\":%.3f%s}",
                              req->res.status, req->bytes_sent, (double)upstream_us / 1000.0,
                              (double)total_us / 1000.0,
                              x->upstream_error >= 0 ? ",\"upstream_error\":true" : "");
    if (o >= sizeof(line))
        return; /* only a pathological path gets here; the metrics still count the request */
    if (gw_access_log_write(x->rt->access_log, line, o) != 0)
        gw_metrics_add(&x->thread->metrics.access_log_dropped, 1);
}

static void on_dispose(void *p)
{
    gw_exchange_t *x = p;
    /* still attached: the gateway answered by itself, or the client left mid-response */
    gw_exchange_tap_end(x, x->upstream_head.tv_sec != 0 ? GW_TAP_CLIENT_GONE : GW_TAP_NOT_PROXIED);
    h2o_req_t *req = x->req;
    gw_thread_t *t = x->thread;
    /* h2o's timestamps come from the loop's cached clock; the end is read precisely here, when
     * the last byte has been handed to the socket (or the client went away) */
    struct timeval end;
    gettimeofday(&end, NULL);
    int64_t total_us = usec_between(&req->timestamps.request_begin_at, &end);
    int64_t upstream_us = usec_between(&x->upstream_start, &x->upstream_head);
    int status = req->res.status != 0 ? req->res.status : 499;
    gw_metrics_count_request(&t->metrics, x->metrics_row,
                             gw_method_class(req->method.base, req->method.len), status,
                             (uint64_t)total_us, (uint64_t)upstream_us, x->upstream_head.tv_sec != 0,
                             req->bytes_sent);
    if (x->operation != NULL)
        gw_metrics_count_operation(
            &t->metrics, x->rt->op_row[x->rt->op_base[x->version_index] + x->operation->index],
            status);
    if (x->trace != NULL)
        gw_trace_end(x, req->res.status, &end); /* 0: nothing was answered */
    if (x->rt->access_log != NULL)
        write_access_log(x, total_us, upstream_us);
    gw_metrics_add(&t->metrics.requests_inflight, -1);
    gw_guard_request_done(req);
    --x->gen->inflight; /* a retired generation is freed between loop turns (gw_thread_sweep) */
}
