/* Reading captures: format detection, the bounded line reader of JSON Lines, record validation,
 * and iteration over the entries of a HAR archive. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ct_alloc.h"
#include "ct_base64.h"
#include "ct_capture_int.h"
#include "up_http.h"

#define READ_CHUNK (256 * 1024)

struct st_ct_capture_reader_t {
    ct_capture_format_t format;
    ct_capture_reader_config_t cfg;
    int fd, owns_fd;
    /* JSON Lines */
    char *buf;
    size_t buf_len, buf_pos;
    int eof;
    ct_buf_t line;     /* a line that spans reads */
    int skipping;      /* inside a line longer than max_line_bytes: dropped as it is read */
    uint64_t line_len; /* of the line being skipped */
    uint64_t lineno;
    /* HAR */
    json_t *har, *entries;
    size_t next_entry;
    /* the record returned last */
    json_t *current;
    ct_capture_store_t store;
    uint64_t records, bad;
};

void ct_capture_reader_config_init(ct_capture_reader_config_t *cfg)
{
    cfg->max_line_bytes = 64u << 20;
    cfg->max_har_bytes = 256u << 20;
}

void ct__capture_store_dispose(ct_capture_store_t *st)
{
    for (int i = 0; i < 2; i++) {
        free(st->headers[i]);
        ct__buf_dispose(&st->body[i]);
    }
    memset(st, 0, sizeof(*st));
}

ct_header_t *ct__capture_headers(ct_capture_store_t *st, int side, size_t n)
{
    void *items = st->headers[side];
    ct__grow(&items, &st->headers_cap[side], n, sizeof(ct_header_t));
    st->headers[side] = items;
    return st->headers[side];
}

int ct__capture_valid_target_part(const char *s, size_t len, int is_path)
{
    if (is_path && !(len == 1 && s[0] == '*') && (len == 0 || s[0] != '/'))
        return 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 0x20 || c == 0x7f || c == '#' || (is_path && c == '?'))
            return 0;
    }
    return 1;
}

/* Validation of one capture line. */

static int fail(char *msg, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *msg, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, size, fmt, ap);
    va_end(ap);
    return -1;
}

/* An optional string member; null counts as absent. */
static int get_str(json_t *obj, const char *prefix, const char *key, int required, ct_str_t *out,
                   char *msg, size_t size)
{
    json_t *v = json_object_get(obj, key);
    *out = (ct_str_t){NULL, 0};
    if (v == NULL || json_is_null(v)) {
        if (required)
            return fail(msg, size, "missing field %s%s", prefix, key);
        return 0;
    }
    if (!json_is_string(v))
        return fail(msg, size, "field %s%s: expected a string", prefix, key);
    *out = (ct_str_t){json_string_value(v), json_string_length(v)};
    return 0;
}

static int get_headers(json_t *obj, const char *prefix, ct_capture_store_t *st, int side,
                       const ct_header_t **out, size_t *num, char *msg, size_t size)
{
    json_t *arr = json_object_get(obj, "headers");
    *out = NULL;
    *num = 0;
    if (arr == NULL || json_is_null(arr))
        return 0;
    if (!json_is_array(arr))
        return fail(msg, size, "field %sheaders: expected an array of [name, value] pairs", prefix);
    size_t n = json_array_size(arr);
    ct_header_t *h = ct__capture_headers(st, side, n);
    for (size_t i = 0; i < n; i++) {
        json_t *pair = json_array_get(arr, i);
        json_t *name = json_array_get(pair, 0), *value = json_array_get(pair, 1);
        if (!json_is_array(pair) || json_array_size(pair) != 2 || !json_is_string(name) ||
            !json_is_string(value))
            return fail(msg, size, "field %sheaders[%zu]: expected [name, value] strings", prefix,
                        i);
        h[i] = (ct_header_t){json_string_value(name), json_string_length(name),
                             json_string_value(value), json_string_length(value)};
        if (!up_http_is_token(h[i].name, h[i].name_len))
            return fail(msg, size, "field %sheaders[%zu]: invalid header name", prefix, i);
        if (!up_http_is_field_value(h[i].value, h[i].value_len))
            return fail(msg, size, "field %sheaders[%zu]: CR, LF or NUL in the value", prefix, i);
    }
    *out = n != 0 ? h : NULL;
    *num = n;
    return 0;
}

static int get_body(json_t *obj, const char *prefix, ct_capture_store_t *st, int side,
                    ct_capture_body_t *out, char *msg, size_t size)
{
    memset(out, 0, sizeof(*out));
    ct_str_t text, enc;
    if (get_str(obj, prefix, "body", 0, &text, msg, size) != 0 ||
        get_str(obj, prefix, "body_encoding", 0, &enc, msg, size) != 0)
        return -1;
    if (enc.base != NULL && strcmp(enc.base, "base64") == 0) {
        ct_buf_t *b = &st->body[side];
        b->len = 0;
        ct__buf_reserve(b, text.len / 4 * 3 + 3);
        size_t n = text.base != NULL
                       ? ct__base64_decode(text.base, text.len, (unsigned char *)b->base)
                       : 0;
        if (n == (size_t)-1)
            return fail(msg, size, "field %sbody: invalid base64", prefix);
        b->len = n;
        out->bytes = b->base;
        out->len = n;
    } else if (enc.base != NULL && strcmp(enc.base, "utf8") != 0) {
        return fail(msg, size, "field %sbody_encoding: expected \"base64\" or \"utf8\"", prefix);
    } else if (text.base != NULL) {
        out->bytes = text.base;
        out->len = text.len;
    }
    out->size = out->len;
    json_t *t = json_object_get(obj, "body_truncated");
    if (t != NULL && !json_is_null(t)) {
        if (!json_is_boolean(t))
            return fail(msg, size, "field %sbody_truncated: expected true or false", prefix);
        out->truncated = json_is_true(t);
    }
    json_t *s = json_object_get(obj, "body_size");
    if (s != NULL && !json_is_null(s)) {
        if (!json_is_integer(s) || json_integer_value(s) < 0)
            return fail(msg, size, "field %sbody_size: expected a non-negative integer", prefix);
        if ((uint64_t)json_integer_value(s) < out->len)
            return fail(msg, size, "field %sbody_size: smaller than the body", prefix);
        out->size = (uint64_t)json_integer_value(s);
    }
    return 0;
}

static int get_object(json_t *root, const char *key, json_t **out, char *msg, size_t size)
{
    *out = json_object_get(root, key);
    if (*out == NULL || json_is_null(*out))
        return fail(msg, size, "missing field %s", key);
    if (!json_is_object(*out))
        return fail(msg, size, "field %s: expected an object", key);
    return 0;
}

int ct__capture_from_json(json_t *root, ct_capture_store_t *st, ct_exchange_t *out, char *msg,
                          size_t size)
{
    memset(out, 0, sizeof(*out));
    if (!json_is_object(root))
        return fail(msg, size, "not a JSON object");
    json_t *rq, *rs;
    if (get_str(root, "", "time", 0, &out->time, msg, size) != 0 ||
        get_str(root, "", "api", 0, &out->api, msg, size) != 0 ||
        get_str(root, "", "version", 0, &out->version, msg, size) != 0 ||
        get_str(root, "", "operationId", 0, &out->operation, msg, size) != 0 ||
        get_object(root, "request", &rq, msg, size) != 0 ||
        get_object(root, "response", &rs, msg, size) != 0)
        return -1;

    ct_capture_request_t *q = &out->request;
    if (get_str(rq, "request.", "method", 1, &q->method, msg, size) != 0 ||
        get_str(rq, "request.", "path", 1, &q->path, msg, size) != 0 ||
        get_str(rq, "request.", "query", 0, &q->query, msg, size) != 0 ||
        get_str(rq, "request.", "upstream_path", 0, &q->upstream_path, msg, size) != 0)
        return -1;
    if (!up_http_is_token(q->method.base, q->method.len))
        return fail(msg, size, "field request.method: not an HTTP method");
    if (!ct__capture_valid_target_part(q->path.base, q->path.len, 1))
        return fail(msg, size,
                    "field request.path: must start with '/' and hold no spaces, "
                    "control characters, '?' or '#'");
    if (q->upstream_path.base != NULL &&
        !ct__capture_valid_target_part(q->upstream_path.base, q->upstream_path.len, 1))
        return fail(msg, size,
                    "field request.upstream_path: must start with '/' and hold no "
                    "spaces, control characters, '?' or '#'");
    if (q->query.base != NULL && !ct__capture_valid_target_part(q->query.base, q->query.len, 0))
        return fail(msg, size, "field request.query: holds spaces, control characters or '#'");
    if (get_headers(rq, "request.", st, 0, &q->headers, &q->num_headers, msg, size) != 0 ||
        get_body(rq, "request.", st, 0, &q->body, msg, size) != 0)
        return -1;

    ct_capture_response_t *p = &out->response;
    json_t *status = json_object_get(rs, "status");
    if (status == NULL || json_is_null(status))
        return fail(msg, size, "missing field response.status");
    if (!json_is_integer(status) || json_integer_value(status) < 100 ||
        json_integer_value(status) > 599)
        return fail(msg, size, "field response.status: expected an integer from 100 to 599");
    p->status = (int)json_integer_value(status);
    if (get_headers(rs, "response.", st, 1, &p->headers, &p->num_headers, msg, size) != 0 ||
        get_body(rs, "response.", st, 1, &p->body, msg, size) != 0)
        return -1;
    return 0;
}

/* Opening and format detection. */

static void set_err(ct_error_t *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_err(ct_error_t *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
}

static ssize_t read_some(int fd, char *buf, size_t size)
{
    ssize_t n;
    while ((n = read(fd, buf, size)) < 0 && errno == EINTR)
        ;
    return n;
}

/* Skips a UTF-8 byte order mark and JSON whitespace; returns the offset of the first other byte. */
static size_t skip_space(const char *s, size_t len, size_t i)
{
    if (i == 0 && len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
        i = 3;
    while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
        i++;
    return i;
}

/* A HAR archive is one JSON object whose first member is "log" (HAR 1.2: the only member); a
 * capture line never has one. The first bytes of the file decide. */
static int looks_like_har(const char *s, size_t len)
{
    size_t i = skip_space(s, len, 0);
    if (i >= len || s[i] != '{')
        return 0;
    i = skip_space(s, len, i + 1);
    return len - i >= 5 && memcmp(s + i, "\"log\"", 5) == 0;
}

/* Reads the rest of the file after the buffered bytes, then parses the archive. */
static int open_har(ct_capture_reader_t *r, const char *path, ct_error_t *err)
{
    ct_buf_t all = CT_BUF_INIT;
    ct__buf_append(&all, r->buf, r->buf_len);
    for (;;) {
        if (all.len > r->cfg.max_har_bytes) {
            set_err(err, "%s: HAR file larger than %zu bytes", path, r->cfg.max_har_bytes);
            ct__buf_dispose(&all);
            return -1;
        }
        ct__buf_reserve(&all, READ_CHUNK);
        ssize_t n = read_some(r->fd, all.base + all.len, READ_CHUNK);
        if (n < 0) {
            set_err(err, "%s: %s", path, strerror(errno));
            ct__buf_dispose(&all);
            return -1;
        }
        if (n == 0)
            break;
        all.len += (size_t)n;
    }
    json_error_t jerr;
    r->har = json_loadb(all.base, all.len, JSON_ALLOW_NUL, &jerr);
    ct__buf_dispose(&all);
    if (r->har == NULL) {
        set_err(err, "%s:%d:%d: invalid HAR file: %s", path, jerr.line, jerr.column, jerr.text);
        return -1;
    }
    json_t *log = json_object_get(r->har, "log");
    r->entries = json_object_get(log, "entries");
    if (!json_is_object(log) || !json_is_array(r->entries)) {
        set_err(err, "%s: invalid HAR file: log.entries must be an array", path);
        return -1;
    }
    r->format = CT_CAPTURE_HAR;
    free(r->buf);
    r->buf = NULL;
    r->buf_len = r->buf_pos = 0;
    return 0;
}

ct_capture_reader_t *ct_capture_reader_open(const char *path, const ct_capture_reader_config_t *cfg,
                                            ct_error_t *err)
{
    ct_capture_reader_t *r = ct__xcalloc(1, sizeof(*r));
    if (cfg != NULL)
        r->cfg = *cfg;
    else
        ct_capture_reader_config_init(&r->cfg);
    if (strcmp(path, "-") == 0) {
        r->fd = STDIN_FILENO;
    } else if ((r->fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
        set_err(err, "%s: %s", path, strerror(errno));
        free(r);
        return NULL;
    } else {
        r->owns_fd = 1;
        struct stat st;
        if (fstat(r->fd, &st) == 0 && S_ISDIR(st.st_mode)) {
            set_err(err, "%s: is a directory", path);
            ct_capture_reader_close(r);
            return NULL;
        }
    }
    r->buf = ct__xmalloc(READ_CHUNK);
    /* fill the first buffer (a pipe may deliver less per read) to see how the file starts */
    while (r->buf_len < 64 && !r->eof) {
        ssize_t n = read_some(r->fd, r->buf + r->buf_len, READ_CHUNK - r->buf_len);
        if (n < 0) {
            set_err(err, "%s: %s", path, strerror(errno));
            ct_capture_reader_close(r);
            return NULL;
        }
        r->eof = n == 0;
        r->buf_len += (size_t)n;
    }
    r->format = CT_CAPTURE_JSONL;
    if (looks_like_har(r->buf, r->buf_len) && open_har(r, path, err) != 0) {
        ct_capture_reader_close(r);
        return NULL;
    }
    return r;
}

void ct_capture_reader_close(ct_capture_reader_t *r)
{
    if (r == NULL)
        return;
    if (r->owns_fd)
        close(r->fd);
    free(r->buf);
    ct__buf_dispose(&r->line);
    json_decref(r->har);
    json_decref(r->current);
    ct__capture_store_dispose(&r->store);
    free(r);
}

ct_capture_format_t ct_capture_reader_format(const ct_capture_reader_t *r)
{
    return r->format;
}

uint64_t ct_capture_reader_position(const ct_capture_reader_t *r)
{
    return r->format == CT_CAPTURE_HAR ? r->next_entry : r->lineno;
}

uint64_t ct_capture_reader_records(const ct_capture_reader_t *r)
{
    return r->records;
}

uint64_t ct_capture_reader_bad(const ct_capture_reader_t *r)
{
    return r->bad;
}

/* Reading records. */

static ct_capture_status_t bad_line(ct_capture_reader_t *r, ct_capture_bad_t *bad, uint64_t line,
                                    const char *msg)
{
    r->bad++;
    bad->line = line;
    bad->col = 0;
    snprintf(bad->message, sizeof(bad->message), "%s", msg);
    return CT_CAPTURE_BAD;
}

/* Returns CT_CAPTURE_EOF for a blank line (skipped), else a record or a bad line. */
static ct_capture_status_t parse_line(ct_capture_reader_t *r, const char *text, size_t len,
                                      int at_eof, ct_exchange_t *out, ct_capture_bad_t *bad)
{
    if (r->lineno == 1 && len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
        text += 3, len -= 3;
    if (len > 0 && text[len - 1] == '\r')
        len--;
    size_t i = 0;
    while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r'))
        i++;
    if (i == len)
        return CT_CAPTURE_EOF;
    json_error_t jerr;
    json_t *root = json_loadb(text, len, JSON_ALLOW_NUL | JSON_REJECT_DUPLICATES, &jerr);
    char msg[256];
    if (root == NULL) {
        if (at_eof)
            snprintf(msg, sizeof(msg), "truncated: the file ends inside this line (%s)", jerr.text);
        else
            snprintf(msg, sizeof(msg), "invalid JSON at column %d: %s", jerr.column, jerr.text);
        ct_capture_status_t st = bad_line(r, bad, r->lineno, msg);
        bad->col = jerr.column > 0 ? (uint32_t)jerr.column : 1;
        return st;
    }
    if (ct__capture_from_json(root, &r->store, out, msg, sizeof(msg)) != 0) {
        json_decref(root);
        return bad_line(r, bad, r->lineno, msg);
    }
    r->current = root;
    r->records++;
    return CT_CAPTURE_RECORD;
}

/* Ends the line that was just completed (by a newline, or by the end of the file). */
static ct_capture_status_t end_line(ct_capture_reader_t *r, const char *text, size_t len,
                                    int at_eof, ct_exchange_t *out, ct_capture_bad_t *bad)
{
    r->lineno++;
    if (r->skipping) {
        r->skipping = 0;
        char msg[128];
        snprintf(msg, sizeof(msg), "line too long: %llu bytes, the limit is %zu",
                 (unsigned long long)r->line_len, r->cfg.max_line_bytes);
        return bad_line(r, bad, r->lineno, msg);
    }
    ct_capture_status_t s = parse_line(r, text, len, at_eof, out, bad);
    r->line.len = 0;
    return s;
}

static ct_capture_status_t next_jsonl(ct_capture_reader_t *r, ct_exchange_t *out,
                                      ct_capture_bad_t *bad, ct_error_t *err)
{
    for (;;) {
        if (r->buf_pos == r->buf_len) {
            if (r->eof) {
                if (r->line.len == 0 && !r->skipping)
                    return CT_CAPTURE_EOF;
                ct_capture_status_t s = end_line(r, r->line.base, r->line.len, 1, out, bad);
                if (s != CT_CAPTURE_EOF)
                    return s;
                continue;
            }
            ssize_t n = read_some(r->fd, r->buf, READ_CHUNK);
            if (n < 0) {
                set_err(err, "read error: %s", strerror(errno));
                return CT_CAPTURE_ERROR;
            }
            r->eof = n == 0;
            r->buf_len = (size_t)n;
            r->buf_pos = 0;
            continue;
        }
        char *start = r->buf + r->buf_pos;
        size_t avail = r->buf_len - r->buf_pos;
        char *nl = memchr(start, '\n', avail);
        size_t seg = nl != NULL ? (size_t)(nl - start) : avail;
        r->buf_pos += seg + (nl != NULL);
        if (r->skipping) {
            r->line_len += seg;
        } else if (r->line.len + seg > r->cfg.max_line_bytes) {
            r->skipping = 1;
            r->line_len = r->line.len + seg;
            ct__buf_dispose(&r->line); /* give the memory of a huge line back */
        } else if (nl == NULL || r->line.len != 0) {
            ct__buf_append(&r->line, start, seg);
        }
        if (nl == NULL)
            continue;
        ct_capture_status_t s = r->line.len != 0 || r->skipping
                                    ? end_line(r, r->line.base, r->line.len, 0, out, bad)
                                    : end_line(r, start, seg, 0, out, bad);
        if (s != CT_CAPTURE_EOF)
            return s;
    }
}

static ct_capture_status_t next_har(ct_capture_reader_t *r, ct_exchange_t *out,
                                    ct_capture_bad_t *bad)
{
    if (r->next_entry >= json_array_size(r->entries))
        return CT_CAPTURE_EOF;
    size_t i = r->next_entry++;
    char msg[200], full[256];
    if (ct__har_entry(json_array_get(r->entries, i), &r->store, out, msg, sizeof(msg)) != 0) {
        snprintf(full, sizeof(full), "log.entries[%zu]: %s", i, msg);
        return bad_line(r, bad, i + 1, full);
    }
    r->records++;
    return CT_CAPTURE_RECORD;
}

ct_capture_status_t ct_capture_reader_next(ct_capture_reader_t *r, ct_exchange_t *out,
                                           ct_capture_bad_t *bad, ct_error_t *err)
{
    json_decref(r->current);
    r->current = NULL;
    if (r->format == CT_CAPTURE_HAR)
        return next_har(r, out, bad);
    return next_jsonl(r, out, bad, err);
}

int ct_capture_count(const char *path, const ct_capture_reader_config_t *cfg, uint64_t *count,
                     ct_error_t *err)
{
    ct_capture_reader_t *r = ct_capture_reader_open(path, cfg, err);
    if (r == NULL)
        return -1;
    *count = 0;
    if (r->format == CT_CAPTURE_HAR) {
        *count = json_array_size(r->entries);
        ct_capture_reader_close(r);
        return 0;
    }
    int in_line = 0; /* the current line has a byte other than CR */
    for (;;) {
        for (size_t i = 0; i < r->buf_len; i++) {
            if (r->buf[i] == '\n') {
                *count += in_line;
                in_line = 0;
            } else if (r->buf[i] != '\r') {
                in_line = 1;
            }
        }
        if (r->eof)
            break;
        ssize_t n = read_some(r->fd, r->buf, READ_CHUNK);
        if (n < 0) {
            set_err(err, "%s: %s", path, strerror(errno));
            ct_capture_reader_close(r);
            return -1;
        }
        r->eof = n == 0;
        r->buf_len = (size_t)n;
    }
    *count += in_line;
    ct_capture_reader_close(r);
    return 0;
}
