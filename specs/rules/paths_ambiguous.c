/* no-ambiguous-paths: two templates are ambiguous when some request path matches both and
 * neither is more specific at every segment where they differ (OpenAPI's "concrete paths win"
 * cannot order them). Templates go into a trie of segments, and pairs of trie nodes are walked
 * together, so only templates that agree segment by segment are ever compared: the work is the
 * number of templates plus the pairs that stay compatible, not every pair of templates. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../lint_internal.h"

#define MAX_SEGMENTS 64

/* A segment of a template: literal, or templated with the literal text around its variables. */
typedef struct {
    const char *s;
    size_t len;
    int templated;
} segment_t;

typedef struct st_tnode_t tnode_t;
struct st_tnode_t {
    segment_t seg;
    tnode_t **lit, **lit_rev; /* literal children by text, and by reversed text */
    size_t nlit, litcap;
    tnode_t **tpl; /* templated children */
    size_t ntpl, tplcap;
    size_t *ends; /* indices (document order) of the templates ending here */
    size_t nends, endcap;
};

typedef struct {
    spec_lint_ctx_t *ctx;
    const segment_t *shown[MAX_SEGMENTS]; /* NULL where both are templated */
} pairs_t;

static void *xgrow(void *p, size_t *cap, size_t len, size_t size)
{
    if (len < *cap)
        return p;
    *cap = *cap ? *cap * 2 : 4;
    return spec__xrealloc(p, *cap * size);
}

static size_t split(const char *t, segment_t *out, size_t max)
{
    size_t n = 0;
    const char *p = t;
    while (*p == '/' && n < max) {
        const char *s = ++p;
        while (*p != '\0' && *p != '/')
            ++p;
        out[n].s = s;
        out[n].len = (size_t)(p - s);
        out[n].templated = memchr(s, '{', out[n].len) != NULL;
        ++n;
    }
    return *p == '\0' ? n : 0;
}

static size_t hash(const tnode_t *parent, const segment_t *seg)
{
    uint64_t h = 1469598103934665603ull ^ (uint64_t)(uintptr_t)parent;
    for (size_t i = 0; i < seg->len; ++i)
        h = (h ^ (unsigned char)seg->s[i]) * 1099511628211ull;
    return (size_t)(h ^ (h >> 29));
}

static int same_segment(const segment_t *a, const segment_t *b)
{
    return a->len == b->len && memcmp(a->s, b->s, a->len) == 0;
}

/* Children are found while building through one hash table keyed by (parent, segment). */
typedef struct {
    tnode_t *parent, *child;
} entry_t;

typedef struct {
    entry_t *slots;
    size_t cap, len;
} ctable_t;

static tnode_t *child_of(ctable_t *t, tnode_t *parent, const segment_t *seg)
{
    if ((t->len + 1) * 2 > t->cap) {
        entry_t *old = t->slots;
        size_t oldcap = t->cap;
        t->cap = oldcap ? oldcap * 2 : 64;
        t->slots = spec__xcalloc(t->cap, sizeof(*t->slots));
        for (size_t i = 0; i < oldcap; ++i) {
            if (old[i].child == NULL)
                continue;
            size_t j = hash(old[i].parent, &old[i].child->seg) & (t->cap - 1);
            while (t->slots[j].child != NULL)
                j = (j + 1) & (t->cap - 1);
            t->slots[j] = old[i];
        }
        free(old);
    }
    size_t j = hash(parent, seg) & (t->cap - 1);
    for (; t->slots[j].child != NULL; j = (j + 1) & (t->cap - 1))
        if (t->slots[j].parent == parent && same_segment(&t->slots[j].child->seg, seg))
            return t->slots[j].child;
    tnode_t *c = spec__xcalloc(1, sizeof(*c));
    c->seg = *seg;
    t->slots[j] = (entry_t){parent, c};
    ++t->len;
    if (seg->templated) {
        parent->tpl = xgrow(parent->tpl, &parent->tplcap, parent->ntpl, sizeof(*parent->tpl));
        parent->tpl[parent->ntpl++] = c;
    } else {
        parent->lit = xgrow(parent->lit, &parent->litcap, parent->nlit, sizeof(*parent->lit));
        parent->lit[parent->nlit++] = c;
    }
    return c;
}

static int cmp_text(const segment_t *a, const segment_t *b)
{
    size_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->s, b->s, n);
    return c != 0 ? c : (a->len > b->len) - (a->len < b->len);
}

static int cmp_lit(const void *pa, const void *pb)
{
    return cmp_text(&(*(tnode_t *const *)pa)->seg, &(*(tnode_t *const *)pb)->seg);
}

/* Compares texts read backwards, so that literals sharing a suffix are adjacent. */
static int cmp_rev_text(const segment_t *a, const segment_t *b)
{
    size_t n = a->len < b->len ? a->len : b->len;
    for (size_t i = 1; i <= n; ++i) {
        unsigned char x = (unsigned char)a->s[a->len - i], y = (unsigned char)b->s[b->len - i];
        if (x != y)
            return x < y ? -1 : 1;
    }
    return (a->len > b->len) - (a->len < b->len);
}

static int cmp_lit_rev(const void *pa, const void *pb)
{
    return cmp_rev_text(&(*(tnode_t *const *)pa)->seg, &(*(tnode_t *const *)pb)->seg);
}

static void finish(tnode_t *n)
{
    if (n->nlit > 0) {
        qsort(n->lit, n->nlit, sizeof(*n->lit), cmp_lit);
        n->lit_rev = spec__xmalloc(n->nlit * sizeof(*n->lit_rev));
        memcpy(n->lit_rev, n->lit, n->nlit * sizeof(*n->lit));
        qsort(n->lit_rev, n->nlit, sizeof(*n->lit_rev), cmp_lit_rev);
    }
    for (size_t i = 0; i < n->nlit; ++i)
        finish(n->lit[i]);
    for (size_t i = 0; i < n->ntpl; ++i)
        finish(n->tpl[i]);
}

static void destroy(tnode_t *n)
{
    for (size_t i = 0; i < n->nlit; ++i)
        destroy(n->lit[i]);
    for (size_t i = 0; i < n->ntpl; ++i)
        destroy(n->tpl[i]);
    free(n->lit);
    free(n->lit_rev);
    free(n->tpl);
    free(n->ends);
    free(n);
}

/* The literal text of a templated segment before its first variable and after its last. */
static void affixes(const segment_t *tpl, segment_t *prefix, segment_t *suffix)
{
    const char *open = memchr(tpl->s, '{', tpl->len), *close = tpl->s + tpl->len;
    while (close > tpl->s && close[-1] != '}')
        --close;
    *prefix = (segment_t){tpl->s, (size_t)(open - tpl->s), 0};
    *suffix = (segment_t){close, (size_t)(tpl->s + tpl->len - close), 0};
}

/* Can a literal request segment match a templated one with these affixes? Its text before the
 * first variable and after the last must fit. */
static int literal_fits(const segment_t *lit, const segment_t *prefix, const segment_t *suffix)
{
    return lit->len > prefix->len + suffix->len &&
           (prefix->len == 0 || memcmp(lit->s, prefix->s, prefix->len) == 0) &&
           (suffix->len == 0 ||
            memcmp(lit->s + lit->len - suffix->len, suffix->s, suffix->len) == 0);
}

/* The first of `n` sorted literals not below `key` when cut to key's length. */
static size_t lower_bound(tnode_t *const *lits, size_t n, const segment_t *key, int rev)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        segment_t s = lits[mid]->seg;
        if (s.len > key->len) {
            if (rev)
                s.s += s.len - key->len;
            s.len = key->len;
        }
        if ((rev ? cmp_rev_text(&s, key) : cmp_text(&s, key)) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void walk_pair(pairs_t *P, const tnode_t *u, const tnode_t *v, int a_wins, int b_wins,
                      size_t depth);

static void report(pairs_t *P, size_t a, size_t b, size_t depth)
{
    if (lint__capped(P->ctx, LR_NO_AMBIGUOUS_PATHS))
        return;
    const spec_path_t *pa = spec_path_at(P->ctx->spec, a), *pb = spec_path_at(P->ctx->spec, b);
    lint__path_t ptr;
    ptr.len = 0;
    ptr.buf[0] = '\0';
    lint__path_push_str(&ptr, "paths");
    lint__path_push_str(&ptr, pb->template);
    char example[512];
    size_t o = 0;
    example[0] = '\0';
    for (size_t i = 0; i < depth; ++i) {
        const segment_t *shown = P->shown[i];
        int w = shown != NULL
                    ? snprintf(example + o, sizeof(example) - o, "/%.*s", (int)shown->len, shown->s)
                    : snprintf(example + o, sizeof(example) - o, "/x");
        if (w > 0 && (size_t)w < sizeof(example) - o)
            o += (size_t)w;
    }
    lint__report(P->ctx, LR_NO_AMBIGUOUS_PATHS, pb->key, ptr.buf,
                 "Paths \"%s\" and \"%s\" are ambiguous: both match \"%s\".", pa->template,
                 pb->template, example);
}

/* Literal children of `lits_of` that fit templated `t`, each walked with `t` (the literal on the
 * `a` side when `lit_is_a`). Only the literals sharing t's prefix (or suffix) are looked at. */
static void literals_fitting(pairs_t *P, const tnode_t *lits_of, const tnode_t *t, int lit_is_a,
                             int a_wins, int b_wins, size_t depth)
{
    segment_t prefix, suffix;
    affixes(&t->seg, &prefix, &suffix);
    int rev = prefix.len == 0 && suffix.len > 0;
    tnode_t *const *lits = rev ? lits_of->lit_rev : lits_of->lit;
    const segment_t *key = rev ? &suffix : &prefix;
    size_t i = key->len == 0 ? 0 : lower_bound(lits, lits_of->nlit, key, rev);
    for (; i < lits_of->nlit; ++i) {
        const segment_t *s = &lits[i]->seg;
        if (key->len > 0 && (s->len < key->len ||
                             memcmp(rev ? s->s + s->len - key->len : s->s, key->s, key->len) != 0))
            break; /* past the literals sharing the key */
        if (!literal_fits(s, &prefix, &suffix))
            continue;
        P->shown[depth] = s;
        if (lit_is_a)
            walk_pair(P, lits[i], t, 1, b_wins, depth + 1);
        else
            walk_pair(P, t, lits[i], a_wins, 1, depth + 1);
    }
}

/* Walks the templates under `u` (side a) and under `v` (side b), which agree on their first
 * `depth` segments; a_wins: a was literal where b was templated at some segment, and b_wins the
 * reverse. */
static void walk_pair(pairs_t *P, const tnode_t *u, const tnode_t *v, int a_wins, int b_wins,
                      size_t depth)
{
    if (a_wins && b_wins)
        for (size_t i = 0; i < u->nends; ++i)
            for (size_t j = 0; j < v->nends; ++j)
                if (u->ends[i] < v->ends[j])
                    report(P, u->ends[i], v->ends[j], depth);
    if (depth == MAX_SEGMENTS)
        return;
    /* equal literals: look each of the smaller side up in the larger */
    const tnode_t *small = u->nlit <= v->nlit ? u : v, *large = small == u ? v : u;
    for (size_t i = 0; i < small->nlit; ++i) {
        const tnode_t *c = small->lit[i];
        size_t k = lower_bound(large->lit, large->nlit, &c->seg, 0);
        if (k == large->nlit || !same_segment(&large->lit[k]->seg, &c->seg))
            continue;
        P->shown[depth] = &c->seg;
        if (small == u)
            walk_pair(P, c, large->lit[k], a_wins, b_wins, depth + 1);
        else
            walk_pair(P, large->lit[k], c, a_wins, b_wins, depth + 1);
    }
    for (size_t i = 0; i < v->ntpl; ++i)
        literals_fitting(P, u, v->tpl[i], 1, a_wins, b_wins, depth);
    for (size_t i = 0; i < u->ntpl; ++i)
        literals_fitting(P, v, u->tpl[i], 0, a_wins, b_wins, depth);
    /* two templated segments are taken to overlap, whatever their literal parts */
    for (size_t i = 0; i < u->ntpl; ++i)
        for (size_t j = 0; j < v->ntpl; ++j) {
            P->shown[depth] = NULL;
            walk_pair(P, u->tpl[i], v->tpl[j], a_wins, b_wins, depth + 1);
        }
}

void lint__rules_ambiguous_paths(spec_lint_ctx_t *ctx)
{
    size_t n = spec_path_count(ctx->spec);
    if (n < 2 || !lint__on(ctx, LR_NO_AMBIGUOUS_PATHS))
        return;
    tnode_t *root = spec__xcalloc(1, sizeof(*root));
    ctable_t table = {0};
    for (size_t i = 0; i < n; ++i) {
        segment_t segs[MAX_SEGMENTS];
        size_t ns = split(spec_path_at(ctx->spec, i)->template, segs, MAX_SEGMENTS);
        if (ns == 0)
            continue;
        tnode_t *at = root;
        for (size_t k = 0; k < ns; ++k)
            at = child_of(&table, at, &segs[k]);
        at->ends = xgrow(at->ends, &at->endcap, at->nends, sizeof(*at->ends));
        at->ends[at->nends++] = i;
    }
    free(table.slots);
    finish(root);
    pairs_t P = {.ctx = ctx};
    walk_pair(&P, root, root, 0, 0, 0);
    destroy(root);
}
