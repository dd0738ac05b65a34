/* HAR 1.2 import (http://www.softwareishard.com/blog/har-12-spec/): one log.entries[] element,
 * as browsers' developer tools and proxies save it, becomes a capture exchange. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "ct_alloc.h"
#include "ct_base64.h"
#include "ct_capture_int.h"
#include "up_http.h"

static int fail(char *msg, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *msg, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, size, fmt, ap);
    va_end(ap);
    return -1;
}

/* Splits an absolute URL (or an origin-form target) into path and query; the fragment is
 * dropped. */
static int split_url(const char *url, size_t len, ct_str_t *path, ct_str_t *query)
{
    size_t start = 0;
    if (len == 0 || url[0] != '/') {
        const char *sep = memmem(url, len, "://", 3);
        if (sep == NULL)
            return -1;
        start = (size_t)(sep - url) + 3;
        while (start < len && url[start] != '/' && url[start] != '?' && url[start] != '#')
            start++;
    }
    size_t end = start;
    while (end < len && url[end] != '?' && url[end] != '#')
        end++;
    *path = end > start ? (ct_str_t){url + start, end - start} : (ct_str_t){"/", 1};
    *query = (ct_str_t){NULL, 0};
    if (end < len && url[end] == '?') {
        size_t q = end + 1, qend = q;
        while (qend < len && url[qend] != '#')
            qend++;
        *query = (ct_str_t){url + q, qend - q};
    }
    return 0;
}

/* HAR bodies of responses are stored decoded, so the fields describing the encoding on the wire
 * no longer apply to them. */
static int is_wire_only(const char *name, size_t len)
{
    return up_http_name_is(name, len, "content-encoding") ||
           up_http_name_is(name, len, "content-length") ||
           up_http_name_is(name, len, "transfer-encoding");
}

static int get_headers(json_t *msg_obj, const char *where, ct_capture_store_t *st, int side,
                       const ct_header_t **out, size_t *num, char *msg, size_t size)
{
    json_t *arr = json_object_get(msg_obj, "headers");
    *out = NULL;
    *num = 0;
    if (arr == NULL)
        return 0;
    if (!json_is_array(arr))
        return fail(msg, size, "%s.headers: expected an array", where);
    ct_header_t *h = ct__capture_headers(st, side, json_array_size(arr));
    size_t n = 0, i;
    json_t *e;
    json_array_foreach(arr, i, e)
    {
        json_t *name = json_object_get(e, "name"), *value = json_object_get(e, "value");
        if (!json_is_string(name) || !json_is_string(value))
            return fail(msg, size, "%s.headers[%zu]: expected {\"name\", \"value\"} strings", where,
                        i);
        const char *nm = json_string_value(name);
        size_t nlen = json_string_length(name);
        if (nlen > 0 && nm[0] == ':') /* HTTP/2 pseudo-headers, which Chrome lists */
            continue;
        if (side == 1 && is_wire_only(nm, nlen))
            continue;
        if (!up_http_is_token(nm, nlen))
            return fail(msg, size, "%s.headers[%zu]: invalid header name", where, i);
        if (!up_http_is_field_value(json_string_value(value), json_string_length(value)))
            return fail(msg, size, "%s.headers[%zu]: CR, LF or NUL in the value", where, i);
        h[n++] = (ct_header_t){nm, nlen, json_string_value(value), json_string_length(value)};
    }
    *out = n != 0 ? h : NULL;
    *num = n;
    return 0;
}

/* text, base64-decoded when `encoding` says so (HAR 1.2 section "content"; some tools also mark
 * postData that way). */
static int get_text(json_t *obj, const char *where, ct_buf_t *store, ct_capture_body_t *out,
                    char *msg, size_t size)
{
    json_t *text = json_object_get(obj, "text"), *enc = json_object_get(obj, "encoding");
    if (!json_is_string(text))
        return fail(msg, size, "%s.text: expected a string", where);
    const char *s = json_string_value(text);
    size_t len = json_string_length(text);
    if (enc != NULL && !json_is_null(enc)) {
        if (!json_is_string(enc) || strcmp(json_string_value(enc), "base64") != 0)
            return fail(msg, size, "%s.encoding: only \"base64\" is known", where);
        store->len = 0;
        ct__buf_reserve(store, len / 4 * 3 + 3);
        size_t n = ct__base64_decode(s, len, (unsigned char *)store->base);
        if (n == (size_t)-1)
            return fail(msg, size, "%s.text: invalid base64", where);
        store->len = n;
        s = store->base;
        len = n;
    }
    out->bytes = s;
    out->len = len;
    out->size = len;
    return 0;
}

/* application/x-www-form-urlencoded serialization (WHATWG URL standard, section 5.2). */
static void put_form_part(ct_buf_t *b, const char *s, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '*' || c == '-' || c == '.' || c == '_') {
            ct__buf_putc(b, (char)c);
        } else if (c == ' ') {
            ct__buf_putc(b, '+');
        } else {
            char esc[3] = {'%', hex[c >> 4], hex[c & 15]};
            ct__buf_append(b, esc, 3);
        }
    }
}

static int get_post_data(json_t *req, ct_capture_store_t *st, ct_capture_body_t *out, char *msg,
                         size_t size)
{
    json_t *pd = json_object_get(req, "postData");
    if (pd == NULL || json_is_null(pd))
        return 0;
    if (!json_is_object(pd))
        return fail(msg, size, "request.postData: expected an object");
    if (json_object_get(pd, "text") != NULL)
        return get_text(pd, "request.postData", &st->body[0], out, msg, size);
    /* "text and params fields are mutually exclusive": params describe a URL-encoded form */
    json_t *params = json_object_get(pd, "params"), *mime = json_object_get(pd, "mimeType");
    if (!json_is_array(params) || !json_is_string(mime) ||
        strncasecmp(json_string_value(mime), "application/x-www-form-urlencoded", 33) != 0)
        return fail(msg, size,
                    "request.postData: no text, and no URL-encoded params to "
                    "rebuild it from");
    ct_buf_t *b = &st->body[0];
    b->len = 0;
    size_t i;
    json_t *p;
    json_array_foreach(params, i, p)
    {
        json_t *name = json_object_get(p, "name"), *value = json_object_get(p, "value");
        if (!json_is_string(name) || (value != NULL && !json_is_string(value)))
            return fail(msg, size,
                        "request.postData.params[%zu]: expected name and value "
                        "strings",
                        i);
        if (i != 0)
            ct__buf_putc(b, '&');
        put_form_part(b, json_string_value(name), json_string_length(name));
        ct__buf_putc(b, '=');
        if (value != NULL)
            put_form_part(b, json_string_value(value), json_string_length(value));
    }
    out->bytes = b->base;
    out->len = b->len;
    out->size = b->len;
    return 0;
}

int ct__har_entry(json_t *entry, ct_capture_store_t *st, ct_exchange_t *out, char *msg, size_t size)
{
    memset(out, 0, sizeof(*out));
    if (!json_is_object(entry))
        return fail(msg, size, "not an object");
    json_t *t = json_object_get(entry, "startedDateTime");
    if (json_is_string(t))
        out->time = (ct_str_t){json_string_value(t), json_string_length(t)};

    json_t *req = json_object_get(entry, "request");
    if (!json_is_object(req))
        return fail(msg, size,
                    req == NULL ? "missing field request"
                                : "request: expected an "
                                  "object");
    json_t *method = json_object_get(req, "method"), *url = json_object_get(req, "url");
    if (!json_is_string(method))
        return fail(msg, size,
                    method == NULL ? "missing field request.method"
                                   : "request.method: expected a string");
    if (!json_is_string(url))
        return fail(msg, size,
                    url == NULL ? "missing field request.url" : "request.url: expected a string");
    ct_capture_request_t *q = &out->request;
    q->method = (ct_str_t){json_string_value(method), json_string_length(method)};
    if (!up_http_is_token(q->method.base, q->method.len))
        return fail(msg, size, "request.method: not an HTTP method");
    if (split_url(json_string_value(url), json_string_length(url), &q->path, &q->query) != 0)
        return fail(msg, size, "request.url: not an absolute URL");
    if (!ct__capture_valid_target_part(q->path.base, q->path.len, 1) ||
        (q->query.base != NULL && !ct__capture_valid_target_part(q->query.base, q->query.len, 0)))
        return fail(msg, size, "request.url: spaces or control characters in the path or query");
    if (get_headers(req, "request", st, 0, &q->headers, &q->num_headers, msg, size) != 0 ||
        get_post_data(req, st, &q->body, msg, size) != 0)
        return -1;

    json_t *res = json_object_get(entry, "response");
    if (!json_is_object(res))
        return fail(msg, size,
                    res == NULL ? "missing field response" : "response: expected an object");
    json_t *status = json_object_get(res, "status");
    if (!json_is_integer(status) || json_integer_value(status) < 0 ||
        json_integer_value(status) > 599 ||
        (json_integer_value(status) != 0 && json_integer_value(status) < 100))
        return fail(msg, size,
                    status == NULL ? "missing field response.status"
                                   : "response.status: expected 0 or 100 to 599");
    ct_capture_response_t *p = &out->response;
    p->status = (int)json_integer_value(status); /* 0: the browser got no response */
    if (get_headers(res, "response", st, 1, &p->headers, &p->num_headers, msg, size) != 0)
        return -1;
    json_t *content = json_object_get(res, "content");
    if (content != NULL && !json_is_object(content))
        return fail(msg, size, "response.content: expected an object");
    if (content != NULL && json_object_get(content, "text") != NULL) {
        if (get_text(content, "response.content", &st->body[1], &p->body, msg, size) != 0)
            return -1;
    } else {
        p->body.missing = 1; /* not saved (devtools omit large and binary bodies) */
    }
    return 0;
}
