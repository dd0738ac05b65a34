/* The scanner of the body model: byte classes, UTF-8 (RFC 3629) and escape (RFC 8259 section 7)
 * validation, string decoding and number syntax (RFC 8259 section 6). The parser (parse.c) and
 * the adapters' streaming pass share these, so both accept exactly the same texts. */
#include <stdint.h>
#include <string.h>
#include "body_internal.h"

/* Bytes that stop the string scan: '"', '\\', controls (RFC 8259 section 7) and non-ASCII. */
static const uint8_t string_stop[256] = {
    [0 ... 0x1f] = 1,
    ['"'] = 1,
    ['\\'] = 1,
    [0x80 ... 0xff] = 1,
};

/* What the escape \c stands for (RFC 8259 section 7), or 0; \u is decoded apart. */
static const char unescape[256] = {
    ['"'] = '"',  ['\\'] = '\\', ['/'] = '/',  ['b'] = '\b',
    ['f'] = '\f', ['n'] = '\n',  ['r'] = '\r', ['t'] = '\t',
};

static int is_digit(char c)
{
    return (unsigned)(c - '0') < 10;
}

static uint64_t load64le(const char *p)
{
    uint64_t w;
    memcpy(&w, p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    w = __builtin_bswap64(w);
#endif
    return w;
}

/* Length of the valid UTF-8 sequence (RFC 3629 section 4) at p[0] >= 0x80, or 0. */
static size_t utf8_length(const uint8_t *p, const uint8_t *end)
{
    uint8_t c = p[0], lo = 0x80, hi = 0xbf;
    size_t n;
    if (c < 0xc2) /* continuation byte, or an overlong C0/C1 lead */
        return 0;
    if (c < 0xe0) {
        n = 2;
    } else if (c < 0xf0) {
        n = 3;
        if (c == 0xe0)
            lo = 0xa0; /* overlong */
        else if (c == 0xed)
            hi = 0x9f; /* surrogates D800-DFFF */
    } else if (c < 0xf5) {
        n = 4;
        if (c == 0xf0)
            lo = 0x90; /* overlong */
        else if (c == 0xf4)
            hi = 0x8f; /* above U+10FFFF */
    } else {
        return 0;
    }
    if ((size_t)(end - p) < n || p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if ((p[i] & 0xc0) != 0x80)
            return 0;
    return n;
}

static int hex4(const char *p, const char *end)
{
    int cp = 0;
    if (end - p < 4)
        return -1;
    for (int i = 0; i < 4; i++) {
        int c = p[i], lower = c | 0x20;
        if (is_digit((char)c))
            cp = cp << 4 | (c - '0');
        else if (lower >= 'a' && lower <= 'f')
            cp = cp << 4 | (lower - 'a' + 10);
        else
            return -1;
    }
    return cp;
}

static char *put_utf8(char *o, unsigned cp)
{
    if (cp < 0x80) {
        *o++ = (char)cp;
    } else if (cp < 0x800) {
        *o++ = (char)(0xc0 | cp >> 6);
        *o++ = (char)(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        *o++ = (char)(0xe0 | cp >> 12);
        *o++ = (char)(0x80 | (cp >> 6 & 0x3f));
        *o++ = (char)(0x80 | (cp & 0x3f));
    } else {
        *o++ = (char)(0xf0 | cp >> 18);
        *o++ = (char)(0x80 | (cp >> 12 & 0x3f));
        *o++ = (char)(0x80 | (cp >> 6 & 0x3f));
        *o++ = (char)(0x80 | (cp & 0x3f));
    }
    return o;
}
/* ---- errors ---- */

void *body__fail(body__scan_t *sc, const char *at, body_errcode_t code, const char *message)
{
    if (sc->err == NULL)
        return NULL;
    body_error_t *e = sc->err;
    const char *line_start = sc->start, *nl;
    e->code = code;
    e->message = message;
    e->offset = (size_t)(at - sc->start);
    e->line = 1;
    while (at != line_start && (nl = memchr(line_start, '\n', (size_t)(at - line_start))) != NULL) {
        e->line++;
        line_start = nl + 1;
    }
    e->col = (unsigned)(at - line_start) + 1;
    return NULL;
}

/* Checks an escape at p[0] == '\\' (RFC 8259 section 7; a \u surrogate must be a pair) and
 * returns its end, or NULL. */
static const char *check_escape(body__scan_t *sc, const char *p)
{
    const char *end = sc->end;
    if (end - p < 2)
        return body__fail(sc, end, BODY_ESYNTAX, "unterminated string");
    if (p[1] != 'u') {
        if (unescape[(uint8_t)p[1]] == 0)
            return body__fail(sc, p, BODY_ESYNTAX, "invalid escape");
        return p + 2;
    }
    int cp = hex4(p + 2, end);
    if (cp < 0)
        return body__fail(sc, p, BODY_ESYNTAX, "invalid \\u escape");
    if (cp < 0xd800 || cp > 0xdfff)
        return p + 6;
    if (cp >= 0xdc00 || end - p < 12 || p[6] != '\\' || p[7] != 'u')
        return body__fail(sc, p, BODY_ESYNTAX, "lone surrogate in \\u escape");
    int lo = hex4(p + 8, end);
    if (lo < 0xdc00 || lo > 0xdfff)
        return body__fail(sc, p, BODY_ESYNTAX, "lone surrogate in \\u escape");
    return p + 12;
}

const char *body__scan_string(body__scan_t *sc, const char *p, int *escaped)
{
    const char *end = sc->end;
    for (;;) {
        for (; end - p >= 8; p += 8) {
            uint64_t m = body_string_stops8(load64le(p));
            if (m != 0) {
                p += __builtin_ctzll(m) >> 3;
                goto stop;
            }
        }
        while (p != end && !string_stop[(uint8_t)*p])
            p++;
        if (p == end)
            return body__fail(sc, end, BODY_ESYNTAX, "unterminated string");
    stop:
        if (*p == '"')
            return p;
        if (*p == '\\') {
            *escaped = 1;
            if ((p = check_escape(sc, p)) == NULL)
                return NULL;
        } else if ((uint8_t)*p < 0x20) {
            return body__fail(sc, p, BODY_ESYNTAX, "control character in a string");
        } else {
            size_t n = utf8_length((const uint8_t *)p, (const uint8_t *)end);
            if (n == 0)
                return body__fail(sc, p, BODY_ESYNTAX, "invalid UTF-8");
            p += n;
        }
    }
}

char *body__decode_string(const char *p, const char *q, char *o)
{
    while (p != q) {
        const char *bs = memchr(p, '\\', (size_t)(q - p));
        if (bs == NULL)
            bs = q;
        memcpy(o, p, (size_t)(bs - p));
        o += bs - p;
        if ((p = bs) == q)
            break;
        if (p[1] == 'u') {
            unsigned cp = (unsigned)hex4(p + 2, q);
            if (cp >= 0xd800 && cp <= 0xdbff) {
                cp = 0x10000 + ((cp - 0xd800) << 10) + ((unsigned)hex4(p + 8, q) - 0xdc00);
                p += 6;
            }
            o = put_utf8(o, cp);
            p += 4;
        } else {
            *o++ = unescape[(uint8_t)p[1]];
        }
        p += 2;
    }
    return o;
}

static const char *skip_digits(const char *p, const char *end)
{
    while (p != end && is_digit(*p))
        p++;
    return p;
}

/* RFC 8259 section 6: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)? */
const char *body__scan_number(body__scan_t *sc, const char *p, unsigned *out_flags)
{
    const char *end = sc->end;
    unsigned flags = BODY_INTEGER;
    if (*p == '-')
        p++;
    if (p == end || !is_digit(*p))
        return body__fail(sc, p, BODY_ESYNTAX, "expected a digit");
    if (*p == '0') {
        if (++p != end && is_digit(*p))
            return body__fail(sc, p - 1, BODY_ESYNTAX, "leading zero in a number");
    } else {
        p = skip_digits(p + 1, end);
    }
    if (p != end && *p == '.') {
        flags = 0;
        if (++p == end || !is_digit(*p))
            return body__fail(sc, p, BODY_ESYNTAX, "expected a digit after '.'");
        p = skip_digits(p + 1, end);
    }
    if (p != end && (*p | 0x20) == 'e') {
        flags = 0;
        if (++p != end && (*p == '+' || *p == '-'))
            p++;
        if (p == end || !is_digit(*p))
            return body__fail(sc, p, BODY_ESYNTAX, "expected a digit in the exponent");
        p = skip_digits(p + 1, end);
    }
    *out_flags = flags;
    return p;
}

/* ---- scanning without building (adapters/stream.c) ---- */

const char *body_scan_string(const char *p, const char *end, int *escaped)
{
    body__scan_t sc = {p, end, NULL};
    *escaped = 0;
    return body__scan_string(&sc, p, escaped);
}

const char *body_scan_number(const char *p, const char *end, unsigned *flags)
{
    body__scan_t sc = {p, end, NULL};
    return body__scan_number(&sc, p, flags);
}

int body_utf8_valid(const char *s, size_t len)
{
    const uint8_t *p = (const uint8_t *)s, *end = p + len;
    while (p != end) {
        if (*p < 0x80) {
            p++;
            continue;
        }
        size_t n = utf8_length(p, end);
        if (n == 0)
            return 0;
        p += n;
    }
    return 1;
}
