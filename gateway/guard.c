/* Connection guard, the accepting part: the gateway's own TLS handshake and ALPN choice (as
 * h2o_accept does, minus PROXY lines and session resumption, which Versa does not use), the
 * per-connection state and the process-wide request-body budget. See guard.h. */
#include <stdlib.h>
#include <string.h>
#include "h2o.h"
#include "h2o/http1.h"
#include "h2o/http2.h"
#include "guard_internal.h"

void gw_guard__release(gw_conn_t *c)
{
    h2o_timeout_unlink(&c->timer);
    free(c->reply);
    free(c);
}

static void on_close(void *data)
{
    gw_conn_t *c = data;
    gw_metrics_add(&c->thread->metrics.connections_open, -1);
    gw_guard__hold(c, 0);
    c->closed = 1;
    c->sock = NULL;
    if (c->depth == 0)
        gw_guard__release(c);
}

uint64_t gw_guard__hold(gw_conn_t *c, uint64_t bytes)
{
    uint64_t *total = &c->thread->rt->process->body_memory;
    uint64_t now;
    if (bytes == c->body_held) /* the common case (no body): no locked add on a shared line */
        return __atomic_load_n(total, __ATOMIC_RELAXED);
    if (bytes > c->body_held)
        now = __atomic_add_fetch(total, bytes - c->body_held, __ATOMIC_RELAXED);
    else
        now = __atomic_sub_fetch(total, c->body_held - bytes, __ATOMIC_RELAXED);
    c->body_held = bytes;
    return now;
}

uint64_t gw_guard__process_budget(const gw_conn_t *c)
{
    return c->thread->rt->config->limits.max_body_memory;
}

const gw_h1_limits_t *gw_guard__h1_limits(const gw_conn_t *c)
{
    return &c->thread->rt->h1_limits;
}

gw_conn_t *gw_guard__of_req(h2o_req_t *req)
{
    h2o_socket_t *sock = req->conn->callbacks->get_socket(req->conn);
    if (sock == NULL || sock->on_close.cb != on_close)
        return NULL;
    return sock->on_close.data;
}

static void on_accept_timeout(h2o_timeout_entry_t *entry)
{
    gw_conn_t *c = H2O_STRUCT_FROM_MEMBER(gw_conn_t, timer, entry);
    h2o_socket_close(c->sock);
}

/* HTTP/2: the hook goes on before h2o reads a frame. h2o_http2_accept parses whatever input is
 * already buffered at once, so the input is held back until the hook is on. */
static void accept_h2(gw_conn_t *c)
{
    h2o_socket_t *sock = c->sock;
    h2o_buffer_t *early = sock->input;
    h2o_buffer_init(&sock->input, &h2o_socket_buffer_prototype);
    h2o_http2_accept(c->actx, sock, c->connected_at);
    gw_guard__h2_attach(c, sock->data);
    h2o_buffer_dispose(&sock->input);
    sock->input = early;
    if (early->size != 0) {
        sock->bytes_read = early->size;
        sock->_cb.read(sock, NULL);
    }
}

/* HTTP/1.1: a head already buffered is checked before h2o's connection exists (h2o handles
 * buffered input as it accepts); then the read hook goes on. */
static void accept_h1(gw_conn_t *c)
{
    if (gw_guard__h1_precheck(c))
        return;
    ++c->depth;
    h2o_http1_accept(c->actx, c->sock, c->connected_at);
    --c->depth;
    if (c->closed) {
        if (c->depth == 0)
            gw_guard__release(c);
        return;
    }
    gw_guard__h1_attach(c);
    gw_guard__h1_hold(c);
}

static const char H2_PREFACE[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/* Cleartext: HTTP/2 with prior knowledge starts with the connection preface (RFC 9113 §3.3);
 * anything else is HTTP/1.1. (h2o's own switch from HTTP/1.1 is turned off, server.c, so that
 * no connection changes protocol under the guard; `Upgrade: h2c` is served as HTTP/1.1, as
 * nginx does.) */
static void on_first_read(h2o_socket_t *sock, const char *err)
{
    gw_conn_t *c = sock->on_close.data;
    if (err != NULL) {
        h2o_socket_close(sock);
        return;
    }
    h2o_buffer_t *in = sock->input;
    size_t n = in->size < sizeof(H2_PREFACE) - 1 ? in->size : sizeof(H2_PREFACE) - 1;
    int preface = memcmp(in->bytes, H2_PREFACE, n) == 0;
    if (preface && n < sizeof(H2_PREFACE) - 1)
        return; /* a prefix of the preface so far */
    h2o_timeout_unlink(&c->timer);
    h2o_socket_read_stop(sock);
    if (preface)
        accept_h2(c);
    else
        accept_h1(c);
}

static void on_handshake(h2o_socket_t *sock, const char *err)
{
    gw_conn_t *c = sock->on_close.data;
    h2o_timeout_unlink(&c->timer);
    sock->data = NULL;
    if (err != NULL) {
        h2o_socket_close(sock);
        return;
    }
    h2o_iovec_t proto = h2o_socket_ssl_get_selected_protocol(sock);
    for (const h2o_iovec_t *id = h2o_http2_alpn_protocols; id->len != 0; ++id) {
        if (proto.len == id->len && memcmp(proto.base, id->base, proto.len) == 0) {
            accept_h2(c);
            return;
        }
    }
    accept_h1(c);
}

void gw_guard_accept(gw_thread_t *thread, h2o_accept_ctx_t *actx, h2o_socket_t *sock)
{
    gw_conn_t *c = calloc(1, sizeof(*c));
    if (c == NULL)
        abort();
    c->thread = thread;
    c->sock = sock;
    c->actx = actx;
    c->connected_at = *h2o_get_timestamp(actx->ctx, NULL, NULL);
    gw_metrics_add(&thread->metrics.connections_open, 1);
    gw_metrics_add(&thread->metrics.connections_total, 1);
    sock->on_close.cb = on_close;
    sock->on_close.data = c;
    c->timer.cb = on_accept_timeout;
    if (actx->ssl_ctx != NULL) {
        h2o_timeout_link(actx->ctx->loop, &actx->ctx->handshake_timeout, &c->timer);
        h2o_socket_ssl_handshake(sock, actx->ssl_ctx, NULL, on_handshake);
    } else {
        h2o_timeout_link(actx->ctx->loop, &actx->ctx->http1.req_timeout, &c->timer);
        h2o_socket_read_start(sock, on_first_read);
    }
}

/* h2o re-installs its HTTP/1.1 read callback after each response (the loop's turn that sent the
 * last byte); the hook goes back on before the next read. */
static void on_rearm(h2o_timeout_entry_t *entry)
{
    gw_conn_t *c = H2O_STRUCT_FROM_MEMBER(gw_conn_t, timer, entry);
    if (!c->closed) {
        gw_guard__h1_attach(c);
        gw_guard__h1_hold(c); /* a pipelined request h2o took from its buffer is in the handler */
    }
}

void gw_guard_request_done(h2o_req_t *req)
{
    gw_conn_t *c = gw_guard__of_req(req);
    if (c == NULL || c->closed)
        return;
    if (c->is_h2) {
        /* the stream's body goes with it; the next DATA frame recounts exactly */
        uint64_t body = req->entity.base != NULL ? req->entity.len : 0;
        gw_guard__hold(c, c->body_held > body ? c->body_held - body : 0);
        return;
    }
    gw_guard__hold(c, 0);   /* one request at a time: its body is released with it */
    c->checked_head = NULL; /* h2o may put the next head at the same address */
    c->in_handler = NULL;
    if (req->http1_is_persistent && !h2o_timeout_is_linked(&c->timer)) {
        c->timer.cb = on_rearm;
        h2o_timeout_link(c->actx->ctx->loop, &c->actx->ctx->zero_timeout, &c->timer);
    }
}
