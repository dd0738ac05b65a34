/* RFC 9457 problem details: the stable type/title/status table and a bounded JSON renderer. */
#include "problem.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define TYPE_BASE "https://versa.dev/problems/"

static const struct {
    int status;
    const char *title;
    const char *type;
} kinds[GW_PROBLEM__COUNT] = {
    [GW_PROBLEM_NO_ROUTE] = {404, "No API for this path", TYPE_BASE "no-route"},
    [GW_PROBLEM_UNKNOWN_VERSION] = {404, "Unknown API version", TYPE_BASE "unknown-version"},
    [GW_PROBLEM_NOT_ACCEPTABLE] = {406, "Requested version not available",
                                   TYPE_BASE "not-acceptable"},
    [GW_PROBLEM_BAD_VERSION_HEADER] = {400, "Unknown API version in header",
                                       TYPE_BASE "bad-version-header"},
    [GW_PROBLEM_VERSION_CONFLICT] = {400, "Conflicting version selectors",
                                     TYPE_BASE "version-conflict"},
    [GW_PROBLEM_BAD_REQUEST] = {400, "Bad request", TYPE_BASE "bad-request"},
    [GW_PROBLEM_NOT_FOUND] = {404, "Not found", TYPE_BASE "not-found"},
    [GW_PROBLEM_METHOD_NOT_ALLOWED] = {405, "Method not allowed", TYPE_BASE "method-not-allowed"},
    [GW_PROBLEM_BODY_TOO_LARGE] = {413, "Request body too large", TYPE_BASE "body-too-large"},
    [GW_PROBLEM_GONE] = {410, "Gone", TYPE_BASE "gone"},
    [GW_PROBLEM_UPSTREAM_UNAVAILABLE] = {502, "Upstream unavailable",
                                         TYPE_BASE "upstream-unavailable"},
    [GW_PROBLEM_UPSTREAM_TIMEOUT] = {504, "Upstream timed out", TYPE_BASE "upstream-timeout"},
    [GW_PROBLEM_SHUTTING_DOWN] = {503, "Shutting down", TYPE_BASE "shutting-down"},
    [GW_PROBLEM_INTERNAL] = {500, "Internal error", TYPE_BASE "internal"},
    [GW_PROBLEM_HEADERS_TOO_LARGE] = {431, "Request header fields too large",
                                      TYPE_BASE "headers-too-large"},
    [GW_PROBLEM_NOT_IMPLEMENTED] = {501, "Not implemented", TYPE_BASE "not-implemented"},
    [GW_PROBLEM_HTTP_VERSION] = {505, "HTTP version not supported", TYPE_BASE "http-version"},
    [GW_PROBLEM_EXPECTATION_FAILED] = {417, "Expectation failed", TYPE_BASE "expectation-failed"},
    [GW_PROBLEM_BODY_BUDGET] = {503, "Request body memory exhausted", TYPE_BASE "body-budget"},
    [GW_PROBLEM_UPSTREAM_BUSY] = {503, "Upstream busy", TYPE_BASE "upstream-busy"},
    [GW_PROBLEM_CONTRACT] = {400, "Request does not match the API contract",
                             TYPE_BASE "contract-violation"},
    [GW_PROBLEM_UNSUPPORTED_MEDIA_TYPE] = {415, "Unsupported media type",
                                           TYPE_BASE "unsupported-media-type"},
    [GW_PROBLEM_UPSTREAM_CONTRACT] = {502, "Upstream answer does not match the API contract",
                                      TYPE_BASE "upstream-contract-violation"},
    [GW_PROBLEM_INVALID_CONFIG] = {422, "Invalid configuration", TYPE_BASE "invalid-config"},
};

static gw_problem_kind_t checked(gw_problem_kind_t kind)
{
    return (unsigned)kind < GW_PROBLEM__COUNT ? kind : GW_PROBLEM_INTERNAL;
}

int gw_problem_status(gw_problem_kind_t kind)
{
    return kinds[checked(kind)].status;
}

const char *gw_problem_title(gw_problem_kind_t kind)
{
    return kinds[checked(kind)].title;
}

const char *gw_problem_type(gw_problem_kind_t kind)
{
    return kinds[checked(kind)].type;
}

/* Length of the valid UTF-8 sequence at s (RFC 3629: no overlongs, surrogates or values above
 * U+10FFFF), or 0 when the bytes there are not one. */
static size_t utf8_len(const unsigned char *s, const unsigned char *end)
{
    unsigned c = s[0];
    size_t n;
    unsigned lo = 0x80, hi = 0xbf;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        n = 2;
    else if (c >= 0xe0 && c <= 0xef)
        n = 3, lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
    else if (c >= 0xf0 && c <= 0xf4)
        n = 4, lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
    else
        return 0;
    if ((size_t)(end - s) < n || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < n; ++i)
        if (s[i] < 0x80 || s[i] > 0xbf)
            return 0;
    return n;
}

/* The JSON spelling (RFC 8259 §7) of the character at *s into unit (at most 6 bytes + NUL);
 * invalid UTF-8 becomes U+FFFD so the body is always valid JSON. Advances *s. */
static size_t escape_unit(const unsigned char **s, const unsigned char *end, char *unit)
{
    unsigned c = **s;
    size_t n = utf8_len(*s, end);
    if (n == 0) {
        *s += 1;
        memcpy(unit, "\xef\xbf\xbd", 3);
        return 3;
    }
    *s += n;
    if (n > 1) {
        memcpy(unit, *s - n, n);
        return n;
    }
    switch (c) {
    case '"':
        return (size_t)sprintf(unit, "\\\"");
    case '\\':
        return (size_t)sprintf(unit, "\\\\");
    case '\n':
        return (size_t)sprintf(unit, "\\n");
    case '\r':
        return (size_t)sprintf(unit, "\\r");
    case '\t':
        return (size_t)sprintf(unit, "\\t");
    default:
        if (c < 0x20 || c == 0x7f)
            return (size_t)sprintf(unit, "\\u%04x", c);
        unit[0] = (char)c;
        return 1;
    }
}

static size_t escaped_len(const char *s)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + strlen(s);
    size_t total = 0;
    char unit[8];
    while (p != end)
        total += escape_unit(&p, end, unit);
    return total;
}

typedef struct st_out_t {
    char *buf;
    size_t len, cap; /* cap excludes the NUL */
} out_t;

static void put(out_t *o, const char *s, size_t n)
{
    memcpy(o->buf + o->len, s, n);
    o->len += n;
}

/* Writes the escaped string, cut at a character boundary so that it fits in `room` bytes; a cut
 * string ends with "..." when that fits. */
static void put_escaped(out_t *o, const char *s, size_t room)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + strlen(s);
    size_t full = escaped_len(s), used = 0;
    size_t limit = full <= room ? room : (room >= 3 ? room - 3 : 0);
    char unit[8];
    while (p != end) {
        size_t n = escape_unit(&p, end, unit);
        if (used + n > limit)
            break;
        put(o, unit, n);
        used += n;
    }
    if (full > room && room >= 3)
        put(o, "...", 3);
}

size_t gw_problem_render(char *buf, size_t size, gw_problem_kind_t kind, const char *detail,
                         const char *instance)
{
    if (size == 0)
        return 0;
    kind = checked(kind);
    char head[256];
    int head_len = snprintf(head, sizeof(head), "{\"type\":\"%s\",\"title\":\"%s\",\"status\":%d",
                            kinds[kind].type, kinds[kind].title, kinds[kind].status);
    static const char detail_key[] = ",\"detail\":\"", instance_key[] = ",\"instance\":\"";
    out_t o = {buf, 0, size - 1};
    size_t fixed = (size_t)head_len + 1; /* the closing brace */
    if (fixed > o.cap) {
        /* Too small for any member: the empty object is still valid JSON. */
        if (o.cap >= 2)
            put(&o, "{}", 2);
        buf[o.len] = '\0';
        return o.len;
    }
    /* The request id is useless when cut, so it goes in whole or not at all; detail takes what
     * is left. */
    size_t instance_size = 0;
    if (instance != NULL) {
        instance_size = sizeof(instance_key) - 1 + escaped_len(instance) + 1;
        if (fixed + instance_size > o.cap)
            instance_size = 0;
    }
    put(&o, head, (size_t)head_len);
    size_t detail_fixed = sizeof(detail_key) - 1 + 1;
    if (detail != NULL && fixed + instance_size + detail_fixed <= o.cap) {
        put(&o, detail_key, sizeof(detail_key) - 1);
        put_escaped(&o, detail, o.cap - o.len - 1 - instance_size - 1);
        put(&o, "\"", 1);
    }
    if (instance_size != 0) {
        put(&o, instance_key, sizeof(instance_key) - 1);
        put_escaped(&o, instance, SIZE_MAX);
        put(&o, "\"", 1);
    }
    put(&o, "}", 1);
    buf[o.len] = '\0';
    return o.len;
}
