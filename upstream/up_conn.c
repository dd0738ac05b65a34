/* One upstream connection: connecting (TCP, then TLS for https), writing the request, and reading
 * the response (RFC 9112) into the request: head, framing, body by length, chunks or close. */
#include "up_internal.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void fail(up_conn_t *conn, up_status_t status, const char *fmt, const char *arg);

/* Failures reported from the loop. */

static void on_deferred(h2o_timeout_entry_t *entry)
{
    up_request_t *req = H2O_STRUCT_FROM_MEMBER(up_request_t, timer, entry);
    req->on_done(req);
}

void up__defer_failure(up_request_t *req, up_status_t status)
{
    req->status = status;
    req->timer.cb = on_deferred;
    h2o_timeout_link(req->target->loop, &req->target->zero_timeout, &req->timer);
}

/* Closing. */

void up__conn_confirm(up_conn_t *conn)
{
    if (conn->unconfirmed) {
        conn->unconfirmed = 0;
        conn->target->opening--;
        h2o_timeout_unlink(&conn->confirm_timer);
    }
}

static void on_confirm_timeout(h2o_timeout_entry_t *entry)
{
    up_conn_t *conn = H2O_STRUCT_FROM_MEMBER(up_conn_t, confirm_timer, entry);
    up__conn_confirm(conn);
    up__kick(conn->target);
}

void up__conn_close(up_conn_t *conn)
{
    up_target_t *t = conn->target;
    if (conn->idle)
        up__idle_remove(conn);
    up__conn_confirm(conn);
    h2o_linklist_unlink(&conn->link);
    t->num_conns--;
    h2o_timeout_unlink(&conn->timer);
    if (conn->sock != NULL)
        h2o_socket_close(conn->sock);
    free(conn);
}

/* Detaches the request and closes the connection, then kicks the queue: a slot is free. */
static up_request_t *detach_and_close(up_conn_t *conn)
{
    up_request_t *req = conn->req;
    up_target_t *t = conn->target;
    conn->req = NULL;
    req->conn = NULL;
    up__conn_close(conn);
    up__kick(t);
    return req;
}

static void finish(up_request_t *req, up_status_t status)
{
    req->status = status;
    req->on_done(req);
}

/* Ends the current request with an error; the connection is never reused. */
static void fail(up_conn_t *conn, up_status_t status, const char *fmt, const char *arg)
{
    up_request_t *req = detach_and_close(conn);
    snprintf(req->error, sizeof(req->error), fmt, arg);
    finish(req, status);
}

/* A connection that could not be established: the request never left, so it may be tried again
 * on a new connection whatever its method (a listen backlog that overflowed, say). */
static void connect_failed(up_conn_t *conn, up_status_t status, const char *fmt, const char *arg)
{
    up_request_t *req = conn->req;
    conn->target->connect_failures++;
    if (req->attempts <= conn->target->cfg.connect_retries) {
        detach_and_close(conn);
        up__start(req);
        return;
    }
    fail(conn, status, fmt, arg);
}

/* Calls a request callback; returns 0 when the request went on, -1 when the callback cancelled
 * it (the connection is closed then and must not be touched). */
static int call(up_conn_t *conn, up_request_cb cb)
{
    if (cb == NULL)
        return 0;
    conn->in_callback = 1;
    cb(conn->req);
    conn->in_callback = 0;
    if (conn->doomed) {
        up_target_t *t = conn->target;
        up__conn_close(conn);
        up__kick(t);
        return -1;
    }
    return 0;
}

/* The most room made for a body before its bytes arrive: what an upstream declares is not yet
 * what it sends, and one that declares megabytes and stalls must not hold them per request. */
#define UP_WHOLE_ROOM_MAX (1024 * 1024)
/* h2o's socket reads ask for this much free room before each read(2), the one that finds the
 * body complete and the socket drained too: room for the body alone would make that last ask
 * grow the buffer, copying the whole body. */
#define UP_READ_SLACK 4096

static void complete(up_conn_t *conn)
{
    up_request_t *req = conn->req;
    up_target_t *t = conn->target;
    conn->req = NULL;
    req->conn = NULL;
    conn->reused = 1;
    conn->paused = 0;
    h2o_timeout_unlink(&conn->timer);
    if (conn->keep_alive && conn->sock->input->size == 0) {
        if (conn->write_pending)
            conn->idle_after_write = 1; /* an early response (a 413, say) or a late callback */
        else
            up__release(conn);
    } else {
        up__conn_close(conn);
        up__kick(t);
    }
    finish(req, UP_OK);
}

/* Body bytes. */

static void add_body(void *ctx, const char *p, size_t n)
{
    up_request_t *req = ctx;
    req->body_size += n;
    size_t keep = n;
    if (req->high_water == 0) { /* buffering: up to max_body */
        size_t room = req->body->size < req->max_body ? req->max_body - req->body->size : 0;
        if (keep > room) {
            keep = room;
            req->body_truncated = 1;
        }
    }
    if (keep != 0) {
        h2o_iovec_t dst = h2o_buffer_reserve(&req->body, keep);
        memcpy(dst.base, p, keep);
        req->body->size += keep;
    }
}

/* Moves n body bytes from the socket's input to the request: by swapping buffers when they are
 * all of the input and the request holds none (no copy), else by copying. */
static void take_input(up_conn_t *conn, size_t n)
{
    up_request_t *req = conn->req;
    h2o_buffer_t *in = conn->sock->input;
    if (n == in->size && req->body->size == 0 && (req->high_water != 0 || n <= req->max_body)) {
        conn->sock->input = req->body;
        req->body = in;
        req->body_size += n;
        return;
    }
    add_body(req, in->bytes, n);
    h2o_buffer_consume(&conn->sock->input, n);
}

/* Parses a head into the request's inline slots, or its heap ones when it has more fields. */
static ssize_t parse_head(up_request_t *req, const char *buf, size_t len, up_http_head_t *head,
                          const char **err)
{
    ssize_t n = up_http_parse_head(buf, len, head, req->header_slots, UP_INLINE_HEADERS, err);
    if (n != -1 || head->num_headers != UP_INLINE_HEADERS)
        return n;
    if (req->many_headers == NULL &&
        (req->many_headers = malloc(UP_HTTP_MAX_HEADERS * sizeof(up_header_t))) == NULL)
        abort();
    return up_http_parse_head(buf, len, head, req->many_headers, UP_HTTP_MAX_HEADERS, err);
}

/* `p` moved from [from, from + n] to the same place in `to`; anything else (a static "") stays. */
static const char *rebase(const char *p, const char *from, size_t n, const char *to)
{
    uintptr_t a = (uintptr_t)p, f = (uintptr_t)from;
    return a >= f && a <= f + n ? to + (a - f) : p;
}

/* Points a parsed head's strings at the copy of its bytes. */
static void rebase_head(up_http_head_t *head, const char *from, size_t n, const char *to)
{
    head->reason = rebase(head->reason, from, n, to);
    for (size_t i = 0; i != head->num_headers; ++i) {
        head->headers[i].name = rebase(head->headers[i].name, from, n, to);
        head->headers[i].value = rebase(head->headers[i].value, from, n, to);
    }
}

/* Parses the head once it is complete. Returns 1 when parsed, 0 to wait, -1 after failing. */
static int read_head(up_conn_t *conn)
{
    up_request_t *req = conn->req;
    for (;;) {
        h2o_buffer_t *in = conn->sock->input;
        up_http_head_t head;
        const char *perr = NULL;
        ssize_t n = parse_head(req, in->bytes, in->size, &head, &perr);
        if (n == 0 && in->size > UP_HTTP_MAX_HEAD)
            perr = "response head larger than 64 KiB", n = -1;
        if (n == 0)
            return 0;
        if (n < 0) {
            fail(conn, UP_ERR_BAD_RESPONSE, "invalid response: %s", perr);
            return -1;
        }
        if (head.status < 200) {
            if (head.status == 101) {
                fail(conn, UP_ERR_BAD_RESPONSE, "%s", "unexpected 101 Switching Protocols");
                return -1;
            }
            h2o_buffer_consume(&conn->sock->input, (size_t)n); /* interim response: skipped */
            continue;
        }
        /* keep the head: the socket buffer is consumed as the body is read */
        if (req->head_cap < (size_t)n) {
            free(req->head_copy.base);
            req->head_cap = (size_t)n < 1024 ? 1024 : (size_t)n;
            if ((req->head_copy.base = malloc(req->head_cap)) == NULL)
                abort();
        }
        memcpy(req->head_copy.base, in->bytes, (size_t)n);
        req->head_copy.len = (size_t)n;
        rebase_head(&head, in->bytes, (size_t)n, req->head_copy.base); /* not parsed twice */
        h2o_buffer_consume(&conn->sock->input, (size_t)n);
        if (up_http_framing(&head, req->method_is_head, &conn->framing, &conn->remaining,
                            &conn->keep_alive, &perr) != 0) {
            fail(conn, UP_ERR_BAD_RESPONSE, "invalid response: %s", perr);
            return -1;
        }
        req->res_status = head.status;
        req->reason = head.reason;
        req->reason_len = head.reason_len;
        req->headers = head.headers;
        req->num_headers = head.num_headers;
        req->content_length = conn->remaining; /* declared, or UINT64_MAX */
        req->got_head = 1;
        conn->head_done = 1;
        if (conn->framing == UP_HTTP_BODY_CHUNKED)
            up_chunked_init(&conn->chunked);
        return 1;
    }
}

/* Moves body bytes out of the socket buffer. Returns 1 when the response is complete, 0 when more
 * is to come, -1 after failing. */
static int read_body(up_conn_t *conn)
{
    h2o_buffer_t *in = conn->sock->input;
    switch (conn->framing) {
    case UP_HTTP_BODY_NONE:
        return 1;
    case UP_HTTP_BODY_LENGTH: {
        if (conn->whole && in->size < conn->remaining)
            return 0; /* the rest is read into the room made for it (make_room) */
        size_t n = in->size < conn->remaining ? in->size : (size_t)conn->remaining;
        if (n != 0)
            take_input(conn, n);
        conn->remaining -= n;
        return conn->remaining == 0;
    }
    case UP_HTTP_BODY_CHUNKED: {
        const char *perr = NULL;
        ssize_t n = up_chunked_decode(&conn->chunked, in->bytes, in->size, add_body, conn->req,
                                      &perr);
        if (n < 0) {
            fail(conn, UP_ERR_BODY, "invalid chunked body: %s", perr);
            return -1;
        }
        h2o_buffer_consume(&conn->sock->input, (size_t)n);
        return up_chunked_done(&conn->chunked);
    }
    case UP_HTTP_BODY_CLOSE:
        if (in->size != 0)
            take_input(conn, in->size);
        return 0;
    }
    return 0;
}

/* A body to be buffered whose length is declared (and within max_body and UP_WHOLE_ROOM_MAX)
 * gets room for all of it in the socket's buffer once: the reads land in place and take_input
 * hands the buffer over whole, instead of the buffer growing by doubling with a copy (and fresh
 * pages) each time. */
static void make_room(up_conn_t *conn)
{
    up_request_t *req = conn->req;
    h2o_buffer_t *in = conn->sock->input;
    conn->whole = 0;
    conn->room_hint = 0;
    if (req->high_water == 0 && conn->framing == UP_HTTP_BODY_LENGTH &&
        conn->remaining <= UP_WHOLE_ROOM_MAX &&
        req->head_copy.len + conn->remaining + UP_READ_SLACK <= UP_WHOLE_ROOM_MAX)
        conn->room_hint = req->head_copy.len + (size_t)conn->remaining;
    if (req->high_water != 0 || conn->framing != UP_HTTP_BODY_LENGTH ||
        conn->remaining > req->max_body || conn->remaining > UP_WHOLE_ROOM_MAX ||
        conn->remaining <= in->size)
        return;
    h2o_buffer_reserve(&conn->sock->input, (size_t)conn->remaining - in->size + UP_READ_SLACK);
    conn->whole = 1;
}

static void over_max(up_conn_t *conn)
{
    char max[32];
    snprintf(max, sizeof(max), "%zu", conn->req->max_body);
    fail(conn, UP_ERR_TOO_LARGE, "the response body is larger than %s bytes", max);
}

static void on_read(h2o_socket_t *sock, const char *err);

static void link_io_timer(up_conn_t *conn)
{
    h2o_timeout_link(conn->target->loop, &conn->target->io_timeout, &conn->timer);
}

static void on_read(h2o_socket_t *sock, const char *err)
{
    up_conn_t *conn = sock->data;
    up_request_t *req = conn->req;
    h2o_timeout_unlink(&conn->timer);
    if (sock->input->size != 0) {
        conn->got_bytes = 1;
        up__conn_confirm(conn); /* the upstream accepted it: another may be opened */
        up__kick(conn->target);
    }
    int fresh_head = 0;
    if (!conn->head_done) {
        int r = read_head(conn);
        if (r < 0)
            return;
        if (r == 0 && err == NULL) {
            link_io_timer(conn);
            return;
        }
        if (r == 1 && call(conn, req->on_head) != 0)
            return;
        if (r == 1)
            make_room(conn);
        fresh_head = r == 1;
    }
    if (conn->head_done) {
        uint64_t before = req->body_size;
        int r = read_body(conn);
        if (r < 0)
            return;
        if (req->high_water == 0 && req->fail_over_max && req->body_truncated) {
            over_max(conn);
            return;
        }
        if (r == 1) { /* on_done alone: the last bytes are in the body */
            complete(conn);
            return;
        }
        if ((req->body_size != before || fresh_head) && call(conn, req->on_body) != 0)
            return;
        if (req->high_water != 0 && req->body->size >= req->high_water && err == NULL) {
            /* backpressure: the caller is slower than the upstream */
            conn->paused = 1;
            h2o_socket_read_stop(sock);
            return;
        }
    }
    if (err == NULL) {
        link_io_timer(conn);
        return;
    }
    /* the connection ended */
    if (conn->head_done && conn->framing == UP_HTTP_BODY_CLOSE) {
        conn->keep_alive = 0;
        complete(conn);
    } else if (!conn->got_bytes && conn->reused && req->idempotent && req->attempts < 2) {
        /* a keep-alive connection the upstream closed as we reused it: the request was not
         * processed, so it may be sent again (RFC 9112 section 9.3.1) */
        detach_and_close(conn);
        up__start(req);
    } else if (conn->head_done) {
        fail(conn, UP_ERR_BODY, "%s", "the upstream closed the connection in the middle of the body");
    } else {
        fail(conn, UP_ERR_CLOSED, "%s", "the upstream closed the connection before responding");
    }
}

void up_request_resume(up_request_t *req)
{
    up_conn_t *conn = req->conn;
    if (conn == NULL || !conn->paused || req->body->size >= req->high_water)
        return;
    conn->paused = 0;
    h2o_socket_read_start(conn->sock, on_read);
    link_io_timer(conn);
}

static void on_write(h2o_socket_t *sock, const char *err)
{
    up_conn_t *conn = sock->data;
    conn->write_pending = 0;
    if (conn->idle_after_write) {
        conn->idle_after_write = 0;
        if (err != NULL) {
            up_target_t *t = conn->target;
            up__conn_close(conn);
            up__kick(t);
        } else {
            up__release(conn);
        }
        return;
    }
    if (err != NULL && conn->req != NULL && !conn->got_bytes)
        on_read(sock, err); /* handled like the connection ending before the response */
}

static void on_timeout(h2o_timeout_entry_t *entry)
{
    up_conn_t *conn = H2O_STRUCT_FROM_MEMBER(up_conn_t, timer, entry);
    up_target_t *t = conn->target;
    char ms[32];
    if (conn->connecting) {
        snprintf(ms, sizeof(ms), "%llu", (unsigned long long)t->cfg.connect_timeout_ms);
        connect_failed(conn, UP_ERR_CONNECT_TIMEOUT, "no connection within %s ms", ms);
    } else {
        snprintf(ms, sizeof(ms), "%llu", (unsigned long long)t->cfg.io_timeout_ms);
        fail(conn, UP_ERR_TIMEOUT, "no response data for %s ms", ms);
    }
}

/* A request on a connection whose last response was buffered whole gets room for as much
 * before its first byte (whether it buffers is decided at its head, so this is a guess from the
 * last one: the same route, mostly): a response that arrives in one go is read in one read(2)
 * into one buffer, instead of h2o's reads growing the buffer by doubling, each time copying all
 * read so far (a 200 KB body: six reads, 248 KB copied). The room goes with a buffered body
 * (take_input); h2o_buffer_consume gives a buffer emptied otherwise back (h2o's own, 8 KB). */
static void make_room_ahead(up_conn_t *conn)
{
    if (conn->room_hint != 0 && conn->sock->input->size == 0) /* within UP_WHOLE_ROOM_MAX */
        h2o_buffer_reserve(&conn->sock->input, conn->room_hint + UP_READ_SLACK);
}

void up__conn_send(up_conn_t *conn, up_request_t *req)
{
    conn->req = req;
    req->conn = conn;
    conn->head_done = 0;
    conn->whole = 0;
    conn->got_bytes = 0;
    conn->paused = 0;
    conn->write_pending = 1;
    conn->timer.cb = on_timeout;
    make_room_ahead(conn);
    h2o_socket_write(conn->sock, req->bufs, req->bufs[1].len != 0 ? 2 : 1, on_write);
    h2o_socket_read_start(conn->sock, on_read);
    link_io_timer(conn);
}

static void connected(up_conn_t *conn, const char *err)
{
    up_target_t *t = conn->target;
    h2o_timeout_unlink(&conn->timer);
    conn->connecting = 0;
    if (err != NULL) {
        connect_failed(conn, UP_ERR_CONNECT, "cannot connect: %s", err);
    } else {
        t->connect_failures = 0;
        conn->confirm_timer.cb = on_confirm_timeout;
        h2o_timeout_link(t->loop, &t->connect_timeout, &conn->confirm_timer);
        up__conn_send(conn, conn->req);
    }
}

static void on_handshake(h2o_socket_t *sock, const char *err)
{
    connected(sock->data, err);
}

static void on_connect(h2o_socket_t *sock, const char *err)
{
    up_conn_t *conn = sock->data;
    up_target_t *t = conn->target;
    if (err == NULL) { /* a request head is one small write: never held back (Nagle) */
        int on = 1;
        setsockopt(h2o_socket_get_fd(sock), IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
    }
    if (err == NULL && t->cfg.ssl_ctx != NULL) {
        /* verified against the context's trust store; the name is sent as SNI and checked
         * against the certificate */
        h2o_socket_ssl_handshake(sock, t->cfg.ssl_ctx, t->host, on_handshake);
        return;
    }
    connected(conn, err);
}

void up__conn_open(up_target_t *t, up_request_t *req)
{
    h2o_socket_t *sock =
        h2o_socket_connect(t->loop, (struct sockaddr *)&t->addr, t->addrlen, on_connect);
    if (sock == NULL) {
        t->connect_failures++;
        snprintf(req->error, sizeof(req->error), "cannot connect: %s", strerror(errno));
        up__defer_failure(req, UP_ERR_CONNECT);
        return;
    }
    up_conn_t *conn = calloc(1, sizeof(*conn));
    if (conn == NULL)
        abort();
    conn->target = t;
    conn->sock = sock;
    conn->timer.cb = on_timeout;
    conn->connecting = 1;
    conn->unconfirmed = 1;
    t->opening++;
    t->num_conns++;
    t->opened++;
    h2o_linklist_insert(&t->conns, &conn->link);
    conn->req = req;
    req->conn = conn;
    sock->data = conn;
    h2o_timeout_link(t->loop, &t->connect_timeout, &conn->timer);
}
