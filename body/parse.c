/* The parser of the body model: one JSON text into a tree in the caller's bump memory, without
 * recursion (the nesting is bounded by BODY_MAX_DEPTH), strings and numbers left in place when
 * they need no decoding, duplicate member names merged. Scanning rules live in scan.c. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "body_internal.h"

typedef struct st_parser_t {
    body__scan_t sc; /* the input and the error */
    const body_mem_t *mem;
    unsigned flags; /* BODY_PARSE_* */
    /* children of the open containers, innermost last; an array's entries use only `value` */
    body_member_t *kids;
    size_t nkids, kids_cap;
    uint32_t *table; /* duplicate-name table for objects of more than SMALL_OBJECT members */
    size_t table_cap;
    /* the document's memory, taken from `mem` in slabs: one allocator call per slab instead of
     * one per value */
    char *slab;
    size_t slab_left, slab_size;
    body_member_t *first_kids; /* the caller's stack array kids start in (FIRST_KIDS) */
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
            return body_alloc(ps->mem, size);
        ps->slab = body_alloc(ps->mem, ps->slab_size);
        ps->slab_left = ps->slab_size;
        if (ps->slab_size < SLAB_MAX)
            ps->slab_size *= 2;
    }
    void *p = ps->slab;
    ps->slab += size;
    ps->slab_left -= size;
    return p;
}

static body_value_t *parse_value_new(parser_t *ps, body_type_t type, unsigned flags)
{
    body_value_t *v = ps_alloc(ps, sizeof(*v));
    *v = (body_value_t){.type = (uint8_t)type, .flags = (uint8_t)flags};
    return v;
}

#define SMALL_OBJECT 16

static const char *skip_ws(const char *p, const char *end)
{
    while (p != end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
        p++;
    return p;
}

/* Parses the string whose opening quote is at p; returns the byte after the closing quote. */
static const char *parse_string(parser_t *ps, const char *p, const char **str, uint32_t *len,
                                uint32_t *flags)
{
    int escaped = 0;
    const char *q = body__scan_string(&ps->sc, ++p, &escaped);
    if (q == NULL)
        return NULL;
    if (!escaped) {
        *str = p;
        *len = (uint32_t)(q - p);
        *flags = BODY_VERBATIM;
    } else {
        char *o = ps_alloc(ps, (size_t)(q - p)); /* escapes only shrink */
        *str = o;
        *len = (uint32_t)(body__decode_string(p, q, o) - o);
        *flags = 0;
    }
    return q + 1;
}

static const char *parse_string_value(parser_t *ps, const char *p, body_value_t **out)
{
    const char *s;
    uint32_t len, flags;
    if ((p = parse_string(ps, p, &s, &len, &flags)) == NULL)
        return NULL;
    body_value_t *v = parse_value_new(ps, BODY_STRING, flags);
    v->u.str = s;
    v->len = len;
    *out = v;
    return p;
}

/* Whether the number text p[0..len) overflows a double (RFC 8259 section 6 lets a parser
 * limit the range). Only an exponent or some 300 digits can get there. */
static int out_of_range(const char *p, size_t len, unsigned flags)
{
    if ((flags & BODY_INTEGER) && len < 300)
        return 0;
    char stack[128], *buf = len < sizeof(stack) ? stack : body__xrealloc(NULL, len + 1);
    memcpy(buf, p, len);
    buf[len] = '\0';
    int inf = isinf(strtod(buf, NULL));
    if (buf != stack)
        free(buf);
    return inf;
}

static const char *parse_number(parser_t *ps, const char *p, body_value_t **out)
{
    unsigned flags;
    const char *q = body__scan_number(&ps->sc, p, &flags);
    if (q == NULL)
        return NULL;
    if ((ps->flags & BODY_PARSE_FINITE) && out_of_range(p, (size_t)(q - p), flags))
        return body__fail(&ps->sc, p, BODY_ERANGE, "number out of range");
    body_value_t *v = parse_value_new(ps, BODY_NUMBER, flags);
    v->u.str = p;
    v->len = (uint32_t)(q - p);
    *out = v;
    return q;
}

static const char *parse_literal(parser_t *ps, const char *p, body_value_t **out)
{
    static const struct {
        const char *text;
        size_t len;
        body_type_t type;
    } lits[] = {{"null", 4, BODY_NULL}, {"false", 5, BODY_FALSE}, {"true", 4, BODY_TRUE}};
    for (size_t i = 0; i < sizeof(lits) / sizeof(lits[0]); i++) {
        if (*p == lits[i].text[0]) {
            if ((size_t)(ps->sc.end - p) < lits[i].len || memcmp(p, lits[i].text, lits[i].len) != 0)
                break;
            *out = parse_value_new(ps, lits[i].type, 0);
            return p + lits[i].len;
        }
    }
    return body__fail(&ps->sc, p, BODY_ESYNTAX, "invalid literal");
}

static body_member_t *push_kid(parser_t *ps)
{
    if (ps->nkids == ps->kids_cap) {
        size_t cap = ps->kids_cap * 2;
        if (ps->kids == ps->first_kids) {
            ps->kids = body__xrealloc(NULL, cap * sizeof(*ps->kids));
            memcpy(ps->kids, ps->first_kids, FIRST_KIDS * sizeof(*ps->kids));
        } else {
            ps->kids = body__xrealloc(ps->kids, cap * sizeof(*ps->kids));
        }
        ps->kids_cap = cap;
    }
    return ps->kids + ps->nkids++;
}

static int same_key(const body_member_t *a, const body_member_t *b)
{
    return body__same_bytes(a->key, a->len, b->key, b->len);
}

/* Seeded from addresses (ASLR), so colliding names cannot be precomputed for every process. */
static uint64_t hash_key(const body_member_t *m, uint64_t seed)
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
static size_t mark_duplicates_small(body_member_t *m, size_t n)
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
static size_t mark_duplicates_large(parser_t *ps, body_member_t *m, size_t n)
{
    size_t cap = 64, dups = 0;
    while (cap < 2 * n)
        cap *= 2;
    if (cap > ps->table_cap) {
        free(ps->table);
        ps->table = body__xrealloc(NULL, cap * sizeof(*ps->table));
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
static int may_have_duplicates(const body_member_t *m, size_t n)
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

static size_t merge_duplicates(parser_t *ps, body_member_t *m, size_t n)
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
static void close_container(parser_t *ps, body_value_t *c)
{
    size_t base = c->cap, n = ps->nkids - base;
    body_member_t *kids = ps->kids + base;
    if (c->type == BODY_OBJECT) {
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
    if (p == ps->sc.end || *p != '"')
        return body__fail(&ps->sc, p, BODY_ESYNTAX, "expected a member name");
    body_member_t *m = push_kid(ps);
    m->value = NULL;
    if ((p = parse_string(ps, p, &m->key, &m->len, &m->flags)) == NULL)
        return NULL;
    p = skip_ws(p, ps->sc.end);
    if (p == ps->sc.end || *p != ':')
        return body__fail(&ps->sc, p, BODY_ESYNTAX, "expected ':'");
    return p + 1;
}

/* Iterative: `open` holds the containers being filled, their children wait in ps->kids. */
static body_value_t *parse(parser_t *ps)
{
    body_value_t *open[BODY_MAX_DEPTH], *v = NULL;
    size_t depth = 0;
    const char *p = skip_ws(ps->sc.start, ps->sc.end), *end = ps->sc.end;

    if (p == end)
        return body__fail(&ps->sc, p, BODY_ESYNTAX, "empty input");
value:
    p = skip_ws(p, end);
    if (p == end)
        return body__fail(&ps->sc, p, BODY_ESYNTAX, "expected a value");
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
        if (depth == BODY_MAX_DEPTH)
            return body__fail(&ps->sc, p, BODY_EDEPTH, "nesting too deep");
        v = parse_value_new(ps, *p == '[' ? BODY_ARRAY : BODY_OBJECT, 0);
        v->cap = (uint32_t)ps->nkids; /* where its children start, until it closes */
        open[depth++] = v;
        p = skip_ws(p + 1, end);
        if (p != end && *p == (v->type == BODY_ARRAY ? ']' : '}')) {
            p++;
            depth--;
            v->cap = 0;
            break;
        }
        if (v->type == BODY_ARRAY)
            goto value;
        if ((p = parse_name(ps, p)) == NULL)
            return NULL;
        goto value;
    default:
        return body__fail(&ps->sc, p, BODY_ESYNTAX, "expected a value");
    }

    /* `v` is complete: add it to the innermost open container, then see what follows */
    while (depth != 0) {
        body_value_t *c = open[depth - 1];
        int is_array = c->type == BODY_ARRAY;
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
            return body__fail(&ps->sc, p, BODY_ESYNTAX,
                              is_array ? "expected ',' or ']'" : "expected ',' or '}'");
        p++;
        close_container(ps, c);
        v = c;
        depth--;
    }
    if ((p = skip_ws(p, end)) != end)
        return body__fail(&ps->sc, p, BODY_ESYNTAX, "unexpected data after the value");
    return v;
}

body_value_t *body_parse(const body_mem_t *mem, const char *buf, size_t len, unsigned flags,
                         body_error_t *err)
{
    if (len == 0 || len > UINT32_MAX) {
        if (err != NULL)
            *err =
                (body_error_t){BODY_ESIZE, len == 0 ? "empty input" : "input too large", 0, 1, 1};
        return NULL;
    }
    parser_t ps = {.sc = {buf, buf + len, err}, .mem = mem, .flags = flags};
    body_member_t first_kids[FIRST_KIDS]; /* the heap only for larger documents */
    ps.kids = ps.first_kids = first_kids;
    ps.kids_cap = FIRST_KIDS;
    /* values take about 3x their text for small bodies; start near that, then double */
    ps.slab_size = len * 3 < SLAB_MIN ? SLAB_MIN : len * 3 > SLAB_MAX / 4 ? SLAB_MAX / 4 : len * 3;
    body_value_t *root = parse(&ps);
    if (ps.kids != ps.first_kids)
        free(ps.kids);
    free(ps.table);
    return root;
}
