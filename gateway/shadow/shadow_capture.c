/* Captured responses and finished shadow jobs: bounded heap copies of what each side sent, and
 * the header normalisation that makes an upstream's raw answer comparable with what the client
 * received through the gateway. */
#include <stdlib.h>
#include <string.h>
#include "shadow_internal.h"

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (p == NULL)
        h2o_fatal("no memory");
    return p;
}

void gw_shadow__capture_init(gw_shadow_capture_t *c, size_t limit)
{
    memset(c, 0, sizeof(*c));
    c->limit = limit;
    c->error = -1;
}

void gw_shadow__capture_dispose(gw_shadow_capture_t *c)
{
    free(c->headers);
    free(c->hbuf);
    free(c->body);
    gw_shadow__capture_init(c, c->limit);
}

/* One block for the strings (each NUL-terminated, for convenience) and an array of views. */
static void set_headers(gw_shadow_capture_t *c, const ct_header_t *src, size_t n)
{
    size_t bytes = 0;
    for (size_t i = 0; i != n; ++i)
        bytes += src[i].name_len + src[i].value_len + 2;
    ct_header_t *headers = xmalloc(n * sizeof(*headers));
    char *buf = xmalloc(bytes), *p = buf;
    for (size_t i = 0; i != n; ++i) {
        headers[i].name = memcpy(p, src[i].name, src[i].name_len);
        headers[i].name_len = src[i].name_len;
        p += src[i].name_len;
        *p++ = '\0';
        headers[i].value = memcpy(p, src[i].value, src[i].value_len);
        headers[i].value_len = src[i].value_len;
        p += src[i].value_len;
        *p++ = '\0';
    }
    free(c->headers);
    free(c->hbuf);
    c->headers = headers;
    c->hbuf = buf;
    c->num_headers = n;
}

void gw_shadow__views_copy(const ct_header_t *headers, size_t num_headers, ct_header_t **out,
                           char **buf)
{
    gw_shadow_capture_t tmp;
    gw_shadow__capture_init(&tmp, 0);
    set_headers(&tmp, headers, num_headers);
    *out = tmp.headers;
    *buf = tmp.hbuf;
}

void gw_shadow__capture_set_headers(gw_shadow_capture_t *c, const ct_header_t *headers,
                                    size_t num_headers)
{
    set_headers(c, headers, num_headers);
}

void gw_shadow__headers_copy(const h2o_header_t *headers, size_t num_headers, ct_header_t **out,
                             char **buf)
{
    gw_shadow_capture_t tmp;
    gw_shadow__capture_init(&tmp, 0);
    ct_header_t *views = xmalloc(num_headers * sizeof(*views));
    for (size_t i = 0; i != num_headers; ++i)
        views[i] = (ct_header_t){headers[i].name->base, headers[i].name->len, headers[i].value.base,
                                 headers[i].value.len};
    set_headers(&tmp, views, num_headers);
    free(views);
    *out = tmp.headers;
    *buf = tmp.hbuf;
}

void gw_shadow__capture_head(gw_shadow_capture_t *c, int status, const h2o_header_t *headers,
                             size_t num_headers, size_t content_length)
{
    ct_header_t *views = xmalloc((num_headers ? num_headers : 1) * sizeof(*views));
    for (size_t i = 0; i != num_headers; ++i)
        views[i] = (ct_header_t){headers[i].name->base, headers[i].name->len, headers[i].value.base,
                                 headers[i].value.len};
    gw_shadow__capture_head_views(c, status, views, num_headers, content_length);
    free(views);
}

void gw_shadow__capture_head_views(gw_shadow_capture_t *c, int status, const ct_header_t *headers,
                                   size_t num_headers, size_t content_length)
{
    set_headers(c, headers, num_headers);
    c->status = status;
    if (content_length != SIZE_MAX && content_length > c->limit) {
        c->too_large = 1;
    } else if (content_length != SIZE_MAX && content_length != 0) {
        c->body = xmalloc(content_length);
        c->body_cap = content_length;
    }
}

int gw_shadow__capture_body(gw_shadow_capture_t *c, const char *bytes, size_t len)
{
    if (c->too_large)
        return -1;
    if (len > c->limit - c->body_len) {
        c->too_large = 1;
        free(c->body);
        c->body = NULL;
        c->body_len = c->body_cap = 0;
        return -1;
    }
    if (len > c->body_cap - c->body_len) {
        size_t cap = c->body_cap < 4096 ? 4096 : c->body_cap;
        if (cap > c->limit)
            cap = c->limit;
        while (cap - c->body_len < len)
            cap = cap > c->limit / 2 ? c->limit : cap * 2;
        char *body = realloc(c->body, cap);
        if (body == NULL)
            h2o_fatal("no memory");
        c->body = body;
        c->body_cap = cap;
    }
    memcpy(c->body + c->body_len, bytes, len);
    c->body_len += len;
    return 0;
}

size_t gw_shadow__capture_bytes(const gw_shadow_capture_t *c)
{
    size_t n = c->body_cap + c->num_headers * sizeof(ct_header_t);
    for (size_t i = 0; i != c->num_headers; ++i)
        n += c->headers[i].name_len + c->headers[i].value_len + 2;
    return n;
}

/* --- normalisation --- */

static int is(const ct_header_t *h, const char *name)
{
    return h2o_lcstris(h->name, h->name_len, name, strlen(name));
}

/* 1 when `name` is listed in any Connection header (RFC 9110 §7.6.1). */
static int named_in_connection(const gw_shadow_capture_t *c, const char *name, size_t len)
{
    for (size_t i = 0; i != c->num_headers; ++i)
        if (is(&c->headers[i], "connection") &&
            h2o_contains_token(c->headers[i].value, c->headers[i].value_len, name, len, ','))
            return 1;
    return 0;
}

/* What proxy.c does not pass from an upstream response to the client. */
static int dropped_by_proxy(const gw_shadow_capture_t *c, const ct_header_t *h)
{
    static const char *const names[] = {"connection",       "keep-alive",
                                        "proxy-connection", "te",
                                        "trailer",          "transfer-encoding",
                                        "upgrade",          "http2-settings",
                                        "content-length",   "date",
                                        "server",           "api-version",
                                        "x-request-id",     NULL};
    for (const char *const *n = names; *n != NULL; ++n)
        if (is(h, *n))
            return 1;
    return named_in_connection(c, h->name, h->name_len);
}

void gw_shadow__capture_normalise(gw_shadow_capture_t *c, int is_primary,
                                  const char *const *vary_tokens, size_t num_vary_tokens)
{
    if (c->status == 0)
        return;
    ct_header_t *kept = xmalloc((c->num_headers + 1) * sizeof(*kept));
    size_t n = 0;
    ssize_t last_vary = -1;
    for (size_t i = 0; i != c->num_headers; ++i) {
        const ct_header_t *h = &c->headers[i];
        if (is_primary ? is(h, "api-version") || is(h, "x-request-id") : dropped_by_proxy(c, h))
            continue;
        if (is(h, "vary"))
            last_vary = (ssize_t)n;
        kept[n++] = *h;
    }
    /* as h2o_set_header_token (which exchange.c uses): a token already in some Vary line is
     * left alone, others are appended to the last Vary line, or form a new one */
    char *vary = NULL;
    if (!is_primary && num_vary_tokens != 0) {
        size_t cap = last_vary >= 0 ? kept[last_vary].value_len : 0;
        for (size_t t = 0; t != num_vary_tokens; ++t)
            cap += strlen(vary_tokens[t]) + 2;
        vary = xmalloc(cap + 1);
        size_t len = 0;
        if (last_vary >= 0) {
            memcpy(vary, kept[last_vary].value, kept[last_vary].value_len);
            len = kept[last_vary].value_len;
        }
        for (size_t t = 0; t != num_vary_tokens; ++t) {
            const char *tok = vary_tokens[t];
            int present = 0;
            for (size_t i = 0; i != n && !present; ++i)
                present =
                    is(&kept[i], "vary") &&
                    h2o_contains_token(kept[i].value, kept[i].value_len, tok, strlen(tok), ',');
            if (present || h2o_contains_token(vary, len, tok, strlen(tok), ','))
                continue;
            if (len != 0) {
                memcpy(vary + len, ", ", 2);
                len += 2;
            }
            memcpy(vary + len, tok, strlen(tok));
            len += strlen(tok);
        }
        if (last_vary >= 0) {
            kept[last_vary].value = vary;
            kept[last_vary].value_len = len;
        } else if (len != 0) {
            kept[n++] = (ct_header_t){"vary", 4, vary, len};
        }
    }
    set_headers(c, kept, n); /* copies before the old strings are freed */
    free(kept);
    free(vary);
}

/* --- jobs --- */

void gw_shadow__job_free(gw_shadow_job_t *job)
{
    if (job == NULL)
        return;
    for (int s = 0; s != GW_SHADOW_SIDES; ++s)
        gw_shadow__capture_dispose(&job->side[s]);
    free(job->group);
    free(job->request_id);
    free(job->method);
    free(job->target);
    free(job->candidate_path);
    free(job->req_headers);
    free(job->req_hbuf);
    free(job);
}

size_t gw_shadow__job_bytes(const gw_shadow_job_t *job)
{
    size_t n = sizeof(*job) + job->num_req_headers * sizeof(ct_header_t);
    for (size_t i = 0; i != job->num_req_headers; ++i)
        n += job->req_headers[i].name_len + job->req_headers[i].value_len + 2;
    for (int s = 0; s != GW_SHADOW_SIDES; ++s)
        n += gw_shadow__capture_bytes(&job->side[s]);
    return n;
}
