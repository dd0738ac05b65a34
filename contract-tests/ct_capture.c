/* Capture records: header redaction, the JSON Lines encoder and deep copies of exchanges. */
#include "ct_capture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "ct_alloc.h"
#include "ct_base64.h"
#include "ct_buf.h"
#include "up_http.h"
#include "ct_utf8.h"

const char *const ct_redact_defaults[] = {"authorization", "cookie", "set-cookie"};
const size_t ct_redact_num_defaults = sizeof(ct_redact_defaults) / sizeof(ct_redact_defaults[0]);

int ct_redact_init(ct_redact_t *redact, const char *const *names, size_t n, ct_error_t *err)
{
    if (names == NULL && n == 0) {
        names = ct_redact_defaults;
        n = ct_redact_num_defaults;
    }
    for (size_t i = 0; i < n; i++) {
        if (!up_http_is_token(names[i], strlen(names[i]))) {
            snprintf(err->message, sizeof(err->message), "redact: \"%.64s\" is not a header name",
                     names[i]);
            return -1;
        }
    }
    redact->names = ct__xcalloc(n, sizeof(*redact->names));
    redact->num_names = n;
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(names[i]);
        redact->names[i] = ct__xstrndup(names[i], len);
        for (size_t k = 0; k < len; k++)
            redact->names[i][k] = up_http_lower(redact->names[i][k]);
    }
    return 0;
}

void ct_redact_dispose(ct_redact_t *redact)
{
    for (size_t i = 0; i < redact->num_names; i++)
        free(redact->names[i]);
    free(redact->names);
    redact->names = NULL;
    redact->num_names = 0;
}

int ct_redact_match(const ct_redact_t *redact, const char *name, size_t len)
{
    for (size_t i = 0; i < redact->num_names; i++)
        if (strlen(redact->names[i]) == len && strncasecmp(redact->names[i], name, len) == 0)
            return 1;
    return 0;
}

/* Encoding. */

static void put_key(ct_buf_t *b, const char *key)
{
    ct__buf_putc(b, '"');
    ct__buf_puts(b, key);
    ct__buf_puts(b, "\":");
}

static void put_str_member(ct_buf_t *b, const char *key, ct_str_t s)
{
    if (s.base == NULL)
        return;
    put_key(b, key);
    ct__buf_json_string(b, s.base, s.len);
    ct__buf_putc(b, ',');
}

static void put_now(ct_buf_t *b)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    char text[64];
    size_t n = strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(text + n, sizeof(text) - n, ".%03ldZ", ts.tv_nsec / 1000000);
    put_key(b, "time");
    ct__buf_json_string(b, text, strlen(text));
    ct__buf_putc(b, ',');
}

static void put_headers(ct_buf_t *b, const ct_header_t *h, size_t n, const ct_redact_t *redact)
{
    put_key(b, "headers");
    ct__buf_putc(b, '[');
    for (size_t i = 0; i < n; i++) {
        if (i != 0)
            ct__buf_putc(b, ',');
        ct__buf_putc(b, '[');
        ct__buf_json_string(b, h[i].name, h[i].name_len);
        ct__buf_putc(b, ',');
        if (redact != NULL && ct_redact_match(redact, h[i].name, h[i].name_len))
            ct__buf_puts(b, "\"[redacted]\"");
        else
            ct__buf_json_string(b, h[i].value, h[i].value_len);
        ct__buf_putc(b, ']');
    }
    ct__buf_puts(b, "],");
}

/* Whether the n (< 4) bytes at p start a character that needs more bytes than n: the cut of a
 * truncated body went through it. */
static int is_clipped(const char *p, size_t n)
{
    unsigned char c = (unsigned char)p[0];
    size_t want = c >= 0xf0 && c <= 0xf4   ? 4
                  : c >= 0xe0 && c <= 0xef ? 3
                  : c >= 0xc2 && c <= 0xdf ? 2
                                           : 0;
    if (want <= n)
        return 0;
    for (size_t i = 1; i < n; i++)
        if (((unsigned char)p[i] & 0xc0) != 0x80)
            return 0;
    return 1;
}

/* Length of s[0, len) as UTF-8 text: len when it all is, the length before a character the cut
 * of a truncated body went through, or (size_t)-1 when the bytes are not UTF-8. */
static size_t utf8_prefix(const char *s, size_t len, int cut)
{
    size_t i = 0;
    while (i < len) {
        size_t k = ct__utf8_seq_len((const unsigned char *)s + i, len - i);
        if (k == 0)
            break;
        i += k;
    }
    if (i == len)
        return len;
    if (cut && len - i < 4 && is_clipped(s + i, len - i))
        return i;
    return (size_t)-1;
}

static void put_body(ct_buf_t *b, const ct_capture_body_t *body, size_t max_body)
{
    size_t len = body->len;
    int truncated = body->truncated;
    uint64_t size = body->truncated && body->size > len ? body->size : len;
    if (len > max_body) {
        len = max_body;
        truncated = 1;
    }
    if (len == 0 && !truncated)
        return;
    size_t text_len = utf8_prefix(body->bytes, len, truncated);
    put_key(b, "body");
    if (text_len != (size_t)-1) {
        ct__buf_json_string(b, body->bytes, text_len);
        ct__buf_putc(b, ',');
    } else {
        ct__buf_reserve(b, CT_BASE64_ENCODED_LEN(len) + 2);
        ct__buf_putc(b, '"');
        ct__base64_encode(body->bytes, len, b->base + b->len);
        b->len += CT_BASE64_ENCODED_LEN(len);
        ct__buf_puts(b, "\",\"body_encoding\":\"base64\",");
    }
    if (truncated)
        ct__buf_printf(b, "\"body_truncated\":true,\"body_size\":%llu,", (unsigned long long)size);
}

/* Replaces the ',' that ends the last member with the closing brace. */
static void close_object(ct_buf_t *b)
{
    if (b->base[b->len - 1] == ',')
        b->base[b->len - 1] = '}';
    else
        ct__buf_putc(b, '}');
}

char *ct_capture_encode(const ct_exchange_t *x, const ct_redact_t *redact, size_t max_body,
                        size_t *len)
{
    ct_buf_t b = CT_BUF_INIT;
    const ct_capture_request_t *rq = &x->request;
    const ct_capture_response_t *rs = &x->response;
    ct__buf_reserve(&b, 512 + rq->body.len + rs->body.len);
    ct__buf_putc(&b, '{');
    if (x->time.base != NULL)
        put_str_member(&b, "time", x->time);
    else
        put_now(&b);
    put_str_member(&b, "api", x->api);
    put_str_member(&b, "version", x->version);
    put_str_member(&b, "operationId", x->operation);

    put_key(&b, "request");
    ct__buf_putc(&b, '{');
    put_str_member(&b, "method", rq->method.base != NULL ? rq->method : (ct_str_t){"GET", 3});
    put_str_member(&b, "path", rq->path.base != NULL ? rq->path : (ct_str_t){"/", 1});
    put_str_member(&b, "query", rq->query);
    put_str_member(&b, "upstream_path", rq->upstream_path);
    put_headers(&b, rq->headers, rq->num_headers, redact);
    put_body(&b, &rq->body, max_body);
    close_object(&b);
    ct__buf_putc(&b, ',');

    put_key(&b, "response");
    ct__buf_printf(&b, "{\"status\":%d,", rs->status);
    put_headers(&b, rs->headers, rs->num_headers, redact);
    put_body(&b, &rs->body, max_body);
    close_object(&b);
    ct__buf_puts(&b, "}\n");
    return ct__buf_steal(&b, len);
}

/* Deep copies. */

typedef struct st_arena_t {
    char *p;
} arena_t;

static size_t str_size(ct_str_t s)
{
    return s.base != NULL ? s.len + 1 : 0;
}

static size_t headers_size(const ct_header_t *h, size_t n)
{
    size_t total = n * sizeof(*h);
    for (size_t i = 0; i < n; i++)
        total += h[i].name_len + h[i].value_len + 2;
    return total;
}

static ct_str_t copy_str(arena_t *a, ct_str_t s)
{
    if (s.base == NULL)
        return s;
    char *d = a->p;
    if (s.len != 0)
        memcpy(d, s.base, s.len);
    d[s.len] = '\0';
    a->p += s.len + 1;
    return (ct_str_t){d, s.len};
}

static const char *copy_bytes(arena_t *a, const char *s, size_t len)
{
    return copy_str(a, (ct_str_t){s != NULL ? s : "", len}).base;
}

ct_exchange_t *ct_exchange_dup(const ct_exchange_t *x)
{
    const ct_capture_request_t *rq = &x->request;
    const ct_capture_response_t *rs = &x->response;
    /* header arrays first, right after the struct, so they stay pointer-aligned */
    size_t size = sizeof(ct_exchange_t) + headers_size(rq->headers, rq->num_headers) +
                  headers_size(rs->headers, rs->num_headers) + str_size(x->time) +
                  str_size(x->api) + str_size(x->version) + str_size(x->operation) +
                  str_size(rq->method) + str_size(rq->path) + str_size(rq->query) +
                  str_size(rq->upstream_path) + rq->body.len + 1 + rs->body.len + 1;
    ct_exchange_t *d = ct__xmalloc(size);
    *d = *x;
    arena_t a = {(char *)(d + 1)};
    ct_header_t *rqh = (ct_header_t *)(void *)a.p;
    ct_header_t *rsh = rqh + rq->num_headers;
    a.p = (char *)(rsh + rs->num_headers);
    for (size_t i = 0; i < rq->num_headers; i++) {
        rqh[i] = rq->headers[i];
        rqh[i].name = copy_bytes(&a, rq->headers[i].name, rq->headers[i].name_len);
        rqh[i].value = copy_bytes(&a, rq->headers[i].value, rq->headers[i].value_len);
    }
    for (size_t i = 0; i < rs->num_headers; i++) {
        rsh[i] = rs->headers[i];
        rsh[i].name = copy_bytes(&a, rs->headers[i].name, rs->headers[i].name_len);
        rsh[i].value = copy_bytes(&a, rs->headers[i].value, rs->headers[i].value_len);
    }
    d->request.headers = rq->num_headers != 0 ? rqh : NULL;
    d->response.headers = rs->num_headers != 0 ? rsh : NULL;
    d->time = copy_str(&a, x->time);
    d->api = copy_str(&a, x->api);
    d->version = copy_str(&a, x->version);
    d->operation = copy_str(&a, x->operation);
    d->request.method = copy_str(&a, rq->method);
    d->request.path = copy_str(&a, rq->path);
    d->request.query = copy_str(&a, rq->query);
    d->request.upstream_path = copy_str(&a, rq->upstream_path);
    d->request.body.bytes = copy_bytes(&a, rq->body.bytes, rq->body.len);
    d->response.body.bytes = copy_bytes(&a, rs->body.bytes, rs->body.len);
    return d;
}
