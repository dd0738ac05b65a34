/* Structural diff of two JSON values: per-path differences with numbers compared by value, key
 * order ignored, array order changes and alignments detected, and nesting bounded. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ct_alloc.h"
#include "ct_ctx.h"
#include "ct_excerpt.h"
#include "ct_map.h"

enum { CLASS_NULL, CLASS_BOOLEAN, CLASS_NUMBER, CLASS_STRING, CLASS_ARRAY, CLASS_OBJECT };

static const char *const class_names[] = {"null", "boolean", "number", "string", "array", "object"};

static int class_of(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return CLASS_OBJECT;
    case JSON_ARRAY:
        return CLASS_ARRAY;
    case JSON_STRING:
        return CLASS_STRING;
    case JSON_INTEGER:
    case JSON_REAL:
        return CLASS_NUMBER;
    case JSON_TRUE:
    case JSON_FALSE:
        return CLASS_BOOLEAN;
    case JSON_NULL:
        break;
    }
    return CLASS_NULL;
}

static double number_value(const json_t *v)
{
    return json_is_integer(v) ? (double)json_integer_value(v) : json_real_value(v);
}

/* Integers compare exactly (ids beyond 2^53 stay distinct); an integer equals a real only when the
 * real holds exactly that integer, so 1 == 1.0. */
static int numbers_equal(const ct_ctx_t *ctx, const json_t *a, const json_t *b)
{
    int ia = json_is_integer(a), ib = json_is_integer(b);
    if (ia && ib)
        return json_integer_value(a) == json_integer_value(b);
    if (!ia && !ib)
        return json_real_value(a) == json_real_value(b);
    json_int_t i = json_integer_value(ia ? a : b);
    double d = json_real_value(ia ? b : a);
    if (ctx->lossy_numbers)
        return (double)i == d;
    /* 2^63 is exactly representable; the range check keeps the conversion defined */
    if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0) || d != floor(d))
        return 0;
    return (json_int_t)d == i;
}

static int scalars_equal(const ct_ctx_t *ctx, const json_t *a, const json_t *b, int cls)
{
    switch (cls) {
    case CLASS_NUMBER:
        return numbers_equal(ctx, a, b);
    case CLASS_STRING:
        return json_string_length(a) == json_string_length(b) &&
               memcmp(json_string_value(a), json_string_value(b), json_string_length(a)) == 0;
    case CLASS_BOOLEAN:
        return json_typeof(a) == json_typeof(b);
    default:
        return 1;
    }
}

/* Text a regex rule sees: string contents, number text, or the literal. */
static const char *scalar_text(const json_t *v, char *buf, size_t *len)
{
    switch (json_typeof(v)) {
    case JSON_STRING:
        *len = json_string_length(v);
        return json_string_value(v);
    case JSON_INTEGER:
    case JSON_REAL:
        *len = ct__format_number(v, buf);
        return buf;
    case JSON_TRUE:
        *len = 4;
        return "true";
    case JSON_FALSE:
        *len = 5;
        return "false";
    default:
        *len = 4;
        return "null";
    }
}

static int matchers_equal(ct_ctx_t *ctx, const json_t *a, const json_t *b, size_t begin, size_t end)
{
    const ct_states_t *st = &ctx->scratch->states;
    if (json_is_number(a) && json_is_number(b) &&
        ct__match_numbers(ctx->rules, st, begin, end, number_value(a), number_value(b)))
        return 1;
    char ba[32], bb[32];
    size_t la, lb;
    const char *ta = scalar_text(a, ba, &la), *tb = scalar_text(b, bb, &lb);
    return ct__match_texts(ctx->rules, st, begin, end, ta, la, tb, lb);
}

/* Equality of whole values without recursion, for subtrees below max_depth. The work list is
 * bounded by the size of the documents, not by their depth. */
static int values_equal(ct_ctx_t *ctx, const json_t *a, const json_t *b)
{
    ct_scratch_t *s = ctx->scratch;
    size_t n = 0;
    ct__grow((void **)&s->pairs, &s->pairs_cap, 2, sizeof(*s->pairs));
    s->pairs[n++] = a;
    s->pairs[n++] = b;
    while (n != 0) {
        const json_t *y = s->pairs[--n], *x = s->pairs[--n];
        int cls = class_of(x);
        if (cls != class_of(y))
            return 0;
        if (cls == CLASS_ARRAY) {
            size_t len = json_array_size(x);
            if (len != json_array_size(y))
                return 0;
            ct__grow((void **)&s->pairs, &s->pairs_cap, n + 2 * len, sizeof(*s->pairs));
            for (size_t i = 0; i < len; i++) {
                s->pairs[n++] = json_array_get(x, i);
                s->pairs[n++] = json_array_get(y, i);
            }
        } else if (cls == CLASS_OBJECT) {
            if (json_object_size(x) != json_object_size(y))
                return 0;
            ct__grow((void **)&s->pairs, &s->pairs_cap, n + 2 * json_object_size(x),
                     sizeof(*s->pairs));
            const char *key;
            size_t key_len;
            json_t *vx;
            json_object_keylen_foreach((json_t *)x, key, key_len, vx)
            {
                json_t *vy = json_object_getn(y, key, key_len);
                if (vy == NULL)
                    return 0;
                s->pairs[n++] = vx;
                s->pairs[n++] = vy;
            }
        } else if (!scalars_equal(ctx, x, y, cls)) {
            return 0;
        }
    }
    return 1;
}

static void diff_child(ct_ctx_t *ctx, const json_t *a, const json_t *b, ct_seg_t seg,
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

static void diff_object(ct_ctx_t *ctx, const json_t *a, const json_t *b, unsigned depth,
                        size_t begin, size_t end)
{
    const char *key;
    size_t key_len, matched = 0;
    json_t *va, *vb;
    json_object_keylen_foreach((json_t *)a, key, key_len, va)
    {
        vb = json_object_getn(b, key, key_len);
        matched += vb != NULL;
        diff_child(ctx, va, vb, key_seg(key, key_len), depth + 1, begin, end);
        if (ct__stopped(ctx))
            return;
    }
    if (matched == json_object_size(b))
        return; /* every key of b was seen above */
    json_object_keylen_foreach((json_t *)b, key, key_len, vb)
    {
        if (json_object_getn(a, key, key_len) != NULL)
            continue;
        diff_child(ctx, NULL, vb, key_seg(key, key_len), depth + 1, begin, end);
        if (ct__stopped(ctx))
            return;
    }
}

/* Whether a and b would compare without any difference at the given child position. */
static int probe_equal(ct_ctx_t *ctx, const json_t *a, const json_t *b, ct_seg_t seg,
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

static uint64_t hash_value(ct_ctx_t *ctx, const json_t *v, unsigned depth, size_t begin,
                           size_t end);

static uint64_t hash_child(ct_ctx_t *ctx, const json_t *v, ct_seg_t seg, unsigned depth,
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

static uint64_t hash_value(ct_ctx_t *ctx, const json_t *v, unsigned depth, size_t begin, size_t end)
{
    int ignored;
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        if (depth >= ctx->opts->max_depth)
            return H_DEEP;
        const char *key;
        size_t key_len;
        json_t *value;
        uint64_t h = 0x0b1ec7;
        json_object_keylen_foreach((json_t *)v, key, key_len, value)
        {
            uint64_t vh =
                hash_child(ctx, value, key_seg(key, key_len), depth + 1, begin, end, &ignored);
            if (!ignored) /* members combine by addition: key order must not matter */
                h += ct__hash_mix(ct__hash_bytes(key, key_len, 1) ^ (vh * 0x9e3779b97f4a7c15ULL));
        }
        return ct__hash_mix(h);
    }
    case JSON_ARRAY: {
        if (depth >= ctx->opts->max_depth)
            return H_DEEP;
        uint64_t h = 0xa7;
        for (size_t i = 0, n = json_array_size(v); i < n; i++)
            h = ct__hash_mix(h + hash_child(ctx, json_array_get(v, i), index_seg(i), depth + 1,
                                            begin, end, &ignored));
        return h;
    }
    case JSON_STRING:
        return ct__hash_bytes(json_string_value(v), json_string_length(v), 2);
    case JSON_INTEGER:
    case JSON_REAL: {
        double d = number_value(v);
        if (d == 0)
            d = 0; /* -0.0 == 0.0 */
        return ct__hash_bytes(&d, sizeof(d), 3);
    }
    case JSON_TRUE:
        return 0x7e;
    case JSON_FALSE:
        return 0xfa;
    case JSON_NULL:
        break;
    }
    return 0x11;
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
static int is_permutation(ct_ctx_t *ctx, const json_t *a, const json_t *b, size_t n, unsigned depth,
                          size_t begin, size_t end)
{
    hashed_t *ha = ct__xmalloc(n * sizeof(*ha)), *hb = ct__xmalloc(n * sizeof(*hb));
    int ignored, result = 0;
    for (size_t i = 0; i < n; i++) {
        ha[i] = (hashed_t){
            hash_child(ctx, json_array_get(a, i), index_seg(i), depth, begin, end, &ignored), i};
        hb[i] = (hashed_t){
            hash_child(ctx, json_array_get(b, i), index_seg(i), depth, begin, end, &ignored), i};
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
            const json_t *va = json_array_get(a, ha[i].index);
            size_t j = g;
            for (; j < g_end; j++) {
                if (hb[j].index == SIZE_MAX)
                    continue;
                if (budget-- == 0)
                    goto done;
                if (probe_equal(ctx, va, json_array_get(b, hb[j].index), index_seg(ha[i].index),
                                depth, begin, end))
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
static int tails_equal(ct_ctx_t *ctx, const json_t *a, const json_t *b, unsigned depth,
                       size_t begin, size_t end)
{
    size_t na = json_array_size(a), nb = json_array_size(b), n = na < nb ? na : nb;
    for (size_t k = 1; k <= n; k++)
        if (!probe_equal(ctx, json_array_get(a, na - k), json_array_get(b, nb - k),
                         index_seg(na - k), depth, begin, end))
            return 0;
    return 1;
}

static void diff_array(ct_ctx_t *ctx, const json_t *a, const json_t *b, unsigned depth,
                       size_t begin, size_t end)
{
    size_t na = json_array_size(a), nb = json_array_size(b), n = na < nb ? na : nb;
    if (na != nb) {
        char detail[64];
        snprintf(detail, sizeof(detail), "%zu vs %zu elements", na, nb);
        ct__emit_json(ctx, CT_DIFF_ARRAY_LENGTH_CHANGED, a, b, detail);
        if (ctx->probe)
            return;
    }
    ct_mark_t mark = ct__mark(ctx);
    for (size_t i = 0; i < n && !ct__stopped(ctx); i++)
        diff_child(ctx, json_array_get(a, i), json_array_get(b, i), index_seg(i), depth + 1, begin,
                   end);
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

void ct__diff_json(ct_ctx_t *ctx, const json_t *a, const json_t *b, unsigned depth, size_t begin,
                   size_t end, unsigned verdict)
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
    if (!scalars_equal(ctx, a, b, ca))
        ct__emit_json(ctx, CT_DIFF_VALUE_CHANGED, a, b, NULL);
}
