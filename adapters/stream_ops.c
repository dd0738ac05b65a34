/* The streaming pass's steps: which steps it runs, and what each does to a value, exactly as
 * apply.c does it, or -1 (give up) wherever apply.c would count a mismatch. */
#include <string.h>
#include "stream.h"

/* ---- which steps a pass runs ---- */

static int is_key(const adp__jpath_t *p)
{
    return p->n == 1 && p->segs[0].kind == ADP__SEG_KEY;
}

int adp__stream_member_step(const adp__step_t *s)
{
    switch (s->prim) {
    case ADP__P_MOVE:
    case ADP__P_TO_ID:
    case ADP__P_TO_OBJECT: /* in place, or renamed within the object */
        return is_key(&s->src) && is_key(&s->dst);
    case ADP__P_DELETE:
    case ADP__P_CONVERT:
    case ADP__P_MAP:
    case ADP__P_OPEN:
    case ADP__P_CLOSE:
        return is_key(&s->src);
    case ADP__P_DEFAULT:
        return is_key(&s->dst);
    case ADP__P_DERIVE: /* a copy of a member, set last when the member it fills is absent */
        return is_key(&s->src) && is_key(&s->dst);
    default:
        return 0;
    }
}

static int same_name(const adp__seg_t *a, const adp__seg_t *b)
{
    return a->len == b->len && memcmp(a->key, b->key, a->len) == 0;
}

static int same_seg(const adp__seg_t *a, const adp__seg_t *b)
{
    if (a->kind != b->kind || (a->kind != ADP__SEG_KEY && a->kind != ADP__SEG_INDEX))
        return 0;
    return a->kind == ADP__SEG_INDEX ? a->index == b->index : same_name(a, b);
}

size_t adp__stream_step_tail(const adp__step_t *st, adp__step_t *tail)
{
    size_t n = st->src.n;
    switch (st->prim) {
    case ADP__P_DELETE:
    case ADP__P_CONVERT:
    case ADP__P_MAP:
    case ADP__P_OPEN:
    case ADP__P_CLOSE:
    case ADP__P_DERIVE:
    case ADP__P_TO_ID:
    case ADP__P_TO_OBJECT:
        break;
    default:
        return 0; /* a move relocates (stream_move.c); a default makes the objects on its way */
    }
    if (n < 2 || (st->dst.n != 0 && st->dst.n != n))
        return 0;
    for (size_t i = 0; i + 1 < n; ++i)
        if (!same_seg(&st->src.segs[i], st->dst.n != 0 ? &st->dst.segs[i] : &st->src.segs[i]))
            return 0;
    *tail = *st;
    tail->src = adp__jpath_slice(&st->src, n - 1, n);
    if (st->dst.n != 0)
        tail->dst = adp__jpath_slice(&st->dst, n - 1, n);
    if (!adp__stream_member_step(tail))
        return 0;
    /* collapse/expand under a new name relocates the value (apply.c's apply_id): the tree's */
    if ((st->prim == ADP__P_TO_ID || st->prim == ADP__P_TO_OBJECT) &&
        !same_name(&tail->src.segs[0], &tail->dst.segs[0]))
        return 0;
    return n - 1;
}

/* The member names a step reads or writes (at most two). */
static size_t touched(const adp__step_t *s, const adp__seg_t **out)
{
    if (s->prim == ADP__P_DEFAULT) {
        out[0] = &s->dst.segs[0];
        return 1;
    }
    out[0] = &s->src.segs[0];
    if ((s->prim == ADP__P_MOVE || s->prim == ADP__P_TO_ID || s->prim == ADP__P_TO_OBJECT ||
         s->prim == ADP__P_DERIVE) &&
        !same_name(&s->src.segs[0], &s->dst.segs[0])) {
        out[1] = &s->dst.segs[0];
        return 2;
    }
    return 1;
}

int adp__steps_local(const adp__step_t *steps, size_t n)
{
    const adp__seg_t *names[2 * ADP__PROGRAM_MAX];
    size_t nn = 0;
    if (n > ADP__PROGRAM_MAX)
        return 0;
    for (size_t i = 0; i < n; ++i) {
        if (steps[i].base.n != 0 || !adp__stream_member_step(&steps[i]))
            return 0;
        const adp__seg_t *t[2];
        for (size_t k = 0, m = touched(&steps[i], t); k < m; ++k) {
            /* each name belongs to one step, so the steps' order cannot matter */
            for (size_t j = 0; j < nn; ++j)
                if (same_name(names[j], t[k]))
                    return 0;
            names[nn++] = t[k];
        }
    }
    return 1;
}

void adp__stream_program_add(adp__program_t *prog, const adp__step_t *st)
{
    int writes = st->prim == ADP__P_DEFAULT || st->prim == ADP__P_DERIVE;
    const adp__seg_t *k = writes ? &st->dst.segs[0] : &st->src.segs[0];
    adp__pstep_t *ps = &prog->steps[prog->n++];
    *ps = (adp__pstep_t){st, k->key, k->len, NULL, 0};
    if ((st->prim == ADP__P_MOVE || st->prim == ADP__P_TO_ID || st->prim == ADP__P_TO_OBJECT) &&
        !same_name(&st->src.segs[0], &st->dst.segs[0])) {
        ps->to = st->dst.segs[0].key;
        ps->to_len = st->dst.segs[0].len;
    }
}

/* ---- what a step does to a value ---- */

/* A converted or mapped scalar: the new value, or NULL to keep the input's. -1 for what
 * apply.c would count as a mismatch. */
static int transformed(adp__stream_t *s, const adp__step_t *step, const body_value_t *in,
                       const body_value_t **out)
{
    *out = NULL;
    if (in->type == BODY_NULL)
        return 0;
    if (step->prim == ADP__P_CONVERT)
        return (*out = adp__convert(s->run->mem, step->conv, step->scale, in)) != NULL ? 0 : -1;
    int i = adp__map_find(step->map, in);
    if (i >= 0) {
        *out = step->map->to[i];
        return 0;
    }
    /* unmapped: a mismatch when strict or of another kind than the table (see apply_map) */
    if (step->strict || step->map->n == 0)
        return step->strict ? -1 : 0;
    int a = in->type == BODY_TRUE ? BODY_FALSE : in->type;
    int b = step->map->from[0]->type == BODY_TRUE ? BODY_FALSE : step->map->from[0]->type;
    return a == b ? 0 : -1;
}

/* Minor units to a decimal string (money: 1250 -> "12.50"), the common conversion, written
 * straight into the output: what adp__convert makes, without making it. */
static int minor_to_decimal(adp__stream_t *s, const char *at, const body_value_t *in, int scale)
{
    int64_t i;
    char buf[ADP__DECIMAL_MAX + 1];
    size_t len;
    if (body_int_value(in, &i) != 0)
        return -1;
    char *q = adp__minor_to_decimal_text(i, scale, buf + 1, &len);
    *--q = '"'; /* buf[0] at the least */
    adp__stream_cut(s, at, s->p);
    adp__stream_emit(s, q, len + 1);
    adp__stream_emit(s, "\"", 1);
    return 0;
}

static int scalar_op(adp__stream_t *s, const adp__step_t *step)
{
    body_value_t in;
    const body_value_t *out;
    const char *at = s->p;
    if (adp__stream_scalar(s, &in) != 0)
        return -1;
    if (step->prim == ADP__P_CONVERT && step->conv == ADP__C_MINOR_TO_DEC && in.type != BODY_NULL)
        return minor_to_decimal(s, at, &in, step->scale);
    if (step->prim == ADP__P_MAP && in.type == BODY_STRING) { /* enums: a string found by bytes */
        for (size_t i = 0; i < step->map->n; ++i) {
            const body_value_t *f = step->map->from[i];
            if (f->type == BODY_STRING && f->len == in.len &&
                body_bytes_eq(f->u.str, in.u.str, in.len)) {
                adp__stream_cut(s, at, s->p);
                adp__stream_emit_value(s, step->map->to[i]);
                return 0;
            }
        }
    }
    if (transformed(s, step, &in, &out) != 0)
        return -1;
    if (out != NULL) {
        adp__stream_cut(s, at, s->p);
        adp__stream_emit_value(s, out);
    }
    return 0;
}

/* The value at s->p replaced by its member `key` (unwrap, expand's object to id). */
static int open_envelope(adp__stream_t *s, const adp__step_t *step, uint32_t state, size_t depth)
{
    const char *vstart, *vend;
    if (*s->p != '{')
        return -1;
    return adp__stream_envelope(s, step->key, step->key_len, state, depth, &vstart, &vend);
}

/* The value at s->p wrapped as {key: value} after the members of `extra` (wrap, collapse's id to
 * object). The tree engine sets `key` last on a copy of `extra`: a member of `extra` by that name
 * is replaced. */
static int close_envelope(adp__stream_t *s, const adp__step_t *step, const body_value_t *extra,
                          uint32_t state, size_t depth)
{
    adp__stream_flush(s, s->p);
    adp__stream_emit(s, "{", 1);
    for (size_t i = 0; extra != NULL && i < extra->len; ++i) {
        const body_member_t *m = &extra->u.members[i];
        if (m->len == step->key_len && memcmp(m->key, step->key, m->len) == 0)
            continue;
        adp__stream_emit_name(s, m->key, m->len);
        adp__stream_emit_value(s, m->value);
        adp__stream_emit(s, ",", 1);
    }
    adp__stream_emit_name(s, step->key, step->key_len);
    if (adp__stream_value(s, adp__stream_inside(s, state), depth) != 0)
        return -1;
    adp__stream_flush(s, s->p);
    adp__stream_emit(s, "}", 1);
    return 0;
}

/* collapse/expand's ids: strings and integers (apply.c's is_id). */
static int id_at(adp__stream_t *s, int *is_null)
{
    body_value_t v;
    const char *save = s->p;
    *is_null = 0;
    if (*s->p == '"') {
        int escaped;
        return body_scan_string(s->p + 1, s->end, &escaped) != NULL ? 1 : -1;
    }
    if (adp__stream_scalar(s, &v) != 0)
        return -1;
    s->p = save;
    *is_null = v.type == BODY_NULL;
    return body_is_integer(&v);
}

int adp__stream_value_op(adp__stream_t *s, const adp__step_t *step, uint32_t state, size_t depth)
{
    if (depth > ADP__STREAM_DEPTH || s->p == s->end)
        return -1;
    char c = *s->p;
    int is_null, id;
    switch (step->prim) {
    case ADP__P_CONVERT:
    case ADP__P_MAP:
        return scalar_op(s, step);
    case ADP__P_OPEN:
        return open_envelope(s, step, state, depth);
    case ADP__P_CLOSE:
        return close_envelope(s, step, step->value, state, depth);
    case ADP__P_TO_ID: /* {"id": "u1", ...} -> "u1"; ids and null stay */
        if (c == '{')
            return open_envelope(s, step, state, depth);
        if (c == '[' || (id = id_at(s, &is_null)) < 0 || (!id && !is_null))
            return -1;
        return adp__stream_value(s, state, depth);
    case ADP__P_TO_OBJECT: /* "u1" -> {"id": "u1"}; objects and null stay */
        if (c == '{')
            return adp__stream_value(s, state, depth);
        if (c == '[' || (id = id_at(s, &is_null)) < 0 || (!id && !is_null))
            return -1;
        if (is_null)
            return adp__stream_value(s, state, depth);
        return close_envelope(s, step, NULL, state, depth);
    default:
        return -1;
    }
}
