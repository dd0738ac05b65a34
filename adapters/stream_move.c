/* The streaming pass's moves across objects (nest: `x` -> `meta.x`; unnest: `meta.x` -> `x`;
 * and between sibling objects: `a.x` -> `b.x`), exactly as apply.c's relocate does them: the
 * member is taken out of its object (an object it leaves empty is dropped), then set under the new
 * path, intermediate objects made as needed (at the end of their parent, or in place of a null),
 * the member itself last in its new object. The pass walks to the object where both paths part
 * (the base, then the names they share), reads it whole once, remembering where the members that
 * matter start and end in the input (the body is buffered whole), and writes it out again with
 * the edits. It gives up (-1) wherever apply.c would count a mismatch, replace a member that is
 * present (a conflict), or drop and re-create the object it works in (which moves that object to
 * the end of its parent). */
#include <string.h>
#include "stream.h"

/* Where one member is in the input. */
typedef struct {
    const char *mstart, *vstart, *vend; /* its name's quote, its value, the end of its value */
    const char *prev_end;               /* the end of the previous member's value (NULL: first) */
    const char *next_start;             /* the next member's name (NULL: last) */
} span_t;

/* One object read whole: its size, its '}', and the members looked for (key[i], when not NULL);
 * when inside[i] is not NULL and that member's value is an object, it is read into inside[i]
 * too (inside[i]->close is NULL otherwise). */
typedef struct st_scan_t {
    const char *close;
    size_t n;
    const adp__seg_t *key[2];
    span_t at[2];
    struct st_scan_t *inside[2];
} scan_t;

static void ws(adp__stream_t *s)
{
    const char *at = s->p;
    while (s->p != s->end && (*s->p == ' ' || *s->p == '\n' || *s->p == '\r' || *s->p == '\t'))
        s->p++;
    s->ws_seen |= s->p != at;
}

/* The input [b, e) into the output, compact: copied as it is when the object it is part of had
 * no whitespace to cut (the common case: a compact upstream body). */
static void copy(adp__stream_t *s, const char *b, const char *e, int had_ws)
{
    if (had_ws)
        adp__stream_emit_compact(s, b, e);
    else
        adp__stream_emit(s, b, (size_t)(e - b));
}

static int is(const adp__seg_t *k, const char *key, size_t len)
{
    return k != NULL && k->len == len && body_bytes_eq(k->key, key, len);
}

/* Reads (validates) the object at s->p into `o`; nothing reaches the output (s->hold). */
static int scan(adp__stream_t *s, scan_t *o, size_t depth)
{
    adp__names_t names;
    names.bits = 0, names.n = 0;
    span_t *pending[2] = {NULL, NULL}; /* members whose next_start is the next name */
    const char *last_end = NULL;
    o->n = 0;
    o->close = NULL;
    for (int i = 0; i < 2; ++i)
        o->at[i].mstart = NULL;
    if (depth > ADP__STREAM_DEPTH)
        return -1;
    s->p++;
    ws(s);
    if (s->p != s->end && *s->p == '}') {
        o->close = s->p++;
        return 0;
    }
    for (;;) {
        int escaped;
        const char *q, *mstart = s->p;
        if (s->p == s->end || *s->p != '"' ||
            (q = body_scan_string_short(s->p + 1, s->end, &escaped)) == NULL || escaped)
            return -1; /* an escaped name may be one the step looks for: the tree engine's */
        const char *key = s->p + 1;
        size_t klen = (size_t)(q - key);
        if (adp__stream_duplicate(&names, key, klen))
            return -1;
        for (int i = 0; i < 2; ++i)
            if (pending[i] != NULL)
                pending[i]->next_start = mstart, pending[i] = NULL;
        s->p = q + 1;
        ws(s);
        if (s->p == s->end || *s->p != ':')
            return -1;
        s->p++;
        ws(s);
        const char *vstart = s->p;
        int hit = -1;
        for (int i = 0; i < 2 && hit < 0; ++i)
            if (is(o->key[i], key, klen))
                hit = i;
        int r;
        if (hit >= 0 && o->inside[hit] != NULL && s->p != s->end && *s->p == '{')
            r = scan(s, o->inside[hit], depth + 1);
        else
            r = adp__stream_value(s, ADP__NO_STATE, depth + 1);
        if (r != 0)
            return -1;
        if (hit >= 0) {
            o->at[hit] = (span_t){mstart, vstart, s->p, last_end, NULL};
            pending[hit] = &o->at[hit];
        }
        last_end = s->p;
        o->n++;
        ws(s);
        if (s->p == s->end)
            return -1;
        if (*s->p == '}') {
            o->close = s->p++;
            return 0;
        }
        if (*s->p != ',')
            return -1;
        s->p++;
        ws(s);
    }
}

/* ---- the edits, in input order ---- */

typedef enum {
    E_DROP,   /* the input [at, to) is left out */
    E_INSERT, /* at `at`: a comma when `comma`, then "name":<value> or "name":{"sub":<value>} */
    E_WRAP    /* the input [at, to) (a null) becomes {"sub":<value>} */
} edit_kind_t;

typedef struct {
    edit_kind_t kind;
    const char *at, *to;
    int comma;
    const adp__seg_t *name, *sub;
} edit_t;

/* The input range that takes member `m` out of its object, with a comma beside it. */
static edit_t drop(const span_t *m)
{
    if (m->prev_end != NULL)
        return (edit_t){E_DROP, m->prev_end, m->vend, 0, NULL, NULL};
    return (edit_t){E_DROP, m->mstart, m->next_start != NULL ? m->next_start : m->vend, 0, NULL,
                    NULL};
}

static void emit_edit(adp__stream_t *s, const edit_t *e, const char *vs, const char *ve,
                      int had_ws)
{
    if (e->kind == E_DROP)
        return;
    if (e->comma)
        adp__stream_emit(s, ",", 1);
    if (e->kind == E_INSERT) {
        adp__stream_emit_name(s, e->name->key, e->name->len);
        if (e->sub == NULL) {
            copy(s, vs, ve, had_ws);
            return;
        }
    }
    adp__stream_emit(s, "{", 1);
    adp__stream_emit_name(s, e->sub->key, e->sub->len);
    copy(s, vs, ve, had_ws);
    adp__stream_emit(s, "}", 1);
}

/* ---- the move ---- */

/* An object the move leaves as it is: once the output exists, it goes out compact too (it was
 * read with the output held). */
static int keep(adp__stream_t *s, const char *open, int had_ws)
{
    if (s->out != NULL && had_ws) {
        adp__stream_flush(s, open);
        adp__stream_emit_compact(s, open, s->p);
        s->from = s->p;
    }
    return 0;
}

int adp__stream_move_setup(adp__stream_t *s, const adp__step_t *step)
{
    const adp__jpath_t *src = &step->src, *dst = &step->dst;
    if (step->prim != ADP__P_MOVE)
        return -1;
    for (size_t i = 0; i < src->n; ++i)
        if (src->segs[i].kind != ADP__SEG_KEY)
            return -1;
    for (size_t i = 0; i < dst->n; ++i)
        if (dst->segs[i].kind != ADP__SEG_KEY)
            return -1;
    size_t h = 0;
    while (h < src->n && h < dst->n && src->segs[h].len == dst->segs[h].len &&
           memcmp(src->segs[h].key, dst->segs[h].key, src->segs[h].len) == 0)
        ++h;
    /* the paths never overlap (compile time); deeper nesting is the tree engine's */
    if (h == src->n || h == dst->n || src->n - h > 2 || dst->n - h > 2)
        return -1;
    s->move = 1;
    s->head = h;
    return 0;
}

int adp__stream_move(adp__stream_t *s, size_t depth)
{
    const adp__step_t *step = s->step;
    const adp__seg_t *src = step->src.segs + s->head, *dst = step->dst.segs + s->head;
    size_t nsrc = step->src.n - s->head, ndst = step->dst.n - s->head;
    if (*s->p == 'n')
        return adp__stream_value(s, ADP__NO_STATE, depth); /* a null parent: nothing to do */
    if (*s->p != '{')
        return -1; /* not an object: the tree engine counts a mismatch */
    const char *open = s->p;
    scan_t obj = {.key = {&src[0], &dst[0]}}, from = {.key = {nsrc == 2 ? &src[1] : NULL}},
           to = {.key = {ndst == 2 ? &dst[1] : NULL}};
    obj.inside[0] = nsrc == 2 ? &from : NULL;
    obj.inside[1] = ndst == 2 ? &to : NULL;
    int ws_before = s->ws_seen;
    s->ws_seen = 0;
    s->hold++;
    int r = scan(s, &obj, depth);
    s->hold--;
    int had_ws = s->ws_seen;
    s->ws_seen |= ws_before;
    if (r != 0)
        return -1;
    const span_t *sm = &obj.at[0], *dm = &obj.at[1];
    if (sm->mstart == NULL)
        return step->count_missing ? -1 : keep(s, open, had_ws);
    edit_t edits[2];
    const char *vs = sm->vstart, *ve = sm->vend; /* the value that moves */
    int dropped = 1;                             /* the source's first member leaves the object */
    if (nsrc == 2) {
        if (*sm->vstart == 'n')
            return keep(s, open, had_ws); /* a null parent */
        if (from.close == NULL)
            return -1; /* not an object */
        if (from.at[0].mstart == NULL)
            return step->count_missing ? -1 : keep(s, open, had_ws);
        vs = from.at[0].vstart, ve = from.at[0].vend;
        dropped = from.n == 1; /* left empty: dropped */
        edits[0] = drop(dropped ? sm : &from.at[0]);
    } else {
        edits[0] = drop(sm);
    }
    size_t left = obj.n - (size_t)dropped;
    if (s->head != 0 && left == 0)
        return -1; /* the tree engine drops this object and makes it again at its parent's end */
    if (dm->mstart == NULL) {
        edits[1] = (edit_t){E_INSERT, obj.close, obj.close, left != 0, &dst[0],
                            ndst == 2 ? &dst[1] : NULL};
    } else if (ndst == 1) {
        return -1; /* a present member would be replaced */
    } else if (*dm->vstart == 'n') {
        edits[1] = (edit_t){E_WRAP, dm->vstart, dm->vend, 0, NULL, &dst[1]};
    } else if (to.close == NULL || to.at[0].mstart != NULL) {
        return -1; /* not an object (a mismatch), or the member is there (replaced) */
    } else {
        edits[1] = (edit_t){E_INSERT, to.close, to.close, to.n != 0, &dst[1], NULL};
    }
    /* write the object out again: the input between the edits, compact */
    int first = edits[1].at < edits[0].at;
    adp__stream_flush(s, open);
    const char *at = open;
    for (int i = 0; i < 2; ++i) {
        const edit_t *e = &edits[first ? 1 - i : i];
        copy(s, at, e->at, had_ws);
        emit_edit(s, e, vs, ve, had_ws);
        at = e->to;
    }
    copy(s, at, s->p, had_ws);
    s->from = s->p;
    return 0;
}
