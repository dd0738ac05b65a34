/* The mirrored request: an HTTP/1.1 request head built from the client's request the way
 * proxy.c builds the primary's (RFC 9110 §7.6 intermediary rules), with the entry's header edits;
 * and which request headers are secrets to keep out of logs. Pure functions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "shadow_internal.h"

static int is(const ct_header_t *h, const char *name)
{
    return h2o_lcstris(h->name, h->name_len, name, strlen(name));
}

/* RFC 9110 §7.6.1 hop-by-hop fields, and those the request line and framing replace. */
static int is_hop_or_framing(const ct_header_t *h)
{
    static const char *const names[] = {
        "connection", "keep-alive",        "proxy-connection", "te",
        "trailer",    "transfer-encoding", "upgrade",          "http2-settings",
        "host",       "content-length",    "expect",           NULL};
    for (const char *const *n = names; *n != NULL; ++n)
        if (is(h, *n))
            return 1;
    return 0;
}

static int named_in_connection(const ct_header_t *headers, size_t n, const ct_header_t *h)
{
    for (size_t i = 0; i != n; ++i)
        if (is(&headers[i], "connection") &&
            h2o_contains_token(headers[i].value, headers[i].value_len, h->name, h->name_len, ','))
            return 1;
    return 0;
}

static int in_list(char *const *names, size_t n, const char *name, size_t len)
{
    for (size_t i = 0; i != n; ++i)
        if (h2o_lcstris(name, len, names[i], strlen(names[i]))) /* names[] are lower case */
            return 1;
    return 0;
}

static int is_set_by_entry(const gw_shadow_conf_t *conf, const ct_header_t *h)
{
    for (size_t i = 0; i != conf->num_set; ++i)
        if (is(h, conf->set[i].name))
            return 1;
    return 0;
}

/* Whether a client header goes to the candidate as is. Cookie and X-Forwarded-* are rebuilt. */
static int mirrored(const gw_shadow_conf_t *conf, const ct_header_t *headers, size_t n,
                    const ct_header_t *h)
{
    return !is_hop_or_framing(h) && !named_in_connection(headers, n, h) && !is(h, "cookie") &&
           !is(h, "x-forwarded-for") && !is(h, "x-forwarded-proto") && !is(h, "x-forwarded-host") &&
           !in_list(conf->remove, conf->num_remove, h->name, h->name_len) &&
           !is_set_by_entry(conf, h);
}

typedef struct {
    char *buf;
    size_t len;
} out_t;

static void put(out_t *o, const char *s, size_t n)
{
    memcpy(o->buf + o->len, s, n);
    o->len += n;
}

static void put_str(out_t *o, const char *s)
{
    put(o, s, strlen(s));
}

static void put_header(out_t *o, const char *name, size_t nlen, const char *value, size_t vlen)
{
    put(o, name, nlen);
    put(o, ": ", 2);
    put(o, value, vlen);
    put(o, "\r\n", 2);
}

/* Joins every value of `name` with `sep` into o (nothing when absent); returns the count. */
static size_t put_joined(out_t *o, const ct_header_t *headers, size_t n, const char *name,
                         const char *sep)
{
    size_t count = 0;
    for (size_t i = 0; i != n; ++i) {
        if (!is(&headers[i], name))
            continue;
        if (count++ != 0)
            put_str(o, sep);
        put(o, headers[i].value, headers[i].value_len);
    }
    return count;
}

h2o_iovec_t gw_shadow__build_request(const gw_shadow_conf_t *conf, const gw_upstream_t *target,
                                     h2o_iovec_t method, h2o_iovec_t path, h2o_iovec_t query,
                                     const ct_header_t *headers, size_t num_headers,
                                     size_t body_len, int has_body, h2o_iovec_t peer,
                                     h2o_iovec_t scheme, h2o_iovec_t authority,
                                     h2o_iovec_t traceparent)
{
    size_t cap = method.len + strlen(target->base_path) + path.len + query.len +
                 strlen(target->authority) + peer.len + scheme.len + authority.len +
                 traceparent.len + 256;
    for (size_t i = 0; i != num_headers; ++i)
        cap += headers[i].name_len + headers[i].value_len + 4;
    for (size_t i = 0; i != conf->num_set; ++i)
        cap += strlen(conf->set[i].name) + strlen(conf->set[i].value) + 4;
    out_t o = {malloc(cap), 0};
    if (o.buf == NULL)
        h2o_fatal("no memory");

    put(&o, method.base, method.len);
    put_str(&o, " ");
    put_str(&o, target->base_path);
    put(&o, path.base, path.len);
    put(&o, query.base, query.len);
    put_str(&o, " HTTP/1.1\r\nhost: ");
    put_str(&o, target->authority);
    put_str(&o, "\r\nconnection: keep-alive\r\n");
    if (has_body)
        o.len += (size_t)sprintf(o.buf + o.len, "content-length: %zu\r\n", body_len);
    for (size_t i = 0; i != num_headers; ++i) {
        const ct_header_t *h = &headers[i];
        if (mirrored(conf, headers, num_headers, h) &&
            (traceparent.len == 0 || !is(h, "traceparent")))
            put_header(&o, h->name, h->name_len, h->value, h->value_len);
    }
    if (!in_list(conf->remove, conf->num_remove, H2O_STRLIT("cookie"))) {
        size_t mark = o.len;
        put_str(&o, "cookie: "); /* RFC 9113 §8.2.3: an HTTP/2 client's crumbs are rejoined */
        if (put_joined(&o, headers, num_headers, "cookie", "; ") == 0)
            o.len = mark;
        else
            put_str(&o, "\r\n");
    }
    put_str(&o, "x-forwarded-for: ");
    size_t before = o.len;
    put_joined(&o, headers, num_headers, "x-forwarded-for", ", ");
    if (o.len != before && peer.len != 0)
        put_str(&o, ", ");
    put(&o, peer.base, peer.len);
    put_str(&o, "\r\n");
    put_header(&o, H2O_STRLIT("x-forwarded-proto"), scheme.base, scheme.len);
    put_header(&o, H2O_STRLIT("x-forwarded-host"), authority.base, authority.len);
    if (traceparent.len != 0)
        put_header(&o, H2O_STRLIT("traceparent"), traceparent.base, traceparent.len);
    for (size_t i = 0; i != conf->num_set; ++i)
        put_header(&o, conf->set[i].name, strlen(conf->set[i].name), conf->set[i].value,
                   strlen(conf->set[i].value));
    put_str(&o, "\r\n");
    return h2o_iovec_init(o.buf, o.len);
}

int gw_shadow__is_secret_header(const gw_shadow_conf_t *conf, const char *name, size_t len)
{
    static const char *const secrets[] = {
        "authorization", "proxy-authorization", "cookie", "set-cookie",
        "x-api-key",     "x-auth-token",        NULL};
    for (const char *const *s = secrets; *s != NULL; ++s)
        if (h2o_lcstris(name, len, *s, strlen(*s)))
            return 1;
    return in_list(conf->remove, conf->num_remove, name, len);
}
