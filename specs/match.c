/* Request path matching: path templates compiled into a segment trie, so finding the template for
 * "/repos/o/r/pulls/7" costs a few lookups per segment whatever the number of templates. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "spec_internal.h"

#define MAX_SEGMENTS 128
#define MAX_PIECES 16 /* literal and variable pieces in one segment */

/* A piece of a segment: literal text (percent-decoded) or, when lit is NULL, a variable. */
typedef struct {
    const char *lit;
    size_t len;
    const char *name; /* variable name (template text, not NUL-terminated) */
    size_t name_len;
} piece_t;

typedef struct trie_node trie_node_t;

typedef struct lit_edge {
    const char *lit;
    size_t len;
    trie_node_t *child;
    struct lit_edge *next; /* build-time list */
} lit_edge_t;

/* A segment mixing literals and variables, like "{name}.{ext}" or "v{major}". */
typedef struct pat_edge {
    const piece_t *pieces;
    size_t npieces, litlen, order;
    trie_node_t *child;
    struct pat_edge *next; /* build-time list */
} pat_edge_t;

struct trie_node {
    lit_edge_t *lit_list;
    pat_edge_t *pat_list;
    lit_edge_t *lits; /* sorted by literal bytes, for binary search */
    size_t nlits;
    pat_edge_t *pats; /* most literal text first, then document order */
    size_t npats;
    trie_node_t *var; /* a whole-segment variable */
    spec_path_t *path;
};

/* Build-time index of every node's literal and pattern edges, so that inserting a template
 * costs a lookup per segment rather than a scan of its siblings (20,000 siblings made loading
 * quadratic). Slots live in the spec's arena; a grown table leaves the old one there. */
typedef struct {
    const trie_node_t *parent;
    lit_edge_t *lit;
    pat_edge_t *pat;
} edge_slot_t;

struct st_spec__trie_t {
    trie_node_t root;
    size_t npats;
    edge_slot_t *slots;
    size_t cap, len;
};

typedef struct {
    const piece_t *pieces;
    size_t npieces;
} tseg_t;

/* ---- building ---- */

static int template_problem(spec_t *spec, const spec_path_t *path, const char *pointer,
                            const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int template_problem(spec_t *spec, const spec_path_t *path, const char *pointer,
                            const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    spec__vproblem(spec, SPEC_SEVERITY_ERROR, SPEC_PROBLEM_PATH_TEMPLATE, path->key, pointer, fmt,
                   ap);
    va_end(ap);
    return -1;
}

/* Literal text of a template compares with requests after percent-decoding both; text that is
 * not a valid escape stays as written. */
static const char *decode_literal(spec_t *spec, const char *s, size_t len, size_t *out_len)
{
    if (memchr(s, '%', len) == NULL) {
        *out_len = len;
        return s;
    }
    char *buf = spec__arena_alloc(&spec->arena, len + 1);
    long n = spec__percent_decode(s, len, buf);
    if (n < 0) {
        *out_len = len;
        return s;
    }
    *out_len = (size_t)n;
    return buf;
}

/* Splits one segment into pieces; -1 after reporting a malformed template. */
static int parse_segment(spec_t *spec, const spec_path_t *path, const char *pointer, const char *s,
                         size_t len, tseg_t *out)
{
    piece_t tmp[MAX_PIECES];
    size_t n = 0;
    for (size_t i = 0; i < len;) {
        if (n == MAX_PIECES)
            return template_problem(spec, path, pointer,
                                    "path '%s' has more than %d pieces in one segment",
                                    path->template, MAX_PIECES);
        if (s[i] == '{') {
            const char *close = memchr(s + i + 1, '}', len - i - 1);
            const char *open = memchr(s + i + 1, '{', len - i - 1);
            if (close == NULL || (open != NULL && open < close))
                return template_problem(spec, path, pointer, "path '%s' has an unclosed '{'",
                                        path->template);
            size_t nlen = (size_t)(close - (s + i + 1));
            if (nlen == 0)
                return template_problem(spec, path, pointer,
                                        "path '%s' has an empty variable name '{}'",
                                        path->template);
            if (n > 0 && tmp[n - 1].lit == NULL)
                return template_problem(spec, path, pointer,
                                        "path '%s' has adjacent variables; separate them with "
                                        "literal text so requests can be split",
                                        path->template);
            tmp[n++] = (piece_t){.name = s + i + 1, .name_len = nlen};
            i += nlen + 2;
        } else {
            size_t j = i;
            while (j < len && s[j] != '{' && s[j] != '}')
                ++j;
            if (j < len && s[j] == '}')
                return template_problem(spec, path, pointer, "path '%s' has a '}' without '{'",
                                        path->template);
            size_t dlen;
            const char *lit = decode_literal(spec, s + i, j - i, &dlen);
            tmp[n++] = (piece_t){.lit = lit, .len = dlen};
            i = j;
        }
    }
    if (n == 0)
        tmp[n++] = (piece_t){.lit = "", .len = 0};
    piece_t *pieces = spec__arena_alloc(&spec->arena, n * sizeof(*pieces));
    memcpy(pieces, tmp, n * sizeof(*pieces));
    out->pieces = pieces;
    out->npieces = n;
    return 0;
}

static int same_pieces(const pat_edge_t *e, const tseg_t *seg)
{
    if (e->npieces != seg->npieces)
        return 0;
    for (size_t i = 0; i < seg->npieces; ++i) {
        const piece_t *a = &e->pieces[i], *b = &seg->pieces[i];
        if ((a->lit == NULL) != (b->lit == NULL))
            return 0;
        if (a->lit != NULL && (a->len != b->len || memcmp(a->lit, b->lit, a->len) != 0))
            return 0;
    }
    return 1;
}

static trie_node_t *new_node(spec_t *spec)
{
    return spec__arena_alloc(&spec->arena, sizeof(trie_node_t));
}

static uint64_t hash_bytes(uint64_t h, const void *p, size_t len)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < len; ++i)
        h = (h ^ b[i]) * 1099511628211ull;
    return h;
}

/* Hash of an edge under `parent`: its pieces (variables count by position, not by name). */
static size_t hash_edge(const trie_node_t *parent, const piece_t *pieces, size_t npieces)
{
    uintptr_t pp = (uintptr_t)parent;
    uint64_t h = hash_bytes(1469598103934665603ull, &pp, sizeof(pp));
    for (size_t i = 0; i < npieces; ++i)
        h = pieces[i].lit == NULL ? hash_bytes(h, "{", 1)
                                  : hash_bytes(hash_bytes(h, "|", 1), pieces[i].lit, pieces[i].len);
    return (size_t)(h ^ (h >> 31));
}

static size_t slot_hash(const edge_slot_t *e)
{
    if (e->lit != NULL) {
        piece_t p = {.lit = e->lit->lit, .len = e->lit->len};
        return hash_edge(e->parent, &p, 1);
    }
    return hash_edge(e->parent, e->pat->pieces, e->pat->npieces);
}

static int slot_is(const edge_slot_t *e, const trie_node_t *parent, const tseg_t *seg)
{
    if (e->parent != parent)
        return 0;
    if (e->lit != NULL)
        return seg->npieces == 1 && seg->pieces[0].lit != NULL &&
               e->lit->len == seg->pieces[0].len &&
               memcmp(e->lit->lit, seg->pieces[0].lit, e->lit->len) == 0;
    return same_pieces(e->pat, seg);
}

/* The index slot for (parent, seg): the edge when it exists, else the empty slot to fill. */
static edge_slot_t *edge_slot(spec_t *spec, const trie_node_t *parent, const tseg_t *seg)
{
    spec__trie_t *t = spec->trie;
    if ((t->len + 1) * 2 > t->cap) {
        edge_slot_t *old = t->slots;
        size_t oldcap = t->cap;
        t->cap = oldcap ? oldcap * 2 : 64;
        t->slots = spec__arena_alloc(&spec->arena, t->cap * sizeof(*t->slots));
        for (size_t i = 0; i < oldcap; ++i) {
            if (old[i].parent == NULL)
                continue;
            size_t j = slot_hash(&old[i]) & (t->cap - 1);
            while (t->slots[j].parent != NULL)
                j = (j + 1) & (t->cap - 1);
            t->slots[j] = old[i];
        }
    }
    size_t j = hash_edge(parent, seg->pieces, seg->npieces) & (t->cap - 1);
    while (t->slots[j].parent != NULL && !slot_is(&t->slots[j], parent, seg))
        j = (j + 1) & (t->cap - 1);
    return &t->slots[j];
}

static trie_node_t *child_for(spec_t *spec, trie_node_t *n, const tseg_t *seg)
{
    if (seg->npieces == 1 && seg->pieces[0].lit == NULL) {
        if (n->var == NULL)
            n->var = new_node(spec);
        return n->var;
    }
    edge_slot_t *slot = edge_slot(spec, n, seg);
    if (slot->parent != NULL)
        return slot->lit != NULL ? slot->lit->child : slot->pat->child;
    slot->parent = n;
    ++spec->trie->len;
    if (seg->npieces == 1) {
        const piece_t *p = &seg->pieces[0];
        lit_edge_t *e = spec__arena_alloc(&spec->arena, sizeof(*e));
        *e = (lit_edge_t){
            .lit = p->lit, .len = p->len, .child = new_node(spec), .next = n->lit_list};
        n->lit_list = e;
        ++n->nlits;
        slot->lit = e;
        return e->child;
    }
    pat_edge_t *e = spec__arena_alloc(&spec->arena, sizeof(*e));
    slot->pat = e;
    size_t litlen = 0;
    for (size_t i = 0; i < seg->npieces; ++i)
        litlen += seg->pieces[i].len;
    *e = (pat_edge_t){.pieces = seg->pieces,
                      .npieces = seg->npieces,
                      .litlen = litlen,
                      .order = spec->trie->npats++,
                      .child = new_node(spec),
                      .next = n->pat_list};
    n->pat_list = e;
    ++n->npats;
    return e->child;
}

static int collect_vars(spec_t *spec, spec_path_t *path, const char *pointer, const tseg_t *segs,
                        size_t nsegs)
{
    const char *names[SPEC_MATCH_MAX_VARS];
    size_t lens[SPEC_MATCH_MAX_VARS], n = 0;
    for (size_t i = 0; i < nsegs; ++i) {
        for (size_t j = 0; j < segs[i].npieces; ++j) {
            const piece_t *p = &segs[i].pieces[j];
            if (p->lit != NULL)
                continue;
            if (n == SPEC_MATCH_MAX_VARS)
                return template_problem(spec, path, pointer, "path '%s' has more than %d variables",
                                        path->template, SPEC_MATCH_MAX_VARS);
            for (size_t k = 0; k < n; ++k)
                if (lens[k] == p->name_len && memcmp(names[k], p->name, lens[k]) == 0)
                    return template_problem(spec, path, pointer,
                                            "path '%s' uses variable '%.*s' twice", path->template,
                                            (int)p->name_len, p->name);
            names[n] = p->name;
            lens[n++] = p->name_len;
        }
    }
    const char **vars = spec__arena_alloc(&spec->arena, n * sizeof(*vars) + 1);
    for (size_t k = 0; k < n; ++k)
        vars[k] = spec__arena_strndup(&spec->arena, names[k], lens[k]);
    path->vars = vars;
    path->nvars = n;
    return 0;
}

int spec__trie_insert(spec_t *spec, spec_path_t *path, const char *pointer)
{
    if (spec->trie == NULL)
        spec->trie = spec__arena_alloc(&spec->arena, sizeof(*spec->trie));
    const char *t = path->template;
    size_t len = path->key->u.scalar.len;
    if (len == 0 || t[0] != '/')
        return template_problem(spec, path, pointer, "path '%s' must start with '/'", t);
    if (memchr(t, '?', len) != NULL || memchr(t, '#', len) != NULL)
        return template_problem(spec, path, pointer,
                                "path '%s' must not contain a query or fragment", t);
    tseg_t segs[MAX_SEGMENTS];
    size_t nsegs = 0;
    const char *p = t + 1, *end = t + len;
    for (;;) {
        const char *e = memchr(p, '/', (size_t)(end - p));
        if (e == NULL)
            e = end;
        if (nsegs == MAX_SEGMENTS)
            return template_problem(spec, path, pointer, "path '%s' has more than %d segments", t,
                                    MAX_SEGMENTS);
        if (parse_segment(spec, path, pointer, p, (size_t)(e - p), &segs[nsegs++]) != 0)
            return -1;
        if (e == end)
            break;
        p = e + 1;
    }
    if (collect_vars(spec, path, pointer, segs, nsegs) != 0)
        return -1;
    trie_node_t *n = &spec->trie->root;
    for (size_t i = 0; i < nsegs; ++i)
        n = child_for(spec, n, &segs[i]);
    if (n->path != NULL) {
        /* OpenAPI 3.1 §4.8.8.2: templated paths with the same hierarchy but different templated
         * names MUST NOT exist as they are identical. */
        spec__problem(spec, SPEC_SEVERITY_ERROR, SPEC_PROBLEM_PATH_AMBIGUOUS, path->key, pointer,
                      "path '%s' is identical to '%s' (line %u) once variables are ignored; "
                      "requests cannot tell them apart",
                      t, n->path->template, n->path->key->pos.line);
        return -1;
    }
    n->path = path;
    return 0;
}

static int cmp_lit(const void *a, const void *b)
{
    const lit_edge_t *x = a, *y = b;
    int c = memcmp(x->lit, y->lit, x->len < y->len ? x->len : y->len);
    return c != 0 ? c : (x->len > y->len) - (x->len < y->len);
}

static int cmp_pat(const void *a, const void *b)
{
    const pat_edge_t *x = a, *y = b;
    if (x->litlen != y->litlen)
        return x->litlen > y->litlen ? -1 : 1;
    return (x->order > y->order) - (x->order < y->order);
}

/* Turns the build-time lists into sorted arrays, depth first (depth <= MAX_SEGMENTS). */
static void finish_node(spec_t *spec, trie_node_t *n)
{
    n->lits = spec__arena_alloc(&spec->arena, n->nlits * sizeof(*n->lits) + 1);
    size_t i = 0;
    for (lit_edge_t *e = n->lit_list; e != NULL; e = e->next)
        n->lits[i++] = *e;
    qsort(n->lits, n->nlits, sizeof(*n->lits), cmp_lit);
    n->pats = spec__arena_alloc(&spec->arena, n->npats * sizeof(*n->pats) + 1);
    i = 0;
    for (pat_edge_t *e = n->pat_list; e != NULL; e = e->next)
        n->pats[i++] = *e;
    qsort(n->pats, n->npats, sizeof(*n->pats), cmp_pat);
    for (i = 0; i < n->nlits; ++i)
        finish_node(spec, n->lits[i].child);
    for (i = 0; i < n->npats; ++i)
        finish_node(spec, n->pats[i].child);
    if (n->var != NULL)
        finish_node(spec, n->var);
}

void spec__trie_finish(spec_t *spec)
{
    if (spec->trie == NULL)
        spec->trie = spec__arena_alloc(&spec->arena, sizeof(*spec->trie));
    finish_node(spec, &spec->trie->root);
}

/* ---- matching ---- */

typedef struct {
    const char *value;
    size_t len;
} val_t;

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The decoded byte at s[*j] (RFC 3986 §2.1); advances *j past it. */
static unsigned char next_byte(const char *s, size_t len, size_t *j)
{
    size_t i = *j;
    if (s[i] == '%' && i + 2 < len) {
        int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
        if (hi >= 0 && lo >= 0) {
            *j = i + 3;
            return (unsigned char)(hi << 4 | lo);
        }
    }
    *j = i + 1;
    return (unsigned char)s[i];
}

/* Orders decoded request text against literal bytes like cmp_lit orders literals. */
static int cmp_decoded(const char *lit, size_t litlen, const char *s, size_t len)
{
    size_t i = 0, j = 0;
    while (i < litlen && j < len) {
        unsigned char c = next_byte(s, len, &j), l = (unsigned char)lit[i++];
        if (l != c)
            return l < c ? -1 : 1;
    }
    if (i < litlen)
        return 1;
    return j < len ? -1 : 0;
}

static const lit_edge_t *find_lit(const trie_node_t *n, const char *s, size_t len)
{
    size_t lo = 0, hi = n->nlits;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = cmp_decoded(n->lits[mid].lit, n->lits[mid].len, s, len);
        if (c == 0)
            return &n->lits[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* 1 when the decoded text at s[at..len) starts with the literal; *after is where it ends. */
static int lit_at(const char *s, size_t len, size_t at, const piece_t *p, size_t *after)
{
    size_t j = at;
    for (size_t i = 0; i < p->len; ++i) {
        if (j >= len || next_byte(s, len, &j) != (unsigned char)p->lit[i])
            return 0;
    }
    *after = j;
    return 1;
}

/* Matches one segment against a pattern: a variable extends to the first occurrence of the
 * literal after it (the last literal must end the segment), so matching is linear and has one
 * outcome; variables are never empty. */
static int match_pattern(const pat_edge_t *pe, const char *s, size_t len, val_t *vals)
{
    size_t pos = 0, nv = 0;
    for (size_t i = 0; i < pe->npieces; ++i) {
        const piece_t *p = &pe->pieces[i];
        if (p->lit != NULL) { /* only a leading literal: the others are consumed below */
            if (!lit_at(s, len, pos, p, &pos))
                return 0;
            continue;
        }
        if (pos >= len)
            return 0;
        if (i + 1 == pe->npieces) {
            vals[nv++] = (val_t){s + pos, len - pos};
            pos = len;
            break;
        }
        const piece_t *next = &pe->pieces[++i];
        int last = i + 1 == pe->npieces;
        size_t q = pos, after = 0;
        next_byte(s, len, &q); /* at least one character */
        int found = 0;
        while (q < len && !found) {
            found = lit_at(s, len, q, next, &after) && (!last || after == len);
            if (!found)
                next_byte(s, len, &q);
        }
        if (!found)
            return 0;
        vals[nv++] = (val_t){s + pos, q - pos};
        pos = after;
    }
    return pos == len;
}

static const spec_path_t *match_node(const trie_node_t *n, const char *s, const char *end,
                                     val_t *vals, size_t nvals);

static const spec_path_t *descend(const trie_node_t *child, const char *e, const char *end,
                                  val_t *vals, size_t nvals)
{
    if (e == end)
        return child->path != NULL && child->path->indexed ? child->path : NULL;
    return match_node(child, e + 1, end, vals, nvals);
}

/* Each trie node is tried at most once per request (its depth fixes the segment), so
 * backtracking stays linear in the size of the trie and, in practice, in the path length. */
static const spec_path_t *match_node(const trie_node_t *n, const char *s, const char *end,
                                     val_t *vals, size_t nvals)
{
    const char *e = memchr(s, '/', (size_t)(end - s));
    if (e == NULL)
        e = end;
    size_t len = (size_t)(e - s);
    const spec_path_t *r;
    const lit_edge_t *lit = find_lit(n, s, len);
    if (lit != NULL && (r = descend(lit->child, e, end, vals, nvals)) != NULL)
        return r;
    for (size_t i = 0; i < n->npats; ++i) {
        size_t nv = 0;
        for (size_t j = 0; j < n->pats[i].npieces; ++j)
            nv += n->pats[i].pieces[j].lit == NULL;
        if (match_pattern(&n->pats[i], s, len, vals + nvals) &&
            (r = descend(n->pats[i].child, e, end, vals, nvals + nv)) != NULL)
            return r;
    }
    if (n->var != NULL && len != 0) {
        vals[nvals] = (val_t){s, len};
        if ((r = descend(n->var, e, end, vals, nvals + 1)) != NULL)
            return r;
    }
    return NULL;
}

const spec_path_t *spec_match(const spec_t *spec, const char *path, size_t len,
                              spec_match_t *captures)
{
    if (captures != NULL)
        captures->count = 0;
    const char *q = memchr(path, '?', len);
    if (q != NULL)
        len = (size_t)(q - path);
    if (spec->trie == NULL || len == 0 || path[0] != '/')
        return NULL;
    val_t vals[SPEC_MATCH_MAX_VARS];
    const spec_path_t *r = match_node(&spec->trie->root, path + 1, path + len, vals, 0);
    if (r != NULL && captures != NULL) {
        captures->count = r->nvars;
        for (size_t i = 0; i < r->nvars; ++i) {
            captures->vars[i].name = r->vars[i];
            captures->vars[i].value = vals[i].value;
            captures->vars[i].value_len = vals[i].len;
        }
    }
    return r;
}

spec_route_status_t spec_route(const spec_t *spec, const char *method, size_t method_len,
                               const char *path, size_t len, const spec_path_t **path_out,
                               const spec_operation_t **op, spec_match_t *captures)
{
    *op = NULL;
    const spec_path_t *p = spec_match(spec, path, len, captures);
    if (path_out != NULL)
        *path_out = p;
    if (p == NULL)
        return SPEC_ROUTE_NO_PATH;
    return spec_route_path(p, method, method_len, op);
}

spec_route_status_t spec_route_path(const spec_path_t *p, const char *method,
                                    size_t method_len, const spec_operation_t **op)
{
    *op = NULL;
    spec_method_t m;
    if (spec_method_parse(method, method_len, &m) != 0)
        return SPEC_ROUTE_NO_METHOD;
    /* RFC 9110 §9.3.2: HEAD is GET without the body, so a GET operation answers HEAD too */
    if (m == SPEC_METHOD_HEAD && p->by_method[m] == NULL)
        m = SPEC_METHOD_GET;
    if (p->by_method[m] == NULL)
        return SPEC_ROUTE_NO_METHOD;
    *op = p->by_method[m];
    return SPEC_ROUTE_FOUND;
}
