/* The pool of one upstream on one loop: idle keep-alive connections (watched, timed out), the
 * limits on open and opening connections, and the queue of requests waiting for one. */
#include "up_internal.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void up_target_config_init(up_target_config_t *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->connect_timeout_ms = 2000;
    cfg->io_timeout_ms = 30000;
    cfg->keepalive_ms = 10000;
    cfg->max_connecting = 4;
    cfg->connect_retries = 1;
}

up_target_t *up_target_create(h2o_loop_t *loop, const up_target_config_t *cfg,
                              const struct sockaddr *addr, socklen_t addrlen, const char *host)
{
    up_target_t *t = calloc(1, sizeof(*t));
    if (t == NULL)
        abort();
    t->loop = loop;
    t->cfg = *cfg;
    if (t->cfg.max_connecting == 0)
        t->cfg.max_connecting = 1;
    t->host = strdup(host != NULL ? host : "");
    if (t->host == NULL)
        abort();
    memcpy(&t->addr, addr, addrlen);
    t->addrlen = addrlen;
    h2o_timeout_init(loop, &t->connect_timeout, cfg->connect_timeout_ms);
    h2o_timeout_init(loop, &t->io_timeout, cfg->io_timeout_ms);
    h2o_timeout_init(loop, &t->keepalive_timeout, cfg->keepalive_ms);
    h2o_timeout_init(loop, &t->queue_timeout, cfg->queue_timeout_ms);
    h2o_timeout_init(loop, &t->zero_timeout, 0);
    h2o_linklist_init_anchor(&t->conns);
    h2o_linklist_init_anchor(&t->waiting);
    return t;
}

/* h2o 2.2 asserts that a disposed timeout has no entries left. */
static void dispose_timeout(h2o_loop_t *loop, h2o_timeout_t *timeout)
{
    while (!h2o_linklist_is_empty(&timeout->_entries))
        h2o_linklist_unlink(timeout->_entries.next);
    h2o_timeout_dispose(loop, timeout);
}

void up_target_destroy(up_target_t *t)
{
    if (t == NULL)
        return;
    while (!h2o_linklist_is_empty(&t->conns)) {
        up_conn_t *conn = H2O_STRUCT_FROM_MEMBER(up_conn_t, link, t->conns.next);
        if (conn->req != NULL)
            conn->req->conn = NULL;
        up__conn_close(conn);
    }
    while (!h2o_linklist_is_empty(&t->waiting))
        h2o_linklist_unlink(t->waiting.next);
    dispose_timeout(t->loop, &t->connect_timeout);
    dispose_timeout(t->loop, &t->io_timeout);
    dispose_timeout(t->loop, &t->keepalive_timeout);
    dispose_timeout(t->loop, &t->queue_timeout);
    dispose_timeout(t->loop, &t->zero_timeout);
    free(t->idle);
    free(t->host);
    free(t);
}

uint64_t up_target_connections(const up_target_t *t)
{
    return t->opened;
}

uint64_t up_target_connect_failures(const up_target_t *t)
{
    return t->connect_failures;
}

size_t up_target_queued(const up_target_t *t)
{
    return t->num_waiting;
}

int up_target_probe(const up_target_t *t, char *err, size_t err_size)
{
    int fd = socket(t->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int e = 0;
    if (fd < 0) {
        e = errno;
    } else if (connect(fd, (const struct sockaddr *)&t->addr, t->addrlen) != 0) {
        e = errno;
        if (e == EINPROGRESS) {
            struct pollfd p = {.fd = fd, .events = POLLOUT};
            int n;
            while ((n = poll(&p, 1, (int)t->cfg.connect_timeout_ms)) < 0 && errno == EINTR)
                ;
            socklen_t len = sizeof(e);
            if (n == 0)
                e = ETIMEDOUT;
            else if (n < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) != 0)
                e = errno;
        }
    }
    if (fd >= 0)
        close(fd);
    if (e != 0) {
        snprintf(err, err_size, "%s", strerror(e));
        return -1;
    }
    return 0;
}

/* Idle connections: a stack, each connection watched for the upstream closing it. */

void up__idle_remove(up_conn_t *conn)
{
    up_target_t *t = conn->target;
    size_t i = conn->idle_index;
    t->idle[i] = t->idle[--t->num_idle];
    t->idle[i]->idle_index = i;
    conn->idle = 0;
    h2o_timeout_unlink(&conn->timer);
}

static void on_idle_read(h2o_socket_t *sock, const char *err)
{
    /* closed by the upstream, or bytes nobody asked for: unusable */
    up__conn_close(sock->data);
}

static void on_idle_timeout(h2o_timeout_entry_t *entry)
{
    up__conn_close(H2O_STRUCT_FROM_MEMBER(up_conn_t, timer, entry));
}

static up_request_t *dequeue(up_target_t *t)
{
    if (h2o_linklist_is_empty(&t->waiting))
        return NULL;
    up_request_t *req = H2O_STRUCT_FROM_MEMBER(up_request_t, waiting, t->waiting.next);
    h2o_linklist_unlink(&req->waiting);
    h2o_timeout_unlink(&req->timer);
    t->num_waiting--;
    return req;
}

void up__release(up_conn_t *conn)
{
    up_target_t *t = conn->target;
    up_request_t *req = dequeue(t);
    if (req != NULL) { /* a request was waiting for a connection */
        up__conn_send(conn, req);
        return;
    }
    if (t->num_idle == t->idle_cap) {
        t->idle_cap = t->idle_cap != 0 ? t->idle_cap * 2 : 8;
        t->idle = realloc(t->idle, t->idle_cap * sizeof(*t->idle));
        if (t->idle == NULL)
            abort();
    }
    conn->idle = 1;
    conn->idle_index = t->num_idle;
    t->idle[t->num_idle++] = conn;
    conn->timer.cb = on_idle_timeout;
    h2o_timeout_link(t->loop, &t->keepalive_timeout, &conn->timer);
    h2o_socket_read_start(conn->sock, on_idle_read);
}

/* Queueing. */

static void on_queue_timeout(h2o_timeout_entry_t *entry)
{
    up_request_t *req = H2O_STRUCT_FROM_MEMBER(up_request_t, timer, entry);
    up_target_t *t = req->target;
    h2o_linklist_unlink(&req->waiting);
    t->num_waiting--;
    snprintf(req->error, sizeof(req->error), "no upstream connection free within %llu ms",
             (unsigned long long)t->cfg.queue_timeout_ms);
    req->status = UP_ERR_QUEUE_TIMEOUT;
    req->on_done(req);
}

static int may_open(const up_target_t *t)
{
    return t->opening < t->cfg.max_connecting &&
           (t->cfg.max_connections == 0 || t->num_conns < t->cfg.max_connections);
}

void up__kick(up_target_t *t)
{
    while (t->num_waiting != 0 && may_open(t))
        up__conn_open(t, dequeue(t));
}

void up__start(up_request_t *req)
{
    up_target_t *t = req->target;
    req->attempts++;
    if (t->num_idle > 0) {
        up_conn_t *conn = t->idle[t->num_idle - 1];
        up__idle_remove(conn);
        h2o_socket_read_stop(conn->sock);
        up__conn_send(conn, req);
    } else if (t->num_waiting == 0 && may_open(t)) {
        up__conn_open(t, req);
    } else if (t->cfg.max_queue != 0 && t->num_waiting >= t->cfg.max_queue) {
        snprintf(req->error, sizeof(req->error),
                 "%zu requests are waiting for an upstream connection already", t->num_waiting);
        up__defer_failure(req, UP_ERR_QUEUE_FULL);
    } else {
        h2o_linklist_insert(&t->waiting, &req->waiting);
        t->num_waiting++;
        if (t->cfg.queue_timeout_ms != 0) {
            req->timer.cb = on_queue_timeout;
            h2o_timeout_link(t->loop, &t->queue_timeout, &req->timer);
        }
    }
}

/* Requests. */

void up_request_init(up_request_t *req)
{
    memset(req, 0, sizeof(*req));
    h2o_buffer_init(&req->body, &h2o_socket_buffer_prototype);
}

void up_request_dispose(up_request_t *req)
{
    up_request_cancel(req);
    h2o_buffer_dispose(&req->body);
    free(req->head_copy.base);
    free(req->many_headers);
    memset(req, 0, sizeof(*req));
}

void up_send(up_target_t *t, up_request_t *req)
{
    req->target = t;
    req->attempts = 0;
    req->status = UP_OK;
    req->error[0] = '\0';
    req->res_status = 0;
    req->reason = NULL;
    req->reason_len = 0;
    req->headers = NULL;
    req->num_headers = 0;
    req->content_length = UINT64_MAX;
    if (req->body->size != 0)
        h2o_buffer_consume(&req->body, req->body->size);
    req->body_size = 0;
    req->body_truncated = 0;
    req->got_head = 0;
    up__start(req);
}

void up_request_cancel(up_request_t *req)
{
    if (req->target == NULL)
        return;
    h2o_timeout_unlink(&req->timer);
    if (h2o_linklist_is_linked(&req->waiting)) {
        h2o_linklist_unlink(&req->waiting);
        req->target->num_waiting--;
    }
    if (req->conn != NULL) {
        up_conn_t *conn = req->conn;
        conn->req = NULL;
        req->conn = NULL;
        if (conn->in_callback)
            conn->doomed = 1; /* closed when the callback returns */
        else
            up__conn_close(conn);
        up__kick(req->target);
    }
}

const char *up_status_name(up_status_t status)
{
    static const char *const names[] = {"ok",      "connect",  "connect_timeout", "queue_full",
                                        "queue_timeout", "timeout", "closed", "bad_response",
                                        "body",    "too_large"};
    return (size_t)status < sizeof(names) / sizeof(names[0]) ? names[status] : "unknown";
}
