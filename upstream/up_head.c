/* Response heads (RFC 9112 sections 2-5) and message framing (section 6.3). */
#include "up_http.h"

#include <string.h>

static int is_ows(char c)
{
    return c == ' ' || c == '\t';
}

/* The line starting at buf[pos]: its length without CR LF / LF, and where the next one starts.
 * Returns 0 when no LF was found yet. */
static int next_line(const char *buf, size_t len, size_t pos, size_t *line_len, size_t *next)
{
    if (pos >= len)
        return 0; /* and buf may be NULL: h2o empties a consumed buffer (a 100 with no more) */
    const char *nl = memchr(buf + pos, '\n', len - pos);
    if (nl == NULL)
        return 0;
    size_t end = (size_t)(nl - buf);
    *next = end + 1;
    if (end > pos && buf[end - 1] == '\r')
        end--;
    *line_len = end - pos;
    return 1;
}

static int parse_status_line(const char *s, size_t n, up_http_head_t *out)
{
    /* HTTP-version SP status-code SP [ reason-phrase ] (RFC 9112 section 4); a missing SP after
     * the code is tolerated, as most clients do */
    if (n < 12 || memcmp(s, "HTTP/1.", 7) != 0 || (s[7] != '0' && s[7] != '1') || s[8] != ' ')
        return -1;
    for (int i = 9; i < 12; i++)
        if (s[i] < '0' || s[i] > '9')
            return -1;
    out->minor_version = s[7] - '0';
    out->status = (s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0');
    if (out->status < 100 || out->status > 599) /* RFC 9110 section 15 */
        return -1;
    if (n > 12 && s[12] != ' ')
        return -1;
    out->reason = n > 13 ? s + 13 : s + n;
    out->reason_len = n > 13 ? n - 13 : 0;
    for (size_t i = 0; i < out->reason_len; i++) {
        unsigned char c = (unsigned char)out->reason[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return -1;
    }
    return 0;
}

static int parse_field(const char *s, size_t n, up_header_t *h, const char **err)
{
    if (is_ows(s[0])) {
        *err = "obsolete line folding in the response head";
        return -1;
    }
    const char *colon = memchr(s, ':', n);
    if (colon == NULL) {
        *err = "a response header line has no colon";
        return -1;
    }
    size_t name_len = (size_t)(colon - s);
    if (!up_http_is_token(s, name_len)) {
        *err = name_len != 0 && is_ows(s[name_len - 1])
                   ? "whitespace before the colon of a response header"
                   : "invalid response header name";
        return -1;
    }
    size_t v = name_len + 1, end = n;
    while (v < end && is_ows(s[v]))
        v++;
    while (end > v && is_ows(s[end - 1]))
        end--;
    for (size_t i = v; i < end; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f) {
            *err = "control character in a response header value";
            return -1;
        }
    }
    *h = (up_header_t){s, name_len, s + v, end - v};
    return 0;
}

ssize_t up_http_parse_head(const char *buf, size_t len, up_http_head_t *out, up_header_t *headers,
                            size_t max_headers, const char **err)
{
    size_t pos = 0, n, next;
    if (!next_line(buf, len, pos, &n, &next))
        return 0;
    /* find the end first so that an incomplete head costs no field parsing */
    size_t end = next;
    for (;;) {
        size_t ln, nx;
        if (!next_line(buf, len, end, &ln, &nx))
            return 0;
        end = nx;
        if (ln == 0)
            break;
    }
    if (parse_status_line(buf, n, out) != 0) {
        *err = "invalid status line";
        return -1;
    }
    out->headers = headers;
    out->num_headers = 0;
    pos = next;
    for (;;) {
        next_line(buf, len, pos, &n, &next);
        if (n == 0)
            break;
        if (out->num_headers == max_headers) {
            *err = "too many response header fields";
            return -1;
        }
        if (parse_field(buf + pos, n, &headers[out->num_headers], err) != 0)
            return -1;
        out->num_headers++;
        pos = next;
    }
    return (ssize_t)end;
}

/* Content-Length: 1*DIGIT, or a list of identical values (RFC 9110 section 8.6); empty members
 * and signs are errors. */
static int parse_length(const char *s, size_t n, uint64_t *out)
{
    int have = 0;
    uint64_t value = 0;
    size_t i = 0;
    for (;;) {
        while (i < n && is_ows(s[i]))
            i++;
        uint64_t v = 0;
        size_t digits = 0;
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, digits++) {
            if (v > (UINT64_MAX - 9) / 10)
                return -1;
            v = v * 10 + (uint64_t)(s[i] - '0');
        }
        while (i < n && is_ows(s[i]))
            i++;
        if (digits == 0 || (have && v != value))
            return -1;
        value = v;
        have = 1;
        if (i == n)
            break;
        if (s[i++] != ',')
            return -1;
    }
    *out = value;
    return 0;
}

/* The last transfer coding of a Transfer-Encoding value. */
static int last_coding_is_chunked(const char *s, size_t n)
{
    while (n > 0 && (is_ows(s[n - 1]) || s[n - 1] == ','))
        n--;
    size_t start = n;
    while (start > 0 && s[start - 1] != ',')
        start--;
    while (start < n && is_ows(s[start]))
        start++;
    size_t end = start;
    while (end < n && s[end] != ';' && !is_ows(s[end]))
        end++;
    return up_http_name_is(s + start, end - start, "chunked");
}

int up_http_framing(const up_http_head_t *head, int method_is_head, up_http_framing_t *framing,
                     uint64_t *content_length, int *keep_alive, const char **err)
{
    int close = 0, ka = 0, have_te = 0, chunked = 0, have_cl = 0;
    uint64_t cl = 0;
    for (size_t i = 0; i < head->num_headers; i++) {
        const up_header_t *h = &head->headers[i];
        if (up_http_name_is(h->name, h->name_len, "connection")) {
            close |= up_http_list_has(h->value, h->value_len, "close");
            ka |= up_http_list_has(h->value, h->value_len, "keep-alive");
        } else if (up_http_name_is(h->name, h->name_len, "transfer-encoding")) {
            have_te = 1;
            chunked = last_coding_is_chunked(h->value, h->value_len); /* the last field counts */
        } else if (up_http_name_is(h->name, h->name_len, "content-length")) {
            uint64_t v;
            if (parse_length(h->value, h->value_len, &v) != 0 || (have_cl && v != cl)) {
                *err = "invalid Content-Length in the response";
                return -1;
            }
            cl = v;
            have_cl = 1;
        }
    }
    *keep_alive = head->minor_version >= 1 ? !close : (ka && !close);
    /* the declared length, also where no body follows (HEAD, 304): a relay repeats it */
    *content_length = have_cl ? cl : UINT64_MAX;
    if (have_te && have_cl) {
        /* section 6.3 item 3: "ought to be handled as an error" -- a response that could split
         * the stream of whoever relays it (section 11.1) */
        *err = "both Content-Length and Transfer-Encoding in the response";
        return -1;
    }
    if (method_is_head || (head->status >= 100 && head->status < 200) || head->status == 204 ||
        head->status == 304) {
        *framing = UP_HTTP_BODY_NONE;
    } else if (have_te) {
        /* section 6.3 item 4: chunked last, or the body runs until the connection closes */
        *framing = chunked ? UP_HTTP_BODY_CHUNKED : UP_HTTP_BODY_CLOSE;
        if (!chunked)
            *keep_alive = 0;
    } else if (have_cl) {
        *framing = UP_HTTP_BODY_LENGTH;
    } else {
        *framing = UP_HTTP_BODY_CLOSE;
        *keep_alive = 0;
    }
    return 0;
}

