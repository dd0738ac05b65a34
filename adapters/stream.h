/* Internal to the streaming pass (stream.c, stream_ops.c, stream_chain.c, stream_move.c): the
 * state of one pass over a body's JSON text, its lazily written output and the per-object
 * programs. */
#ifndef ADP_STREAM_H
#define ADP_STREAM_H

#include <string.h>
#include "plan.h"

#define ADP__PROGRAM_MAX 16   /* steps acting at one object */
#define ADP__STREAM_DEPTH 256 /* deeper documents go to the tree engine */

/* A step as the pass runs it at an object, with its names at hand. */
typedef struct st_adp__pstep_t {
    const adp__step_t *step;
    const char *key; /* the member it reads (a default: the one it writes) */
    size_t len;
    const char *to; /* the name the value ends under when it is another (rename), else NULL */
    size_t to_len;
} adp__pstep_t;

typedef struct st_adp__program_t {
    adp__pstep_t steps[ADP__PROGRAM_MAX];
    size_t n;
} adp__program_t;

/* The members of the last object walked at one place (state, depth, program), replayed by
 * comparing bytes: a list's objects repeat their names in the same order, so each member's name,
 * step and state are known from its `"name":` text alone. The names are pairwise distinct (the
 * object they came from passed the duplicate check) and point into the pass's input. */
#define ADP__SHAPE_MAX 16
#define ADP__SHAPES 8
#define ADP__STATE_UNKNOWN (ADP__NO_STATE - 1) /* a member's state not yet computed */

typedef struct st_adp__shape_member_t {
    const char *text;       /* "name": (no escape, no whitespace) */
    uint32_t len;           /* of text: the name's length + 3 */
    int32_t step;           /* the program step that reads it, or -1 */
    uint32_t child;         /* the state its value is walked in */
    const adp__pstep_t *ps; /* what member() runs on it: the step unless a default (or none) */
} adp__shape_member_t;

typedef struct st_adp__shape_t {
    const void *mode; /* the automaton or step the states belong to; NULL: the slot is empty */
    const adp__program_t *prog;
    const void *aux[2]; /* what else the walk depends on (a move's read: the names it seeks) */
    uint32_t state;
    size_t depth;
    size_t n;
    int busy; /* an object walking with it is on the stack: the objects inside it may not take it */
    adp__shape_member_t m[ADP__SHAPE_MAX];
} adp__shape_t;

/* One pass: a schema automaton's (dfa), or one operation-level step's (step): then states count
 * the segments of the step's base path matched so far. The output is the input with edits: the
 * input before `from` is in the output (or was cut); `out` stays NULL until the first edit, so
 * an untouched body costs its validation only. */
typedef struct st_adp__stream_t {
    adp__run_t *run;
    const adp__dfa_t *dfa;
    const adp__step_t *step;
    const adp__dfa_t *inner; /* a root envelope step's pass: the automaton inside the envelope */
    int upgrade;
    const char *p, *end;
    const char *from;
    char *out, *o, *oend;
    int hold; /* inside an envelope before its member: nothing may be flushed */
    size_t first_cap;
    const adp__dstate_t *cached_state; /* the program of the last state with actions */
    adp__program_t cached;
    adp__program_t target; /* a step pass: the program at the step's base, when it has a tail */
    /* a move across objects (stream_move.c), or a step below a member (adp__stream_step_tail):
     * the walk goes on past the base through the first `head` segments its paths share, to the
     * object the step works in */
    int move;
    size_t head;
    int ws_seen;     /* whitespace was skipped and left in the input, not cut (stream_move.c) */
    uint32_t reread; /* 64-byte blocks of objects read again to find the members copies copy (in
                        the padding before the shapes, which keep their place) */
    adp__shape_t shapes[ADP__SHAPES];
} adp__stream_t;

/* ---- output (stream.c; the hot part inline: a pass emits several times per object) ---- */
/* Makes the output able to take n more bytes (the first time: the output is made). */
void adp__stream_grow(adp__stream_t *s, size_t n);
static inline void adp__stream_reserve(adp__stream_t *s, size_t n)
{
    if (s->out == NULL || (size_t)(s->oend - s->o) < n)
        adp__stream_grow(s, n);
}
/* memcpy for the short stretches between edits, without a library call: two overlapping
 * fixed-size moves cover 4..16 bytes (as body/write.c's copy_bytes_to). */
static inline char *adp__stream_copy(char *o, const char *b, size_t n)
{
    if (n >= 8 && n <= 16) {
        memcpy(o, b, 8);
        memcpy(o + n - 8, b + n - 8, 8);
    } else if (n >= 4 && n < 8) {
        memcpy(o, b, 4);
        memcpy(o + n - 4, b + n - 4, 4);
    } else if (n < 4) {
        for (size_t i = 0; i < n; i++)
            o[i] = b[i];
    } else {
        memcpy(o, b, n);
    }
    return o + n;
}
/* Appends bytes that are not in the input. */
static inline void adp__stream_emit(adp__stream_t *s, const char *b, size_t n)
{
    adp__stream_reserve(s, n);
    s->o = adp__stream_copy(s->o, b, n);
}
/* The first flush, which makes the output: the input so far without its whitespace between
 * tokens. */
void adp__stream_flush_first(adp__stream_t *s, const char *upto);
/* Copies the input up to `upto` into the output. */
static inline void adp__stream_flush(adp__stream_t *s, const char *upto)
{
    if (s->out == NULL) {
        adp__stream_flush_first(s, upto);
        return;
    }
    adp__stream_emit(s, s->from, (size_t)(upto - s->from));
    s->from = upto;
}
/* Drops the input [at, to): flushes up to `at` and skips to `to`. */
static inline void adp__stream_cut(adp__stream_t *s, const char *at, const char *to)
{
    adp__stream_flush(s, at);
    s->from = to;
}
/* Appends a value (body_write), a string and a member name ("name":), escaped as needed. */
void adp__stream_emit_value(adp__stream_t *s, const body_value_t *v);
void adp__stream_emit_string(adp__stream_t *s, const char *str, size_t len);
void adp__stream_emit_name(adp__stream_t *s, const char *key, size_t len);

/* ---- input (stream.c) ---- */
/* Skips whitespace; once the output exists it is cut, so that an edited body goes out compact as
 * the tree engine writes it (an untouched one goes out as it came). */
static inline void adp__stream_ws(adp__stream_t *s)
{
    const char *at = s->p;
    while (s->p != s->end && (unsigned char)*s->p <= ' ' &&
           (*s->p == ' ' || *s->p == '\n' || *s->p == '\r' || *s->p == '\t'))
        s->p++;
    if (s->p != at) {
        if (s->out != NULL && s->hold == 0)
            adp__stream_cut(s, at, s->p);
        else
            s->ws_seen = 1;
    }
}
/* Reads a scalar into `v` (strings and numbers point into the input); -1 for anything else, or
 * an escaped string. */
int adp__stream_scalar(adp__stream_t *s, body_value_t *v);
/* Walks (validates, and edits where the pass says) the value at s->p in `state`. */
int adp__stream_value(adp__stream_t *s, uint32_t state, size_t depth);
/* A value nothing in the pass reads or writes below (no state): strings and numbers, the most
 * of a body, skipped inline; the rest walked the long way. */
int adp__stream_skip(adp__stream_t *s, size_t depth);

/* The shape slot for objects walked at (state, prog, depth), taken (busy) until the object ends
 * (the caller clears busy): the one recorded there, or an empty one claimed for them; NULL when
 * the slot is busy with an object this one is inside. */
adp__shape_t *adp__stream_shape_take(adp__stream_t *s, uint32_t state,
                                     const adp__program_t *prog, const void *aux0,
                                     const void *aux1, size_t depth);
/* Whether the member at s->p has the name of the shape's member `m`, written the same way. */
static inline int adp__stream_shape_hit(const adp__stream_t *s, const adp__shape_member_t *m)
{
    return (size_t)(s->end - s->p) >= m->len && body_bytes_eq(s->p, m->text, m->len);
}
/* Walks the object at s->p ('{'), calling `member` for the member named key[0..len) when it
 * is found, walking that member's value in `state` and every other member in no state; the
 * output keeps only that value. -1 when `key` is absent or present twice, or on invalid JSON. */
int adp__stream_envelope(adp__stream_t *s, const char *key, size_t len, uint32_t state,
                         size_t depth, const char **vstart, const char **vend);
/* Where a value op walks the value it keeps: in the pass's inner automaton (its root state)
 * when it has one, else in `state`. */
uint32_t adp__stream_inside(adp__stream_t *s, uint32_t state);

/* The member names of one object so far, to find duplicates (the tree engine merges them):
 * a 64-bit filter, and the names themselves for an exact check when the filter hits (beyond
 * ADP__NAMES_MAX names a hit just gives up). Start with bits = n = 0. */
#define ADP__NAMES_MAX 32
typedef struct {
    uint64_t bits;
    size_t n;
    const char *key[ADP__NAMES_MAX];
    size_t len[ADP__NAMES_MAX];
} adp__names_t;

/* 1 when key[0..len) may be a name seen before (then the pass gives up), else records it. */
int adp__stream_duplicate(adp__names_t *nm, const char *key, size_t len);
/* A member's name at s->p, checked against the names so far, and its ':' (s->p after it;
 * whitespace around it skipped and left in the input, ws_seen set): -1 for an escaped or
 * duplicate name (the tree engine merges duplicates) or invalid JSON. */
static inline int adp__stream_name(adp__stream_t *s, adp__names_t *names, const char **key,
                                   size_t *klen)
{
    int escaped;
    const char *q;
    if (s->p == s->end || *s->p != '"' ||
        (q = body_scan_string_short(s->p + 1, s->end, &escaped)) == NULL || escaped)
        return -1;
    *key = s->p + 1;
    *klen = (size_t)(q - *key);
    if (adp__stream_duplicate(names, *key, *klen))
        return -1;
    s->p = q + 1;
    const char *at = s->p;
    while (s->p != s->end && (*s->p == ' ' || *s->p == '\n' || *s->p == '\r' || *s->p == '\t'))
        s->p++;
    s->ws_seen |= s->p != at;
    if (s->p == s->end || *s->p != ':')
        return -1;
    s->p++;
    return 0;
}

/* Copies the input [b, e) into the output without its whitespace between tokens. */
void adp__stream_emit_compact(adp__stream_t *s, const char *b, const char *e);

/* 1 when the member key[0..len) of an object walked in `state` has work inside it (the pass's
 * automaton acts somewhere below it). */
int adp__stream_busy(const adp__stream_t *s, uint32_t state, const char *key, size_t len,
                     size_t depth);

/* ---- copies (stream_copy.c) ---- */

/* At the '}' (s->p) of an object walked in `state`: `ps` (a `removed` with `from` step) sets its
 * member, absent there, to a copy of the member it names, last (emitted counts the members the
 * output holds). 0 when done or nothing to do; -1 where the tree engine would count a mismatch,
 * or would walk the copy or edit the member before copying it (then the pass gives up). */
int adp__stream_copy_member(adp__stream_t *s, const adp__pstep_t *ps, uint32_t state, size_t depth,
                            size_t *emitted);

/* ---- moves across objects (stream_move.c) ---- */

/* Sets `s` up for `step` when it is a move across objects that the pass does (the paths share
 * names and indexes, then part at a name; each goes on at most 16 segments, ending in a name):
 * 0, else -1. */
int adp__stream_move_setup(adp__stream_t *s, const adp__step_t *step);

/* The move at the object (or null) at s->p, the end of the pass's path: -1 wherever the tree
 * engine would count a mismatch, replace a member or move the object itself. */
int adp__stream_move(adp__stream_t *s, size_t depth);

/* ---- steps (stream_ops.c) ---- */
/* 1 when the step can run at a member of an object in a pass (see adp__steps_local). */
int adp__stream_member_step(const adp__step_t *s);
/* A step whose paths share everything up to their last segment, a member (`data.tag` from
 * `data.category`, `a[0].price`), that runs as it does at a direct member once the pass has
 * walked to that member's object: the step with those last segments for paths in *tail, and the
 * number of segments shared (0: not such a step). */
size_t adp__stream_step_tail(const adp__step_t *st, adp__step_t *tail);
/* Fills `prog` with one step's member program. */
void adp__stream_program_add(adp__program_t *prog, const adp__step_t *st);
/* The value at s->p transformed by `step` (convert, map, collapse/expand, wrap/unwrap); its
 * inside is walked in `state`. -1 where the tree engine would count a mismatch. */
int adp__stream_value_op(adp__stream_t *s, const adp__step_t *step, uint32_t state, size_t depth);
/* 1 when the step transforms a member's value (as opposed to its name or presence). */
static inline int adp__stream_is_value_op(const adp__step_t *step)
{
    switch (step->prim) {
    case ADP__P_CONVERT:
    case ADP__P_MAP:
    case ADP__P_TO_ID:
    case ADP__P_TO_OBJECT:
    case ADP__P_OPEN:
    case ADP__P_CLOSE:
        return 1;
    default:
        return 0;
    }
}

#endif
