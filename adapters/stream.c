/* The streaming pass: for a single version change whose body work is member-local (rename, drop,
 * default, convert or map of a direct member of a schema-located object), the body is validated
 * and rewritten from input to output in one pass, with no tree. It is the common case and costs
 * a fraction of parse, edit and write, in time and in memory touched.
 *
 * The tree engine (apply.c) stays the reference: whenever this pass meets something it would not
 * do exactly as apply.c does (a step that would be a mismatch, a duplicate or escaped member
 * name, a rename onto a name that is present, nesting beyond STREAM_DEPTH, a full output
 * buffer, invalid JSON), it gives up and the caller runs the tree engine from the start. So its
 * results are always the tree engine's, as JSON values (whitespace is dropped and escaped
 * strings are copied as they came, where the tree writer re-escapes them). */
#include <string.h>
#include "plan.h"

#define PROGRAM_MAX 16  /* member-local steps at one object */
#define STREAM_DEPTH 256 /* deeper documents go to the tree engine */

/* A step as the pass uses it, with its names at hand. */
typedef struct {
    const adp__step_t *step;
    const char *key; /* the member it reads (a default: the one it writes) */
    size_t len;
    const char *to; /* a rename's new name, else NULL */
    size_t to_len;
} pstep_t;

typedef struct {
    pstep_t steps[PROGRAM_MAX];
    size_t n;
} program_t;

typedef struct {
    adp__run_t *run;
    const adp__dfa_t *dfa;
    int upgrade;
    const char *p, *end;
    char *o, *oend;
    int changed;
    /* the program of the last state with actions: list items share theirs */
    const adp__dstate_t *cached_state;
    program_t cached;
} stream_t;

/* ---- which steps are member-local ---- */

static int is_key(const adp__jpath_t *p)
{
    return p->n == 1 && p->segs[0].kind == ADP__SEG_KEY;
}

/* The member names a step reads or writes (at most two). */
static size_t touched(const adp__step_t *s, const adp__seg_t **out)
{
    switch (s->prim) {
    case ADP__P_MOVE:
        out[0] = &s->src.segs[0];
        out[1] = &s->dst.segs[0];
        return 2;
    case ADP__P_DEFAULT:
        out[0] = &s->dst.segs[0];
        return 1;
    default:
        out[0] = &s->src.segs[0];
        return 1;
    }
}

static int plain_name(const adp__seg_t *k)
{
    for (size_t i = 0; i < k->len; ++i)
        if ((unsigned char)k->key[i] < 0x20 || k->key[i] == '"' || k->key[i] == '\\')
            return 0;
    return 1;
}

static int local_step(const adp__step_t *s)
{
    if (s->base.n != 0)
        return 0;
    switch (s->prim) {
    case ADP__P_MOVE:
        return is_key(&s->src) && is_key(&s->dst);
    case ADP__P_DELETE:
    case ADP__P_CONVERT:
    case ADP__P_MAP:
        return is_key(&s->src);
    case ADP__P_DEFAULT:
        return is_key(&s->dst);
    default:
        return 0;
    }
}

static int same_name(const adp__seg_t *a, const adp__seg_t *b)
{
    return a->len == b->len && memcmp(a->key, b->key, a->len) == 0;
}

int adp__steps_local(const adp__step_t *steps, size_t n)
{
    const adp__seg_t *names[2 * PROGRAM_MAX];
    size_t nn = 0;
    if (n > PROGRAM_MAX)
        return 0;
    for (size_t i = 0; i < n; ++i) {
        if (!local_step(&steps[i]))
            return 0;
        const adp__seg_t *t[2];
        for (size_t k = 0, m = touched(&steps[i], t); k < m; ++k) {
            /* each name belongs to one step, so the steps' order cannot matter */
            if (!plain_name(t[k]))
                return 0;
            for (size_t j = 0; j < nn; ++j)
                if (same_name(names[j], t[k]))
                    return 0;
            names[nn++] = t[k];
        }
    }
    return 1;
}

static const program_t no_program = {.n = 0};

/* The steps to run at an object in `st` (NULL when the state's work is not member-local). */
static const program_t *program_of(stream_t *s, const adp__dstate_t *st)
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
    program_t *prog = &s->cached;
    prog->n = 0;
    for (size_t i = 0; i < n; ++i) {
        const adp__step_t *st_ = &steps[i];
        if (!adp__step_applies(s->run, st_))
            continue;
        const adp__seg_t *k = st_->prim == ADP__P_DEFAULT ? &st_->dst.segs[0] : &st_->src.segs[0];
        pstep_t *ps = &prog->steps[prog->n++];
        *ps = (pstep_t){st_, k->key, k->len, NULL, 0};
        if (st_->prim == ADP__P_MOVE) {
            ps->to = st_->dst.segs[0].key;
            ps->to_len = st_->dst.segs[0].len;
        }
    }
    s->cached_state = st;
    return prog;
}

/* ---- input and output ---- */

static void ws(stream_t *s)
{
    while (s->p != s->end && (*s->p == ' ' || *s->p == '\n' || *s->p == '\r' || *s->p == '\t'))
        s->p++;
}

static int put(stream_t *s, const char *b, size_t n)
{
    if ((size_t)(s->oend - s->o) < n)
        return -1;
    memcpy(s->o, b, n);
    s->o += n;
    return 0;
}

static int put_name(stream_t *s, const char *key, size_t len)
{
    if ((size_t)(s->oend - s->o) < len + 3)
        return -1;
    *s->o++ = '"';
    memcpy(s->o, key, len);
    s->o += len;
    *s->o++ = '"';
    *s->o++ = ':';
    return 0;
}

static int put_value(stream_t *s, const body_value_t *v)
{
    size_t n = body_write_size(v);
    if ((size_t)(s->oend - s->o) < n)
        return -1;
    s->o = body_write(v, s->o);
    return 0;
}

/* Reads the scalar at p into `v` (strings and numbers point into the input); -1 for anything
 * else, or an escaped string (the tree engine decodes those). */
static int scalar(stream_t *s, body_value_t *v)
{
    const char *p = s->p, *q;
    int escaped;
    unsigned flags;
    *v = (body_value_t){0};
    switch (*p) {
    case '"':
        if ((q = body_scan_string(p + 1, s->end, &escaped)) == NULL || escaped)
            return -1;
        *v = (body_value_t){.type = BODY_STRING, .flags = BODY_VERBATIM,
                         .len = (uint32_t)(q - p - 1), .u.str = p + 1};
        s->p = q + 1;
        return 0;
    case '-':
    case '0' ... '9':
        if ((q = body_scan_number(p, s->end, &flags)) == NULL)
            return -1;
        *v = (body_value_t){.type = BODY_NUMBER, .flags = (uint8_t)flags,
                         .len = (uint32_t)(q - p), .u.str = p};
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

/* ---- values ---- */

static int value(stream_t *s, uint32_t state, size_t depth);

static const adp__dstate_t *state_at(const stream_t *s, uint32_t state, size_t depth)
{
    return state != ADP__NO_STATE && depth < ADP__MAX_DEPTH ? &s->dfa->states[state] : NULL;
}

static int array(stream_t *s, const adp__dstate_t *st, size_t depth)
{
    uint32_t item = st != NULL ? st->items : ADP__NO_STATE;
    s->p++;
    if (put(s, "[", 1) != 0)
        return -1;
    ws(s);
    if (s->p != s->end && *s->p == ']') {
        s->p++;
        return put(s, "]", 1);
    }
    for (;;) {
        if (value(s, item, depth + 1) != 0)
            return -1;
        ws(s);
        if (s->p == s->end)
            return -1;
        if (*s->p == ']') {
            s->p++;
            return put(s, "]", 1);
        }
        if (*s->p != ',' || put(s, ",", 1) != 0)
            return -1;
        s->p++;
        ws(s);
    }
}

/* A converted or mapped member's value: the new value, or NULL to keep the input's. -1 for what
 * apply.c would count as a mismatch. */
static int transformed(stream_t *s, const adp__step_t *step, const body_value_t *in,
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

/* One member whose name matched step `step` (NULL: none). *emitted counts members written. */
static int member(stream_t *s, const adp__dstate_t *st, const adp__step_t *step, const char *key,
                  size_t klen, size_t depth, size_t *emitted)
{
    char *mark = s->o;
    if (*emitted != 0 && put(s, ",", 1) != 0)
        return -1;
    if (step != NULL && step->prim == ADP__P_DELETE) { /* validated, then unwritten */
        if (value(s, ADP__NO_STATE, depth + 1) != 0)
            return -1;
        s->o = mark;
        s->changed = 1;
        return 0;
    }
    ++*emitted;
    if (step != NULL && (step->prim == ADP__P_CONVERT || step->prim == ADP__P_MAP)) {
        body_value_t in;
        const body_value_t *out;
        const char *at = s->p;
        if (scalar(s, &in) != 0 || transformed(s, step, &in, &out) != 0 ||
            put_name(s, key, klen) != 0)
            return -1;
        if (out == NULL)
            return put(s, at, (size_t)(s->p - at));
        s->changed = 1;
        return put_value(s, out);
    }
    const char *name = key;
    size_t nlen = klen;
    if (step != NULL) { /* MOVE: the member is renamed where it stands */
        name = step->dst.segs[0].key;
        nlen = step->dst.segs[0].len;
        s->changed = 1;
    }
    if (put_name(s, name, nlen) != 0)
        return -1;
    /* children are walked in the older version's names: after a downgrade's rename, before an
     * upgrade's */
    uint32_t to = ADP__NO_STATE;
    if (st != NULL)
        to = s->upgrade ? adp__transition(st, key, klen) : adp__transition(st, name, nlen);
    return value(s, to, depth + 1);
}

/* Finds the program step that reads member key (*step), or says the name is one the program
 * writes (a rename's target: give up; a default's: just seen). Returns the step's index or -1. */
static int match(const program_t *prog, const char *key, size_t klen, int *conflict)
{
    *conflict = 0;
    for (size_t i = 0; i < prog->n; ++i) {
        const pstep_t *ps = &prog->steps[i];
        if (ps->len == klen && body_bytes_eq(ps->key, key, klen))
            return (int)i;
        if (ps->to != NULL && ps->to_len == klen && body_bytes_eq(ps->to, key, klen))
            *conflict = 1;
    }
    return -1;
}

/* After the last member: defaults for absent names; absent names a step must find are
 * mismatches. */
static int object_end(stream_t *s, const program_t *prog, uint32_t seen, size_t emitted)
{
    for (size_t i = 0; i < prog->n; ++i) {
        const adp__step_t *st = prog->steps[i].step;
        if (seen & (1u << i))
            continue;
        if (st->prim != ADP__P_DEFAULT) {
            if (st->count_missing)
                return -1;
            continue;
        }
        if ((emitted++ != 0 && put(s, ",", 1) != 0) ||
            put_name(s, st->dst.segs[0].key, st->dst.segs[0].len) != 0 ||
            put_value(s, st->value) != 0)
            return -1;
        s->changed = 1;
    }
    return put(s, "}", 1);
}

/* The member names of one object so far: a 64-bit filter, and the names themselves for an
 * exact check when the filter hits (beyond NAMES_MAX names a hit just gives up). */
#define NAMES_MAX 32
typedef struct {
    uint64_t bits;
    size_t n;
    const char *key[NAMES_MAX];
    size_t len[NAMES_MAX];
} names_t;

static int duplicate(names_t *nm, const char *key, size_t len)
{
    uint32_t h = (uint32_t)len << 16;
    if (len != 0)
        h |= (uint32_t)(uint8_t)key[0] << 8 | (uint8_t)key[len - 1];
    uint64_t bit = (uint64_t)1 << ((h * 0x9E3779B1u) >> 26);
    if (nm->bits & bit) {
        if (nm->n == NAMES_MAX)
            return 1;
        for (size_t i = 0; i < nm->n; ++i)
            if (nm->len[i] == len && body_bytes_eq(nm->key[i], key, len))
                return 1;
    }
    nm->bits |= bit;
    if (nm->n < NAMES_MAX) {
        nm->key[nm->n] = key;
        nm->len[nm->n++] = len;
    } else {
        nm->bits = ~(uint64_t)0; /* no more room for exact checks: every later hit gives up */
    }
    return 0;
}

static int object(stream_t *s, const adp__dstate_t *st, size_t depth)
{
    const program_t *prog = program_of(s, st);
    uint32_t seen = 0;
    names_t names;
    names.bits = 0, names.n = 0;
    size_t emitted = 0;
    if (prog == NULL || put(s, "{", 1) != 0)
        return -1;
    s->p++;
    ws(s);
    if (s->p != s->end && *s->p == '}') {
        s->p++;
        return object_end(s, prog, seen, emitted);
    }
    for (;;) {
        int escaped, conflict;
        const char *q;
        if (s->p == s->end || *s->p != '"' ||
            (q = body_scan_string(s->p + 1, s->end, &escaped)) == NULL || escaped)
            return -1;
        const char *key = s->p + 1;
        size_t klen = (size_t)(q - key);
        if (duplicate(&names, key, klen))
            return -1; /* the tree engine merges duplicates */
        s->p = q + 1;
        ws(s);
        if (s->p == s->end || *s->p != ':')
            return -1;
        s->p++;
        ws(s);
        int i = match(prog, key, klen, &conflict);
        if (conflict)
            return -1;
        const adp__step_t *step = NULL;
        if (i >= 0) {
            seen |= 1u << i;
            if (prog->steps[i].step->prim != ADP__P_DEFAULT)
                step = prog->steps[i].step;
        }
        if (member(s, st, step, key, klen, depth, &emitted) != 0)
            return -1;
        ws(s);
        if (s->p == s->end)
            return -1;
        if (*s->p == '}') {
            s->p++;
            return object_end(s, prog, seen, emitted);
        }
        if (*s->p != ',')
            return -1;
        s->p++;
        ws(s);
    }
}

static int value(stream_t *s, uint32_t state, size_t depth)
{
    if (depth > STREAM_DEPTH || s->p == s->end)
        return -1;
    const adp__dstate_t *st = state_at(s, state, depth);
    if (*s->p == '{')
        return object(s, st, depth);
    if (st != NULL && st->nactions != 0 && (*s->p != 'n')) /* actions on a non-object */
        return -1;
    if (*s->p == '[')
        return array(s, st, depth);
    body_value_t v;
    const char *at = s->p;
    if (scalar(s, &v) != 0) {
        /* an escaped string is fine where nothing reads it: copy it checked */
        int escaped;
        const char *q;
        if (*at != '"' || (q = body_scan_string(at + 1, s->end, &escaped)) == NULL)
            return -1;
        s->p = q + 1;
    }
    return put(s, at, (size_t)(s->p - at));
}

int adp__stream(adp__run_t *run, const adp__dfa_t *dfa, int upgrade, const char **body,
                size_t *len)
{
    if (*len == 0 || *len > UINT32_MAX || dfa == NULL || dfa->n == 0)
        return -1;
    size_t cap = *len + *len / 4 + 256;
    char *out = body_alloc(run->mem, cap);
    stream_t s = {run, dfa, upgrade, *body, *body + *len, out, out + cap, 0, NULL, {.n = 0}};
    ws(&s);
    if (value(&s, 0, 0) != 0)
        return -1;
    ws(&s);
    if (s.p != s.end)
        return -1;
    if (s.changed) {
        *body = out;
        *len = (size_t)(s.o - out);
    }
    return 0;
}
