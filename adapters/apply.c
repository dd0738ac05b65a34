/* The per-request body engine: runs compiled steps and schema automata over a jansson value.
 * A value that lacks a field a step refers to, or holds it with another type, is left as it is
 * and counted; nothing here fails or allocates beyond the values it creates. */
#include <stdio.h>
#include <string.h>
#include "plan.h"

/* Where a value lives, so that it can be replaced or removed. */
typedef struct {
    json_t **root;  /* when parent is NULL */
    json_t *parent; /* object or array */
    const char *key;
    size_t len;
    size_t index;
} slot_t;

static json_t *slot_get(const slot_t *s)
{
    if (s->parent == NULL)
        return *s->root;
    if (s->key != NULL)
        return json_object_getn(s->parent, s->key, s->len);
    return json_array_get(s->parent, s->index);
}

/* Stores `v` (stealing the reference). */
static void slot_set_new(const slot_t *s, json_t *v)
{
    if (s->parent == NULL) {
        json_decref(*s->root);
        *s->root = v;
    } else if (s->key != NULL) {
        json_object_setn_new_nocheck(s->parent, s->key, s->len, v);
    } else {
        json_array_set_new(s->parent, s->index, v);
    }
}

static void slot_del(const slot_t *s)
{
    if (s->parent == NULL) {
        json_decref(*s->root);
        *s->root = NULL;
    } else if (s->key != NULL) {
        json_object_deln(s->parent, s->key, s->len);
    } else {
        json_array_remove(s->parent, s->index);
    }
}

static slot_t child_slot(json_t *parent, const adp__seg_t *seg)
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

/* Finds the slot of `tail` below the value in `base`. An absent or null intermediate is not the
 * body's fault (optional or nullable parents); one of another type is. */
static lookup_t tail_find(const slot_t *base, const adp__jpath_t *tail, slot_t *out)
{
    *out = *base;
    json_t *v = slot_get(base);
    for (size_t i = 0; i < tail->n; ++i) {
        const adp__seg_t *seg = &tail->segs[i];
        if (v == NULL)
            return ABSENT;
        if (json_is_null(v))
            return NULL_PARENT;
        if (seg->kind == ADP__SEG_KEY ? !json_is_object(v) : !json_is_array(v))
            return BAD_PARENT;
        *out = child_slot(v, seg);
        v = slot_get(out);
    }
    return v != NULL ? FOUND : ABSENT;
}

/* Like tail_find for a destination: creates missing (or null) intermediate objects. Returns -1
 * when an intermediate has another type or the last step is an index out of range. */
static int tail_make(const slot_t *base, const adp__jpath_t *tail, slot_t *out)
{
    *out = *base;
    for (size_t i = 0; i < tail->n; ++i) {
        const adp__seg_t *seg = &tail->segs[i];
        json_t *v = slot_get(out);
        if (v == NULL || json_is_null(v)) {
            if (seg->kind != ADP__SEG_KEY)
                return -1;
            v = json_object();
            slot_set_new(out, v);
        }
        if (seg->kind == ADP__SEG_KEY ? !json_is_object(v) : !json_is_array(v))
            return -1;
        if (seg->kind == ADP__SEG_INDEX && seg->index >= json_array_size(v))
            return -1;
        *out = child_slot(v, seg);
    }
    return 0;
}

/* After a move out of `tail`, drops the intermediate objects it left empty (never `base`). */
static void prune(const slot_t *base, const adp__jpath_t *tail)
{
    for (size_t n = tail->n; n-- > 1;) {
        adp__jpath_t head = {tail->segs, n};
        slot_t s;
        if (tail_find(base, &head, &s) != FOUND)
            return;
        json_t *v = slot_get(&s);
        if (!json_is_object(v) || json_object_size(v) != 0)
            return;
        slot_del(&s);
    }
}

static int same_tail(const adp__jpath_t *a, const adp__jpath_t *b)
{
    return a->n == b->n && adp__jpath_is_prefix(a, b);
}

/* Moves the value at `from` (a found slot) to dst; on a bad destination counts a mismatch. */
static void relocate(adp__run_t *run, const adp__step_t *step, const slot_t *base,
                     const slot_t *from, json_t *v)
{
    slot_t to;
    json_incref(v);
    slot_del(from);
    prune(base, &step->src);
    if (tail_make(base, &step->dst, &to) != 0) {
        /* put it back where it was: the body stays as the upstream sent it */
        slot_t back;
        if (tail_make(base, &step->src, &back) == 0)
            slot_set_new(&back, v);
        else
            json_decref(v);
        mismatch(run, step, &step->dst, WRONG_TYPE);
        return;
    }
    slot_set_new(&to, v);
}

static int map_find(const adp__map_t *m, const json_t *v)
{
    for (size_t i = 0; i < m->n; ++i) {
        const json_t *k = m->from[i];
        if (json_is_string(k) && json_is_string(v)) {
            if (json_string_length(k) == json_string_length(v) &&
                memcmp(json_string_value(k), json_string_value(v), json_string_length(v)) == 0)
                return (int)i;
        } else if (json_equal((json_t *)k, (json_t *)v)) {
            return (int)i;
        }
    }
    return -1;
}

static int is_id(const json_t *v)
{
    return json_is_string(v) || json_is_integer(v);
}

/* Runs one primitive on the value in `base`. */
static void apply_at(adp__run_t *run, const adp__step_t *step, const slot_t *base)
{
    slot_t s, d;
    lookup_t r;
    json_t *v;
    if (step->prim == ADP__P_DEFAULT) {
        r = tail_find(base, &step->dst, &d);
        if (r == ABSENT) {
            if (tail_make(base, &step->dst, &d) == 0)
                slot_set_new(&d, json_deep_copy(step->value));
            else
                mismatch(run, step, &step->dst, WRONG_TYPE);
        } else if (r == BAD_PARENT) {
            mismatch(run, step, &step->dst, WRONG_TYPE);
        }
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
    v = slot_get(&s);
    switch (step->prim) {
    case ADP__P_MOVE:
        relocate(run, step, base, &s, v);
        break;
    case ADP__P_DELETE:
        slot_del(&s);
        break;
    case ADP__P_DERIVE:
        if (tail_make(base, &step->dst, &d) == 0)
            slot_set_new(&d, json_deep_copy(v));
        else
            mismatch(run, step, &step->dst, WRONG_TYPE);
        break;
    case ADP__P_CONVERT: {
        if (json_is_null(v))
            break;
        json_t *nv = adp__convert(step->conv, step->scale, v);
        if (nv == NULL)
            mismatch(run, step, &step->src, WRONG_TYPE);
        else
            slot_set_new(&s, nv);
        break;
    }
    case ADP__P_MAP: {
        if (json_is_null(v))
            break;
        int i = map_find(step->map, v);
        if (i >= 0)
            slot_set_new(&s, json_deep_copy(step->map->to[i]));
        else if (step->strict ||
                 (step->map->n != 0 && json_typeof(v) != json_typeof(step->map->from[0])))
            mismatch(run, step, &step->src, WRONG_TYPE);
        break;
    }
    case ADP__P_TO_ID:
        if (json_is_object(v)) {
            json_t *id = json_object_getn(v, step->key, step->key_len);
            if (id == NULL) {
                mismatch(run, step, &step->src, MISSING);
                break;
            }
            json_incref(id);
            slot_set_new(&s, id);
            v = id;
        } else if (!is_id(v) && !json_is_null(v)) {
            mismatch(run, step, &step->src, WRONG_TYPE);
            break;
        }
        if (!same_tail(&step->src, &step->dst))
            relocate(run, step, base, &s, v);
        break;
    case ADP__P_TO_OBJECT:
        if (is_id(v)) {
            json_t *o = json_object();
            json_object_setn_new_nocheck(o, step->key, step->key_len, json_incref(v));
            slot_set_new(&s, o);
            v = o;
        } else if (!json_is_object(v) && !json_is_null(v)) {
            mismatch(run, step, &step->src, WRONG_TYPE);
            break;
        }
        if (!same_tail(&step->src, &step->dst))
            relocate(run, step, base, &s, v);
        break;
    case ADP__P_OPEN: {
        if (!json_is_object(v)) {
            mismatch(run, step, &step->src, WRONG_TYPE);
            break;
        }
        json_t *inner = json_object_getn(v, step->key, step->key_len);
        if (inner == NULL) {
            mismatch(run, step, &step->src, MISSING);
            break;
        }
        slot_set_new(&s, json_incref(inner));
        break;
    }
    case ADP__P_CLOSE: {
        json_t *o = step->value != NULL ? json_deep_copy(step->value) : json_object();
        json_object_setn_new_nocheck(o, step->key, step->key_len, json_incref(v));
        slot_set_new(&s, o);
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
    json_t *v = slot_get(at);
    if (v == NULL || json_is_null(v))
        return;
    const adp__seg_t *seg = &segs[0];
    switch (seg->kind) {
    case ADP__SEG_KEY:
    case ADP__SEG_INDEX: {
        if (seg->kind == ADP__SEG_KEY ? !json_is_object(v) : !json_is_array(v)) {
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
        if (!json_is_array(v)) {
            mismatch(run, step, NULL, WRONG_TYPE);
            return;
        }
        /* steps never add or remove elements of the array they iterate */
        for (size_t i = 0; i < json_array_size(v); ++i) {
            slot_t c = {NULL, v, NULL, 0, i};
            trail_push(run, NULL, 0, i);
            walk(run, step, &c, segs + 1, n - 1);
            trail_pop(run);
        }
        return;
    case ADP__SEG_VALUES: {
        if (!json_is_object(v)) {
            mismatch(run, step, NULL, WRONG_TYPE);
            return;
        }
        const char *key;
        size_t klen;
        json_t *member;
        /* replacing a member's value in place keeps the iteration valid; steps never add or
         * remove members of the object they iterate */
        json_object_keylen_foreach(v, key, klen, member)
        {
            slot_t c = {NULL, v, key, klen, 0};
            trail_push(run, key, klen, 0);
            walk(run, step, &c, segs + 1, n - 1);
            trail_pop(run);
        }
        return;
    }
    }
}

static int step_applies(const adp__run_t *run, const adp__step_t *step)
{
    if ((step->scope & run->scope) == 0)
        return 0;
    return run->scope != ADP__IN_RESPONSE || adp__statuses_has(&step->on, run->status);
}

void adp__run_steps(adp__run_t *run, json_t **root, const adp__step_t *steps, size_t n)
{
    for (size_t i = 0; i < n && *root != NULL; ++i) {
        if (!step_applies(run, &steps[i]))
            continue;
        slot_t at = {root, NULL, NULL, 0, 0};
        walk(run, &steps[i], &at, steps[i].base.segs, steps[i].base.n);
    }
}

/* ---- schema automata ---- */

static uint32_t transition(const adp__dstate_t *st, const char *key, size_t len)
{
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

static void run_actions(adp__run_t *run, const adp__dstate_t *st, json_t *v, int upgrade)
{
    for (uint32_t i = 0; i < st->nactions; ++i) {
        /* downgrades undo the components in reverse order */
        const adp__action_t *a = &st->actions[upgrade ? i : st->nactions - 1 - i];
        int quiet = run->quiet;
        run->quiet |= a->tentative;
        json_t *root = v;
        if (upgrade)
            adp__run_steps(run, &root, a->unit->up, a->unit->nup);
        else
            adp__run_steps(run, &root, a->unit->down, a->unit->ndown);
        run->quiet = quiet;
    }
}

static void dfa_walk(adp__run_t *run, const adp__dfa_t *dfa, uint32_t state, json_t *v, int upgrade)
{
    if (run->depth >= ADP__MAX_DEPTH)
        return;
    const adp__dstate_t *st = &dfa->states[state];
    if (!upgrade && st->nactions != 0)
        run_actions(run, st, v, 0);
    if (json_is_object(v)) {
        if (st->other == ADP__NO_STATE) {
            for (uint32_t i = 0; i < st->nkeys; ++i) {
                json_t *c = json_object_getn(v, st->keys[i].key, st->keys[i].len);
                if (c == NULL)
                    continue;
                trail_push(run, st->keys[i].key, st->keys[i].len, 0);
                dfa_walk(run, dfa, st->keys[i].to, c, upgrade);
                trail_pop(run);
            }
        } else {
            const char *key;
            size_t klen;
            json_t *c;
            json_object_keylen_foreach(v, key, klen, c)
            {
                uint32_t to = transition(st, key, klen);
                if (to == ADP__NO_STATE)
                    continue;
                trail_push(run, key, klen, 0);
                dfa_walk(run, dfa, to, c, upgrade);
                trail_pop(run);
            }
        }
    } else if (json_is_array(v) && st->items != ADP__NO_STATE) {
        for (size_t i = 0; i < json_array_size(v); ++i) {
            trail_push(run, NULL, 0, i);
            dfa_walk(run, dfa, st->items, json_array_get(v, i), upgrade);
            trail_pop(run);
        }
    }
    if (upgrade && st->nactions != 0)
        run_actions(run, st, v, 1);
}

void adp__run_dfa(adp__run_t *run, json_t *root, const adp__dfa_t *dfa, int upgrade)
{
    if (root != NULL && dfa != NULL && dfa->n != 0)
        dfa_walk(run, dfa, 0, root, upgrade);
}
