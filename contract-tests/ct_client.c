/* The replay HTTP/1.1 client: connections, keep-alive pooling, response reading (RFC 9112),
 * timeouts, and one retry of idempotent requests on a reused connection that was closed. */
#include "ct_client.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ct_alloc.h"

struct st_ct_client_t {
    h2o_loop_t *loop;
    ct_client_config_t cfg;
    h2o_timeout_t connect_timeout, io_timeout, zero_timeout;
};

typedef struct st_ct_conn_t {
    ct_target_t *target;
    h2o_socket_t *sock;
    ct_request_t *req; /* NULL while idle */
    h2o_timeout_entry_t timer;
    int connecting;
    int reused;    /* served a response before: the upstream may have closed it meanwhile */
    int got_bytes; /* of the current response */
    int idle;      /* on the target's idle stack, at idle_index */
    size_t idle_index;
    /* h2o reports a completed write from the loop's pending queue, which may run after the
     * response was read: the connection is pooled once both are done */
    int write_pending, idle_after_write;
    h2o_linklist_t link; /* in target->conns */
    /* the response being read */
    int head_done;
    ct_http_framing_t framing;
    uint64_t remaining;
    int keep_alive;
    ct_chunked_t chunked;
} conn_t;

struct st_ct_target_t {
    ct_client_t *client;
    ct_url_t url;
    struct sockaddr_storage addr;
    socklen_t addrlen;
    conn_t **idle;
    size_t num_idle, idle_cap;
    h2o_linklist_t conns; /* every connection, so that destroy can close them all */
    uint64_t opened;
    uint64_t connect_failures; /* in a row: reset by a connection that succeeds */
    /* New connections are opened a few at a time: a burst of connects would overflow the listen
     * backlog of small upstreams (Python's is 5), and an overflowed SYN costs seconds. */
    size_t connecting;
    h2o_linklist_t waiting; /* requests waiting for a connection, oldest first */
};

#define MAX_CONNECTING 4

/* URLs. */

static int url_fail(ct_error_t *err, const char *url, const char *why)
{
    snprintf(err->message, sizeof(err->message), "%.120s: %s", url, why);
    return -1;
}

int ct__url_parse(const char *url, ct_url_t *out, ct_error_t *err)
{
    memset(out, 0, sizeof(*out));
    if (strncasecmp(url, "https://", 8) == 0)
        return url_fail(err, url, "https upstreams are not supported by replay; use http://");
    if (strncasecmp(url, "http://", 7) != 0)
        return url_fail(err, url, "expected an http:// URL");
    const char *auth = url + 7, *end = auth + strcspn(auth, "/?#");
    if (*end == '?' || *end == '#' || strpbrk(end, "?#") != NULL)
        return url_fail(err, url, "a base URL takes no query or fragment");
    if (memchr(auth, '@', (size_t)(end - auth)) != NULL)
        return url_fail(err, url, "user information in URLs is not supported");
    const char *host = auth, *host_end, *port = NULL;
    if (*auth == '[') {
        host_end = memchr(auth, ']', (size_t)(end - auth));
        if (host_end == NULL)
            return url_fail(err, url, "unterminated IPv6 address");
        host++;
        if (host_end + 1 < end) {
            if (host_end[1] != ':')
                return url_fail(err, url, "bad authority");
            port = host_end + 2;
        }
    } else {
        host_end = memchr(auth, ':', (size_t)(end - auth));
        if (host_end != NULL)
            port = host_end + 1;
        else
            host_end = end;
    }
    if (host_end == host)
        return url_fail(err, url, "no host");
    unsigned long p = 80;
    if (port != NULL) {
        char *stop;
        if (port == end || *port < '0' || *port > '9')
            return url_fail(err, url, "bad port");
        p = strtoul(port, &stop, 10);
        if (stop != end || p == 0 || p > 65535)
            return url_fail(err, url, "bad port");
    }
    size_t blen = strlen(end);
    while (blen > 0 && end[blen - 1] == '/')
        blen--;
    for (size_t i = 0; i < blen; i++)
        if ((unsigned char)end[i] <= 0x20 || end[i] == 0x7f)
            return url_fail(err, url, "spaces or control characters in the path");
    out->url = ct__xstrndup(url, strlen(url));
    out->host = ct__xstrndup(host, (size_t)(host_end - host));
    out->authority = ct__xstrndup(auth, (size_t)(end - auth));
    out->port = (uint16_t)p;
    out->base_path = ct__xstrndup(end, blen);
    size_t olen = 7 + strlen(out->authority) + 1;
    out->origin = ct__xmalloc(olen);
    snprintf(out->origin, olen, "http://%s", out->authority);
    return 0;
}

void ct__url_dispose(ct_url_t *u)
{
    free(u->url);
    free(u->host);
    free(u->authority);
    free(u->base_path);
    free(u->origin);
    memset(u, 0, sizeof(*u));
}

/* Client and targets. */

void ct__client_config_init(ct_client_config_t *cfg)
{
    cfg->connect_timeout_ms = 2000;
    cfg->io_timeout_ms = 30000;
    cfg->max_body = 8u << 20;
}

ct_client_t *ct__client_create(h2o_loop_t *loop, const ct_client_config_t *cfg)
{
    ct_client_t *c = ct__xcalloc(1, sizeof(*c));
    c->loop = loop;
    c->cfg = *cfg;
    h2o_timeout_init(loop, &c->connect_timeout, cfg->connect_timeout_ms);
    h2o_timeout_init(loop, &c->io_timeout, cfg->io_timeout_ms);
    h2o_timeout_init(loop, &c->zero_timeout, 0);
    return c;
}

void ct__client_destroy(ct_client_t *c)
{
    if (c == NULL)
        return;
    h2o_timeout_dispose(c->loop, &c->connect_timeout);
    h2o_timeout_dispose(c->loop, &c->io_timeout);
    h2o_timeout_dispose(c->loop, &c->zero_timeout);
    free(c);
}

ct_target_t *ct__target_create(ct_client_t *c, const ct_url_t *url, ct_error_t *err)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV}, *res;
    char port[8];
    snprintf(port, sizeof(port), "%u", url->port);
    int rc = getaddrinfo(url->host, port, &hints, &res);
    if (rc != 0) {
        snprintf(err->message, sizeof(err->message), "%.120s: cannot resolve %.64s: %s", url->url,
                 url->host, gai_strerror(rc));
        return NULL;
    }
    ct_target_t *t = ct__xcalloc(1, sizeof(*t));
    t->client = c;
    h2o_linklist_init_anchor(&t->conns);
    h2o_linklist_init_anchor(&t->waiting);
    memcpy(&t->addr, res->ai_addr, res->ai_addrlen);
    t->addrlen = res->ai_addrlen;
    freeaddrinfo(res);
    t->url.url = ct__xstrndup(url->url, strlen(url->url));
    t->url.host = ct__xstrndup(url->host, strlen(url->host));
    t->url.authority = ct__xstrndup(url->authority, strlen(url->authority));
    t->url.port = url->port;
    t->url.base_path = ct__xstrndup(url->base_path, strlen(url->base_path));
    t->url.origin = ct__xstrndup(url->origin, strlen(url->origin));
    return t;
}

static void conn_close(conn_t *conn);

void ct__target_destroy(ct_target_t *t)
{
    if (t == NULL)
        return;
    while (!h2o_linklist_is_empty(&t->conns)) {
        conn_t *conn = H2O_STRUCT_FROM_MEMBER(conn_t, link, t->conns.next);
        if (conn->req != NULL)
            conn->req->conn = NULL;
        conn_close(conn);
    }
    free(t->idle);
    ct__url_dispose(&t->url);
    free(t);
}

const ct_url_t *ct__target_url(const ct_target_t *t)
{
    return &t->url;
}

uint64_t ct__target_connections(const ct_target_t *t)
{
    return t->opened;
}

uint64_t ct__target_connect_failures(const ct_target_t *t)
{
    return t->connect_failures;
}

int ct__target_probe(const ct_target_t *t, ct_error_t *err)
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
            while ((n = poll(&p, 1, (int)t->client->cfg.connect_timeout_ms)) < 0 && errno == EINTR)
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
        snprintf(err->message, sizeof(err->message), "cannot connect to %.120s: %s", t->url.url,
                 strerror(e));
        return -1;
    }
    return 0;
}

/* Idle connections: a stack per target, each watched for the upstream closing it. */

static void idle_remove(conn_t *conn)
{
    ct_target_t *t = conn->target;
    size_t i = conn->idle_index;
    t->idle[i] = t->idle[--t->num_idle];
    t->idle[i]->idle_index = i;
    conn->idle = 0;
}

static void on_idle_read(h2o_socket_t *sock, const char *err)
{
    conn_t *conn = sock->data;
    idle_remove(conn); /* closed by the upstream, or bytes nobody asked for: unusable */
    conn_close(conn);
}

static void send_request(conn_t *conn);

static void make_idle(conn_t *conn)
{
    ct_target_t *t = conn->target;
    if (!h2o_linklist_is_empty(&t->waiting)) { /* a request is waiting for a connection */
        ct_request_t *req = H2O_STRUCT_FROM_MEMBER(ct_request_t, waiting, t->waiting.next);
        h2o_linklist_unlink(&req->waiting);
        conn->req = req;
        req->conn = conn;
        send_request(conn);
        return;
    }
    void *items = t->idle;
    ct__grow(&items, &t->idle_cap, t->num_idle + 1, sizeof(*t->idle));
    t->idle = items;
    conn->idle = 1;
    conn->idle_index = t->num_idle;
    t->idle[t->num_idle++] = conn;
    h2o_socket_read_start(conn->sock, on_idle_read);
}

static void conn_close(conn_t *conn)
{
    if (conn->idle)
        idle_remove(conn);
    if (conn->connecting) {
        conn->connecting = 0;
        conn->target->connecting--;
    }
    h2o_linklist_unlink(&conn->link);
    h2o_timeout_unlink(&conn->timer);
    if (conn->sock != NULL)
        h2o_socket_close(conn->sock);
    free(conn);
}

/* Requests. */

void ct__request_init(ct_request_t *req)
{
    memset(req, 0, sizeof(*req));
}

void ct__request_dispose(ct_request_t *req)
{
    ct__request_cancel(req);
    ct__buf_dispose(&req->body);
    ct__buf_dispose(&req->head_buf);
}

static void finish(ct_request_t *req, ct_client_status_t status)
{
    req->status = status;
    req->cb(req);
}

static void on_deferred(h2o_timeout_entry_t *entry)
{
    ct_request_t *req = H2O_STRUCT_FROM_MEMBER(ct_request_t, defer, entry);
    finish(req, CT_CLIENT_ERR_CONNECT);
}

static void start(ct_request_t *req);
static void kick(ct_target_t *t);

/* Ends the current request of conn with an error; the connection is never reused. */
static void conn_fail(conn_t *conn, ct_client_status_t status, const char *fmt, const char *arg)
{
    ct_request_t *req = conn->req;
    conn->req = NULL;
    req->conn = NULL;
    conn_close(conn);
    snprintf(req->error, sizeof(req->error), fmt, arg);
    finish(req, status);
}

/* A connection that could not be established: the request never left, so it is tried once more
 * on a new connection whatever its method (a listen backlog that overflowed, say). */
static void connect_failed(conn_t *conn, const char *fmt, const char *arg)
{
    ct_request_t *req = conn->req;
    conn->target->connect_failures++;
    if (req->attempts < 2) {
        conn->req = NULL;
        req->conn = NULL;
        conn_close(conn);
        start(req);
        return;
    }
    conn_fail(conn, CT_CLIENT_ERR_CONNECT, fmt, arg);
}

static void complete(conn_t *conn)
{
    ct_request_t *req = conn->req;
    conn->req = NULL;
    req->conn = NULL;
    conn->reused = 1;
    h2o_timeout_unlink(&conn->timer);
    if (conn->keep_alive && conn->sock->input->size == 0) {
        if (conn->write_pending)
            conn->idle_after_write = 1; /* an early response (a 413, say) or a late callback */
        else
            make_idle(conn);
    } else {
        conn_close(conn);
    }
    finish(req, CT_CLIENT_OK);
}

static void add_body(void *ctx, const char *p, size_t n)
{
    ct_request_t *req = ctx;
    req->body_size += n;
    size_t max = req->target->client->cfg.max_body, keep = 0;
    if (req->body.len < max)
        keep = n < max - req->body.len ? n : max - req->body.len;
    if (keep != 0)
        ct__buf_append(&req->body, p, keep);
    if (keep < n)
        req->body_truncated = 1;
}

/* Parses the head once it is complete. Returns 1 when parsed, 0 to wait, -1 after failing. */
static int read_head(conn_t *conn)
{
    ct_request_t *req = conn->req;
    h2o_buffer_t *in = conn->sock->input;
    for (;;) {
        ct_http_head_t head;
        const char *perr = NULL;
        ssize_t n = ct__http_parse_head(in->bytes, in->size, &head, req->header_slots,
                                        CT_HTTP_MAX_HEADERS, &perr);
        if (n == 0 && in->size > CT_HTTP_MAX_HEAD)
            perr = "response head larger than 64 KiB", n = -1;
        if (n == 0)
            return 0;
        if (n < 0) {
            conn_fail(conn, CT_CLIENT_ERR_PROTOCOL, "invalid response: %s", perr);
            return -1;
        }
        if (head.status >= 100 && head.status < 200) {
            if (head.status == 101) {
                conn_fail(conn, CT_CLIENT_ERR_PROTOCOL, "%s", "unexpected 101 Switching Protocols");
                return -1;
            }
            h2o_buffer_consume(&conn->sock->input, (size_t)n); /* interim response: skip it */
            in = conn->sock->input;
            continue;
        }
        /* keep the head: the socket buffer is consumed as the body is read */
        req->head_buf.len = 0;
        ct__buf_append(&req->head_buf, in->bytes, (size_t)n);
        ct__http_parse_head(req->head_buf.base, req->head_buf.len, &head, req->header_slots,
                            CT_HTTP_MAX_HEADERS, &perr);
        h2o_buffer_consume(&conn->sock->input, (size_t)n);
        if (ct__http_framing(&head, req->method_is_head, &conn->framing, &conn->remaining,
                             &conn->keep_alive, &perr) != 0) {
            conn_fail(conn, CT_CLIENT_ERR_PROTOCOL, "invalid response: %s", perr);
            return -1;
        }
        req->res_status = head.status;
        req->headers = head.headers;
        req->num_headers = head.num_headers;
        conn->head_done = 1;
        if (conn->framing == CT_HTTP_BODY_CHUNKED)
            ct__chunked_init(&conn->chunked);
        return 1;
    }
}

/* Moves body bytes out of the socket buffer. Returns 1 when the response is complete. */
static int read_body(conn_t *conn)
{
    h2o_buffer_t *in = conn->sock->input;
    ct_request_t *req = conn->req;
    switch (conn->framing) {
    case CT_HTTP_BODY_NONE:
        return 1;
    case CT_HTTP_BODY_LENGTH: {
        size_t n = in->size < conn->remaining ? in->size : (size_t)conn->remaining;
        add_body(req, in->bytes, n);
        h2o_buffer_consume(&conn->sock->input, n);
        conn->remaining -= n;
        return conn->remaining == 0;
    }
    case CT_HTTP_BODY_CHUNKED: {
        const char *perr = NULL;
        ssize_t n = ct__chunked_decode(&conn->chunked, in->bytes, in->size, add_body, req, &perr);
        if (n < 0) {
            conn_fail(conn, CT_CLIENT_ERR_PROTOCOL, "invalid chunked body: %s", perr);
            return -1;
        }
        h2o_buffer_consume(&conn->sock->input, (size_t)n);
        return ct__chunked_done(&conn->chunked);
    }
    case CT_HTTP_BODY_CLOSE:
        add_body(req, in->bytes, in->size);
        h2o_buffer_consume(&conn->sock->input, in->size);
        return 0;
    }
    return 0;
}

static void on_read(h2o_socket_t *sock, const char *err)
{
    conn_t *conn = sock->data;
    ct_request_t *req = conn->req;
    h2o_timeout_unlink(&conn->timer);
    if (sock->input->size != 0)
        conn->got_bytes = 1;
    if (!conn->head_done) {
        int r = read_head(conn);
        if (r < 0)
            return;
        if (r == 0 && err == NULL) {
            h2o_timeout_link(conn->target->client->loop, &conn->target->client->io_timeout,
                             &conn->timer);
            return;
        }
    }
    if (conn->head_done) {
        int r = read_body(conn);
        if (r < 0)
            return;
        if (r == 1) {
            complete(conn);
            return;
        }
    }
    if (err == NULL) {
        h2o_timeout_link(conn->target->client->loop, &conn->target->client->io_timeout,
                         &conn->timer);
        return;
    }
    /* the connection ended */
    if (conn->head_done && conn->framing == CT_HTTP_BODY_CLOSE) {
        conn->keep_alive = 0;
        complete(conn);
    } else if (!conn->got_bytes && conn->reused && req->idempotent && req->attempts < 2) {
        /* a keep-alive connection the upstream closed as we reused it: the request was not
         * processed, so it may be sent again (RFC 9112 section 9.3.1) */
        conn->req = NULL;
        req->conn = NULL;
        conn_close(conn);
        start(req);
    } else {
        conn_fail(conn, CT_CLIENT_ERR_CLOSED, "%s",
                  conn->head_done ? "the upstream closed the connection in the middle of the body"
                                  : "the upstream closed the connection before responding");
    }
}

static void on_write(h2o_socket_t *sock, const char *err)
{
    conn_t *conn = sock->data;
    conn->write_pending = 0;
    if (conn->idle_after_write) {
        conn->idle_after_write = 0;
        if (err != NULL)
            conn_close(conn);
        else
            make_idle(conn);
        return;
    }
    if (err != NULL && conn->req != NULL && !conn->got_bytes)
        on_read(sock, err); /* handled like the connection ending before the response */
}

static void on_timeout(h2o_timeout_entry_t *entry)
{
    conn_t *conn = H2O_STRUCT_FROM_MEMBER(conn_t, timer, entry);
    char ms[32];
    if (conn->connecting) {
        ct_target_t *t = conn->target;
        snprintf(ms, sizeof(ms), "%llu", (unsigned long long)t->client->cfg.connect_timeout_ms);
        connect_failed(conn, "no connection within %s ms", ms);
        kick(t);
    } else {
        snprintf(ms, sizeof(ms), "%llu",
                 (unsigned long long)conn->target->client->cfg.io_timeout_ms);
        conn_fail(conn, CT_CLIENT_ERR_TIMEOUT, "no response data for %s ms", ms);
    }
}

static void send_request(conn_t *conn)
{
    ct_request_t *req = conn->req;
    conn->head_done = 0;
    conn->got_bytes = 0;
    conn->write_pending = 1;
    h2o_socket_write(conn->sock, req->bufs, req->bufs[1].len != 0 ? 2 : 1, on_write);
    h2o_socket_read_start(conn->sock, on_read);
    h2o_timeout_link(conn->target->client->loop, &conn->target->client->io_timeout, &conn->timer);
}

static void on_connect(h2o_socket_t *sock, const char *err)
{
    conn_t *conn = sock->data;
    ct_target_t *t = conn->target;
    h2o_timeout_unlink(&conn->timer);
    conn->connecting = 0;
    t->connecting--;
    if (err != NULL) {
        connect_failed(conn, "cannot connect: %s", err);
    } else {
        t->connect_failures = 0;
        send_request(conn);
    }
    kick(t);
}

/* Opens a connection for req. */
static void open_conn(ct_request_t *req)
{
    ct_target_t *t = req->target;
    ct_client_t *c = t->client;
    h2o_socket_t *sock =
        h2o_socket_connect(c->loop, (struct sockaddr *)&t->addr, t->addrlen, on_connect);
    if (sock == NULL) {
        t->connect_failures++;
        snprintf(req->error, sizeof(req->error), "cannot connect: %s", strerror(errno));
        h2o_timeout_link(c->loop, &c->zero_timeout, &req->defer);
        return;
    }
    conn_t *conn = ct__xcalloc(1, sizeof(*conn));
    conn->target = t;
    conn->sock = sock;
    conn->timer.cb = on_timeout;
    conn->connecting = 1;
    t->connecting++;
    h2o_linklist_insert(&t->conns, &conn->link);
    conn->req = req;
    req->conn = conn;
    sock->data = conn;
    t->opened++;
    h2o_timeout_link(c->loop, &c->connect_timeout, &conn->timer);
}

/* Starts waiting requests while connection slots are free. */
static void kick(ct_target_t *t)
{
    while (!h2o_linklist_is_empty(&t->waiting) && t->connecting < MAX_CONNECTING) {
        ct_request_t *req = H2O_STRUCT_FROM_MEMBER(ct_request_t, waiting, t->waiting.next);
        h2o_linklist_unlink(&req->waiting);
        open_conn(req);
    }
}

static void start(ct_request_t *req)
{
    ct_target_t *t = req->target;
    req->attempts++;
    if (t->num_idle > 0) {
        conn_t *conn = t->idle[t->num_idle - 1];
        idle_remove(conn);
        h2o_socket_read_stop(conn->sock);
        conn->req = req;
        req->conn = conn;
        send_request(conn);
    } else if (t->connecting < MAX_CONNECTING) {
        open_conn(req);
    } else {
        h2o_linklist_insert(&t->waiting, &req->waiting);
    }
}

void ct__client_send(ct_target_t *t, ct_request_t *req)
{
    req->target = t;
    req->attempts = 0;
    req->status = CT_CLIENT_OK;
    req->error[0] = '\0';
    req->res_status = 0;
    req->headers = NULL;
    req->num_headers = 0;
    req->body.len = 0;
    req->body_size = 0;
    req->body_truncated = 0;
    req->defer.cb = on_deferred;
    start(req);
}

void ct__request_cancel(ct_request_t *req)
{
    if (h2o_timeout_is_linked(&req->defer))
        h2o_timeout_unlink(&req->defer);
    if (h2o_linklist_is_linked(&req->waiting))
        h2o_linklist_unlink(&req->waiting);
    if (req->conn != NULL) {
        conn_t *conn = req->conn;
        conn->req = NULL;
        req->conn = NULL;
        conn_close(conn);
        kick(req->target);
    }
}
