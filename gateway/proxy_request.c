/* The upstream request head: the client's request rewritten for HTTP/1.1 to the upstream by the
 * intermediary rules of RFC 9110 section 7.6 (hop-by-hop fields dropped, Host from the upstream
 * URL, X-Forwarded-* and X-Request-Id set by the gateway). */
#include <netdb.h>
#include <string.h>
#include "proxy.h"

/* RFC 9110 §7.6.1: hop-by-hop fields never forwarded, beside those named in Connection. Host and
 * Content-Length are rewritten by us; Expect was already handled by h2o, which read the body. */
int gw_proxy__is_hop_by_hop(const char *name, size_t len)
{
    static const char *names[] = {"connection", "keep-alive", "proxy-connection", "te", "trailer",
                                  "transfer-encoding", "upgrade", "http2-settings", "host",
                                  "content-length", "expect"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); ++i)
        if (h2o_lcstris(name, len, names[i], strlen(names[i])))
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
    return gw_proxy__is_hop_by_hop(name.base, name.len) || named_in_connection(headers, name);
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

h2o_iovec_t gw_proxy__build_request(gw_exchange_t *x, const gw_upstream_t *up, const char *path,
                                    size_t path_len, int forward_underscores)
{
    h2o_req_t *req = x->req;
    h2o_iovec_t query = req->query_at != SIZE_MAX
                            ? h2o_iovec_init(req->path.base + req->query_at,
                                             req->path.len - req->query_at)
                            : h2o_iovec_init("", 0);
    if (x->has_query_override) /* an adapter rebuilt it; "" means none */
        query = x->query_override.len != 0
                    ? h2o_concat(&req->pool, h2o_iovec_init(H2O_STRLIT("?")), x->query_override)
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
                              x->request_id.len +
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
            (memchr(h->name->base, '_', h->name->len) != NULL && !forward_underscores))
            continue;
        put_header(&b, h->name->base, h->name->len, h->value.base, h->value.len);
    }
    /* The gateway's own fields go after the client's were filtered: a client naming them in
     * Connection (RFC 9110 §7.6.1) must not strip what the gateway itself adds. */
    put_header(&b, H2O_STRLIT("x-request-id"), x->request_id.base, x->request_id.len);
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
