/* The gateway's spans, with OpenTelemetry's HTTP semantic conventions
 * (https://opentelemetry.io/docs/specs/semconv/http/http-spans/) and Versa's own attributes:
 * the server span of a request, the client span of its upstream exchange, and a shadow request's
 * client span (linked to the primary's). Built on the stack and handed to the exporter, which
 * encodes them at once. */
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include "trace_internal.h"

#define MAX_ATTRS 24

/* §"HTTP request method": known methods as they are, others as _OTHER (with the original). */
static int known_method(const char *m, size_t len)
{
    static const char *const known[] = {"GET",     "HEAD",    "POST",  "PUT",   "DELETE",
                                        "CONNECT", "OPTIONS", "TRACE", "PATCH", NULL};
    for (const char *const *k = known; *k != NULL; ++k)
        if (h2o_memis(m, len, *k, strlen(*k)))
            return 1;
    return 0;
}

typedef struct {
    tr_attr_t a[MAX_ATTRS];
    size_t n;
} attrs_t;

static void put(attrs_t *as, tr_attr_t a)
{
    if (as->n != MAX_ATTRS)
        as->a[as->n++] = a;
}

static void put_str(attrs_t *as, const char *key, const char *s)
{
    if (s != NULL)
        put(as, tr_attr_str(key, s, strlen(s)));
}

static void put_method(attrs_t *as, const char *m, size_t len)
{
    if (known_method(m, len)) {
        put(as, tr_attr_str("http.request.method", m, len));
    } else {
        put(as, tr_attr_str("http.request.method", H2O_STRLIT("_OTHER")));
        put(as, tr_attr_str("http.request.method_original", m, len));
    }
}

/* server.address and server.port of an authority "host[:port]" or "[v6][:port]". */
static void put_authority(attrs_t *as, h2o_iovec_t auth, int default_port)
{
    const char *p = auth.base, *end = auth.base + auth.len, *colon = NULL;
    if (auth.len == 0)
        return;
    if (*p == '[') {
        const char *close = memchr(p, ']', auth.len);
        if (close == NULL)
            return;
        put(as, tr_attr_str("server.address", p + 1, (size_t)(close - p - 1)));
        colon = close + 1 < end && close[1] == ':' ? close + 1 : NULL;
    } else {
        colon = memchr(p, ':', auth.len);
        put(as, tr_attr_str("server.address", p, colon != NULL ? (size_t)(colon - p) : auth.len));
    }
    int port = 0;
    for (const char *d = colon != NULL ? colon + 1 : end; d < end && *d >= '0' && *d <= '9'; ++d)
        port = port * 10 + (*d - '0');
    if (colon == NULL)
        port = default_port;
    if (port > 0 && port < 65536)
        put(as, tr_attr_int("server.port", port));
}

static void put_versa(attrs_t *as, const gw_exchange_t *x, const char *version)
{
    if (x->api == NULL)
        return;
    put_str(as, "versa.api", x->api->name);
    put_str(as, "versa.version", version);
    put_str(as, "versa.operation", x->operation_id);
    put(as, tr_attr_bool("versa.adapted", x->plan != NULL));
}

static const char *version_of(const gw_api_t *api, const gw_upstream_t *up)
{
    for (size_t i = 0; api != NULL && i != api->num_versions; ++i)
        if (&api->versions[i].upstream == up)
            return api->versions[i].name;
    return NULL;
}

static void submit(gw_tracer_t *tracer, tr_span_t *s, attrs_t *as)
{
    s->attrs = as->a;
    s->num_attrs = as->n;
    tr_exporter_submit(tracer->exporter, s); /* a drop is counted by the exporter */
}

static void emit_server(gw_exchange_t *x, gw_trace_t *t, int status, const struct timeval *end)
{
    h2o_req_t *req = x->req;
    attrs_t as = {.n = 0};
    char name[256], status_text[16], peer[NI_MAXHOST];
    size_t path_len = req->input.path.len;
    const char *q = memchr(req->input.path.base, '?', path_len);
    if (q != NULL)
        path_len = (size_t)(q - req->input.path.base);
    int known = known_method(req->method.base, req->method.len);
    const char *route = x->operation != NULL ? x->operation->path->template : NULL;
    /* §"Name": "{method} {http.route}", or the method alone ("HTTP" for _OTHER) */
    int name_len = snprintf(name, sizeof(name), "%.*s%s%.200s", known ? (int)req->method.len : 4,
                            known ? req->method.base : "HTTP", route != NULL ? " " : "",
                            route != NULL ? route : "");
    put_method(&as, req->method.base, req->method.len);
    put(&as, tr_attr_str("url.path", req->input.path.base, path_len));
    put(&as, tr_attr_str("url.scheme", req->scheme->name.base, req->scheme->name.len));
    put_str(&as, "http.route", route);
    if (status != 0)
        put(&as, tr_attr_int("http.response.status_code", status));
    put_authority(&as, req->authority, req->scheme == &H2O_URL_SCHEME_HTTPS ? 443 : 80);
    put(&as, tr_attr_str("network.protocol.version",
                         req->version >= 0x200   ? "2"
                         : req->version == 0x100 ? "1.0"
                                                 : "1.1",
                         req->version >= 0x200 ? 1 : 3));
    struct sockaddr_storage ss;
    socklen_t sslen = req->conn->callbacks->get_peername(req->conn, (void *)&ss);
    size_t peer_len;
    if (sslen != 0 && (peer_len = h2o_socket_getnumerichost((void *)&ss, sslen, peer)) != SIZE_MAX)
        put(&as, tr_attr_str("client.address", peer, peer_len));
    ssize_t ua = h2o_find_header(&req->headers, H2O_TOKEN_USER_AGENT, -1);
    if (ua != -1)
        put(&as, tr_attr_str("user_agent.original", req->headers.entries[ua].value.base,
                             req->headers.entries[ua].value.len));
    put_versa(&as, x, x->version != NULL ? x->version->name : NULL);
    put(&as, tr_attr_str("versa.request_id", x->request_id.base, x->request_id.len));
    tr_span_t s = {.has_parent = t->has_parent,
                   .parent_is_remote = 1,
                   .trace_flags = t->flags,
                   .trace_state = t->tracestate.base,
                   .trace_state_len = t->tracestate.len,
                   .name = name,
                   .name_len = (size_t)name_len,
                   .kind = TR_SPAN_SERVER,
                   .start_ns = gw_trace__ns(&req->timestamps.request_begin_at),
                   .end_ns = gw_trace__ns(end)};
    memcpy(s.trace_id, t->trace_id, 16);
    memcpy(s.span_id, t->server_id, 8);
    memcpy(s.parent_span_id, t->parent_id, 8);
    /* §"Status": server spans are errors for 5xx only; error.type is the status code */
    if (status >= 500) {
        snprintf(status_text, sizeof(status_text), "%d", status);
        put_str(&as, "error.type", status_text);
        s.status = TR_STATUS_ERROR;
    }
    submit(t->tracer, &s, &as);
}

static void emit_client(gw_exchange_t *x, gw_trace_t *t, const struct timeval *end)
{
    h2o_req_t *req = x->req;
    const gw_upstream_t *up = t->upstream;
    attrs_t as = {.n = 0};
    char url[2048], status_text[16];
    int url_len = snprintf(url, sizeof(url), "%s://%s%s%.*s", up->is_tls ? "https" : "http",
                           up->authority, up->base_path, (int)t->path_len, t->path);
    if (url_len < 0 || (size_t)url_len >= sizeof(url))
        url_len = (int)sizeof(url) - 1;
    put_method(&as, req->method.base, req->method.len);
    put(&as, tr_attr_str("server.address", up->host, strlen(up->host)));
    put(&as, tr_attr_int("server.port", up->port));
    put(&as, tr_attr_str("url.full", url, (size_t)url_len));
    put(&as, tr_attr_str("network.protocol.version", H2O_STRLIT("1.1")));
    if (t->upstream_status != 0)
        put(&as, tr_attr_int("http.response.status_code", t->upstream_status));
    put_versa(&as, x, version_of(x->api, up));
    /* no on_done: the proxy refused the answer's head, or the client left first */
    const char *error = t->upstream_end.tv_sec != 0 ? t->upstream_error
                        : x->upstream_error >= 0    ? "bad_response"
                                                    : "cancelled";
    if (error == NULL && t->upstream_status >= 400) { /* client spans: 4xx and 5xx are errors */
        snprintf(status_text, sizeof(status_text), "%d", t->upstream_status);
        error = status_text;
    }
    put_str(&as, "error.type", error);
    tr_span_t s = {.has_parent = 1,
                   .trace_flags = t->flags,
                   .trace_state = t->tracestate.base,
                   .trace_state_len = t->tracestate.len,
                   .name = req->method.base,
                   .name_len =
                       known_method(req->method.base, req->method.len) ? req->method.len : 0,
                   .kind = TR_SPAN_CLIENT,
                   .start_ns = gw_trace__ns(&x->upstream_start),
                   .end_ns = gw_trace__ns(t->upstream_end.tv_sec != 0 ? &t->upstream_end : end),
                   .status = error != NULL ? TR_STATUS_ERROR : TR_STATUS_UNSET};
    if (s.name_len == 0)
        s.name = "HTTP", s.name_len = 4;
    memcpy(s.trace_id, t->trace_id, 16);
    memcpy(s.span_id, t->client_id, 8);
    memcpy(s.parent_span_id, t->server_id, 8);
    submit(t->tracer, &s, &as);
}

void gw_trace__emit_request(gw_exchange_t *x, gw_trace_t *t, int status, const struct timeval *end)
{
    if (t->upstream != NULL)
        emit_client(x, t, end);
    emit_server(x, t, status, end);
}

void gw_trace__emit_leg(gw_trace_leg_t *leg, int status, const char *error)
{
    attrs_t as = {.n = 0};
    char status_text[16];
    struct timeval now;
    gettimeofday(&now, NULL);
    put_method(&as, leg->method, leg->method_len);
    put(&as, tr_attr_str("server.address", leg->target->host, strlen(leg->target->host)));
    put(&as, tr_attr_int("server.port", leg->target->port));
    put_str(&as, "url.full", leg->url);
    put(&as, tr_attr_str("network.protocol.version", H2O_STRLIT("1.1")));
    if (status != 0)
        put(&as, tr_attr_int("http.response.status_code", status));
    put_str(&as, "versa.api", leg->api);
    put_str(&as, "versa.version", leg->version);
    put_str(&as, "versa.operation", leg->operation);
    put_str(&as, "versa.shadow", leg->side);
    if (error == NULL && status >= 400) {
        snprintf(status_text, sizeof(status_text), "%d", status);
        error = status_text;
    }
    put_str(&as, "error.type", error);
    tr_link_t link = {.flags = leg->flags};
    memcpy(link.trace_id, leg->trace_id, 16);
    memcpy(link.span_id, leg->link_id, 8);
    int known = known_method(leg->method, leg->method_len);
    tr_span_t s = {.has_parent = 1,
                   .trace_flags = leg->flags,
                   .name = known ? leg->method : "HTTP",
                   .name_len = known ? leg->method_len : 4,
                   .kind = TR_SPAN_CLIENT,
                   .start_ns = leg->start_ns,
                   .end_ns = gw_trace__ns(&now),
                   .links = &link,
                   .num_links = 1,
                   .status = error != NULL ? TR_STATUS_ERROR : TR_STATUS_UNSET};
    memcpy(s.trace_id, leg->trace_id, 16);
    memcpy(s.span_id, leg->span_id, 8);
    memcpy(s.parent_span_id, leg->parent_id, 8);
    submit(leg->tracer, &s, &as);
}
