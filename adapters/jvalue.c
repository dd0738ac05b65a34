/* The adapters' JSON model (jvalue.h): an iterative zero-copy parser, a byte-exact writer, and
 * the constructors, accessors and edits the engine uses on bodies in flight. */
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "jvalue.h"

/* ---- memory ---- */

void *adp__jalloc(const adp_mem_t *mem, size_t size)
{
    return mem->alloc(mem->ctx, size);
}

static adp__jv_t *new_value(const adp_mem_t *mem, adp__jtype_t type, unsigned flags)
{
    adp__jv_t *v = adp__jalloc(mem, sizeof(*v));
    v->type = (uint8_t)type;
    v->flags = (uint8_t)flags;
    v->len = 0;
    v->cap = 0;
    v->u.str = NULL;
    return v;
}

/* Scratch memory of the parser (not from `mem`): aborts on failure like the allocator. */
static void *xrealloc(void *p, size_t size)
{
    if ((p = realloc(p, size)) == NULL)
        abort();
    return p;
}

/* ---- byte classes ---- */

/* Bytes that stop the string scan: '"', '\\', controls (RFC 8259 section 7) and non-ASCII. */
static const uint8_t string_stop[256] = {
    [0 ... 0x1f] = 1,
    ['"'] = 1,
    ['\\'] = 1,
    [0x80 ... 0xff] = 1,
};

/* How the writer escapes a byte: 0 as it is, 'u' as \u00XX, else a backslash and this. */
/* clang-format off */
static const char escape_as[256] = {
    'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'b', 't', 'n', 'u', 'f', 'r', 'u', 'u',
    'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u',
    ['"'] = '"', ['\\'] = '\\',
};
/* clang-format on */

/* What the escape \c stands for (RFC 8259 section 7), or 0; \u is decoded apart. */
static const char unescape[256] = {
    ['"'] = '"',  ['\\'] = '\\', ['/'] = '/',  ['b'] = '\b',
    ['f'] = '\f', ['n'] = '\n',  ['r'] = '\r', ['t'] = '\t',
};

static int is_digit(char c)
{
    return (unsigned)(c - '0') < 10;
}

static int needs_escape(const char *s, size_t len)
{
    for (size_t i = 0; i != len; i++)
        if (escape_as[(uint8_t)s[i]] != 0)
            return 1;
    return 0;
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

/* The high bit set in each byte of `w` (first byte lowest) that is '"', '\\', < 0x20 or >= 0x80.
 * Borrows only come out of matching bytes, so bits above the lowest may be false; the lowest is
 * exact, which is all the scan uses. */
static uint64_t string_stops8(uint64_t w)
{
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');
    return (((q - ones) & ~q) | ((b - ones) & ~b) | ((w - ones * 0x20) & ~w) | w) & highs;
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

/* ---- parser ---- */

typedef struct st_parser_t {
    const adp_mem_t *mem;
    const char *start, *end;
    adp__jerror_t *err;
    /* children of the open containers, innermost last; an array's entries use only `value` */
    adp__jmember_t *kids;
    size_t nkids, kids_cap;
    uint32_t *table; /* duplicate-name table for objects of more than SMALL_OBJECT members */
    size_t table_cap;
    /* the document's memory, taken from `mem` in slabs: one allocator call per slab instead of
     * one per value */
    char *slab;
    size_t slab_left, slab_size;
    adp__jmember_t *first_kids; /* the caller's stack array kids start in (FIRST_KIDS) */
} parser_t;

#define FIRST_KIDS 64

#define SLAB_MIN 1024
#define SLAB_MAX (64 * 1024)

/* 8-byte aligned memory for the document being parsed. */
static void *ps_alloc(parser_t *ps, size_t size)
{
    size = (size + 7) & ~(size_t)7;
    if (size > ps->slab_left) {
        if (size > ps->slab_size / 4) /* large: its own piece; the slab keeps serving */
            return adp__jalloc(ps->mem, size);
        ps->slab = adp__jalloc(ps->mem, ps->slab_size);
        ps->slab_left = ps->slab_size;
        if (ps->slab_size < SLAB_MAX)
            ps->slab_size *= 2;
    }
    void *p = ps->slab;
    ps->slab += size;
    ps->slab_left -= size;
    return p;
}

static adp__jv_t *parse_value_new(parser_t *ps, adp__jtype_t type, unsigned flags)
{
    adp__jv_t *v = ps_alloc(ps, sizeof(*v));
    *v = (adp__jv_t){.type = (uint8_t)type, .flags = (uint8_t)flags};
    return v;
}

#define SMALL_OBJECT 16

static void *fail(parser_t *ps, const char *at, const char *message)
{
    if (ps->err == NULL)
        return NULL;
    adp__jerror_t *e = ps->err;
    const char *line_start = ps->start, *nl;
    e->message = message;
    e->offset = (size_t)(at - ps->start);
    e->line = 1;
    while (at != line_start && (nl = memchr(line_start, '\n', (size_t)(at - line_start))) != NULL) {
        e->line++;
        line_start = nl + 1;
    }
    e->col = (unsigned)(at - line_start) + 1;
    return NULL;
}

static const char *skip_ws(const char *p, const char *end)
{
    while (p != end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
        p++;
    return p;
}

/* Checks an escape at p[0] == '\\' (RFC 8259 section 7; a \u surrogate must be a pair) and
 * returns its end, or NULL. */
static const char *check_escape(parser_t *ps, const char *p)
{
    const char *end = ps->end;
    if (end - p < 2)
        return fail(ps, end, "unterminated string");
    if (p[1] != 'u') {
        if (unescape[(uint8_t)p[1]] == 0)
            return fail(ps, p, "invalid escape");
        return p + 2;
    }
    int cp = hex4(p + 2, end);
    if (cp < 0)
        return fail(ps, p, "invalid \\u escape");
    if (cp < 0xd800 || cp > 0xdfff)
        return p + 6;
    if (cp >= 0xdc00 || end - p < 12 || p[6] != '\\' || p[7] != 'u')
        return fail(ps, p, "lone surrogate in \\u escape");
    int lo = hex4(p + 8, end);
    if (lo < 0xdc00 || lo > 0xdfff)
        return fail(ps, p, "lone surrogate in \\u escape");
    return p + 12;
}

/* Scans the string body at p (after the opening quote) and returns its closing quote, or NULL.
 * Everything is validated here, so decode_string cannot fail. */
static const char *scan_string(parser_t *ps, const char *p, int *escaped)
{
    const char *end = ps->end;
    for (;;) {
        for (; end - p >= 8; p += 8) {
            uint64_t m = string_stops8(load64le(p));
            if (m != 0) {
                p += __builtin_ctzll(m) >> 3;
                goto stop;
            }
        }
        while (p != end && !string_stop[(uint8_t)*p])
            p++;
        if (p == end)
            return fail(ps, end, "unterminated string");
    stop:
        if (*p == '"')
            return p;
        if (*p == '\\') {
            *escaped = 1;
            if ((p = check_escape(ps, p)) == NULL)
                return NULL;
        } else if ((uint8_t)*p < 0x20) {
            return fail(ps, p, "control character in a string");
        } else {
            size_t n = utf8_length((const uint8_t *)p, (const uint8_t *)end);
            if (n == 0)
                return fail(ps, p, "invalid UTF-8");
            p += n;
        }
    }
}

/* Decodes the checked string body [p, q) into `out`; returns the end of the output. */
static char *decode_string(const char *p, const char *q, char *o)
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

/* Parses the string whose opening quote is at p; returns the byte after the closing quote. */
static const char *parse_string(parser_t *ps, const char *p, const char **str, uint32_t *len,
                                uint32_t *flags)
{
    int escaped = 0;
    const char *q = scan_string(ps, ++p, &escaped);
    if (q == NULL)
        return NULL;
    if (!escaped) {
        *str = p;
        *len = (uint32_t)(q - p);
        *flags = ADP__JF_VERBATIM;
    } else {
        char *o = ps_alloc(ps, (size_t)(q - p)); /* escapes only shrink */
        *str = o;
        *len = (uint32_t)(decode_string(p, q, o) - o);
        *flags = 0;
    }
    return q + 1;
}

static const char *parse_string_value(parser_t *ps, const char *p, adp__jv_t **out)
{
    const char *s;
    uint32_t len, flags;
    if ((p = parse_string(ps, p, &s, &len, &flags)) == NULL)
        return NULL;
    adp__jv_t *v = parse_value_new(ps, ADP__J_STRING, flags);
    v->u.str = s;
    v->len = len;
    *out = v;
    return p;
}

static const char *skip_digits(const char *p, const char *end)
{
    while (p != end && is_digit(*p))
        p++;
    return p;
}

/* RFC 8259 section 6: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)? */
static const char *scan_number(parser_t *ps, const char *p, unsigned *out_flags)
{
    const char *end = ps->end;
    unsigned flags = ADP__JF_INTEGER;
    if (*p == '-')
        p++;
    if (p == end || !is_digit(*p))
        return fail(ps, p, "expected a digit");
    if (*p == '0') {
        if (++p != end && is_digit(*p))
            return fail(ps, p - 1, "leading zero in a number");
    } else {
        p = skip_digits(p + 1, end);
    }
    if (p != end && *p == '.') {
        flags = 0;
        if (++p == end || !is_digit(*p))
            return fail(ps, p, "expected a digit after '.'");
        p = skip_digits(p + 1, end);
    }
    if (p != end && (*p | 0x20) == 'e') {
        flags = 0;
        if (++p != end && (*p == '+' || *p == '-'))
            p++;
        if (p == end || !is_digit(*p))
            return fail(ps, p, "expected a digit in the exponent");
        p = skip_digits(p + 1, end);
    }
    *out_flags = flags;
    return p;
}

static const char *parse_number(parser_t *ps, const char *p, adp__jv_t **out)
{
    unsigned flags;
    const char *q = scan_number(ps, p, &flags);
    if (q == NULL)
        return NULL;
    adp__jv_t *v = parse_value_new(ps, ADP__J_NUMBER, flags);
    v->u.str = p;
    v->len = (uint32_t)(q - p);
    *out = v;
    return q;
}

static const char *parse_literal(parser_t *ps, const char *p, adp__jv_t **out)
{
    static const struct {
        const char *text;
        size_t len;
        adp__jtype_t type;
    } lits[] = {{"null", 4, ADP__J_NULL}, {"false", 5, ADP__J_FALSE}, {"true", 4, ADP__J_TRUE}};
    for (size_t i = 0; i < sizeof(lits) / sizeof(lits[0]); i++) {
        if (*p == lits[i].text[0]) {
            if ((size_t)(ps->end - p) < lits[i].len || memcmp(p, lits[i].text, lits[i].len) != 0)
                break;
            *out = parse_value_new(ps, lits[i].type, 0);
            return p + lits[i].len;
        }
    }
    return fail(ps, p, "invalid literal");
}

static adp__jmember_t *push_kid(parser_t *ps)
{
    if (ps->nkids == ps->kids_cap) {
        size_t cap = ps->kids_cap * 2;
        if (ps->kids == ps->first_kids) {
            ps->kids = xrealloc(NULL, cap * sizeof(*ps->kids));
            memcpy(ps->kids, ps->first_kids, FIRST_KIDS * sizeof(*ps->kids));
        } else {
            ps->kids = xrealloc(ps->kids, cap * sizeof(*ps->kids));
        }
        ps->kids_cap = cap;
    }
    return ps->kids + ps->nkids++;
}

static int same_bytes(const char *a, size_t alen, const char *b, size_t blen)
{
    return alen == blen && adp__bytes_eq(a, b, alen);
}

static int same_key(const adp__jmember_t *a, const adp__jmember_t *b)
{
    return same_bytes(a->key, a->len, b->key, b->len);
}

/* Seeded from addresses (ASLR), so colliding names cannot be precomputed for every process. */
static uint64_t hash_key(const adp__jmember_t *m, uint64_t seed)
{
    const char *k = m->key;
    size_t n = m->len;
    uint64_t h = seed ^ (n * 0x9e3779b97f4a7c15u), w;
    for (;; k += 8, n -= 8) {
        w = 0;
        memcpy(&w, k, n < 8 ? n : 8);
        h ^= w;
        h ^= h >> 33;
        h *= 0xff51afd7ed558ccdu;
        h ^= h >> 29;
        if (n <= 8)
            return h;
    }
}

/* Marks each later duplicate of an earlier name (value = NULL) after moving its value into the
 * earlier member. Returns the number marked. Small objects compare pairwise. */
static size_t mark_duplicates_small(adp__jmember_t *m, size_t n)
{
    size_t dups = 0;
    for (size_t i = 1; i < n; i++) {
        for (size_t j = 0; j < i; j++) {
            if (m[j].value != NULL && same_key(m + i, m + j)) {
                m[j].value = m[i].value;
                m[i].value = NULL;
                dups++;
                break;
            }
        }
    }
    return dups;
}

/* The same through a temporary open-addressing table, linear in n. */
static size_t mark_duplicates_large(parser_t *ps, adp__jmember_t *m, size_t n)
{
    size_t cap = 64, dups = 0;
    while (cap < 2 * n)
        cap *= 2;
    if (cap > ps->table_cap) {
        free(ps->table);
        ps->table = xrealloc(NULL, cap * sizeof(*ps->table));
        ps->table_cap = cap;
    }
    memset(ps->table, 0, cap * sizeof(*ps->table));
    uint64_t seed = ((uintptr_t)ps->table ^ (uintptr_t)&cap) * 0x9e3779b97f4a7c15u;
    for (size_t i = 0; i < n; i++) {
        size_t slot = (size_t)hash_key(m + i, seed) & (cap - 1);
        for (;; slot = (slot + 1) & (cap - 1)) {
            uint32_t j = ps->table[slot];
            if (j == 0) {
                ps->table[slot] = (uint32_t)i + 1;
                break;
            }
            if (same_key(m + i, m + j - 1)) {
                m[j - 1].value = m[i].value;
                m[i].value = NULL;
                dups++;
                break;
            }
        }
    }
    return dups;
}

/* Merges duplicate names (the last value in the first position, as jansson does); returns the
 * member count left. */
/* 0 when the names certainly differ: one bit per (length, first and last byte) signature, so a
 * typical object (names of distinct shapes) is cleared in one pass. */
static int may_have_duplicates(const adp__jmember_t *m, size_t n)
{
    uint64_t seen = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned sig = m[i].len * 7u;
        if (m[i].len != 0)
            sig += (uint8_t)m[i].key[0] * 3u + (uint8_t)m[i].key[m[i].len - 1];
        uint64_t bit = (uint64_t)1 << (sig & 63);
        if (seen & bit)
            return 1;
        seen |= bit;
    }
    return 0;
}

static size_t merge_duplicates(parser_t *ps, adp__jmember_t *m, size_t n)
{
    if (n <= SMALL_OBJECT && !may_have_duplicates(m, n))
        return n;
    size_t dups = n <= SMALL_OBJECT ? mark_duplicates_small(m, n) : mark_duplicates_large(ps, m, n);
    if (dups == 0)
        return n;
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        if (m[i].value != NULL)
            m[w++] = m[i];
    return w;
}

/* Moves the children of `c` (kids from c->cap on, set when it opened) into exact-size memory. */
static void close_container(parser_t *ps, adp__jv_t *c)
{
    size_t base = c->cap, n = ps->nkids - base;
    adp__jmember_t *kids = ps->kids + base;
    if (c->type == ADP__J_OBJECT) {
        if (n > 1)
            n = merge_duplicates(ps, kids, n);
        if (n != 0) {
            c->u.members = ps_alloc(ps, n * sizeof(*c->u.members));
            memcpy(c->u.members, kids, n * sizeof(*c->u.members));
        }
    } else if (n != 0) {
        c->u.items = ps_alloc(ps, n * sizeof(*c->u.items));
        for (size_t i = 0; i < n; i++)
            c->u.items[i] = kids[i].value;
    }
    c->len = c->cap = (uint32_t)n;
    ps->nkids = base;
}

/* Parses a member name and its ':' at p; returns the start of the value. */
static const char *parse_name(parser_t *ps, const char *p)
{
    if (p == ps->end || *p != '"')
        return fail(ps, p, "expected a member name");
    adp__jmember_t *m = push_kid(ps);
    m->value = NULL;
    if ((p = parse_string(ps, p, &m->key, &m->len, &m->flags)) == NULL)
        return NULL;
    p = skip_ws(p, ps->end);
    if (p == ps->end || *p != ':')
        return fail(ps, p, "expected ':'");
    return p + 1;
}

/* Iterative: `open` holds the containers being filled, their children wait in ps->kids. */
static adp__jv_t *parse(parser_t *ps)
{
    adp__jv_t *open[ADP__JSON_MAX_DEPTH], *v = NULL;
    size_t depth = 0;
    const char *p = skip_ws(ps->start, ps->end), *end = ps->end;

    if (p == end)
        return fail(ps, p, "empty input");
value:
    p = skip_ws(p, end);
    if (p == end)
        return fail(ps, p, "expected a value");
    switch (*p) {
    case '"':
        if ((p = parse_string_value(ps, p, &v)) == NULL)
            return NULL;
        break;
    case '-':
    case '0' ... '9':
        if ((p = parse_number(ps, p, &v)) == NULL)
            return NULL;
        break;
    case 'n':
    case 'f':
    case 't':
        if ((p = parse_literal(ps, p, &v)) == NULL)
            return NULL;
        break;
    case '[':
    case '{':
        if (depth == ADP__JSON_MAX_DEPTH)
            return fail(ps, p, "nesting too deep");
        v = parse_value_new(ps, *p == '[' ? ADP__J_ARRAY : ADP__J_OBJECT, 0);
        v->cap = (uint32_t)ps->nkids; /* where its children start, until it closes */
        open[depth++] = v;
        p = skip_ws(p + 1, end);
        if (p != end && *p == (v->type == ADP__J_ARRAY ? ']' : '}')) {
            p++;
            depth--;
            v->cap = 0;
            break;
        }
        if (v->type == ADP__J_ARRAY)
            goto value;
        if ((p = parse_name(ps, p)) == NULL)
            return NULL;
        goto value;
    default:
        return fail(ps, p, "expected a value");
    }

    /* `v` is complete: add it to the innermost open container, then see what follows */
    while (depth != 0) {
        adp__jv_t *c = open[depth - 1];
        int is_array = c->type == ADP__J_ARRAY;
        if (is_array)
            push_kid(ps)->value = v;
        else
            ps->kids[ps->nkids - 1].value = v;
        p = skip_ws(p, end);
        if (p != end && *p == ',') {
            if (is_array) {
                p++;
                goto value;
            }
            if ((p = parse_name(ps, skip_ws(p + 1, end))) == NULL)
                return NULL;
            goto value;
        }
        if (p == end || *p != (is_array ? ']' : '}'))
            return fail(ps, p, is_array ? "expected ',' or ']'" : "expected ',' or '}'");
        p++;
        close_container(ps, c);
        v = c;
        depth--;
    }
    if ((p = skip_ws(p, end)) != end)
        return fail(ps, p, "unexpected data after the value");
    return v;
}

adp__jv_t *adp__json_parse(const adp_mem_t *mem, const char *buf, size_t len, adp__jerror_t *err)
{
    if (len == 0 || len > UINT32_MAX) {
        if (err != NULL)
            *err = (adp__jerror_t){len == 0 ? "empty input" : "input too large", 0, 1, 1};
        return NULL;
    }
    parser_t ps = {.mem = mem, .start = buf, .end = buf + len, .err = err};
    adp__jmember_t first_kids[FIRST_KIDS]; /* the heap only for larger documents */
    ps.kids = ps.first_kids = first_kids;
    ps.kids_cap = FIRST_KIDS;
    /* values take about 3x their text for small bodies; start near that, then double */
    ps.slab_size = len * 3 < SLAB_MIN ? SLAB_MIN : len * 3 > SLAB_MAX / 4 ? SLAB_MAX / 4 : len * 3;
    adp__jv_t *root = parse(&ps);
    if (ps.kids != ps.first_kids)
        free(ps.kids);
    free(ps.table);
    return root;
}

/* ---- scanning without building (stream.c) ---- */

/* The scanners read only start, end and err (NULL: failures just return NULL); the rest of the
 * parser stays uninitialised rather than cleared on every call. */
const char *adp__json_scan_string(const char *p, const char *end, int *escaped)
{
    parser_t ps;
    ps.start = p, ps.end = end, ps.err = NULL;
    *escaped = 0;
    return scan_string(&ps, p, escaped);
}

const char *adp__json_scan_number(const char *p, const char *end, unsigned *flags)
{
    parser_t ps;
    ps.start = p, ps.end = end, ps.err = NULL;
    return scan_number(&ps, p, flags);
}

/* ---- writer ---- */

static size_t escaped_size(const char *s, size_t len)
{
    size_t n = len;
    for (size_t i = 0; i != len; i++) {
        char e = escape_as[(uint8_t)s[i]];
        if (e != 0)
            n += e == 'u' ? 5 : 1;
    }
    return n;
}

static size_t string_size(const char *s, size_t len, unsigned flags)
{
    return 2 + ((flags & ADP__JF_VERBATIM) ? len : escaped_size(s, len));
}

/* Recursive: depth is bounded by the parser's ADP__JSON_MAX_DEPTH plus the few levels a plan
 * adds, or by the plan constants loaded through jansson. */
size_t adp__json_size(const adp__jv_t *v)
{
    size_t n;
    switch (v->type) {
    case ADP__J_NULL:
    case ADP__J_TRUE:
        return 4;
    case ADP__J_FALSE:
        return 5;
    case ADP__J_NUMBER:
        return v->len;
    case ADP__J_STRING:
        return string_size(v->u.str, v->len, v->flags);
    case ADP__J_ARRAY:
        n = v->len == 0 ? 2 : 1 + v->len; /* brackets and commas */
        for (uint32_t i = 0; i < v->len; i++)
            n += adp__json_size(v->u.items[i]);
        return n;
    default:
        n = v->len == 0 ? 2 : 1 + 2 * (size_t)v->len; /* braces, colons and commas */
        for (uint32_t i = 0; i < v->len; i++) {
            const adp__jmember_t *m = v->u.members + i;
            n += string_size(m->key, m->len, m->flags) + adp__json_size(m->value);
        }
        return n;
    }
}

static char *write_escaped(char *o, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    const char *end = s + len, *run = s;
    for (; s != end; s++) {
        uint8_t c = (uint8_t)*s;
        char e = escape_as[c];
        if (e == 0)
            continue;
        memcpy(o, run, (size_t)(s - run));
        o += s - run;
        run = s + 1;
        *o++ = '\\';
        *o++ = e;
        if (e == 'u') {
            memcpy(o, "00", 2);
            o[2] = hex[c >> 4];
            o[3] = hex[c & 15];
            o += 4;
        }
    }
    memcpy(o, run, (size_t)(end - run));
    return o + (end - run);
}

/* memcpy for the short names and values bodies are made of, without a library call: two
 * overlapping fixed-size moves cover 4..16 bytes. */
static char *copy_bytes_to(char *o, const char *s, size_t len)
{
    if (len >= 8 && len <= 16) {
        memcpy(o, s, 8);
        memcpy(o + len - 8, s + len - 8, 8);
    } else if (len >= 4 && len < 8) {
        memcpy(o, s, 4);
        memcpy(o + len - 4, s + len - 4, 4);
    } else if (len < 4) {
        for (size_t i = 0; i < len; i++)
            o[i] = s[i];
    } else {
        memcpy(o, s, len);
    }
    return o + len;
}

static char *write_string(char *o, const char *s, size_t len, unsigned flags)
{
    *o++ = '"';
    if (len == 0) {
        /* s may be NULL */
    } else if (flags & ADP__JF_VERBATIM) {
        o = copy_bytes_to(o, s, len);
    } else {
        o = write_escaped(o, s, len);
    }
    *o++ = '"';
    return o;
}

char *adp__json_write(const adp__jv_t *v, char *o)
{
    switch (v->type) {
    case ADP__J_NULL:
        memcpy(o, "null", 4);
        return o + 4;
    case ADP__J_TRUE:
        memcpy(o, "true", 4);
        return o + 4;
    case ADP__J_FALSE:
        memcpy(o, "false", 5);
        return o + 5;
    case ADP__J_NUMBER:
        return copy_bytes_to(o, v->u.str, v->len);
    case ADP__J_STRING:
        return write_string(o, v->u.str, v->len, v->flags);
    case ADP__J_ARRAY:
        *o++ = '[';
        for (uint32_t i = 0; i < v->len; i++) {
            if (i != 0)
                *o++ = ',';
            o = adp__json_write(v->u.items[i], o);
        }
        *o++ = ']';
        return o;
    default:
        *o++ = '{';
        for (uint32_t i = 0; i < v->len; i++) {
            const adp__jmember_t *m = v->u.members + i;
            if (i != 0)
                *o++ = ',';
            o = write_string(o, m->key, m->len, m->flags);
            *o++ = ':';
            o = adp__json_write(m->value, o);
        }
        *o++ = '}';
        return o;
    }
}

char *adp__json_dump(const adp_mem_t *mem, const adp__jv_t *v, size_t *len)
{
    size_t n = adp__json_size(v);
    char *out = adp__jalloc(mem, n == 0 ? 1 : n);
    *len = (size_t)(adp__json_write(v, out) - out);
    assert(*len == n);
    return out;
}

/* ---- constructors ---- */

adp__jv_t *adp__json_null(const adp_mem_t *mem)
{
    return new_value(mem, ADP__J_NULL, 0);
}

adp__jv_t *adp__json_bool(const adp_mem_t *mem, int b)
{
    return new_value(mem, b ? ADP__J_TRUE : ADP__J_FALSE, 0);
}

adp__jv_t *adp__json_string(const adp_mem_t *mem, const char *s, size_t len)
{
    assert(len <= UINT32_MAX);
    adp__jv_t *v = new_value(mem, ADP__J_STRING, 0);
    v->u.str = s;
    v->len = (uint32_t)len;
    return v;
}

static const char *copy_bytes(const adp_mem_t *mem, const char *s, size_t len)
{
    if (len == 0)
        return "";
    char *d = adp__jalloc(mem, len);
    memcpy(d, s, len);
    return d;
}

adp__jv_t *adp__json_string_copy(const adp_mem_t *mem, const char *s, size_t len)
{
    return adp__json_string(mem, copy_bytes(mem, s, len), len);
}

/* Decimal text of i into buf (at least 20 bytes); returns the length. */
static size_t format_int(char *buf, int64_t i)
{
    static const char pairs[] =
        "00010203040506070809101112131415161718192021222324252627282930313233"
        "343536373839404142434445464748495051525354555657585960616263646566"
        "676869707172737475767778798081828384858687888990919293949596979899";
    char tmp[20], *q = tmp + sizeof(tmp);
    uint64_t u = i < 0 ? 0 - (uint64_t)i : (uint64_t)i;
    for (; u >= 100; u /= 100) {
        q -= 2;
        memcpy(q, pairs + 2 * (u % 100), 2);
    }
    if (u >= 10) {
        q -= 2;
        memcpy(q, pairs + 2 * u, 2);
    } else {
        *--q = (char)('0' + u);
    }
    if (i < 0)
        *--q = '-';
    size_t len = (size_t)(tmp + sizeof(tmp) - q);
    memcpy(buf, q, len);
    return len;
}

static adp__jv_t *number_copy(const adp_mem_t *mem, const char *text, size_t len, unsigned flags)
{
    adp__jv_t *v = new_value(mem, ADP__J_NUMBER, flags);
    v->u.str = copy_bytes(mem, text, len);
    v->len = (uint32_t)len;
    return v;
}

adp__jv_t *adp__json_integer(const adp_mem_t *mem, int64_t i)
{
    char buf[20];
    return number_copy(mem, buf, format_int(buf, i), ADP__JF_INTEGER);
}

adp__jv_t *adp__json_real(const adp_mem_t *mem, double d)
{
    char buf[40];
    int n = 0;
    if (!isfinite(d))
        return NULL;
    for (int prec = 15; prec <= 17; prec++) {
        n = snprintf(buf, sizeof(buf) - 2, "%.*g", prec, d);
        if (strtod(buf, NULL) == d)
            break;
    }
    if (strpbrk(buf, ".eE") == NULL) {
        memcpy(buf + n, ".0", 2);
        n += 2;
    }
    return number_copy(mem, buf, (size_t)n, 0);
}

adp__jv_t *adp__json_number_text(const adp_mem_t *mem, const char *text, size_t len)
{
    adp__jv_t *v = new_value(mem, ADP__J_NUMBER, ADP__JF_INTEGER);
    for (size_t i = 0; i < len; i++)
        if (text[i] == '.' || text[i] == 'e' || text[i] == 'E')
            v->flags = 0;
    v->u.str = text;
    v->len = (uint32_t)len;
    return v;
}

adp__jv_t *adp__json_object(const adp_mem_t *mem)
{
    return new_value(mem, ADP__J_OBJECT, 0);
}

adp__jv_t *adp__json_array(const adp_mem_t *mem)
{
    return new_value(mem, ADP__J_ARRAY, 0);
}

/* Recursive, with the depth bound of adp__json_size. */
adp__jv_t *adp__json_copy(const adp_mem_t *mem, const adp__jv_t *v)
{
    if (v->type != ADP__J_ARRAY && v->type != ADP__J_OBJECT)
        return (adp__jv_t *)v; /* scalars are never edited in place: one node serves all */
    adp__jv_t *c = adp__jalloc(mem, sizeof(*c));
    *c = *v;
    if (v->type == ADP__J_ARRAY || v->type == ADP__J_OBJECT) {
        c->cap = v->len;
        c->u.items = NULL;
    }
    if (v->type == ADP__J_ARRAY && v->len != 0) {
        c->u.items = adp__jalloc(mem, v->len * sizeof(*c->u.items));
        for (uint32_t i = 0; i < v->len; i++)
            c->u.items[i] = adp__json_copy(mem, v->u.items[i]);
    } else if (v->type == ADP__J_OBJECT && v->len != 0) {
        c->u.members = adp__jalloc(mem, v->len * sizeof(*c->u.members));
        for (uint32_t i = 0; i < v->len; i++) {
            c->u.members[i] = v->u.members[i];
            c->u.members[i].value = adp__json_copy(mem, v->u.members[i].value);
        }
    }
    return c;
}

static adp__jv_t *string_from_jansson(const adp_mem_t *mem, const json_t *v)
{
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    adp__jv_t *r = adp__json_string_copy(mem, s, len);
    r->flags = needs_escape(s, len) ? 0 : ADP__JF_VERBATIM;
    return r;
}

/* Recursive: jansson values come from plan files, whose nesting jansson's parser bounds. */
adp__jv_t *adp__json_from_jansson(const adp_mem_t *mem, const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_NULL:
        return adp__json_null(mem);
    case JSON_TRUE:
        return adp__json_bool(mem, 1);
    case JSON_FALSE:
        return adp__json_bool(mem, 0);
    case JSON_INTEGER:
        return adp__json_integer(mem, json_integer_value(v));
    case JSON_REAL:
        return adp__json_real(mem, json_real_value(v));
    case JSON_STRING:
        return string_from_jansson(mem, v);
    case JSON_ARRAY: {
        adp__jv_t *a = adp__json_array(mem);
        size_t n = json_array_size(v);
        if (n != 0)
            a->u.items = adp__jalloc(mem, n * sizeof(*a->u.items));
        for (size_t i = 0; i < n; i++)
            a->u.items[i] = adp__json_from_jansson(mem, json_array_get(v, i));
        a->len = a->cap = (uint32_t)n;
        return a;
    }
    default: {
        adp__jv_t *o = adp__json_object(mem);
        size_t n = json_object_size(v), i = 0, key_len;
        const char *key;
        json_t *val;
        if (n != 0)
            o->u.members = adp__jalloc(mem, n * sizeof(*o->u.members));
        json_object_keylen_foreach((json_t *)v, key, key_len, val)
        {
            adp__jmember_t *m = o->u.members + i++;
            m->key = copy_bytes(mem, key, key_len);
            m->len = (uint32_t)key_len;
            m->flags = needs_escape(key, key_len) ? 0 : ADP__JF_VERBATIM;
            m->value = adp__json_from_jansson(mem, val);
        }
        o->len = o->cap = (uint32_t)n;
        return o;
    }
    }
}

/* ---- reading ---- */

int adp__json_int_value(const adp__jv_t *v, int64_t *out)
{
    if (!adp__json_is_integer(v))
        return -1;
    const char *s = v->u.str, *end = s + v->len;
    int neg = s != end && *s == '-';
    uint64_t u = 0, limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    s += neg;
    if (s == end)
        return -1;
    for (; s != end; s++) {
        unsigned d = (unsigned)(*s - '0');
        if (d > 9 || u > (limit - d) / 10)
            return -1;
        u = u * 10 + d;
    }
    *out = !neg ? (int64_t)u : u == limit ? INT64_MIN : -(int64_t)u;
    return 0;
}

int adp__json_real_value(const adp__jv_t *v, double *out)
{
    if (!adp__json_is(v, ADP__J_NUMBER) || v->len == 0)
        return -1;
    /* strtod needs a NUL; valid numbers this long are absurd but must not overflow the stack */
    char stack[512], *buf = v->len < sizeof(stack) ? stack : xrealloc(NULL, (size_t)v->len + 1);
    char *end;
    memcpy(buf, v->u.str, v->len);
    buf[v->len] = '\0';
    double d = strtod(buf, &end);
    int ok = end == buf + v->len && isfinite(d);
    if (buf != stack)
        free(buf);
    if (!ok)
        return -1;
    *out = d;
    return 0;
}

static int numbers_equal(const adp__jv_t *a, const adp__jv_t *b)
{
    if ((a->flags & ADP__JF_INTEGER) != (b->flags & ADP__JF_INTEGER))
        return 0;
    if (a->flags & ADP__JF_INTEGER) {
        int64_t x, y;
        int ra = adp__json_int_value(a, &x), rb = adp__json_int_value(b, &y);
        if (ra == 0 && rb == 0)
            return x == y;
        if (ra != rb)
            return 0;
    } else {
        double x, y;
        if (adp__json_real_value(a, &x) == 0 && adp__json_real_value(b, &y) == 0)
            return x == y;
    }
    /* beyond int64 or double: integer text is canonical (no leading zeros) */
    return same_bytes(a->u.str, a->len, b->u.str, b->len);
}

/* Recursive, with the depth bound of adp__json_size. */
int adp__json_equal(const adp__jv_t *a, const adp__jv_t *b)
{
    if (a == b)
        return 1;
    if (a == NULL || b == NULL || a->type != b->type)
        return 0;
    switch (a->type) {
    case ADP__J_NUMBER:
        return numbers_equal(a, b);
    case ADP__J_STRING:
        return same_bytes(a->u.str, a->len, b->u.str, b->len);
    case ADP__J_ARRAY:
        if (a->len != b->len)
            return 0;
        for (uint32_t i = 0; i < a->len; i++)
            if (!adp__json_equal(a->u.items[i], b->u.items[i]))
                return 0;
        return 1;
    case ADP__J_OBJECT:
        if (a->len != b->len)
            return 0;
        for (uint32_t i = 0; i < a->len; i++) {
            const adp__jmember_t *m = a->u.members + i, *same = b->u.members + i;
            /* names are unique, so equal counts and a match for each name suffice */
            const adp__jv_t *bv =
                same_key(m, same) ? same->value : adp__json_get(b, m->key, m->len);
            if (bv == NULL || !adp__json_equal(m->value, bv))
                return 0;
        }
        return 1;
    default:
        return 1;
    }
}

/* ---- objects and arrays ---- */

/* Makes room for one more entry of `size` bytes in v's array `entries` and returns the array:
 * when full, doubles into new memory from `mem` and abandons the old one. */
static void *grow(const adp_mem_t *mem, adp__jv_t *v, void *entries, size_t size)
{
    if (v->len < v->cap)
        return entries;
    size_t cap = v->cap < 2 ? 4 : 2 * (size_t)v->cap;
    assert(cap <= UINT32_MAX);
    void *fresh = adp__jalloc(mem, cap * size);
    if (v->len != 0)
        memcpy(fresh, entries, v->len * size);
    v->cap = (uint32_t)cap;
    return fresh;
}

static adp__jmember_t *find_member(const adp__jv_t *obj, const char *key, size_t len)
{
    for (uint32_t i = 0; i < obj->len; i++) {
        adp__jmember_t *m = obj->u.members + i;
        if (same_bytes(m->key, m->len, key, len))
            return m;
    }
    return NULL;
}

adp__jv_t *adp__json_get(const adp__jv_t *obj, const char *key, size_t len)
{
    if (!adp__json_is(obj, ADP__J_OBJECT))
        return NULL;
    adp__jmember_t *m = find_member(obj, key, len);
    return m != NULL ? m->value : NULL;
}

void adp__json_set(const adp_mem_t *mem, adp__jv_t *obj, const char *key, size_t len, adp__jv_t *v)
{
    assert(obj->type == ADP__J_OBJECT && len <= UINT32_MAX);
    adp__jmember_t *m = find_member(obj, key, len);
    if (m == NULL) {
        obj->u.members = grow(mem, obj, obj->u.members, sizeof(*m));
        m = obj->u.members + obj->len++;
        m->key = key;
        m->len = (uint32_t)len;
        m->flags = needs_escape(key, len) ? 0 : ADP__JF_VERBATIM;
    }
    m->value = v;
}

int adp__json_del(adp__jv_t *obj, const char *key, size_t len)
{
    assert(obj->type == ADP__J_OBJECT);
    adp__jmember_t *m = find_member(obj, key, len);
    if (m == NULL)
        return -1;
    size_t after = obj->len - (size_t)(m - obj->u.members) - 1;
    memmove(m, m + 1, after * sizeof(*m));
    obj->len--;
    return 0;
}

int adp__json_rename(adp__jv_t *obj, const char *key, size_t len, const char *to, size_t to_len)
{
    assert(obj->type == ADP__J_OBJECT && to_len <= UINT32_MAX);
    adp__jmember_t *m = find_member(obj, key, len);
    if (m == NULL || find_member(obj, to, to_len) != NULL)
        return -1;
    m->key = to;
    m->len = (uint32_t)to_len;
    m->flags = needs_escape(to, to_len) ? 0 : ADP__JF_VERBATIM;
    return 0;
}

void adp__json_put(adp__jv_t *arr, size_t i, adp__jv_t *v)
{
    assert(arr->type == ADP__J_ARRAY && i < arr->len);
    arr->u.items[i] = v;
}

void adp__json_append(const adp_mem_t *mem, adp__jv_t *arr, adp__jv_t *v)
{
    assert(arr->type == ADP__J_ARRAY);
    arr->u.items = grow(mem, arr, arr->u.items, sizeof(*arr->u.items));
    arr->u.items[arr->len++] = v;
}

void adp__json_remove(adp__jv_t *arr, size_t i)
{
    assert(arr->type == ADP__J_ARRAY && i < arr->len);
    memmove(arr->u.items + i, arr->u.items + i + 1, (arr->len - i - 1) * sizeof(*arr->u.items));
    arr->len--;
}
