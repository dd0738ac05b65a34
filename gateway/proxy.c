/* Upstream forwarding: sends the request through the thread's upstream client (upstream.h),
 * relays the response as it arrives with bounded buffering, and maps upstream failures to
 * 502/503/504 problems before the head or an aborted stream after it. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "adapt.h"
#include "validate.h"
#include "proxy.h"
#include "trace.h"

/* Upstream bytes buffered beyond what the client has taken before we stop reading upstream: the
 * response streams with bounded memory whatever its size. */
#define HIGH_WATER (256 * 1024)

typedef struct st_proxy_t {
    h2o_generator_t super;
    gw_exchange_t *x;
    /* the upstream this request went to: an adapter-served version has none of its own, its
     * requests go to the version the adapters lead to */
    const gw_upstream_t *upstream;
    up_request_t up;
    h2o_doublebuffer_t sending;
    int started;       /* h2o_start_response was called */
    int sent_head;     /* something went to h2o_send: the head is on its way */
    int head_inflight; /* the head went out alone; its proceed must not consume body bytes */
    int upstream_done; /* the upstream finished: completely, or with body_error */
    int body_error;
    int final_sent;
    /* a response that an adapter must rewrite is buffered whole (bounded), then sent at once */
    int buffering;
} proxy_t;

static int is_name(const up_header_t *h, const char *lit)
{
    return h2o_lcstris(h->name, h->name_len, lit, strlen(lit));
}

/* Whether the comma-separated `value` names `name`, case-insensitively. */
static int names(const char *value, size_t len, const char *name, size_t name_len)
{
    size_t pos = 0;
    while (pos < len) {
        while (pos < len && (value[pos] == ',' || value[pos] == ' ' || value[pos] == '\t'))
            ++pos;
        size_t start = pos;
        while (pos < len && value[pos] != ',' && value[pos] != ' ' && value[pos] != '\t')
            ++pos;
        if (pos - start == name_len && strncasecmp(value + start, name, name_len) == 0)
            return 1;
    }
    return 0;
}

/* RFC 9110 §7.6.1: hop-by-hop fields, and those the upstream's Connection names. */
static int is_hop_by_hop_response(const up_request_t *up, const up_header_t *h)
{
    if (gw_proxy__is_hop_by_hop(h->name, h->name_len))
        return 1;
    for (size_t i = 0; i != up->num_headers; ++i)
        if (is_name(&up->headers[i], "connection") &&
            names(up->headers[i].value, up->headers[i].value_len, h->name, h->name_len))
            return 1;
    return 0;
}

/* The client's error kinds to the gateway's (metrics, problem types). */
static gw_upstream_error_t kind_of(up_status_t status)
{
    switch (status) {
    case UP_ERR_CONNECT:
        return GW_UPSTREAM_ERR_CONNECT;
    case UP_ERR_CONNECT_TIMEOUT:
        return GW_UPSTREAM_ERR_CONNECT_TIMEOUT;
    case UP_ERR_QUEUE_FULL:
    case UP_ERR_QUEUE_TIMEOUT:
        return GW_UPSTREAM_ERR_QUEUE;
    case UP_ERR_TIMEOUT:
        return GW_UPSTREAM_ERR_TIMEOUT;
    case UP_ERR_BAD_RESPONSE:
    case UP_ERR_TOO_LARGE:
        return GW_UPSTREAM_ERR_BAD_RESPONSE;
    case UP_ERR_CLOSED:
        return GW_UPSTREAM_ERR_RESET;
    default:
        return GW_UPSTREAM_ERR_BODY;
    }
}

static void record_error(proxy_t *p, gw_upstream_error_t kind, const char *errstr)
{
    gw_exchange_t *x = p->x;
    x->upstream_error = (int)kind;
    gw_metrics_count_upstream_error(&x->thread->metrics, x->metrics_row, kind);
    h2o_req_log_error(x->req, "versa/proxy", "upstream %s: %s", p->upstream->url, errstr);
}

static void fail_before_head(proxy_t *p, gw_upstream_error_t kind, const char *errstr)
{
    record_error(p, kind, errstr);
    gw_exchange_tap_end(p->x, GW_TAP_UPSTREAM_ERROR);
    int timeout = kind == GW_UPSTREAM_ERR_TIMEOUT || kind == GW_UPSTREAM_ERR_CONNECT_TIMEOUT;
    char detail[256];
    if (kind == GW_UPSTREAM_ERR_BAD_RESPONSE || kind == GW_UPSTREAM_ERR_QUEUE)
        snprintf(detail, sizeof(detail), "the upstream of %s %s: %s", p->x->api->name,
                 p->x->version->name, errstr); /* errstr says what was wrong */
    else
        snprintf(detail, sizeof(detail), "the upstream of %s %s %s", p->x->api->name,
                 p->x->version->name,
                 timeout ? (kind == GW_UPSTREAM_ERR_TIMEOUT ? "did not answer in time"
                                                           : "did not accept the connection in time")
                         : (kind == GW_UPSTREAM_ERR_CONNECT ? "refused the connection"
                                                            : "failed before answering"));
    /* an adapted response fails after its upstream head was taken in: start from scratch */
    h2o_req_t *req = p->x->req;
    req->res.headers = (h2o_headers_t){NULL, 0, 0};
    req->res.content_length = SIZE_MAX;
    gw_exchange_send_problem(p->x,
                             kind == GW_UPSTREAM_ERR_QUEUE ? GW_PROBLEM_UPSTREAM_BUSY
                             : timeout                     ? GW_PROBLEM_UPSTREAM_TIMEOUT
                                                           : GW_PROBLEM_UPSTREAM_UNAVAILABLE,
                             detail);
}

static int is_sending(proxy_t *p)
{
    return p->head_inflight || p->sending.bytes_inflight != 0;
}

/* Sends what the upstream gave and the client may take: body bytes, the end, or the head alone
 * when no body byte came with it. */
static void do_send(proxy_t *p)
{
    if (p->final_sent)
        return;
    h2o_iovec_t vec = h2o_doublebuffer_prepare(&p->sending, &p->up.body,
                                               p->x->req->preferred_chunk_size);
    h2o_send_state_t state = H2O_SEND_STATE_IN_PROGRESS;
    if (p->upstream_done && vec.len == p->sending.buf->size && p->up.body->size == 0) {
        state = p->body_error ? H2O_SEND_STATE_ERROR : H2O_SEND_STATE_FINAL;
        p->final_sent = 1;
    } else if (vec.len == 0) {
        return;
    }
    p->sent_head = 1;
    gw_exchange_tap_body(p->x, vec.base, vec.len);
    if (state != H2O_SEND_STATE_IN_PROGRESS)
        gw_exchange_tap_end(p->x, p->body_error ? GW_TAP_UPSTREAM_ERROR : GW_TAP_COMPLETE);
    h2o_send(p->x->req, &vec, vec.len != 0 ? 1 : 0, state);
}

static void on_proceed(h2o_generator_t *gen, h2o_req_t *req)
{
    proxy_t *p = (void *)gen;
    if (p->head_inflight)
        p->head_inflight = 0;
    else
        h2o_doublebuffer_consume(&p->sending);
    do_send(p);
    up_request_resume(&p->up);
}

static void on_stop(h2o_generator_t *gen, h2o_req_t *req)
{
    proxy_t *p = (void *)gen;
    up_request_cancel(&p->up); /* the client left: don't pool a half-read connection */
}

/* Sends the buffered response once adapted, in one piece with its Content-Length. The body is
 * not copied: it lives in the upstream request's buffer or the request's pool, both released only
 * with the request (on_dispose), after the last byte went out. */
static void send_adapted(proxy_t *p)
{
    static h2o_generator_t generator = {NULL, NULL}; /* one final send: nothing to proceed */
    h2o_req_t *req = p->x->req;
    h2o_iovec_t body = h2o_iovec_init(p->up.body->size != 0 ? p->up.body->bytes : "",
                                      p->up.body->size);
    const body_value_t *doc = NULL; /* the adapters' tree of the body: parsed once */
    h2o_iovec_t plain = body;      /* the adapted body before any content coding */
    const char *err = NULL;
    if (p->x->plan != NULL)
        body = gw_adapt_response(p->x, body, &doc, &plain, &err);
    if (err != NULL) { /* a compressed body that does not decode within the bound */
        fail_before_head(p, GW_UPSTREAM_ERR_BAD_RESPONSE, err);
        return;
    }
    if (gw_validate_response_body(p->x, plain.base, plain.len, doc) != 0) { /* enforce: 502 */
        gw_exchange_tap_end(p->x, GW_TAP_UPSTREAM_ERROR);
        gw_validate_refuse_response(p->x);
        return;
    }
    gw_exchange_add_version_headers(p->x);
    gw_exchange_tap_head(p->x);
    gw_exchange_tap_body(p->x, body.base, body.len);
    gw_exchange_tap_end(p->x, GW_TAP_COMPLETE);
    req->res.content_length = body.len;
    h2o_start_response(req, &generator);
    if (h2o_memis(req->method.base, req->method.len, H2O_STRLIT("HEAD")))
        h2o_send(req, NULL, 0, H2O_SEND_STATE_FINAL);
    else
        h2o_send(req, &body, 1, H2O_SEND_STATE_FINAL);
}

/* Copies the upstream's status and end-to-end fields into the client's response. */
static void take_head(proxy_t *p)
{
    h2o_req_t *req = p->x->req;
    up_request_t *up = &p->up;
    req->res.status = up->res_status;
    req->res.reason = h2o_strdup(&req->pool, up->reason, up->reason_len).base;
    req->res.content_length = up->content_length != UINT64_MAX && up->content_length < SIZE_MAX
                                  ? (size_t)up->content_length
                                  : SIZE_MAX;
    for (size_t i = 0; i < up->num_headers; ++i) {
        const up_header_t *h = &up->headers[i];
        /* Content-Length is ours to write (framing was checked); Api-Version and X-Request-Id are
         * ours to set; h2o writes its own Date and Server */
        if (is_hop_by_hop_response(up, h) || is_name(h, "api-version") ||
            is_name(h, "x-request-id") || is_name(h, "date") || is_name(h, "server"))
            continue;
        h2o_iovec_t value = h2o_strdup(&req->pool, h->value, h->value_len);
        /* HTTP/2 wants names lowercase (RFC 9113 §8.2.1); h2o's tokens are */
        char lower[64];
        const h2o_token_t *token = NULL;
        if (h->name_len <= sizeof(lower)) {
            for (size_t k = 0; k != h->name_len; ++k)
                lower[k] = h2o_tolower(h->name[k]);
            token = h2o_lookup_token(lower, h->name_len);
        }
        if (token != NULL) {
            h2o_add_header(&req->pool, &req->res.headers, token, NULL, value.base, value.len);
        } else {
            h2o_iovec_t name = h2o_strdup(&req->pool, h->name, h->name_len);
            h2o_strtolower(name.base, name.len);
            h2o_add_header_by_str(&req->pool, &req->res.headers, name.base, name.len, 0, NULL,
                                  value.base, value.len);
        }
    }
}

static void on_head(up_request_t *up)
{
    proxy_t *p = up->data;
    h2o_req_t *req = p->x->req;
    gettimeofday(&p->x->upstream_head, NULL);
    take_head(p);
    const char *refuse;
    if (gw_adapt_needs_body(p->x, up->res_status, &req->res.headers, &refuse) ||
        (refuse == NULL && gw_validate_response_head(p->x, up->res_status))) {
        /* Buffering for an adapter or response validation, bounded by limits.max_adapted_body:
         * beyond it the client gets a 502 problem, never a body they did not see whole. */
        p->buffering = 1;
        up->high_water = 0;
        up->max_body = p->x->rt->config->limits.max_adapted_body;
        up->fail_over_max = 1;
        return;
    }
    if (refuse != NULL) {
        up_request_cancel(up);
        fail_before_head(p, GW_UPSTREAM_ERR_BAD_RESPONSE, refuse);
        return;
    }
    if (p->x->plan != NULL) /* status and headers only; the body streams as it comes */
        gw_adapt_response(p->x, h2o_iovec_init(NULL, 0), NULL, NULL, &refuse);
    gw_exchange_add_version_headers(p->x);
    p->super.proceed = on_proceed;
    p->super.stop = on_stop;
    gw_exchange_tap_head(p->x);
    h2o_start_response(req, &p->super);
    p->started = 1;
}

/* After each read that moved the response on: body bytes to relay, or the head alone when none
 * came with it (so that the client sees it without waiting for the first byte of the body). */
static void on_body(up_request_t *up)
{
    proxy_t *p = up->data;
    if (!p->started || is_sending(p))
        return;
    if (up->body->size != 0) {
        do_send(p);
    } else if (!p->sent_head) {
        p->sent_head = 1;
        p->head_inflight = 1;
        h2o_send(p->x->req, NULL, 0, H2O_SEND_STATE_IN_PROGRESS);
    }
}

static void on_done(up_request_t *up)
{
    proxy_t *p = up->data;
    if (p->x->trace != NULL)
        gw_trace_upstream_done(p->x, up);
    if (up->status == UP_OK) {
        if (p->buffering) {
            send_adapted(p);
            return;
        }
        p->upstream_done = 1;
        if (!is_sending(p))
            do_send(p);
        return;
    }
    gw_upstream_error_t kind = kind_of(up->status);
    if (!up->got_head || p->buffering) {
        if (up->got_head && kind != GW_UPSTREAM_ERR_BAD_RESPONSE)
            kind = GW_UPSTREAM_ERR_BODY; /* an adapter's body that did not arrive whole */
        else if (kind == GW_UPSTREAM_ERR_RESET || kind == GW_UPSTREAM_ERR_TIMEOUT ||
                 kind == GW_UPSTREAM_ERR_BAD_RESPONSE)
            gettimeofday(&p->x->upstream_head, NULL); /* it was reached */
        if (up->status == UP_ERR_TOO_LARGE)
            snprintf(up->error, sizeof(up->error),
                     "the upstream response is larger than the %zu bytes an adapter may buffer",
                     up->max_body);
        fail_before_head(p, kind, up->error);
        return;
    }
    /* after the head: the client's stream ends in an error once what came before is sent */
    p->body_error = 1;
    record_error(p, kind == GW_UPSTREAM_ERR_TIMEOUT ? kind : GW_UPSTREAM_ERR_BODY, up->error);
    p->upstream_done = 1;
    if (!is_sending(p))
        do_send(p);
}

/* Requests in flight on one thread rarely exceed this; beyond it, state goes back to malloc. */
#define PROXY_FREE_MAX 256

static proxy_t *proxy_alloc(gw_thread_t *t)
{
    proxy_t *p = t->proxy_free;
    if (p == NULL)
        return h2o_mem_alloc(sizeof(*p));
    t->proxy_free = *(void **)p;
    t->proxy_free_count--;
    return p;
}

void gw_proxy_thread_dispose(gw_thread_t *t)
{
    while (t->proxy_free != NULL) {
        void *next = *(void **)t->proxy_free;
        free(t->proxy_free);
        t->proxy_free = next;
    }
    t->proxy_free_count = 0;
}

/* With the request's pool (before the exchange's own dispose: registered after it). */
static void on_dispose(void *handle)
{
    proxy_t *p = *(proxy_t **)handle;
    gw_thread_t *t = p->x->thread;
    up_request_dispose(&p->up);
    h2o_doublebuffer_dispose(&p->sending);
    if (t->proxy_free_count >= PROXY_FREE_MAX) {
        free(p);
        return;
    }
    *(void **)p = t->proxy_free;
    t->proxy_free = p;
    t->proxy_free_count++;
}

static int is_idempotent(const h2o_iovec_t *m)
{
    static const char *names[] = {"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); ++i)
        if (h2o_memis(m->base, m->len, names[i], strlen(names[i])))
            return 1;
    return 0;
}

void gw_proxy_forward(gw_exchange_t *x, const gw_upstream_t *upstream, up_target_t *target,
                      const char *path, size_t path_len)
{
    h2o_req_t *req = x->req;
    proxy_t *p = proxy_alloc(x->thread);
    *(proxy_t **)h2o_mem_alloc_shared(&req->pool, sizeof(p), on_dispose) = p;
    memset(p, 0, sizeof(*p));
    up_request_init(&p->up);
    p->x = x;
    p->upstream = upstream;
    h2o_doublebuffer_init(&p->sending, &h2o_socket_buffer_prototype);
    up_request_t *up = &p->up;
    int forward_underscores =
        x->rt->config->underscores_in_headers == GW_UNDERSCORES_FORWARD;
    up->bufs[0] = gw_proxy__build_request(x, upstream, path, path_len, forward_underscores);
    if (req->entity.base != NULL)
        up->bufs[1] = req->entity;
    up->method_is_head = h2o_memis(req->method.base, req->method.len, H2O_STRLIT("HEAD"));
    /* a pooled connection the upstream closed while idle fails before any response byte; the
     * request was not processed then, so an idempotent one is sent again (RFC 9110 §9.2.2) */
    up->idempotent = is_idempotent(&req->method);
    up->high_water = HIGH_WATER;
    up->on_head = on_head;
    up->on_body = on_body;
    up->on_done = on_done;
    up->data = p;
    gettimeofday(&x->upstream_start, NULL);
    if (x->trace != NULL)
        gw_trace_upstream_start(x, upstream, path, path_len);
    up_send(target, up);
}
