/* The streaming pass: a body's JSON text is validated and rewritten from input to output in one
 * pass, with no tree, for one schema automaton whose work at each object is member-local
 * (rename, drop, default, copy, convert, map, collapse/expand or wrap/unwrap of a direct member),
 * or for one operation-level step (at the end of its base path: the value itself or a direct
 * member of it, so envelopes, ids and array elements too; or a move across objects,
 * stream_move.c). stream_pass.c sets a pass up and runs it; stream_chain.c runs a plan's passes
 * one after the other; stream_ops.c holds what each step does to a value.
 *
 * The tree engine (apply.c) stays the reference: whenever a pass meets something it would not
 * do exactly as apply.c does (a step that would be a mismatch, a duplicate or escaped member
 * name, a rename onto a name that is present, nesting beyond ADP__STREAM_DEPTH, invalid JSON),
 * it gives up and the caller runs the tree engine from the start. So its results are always the
 * tree engine's, as JSON values. The output is the input with edits spliced in: untouched
 * stretches are copied whole (whitespace and escapes as they came), and an untouched body is not
 * copied at all. */
#include <stddef.h>
#include <string.h>
#include "stream.h"

/* ---- output ---- */

void adp__stream_grow(adp__stream_t *s, size_t n)
{
    size_t used = s->out != NULL ? (size_t)(s->o - s->out) : 0;
    size_t cap = s->out != NULL ? (size_t)(s->oend - s->out) * 2 : s->first_cap;
    while (cap < used + n)
        cap *= 2;
    char *b = body_alloc(s->run->mem, cap); /* bump memory: the old block goes with the pool */
    if (used != 0)
        memcpy(b, s->out, used);
    s->out = b;
    s->o = b + used;
    s->oend = b + cap;
}

void adp__stream_emit_compact(adp__stream_t *s, const char *b, const char *e)
{
    adp__stream_reserve(s, (size_t)(e - b));
    int in_string = 0;
    for (const char *p = b; p != e; ++p) {
        char c = *p;
        if (in_string) {
            if (c == '\\')
                *s->o++ = *p++; /* the escaped byte follows */
            else if (c == '"')
                in_string = 0;
        } else if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
            continue;
        } else if (c == '"') {
            in_string = 1;
        }
        *s->o++ = *p;
    }
}

void adp__stream_flush_first(adp__stream_t *s, const char *upto)
{
    adp__stream_emit_compact(s, s->from, upto);
    s->from = upto;
}

/* A string that goes out as it is ("..."; plain: nothing in it to escape), plus `tail`. */
static void emit_plain(adp__stream_t *s, const char *str, size_t len, const char *tail,
                       size_t tail_len)
{
    adp__stream_reserve(s, len + 2 + tail_len);
    char *o = s->o;
    *o++ = '"';
    o = adp__stream_copy(o, str, len);
    *o++ = '"';
    s->o = adp__stream_copy(o, tail, tail_len);
}

void adp__stream_emit_value(adp__stream_t *s, const body_value_t *v)
{
    if (v->type == BODY_STRING &&
        ((v->flags & BODY_VERBATIM) || !body_needs_escape(v->u.str, v->len))) {
        emit_plain(s, v->u.str, v->len, "", 0);
        return;
    }
    size_t n = body_write_size(v);
    adp__stream_reserve(s, n);
    s->o = body_write(v, s->o);
}

void adp__stream_emit_string(adp__stream_t *s, const char *str, size_t len)
{
    body_value_t v = {.type = BODY_STRING, .len = (uint32_t)len, .u.str = str};
    adp__stream_emit_value(s, &v);
}

void adp__stream_emit_name(adp__stream_t *s, const char *key, size_t len)
{
    if (!body_needs_escape(key, len)) {
        emit_plain(s, key, len, ":", 1);
        return;
    }
    adp__stream_emit_string(s, key, len);
    adp__stream_emit(s, ":", 1);
}

/* ---- input ---- */

int adp__stream_scalar(adp__stream_t *s, body_value_t *v)
{
    const char *p = s->p, *q;
    int escaped;
    unsigned flags;
    *v = (body_value_t){0};
    switch (*p) {
    case '"':
        if ((q = body_scan_string_short(p + 1, s->end, &escaped)) == NULL || escaped)
            return -1;
        *v = (body_value_t){.type = BODY_STRING,
                            .flags = BODY_VERBATIM,
                            .len = (uint32_t)(q - p - 1),
                            .u.str = p + 1};
        s->p = q + 1;
        return 0;
    case '-':
    case '0' ... '9':
        if ((q = body_scan_number_short(p, s->end, &flags)) == NULL)
            return -1;
        *v = (body_value_t){
            .type = BODY_NUMBER, .flags = (uint8_t)flags, .len = (uint32_t)(q - p), .u.str = p};
        s->p = q;
        return 0;
    }
    static const struct {
        const char *text;
        size_t len;
        body_type_t type;
    } lits[] = {{"null", 4, BODY_NULL}, {"false", 5, BODY_FALSE}, {"true", 4, BODY_TRUE}};
    for (size_t i = 0; i < 3; ++i)
        if ((size_t)(s->end - p) >= lits[i].len && memcmp(p, lits[i].text, lits[i].len) == 0) {
            v->type = (uint8_t)lits[i].type;
            s->p = p + lits[i].len;
            return 0;
        }
    return -1;
}

/* Whitespace inside a member's head (name, ':'), left for member() to cut. */
static void skip_ws(adp__stream_t *s)
{
    const char *at = s->p;
    while (s->p != s->end && (*s->p == ' ' || *s->p == '\n' || *s->p == '\r' || *s->p == '\t'))
        s->p++;
    s->ws_seen |= s->p != at;
}

/* ---- states ---- */

static const adp__program_t no_program = {.n = 0};

/* A schema pass: the steps to run at an object in `st` (NULL when its work is not something the
 * pass does). */
static const adp__program_t *program_of(adp__stream_t *s, const adp__dstate_t *st)
{
    if (st == NULL || st->nactions == 0)
        return &no_program;
    if (st == s->cached_state)
        return &s->cached;
    const adp__unit_t *u = st->actions[0].unit;
    if (st->nactions != 1 || !(s->upgrade ? u->local_up : u->local_down))
        return NULL;
    const adp__step_t *steps = s->upgrade ? u->up : u->down;
    size_t n = s->upgrade ? u->nup : u->ndown;
    s->cached.n = 0;
    for (size_t i = 0; i < n; ++i)
        if (adp__step_applies(s->run, &steps[i]))
            adp__stream_program_add(&s->cached, &steps[i]);
    s->cached_state = st;
    return &s->cached;
}

/* A step pass's path: the step's base, then the segments a move's paths share (stream_move.c). */
static size_t path_n(const adp__stream_t *s)
{
    return s->step->base.n + s->head;
}

static const adp__seg_t *seg_at(const adp__stream_t *s, uint32_t state)
{
    const adp__jpath_t *base = &s->step->base;
    return state < base->n ? &base->segs[state] : &s->step->src.segs[state - base->n];
}

static const adp__dstate_t *state_at(const adp__stream_t *s, uint32_t state, size_t depth)
{
    return s->dfa != NULL && state != ADP__NO_STATE && depth < ADP__MAX_DEPTH
               ? &s->dfa->states[state]
               : NULL;
}

/* A state from which nothing below can be edited. */
static int inert(const adp__stream_t *s, uint32_t state)
{
    if (state == ADP__NO_STATE || s->dfa == NULL)
        return 1;
    const adp__dstate_t *st = &s->dfa->states[state];
    return st->nkeys == 0 && st->items == ADP__NO_STATE && st->other == ADP__NO_STATE &&
           st->nactions == 0;
}

/* The state of member key[0..len) of an object in `state` (a schema pass walks children in the
 * older version's names: `older`). Always inline: member() runs it for every member, and
 * adp__stream_busy, off the hot path, must not turn it into a call. */
static inline __attribute__((always_inline)) uint32_t
member_state(const adp__stream_t *s, uint32_t state, const char *key, size_t len, size_t depth)
{
    if (state == ADP__NO_STATE)
        return ADP__NO_STATE;
    if (s->dfa != NULL) {
        const adp__dstate_t *st = state_at(s, state, depth);
        return st != NULL ? adp__transition(st, key, len) : ADP__NO_STATE;
    }
    if (state >= path_n(s))
        return ADP__NO_STATE;
    const adp__seg_t *seg = seg_at(s, state);
    if (seg->kind == ADP__SEG_VALUES ||
        (seg->kind == ADP__SEG_KEY && seg->len == len && body_bytes_eq(seg->key, key, len)))
        return state + 1;
    return ADP__NO_STATE;
}

/* Off the hot path (copies, drops in an upgrade): cold, so that member() keeps member_state
 * inlined and the hot code together. */
__attribute__((noinline, cold)) int adp__stream_busy(const adp__stream_t *s, uint32_t state,
                                                     const char *key, size_t len, size_t depth)
{
    return !inert(s, member_state(s, state, key, len, depth));
}

static uint32_t item_state(const adp__stream_t *s, uint32_t state, size_t index, size_t depth)
{
    if (state == ADP__NO_STATE)
        return ADP__NO_STATE;
    if (s->dfa != NULL) {
        const adp__dstate_t *st = state_at(s, state, depth);
        return st != NULL ? st->items : ADP__NO_STATE;
    }
    if (state >= path_n(s))
        return ADP__NO_STATE;
    const adp__seg_t *seg = seg_at(s, state);
    if (seg->kind == ADP__SEG_ITEMS || (seg->kind == ADP__SEG_INDEX && seg->index == index))
        return state + 1;
    return ADP__NO_STATE;
}

/* On the segments past the base that a step pass walks on (a move's, a step's below a member),
 * the member (or element) the object (or array) must hold: the tree engine counts its absence
 * when the step says so (NULL: nothing to check). */
static const adp__seg_t *required(const adp__stream_t *s, uint32_t state)
{
    if (s->head == 0 || !s->step->count_missing || state == ADP__NO_STATE ||
        state < s->step->base.n || state >= path_n(s))
        return NULL;
    return seg_at(s, state);
}

/* ---- arrays ---- */

static int array(adp__stream_t *s, uint32_t state, size_t depth)
{
    s->p++;
    adp__stream_ws(s);
    if (s->p != s->end && *s->p == ']') {
        s->p++;
        return 0;
    }
    for (size_t i = 0;; ++i) {
        if (adp__stream_value(s, item_state(s, state, i, depth), depth + 1) != 0)
            return -1;
        adp__stream_ws(s);
        if (s->p == s->end)
            return -1;
        if (*s->p == ']') {
            s->p++;
            return 0;
        }
        if (*s->p != ',')
            return -1;
        s->p++;
        adp__stream_ws(s);
    }
}

/* An array on a step's path through an index (array() as it is, off the hot path, counting):
 * it must hold that element when the step counts its absence, as the tree engine does. */
static __attribute__((noinline, cold)) int indexed_array(adp__stream_t *s, uint32_t state,
                                                         size_t depth)
{
    const adp__seg_t *must = required(s, state);
    size_t need = must != NULL ? must->index + 1 : 0;
    s->p++;
    adp__stream_ws(s);
    if (s->p != s->end && *s->p == ']') {
        s->p++;
        return need != 0 ? -1 : 0;
    }
    for (size_t i = 0;; ++i) {
        if (adp__stream_value(s, item_state(s, state, i, depth), depth + 1) != 0)
            return -1;
        adp__stream_ws(s);
        if (s->p == s->end)
            return -1;
        if (*s->p == ']') {
            s->p++;
            return i + 1 < need ? -1 : 0;
        }
        if (*s->p != ',')
            return -1;
        s->p++;
        adp__stream_ws(s);
    }
}

/* ---- objects ---- */

int adp__stream_duplicate(adp__names_t *nm, const char *key, size_t len)
{
    uint32_t h = (uint32_t)len << 16;
    if (len != 0)
        h |= (uint32_t)(uint8_t)key[0] << 8 | (uint8_t)key[len - 1];
    uint64_t bit = (uint64_t)1 << ((h * 0x9E3779B1u) >> 26);
    if (nm->bits & bit) {
        if (nm->n == ADP__NAMES_MAX)
            return 1;
        for (size_t i = 0; i < nm->n; ++i)
            if (nm->len[i] == len && body_bytes_eq(nm->key[i], key, len))
                return 1;
    }
    nm->bits |= bit;
    if (nm->n < ADP__NAMES_MAX) {
        nm->key[nm->n] = key;
        nm->len[nm->n++] = len;
    } else {
        nm->bits = ~(uint64_t)0; /* no more room for exact checks: every later hit gives up */
    }
    return 0;
}

/* Finds the program step that reads member key (its index), or says the name is one the program
 * writes under another's value (a rename's target: give up). -1 when no step reads it. */
static int match(const adp__program_t *prog, const char *key, size_t klen, int *conflict)
{
    *conflict = 0;
    for (size_t i = 0; i < prog->n; ++i) {
        const adp__pstep_t *ps = &prog->steps[i];
        if (ps->len == klen && body_bytes_eq(ps->key, key, klen))
            return (int)i;
        if (ps->to != NULL && ps->to_len == klen && body_bytes_eq(ps->to, key, klen))
            *conflict = 1;
    }
    return -1;
}

/* One member read by `ps` (NULL: none), from the opening quote of its name (mstart) to its value
 * (at s->p); `emitted` counts the members the output holds before it. */
/* A value nothing in the pass reads or writes below (no state): strings and numbers, the most
 * of a body, are skipped inline; the rest is walked the long way. */
int adp__stream_skip(adp__stream_t *s, size_t depth)
{
    const char *q;
    int escaped;
    unsigned flags;
    if (s->p != s->end && *s->p == '"') {
        if ((q = body_scan_string_short(s->p + 1, s->end, &escaped)) == NULL)
            return -1;
        s->p = q + 1;
        return 0;
    }
    if (s->p != s->end && ((unsigned)(*s->p - '0') < 10 || *s->p == '-')) {
        if ((q = body_scan_number_short(s->p, s->end, &flags)) == NULL)
            return -1;
        s->p = q;
        return 0;
    }
    return adp__stream_value(s, ADP__NO_STATE, depth);
}

/* Flushes up to a member's name and drops the comma before it from the output (the members
 * before it were all dropped, or this one is). */
static void drop_comma(adp__stream_t *s, const char *mstart)
{
    adp__stream_flush(s, mstart);
    while (s->o != s->out &&
           (s->o[-1] == ' ' || s->o[-1] == '\n' || s->o[-1] == '\r' || s->o[-1] == '\t'))
        s->o--;
    if (s->o != s->out && s->o[-1] == ',')
        s->o--;
}

/* One member read by `ps` (NULL: none), from the opening quote of its name (mstart) to its value
 * (at s->p); `emitted` counts the members the output holds before it. */
static int member(adp__stream_t *s, uint32_t state, const adp__pstep_t *ps, const char *mstart,
                  const char *key, size_t klen, const char *sep, size_t depth, size_t *emitted,
                  uint32_t *to)
{
    const adp__step_t *step = ps != NULL ? ps->step : NULL;
    if (step != NULL && step->prim == ADP__P_DELETE) { /* validated, then cut with its comma */
        /* an upgrade's tree walks the member (and counts what does not fit there) before its
         * object's steps drop it */
        if (s->upgrade && s->dfa != NULL && adp__stream_busy(s, state, key, klen, depth))
            return -1;
        if (sep != NULL)
            drop_comma(s, mstart);
        else
            adp__stream_flush(s, mstart); /* (a first member's comma goes with the next one) */
        s->hold++;                        /* nothing of the value may reach the output */
        int r = adp__stream_skip(s, depth + 1);
        s->hold--;
        s->from = s->p;
        return r;
    }
    if (sep != NULL && *emitted == 0) /* the members before were all cut: so is this comma */
        drop_comma(s, mstart);
    ++*emitted;
    const char *older = key; /* children are walked in the older version's names */
    size_t olen = klen;
    if (ps != NULL && ps->to != NULL) {
        adp__stream_cut(s, mstart, s->p); /* the name, quotes included, and the ':' */
        adp__stream_emit_name(s, ps->to, ps->to_len);
        if (!s->upgrade)
            older = ps->to, olen = ps->to_len;
    } else if (s->out != NULL && s->hold == 0 && s->p != key + klen + 2) { /* ws by the ":" */
        adp__stream_cut(s, key + klen + 1, s->p);
        adp__stream_emit(s, ":", 1);
    }
    if (*to == ADP__STATE_UNKNOWN)
        *to = member_state(s, state, older, olen, depth);
    if (step == NULL || !adp__stream_is_value_op(step))
        return *to == ADP__NO_STATE ? adp__stream_skip(s, depth + 1)
                                    : adp__stream_value(s, *to, depth + 1);
    if (!inert(s, *to)) /* a value op's inside stays as it is: only where nothing is below */
        return -1;
    return adp__stream_value_op(s, step, ADP__NO_STATE, depth + 1);
}

/* After the last member (s->p at '}'): defaults and copies for absent names; absent names a step
 * must find are mismatches. */
static int object_end(adp__stream_t *s, uint32_t state, const adp__program_t *prog, uint32_t seen,
                      size_t depth, size_t emitted)
{
    for (size_t i = 0; i < prog->n; ++i) {
        const adp__step_t *st = prog->steps[i].step;
        if (seen & (1u << i))
            continue;
        if (st->prim == ADP__P_DERIVE) {
            if (adp__stream_copy_member(s, &prog->steps[i], state, depth, &emitted) != 0)
                return -1;
            continue;
        }
        if (st->prim != ADP__P_DEFAULT) {
            if (st->count_missing)
                return -1;
            continue;
        }
        adp__stream_flush(s, s->p);
        if (emitted++ != 0)
            adp__stream_emit(s, ",", 1);
        adp__stream_emit_name(s, st->dst.segs[0].key, st->dst.segs[0].len);
        adp__stream_emit_value(s, st->value);
    }
    s->p++;
    return 0;
}

/* The shape slot for objects walked at (state, prog, depth), taken (busy) until the object ends:
 * the one recorded there, or an empty one claimed for them; NULL when the slot is busy with an
 * object this one is inside. */
adp__shape_t *adp__stream_shape_take(adp__stream_t *s, uint32_t state,
                                     const adp__program_t *prog, const void *aux0,
                                     const void *aux1, size_t depth)
{
    const void *mode = s->dfa != NULL ? (const void *)s->dfa : (const void *)s->step;
    adp__shape_t *sh = &s->shapes[((state * 0x9E3779B1u) >> 16 ^ (uint32_t)depth) % ADP__SHAPES];
    if (sh->busy)
        return NULL;
    if (sh->mode != mode || sh->state != state || sh->prog != prog || sh->aux[0] != aux0 ||
        sh->aux[1] != aux1 || sh->depth != depth) {
        sh->mode = mode, sh->prog = prog, sh->state = state, sh->depth = depth, sh->n = 0;
        sh->aux[0] = aux0, sh->aux[1] = aux1;
    }
    sh->busy = 1;
    return sh;
}

/* Reads a member's head at s->p ("name", ':' and the whitespace around it) the long way: the
 * name scanned, checked against the names so far and the member a move needs. This is
 * adp__stream_name with the check of `must` added, written out: calling it here shifted the
 * walk's code and cost 5-8% on adp_bench's chain (measured interleaved). */
static int member_head(adp__stream_t *s, adp__names_t *names, const adp__seg_t **must,
                       const char **key, size_t *klen)
{
    int escaped;
    const char *q;
    if (s->p == s->end || *s->p != '"' ||
        (q = body_scan_string_short(s->p + 1, s->end, &escaped)) == NULL || escaped)
        return -1;
    *key = s->p + 1;
    *klen = (size_t)(q - *key);
    if (adp__stream_duplicate(names, *key, *klen))
        return -1; /* the tree engine merges duplicates */
    if (*must != NULL && (*must)->len == *klen && body_bytes_eq((*must)->key, *key, *klen))
        *must = NULL;
    /* the member's own whitespace stays until member() knows what it writes */
    s->p = q + 1;
    skip_ws(s);
    if (s->p == s->end || *s->p != ':')
        return -1;
    s->p++;
    return 0;
}

/* Envelope mode's member: the one named `want` is walked in `state` and kept (everything before
 * it and after it dropped), the others walked in no state. */
static int envelope_member(adp__stream_t *s, uint32_t state, const char *start, const char *key,
                           size_t klen, const char *want, size_t want_len, int *held, size_t depth,
                           const char **vstart, const char **vend)
{
    int hit = klen == want_len && body_bytes_eq(key, want, klen);
    if (hit) {
        /* the members before were walked in no state, nothing of them was flushed: the output
         * drops everything from the '{' to here */
        s->hold -= *held;
        *held = 0;
        adp__stream_cut(s, start, s->p);
        *vstart = s->p;
        state = adp__stream_inside(s, state);
    }
    if (adp__stream_value(s, hit ? state : ADP__NO_STATE, depth + 1) != 0)
        return -1;
    if (hit) {
        adp__stream_flush(s, s->p);
        *vend = s->p;
        s->hold += 1; /* what follows is dropped: keep it out of the output */
        *held = 1;
    }
    return 0;
}

/* An object walked in `state` with `prog` acting at its members. Envelope mode (`want` not NULL)
 * reports where the value of member `want` starts and ends instead. Members whose names follow
 * the shape of the last object walked here skip the name's scan, the duplicate check and the
 * lookups; from the first that does not, the object is read the long way and its shape
 * recorded. */
static int object(adp__stream_t *s, uint32_t state, const adp__program_t *prog, size_t depth,
                  const char *want, size_t want_len, const char **vstart, const char **vend)
{
    const char *start = s->p;
    uint32_t seen = 0;
    int held = want != NULL;
    s->hold += held;
    adp__names_t names;
    names.bits = 0, names.n = 0;
    size_t emitted = 0, mi = 0;
    const char *sep = NULL;
    const adp__seg_t *must = required(s, state);
    adp__shape_t *sh = must == NULL && want == NULL ? adp__stream_shape_take(s, state, prog, NULL, NULL, depth) : NULL;
    int replaying = sh != NULL;
    s->p++;
    adp__stream_ws(s);
    if (s->p != s->end && *s->p == '}') {
        s->hold -= held;
        if (sh != NULL)
            sh->busy = 0;
        return must != NULL ? -1 : object_end(s, state, prog, seen, depth, emitted);
    }
    for (;;) {
        const char *key, *mstart = s->p;
        size_t klen;
        uint32_t to = ADP__STATE_UNKNOWN;
        adp__shape_member_t *rec = NULL;
        const adp__pstep_t *ps = NULL;
        if (replaying && mi < sh->n && adp__stream_shape_hit(s, &sh->m[mi])) {
            const adp__shape_member_t *m = &sh->m[mi];
            key = s->p + 1;
            klen = m->len - 3;
            s->p += m->len;
            to = m->child;
            ps = m->ps;
            if (m->step >= 0)
                seen |= 1u << m->step;
        } else {
            if (replaying) { /* the names so far are the shape's: the duplicate check needs them */
                replaying = 0;
                for (size_t k = 0; k < mi; ++k)
                    adp__stream_duplicate(&names, sh->m[k].text + 1, sh->m[k].len - 3);
                sh->n = mi;
            }
            if (member_head(s, &names, &must, &key, &klen) != 0)
                return -1;
            if (want != NULL) {
                skip_ws(s);
                if (envelope_member(s, state, start, key, klen, want, want_len, &held, depth,
                                    vstart, vend) != 0)
                    return -1;
                goto next;
            }
            int conflict, i = match(prog, key, klen, &conflict);
            if (conflict)
                return -1;
            if (i >= 0) {
                seen |= 1u << i;
                if (prog->steps[i].step->prim != ADP__P_DEFAULT &&
                    prog->steps[i].step->prim != ADP__P_DERIVE)
                    ps = &prog->steps[i];
            }
            if (sh != NULL && sh->n == mi && mi < ADP__SHAPE_MAX && s->p == key + klen + 2) {
                rec = &sh->m[mi];
                *rec =
                    (adp__shape_member_t){key - 1, (uint32_t)klen + 3, i, ADP__STATE_UNKNOWN, ps};
            }
        }
        skip_ws(s);
        if (member(s, state, ps, mstart, key, klen, sep, depth, &emitted, &to) != 0)
            return -1;
        if (rec != NULL) { /* (a dropped member's state stays unknown: nothing walks in it) */
            rec->child = to;
            sh->n = mi + 1;
        }
        ++mi;
    next:
        adp__stream_ws(s);
        if (s->p == s->end)
            return -1;
        if (*s->p == '}') {
            s->hold -= held;
            if (sh != NULL)
                sh->busy = 0;
            return must != NULL ? -1 : object_end(s, state, prog, seen, depth, emitted);
        }
        if (*s->p != ',')
            return -1;
        sep = s->p++;
        adp__stream_ws(s);
    }
}

int adp__stream_envelope(adp__stream_t *s, const char *key, size_t len, uint32_t state,
                         size_t depth, const char **vstart, const char **vend)
{
    *vstart = *vend = NULL;
    if (depth > ADP__STREAM_DEPTH)
        return -1;
    if (object(s, state, &no_program, depth, key, len, vstart, vend) != 0 || *vstart == NULL)
        return -1;
    s->from = s->p; /* and everything after the value, to the '}' */
    return 0;
}

uint32_t adp__stream_inside(adp__stream_t *s, uint32_t state)
{
    if (s->inner == NULL)
        return state;
    /* a root step: nothing of the step's path is left, the automaton takes over */
    s->dfa = s->inner;
    s->step = NULL;
    s->inner = NULL;
    return 0;
}

/* ---- values ---- */

/* A step pass on the path to the step's base: what the tree engine's walk accepts there. */
static int fits_base(const adp__stream_t *s, uint32_t state)
{
    const adp__seg_t *seg = seg_at(s, state);
    char c = *s->p;
    if (c == 'n')
        return 1; /* null: nothing to do below */
    return c == (seg->kind == ADP__SEG_KEY || seg->kind == ADP__SEG_VALUES ? '{' : '[');
}

int adp__stream_value(adp__stream_t *s, uint32_t state, size_t depth)
{
    if (depth > ADP__STREAM_DEPTH || s->p == s->end)
        return -1;
    const adp__program_t *prog = &no_program;
    if (s->step != NULL && state != ADP__NO_STATE) {
        if (state < path_n(s)) {
            if (!fits_base(s, state))
                return -1; /* the tree engine's walk counts a mismatch */
            if (*s->p == '[' && seg_at(s, state)->kind == ADP__SEG_INDEX)
                return indexed_array(s, state, depth);
        } else if (s->move) {
            return adp__stream_move(s, depth);
        } else if (s->step->src.n == 0) {
            return adp__stream_value_op(s, s->step, ADP__NO_STATE, depth);
        } else {
            if (*s->p != '{' && *s->p != 'n')
                return -1; /* a member of something that is not an object */
            prog = &s->target;
        }
    } else if (s->dfa != NULL) {
        const adp__dstate_t *st = state_at(s, state, depth);
        if ((prog = program_of(s, st)) == NULL)
            return -1;
        if (prog->n != 0 && *s->p != '{' && *s->p != 'n') /* actions on a non-object */
            return -1;
        if (st == NULL)
            state = ADP__NO_STATE;
    }
    if (*s->p == '{')
        return object(s, state, prog, depth, NULL, 0, NULL, NULL);
    if (*s->p == '[')
        return array(s, state, depth);
    body_value_t v;
    const char *at = s->p;
    if (adp__stream_scalar(s, &v) != 0) {
        /* an escaped string is fine where nothing reads it */
        int escaped;
        const char *q;
        if (*at != '"' || (q = body_scan_string(at + 1, s->end, &escaped)) == NULL)
            return -1;
        s->p = q + 1;
    }
    return 0;
}
