/* Connection guard, HTTP/1.1: every request head passes h1_head.c before h2o's parser acts on
 * it, and the declared body is reserved against the process budget before it is read. See
 * guard.h for where this sits.
 *
 * Invariant relied on (h2o 2.2.5, lib/http1.c): while h2o reads or handles a request, its input
 * buffer starts with that request's head; h2o consumes a request's bytes only once its response
 * is complete, and stops reading while it handles one. So the head at offset 0 of the input is
 * the request being read, or the one in the handler. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "h2o.h"
#include "h2o/http1.h"
#include "guard_internal.h"

static void on_reply_written(h2o_socket_t *sock, const char *err)
{
    gw_conn_t *c = sock->on_close.data;
    if (c->h1_read != NULL && sock->data != NULL)
        c->h1_read(sock, "refused by the connection guard"); /* h2o closes its connection */
    else
        h2o_socket_close(sock);
}

/* Answers a refused head with problem+json and closes; h2o's connection (if any) never sees
 * the head. */
static void refuse(gw_conn_t *c, gw_problem_kind_t kind, const char *detail)
{
    char body[512];
    size_t blen = gw_problem_render(body, sizeof(body), kind, detail, NULL);
    int status = gw_problem_status(kind);
    size_t cap = blen + 256;
    c->reply = malloc(cap);
    if (c->reply == NULL)
        abort();
    int n = snprintf(c->reply, cap,
                     "HTTP/1.1 %d %s\r\nContent-Type: application/problem+json\r\n"
                     "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
                     status, gw_problem_title(kind), blen, body);
    gw_metrics_add(&c->thread->metrics.guard_h1_refused, 1);
    h2o_socket_read_stop(c->sock);
    h2o_iovec_t buf = h2o_iovec_init(c->reply, (size_t)n);
    h2o_socket_write(c->sock, &buf, 1, on_reply_written);
}

/* Bytes the head declares h2o will buffer: its Content-Length, or for a chunked body the most
 * h2o accepts (its size is unknown until the last chunk). */
static uint64_t declared_body(const gw_conn_t *c, const gw_h1_head_t *h)
{
    if (h->chunked)
        return c->thread->ctx.globalconf->max_request_entity_size;
    return h->content_length == UINT64_MAX ? 0 : h->content_length;
}

/* Checks the head at the start of the input. Returns 1 when it refused (and is answering),
 * 0 to let h2o go on (an acceptable head, or one still incomplete). */
static int check_input(gw_conn_t *c)
{
    h2o_buffer_t *in = c->sock->input;
    if (in->size == 0 || in->bytes == c->checked_head)
        return 0;
    gw_h1_head_t h;
    switch (gw_h1_head_parse(in->bytes, in->size, gw_guard__h1_limits(c), &h)) {
    case GW_H1_INCOMPLETE:
        return 0;
    case GW_H1_BAD:
        refuse(c, h.problem, h.detail);
        return 1;
    case GW_H1_OK:
        break;
    }
    uint64_t body = declared_body(c, &h);
    if (body != 0 && gw_guard__hold(c, body) > gw_guard__process_budget(c)) {
        gw_guard__hold(c, 0);
        refuse(c, GW_PROBLEM_BODY_BUDGET,
               "the gateway holds as many request bodies in memory as it may; retry later");
        return 1;
    }
    c->checked_head = in->bytes;
    c->checked_len = h.head_len;
    return 0;
}

/* Bytes pipelined behind the request in the handler: a head the check refuses ends the
 * connection after this response, since h2o takes the next request from its buffer without the
 * read hook. */
static void check_pipelined(gw_conn_t *c, h2o_req_t *req, size_t end)
{
    h2o_buffer_t *in = c->sock->input;
    gw_h1_head_t h;
    if (end < in->size &&
        gw_h1_head_parse(in->bytes + end, in->size - end, gw_guard__h1_limits(c), &h) == GW_H1_BAD)
        req->http1_is_persistent = 0;
}

/* Input while h2o handles a request (h2o itself would not have read it yet): checked as
 * pipelined, then reading stops until h2o asks again, so that the buffer stays bounded. */
static void on_held_read(h2o_socket_t *sock, const char *err)
{
    gw_conn_t *c = sock->on_close.data;
    h2o_socket_read_stop(sock);
    if (err == NULL && c->in_handler != NULL)
        check_pipelined(c, c->in_handler, c->in_handler_end);
}

/* h2o stops reading while it handles a request (lib/http1.c) and starts again once the
 * response is written: two epoll_ctl calls per request with a level-triggered loop. The socket
 * stays polled instead, under on_held_read, which the next h2o_socket_read_start replaces with
 * no change of the polled events. Only while the gateway's handler owns a request, never in
 * front of h2o's own states (100-continue, errors, TLS shutdown). */
void gw_guard__h1_hold(gw_conn_t *c)
{
    if (!c->closed && !c->is_h2 && c->in_handler != NULL && c->sock->_cb.read == NULL)
        h2o_socket_read_start(c->sock, on_held_read);
}

static void on_read(h2o_socket_t *sock, const char *err)
{
    gw_conn_t *c = sock->on_close.data;
    if (err == NULL && check_input(c))
        return;
    ++c->depth;
    c->h1_read(sock, err);
    --c->depth;
    if (c->closed && c->depth == 0)
        gw_guard__release(c);
    else
        gw_guard__h1_hold(c);
}

void gw_guard__h1_attach(gw_conn_t *c)
{
    h2o_socket_t *sock = c->sock;
    c->is_h2 = 0;
    if (c->h1_read == NULL) /* right after h2o_http1_accept: its request reader */
        c->h1_read = sock->_cb.read;
    /* only ever in front of h2o's request reader: not while h2o handles a request (no read
     * callback) nor in front of a TLS shutdown's */
    if (sock->_cb.read != NULL && sock->_cb.read == c->h1_read)
        sock->_cb.read = on_read;
}

int gw_guard__h1_precheck(gw_conn_t *c)
{
    c->h1_read = NULL;
    return check_input(c);
}

/* The head of `req` at the start of h2o's input, and the one pipelined after it. */
int gw_guard_check_request(h2o_req_t *req, gw_problem_kind_t *kind, const char **detail)
{
    gw_conn_t *c;
    if (req->version >= 0x200 || (c = gw_guard__of_req(req)) == NULL)
        return 0;
    h2o_buffer_t *in = c->sock->input;
    gw_h1_head_t h;
    if (in->bytes != c->checked_head) {
        gw_h1_result_t r = gw_h1_head_parse(in->bytes, in->size, gw_guard__h1_limits(c), &h);
        if (r == GW_H1_OK && (h.method_len != req->input.method.len ||
                              memcmp(h.method, req->input.method.base, h.method_len) != 0))
            r = GW_H1_BAD, h.problem = GW_PROBLEM_BAD_REQUEST,
            h.detail = "the request head could not be read again for the framing check";
        if (r != GW_H1_OK) {
            *kind = r == GW_H1_BAD ? h.problem : GW_PROBLEM_BAD_REQUEST;
            *detail = r == GW_H1_BAD ? h.detail : "the request head is incomplete";
            return -1;
        }
        c->checked_head = in->bytes;
        c->checked_len = h.head_len;
    }
    /* a refused head pipelined behind this one: close after this response, so that h2o (which
     * takes it from its buffer without the read hook) never answers it */
    size_t end = c->checked_len;
    if (req->entity.base != NULL && req->entity.base >= in->bytes &&
        req->entity.base <= in->bytes + in->size)
        end = (size_t)(req->entity.base + req->entity.len - in->bytes);
    check_pipelined(c, req, end);
    c->in_handler = req;
    c->in_handler_end = end;
    return 0;
}
