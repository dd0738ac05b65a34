/* Replay: requests as sent to each side (RFC 9110 intermediary rules), curl commands, report
 * groups, and which recorded exchanges are replayed at all. */
#include "ct_replay_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ct_alloc.h"
#include "ct_curl.h"

/* Requests as sent. */

int ct__replay_is_method(ct_str_t m, const char *name)
{
    return m.len == strlen(name) && memcmp(m.base, name, m.len) == 0;
}

/* RFC 9110 section 9.2.1: GET, HEAD, OPTIONS and TRACE are safe; everything else needs
 * --allow-unsafe. */
static int is_safe(ct_str_t m)
{
    return ct__replay_is_method(m, "GET") || ct__replay_is_method(m, "HEAD") || ct__replay_is_method(m, "OPTIONS") ||
           ct__replay_is_method(m, "TRACE");
}

int ct__replay_is_idempotent(ct_str_t m)
{
    return is_safe(m) || ct__replay_is_method(m, "PUT") || ct__replay_is_method(m, "DELETE");
}

static ct_str_t path_sent(const ct_replay_t *r, const ct_capture_request_t *q)
{
    return q->upstream_path.base != NULL && !r->cfg.client_paths ? q->upstream_path : q->path;
}

static int listed_in_connection(const ct_capture_request_t *q, const ct_header_t *h)
{
    char name[128];
    if (h->name_len >= sizeof(name))
        return 0;
    for (size_t i = 0; i < h->name_len; i++)
        name[i] = up_http_lower(h->name[i]);
    name[h->name_len] = '\0';
    for (size_t i = 0; i < q->num_headers; i++)
        if (up_http_name_is(q->headers[i].name, q->headers[i].name_len, "connection") &&
            up_http_list_has(q->headers[i].value, q->headers[i].value_len, name))
            return 1;
    return 0;
}

/* Whether a recorded header is sent: not hop-by-hop (RFC 9110 section 7.6.1), not one we set
 * (Host, Content-Length), and no Accept-Encoding, so that bodies arrive as they compare best. */
static int header_sent(const ct_capture_request_t *q, const ct_header_t *h)
{
    static const char *const dropped[] = {"host",
                                          "content-length",
                                          "transfer-encoding",
                                          "connection",
                                          "keep-alive",
                                          "te",
                                          "trailer",
                                          "upgrade",
                                          "expect",
                                          "proxy-connection",
                                          "http2-settings",
                                          "accept-encoding"};
    for (size_t i = 0; i < sizeof(dropped) / sizeof(dropped[0]); i++)
        if (up_http_name_is(h->name, h->name_len, dropped[i]))
            return 0;
    return !listed_in_connection(q, h);
}

static int needs_length(const ct_capture_request_t *q)
{
    return q->body.len != 0 || ct__replay_is_method(q->method, "POST") || ct__replay_is_method(q->method, "PUT") ||
           ct__replay_is_method(q->method, "PATCH");
}

void ct__replay_build_wire(const ct_replay_t *r, int side, const ct_capture_request_t *q, ct_buf_t *b)
{
    const up_url_t *u = &r->url[side];
    ct_str_t path = path_sent(r, q);
    b->len = 0;
    ct__buf_append(b, q->method.base, q->method.len);
    ct__buf_putc(b, ' ');
    ct__buf_puts(b, u->base_path);
    ct__buf_append(b, path.base, path.len);
    if (q->query.base != NULL) {
        ct__buf_putc(b, '?');
        ct__buf_append(b, q->query.base, q->query.len);
    }
    ct__buf_puts(b, " HTTP/1.1\r\nhost: ");
    ct__buf_puts(b, u->authority);
    ct__buf_puts(b, "\r\n");
    if (needs_length(q))
        ct__buf_printf(b, "content-length: %zu\r\n", q->body.len);
    for (size_t i = 0; i < q->num_headers; i++) {
        const ct_header_t *h = &q->headers[i];
        if (!header_sent(q, h))
            continue;
        ct__buf_append(b, h->name, h->name_len);
        ct__buf_puts(b, ": ");
        ct__buf_append(b, h->value, h->value_len);
        ct__buf_puts(b, "\r\n");
    }
    ct__buf_puts(b, "\r\n");
}

char *ct__replay_curl_for(const ct_replay_t *r, int side, const ct_capture_request_t *q)
{
    const up_url_t *u = &r->url[side];
    ct_str_t path = path_sent(r, q);
    ct_buf_t url = CT_BUF_INIT;
    ct__buf_puts(&url, u->origin);
    ct__buf_puts(&url, u->base_path);
    ct__buf_append(&url, path.base, path.len);
    if (q->query.base != NULL) {
        ct__buf_putc(&url, '?');
        ct__buf_append(&url, q->query.base, q->query.len);
    }
    ct_header_t *hs = ct__xcalloc(q->num_headers, sizeof(*hs));
    size_t n = 0;
    for (size_t i = 0; i < q->num_headers; i++)
        if (header_sent(q, &q->headers[i]))
            hs[n++] = q->headers[i];
    char *cmd = ct_curl_command(q->method.base, q->method.len, url.base, url.len, hs, n,
                                q->body.bytes, q->body.len);
    free(hs);
    ct__buf_dispose(&url);
    return cmd;
}

const ct_capture_request_t *ct__replay_request_of(const slot_t *s, int side)
{
    return side == CANDIDATE && s->have_adapted ? &s->adapted : &s->x->request;
}

/* Grouping: the operationId, else the method and the path with identifiers generalized. */

static int looks_like_id(const char *s, size_t n)
{
    size_t digits = 0, hex = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        digits += c >= '0' && c <= '9';
        hex +=
            (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '-';
    }
    return n != 0 && (digits == n || (hex == n && n >= 16 && digits != 0));
}

void ct__replay_group_of(const ct_replay_t *r, const ct_exchange_t *x, char *out, size_t size)
{
    if (x->operation.base != NULL && x->operation.len != 0) {
        snprintf(out, size, "%.*s", (int)x->operation.len, x->operation.base);
        return;
    }
    ct_str_t path = path_sent(r, &x->request);
    ct_buf_t b = CT_BUF_INIT;
    ct__buf_append(&b, x->request.method.base, x->request.method.len);
    ct__buf_putc(&b, ' ');
    size_t i = 0, segments = 0;
    while (i < path.len) {
        size_t start = ++i; /* after the '/' */
        while (i < path.len && path.base[i] != '/')
            i++;
        if (++segments > MAX_GROUP_SEGMENTS) {
            ct__buf_puts(&b, "/...");
            break;
        }
        ct__buf_putc(&b, '/');
        if (looks_like_id(path.base + start, i - start))
            ct__buf_puts(&b, "{id}");
        else
            ct__buf_append(&b, path.base + start, i - start);
    }
    if (path.len == 0 || (path.len == 1 && path.base[0] == '/'))
        ct__buf_putc(&b, '/');
    snprintf(out, size, "%s", b.base);
    ct__buf_dispose(&b);
}

static int passes_filters(const ct_replay_t *r, const ct_exchange_t *x)
{
    if (r->cfg.api != NULL && x->api.base != NULL &&
        (x->api.len != strlen(r->cfg.api) || memcmp(x->api.base, r->cfg.api, x->api.len) != 0))
        return 0;
    for (int kind = CT_REPLAY_FILTER_OPERATION; kind <= CT_REPLAY_FILTER_PATH; kind++) {
        int seen = 0, match = 0;
        for (size_t i = 0; i < r->cfg.num_filters; i++) {
            const ct_replay_filter_t *f = &r->filters[i];
            if ((int)f->kind != kind)
                continue;
            seen = 1;
            size_t n = strlen(f->value);
            switch (f->kind) {
            case CT_REPLAY_FILTER_OPERATION:
                match |= x->operation.base != NULL && x->operation.len == n &&
                         memcmp(x->operation.base, f->value, n) == 0;
                break;
            case CT_REPLAY_FILTER_METHOD:
                match |= x->request.method.len == n &&
                         strncasecmp(x->request.method.base, f->value, n) == 0;
                break;
            case CT_REPLAY_FILTER_PATH: {
                ct_str_t p = path_sent(r, &x->request);
                match |= p.len >= n && memcmp(p.base, f->value, n) == 0;
                break;
            }
            }
        }
        if (seen && !match)
            return 0;
    }
    return 1;
}

/* Returns 1 when the exchange is to be replayed, after counting why not otherwise. */
int ct__replay_wanted(ct_replay_t *r, const ct_exchange_t *x)
{
    if (!passes_filters(r, x)) {
        r->skipped_filtered++;
        return 0;
    }
    if (!r->cfg.allow_unsafe && !is_safe(x->request.method)) {
        r->skipped_unsafe++;
        return 0;
    }
    if (x->request.body.truncated) {
        r->skipped_truncated++; /* sending part of a body would test something else */
        return 0;
    }
    if (r->cfg.against_recorded && x->response.status == 0) {
        r->skipped_no_response++;
        return 0;
    }
    return 1;
}
