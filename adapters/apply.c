/* The per-request body engine: runs compiled steps and schema automata over a parsed body
 * (body/body.h). A value that lacks a field a step refers to, or holds it with another type, is
 * left as it is and counted; nothing here fails. New values come from the run's bump memory. */
#include <stdio.h>
#include <string.h>
#include "plan.h"

/* Where a value lives, so that it can be replaced or removed. */
typedef struct {
    body_value_t **root;  /* when parent is NULL */
    body_value_t *parent; /* object or array */
    const char *key;
    size_t len;
    size_t index;
} slot_t;

static body_value_t *slot_get(const slot_t *s)
{
    if (s->parent == NULL)
        return *s->root;
    if (s->key != NULL)
        return body_get(s->parent, s->key, s->len);
    return body_at(s->parent, s->index);
}

/* Every edit goes through slot_set and slot_del, so run->changed tells whether the body must be
 * written out again. */
static void slot_set(adp__run_t *run, const slot_t *s, body_value_t *v)
{
    run->changed = 1;
    if (s->parent == NULL)
        *s->root = v;
    else if (s->key != NULL)
        body_set(run->mem, s->parent, s->key, s->len, v);
    else
        body_put(s->parent, s->index, v);
}

static void slot_del(adp__run_t *run, const slot_t *s)
{
    run->changed = 1;
    if (s->parent == NULL)
        *s->root = NULL;
    else if (s->key != NULL)
        body_del(s->parent, s->key, s->len);
    else
        body_remove(s->parent, s->index);
}

static slot_t child_slot(body_value_t *parent, const adp__seg_t *seg)
{
    slot_t s = {NULL, parent, NULL, 0, 0};
    if (seg->kind == ADP__SEG_KEY) {
        s.key = seg->key;
        s.len = seg->len;
    } else {
        s.index = seg->index;
    }
    return s;
}

/* ---- trail and mismatches ---- */

static void trail_push(adp__run_t *run, const char *key, size_t len, size_t index)
{
    if (run->depth < ADP__TRAIL_MAX)
        run->trail[run->depth] = (adp__trail_t){key, len, index};
    ++run->depth;
}

static void trail_pop(adp__run_t *run)
{
    --run->depth;
}

/* Appends "/token" with RFC 6901 escapes; stops quietly when full. */
static size_t pointer_append(char *buf, size_t size, size_t at, const char *key, size_t len,
                             size_t index)
{
    char num[24];
    if (key == NULL) {
        len = (size_t)snprintf(num, sizeof(num), "%zu", index);
        key = num;
    }
    if (at + 1 >= size)
        return at;
    buf[at++] = '/';
    for (size_t i = 0; i < len && at + 2 < size; ++i) {
        if (key[i] == '~' || key[i] == '/') {
            buf[at++] = '~';
            buf[at++] = key[i] == '~' ? '0' : '1';
        } else {
            buf[at++] = key[i];
        }
    }
    buf[at] = '\0';
    return at;
}

static void mismatch(adp__run_t *run, const adp__step_t *step, const adp__jpath_t *tail,
                     const char *reason)
{
    if (run->quiet)
        return;
    if (run->mismatches++ != 0 || run->first == NULL)
        return;
    adp_mismatch_t *m = run->first;
    m->step = step->what;
    m->reason = reason;
    m->pointer[0] = '\0';
    size_t at = 0, n = run->depth < ADP__TRAIL_MAX ? run->depth : ADP__TRAIL_MAX;
    for (size_t i = 0; i < n; ++i)
        at = pointer_append(m->pointer, sizeof(m->pointer), at, run->trail[i].key,
                            run->trail[i].len, run->trail[i].index);
    for (size_t i = 0; tail != NULL && i < tail->n; ++i)
        at = pointer_append(m->pointer, sizeof(m->pointer), at, tail->segs[i].key,
                            tail->segs[i].len, tail->segs[i].index);
}

#define MISSING "missing"
#define WRONG_TYPE "wrong type"

/* ---- tails ---- */

typedef enum { FOUND, ABSENT, NULL_PARENT, BAD_PARENT } lookup_t;

static int fits(const body_value_t *v, const adp__seg_t *seg)
{
    return v->type == (seg->kind == ADP__SEG_KEY ? BODY_OBJECT : BODY_ARRAY);
}

/* Finds the slot of `tail` below the value in `base`. An absent or null intermediate is not the
 * body's fault (optional or nullable parents); one of another type is. */
static lookup_t tail_find(const slot_t *base, const adp__jpath_t *tail, slot_t *out)
{
    *out = *base;
    body_value_t *v = slot_get(base);
    for (size_t i = 0; i < tail->n; ++i) {
        const adp__seg_t *seg = &tail->segs[i];
        if (v == NULL)
            return ABSENT;
        if (v->type == BODY_NULL)
            return NULL_PARENT;
        if (!fits(v, seg))
            return BAD_PARENT;
        *out = child_slot(v, seg);
        v = slot_get(out);
    }
    return v != NULL ? FOUND : ABSENT;
}

/* Like tail_find for a destination: creates missing (or null) intermediate objects. Returns -1
 * when an intermediate has another type or the last step is an index out of range. */
static int tail_make(adp__run_t *run, const slot_t *base, const adp__jpath_t *tail, slot_t *out)
{
    *out = *base;
    for (size_t i = 0; i < tail->n; ++i) {
        const adp__seg_t *seg = &tail->segs[i];
        body_value_t *v = slot_get(out);
        if (v == NULL || v->type == BODY_NULL) {
            if (seg->kind != ADP__SEG_KEY)
                return -1;
            v = body_object(run->mem);
            slot_set(run, out, v);
        }
        if (!fits(v, seg))
            return -1;
        if (seg->kind == ADP__SEG_INDEX && seg->index >= v->len)
            return -1;
        *out = child_slot(v, seg);
    }
    return 0;
}

/* After a move out of `tail`, drops the intermediate objects it left empty (never `base`). */
static void prune(adp__run_t *run, const slot_t *base, const adp__jpath_t *tail)
{
    for (size_t n = tail->n; n-- > 1;) {
        adp__jpath_t head = {tail->segs, n};
        slot_t s;
        if (tail_find(base, &head, &s) != FOUND)
            return;
        body_value_t *v = slot_get(&s);
        if (v->type != BODY_OBJECT || v->len != 0)
            return;
        slot_del(run, &s);
    }
}

static int same_tail(const adp__jpath_t *a, const adp__jpath_t *b)
{
    return a->n == b->n && adp__jpath_is_prefix(a, b);
}

/* Moves `v`, the value at `from` (a found slot), to dst; on a bad destination puts it back and
 * counts a mismatch. */
static void relocate(adp__run_t *run, const adp__step_t *step, const slot_t *base,
                     const slot_t *from, body_value_t *v)
{
    slot_t to;
    slot_del(run, from);
    prune(run, base, &step->src);
    if (tail_make(run, base, &step->dst, &to) != 0) {
        /* put it back where it was: the body stays as the upstream sent it */
        slot_t back;
        if (tail_make(run, base, &step->src, &back) == 0)
            slot_set(run, &back, v);
        mismatch(run, step, &step->dst, WRONG_TYPE);
        return;
    }
    slot_set(run, &to, v);
}

/* A rename within one object keeps the member where it stands (when the new name is free). */
static int rename_in_place(adp__run_t *run, const adp__step_t *step, const slot_t *base)
{
    const adp__seg_t *from = step->src.segs, *to = step->dst.segs;
    if (step->src.n != 1 || step->dst.n != 1 || from->kind != ADP__SEG_KEY ||
        to->kind != ADP__SEG_KEY)
        return 0;
    if (body_rename(slot_get(base), from->key, from->len, to->key, to->len) != 0)
        return 0;
    run->changed = 1;
    return 1;
}

int adp__map_find(const adp__jmap_t *m, const body_value_t *v)
{
    for (size_t i = 0; i < m->n; ++i)
        if (body_equal(m->from[i], v))
            return (int)i;
    return -1;
}

static int is_id(const body_value_t *v)
{
    return v->type == BODY_STRING || body_is_integer(v);
}

/* true and false are one type as far as map tables go */
static int kind_of(const body_value_t *v)
{
    return v->type == BODY_TRUE ? BODY_FALSE : v->type;
}

static void apply_default(adp__run_t *run, const adp__step_t *step, const slot_t *base)
{
    slot_t d;
    lookup_t r = tail_find(base, &step->dst, &d);
    if (r == ABSENT) {
        if (tail_make(run, base, &step->dst, &d) == 0)
            slot_set(run, &d, body_copy(run->mem, step->value));
        else
            mismatch(run, step, &step->dst, WRONG_TYPE);
    } else if (r == BAD_PARENT) {
        mismatch(run, step, &step->dst, WRONG_TYPE);
    }
}

static void apply_map(adp__run_t *run, const adp__step_t *step, const slot_t *s, body_value_t *v)
{
    if (v->type == BODY_NULL)
        return;
    int i = adp__map_find(step->map, v);
    if (i >= 0)
        slot_set(run, s, body_copy(run->mem, step->map->to[i]));
    else if (step->strict || (step->map->n != 0 && kind_of(v) != kind_of(step->map->from[0])))
        mismatch(run, step, &step->src, WRONG_TYPE);
}

/* collapse/expand: an id <-> an object holding it as `key`, then moved when src != dst. */
static void apply_id(adp__run_t *run, const adp__step_t *step, const slot_t *base,
                     const slot_t *s, body_value_t *v)
{
    if (step->prim == ADP__P_TO_ID && v->type == BODY_OBJECT) {
        body_value_t *id = body_get(v, step->key, step->key_len);
        if (id == NULL) {
            mismatch(run, step, &step->src, MISSING);
            return;
        }
        slot_set(run, s, id);
        v = id;
    } else if (step->prim == ADP__P_TO_OBJECT && is_id(v)) {
        body_value_t *o = body_object(run->mem);
        body_set(run->mem, o, step->key, step->key_len, v);
        slot_set(run, s, o);
        v = o;
    } else if (v->type != BODY_NULL &&
               (step->prim == ADP__P_TO_ID ? !is_id(v) : v->type != BODY_OBJECT)) {
        mismatch(run, step, &step->src, WRONG_TYPE);
        return;
    }
    if (!same_tail(&step->src, &step->dst))
        relocate(run, step, base, s, v);
}

/* Runs one primitive on the value in `base`. */
static void apply_at(adp__run_t *run, const adp__step_t *step, const slot_t *base)
{
    slot_t s, d;
    lookup_t r;
    if (step->prim == ADP__P_DEFAULT) {
        apply_default(run, step, base);
        return;
    }
    if (step->prim == ADP__P_DERIVE) {
        r = tail_find(base, &step->dst, &d);
        if (r == BAD_PARENT)
            mismatch(run, step, &step->dst, WRONG_TYPE);
        if (r != ABSENT)
            return;
    }
    r = tail_find(base, &step->src, &s);
    if (r == NULL_PARENT)
        return;
    if (r == BAD_PARENT) {
        mismatch(run, step, &step->src, WRONG_TYPE);
        return;
    }
    if (r == ABSENT) {
        if (step->count_missing)
            mismatch(run, step, &step->src, MISSING);
        return;
    }
    body_value_t *v = slot_get(&s);
    switch (step->prim) {
    case ADP__P_MOVE:
        if (!rename_in_place(run, step, base))
            relocate(run, step, base, &s, v);
        break;
    case ADP__P_DELETE:
        slot_del(run, &s);
        break;
    case ADP__P_DERIVE:
        if (tail_make(run, base, &step->dst, &d) == 0)
            slot_set(run, &d, body_copy(run->mem, v));
        else
            mismatch(run, step, &step->dst, WRONG_TYPE);
        break;
    case ADP__P_CONVERT: {
        if (v->type == BODY_NULL)
            break;
        body_value_t *nv = adp__convert(run->mem, step->conv, step->scale, v);
        if (nv == NULL)
            mismatch(run, step, &step->src, WRONG_TYPE);
        else
            slot_set(run, &s, nv);
        break;
    }
    case ADP__P_MAP:
        apply_map(run, step, &s, v);
        break;
    case ADP__P_TO_ID:
    case ADP__P_TO_OBJECT:
        apply_id(run, step, base, &s, v);
        break;
    case ADP__P_OPEN: {
        body_value_t *inner = v->type == BODY_OBJECT ? body_get(v, step->key, step->key_len)
                                                    : NULL;
        if (inner != NULL)
            slot_set(run, &s, inner);
        else
            mismatch(run, step, &step->src, v->type == BODY_OBJECT ? MISSING : WRONG_TYPE);
        break;
    }
    case ADP__P_CLOSE: {
        body_value_t *o = step->value != NULL ? body_copy(run->mem, step->value)
                                           : body_object(run->mem);
        body_set(run->mem, o, step->key, step->key_len, v);
        slot_set(run, &s, o);
        break;
    }
    case ADP__P_DEFAULT:
        break;
    }
}

/* Visits every value `segs` reaches from the value in `at` and runs the step there. */
static void walk(adp__run_t *run, const adp__step_t *step, const slot_t *at, const adp__seg_t *segs,
                 size_t n)
{
    if (n == 0) {
        apply_at(run, step, at);
        return;
    }
    body_value_t *v = slot_get(at);
    if (v == NULL || v->type == BODY_NULL)
        return;
    const adp__seg_t *seg = &segs[0];
    switch (seg->kind) {
    case ADP__SEG_KEY:
    case ADP__SEG_INDEX: {
        if (!fits(v, seg)) {
            mismatch(run, step, NULL, WRONG_TYPE);
            return;
        }
        slot_t c = child_slot(v, seg);
        if (slot_get(&c) == NULL)
            return;
        trail_push(run, seg->key, seg->len, seg->index);
        walk(run, step, &c, segs + 1, n - 1);
        trail_pop(run);
        return;
    }
    case ADP__SEG_ITEMS:
    case ADP__SEG_VALUES:
        if (v->type != (seg->kind == ADP__SEG_ITEMS ? BODY_ARRAY : BODY_OBJECT)) {
            mismatch(run, step, NULL, WRONG_TYPE);
            return;
        }
        /* steps never add or remove entries of the container they iterate; replacing an entry's
         * value in place keeps the indexes valid */
        for (size_t i = 0; i < v->len; ++i) {
            slot_t c = {NULL, v, NULL, 0, i};
            if (seg->kind == ADP__SEG_VALUES) {
                c.key = v->u.members[i].key;
                c.len = v->u.members[i].len;
            }
            trail_push(run, c.key, c.len, i);
            walk(run, step, &c, segs + 1, n - 1);
            trail_pop(run);
        }
        return;
    }
}

int adp__step_applies(const adp__run_t *run, const adp__step_t *step)
{
    if ((step->scope & run->scope) == 0)
        return 0;
    return run->scope != ADP__IN_RESPONSE || adp__statuses_has(&step->on, run->status);
}

void adp__run_steps(adp__run_t *run, body_value_t **root, const adp__step_t *steps, size_t n)
{
    for (size_t i = 0; i < n && *root != NULL; ++i) {
        if (!adp__step_applies(run, &steps[i]))
            continue;
        slot_t at = {root, NULL, NULL, 0, 0};
        walk(run, &steps[i], &at, steps[i].base.segs, steps[i].base.n);
    }
}

/* ---- schema automata ---- */

uint32_t adp__transition(const adp__dstate_t *st, const char *key, size_t len)
{
    if (st->nkeys <= 8) { /* a schema's few properties: a scan beats the search */
        for (uint32_t i = 0; i < st->nkeys; ++i)
            if (st->keys[i].len == len && body_bytes_eq(st->keys[i].key, key, len))
                return st->keys[i].to;
        return st->other;
    }
    size_t lo = 0, hi = st->nkeys;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        const adp__dtrans_t *t = &st->keys[mid];
        int c = t->len != len ? (t->len < len ? -1 : 1) : memcmp(t->key, key, len);
        if (c == 0)
            return t->to;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return st->other;
}

static void run_actions(adp__run_t *run, const adp__dstate_t *st, body_value_t *v, int upgrade)
{
    for (uint32_t i = 0; i < st->nactions; ++i) {
        /* downgrades undo the components in reverse order */
        const adp__action_t *a = &st->actions[upgrade ? i : st->nactions - 1 - i];
        int quiet = run->quiet;
        run->quiet |= a->tentative;
        body_value_t *root = v;
        if (upgrade)
            adp__run_steps(run, &root, a->unit->up, a->unit->nup);
        else
            adp__run_steps(run, &root, a->unit->down, a->unit->ndown);
        run->quiet = quiet;
    }
}

static void dfa_walk(adp__run_t *run, const adp__dfa_t *dfa, uint32_t state, body_value_t *v,
                     int upgrade);

static void dfa_children(adp__run_t *run, const adp__dfa_t *dfa, const adp__dstate_t *st,
                         body_value_t *v, int upgrade)
{
    if (v->type == BODY_OBJECT && st->other == ADP__NO_STATE) {
        for (uint32_t i = 0; i < st->nkeys; ++i) {
            body_value_t *c = body_get(v, st->keys[i].key, st->keys[i].len);
            if (c == NULL)
                continue;
            trail_push(run, st->keys[i].key, st->keys[i].len, 0);
            dfa_walk(run, dfa, st->keys[i].to, c, upgrade);
            trail_pop(run);
        }
    } else if (v->type == BODY_OBJECT) {
        for (size_t i = 0; i < v->len; ++i) {
            const body_member_t *m = &v->u.members[i];
            uint32_t to = adp__transition(st, m->key, m->len);
            if (to == ADP__NO_STATE)
                continue;
            trail_push(run, m->key, m->len, 0);
            dfa_walk(run, dfa, to, m->value, upgrade);
            trail_pop(run);
        }
    } else if (v->type == BODY_ARRAY && st->items != ADP__NO_STATE) {
        for (size_t i = 0; i < v->len; ++i) {
            trail_push(run, NULL, 0, i);
            dfa_walk(run, dfa, st->items, v->u.items[i], upgrade);
            trail_pop(run);
        }
    }
}

static void dfa_walk(adp__run_t *run, const adp__dfa_t *dfa, uint32_t state, body_value_t *v,
                     int upgrade)
{
    if (run->depth >= ADP__MAX_DEPTH)
        return;
    const adp__dstate_t *st = &dfa->states[state];
    if (!upgrade && st->nactions != 0)
        run_actions(run, st, v, 0);
    dfa_children(run, dfa, st, v, upgrade);
    if (upgrade && st->nactions != 0)
        run_actions(run, st, v, 1);
}

void adp__run_dfa(adp__run_t *run, body_value_t *root, const adp__dfa_t *dfa, int upgrade)
{
    if (root != NULL && dfa != NULL && dfa->n != 0)
        dfa_walk(run, dfa, 0, root, upgrade);
}
