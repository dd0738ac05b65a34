/* Upstream forwarding: builds the HTTP/1.1 request (RFC 9110 §7.6 intermediary rules), relays the
 * response as it arrives, and maps upstream failures to 502/504 or an aborted stream. */
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include "h2o/http1client.h"
#include "adapt.h"
#include "chunked.h"
#include "framing.h"
#include "proxy.h"

/* Upstream bytes buffered beyond what the client has taken before we stop reading upstream: the
 * response streams with bounded memory whatever its size. */
#define HIGH_WATER (256 * 1024)

typedef struct st_proxy_t {
    h2o_generator_t super;
    gw_exchange_t *x;
    h2o_http1client_t *client;
    gw_api_timeouts_t *timeouts;
    h2o_timeout_entry_t connect_timer;
    h2o_iovec_t reqbufs[2];
    int method_is_head;
    h2o_doublebuffer_t sending;
    h2o_buffer_t *rest; /* the body left when the upstream finished or failed */
    int body_error;
    int head_inflight; /* the head went out alone; its proceed must not consume body bytes */
    int read_paused;
    h2o_socket_cb paused_read_cb;
    /* chunked responses: the framing is watched on the raw bytes, see chunked.h */
    int chunked;
    gw_chunk_tracker_t chunks;
    size_t decoded_len; /* input bytes before the current read: already decoded, safe to relay */
    h2o_socket_cb inner_read;
    h2o_timeout_entry_t wrap_timer;
    h2o_socketpool_t *pool;
    unsigned attempts;
    /* a response that an adapter must rewrite is buffered whole (bounded), then sent at once */
    int buffering;
    h2o_buffer_t *adapt_buf;
    int forward_underscores; /* header names with '_' go upstream (config: forwarded) */
} proxy_t;

static void start_attempt(proxy_t *p);

/* RFC 9110 §7.6.1: hop-by-hop fields never forwarded, beside those named in Connection. Host and
 * Content-Length are rewritten by us; Expect was already handled by h2o, which read the body. */
static int is_hop_by_hop(h2o_iovec_t name)
{
    static const char *names[] = {"connection", "keep-alive", "proxy-connection", "te", "trailer",
                                  "transfer-encoding", "upgrade", "http2-settings", "host",
                                  "content-length", "expect"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); ++i)
        if (h2o_lcstris(name.base, name.len, names[i], strlen(names[i])))
            return 1;
    return 0;
}

/* 1 when `name` appears as a token in any of the Connection header values. */
static int named_in_connection(const h2o_headers_t *headers, h2o_iovec_t name)
{
    for (ssize_t i = -1; (i = h2o_find_header(headers, H2O_TOKEN_CONNECTION, i)) != -1;) {
        h2o_iovec_t v = headers->entries[i].value;
        size_t pos = 0;
        while (pos < v.len) {
            while (pos < v.len && (v.base[pos] == ',' || v.base[pos] == ' ' || v.base[pos] == '\t'))
                ++pos;
            size_t start = pos;
            while (pos < v.len && v.base[pos] != ',' && v.base[pos] != ' ' && v.base[pos] != '\t')
                ++pos;
            if (pos > start && h2o_lcstris(v.base + start, pos - start, name.base, name.len))
                return 1;
        }
    }
    return 0;
}

static int must_drop(const h2o_headers_t *headers, h2o_iovec_t name)
{
    return is_hop_by_hop(name) || named_in_connection(headers, name);
}

static int is_name(h2o_iovec_t name, const char *lit)
{
    return h2o_lcstris(name.base, name.len, lit, strlen(lit));
}

/* Request fields the gateway sets itself, whatever the client sent. */
static int is_gateway_owned(h2o_iovec_t name)
{
    return is_name(name, "x-request-id") || is_name(name, "x-forwarded-for") ||
           is_name(name, "x-forwarded-proto") || is_name(name, "x-forwarded-host");
}

typedef struct {
    char *buf;
    size_t len, cap;
} sbuf_t;

static void put(sbuf_t *b, const char *s, size_t n)
{
    if (n == 0) /* s may be NULL then (an absent header value) */
        return;
    memcpy(b->buf + b->len, s, n);
    b->len += n;
}

#define PUTLIT(b, lit) put((b), (lit), sizeof(lit) - 1)

static void put_header(sbuf_t *b, const char *name, size_t nlen, const char *value, size_t vlen)
{
    put(b, name, nlen);
    PUTLIT(b, ": ");
    put(b, value, vlen);
    PUTLIT(b, "\r\n");
}

/* Joins every value of header `name` with `sep`, in the request pool; {NULL,0} if absent. */
static h2o_iovec_t join_values(h2o_req_t *req, const char *name, const char *sep)
{
    h2o_iovec_t out = {NULL, 0};
    for (ssize_t i = -1; (i = h2o_find_header_by_str(&req->headers, name, strlen(name), i)) != -1;)
        out = out.base == NULL ? req->headers.entries[i].value
                               : h2o_concat(&req->pool, out, h2o_iovec_init(sep, strlen(sep)),
                                            req->headers.entries[i].value);
    return out;
}

static h2o_iovec_t build_request(proxy_t *p, const gw_upstream_t *up, const char *path,
                                 size_t path_len)
{
    h2o_req_t *req = p->x->req;
    h2o_iovec_t query = req->query_at != SIZE_MAX
                            ? h2o_iovec_init(req->path.base + req->query_at,
                                             req->path.len - req->query_at)
                            : h2o_iovec_init("", 0);
    if (p->x->has_query_override) /* an adapter rebuilt it; "" means none */
        query = p->x->query_override.len != 0
                    ? h2o_concat(&req->pool, h2o_iovec_init(H2O_STRLIT("?")), p->x->query_override)
                    : h2o_iovec_init("", 0);
    char peer[NI_MAXHOST];
    size_t peer_len = 0;
    struct sockaddr_storage ss;
    socklen_t sslen = req->conn->callbacks->get_peername(req->conn, (void *)&ss);
    if (sslen != 0 && (peer_len = h2o_socket_getnumerichost((void *)&ss, sslen, peer)) == SIZE_MAX)
        peer_len = 0;
    h2o_iovec_t xff = join_values(req, "x-forwarded-for", ", ");
    h2o_iovec_t cookie = join_values(req, "cookie", "; "); /* RFC 9113 §8.2.3: rejoin for h1 */

    sbuf_t b = {NULL, 0, req->method.len + strlen(up->base_path) + path_len + query.len + 512 +
                              p->x->request_id.len +
                              strlen(up->authority) + xff.len + peer_len + req->authority.len};
    for (size_t i = 0; i < req->headers.size; ++i)
        b.cap += req->headers.entries[i].name->len + req->headers.entries[i].value.len + 4;
    b.buf = h2o_mem_alloc_pool(&req->pool, b.cap);

    put(&b, req->method.base, req->method.len);
    PUTLIT(&b, " ");
    put(&b, up->base_path, strlen(up->base_path));
    put(&b, path, path_len);
    put(&b, query.base, query.len);
    PUTLIT(&b, " HTTP/1.1\r\nhost: ");
    put(&b, up->authority, strlen(up->authority)); /* as the URL wrote it (RFC 9110 §7.2) */
    PUTLIT(&b, "\r\nconnection: keep-alive\r\n");
    if (req->entity.base != NULL) {
        char digits[24];
        size_t n = 0, v = req->entity.len;
        do
            digits[sizeof(digits) - ++n] = (char)('0' + v % 10);
        while ((v /= 10) != 0);
        PUTLIT(&b, "content-length: ");
        put(&b, digits + sizeof(digits) - n, n);
        PUTLIT(&b, "\r\n");
    }
    for (size_t i = 0; i < req->headers.size; ++i) {
        const h2o_header_t *h = &req->headers.entries[i];
        if (must_drop(&req->headers, *h->name) || is_gateway_owned(*h->name) ||
            is_name(*h->name, "cookie") ||
            (memchr(h->name->base, '_', h->name->len) != NULL && !p->forward_underscores))
            continue;
        put_header(&b, h->name->base, h->name->len, h->value.base, h->value.len);
    }
    /* The gateway's own fields go after the client's were filtered: a client naming them in
     * Connection (RFC 9110 §7.6.1) must not strip what the gateway itself adds. */
    put_header(&b, H2O_STRLIT("x-request-id"), p->x->request_id.base, p->x->request_id.len);
    if (cookie.base != NULL)
        put_header(&b, H2O_STRLIT("cookie"), cookie.base, cookie.len);
    PUTLIT(&b, "x-forwarded-for: ");
    put(&b, xff.base, xff.len);
    if (xff.len != 0 && peer_len != 0)
        PUTLIT(&b, ", ");
    put(&b, peer, peer_len);
    PUTLIT(&b, "\r\n");
    put_header(&b, H2O_STRLIT("x-forwarded-proto"), req->scheme->name.base,
               req->scheme->name.len);
    put_header(&b, H2O_STRLIT("x-forwarded-host"), req->authority.base, req->authority.len);
    PUTLIT(&b, "\r\n");
    return h2o_iovec_init(b.buf, b.len);
}

static gw_upstream_error_t classify(const char *errstr, int before_head)
{
    if (strcmp(errstr, "I/O timeout") == 0)
        return GW_UPSTREAM_ERR_TIMEOUT;
    if (strcmp(errstr, "connection timeout") == 0)
        return GW_UPSTREAM_ERR_CONNECT_TIMEOUT;
    if (strstr(errstr, "connect") != NULL)
        return GW_UPSTREAM_ERR_CONNECT;
    if (strstr(errstr, "parse") != NULL)
        return GW_UPSTREAM_ERR_BAD_RESPONSE;
    return before_head ? GW_UPSTREAM_ERR_RESET : GW_UPSTREAM_ERR_BODY;
}

static void record_error(proxy_t *p, gw_upstream_error_t kind, const char *errstr)
{
    gw_exchange_t *x = p->x;
    x->upstream_error = (int)kind;
    gw_metrics_count_upstream_error(&x->thread->metrics, x->metrics_row, kind);
    h2o_req_log_error(x->req, "versa/proxy", "upstream %s: %s", x->version->upstream.url, errstr);
}

static void fail_before_head(proxy_t *p, gw_upstream_error_t kind, const char *errstr)
{
    record_error(p, kind, errstr);
    gw_exchange_tap_end(p->x, GW_TAP_UPSTREAM_ERROR);
    int timeout = kind == GW_UPSTREAM_ERR_TIMEOUT || kind == GW_UPSTREAM_ERR_CONNECT_TIMEOUT;
    char detail[256];
    if (kind == GW_UPSTREAM_ERR_BAD_RESPONSE) /* errstr says what was wrong with the answer */
        snprintf(detail, sizeof(detail), "the upstream of %s %s: %s", p->x->api->name,
                 p->x->version->name, errstr);
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
    gw_exchange_send_problem(p->x, timeout ? GW_PROBLEM_UPSTREAM_TIMEOUT
                                           : GW_PROBLEM_UPSTREAM_UNAVAILABLE,
                             detail);
}

static void resume_reading(proxy_t *p)
{
    if (p->read_paused && p->client != NULL) {
        p->read_paused = 0;
        h2o_socket_read_start(p->client->sock, p->paused_read_cb);
    }
}

static int is_sending(proxy_t *p)
{
    return p->head_inflight || p->sending.bytes_inflight != 0;
}

static void do_send(proxy_t *p)
{
    h2o_buffer_t **src = p->client != NULL ? &p->client->sock->input : &p->rest;
    h2o_iovec_t vec = h2o_doublebuffer_prepare(&p->sending, src, p->x->req->preferred_chunk_size);
    h2o_send_state_t state = H2O_SEND_STATE_IN_PROGRESS;
    if (p->client == NULL && vec.len == p->sending.buf->size && p->rest->size == 0) {
        state = p->body_error ? H2O_SEND_STATE_ERROR : H2O_SEND_STATE_FINAL;
    } else if (vec.len == 0) {
        return;
    }
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
    resume_reading(p);
    do_send(p);
}

static void detach_client(proxy_t *p)
{
    if (p->client == NULL)
        return;
    h2o_buffer_dispose(&p->rest);
    p->rest = p->client->sock->input;
    h2o_buffer_init(&p->client->sock->input, &h2o_socket_buffer_prototype);
    p->client = NULL;
}

static void on_stop(h2o_generator_t *gen, h2o_req_t *req)
{
    proxy_t *p = (void *)gen;
    if (p->client != NULL) {
        h2o_http1client_cancel(p->client); /* the client left: don't pool a half-read socket */
        p->client = NULL;
    }
}

/* Sits in front of the client's read callback: sees each read's raw bytes (the last
 * sock->bytes_read of the input buffer) before the client decodes them in place. */
static void on_upstream_read(h2o_socket_t *sock, const char *err)
{
    h2o_http1client_t *client = sock->data;
    proxy_t *p = client->data;
    if (err == NULL && sock->bytes_read <= sock->input->size) {
        p->decoded_len = sock->input->size - sock->bytes_read;
        gw_chunk_tracker_feed(&p->chunks, sock->input->bytes + p->decoded_len, sock->bytes_read);
    }
    p->inner_read(sock, err);
}

/* Runs once the client has installed its body reader (after on_head returned). */
static void on_wrap_timer(h2o_timeout_entry_t *entry)
{
    proxy_t *p = H2O_STRUCT_FROM_MEMBER(proxy_t, wrap_timer, entry);
    if (p->client == NULL || p->client->sock->_cb.read == on_upstream_read)
        return;
    p->inner_read = p->client->sock->_cb.read;
    p->client->sock->_cb.read = on_upstream_read;
    if (p->read_paused)
        p->paused_read_cb = on_upstream_read;
}

/* Sends the buffered response once adapted, in one piece with its Content-Length. The body is
 * not copied: it lives in adapt_buf or the request's pool, both released only with the request
 * (on_dispose), after the last byte went out. */
static void send_adapted(proxy_t *p)
{
    static h2o_generator_t generator = {NULL, NULL}; /* one final send: nothing to proceed */
    h2o_req_t *req = p->x->req;
    h2o_iovec_t body = h2o_iovec_init(p->adapt_buf != NULL ? p->adapt_buf->bytes : "",
                                      p->adapt_buf != NULL ? p->adapt_buf->size : 0);
    body = gw_adapt_response(p->x, body);
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

/* Buffering for an adapter, bounded by limits.max_adapted_body: beyond it the client gets a 502
 * problem, never a body the adapter did not see whole. */
static int buffer_body(proxy_t *p, h2o_http1client_t *client, const char *errstr)
{
    char detail[160];
    /* the last bytes come with the end of stream: take what is in the input before judging */
    if (errstr == NULL || errstr == h2o_http1client_error_is_eos) {
        h2o_buffer_t *in = client->sock->input;
        size_t limit = p->x->thread->rt->config->limits.max_adapted_body;
        if (p->adapt_buf == NULL)
            h2o_buffer_init(&p->adapt_buf, &h2o_socket_buffer_prototype);
        if (p->adapt_buf->size + in->size > limit) {
            p->client = NULL;
            snprintf(detail, sizeof(detail),
                     "the upstream response is larger than the %zu bytes an adapter may buffer",
                     limit);
            fail_before_head(p, GW_UPSTREAM_ERR_BAD_RESPONSE, detail);
            return -1; /* closes the upstream connection */
        }
        if (in->size != 0) {
            h2o_iovec_t room = h2o_buffer_reserve(&p->adapt_buf, in->size);
            memcpy(room.base, in->bytes, in->size);
            p->adapt_buf->size += in->size;
            h2o_buffer_consume(&client->sock->input, in->size);
        }
        if (errstr == NULL)
            return 0;
    }
    p->client = NULL;
    if (errstr != h2o_http1client_error_is_eos)
        fail_before_head(p, GW_UPSTREAM_ERR_BODY, errstr);
    else
        send_adapted(p);
    return 0;
}

/* A chunked body whose framing broke: h2o 2.2's decoder leaves the failing read's bytes raw in
 * the input (and a framing error only the watcher saw leaves them decoded by rules we reject),
 * so everything after the last good read is cut before any of it can be relayed. */
static const char *check_chunks(proxy_t *p, h2o_http1client_t *client, const char *errstr)
{
    if (errstr == h2o_http1client_error_is_eos && !gw_chunk_tracker_done(&p->chunks))
        return "upstream closed the connection before the last chunk";
    if (gw_chunk_tracker_failed(&p->chunks) ||
        (errstr != NULL && errstr != h2o_http1client_error_is_eos && strstr(errstr, "parse"))) {
        if (client->sock->input->size > p->decoded_len)
            client->sock->input->size = p->decoded_len;
        return "the upstream sent invalid chunked framing";
    }
    return errstr;
}

static int on_body(h2o_http1client_t *client, const char *errstr)
{
    proxy_t *p = client->data;
    int framing_error = 0;
    if (p->chunked) {
        const char *checked = check_chunks(p, client, errstr);
        framing_error = checked != errstr && errstr == NULL; /* h2o saw nothing wrong */
        errstr = checked;
    }
    if (p->buffering) {
        int r = buffer_body(p, client, errstr);
        return framing_error ? -1 : r; /* -1: h2o closes the connection it thinks is fine */
    }
    if (errstr != NULL) {
        if (errstr != h2o_http1client_error_is_eos) {
            p->body_error = 1;
            record_error(p, classify(errstr, 0) == GW_UPSTREAM_ERR_TIMEOUT
                                ? GW_UPSTREAM_ERR_TIMEOUT
                                : GW_UPSTREAM_ERR_BODY,
                         errstr);
        }
        detach_client(p);
    } else if (client->sock->input->size >= HIGH_WATER && is_sending(p) && !p->read_paused) {
        /* backpressure: the client is slower than the upstream */
        p->read_paused = 1;
        p->paused_read_cb = client->sock->_cb.read;
        h2o_socket_read_stop(client->sock);
    }
    if (!is_sending(p))
        do_send(p);
    return framing_error ? -1 : 0;
}

static int is_idempotent(const h2o_iovec_t *m)
{
    static const char *names[] = {"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); ++i)
        if (h2o_memis(m->base, m->len, names[i], strlen(names[i])))
            return 1;
    return 0;
}

static h2o_http1client_body_cb on_head(h2o_http1client_t *client, const char *errstr,
                                       int minor_version, int status, h2o_iovec_t msg,
                                       h2o_header_t *headers, size_t num_headers, int rlen)
{
    proxy_t *p = client->data;
    h2o_req_t *req = p->x->req;
    gettimeofday(&p->x->upstream_head, NULL);
    if (errstr != NULL && errstr != h2o_http1client_error_is_eos) {
        p->client = NULL;
        gw_upstream_error_t kind = classify(errstr, 1);
        /* A pooled keep-alive connection the upstream closed while idle fails like this before
         * any response byte; the request was not processed, so an idempotent one is retried
         * once on a new connection (RFC 9110 §9.2.2). */
        if (kind == GW_UPSTREAM_ERR_RESET && p->attempts < 2 && is_idempotent(&req->method)) {
            start_attempt(p);
            return NULL;
        }
        fail_before_head(p, kind, errstr);
        return NULL;
    }
    gw_response_framing_t framing;
    const char *bad = gw_framing_check_response(status, headers, num_headers, &framing);
    if (bad != NULL) { /* never relayed: its framing could split the client's stream */
        p->client = NULL;
        fail_before_head(p, GW_UPSTREAM_ERR_BAD_RESPONSE, bad);
        return NULL;
    }
    req->res.status = status;
    req->res.reason = h2o_strdup(&req->pool, msg.base, msg.len).base;
    req->res.content_length = framing.content_length;
    h2o_headers_t upstream = {headers, num_headers, num_headers};
    for (size_t i = 0; i < num_headers; ++i) {
        h2o_header_t *h = &headers[i];
        if (is_name(*h->name, "content-length"))
            continue;
        /* Api-Version and X-Request-Id are ours to set; h2o writes its own Date and Server */
        if (must_drop(&upstream, *h->name) || is_name(*h->name, "api-version") ||
            is_name(*h->name, "x-request-id") || is_name(*h->name, "date") ||
            is_name(*h->name, "server"))
            continue;
        h2o_iovec_t value = h2o_strdup(&req->pool, h->value.base, h->value.len);
        const h2o_token_t *token = h2o_lookup_token(h->name->base, h->name->len);
        if (token != NULL)
            h2o_add_header(&req->pool, &req->res.headers, token, NULL, value.base, value.len);
        else { /* names too live in the client's input buffer, reused once we return; HTTP/2
                * wants them lowercase (RFC 9113 §8.2.1) */
            h2o_iovec_t name = h2o_strdup(&req->pool, h->name->base, h->name->len);
            h2o_strtolower(name.base, name.len);
            h2o_add_header_by_str(&req->pool, &req->res.headers, name.base, name.len, 0, NULL,
                                  value.base, value.len);
        }
    }
    if ((p->chunked = framing.chunked)) {
        gw_chunk_tracker_init(&p->chunks);
        p->decoded_len = 0; /* h2o consumed the head: the input holds this read's body bytes */
        gw_chunk_tracker_feed(&p->chunks, client->sock->input->bytes + rlen,
                              client->sock->input->size - (size_t)rlen);
        h2o_timeout_link(req->conn->ctx->loop, &req->conn->ctx->zero_timeout, &p->wrap_timer);
    }
    const char *refuse;
    if (gw_adapt_needs_body(p->x, status, &req->res.headers, &refuse)) {
        p->buffering = 1;
        if (errstr == h2o_http1client_error_is_eos) {
            p->client = NULL;
            send_adapted(p);
            return NULL;
        }
        return on_body;
    }
    if (refuse != NULL) {
        p->client = NULL;
        fail_before_head(p, GW_UPSTREAM_ERR_BAD_RESPONSE, refuse);
        return NULL;
    }
    if (p->x->plan != NULL) /* status and headers only; the body streams as it comes */
        gw_adapt_response(p->x, h2o_iovec_init(NULL, 0));
    gw_exchange_add_version_headers(p->x);
    p->super.proceed = on_proceed;
    p->super.stop = on_stop;
    gw_exchange_tap_head(p->x);
    h2o_start_response(req, &p->super);
    if (errstr == h2o_http1client_error_is_eos) { /* no body (HEAD, 204, 304, length 0) */
        p->client = NULL;
        gw_exchange_tap_end(p->x, GW_TAP_COMPLETE);
        h2o_send(req, NULL, 0, H2O_SEND_STATE_FINAL);
        return NULL;
    }
    if (client->sock->input->size == (size_t)rlen) {
        /* send the head now rather than waiting for the first body bytes */
        p->head_inflight = 1;
        h2o_send(req, NULL, 0, H2O_SEND_STATE_IN_PROGRESS);
    }
    return on_body;
}

static h2o_http1client_head_cb on_connect(h2o_http1client_t *client, const char *errstr,
                                          h2o_iovec_t **reqbufs, size_t *reqbufcnt,
                                          int *method_is_head)
{
    proxy_t *p = client->data;
    h2o_timeout_unlink(&p->connect_timer);
    if (errstr != NULL) {
        p->client = NULL;
        fail_before_head(p, classify(errstr, 1), errstr);
        return NULL;
    }
    *reqbufs = p->reqbufs;
    *reqbufcnt = p->reqbufs[1].base != NULL ? 2 : 1;
    *method_is_head = p->method_is_head;
    gettimeofday(&p->x->upstream_start, NULL);
    return on_head;
}

static void on_connect_timeout(h2o_timeout_entry_t *entry)
{
    proxy_t *p = H2O_STRUCT_FROM_MEMBER(proxy_t, connect_timer, entry);
    if (p->client != NULL) {
        h2o_http1client_cancel(p->client);
        p->client = NULL;
    }
    fail_before_head(p, GW_UPSTREAM_ERR_CONNECT_TIMEOUT, "connect timeout");
}

static void on_dispose(void *_p)
{
    proxy_t *p = _p;
    h2o_timeout_unlink(&p->connect_timer);
    h2o_timeout_unlink(&p->wrap_timer);
    if (p->client != NULL) {
        h2o_http1client_cancel(p->client);
        p->client = NULL;
    }
    h2o_doublebuffer_dispose(&p->sending);
    h2o_buffer_dispose(&p->rest);
    if (p->adapt_buf != NULL)
        h2o_buffer_dispose(&p->adapt_buf);
}

void gw_proxy_forward(gw_exchange_t *x, const gw_upstream_t *upstream, h2o_socketpool_t *pool,
                      gw_api_timeouts_t *timeouts,
                      const char *path, size_t path_len)
{
    h2o_req_t *req = x->req;
    proxy_t *p = h2o_mem_alloc_shared(&req->pool, sizeof(*p), on_dispose);
    memset(p, 0, sizeof(*p));
    p->x = x;
    p->timeouts = timeouts;
    p->connect_timer.cb = on_connect_timeout;
    p->wrap_timer.cb = on_wrap_timer;
    h2o_doublebuffer_init(&p->sending, &h2o_socket_buffer_prototype);
    h2o_buffer_init(&p->rest, &h2o_socket_buffer_prototype);
    p->forward_underscores =
        x->thread->rt->config->underscores_in_headers == GW_UNDERSCORES_FORWARD;
    p->reqbufs[0] = build_request(p, upstream, path, path_len);
    if (req->entity.base != NULL)
        p->reqbufs[1] = req->entity;
    p->method_is_head = h2o_memis(req->method.base, req->method.len, H2O_STRLIT("HEAD"));
    p->pool = pool;
    start_attempt(p);
}

static void start_attempt(proxy_t *p)
{
    ++p->attempts;
    h2o_timeout_link(p->x->req->conn->ctx->loop, &p->timeouts->connect, &p->connect_timer);
    h2o_http1client_connect_with_pool(&p->client, p, &p->timeouts->client_ctx, p->pool,
                                      on_connect);
}
