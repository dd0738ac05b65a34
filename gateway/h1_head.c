/* Strict HTTP/1.1 request-head reader, see h1_head.h. Grammar from RFC 9112 §2.2 (lines end in
 * CRLF, or a bare LF as picohttpparser also accepts), §3 (request line), §5 (field lines). */
#include <string.h>
#include "h1_head.h"

/* tchar (RFC 9110 §5.6.2) */
static int is_tchar(unsigned char c)
{
    static const char extra[] = "!#$%&'*+-.^_`|~";
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') ||
           (c != 0 && memchr(extra, c, sizeof(extra) - 1) != NULL);
}

/* field-vchar / obs-text / SP / HTAB (RFC 9110 §5.5): no CTL, no DEL */
static int is_value_char(unsigned char c)
{
    return c == '\t' || (c >= 0x20 && c != 0x7f);
}

static gw_h1_result_t bad(gw_h1_head_t *out, gw_problem_kind_t kind, const char *detail)
{
    out->problem = kind;
    out->detail = detail;
    return GW_H1_BAD;
}

/* The line at *pos: its content [*pos, returned end) and *next after the terminator.
 * Returns -1 when no terminator is there yet, -2 for a CR not followed by LF. */
static int next_line(const char *buf, size_t len, size_t pos, size_t *end, size_t *next)
{
    const char *lf = memchr(buf + pos, '\n', len - pos);
    if (lf == NULL) {
        const char *cr = memchr(buf + pos, '\r', len - pos);
        return cr != NULL && cr + 1 < buf + len ? -2 : -1;
    }
    size_t e = (size_t)(lf - buf);
    *next = e + 1;
    if (e > pos && buf[e - 1] == '\r')
        --e;
    if (memchr(buf + pos, '\r', e - pos) != NULL)
        return -2;
    *end = e;
    return 0;
}

static int eq_nocase(const char *a, size_t alen, const char *lit)
{
    size_t n = strlen(lit);
    if (alen != n)
        return 0;
    for (size_t i = 0; i < n; ++i)
        if ((a[i] | (a[i] >= 'A' && a[i] <= 'Z' ? 0x20 : 0)) != lit[i])
            return 0;
    return 1;
}

static gw_h1_result_t request_line(const char *s, size_t n, gw_h1_head_t *out)
{
    size_t i = 0;
    while (i < n && is_tchar((unsigned char)s[i]))
        ++i;
    if (i == 0 || i == n || s[i] != ' ')
        return bad(out, GW_PROBLEM_BAD_REQUEST, "the request line is malformed (method)");
    out->method = s, out->method_len = i;
    size_t t = ++i;
    while (i < n && s[i] != ' ') {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x21 || c == 0x7f)
            return bad(out, GW_PROBLEM_BAD_REQUEST, "the request target holds a control character");
        ++i;
    }
    if (i == t || i == n)
        return bad(out, GW_PROBLEM_BAD_REQUEST, "the request line is malformed (target)");
    out->target = s + t, out->target_len = i - t;
    const char *v = s + i + 1;
    size_t vlen = n - i - 1;
    if (vlen != 8 || memcmp(v, "HTTP/", 5) != 0 || v[5] < '0' || v[5] > '9' || v[6] != '.' ||
        v[7] < '0' || v[7] > '9')
        return bad(out, GW_PROBLEM_BAD_REQUEST, "the request line is malformed (version)");
    if (v[5] != '1' || v[7] > '1')
        return bad(out, GW_PROBLEM_HTTP_VERSION, "only HTTP/1.0 and HTTP/1.1 are served here");
    out->minor_version = v[7] - '0';
    return GW_H1_OK;
}

/* Decimal digits only; UINT64_MAX when invalid. */
static uint64_t parse_length(const char *s, size_t n)
{
    if (n == 0 || n > 19)
        return UINT64_MAX;
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) {
        if (s[i] < '0' || s[i] > '9')
            return UINT64_MAX;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    return v;
}

/* uri-host [":" port] characters (RFC 3986 §3.2.2): reg-name, IP literal, percent escapes. */
static int is_host_value(const char *s, size_t n)
{
    static const char extra[] = "-._~!$&'()*+,;=%:[]";
    for (size_t i = 0; i < n; ++i) {
        unsigned char c = (unsigned char)s[i];
        if (!((c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') ||
              memchr(extra, c, sizeof(extra) - 1) != NULL))
            return 0;
    }
    return 1;
}

typedef struct {
    unsigned hosts, lengths, codings;
} seen_t;

/* One field line: name, value with its OWS trimmed, and the framing fields' rules. */
static gw_h1_result_t field_line(const char *s, size_t n, seen_t *seen, gw_h1_head_t *out)
{
    if (s[0] == ' ' || s[0] == '\t') /* RFC 9112 §5.2 */
        return bad(out, GW_PROBLEM_BAD_REQUEST, "obsolete line folding (obs-fold) is refused");
    size_t i = 0;
    while (i < n && is_tchar((unsigned char)s[i]))
        ++i;
    if (i < n && (s[i] == ' ' || s[i] == '\t')) /* RFC 9112 §5.1 */
        return bad(out, GW_PROBLEM_BAD_REQUEST, "whitespace between a header field name and its colon");
    if (i == n || s[i] != ':')
        return bad(out, GW_PROBLEM_BAD_REQUEST, "a header field line is malformed");
    if (i == 0)
        return bad(out, GW_PROBLEM_BAD_REQUEST, "a header field name is empty");
    const char *name = s;
    size_t name_len = i++;
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        ++i;
    size_t vend = n;
    while (vend > i && (s[vend - 1] == ' ' || s[vend - 1] == '\t'))
        --vend;
    for (size_t j = i; j < vend; ++j)
        if (!is_value_char((unsigned char)s[j]))
            return bad(out, GW_PROBLEM_BAD_REQUEST, "a header field value holds a control character");
    const char *value = s + i;
    size_t value_len = vend - i;
    if (eq_nocase(name, name_len, "host")) {
        if (++seen->hosts > 1)
            return bad(out, GW_PROBLEM_BAD_REQUEST, "more than one Host header field");
        if (!is_host_value(value, value_len))
            return bad(out, GW_PROBLEM_BAD_REQUEST, "the Host header field is not a valid authority");
    } else if (eq_nocase(name, name_len, "content-length")) {
        uint64_t v = parse_length(value, value_len);
        if (v == UINT64_MAX)
            return bad(out, GW_PROBLEM_BAD_REQUEST, "the Content-Length header field is invalid");
        if (seen->lengths++ != 0 && v != out->content_length) /* RFC 9112 §6.3 ¶5 */
            return bad(out, GW_PROBLEM_BAD_REQUEST, "Content-Length header fields disagree");
        out->content_length = v;
    } else if (eq_nocase(name, name_len, "transfer-encoding")) {
        if (++seen->codings > 1)
            return bad(out, GW_PROBLEM_BAD_REQUEST, "more than one Transfer-Encoding header field");
        if (!eq_nocase(value, value_len, "chunked"))
            return bad(out, GW_PROBLEM_NOT_IMPLEMENTED,
                       "the only transfer coding accepted on requests is chunked");
        out->chunked = 1;
    } else if (eq_nocase(name, name_len, "expect")) {
        if (!eq_nocase(value, value_len, "100-continue"))
            return bad(out, GW_PROBLEM_EXPECTATION_FAILED, "the only expectation met is 100-continue");
        out->expect_continue = 1;
    }
    return GW_H1_OK;
}

/* Rules on the head as a whole (RFC 9112 §3.2, §6.1, §6.3). */
static gw_h1_result_t whole_head(const seen_t *seen, gw_h1_head_t *out)
{
    if (out->minor_version == 1 && seen->hosts == 0)
        return bad(out, GW_PROBLEM_BAD_REQUEST, "an HTTP/1.1 request without a Host header field");
    if (out->chunked && seen->lengths != 0)
        return bad(out, GW_PROBLEM_BAD_REQUEST,
                   "Content-Length together with Transfer-Encoding (request smuggling)");
    if (out->chunked && out->minor_version == 0)
        return bad(out, GW_PROBLEM_BAD_REQUEST, "Transfer-Encoding in an HTTP/1.0 request");
    return GW_H1_OK;
}

static gw_h1_result_t too_large(gw_h1_head_t *out)
{
    return bad(out, GW_PROBLEM_HEADERS_TOO_LARGE, "the request head is larger than the gateway accepts");
}

gw_h1_result_t gw_h1_head_parse(const char *buf, size_t len, const gw_h1_limits_t *limits,
                                gw_h1_head_t *out)
{
    memset(out, 0, sizeof(*out));
    out->content_length = UINT64_MAX;
    seen_t seen = {0, 0, 0};
    size_t pos = 0, end, next, fields = 0;
    if (len > limits->max_head)
        len = limits->max_head; /* nothing past the limit is ever read */
    /* RFC 9112 §2.2: one empty line before the request line is ignored */
    if (len >= 1 && buf[0] == '\n')
        pos = 1;
    else if (len >= 2 && buf[0] == '\r' && buf[1] == '\n')
        pos = 2;
    int rc = next_line(buf, len, pos, &end, &next);
    if (rc == -2)
        return bad(out, GW_PROBLEM_BAD_REQUEST, "a line ends in a bare CR");
    if (rc == -1) {
        /* fail early on what can never become a request line */
        for (size_t i = pos; i < len; ++i)
            if ((unsigned char)buf[i] < 0x20 && buf[i] != '\r')
                return bad(out, GW_PROBLEM_BAD_REQUEST, "the request line is malformed");
        return len >= limits->max_head ? too_large(out) : GW_H1_INCOMPLETE;
    }
    gw_h1_result_t r = request_line(buf + pos, end - pos, out);
    if (r != GW_H1_OK)
        return r;
    for (pos = next;; pos = next) {
        if ((rc = next_line(buf, len, pos, &end, &next)) == -2)
            return bad(out, GW_PROBLEM_BAD_REQUEST, "a line ends in a bare CR");
        if (rc == -1)
            return len >= limits->max_head ? too_large(out) : GW_H1_INCOMPLETE;
        if (end == pos)
            break;
        if (++fields > limits->max_headers)
            return bad(out, GW_PROBLEM_HEADERS_TOO_LARGE, "the request has too many header fields");
        if ((r = field_line(buf + pos, end - pos, &seen, out)) != GW_H1_OK)
            return r;
    }
    out->head_len = next;
    return whole_head(&seen, out);
}
