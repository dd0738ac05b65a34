/* Structural diff of two JSON bodies in the body model (body/body.h): per-path differences with
 * numbers compared by value, key order ignored, array order changes and alignments detected, and
 * nesting bounded. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ct_alloc.h"
#include "ct_json.h"
#include "ct_excerpt.h"
#include "ct_map.h"

enum { CLASS_NULL, CLASS_BOOLEAN, CLASS_NUMBER, CLASS_STRING, CLASS_ARRAY, CLASS_OBJECT };

static const char *const class_names[] = {"null", "boolean", "number", "string", "array", "object"};

static int class_of(const body_value_t *v)
{
    static const int classes[] = {
        [BODY_NULL] = CLASS_NULL,     [BODY_FALSE] = CLASS_BOOLEAN, [BODY_TRUE] = CLASS_BOOLEAN,
        [BODY_NUMBER] = CLASS_NUMBER, [BODY_STRING] = CLASS_STRING, [BODY_ARRAY] = CLASS_ARRAY,
        [BODY_OBJECT] = CLASS_OBJECT};
    return classes[v->type];
}

/* Numbers by value (body_number_equal): integers exactly (ids beyond 2^53 stay distinct), an
 * integer equals a real only when the real holds exactly that integer, so 1 == 1.0; integers
 * beyond int64 compare as doubles. */
static int scalars_equal(const body_value_t *a, const body_value_t *b, int cls)
{
    switch (cls) {
    case CLASS_NUMBER:
        return body_number_equal(a, b);
    case CLASS_STRING:
        return a->len == b->len && memcmp(a->u.str, b->u.str, a->len) == 0;
    case CLASS_BOOLEAN:
        return a->type == b->type;
    default:
        return 1;
    }
}

/* Text a regex rule sees: string contents, number text, or the literal. */
static const char *scalar_text(const body_value_t *v, char *buf, size_t *len)
{
    switch (v->type) {
    case BODY_STRING:
        *len = v->len;
        return v->u.str;
    case BODY_NUMBER:
        *len = ct__format_number(v, buf);
        return buf;
    case BODY_TRUE:
        *len = 4;
        return "true";
    case BODY_FALSE:
        *len = 5;
        return "false";
    default:
        *len = 4;
        return "null";
    }
}

static int matchers_equal(ct_ctx_t *ctx, const body_value_t *a, const body_value_t *b, size_t begin,
                          size_t end)
{
    const ct_states_t *st = &ctx->scratch->states;
    if (a->type == BODY_NUMBER && b->type == BODY_NUMBER &&
        ct__match_numbers(ctx->rules, st, begin, end, body_number_value(a), body_number_value(b)))
        return 1;
    char ba[32], bb[32];
    size_t la, lb;
    const char *ta = scalar_text(a, ba, &la), *tb = scalar_text(b, bb, &lb);
    return ct__match_texts(ctx->rules, st, begin, end, ta, la, tb, lb);
}

/* Member lookup in the other object: by position first (two bodies of one API mostly keep
 * member order), then by name, through a hash index built on first need when the object is large
 * so that reordered large objects stay linear. Names are unique (the parser merges duplicates). */
typedef struct st_lookup_t {
    const body_value_t *obj;
    uint32_t *slots; /* member index + 1, 0 for empty; NULL until built */
    size_t mask;
} lookup_t;

#define SMALL_OBJECT 16

static int name_is(const body_member_t *m, const char *key, size_t len)
{
    return m->len == len && body_bytes_eq(m->key, key, len);
}

static void lookup_build(lookup_t *l)
{
    const body_value_t *o = l->obj;
    size_t cap = 64;
    while (cap < 2 * (size_t)o->len)
        cap *= 2;
    l->slots = ct__xcalloc(cap, sizeof(*l->slots));
    l->mask = cap - 1;
    for (uint32_t i = 0; i < o->len; i++) {
        const body_member_t *m = o->u.members + i;
        size_t slot = (size_t)ct__hash_bytes(m->key, m->len, 7) & l->mask;
        while (l->slots[slot] != 0)
            slot = (slot + 1) & l->mask;
        l->slots[slot] = i + 1;
    }
}

/* The value of member key[0..len) of l->obj, or NULL; `hint` is the position to try first. */
static const body_value_t *lookup(lookup_t *l, const char *key, size_t len, size_t hint)
{
    const body_value_t *o = l->obj;
    if (hint < o->len && name_is(o->u.members + hint, key, len))
        return o->u.members[hint].value;
    if (o->len <= SMALL_OBJECT) {
        for (uint32_t i = 0; i < o->len; i++)
            if (name_is(o->u.members + i, key, len))
                return o->u.members[i].value;
        return NULL;
    }
    if (l->slots == NULL)
        lookup_build(l);
    for (size_t slot = (size_t)ct__hash_bytes(key, len, 7) & l->mask; l->slots[slot] != 0;
         slot = (slot + 1) & l->mask) {
        const body_member_t *m = o->u.members + l->slots[slot] - 1;
        if (name_is(m, key, len))
            return m->value;
    }
    return NULL;
}

static void lookup_dispose(lookup_t *l)
{
    free(l->slots);
}

/* Equality of whole values without recursion, for subtrees below max_depth. The work list is
 * bounded by the size of the documents, not by their depth. */
static int values_equal(ct_ctx_t *ctx, const body_value_t *a, const body_value_t *b)
{
    ct_scratch_t *s = ctx->scratch;
    size_t n = 0;
    ct__grow((void **)&s->pairs, &s->pairs_cap, 2, sizeof(*s->pairs));
    s->pairs[n++] = a;
    s->pairs[n++] = b;
    while (n != 0) {
        const body_value_t *y = s->pairs[--n], *x = s->pairs[--n];
        int cls = class_of(x);
        if (cls != class_of(y) || ((cls == CLASS_ARRAY || cls == CLASS_OBJECT) && x->len != y->len))
            return 0;
        if (cls == CLASS_ARRAY) {
            ct__grow((void **)&s->pairs, &s->pairs_cap, n + 2 * (size_t)x->len, sizeof(*s->pairs));
            for (uint32_t i = 0; i < x->len; i++) {
                s->pairs[n++] = x->u.items[i];
                s->pairs[n++] = y->u.items[i];
            }
        } else if (cls == CLASS_OBJECT) {
            ct__grow((void **)&s->pairs, &s->pairs_cap, n + 2 * (size_t)x->len, sizeof(*s->pairs));
            lookup_t ly = {y, NULL, 0};
            for (uint32_t i = 0; i < x->len; i++) {
                const body_member_t *m = x->u.members + i;
                const body_value_t *vy = lookup(&ly, m->key, m->len, i);
                if (vy == NULL) {
                    lookup_dispose(&ly);
                    return 0;
                }
                s->pairs[n++] = m->value;
                s->pairs[n++] = vy;
            }
            lookup_dispose(&ly);
        } else if (!scalars_equal(x, y, cls)) {
            return 0;
        }
    }
    return 1;
}

static void diff_child(ct_ctx_t *ctx, const body_value_t *a, const body_value_t *b, ct_seg_t seg,
                       unsigned depth, size_t begin, size_t end)
{
    size_t child;
    unsigned verdict = ct__enter(ctx, seg, begin, end, &child);
    if (!(verdict & CT_VERDICT_IGNORE)) {
        if (a == NULL || b == NULL)
            ct__emit_json(ctx, a != NULL ? CT_DIFF_MISSING : CT_DIFF_EXTRA, a, b, NULL);
        else if (!(verdict & CT_VERDICT_PRESENT))
            ct__diff_json(ctx, a, b, depth, child, ctx->scratch->states.len, verdict);
    }
    ct__leave(ctx, child);
}

static ct_seg_t key_seg(const char *key, size_t len)
{
    return (ct_seg_t){key, len};
}

static ct_seg_t index_seg(size_t i)
{
    return (ct_seg_t){NULL, i};
}

static void diff_object(ct_ctx_t *ctx, const body_value_t *a, const body_value_t *b, unsigned depth,
                        size_t begin, size_t end)
{
    lookup_t la = {a, NULL, 0}, lb = {b, NULL, 0};
    size_t matched = 0;
    for (uint32_t i = 0; i < a->len; i++) {
        const body_member_t *m = a->u.members + i;
        const body_value_t *vb = lookup(&lb, m->key, m->len, i);
        matched += vb != NULL;
        diff_child(ctx, m->value, vb, key_seg(m->key, m->len), depth + 1, begin, end);
        if (ct__stopped(ctx))
            goto done;
    }
    if (matched == b->len)
        goto done; /* every key of b was seen above */
    for (uint32_t j = 0; j < b->len; j++) {
        const body_member_t *m = b->u.members + j;
        if (lookup(&la, m->key, m->len, j) != NULL)
            continue;
        diff_child(ctx, NULL, m->value, key_seg(m->key, m->len), depth + 1, begin, end);
        if (ct__stopped(ctx))
            goto done;
    }
done:
    lookup_dispose(&la);
    lookup_dispose(&lb);
}

/* Whether a and b would compare without any difference at the given child position. */
static int probe_equal(ct_ctx_t *ctx, const body_value_t *a, const body_value_t *b, ct_seg_t seg,
                       unsigned depth, size_t begin, size_t end)
{
    int saved_probe = ctx->probe, saved_hit = ctx->probe_hit;
    ctx->probe = 1;
    ctx->probe_hit = 0;
    diff_child(ctx, a, b, seg, depth, begin, end);
    int equal = !ctx->probe_hit;
    ctx->probe = saved_probe;
    ctx->probe_hit = saved_hit;
    return equal;
}

/* Structural hashing for the permutation test: values that compare equal under the rules hash
 * equally (ignored members are left out, values under matchers hash as wildcards), so equal hash
 * multisets are a cheap necessary condition before the exact pairwise check. */
#define H_ANY 0x5a17c0de5a17c0deULL
#define H_DEEP 0xdeeb0deeb0deeb0dULL

static uint64_t hash_value(ct_ctx_t *ctx, const body_value_t *v, unsigned depth, size_t begin,
                           size_t end);

static uint64_t hash_child(ct_ctx_t *ctx, const body_value_t *v, ct_seg_t seg, unsigned depth,
                           size_t begin, size_t end, int *ignored)
{
    ct_states_t *st = &ctx->scratch->states;
    size_t child = st->len;
    unsigned verdict = begin == end ? 0 : ct__match_step(ctx->rules, st, begin, end, &seg);
    uint64_t h;
    *ignored = (verdict & CT_VERDICT_IGNORE) != 0;
    if (verdict & (CT_VERDICT_IGNORE | CT_VERDICT_PRESENT | CT_VERDICT_MATCHERS))
        h = H_ANY;
    else
        h = hash_value(ctx, v, depth, child, st->len);
    st->len = child;
    return h;
}

static uint64_t hash_value(ct_ctx_t *ctx, const body_value_t *v, unsigned depth, size_t begin,
                           size_t end)
{
    int ignored;
    switch (v->type) {
    case BODY_OBJECT: {
        if (depth >= ctx->opts->max_depth)
            return H_DEEP;
        uint64_t h = 0x0b1ec7;
        for (uint32_t i = 0; i < v->len; i++) {
            const body_member_t *m = v->u.members + i;
            uint64_t vh =
                hash_child(ctx, m->value, key_seg(m->key, m->len), depth + 1, begin, end, &ignored);
            if (!ignored) /* members combine by addition: key order must not matter */
                h += ct__hash_mix(ct__hash_bytes(m->key, m->len, 1) ^ (vh * 0x9e3779b97f4a7c15ULL));
        }
        return ct__hash_mix(h);
    }
    case BODY_ARRAY: {
        if (depth >= ctx->opts->max_depth)
            return H_DEEP;
        uint64_t h = 0xa7;
        for (uint32_t i = 0; i < v->len; i++)
            h = ct__hash_mix(
                h + hash_child(ctx, v->u.items[i], index_seg(i), depth + 1, begin, end, &ignored));
        return h;
    }
    case BODY_STRING:
        return ct__hash_bytes(v->u.str, v->len, 2);
    case BODY_NUMBER: {
        /* equal numbers (1 and 1.0 too) must hash equally: by their value as a double */
        double d = body_number_value(v);
        if (d == 0)
            d = 0; /* -0.0 == 0.0 */
        return ct__hash_bytes(&d, sizeof(d), 3);
    }
    case BODY_TRUE:
        return 0x7e;
    case BODY_FALSE:
        return 0xfa;
    default:
        return 0x11;
    }
}

typedef struct st_hashed_t {
    uint64_t hash;
    size_t index;
} hashed_t;

static int cmp_hashed(const void *x, const void *y)
{
    const hashed_t *a = x, *b = y;
    if (a->hash != b->hash)
        return a->hash < b->hash ? -1 : 1;
    return a->index < b->index ? -1 : a->index > b->index;
}

/* Whether b is a reordering of a (same length n). Elements are grouped by hash and matched
 * greedily inside each group with exact probes; a probe budget keeps adversarial arrays (many
 * equal hashes, few equal elements) linear. */
static int is_permutation(ct_ctx_t *ctx, const body_value_t *a, const body_value_t *b, size_t n,
                          unsigned depth, size_t begin, size_t end)
{
    hashed_t *ha = ct__xmalloc(n * sizeof(*ha)), *hb = ct__xmalloc(n * sizeof(*hb));
    int ignored, result = 0;
    for (size_t i = 0; i < n; i++) {
        ha[i] = (hashed_t){
            hash_child(ctx, a->u.items[i], index_seg(i), depth, begin, end, &ignored), i};
        hb[i] = (hashed_t){
            hash_child(ctx, b->u.items[i], index_seg(i), depth, begin, end, &ignored), i};
    }
    qsort(ha, n, sizeof(*ha), cmp_hashed);
    qsort(hb, n, sizeof(*hb), cmp_hashed);
    for (size_t i = 0; i < n; i++)
        if (ha[i].hash != hb[i].hash)
            goto done;
    size_t budget = 4 * n + 64;
    for (size_t g = 0; g < n;) {
        size_t g_end = g + 1;
        while (g_end < n && ha[g_end].hash == ha[g].hash)
            g_end++;
        /* hb entries of this group are matched by setting their index to SIZE_MAX */
        for (size_t i = g; i < g_end; i++) {
            const body_value_t *va = a->u.items[ha[i].index];
            size_t j = g;
            for (; j < g_end; j++) {
                if (hb[j].index == SIZE_MAX)
                    continue;
                if (budget-- == 0)
                    goto done;
                if (probe_equal(ctx, va, b->u.items[hb[j].index], index_seg(ha[i].index), depth,
                                begin, end))
                    break;
            }
            if (j == g_end)
                goto done;
            hb[j].index = SIZE_MAX;
        }
        g = g_end;
    }
    result = 1;
done:
    free(ha);
    free(hb);
    return result;
}

/* Whether the last elements of a and b line up without a difference: an insertion at the start
 * or in the middle then shows as a length change instead of a cascade of shifted values. */
static int tails_equal(ct_ctx_t *ctx, const body_value_t *a, const body_value_t *b, unsigned depth,
                       size_t begin, size_t end)
{
    size_t na = a->len, nb = b->len, n = na < nb ? na : nb;
    for (size_t k = 1; k <= n; k++)
        if (!probe_equal(ctx, a->u.items[na - k], b->u.items[nb - k], index_seg(na - k), depth,
                         begin, end))
            return 0;
    return 1;
}

static void diff_array(ct_ctx_t *ctx, const body_value_t *a, const body_value_t *b, unsigned depth,
                       size_t begin, size_t end)
{
    size_t na = a->len, nb = b->len, n = na < nb ? na : nb;
    if (na != nb) {
        char detail[64];
        snprintf(detail, sizeof(detail), "%zu vs %zu elements", na, nb);
        ct__emit_json(ctx, CT_DIFF_ARRAY_LENGTH_CHANGED, a, b, detail);
        if (ctx->probe)
            return;
    }
    ct_mark_t mark = ct__mark(ctx);
    for (size_t i = 0; i < n && !ct__stopped(ctx); i++)
        diff_child(ctx, a->u.items[i], b->u.items[i], index_seg(i), depth + 1, begin, end);
    if (ctx->probe ||
        (ctx->result->num_diffs == mark.num_diffs && ctx->result->truncated == mark.truncated))
        return;
    if (na == nb) {
        if (n >= 2 && is_permutation(ctx, a, b, n, depth + 1, begin, end)) {
            ct__rollback(ctx, mark);
            ct__emit_json(ctx, CT_DIFF_ORDER_CHANGED, a, b, NULL);
        }
    } else if (tails_equal(ctx, a, b, depth + 1, begin, end)) {
        ct__rollback(ctx, mark);
    }
}

void ct__diff_json(ct_ctx_t *ctx, const body_value_t *a, const body_value_t *b, unsigned depth,
                   size_t begin, size_t end, unsigned verdict)
{
    int ca = class_of(a), cb = class_of(b);
    if ((verdict & CT_VERDICT_MATCHERS) && ca < CLASS_ARRAY && cb < CLASS_ARRAY &&
        matchers_equal(ctx, a, b, begin, end))
        return;
    if (ca != cb) {
        char detail[32];
        snprintf(detail, sizeof(detail), "%s vs %s", class_names[ca], class_names[cb]);
        ct__emit_json(ctx, CT_DIFF_TYPE_CHANGED, a, b, detail);
        return;
    }
    if (ca == CLASS_ARRAY || ca == CLASS_OBJECT) {
        if (depth >= ctx->opts->max_depth) {
            if (!values_equal(ctx, a, b)) {
                char detail[64];
                snprintf(detail, sizeof(detail), "nested deeper than %u levels",
                         ctx->opts->max_depth);
                ct__emit_json(ctx, CT_DIFF_TOO_DEEP, a, b, detail);
            }
        } else if (ca == CLASS_ARRAY) {
            diff_array(ctx, a, b, depth, begin, end);
        } else {
            diff_object(ctx, a, b, depth, begin, end);
        }
        return;
    }
    if (!scalars_equal(a, b, ca))
        ct__emit_json(ctx, CT_DIFF_VALUE_CHANGED, a, b, NULL);
}
