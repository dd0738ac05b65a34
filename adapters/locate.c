/* Schema location: subset construction of an automaton whose states are sets of schemas. */
#include <stdlib.h>
#include <string.h>
#include "locate.h"

/* A schema in a state; `tentative` when only reached through oneOf/anyOf. */
typedef struct {
    const spec_node_t *node;
    int tentative;
} elem_t;

typedef struct {
    elem_t *elems;
    size_t n, cap;
} set_t;

typedef struct {
    const char *key;
    size_t len;
    uint32_t to;
} trans_t;

typedef struct {
    set_t set;
    uint64_t hash;
    trans_t *keys;
    size_t nkeys;
    uint32_t items, other;
    int useful;
} state_t;

typedef struct {
    const spec_t *spec;
    int is_30;
    const adp__target_t *targets;
    size_t ntargets;
    uint32_t max_states;
    state_t *states;
    size_t nstates, cap;
    uint32_t *index; /* open addressing over hashes; UINT32_MAX empty */
    size_t index_cap;
    int overflow;
} builder_t;

static void set_add(set_t *s, const spec_node_t *n, int tentative, builder_t *b);

/* Adds `n` and everything that applies to the same value: $ref targets, allOf members
 * (certain), oneOf/anyOf members (tentative). */
static void set_add(set_t *s, const spec_node_t *n, int tentative, builder_t *b)
{
    if (n == NULL || n->kind != SPEC_NODE_MAPPING)
        return; /* 3.1 boolean schemas and broken nodes describe nothing to locate */
    const spec_ref_t *ref = spec_ref_of(b->spec, n);
    if (ref != NULL && b->is_30) { /* OAS 3.0: a $ref replaces its siblings */
        set_add(s, ref->resolved, tentative, b);
        return;
    }
    for (size_t i = 0; i < s->n; ++i) {
        if (s->elems[i].node != n)
            continue;
        if (s->elems[i].tentative <= tentative)
            return;
        s->elems[i].tentative = tentative; /* now certain: revisit its members as certain too */
        goto members;
    }
    adp__grow(&s->elems, &s->cap, s->n + 1, sizeof(*s->elems));
    s->elems[s->n++] = (elem_t){n, tentative};
members:
    if (ref != NULL)
        set_add(s, ref->resolved, tentative, b);
    const char *kw[3] = {"allOf", "oneOf", "anyOf"};
    for (int k = 0; k < 3; ++k) {
        const spec_node_t *list = spec_node_get(n, kw[k]);
        for (size_t i = 0; list != NULL && list->kind == SPEC_NODE_SEQUENCE && i < list->u.seq.len;
             ++i)
            set_add(s, list->u.seq.items[i], k == 0 ? tentative : 1, b);
    }
}

static int cmp_elem(const void *a, const void *b)
{
    const elem_t *x = a, *y = b;
    if (x->node != y->node)
        return (uintptr_t)x->node < (uintptr_t)y->node ? -1 : 1;
    return x->tentative - y->tentative;
}

static uint64_t set_hash(const set_t *s)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < s->n; ++i) {
        h ^= (uint64_t)(uintptr_t)s->elems[i].node + (uint64_t)s->elems[i].tentative;
        h *= 1099511628211ull;
    }
    return h;
}

static int set_eq(const set_t *a, const set_t *b)
{
    return a->n == b->n && memcmp(a->elems, b->elems, a->n * sizeof(*a->elems)) == 0;
}

static void index_rebuild(builder_t *b)
{
    free(b->index);
    b->index_cap = b->index_cap ? b->index_cap * 2 : 64;
    b->index = adp__xmalloc(b->index_cap * sizeof(*b->index));
    memset(b->index, 0xff, b->index_cap * sizeof(*b->index));
    for (size_t i = 0; i < b->nstates; ++i) {
        size_t at = (size_t)b->states[i].hash & (b->index_cap - 1);
        while (b->index[at] != UINT32_MAX)
            at = (at + 1) & (b->index_cap - 1);
        b->index[at] = (uint32_t)i;
    }
}

/* The state for `s` (taking ownership of its elements), created when new. */
static uint32_t intern(builder_t *b, set_t *s)
{
    if (s->n == 0) {
        free(s->elems);
        return ADP__NO_STATE;
    }
    qsort(s->elems, s->n, sizeof(*s->elems), cmp_elem);
    uint64_t h = set_hash(s);
    if (b->index_cap == 0 || (b->nstates + 1) * 2 > b->index_cap)
        index_rebuild(b);
    size_t at = (size_t)h & (b->index_cap - 1);
    for (; b->index[at] != UINT32_MAX; at = (at + 1) & (b->index_cap - 1)) {
        state_t *st = &b->states[b->index[at]];
        if (st->hash == h && set_eq(&st->set, s)) {
            free(s->elems);
            return b->index[at];
        }
    }
    if (b->nstates >= b->max_states) {
        b->overflow = 1;
        free(s->elems);
        return ADP__NO_STATE;
    }
    adp__grow(&b->states, &b->cap, b->nstates + 1, sizeof(*b->states));
    state_t *st = &b->states[b->nstates];
    memset(st, 0, sizeof(*st));
    st->set = *s;
    st->hash = h;
    st->items = st->other = ADP__NO_STATE;
    b->index[at] = (uint32_t)b->nstates;
    return (uint32_t)b->nstates++;
}

static const spec_node_t *schema_member(const spec_node_t *n, const char *kw)
{
    const spec_node_t *v = spec_node_get(n, kw);
    return v != NULL && v->kind == SPEC_NODE_MAPPING ? v : NULL;
}

/* The set a member called `key` (or, with key NULL, any undeclared member) leads to. */
static uint32_t member_target(builder_t *b, const set_t *from, const char *key, size_t len)
{
    set_t to = {0};
    for (size_t i = 0; i < from->n; ++i) {
        const spec_node_t *n = from->elems[i].node;
        const spec_node_t *props = spec_node_get(n, "properties"), *p = NULL;
        if (key != NULL && props != NULL && props->kind == SPEC_NODE_MAPPING)
            for (size_t j = 0; j < props->u.map.len && p == NULL; ++j) {
                const spec_node_t *k = props->u.map.items[j].key;
                if (k->u.scalar.len == len && memcmp(k->u.scalar.str, key, len) == 0)
                    p = props->u.map.items[j].value;
            }
        if (p == NULL) /* JSON Schema: additionalProperties governs undeclared members */
            p = schema_member(n, "additionalProperties");
        set_add(&to, p, from->elems[i].tentative, b);
    }
    return intern(b, &to);
}

static int cmp_trans(const void *a, const void *b)
{
    const trans_t *x = a, *y = b;
    if (x->len != y->len)
        return x->len < y->len ? -1 : 1;
    return memcmp(x->key, y->key, x->len);
}

static void expand(builder_t *b, uint32_t id)
{
    /* b->states may move while interning: copy what we read */
    set_t from = b->states[id].set;
    trans_t *keys = NULL;
    size_t nkeys = 0, cap = 0;
    for (size_t i = 0; i < from.n; ++i) {
        const spec_node_t *props = spec_node_get(from.elems[i].node, "properties");
        for (size_t j = 0;
             props != NULL && props->kind == SPEC_NODE_MAPPING && j < props->u.map.len; ++j) {
            const spec_node_t *k = props->u.map.items[j].key;
            int seen = 0;
            for (size_t t = 0; t < nkeys && !seen; ++t)
                seen = keys[t].len == k->u.scalar.len &&
                       memcmp(keys[t].key, k->u.scalar.str, keys[t].len) == 0;
            if (seen)
                continue;
            adp__grow(&keys, &cap, nkeys + 1, sizeof(*keys));
            keys[nkeys++] = (trans_t){k->u.scalar.str, k->u.scalar.len, 0};
        }
    }
    for (size_t t = 0; t < nkeys; ++t)
        keys[t].to = member_target(b, &from, keys[t].key, keys[t].len);
    uint32_t other = member_target(b, &from, NULL, 0);
    set_t items = {0};
    for (size_t i = 0; i < from.n; ++i)
        set_add(&items, schema_member(from.elems[i].node, "items"), from.elems[i].tentative, b);
    uint32_t items_to = intern(b, &items);
    /* drop transitions that go nowhere or where undeclared members go anyway */
    size_t kept = 0;
    for (size_t t = 0; t < nkeys; ++t)
        if (keys[t].to != ADP__NO_STATE && keys[t].to != other)
            keys[kept++] = keys[t];
    if (kept > 1)
        qsort(keys, kept, sizeof(*keys), cmp_trans);
    state_t *st = &b->states[id];
    st->keys = keys;
    st->nkeys = kept;
    st->other = other;
    st->items = items_to;
}

static size_t count_actions(const builder_t *b, const state_t *st, adp__action_t *out)
{
    size_t n = 0;
    for (size_t t = 0; t < b->ntargets; ++t)
        for (size_t i = 0; i < st->set.n; ++i)
            if (st->set.elems[i].node == b->targets[t].schema) {
                if (out != NULL)
                    out[n] = (adp__action_t){b->targets[t].unit, st->set.elems[i].tentative};
                ++n;
                break;
            }
    return n;
}

static int reaches_useful(const builder_t *b, const state_t *st)
{
    if (st->items != ADP__NO_STATE && b->states[st->items].useful)
        return 1;
    if (st->other != ADP__NO_STATE && b->states[st->other].useful)
        return 1;
    for (size_t i = 0; i < st->nkeys; ++i)
        if (b->states[st->keys[i].to].useful)
            return 1;
    return 0;
}

static uint32_t remap(const uint32_t *ids, uint32_t to)
{
    return to == ADP__NO_STATE ? ADP__NO_STATE : ids[to];
}

/* Copies the useful part of the automaton into the arena. */
static const adp__dfa_t *emit(builder_t *b, adp__arena_t *arena)
{
    uint32_t *ids = adp__xmalloc(b->nstates * sizeof(*ids));
    uint32_t n = 0;
    for (size_t i = 0; i < b->nstates; ++i)
        ids[i] = b->states[i].useful ? n++ : ADP__NO_STATE;
    adp__dfa_t *dfa = adp__arena_alloc(arena, sizeof(*dfa));
    adp__dstate_t *out = adp__arena_alloc(arena, n * sizeof(*out));
    for (size_t i = 0; i < b->nstates; ++i) {
        const state_t *st = &b->states[i];
        if (!st->useful)
            continue;
        adp__dstate_t *o = &out[ids[i]];
        o->items = remap(ids, st->items);
        o->other = remap(ids, st->other);
        size_t nk = 0;
        for (size_t k = 0; k < st->nkeys; ++k)
            nk += ids[st->keys[k].to] != ADP__NO_STATE || o->other != ADP__NO_STATE;
        adp__dtrans_t *keys = adp__arena_alloc(arena, nk * sizeof(*keys));
        nk = 0;
        for (size_t k = 0; k < st->nkeys; ++k) {
            uint32_t to = ids[st->keys[k].to];
            /* a useless member still needs its entry when undeclared members are walked: it
             * must not fall through to `other` */
            if (to == ADP__NO_STATE && o->other == ADP__NO_STATE)
                continue;
            keys[nk++] = (adp__dtrans_t){
                adp__arena_strndup(arena, st->keys[k].key, st->keys[k].len), st->keys[k].len, to};
        }
        o->keys = keys;
        o->nkeys = (uint32_t)nk;
        size_t na = count_actions(b, st, NULL);
        adp__action_t *acts = adp__arena_alloc(arena, na * sizeof(*acts));
        count_actions(b, st, acts);
        o->actions = acts;
        o->nactions = (uint32_t)na;
    }
    dfa->states = out;
    dfa->n = n;
    free(ids);
    return dfa;
}

int adp__locate(adp__arena_t *arena, const spec_t *spec, const spec_node_t *root,
                const adp__target_t *targets, size_t ntargets, uint32_t max_states,
                const adp__dfa_t **out)
{
    builder_t b = {spec, spec_version(spec) == SPEC_OAS_30, targets, ntargets, max_states};
    *out = NULL;
    set_t start = {0};
    set_add(&start, root, 0, &b);
    int rc = 0;
    if (intern(&b, &start) == ADP__NO_STATE)
        goto done;
    for (size_t i = 0; i < b.nstates && !b.overflow; ++i)
        expand(&b, (uint32_t)i);
    if (b.overflow) {
        rc = -1;
        goto done;
    }
    for (size_t i = 0; i < b.nstates; ++i)
        b.states[i].useful = count_actions(&b, &b.states[i], NULL) != 0;
    for (int changed = 1; changed;) {
        changed = 0;
        for (size_t i = 0; i < b.nstates; ++i)
            if (!b.states[i].useful && reaches_useful(&b, &b.states[i]))
                b.states[i].useful = changed = 1;
    }
    /* a -1 transition to a useless state is the same as none */
    for (size_t i = 0; i < b.nstates; ++i) {
        state_t *st = &b.states[i];
        if (st->items != ADP__NO_STATE && !b.states[st->items].useful)
            st->items = ADP__NO_STATE;
    }
    if (b.states[0].useful)
        *out = emit(&b, arena);
done:
    for (size_t i = 0; i < b.nstates; ++i) {
        free(b.states[i].set.elems);
        free(b.states[i].keys);
    }
    free(b.states);
    free(b.index);
    return rc;
}
