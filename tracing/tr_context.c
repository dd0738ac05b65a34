/* W3C Trace Context fields: traceparent parsing and writing, tracestate checks and truncation
 * (https://www.w3.org/TR/trace-context/, section numbers below are that document's). */
#include "tr_context.h"

#include <string.h>

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f') /* §3.2.2: HEXDIGLC, lowercase only */
        return c - 'a' + 10;
    return -1;
}

static int read_hex(const char *s, size_t n, uint8_t *out)
{
    for (size_t i = 0; i != n; ++i) {
        int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

int tr_id_is_zero(const uint8_t *id, size_t n)
{
    for (size_t i = 0; i != n; ++i)
        if (id[i] != 0)
            return 0;
    return 1;
}

int tr_traceparent_parse(const char *s, size_t len, tr_context_t *out)
{
    uint8_t version;
    if (len < TR_TRACEPARENT_LEN || read_hex(s, 1, &version) != 0 || version == 0xff)
        return -1; /* §3.2.2.1: ff is invalid */
    /* §3.2.4: version 00 is exactly 55 characters; a later version may append fields after a
     * '-', and is read as far as version 00 goes */
    if (version == 0 ? len != TR_TRACEPARENT_LEN : len > TR_TRACEPARENT_LEN && s[55] != '-')
        return -1;
    if (s[2] != '-' || s[35] != '-' || s[52] != '-')
        return -1;
    tr_context_t c;
    if (read_hex(s + 3, 16, c.trace_id) != 0 || read_hex(s + 36, 8, c.span_id) != 0 ||
        read_hex(s + 53, 1, &c.flags) != 0)
        return -1;
    /* §3.2.2.3, §3.2.2.4: all-zero ids are invalid */
    if (tr_id_is_zero(c.trace_id, 16) || tr_id_is_zero(c.span_id, 8))
        return -1;
    *out = c;
    return 0;
}

void tr_hex(const uint8_t *bytes, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i != n; ++i) {
        out[2 * i] = digits[bytes[i] >> 4];
        out[2 * i + 1] = digits[bytes[i] & 15];
    }
}

void tr_traceparent_format(const uint8_t trace_id[16], const uint8_t span_id[8], uint8_t flags,
                           char out[TR_TRACEPARENT_LEN])
{
    uint8_t f = flags & TR_FLAG_SAMPLED;
    memcpy(out, "00-", 3);
    tr_hex(trace_id, 16, out + 3);
    out[35] = '-';
    tr_hex(span_id, 8, out + 36);
    out[52] = '-';
    tr_hex(&f, 1, out + 53);
}

/* --- tracestate (§3.3.1) --- */

static int is_lcalpha(char c)
{
    return c >= 'a' && c <= 'z';
}

static int is_key_char(char c)
{
    return is_lcalpha(c) || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '*' || c == '/';
}

/* §3.3.1.3.1: simple-key = lcalpha 0*255(keychar); multi-tenant-key = tenant-id "@" system-id,
 * tenant-id = (lcalpha / DIGIT) 0*240(keychar), system-id = lcalpha 0*13(keychar). */
static int valid_key(const char *k, size_t n)
{
    const char *at = memchr(k, '@', n);
    if (at == NULL) {
        if (n == 0 || n > 256 || !is_lcalpha(k[0]))
            return 0;
        for (size_t i = 1; i != n; ++i)
            if (!is_key_char(k[i]))
                return 0;
        return 1;
    }
    size_t tn = (size_t)(at - k), sn = n - tn - 1;
    if (tn == 0 || tn > 241 || sn == 0 || sn > 14)
        return 0;
    if (!is_lcalpha(k[0]) && !(k[0] >= '0' && k[0] <= '9'))
        return 0;
    if (!is_lcalpha(at[1]))
        return 0;
    for (size_t i = 1; i != tn; ++i)
        if (!is_key_char(k[i]))
            return 0;
    for (size_t i = 2; i != sn + 1; ++i)
        if (!is_key_char(at[i]))
            return 0;
    return 1;
}

/* §3.3.1.3.2: value = 0*255(chr) nblk-chr; nblk-chr = %x21-2B / %x2D-3C / %x3E-7E, chr adds
 * the space. */
static int valid_value(const char *v, size_t n)
{
    if (n == 0 || n > 256 || v[n - 1] == ' ')
        return 0;
    for (size_t i = 0; i != n; ++i)
        if (v[i] < 0x20 || v[i] > 0x7e || v[i] == ',' || v[i] == '=')
            return 0;
    return 1;
}

typedef struct {
    const char *p;
    size_t len, key_len;
    int keep;
} member_t;

static int is_ows(char c)
{
    return c == ' ' || c == '\t';
}

/* The length of the kept members joined with ','. */
static size_t kept_len(const member_t *m, size_t n)
{
    size_t total = 0, kept = 0;
    for (size_t i = 0; i != n; ++i)
        if (m[i].keep)
            total += m[i].len + (kept++ != 0);
    return total;
}

size_t tr_tracestate_sanitise(const char *in, size_t len, char *out, size_t cap)
{
    member_t m[TR_TRACESTATE_MAX_MEMBERS];
    size_t n = 0;
    if (cap > TR_TRACESTATE_MAX)
        cap = TR_TRACESTATE_MAX;
    for (size_t pos = 0; pos <= len;) {
        size_t end = pos;
        while (end < len && in[end] != ',')
            ++end;
        size_t a = pos, b = end; /* §3.3.1.2: OWS around members; empty members are allowed */
        while (a < b && is_ows(in[a]))
            ++a;
        while (b > a && is_ows(in[b - 1]))
            --b;
        pos = end + 1;
        if (a == b)
            continue;
        const char *eq = memchr(in + a, '=', b - a);
        if (eq == NULL || n == TR_TRACESTATE_MAX_MEMBERS)
            return 0;
        size_t key_len = (size_t)(eq - (in + a));
        if (!valid_key(in + a, key_len) || !valid_value(eq + 1, b - a - key_len - 1))
            return 0;
        for (size_t i = 0; i != n; ++i) /* §3.3.1.1: keys are unique */
            if (m[i].key_len == key_len && memcmp(m[i].p, in + a, key_len) == 0)
                return 0;
        m[n++] = (member_t){in + a, b - a, key_len, 1};
    }
    /* §3.3.1.5: over the bound, members over 128 characters go first, then from the end */
    for (size_t i = 0; i != n && kept_len(m, n) > cap; ++i)
        if (m[i].len > 128)
            m[i].keep = 0;
    for (size_t i = n; i-- != 0 && kept_len(m, n) > cap;)
        m[i].keep = 0;
    size_t o = 0;
    for (size_t i = 0; i != n; ++i) {
        if (!m[i].keep)
            continue;
        if (o != 0)
            out[o++] = ',';
        memcpy(out + o, m[i].p, m[i].len);
        o += m[i].len;
    }
    return o;
}
