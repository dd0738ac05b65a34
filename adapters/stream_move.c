/* The streaming pass's moves across objects (nest: `x` -> `meta.x` or `a.b.x`; unnest:
 * `meta.x` or `a.b.x` -> `x`; between objects: `a.x` -> `b.x`, `a.b.x` -> `c.d.x`; through
 * array indexes: `a[0].x` -> `a[0].meta.x`, `a[0].x` -> `x`), exactly as apply.c's relocate does
 * them: the member is taken out of its object, objects it leaves empty are dropped one after
 * the other upwards (an array element too, the array itself stays), then it is set under the new
 * path, intermediate objects made as needed (at the end of their parent, or in place of a null),
 * the member itself last in its new object. The pass walks to the object where both paths part
 * (the base, then the segments they share), reads it whole once, remembering where the members
 * and elements on both paths start and end in the input (the body is buffered whole), and writes
 * it out again with the two edits. It gives up (-1) wherever apply.c would count a mismatch,
 * replace a member that is present (a conflict), or drop and re-create the object it works in
 * (which moves that object to the end of its parent). */
#include <string.h>
#include "stream.h"

/* Levels below the object where the paths part, on each side; deeper moves are the tree
 * engine's. */
#define CHAIN_MAX 16

/* Where one member (or array element) is in the input. */
typedef struct {
    const char *mstart, *vstart, *vend; /* its name's quote (an element: its value), its value,
                                           the end of its value; mstart NULL: absent */
    const char *prev_end;               /* the end of the previous entry's value (NULL: first) */
    const char *next_start;             /* the next entry's start (NULL: last) */
} span_t;

/* One object or array read whole: its size, its closing bracket, and the entries looked for
 * (key[i], when not NULL: a name in an object, an index in an array); when inside[i] is not NULL
 * and that entry's value is an object or array, it is read into inside[i] too (inside[i]->close
 * stays NULL otherwise). */
typedef struct st_scan_t {
    const char *close;
    int array;
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

static int is_name(const adp__seg_t *k, const char *key, size_t len)
{
    return k != NULL && k->kind == ADP__SEG_KEY && k->len == len && body_bytes_eq(k->key, key, len);
}

static int is_index(const adp__seg_t *k, size_t i)
{
    return k != NULL && k->kind == ADP__SEG_INDEX && k->index == i;
}

/* The shapes of the objects a move reads whole take this state, which no automaton has; the
 * names a read seeks tell them apart. */
#define SCAN_STATE (ADP__STATE_UNKNOWN - 1)

/* An object member's head at s->p (name, ':' and whitespace) the long way: scanned, checked
 * against the names so far and the ones looked for (*hit: which, or -1). */
static int scan_head(adp__stream_t *s, scan_t *o, adp__names_t *names, int *hit, size_t *klen)
{
    const char *key;
    if (adp__stream_name(s, names, &key, klen) != 0)
        return -1; /* (an escaped name may be one the step looks for: the tree engine's) */
    for (int i = 0; i < 2 && *hit < 0; ++i)
        if (is_name(o->key[i], key, *klen))
            *hit = i;
    return 0;
}

/* Reads (validates) the object or array at s->p into `o`; nothing reaches the output
 * (s->hold). The members of an object whose names follow the shape of the last one read at its
 * depth skip the name's scan and checks (as stream.c's objects do). */
static int scan(adp__stream_t *s, scan_t *o, size_t depth)
{
    adp__names_t names;
    names.bits = 0, names.n = 0;
    adp__shape_t *sh = NULL;
    size_t mi = 0;
    int replaying = 0;
    span_t *pending[2] = {NULL, NULL}; /* entries whose next_start is the next one's start */
    const char *last_end = NULL;
    int array = *s->p == '[';
    char closing = array ? ']' : '}';
    o->n = 0;
    o->close = NULL;
    o->array = array;
    for (int i = 0; i < 2; ++i)
        o->at[i].mstart = NULL;
    if (depth > ADP__STREAM_DEPTH)
        return -1;
    s->p++;
    ws(s);
    if (s->p != s->end && *s->p == closing) {
        o->close = s->p++;
        return 0;
    }
    if (!array && (sh = adp__stream_shape_take(s, SCAN_STATE, NULL, o->key[0], o->key[1], depth)) != NULL)
        replaying = 1;
    for (;;) {
        const char *mstart = s->p;
        int hit = -1;
        if (array) {
            for (int i = 0; i < 2 && hit < 0; ++i)
                if (is_index(o->key[i], o->n))
                    hit = i;
        } else if (replaying && mi < sh->n && adp__stream_shape_hit(s, &sh->m[mi])) {
            s->p += sh->m[mi].len;
            hit = sh->m[mi++].step;
            ws(s);
        } else {
            if (replaying) { /* the names so far are the shape's: the duplicate check needs them */
                replaying = 0;
                for (size_t k = 0; k < mi; ++k)
                    adp__stream_duplicate(&names, sh->m[k].text + 1, sh->m[k].len - 3);
                sh->n = mi;
            }
            size_t klen;
            if (scan_head(s, o, &names, &hit, &klen) != 0)
                return -1;
            if (sh != NULL && sh->n == mi && mi < ADP__SHAPE_MAX && s->p == mstart + klen + 3) {
                sh->m[mi] = (adp__shape_member_t){mstart, (uint32_t)klen + 3, hit, ADP__NO_STATE,
                                                  NULL}; /* "name": as it came, no whitespace */
                sh->n = mi + 1;
            }
            ++mi;
            ws(s);
        }
        for (int i = 0; i < 2; ++i)
            if (pending[i] != NULL)
                pending[i]->next_start = mstart, pending[i] = NULL;
        const char *vstart = s->p;
        int r;
        if (hit >= 0 && o->inside[hit] != NULL && s->p != s->end && (*s->p == '{' || *s->p == '['))
            r = scan(s, o->inside[hit], depth + 1);
        else
            r = adp__stream_skip(s, depth + 1);
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
        if (*s->p == closing) {
            o->close = s->p++;
            if (sh != NULL)
                sh->busy = 0;
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
    E_INSERT, /* at `at`: a comma when `comma`, then "n0":{"n1":...{"nk":<value>}...} */
    E_WRAP    /* the input [at, to) (a null) becomes {"n0":...{"nk":<value>}...} */
} edit_kind_t;

typedef struct {
    edit_kind_t kind;
    const char *at, *to;
    int comma;
    const adp__seg_t *names; /* member names, all keys */
    size_t nnames;
} edit_t;

/* The input range that takes entry `m` out of its object or array, with a comma beside it. */
static edit_t drop(const span_t *m)
{
    if (m->prev_end != NULL)
        return (edit_t){E_DROP, m->prev_end, m->vend, 0, NULL, 0};
    return (edit_t){E_DROP, m->mstart, m->next_start != NULL ? m->next_start : m->vend, 0, NULL, 0};
}

static void emit_edit(adp__stream_t *s, const edit_t *e, const char *vs, const char *ve, int had_ws)
{
    if (e->kind == E_DROP)
        return;
    if (e->comma)
        adp__stream_emit(s, ",", 1);
    size_t i = 0;
    if (e->kind == E_INSERT) {
        adp__stream_emit_name(s, e->names[0].key, e->names[0].len);
        i = 1;
    }
    for (size_t k = i; k < e->nnames; ++k) {
        adp__stream_emit(s, "{", 1);
        adp__stream_emit_name(s, e->names[k].key, e->names[k].len);
    }
    copy(s, vs, ve, had_ws);
    for (size_t k = i; k < e->nnames; ++k)
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

static int same_seg(const adp__seg_t *a, const adp__seg_t *b)
{
    if (a->kind != b->kind)
        return 0;
    if (a->kind == ADP__SEG_INDEX)
        return a->index == b->index;
    return a->kind == ADP__SEG_KEY && a->len == b->len && memcmp(a->key, b->key, a->len) == 0;
}

/* A path below the object where the paths part: it starts and ends with a name (so that object,
 * and the one the member leaves or enters, are objects), with names and indexes between. */
static int fits_chain(const adp__seg_t *segs, size_t n)
{
    if (n == 0 || n > CHAIN_MAX || segs[0].kind != ADP__SEG_KEY || segs[n - 1].kind != ADP__SEG_KEY)
        return 0;
    for (size_t i = 1; i + 1 < n; ++i)
        if (segs[i].kind != ADP__SEG_KEY && segs[i].kind != ADP__SEG_INDEX)
            return 0;
    return 1;
}

int adp__stream_move_setup(adp__stream_t *s, const adp__step_t *step)
{
    const adp__jpath_t *src = &step->src, *dst = &step->dst;
    if (step->prim != ADP__P_MOVE)
        return -1;
    size_t h = 0;
    while (h < src->n && h < dst->n && same_seg(&src->segs[h], &dst->segs[h]))
        ++h;
    /* the paths never overlap (compile time); the shared head holds names and indexes */
    if (h == src->n || h == dst->n)
        return -1;
    for (size_t i = 0; i < h; ++i)
        if (src->segs[i].kind != ADP__SEG_KEY && src->segs[i].kind != ADP__SEG_INDEX)
            return -1;
    if (!fits_chain(src->segs + h, src->n - h) || !fits_chain(dst->segs + h, dst->n - h))
        return -1;
    s->move = 1;
    s->head = h;
    return 0;
}

/* The names segs[0..n) for a chain of objects the move makes: -1 when one is an index (apply.c's
 * tail_make cannot make an array: a mismatch). */
static int all_names(const adp__seg_t *segs, size_t n)
{
    for (size_t i = 0; i < n; ++i)
        if (segs[i].kind != ADP__SEG_KEY)
            return -1;
    return 0;
}

/* 1 when `in` was read and fits segment `next` (an object for a name, an array for an index). */
static int fits(const scan_t *in, const adp__seg_t *next)
{
    return in->close != NULL && in->array == (next->kind == ADP__SEG_INDEX);
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
    /* sv[i] holds src[i] (sv[0] is the object itself, dv[0] too), dv[i] holds dst[i] */
    scan_t obj, sv[CHAIN_MAX], dv[CHAIN_MAX];
    obj = (scan_t){.key = {&src[0], &dst[0]},
                   .inside = {nsrc > 1 ? &sv[1] : NULL, ndst > 1 ? &dv[1] : NULL}};
    for (size_t i = 1; i < nsrc; ++i)
        sv[i] = (scan_t){.key = {&src[i]}, .inside = {i + 1 < nsrc ? &sv[i + 1] : NULL}};
    for (size_t i = 1; i < ndst; ++i)
        dv[i] = (scan_t){.key = {&dst[i]}, .inside = {i + 1 < ndst ? &dv[i + 1] : NULL}};
    int ws_before = s->ws_seen;
    s->ws_seen = 0;
    s->hold++;
    int r = scan(s, &obj, depth);
    s->hold--;
    int had_ws = s->ws_seen;
    s->ws_seen |= ws_before;
    if (r != 0)
        return -1;

    /* the source: src[i] in sv[i] (sv[0]: the object), as apply.c's tail_find finds it */
    const span_t *at = &obj.at[0];
    for (size_t i = 0;; ++i) {
        if (i != 0)
            at = &sv[i].at[0];
        if (at->mstart == NULL)
            return step->count_missing ? -1 : keep(s, open, had_ws);
        if (i + 1 == nsrc)
            break;
        if (*at->vstart == 'n')
            return keep(s, open, had_ws); /* a null parent */
        if (!fits(&sv[i + 1], &src[i + 1]))
            return -1; /* another type: a mismatch */
    }
    const char *vs = at->vstart, *ve = at->vend; /* the value that moves */
    /* what leaves: the member, or the outermost object that it leaves empty (apply.c's prune:
     * an emptied object goes from its parent, up to an array, which stays, or a non-empty one) */
    size_t j = nsrc - 1;
    while (j != 0 && !sv[j].array && sv[j].n == 1)
        --j;
    edit_t edits[2];
    edits[0] = drop(j == 0 ? &obj.at[0] : &sv[j].at[0]);
    size_t left = obj.n - (j == 0);
    if (s->head != 0 && left == 0)
        return -1; /* the tree engine drops this object and makes it again at its parent's end */

    /* the destination: dst[i] in dv[i] (dv[0]: the object), as apply.c's tail_make makes it */
    for (size_t i = 0;; ++i) {
        const scan_t *c = i == 0 ? &obj : &dv[i];
        const span_t *d = &c->at[i == 0 ? 1 : 0];
        if (d->mstart == NULL) {
            if (c->array || all_names(dst + i, ndst - i) != 0)
                return -1; /* an index out of range, or an array to make: a mismatch */
            size_t n = i == 0 ? left : c->n;
            edits[1] = (edit_t){E_INSERT, c->close, c->close, n != 0, dst + i, ndst - i};
            break;
        }
        if (i + 1 == ndst)
            return -1; /* a present member would be replaced */
        if (*d->vstart == 'n') {
            if (all_names(dst + i + 1, ndst - i - 1) != 0)
                return -1;
            edits[1] = (edit_t){E_WRAP, d->vstart, d->vend, 0, dst + i + 1, ndst - i - 1};
            break;
        }
        if (!fits(&dv[i + 1], &dst[i + 1]))
            return -1; /* not an object (or array) where one must be: a mismatch */
    }

    /* write the object out again: the input between the edits, compact */
    int first = edits[1].at < edits[0].at;
    adp__stream_flush(s, open);
    const char *from = open;
    for (int i = 0; i < 2; ++i) {
        const edit_t *e = &edits[first ? 1 - i : i];
        copy(s, from, e->at, had_ws);
        emit_edit(s, e, vs, ve, had_ws);
        from = e->to;
    }
    copy(s, from, s->p, had_ws);
    s->from = s->p;
    return 0;
}
