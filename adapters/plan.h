/* Compiled plans: what a request or response runs through, with every path parsed, every
 * direction resolved and every schema located at load time. Internal to adapters/. */
#ifndef ADP_PLAN_H
#define ADP_PLAN_H

#include <jansson.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include "adapters.h"
#include "convert.h"
#include "jpath.h"
#include "body.h"

/* A set of HTTP status codes 100..611 (bit status - 100). */
typedef struct st_adp__statuses_t {
    uint64_t bits[8];
} adp__statuses_t;

static inline int adp__statuses_has(const adp__statuses_t *s, int status)
{
    unsigned i = (unsigned)(status - 100);
    return i < 512 && (s->bits[i / 64] >> (i % 64) & 1) != 0;
}

static inline void adp__statuses_add(adp__statuses_t *s, int status)
{
    unsigned i = (unsigned)(status - 100);
    if (i < 512)
        s->bits[i / 64] |= (uint64_t)1 << (i % 64);
}

/* Body primitives. `src` and `dst` are tails (keys and indexes only) below each value `base`
 * reaches; an empty tail means that value itself. */
typedef enum adp__prim {
    ADP__P_MOVE,      /* value at src moves to dst (rename, move, nest, unnest) */
    ADP__P_DELETE,    /* value at src is dropped */
    ADP__P_DEFAULT,   /* dst := value when absent */
    ADP__P_DERIVE,    /* dst := copy of the value at src when dst is absent */
    ADP__P_CONVERT,   /* value at src converted in place (conv, scale) */
    ADP__P_MAP,       /* value at src replaced through map (strict: unmapped is a mismatch) */
    ADP__P_TO_ID,     /* object at src -> its member `key`, placed at dst */
    ADP__P_TO_OBJECT, /* id at src -> {key: id}, placed at dst */
    ADP__P_OPEN,      /* envelope at src -> its member `key` */
    ADP__P_CLOSE,     /* value at src -> {key: value} plus the members of `value` */
} adp__prim_t;

#define ADP__IN_REQUEST 1u
#define ADP__IN_RESPONSE 2u

/* A value table as the adapter file gives it (load time, jansson values)... */
typedef struct st_adp__map_t {
    json_t **from, **to; /* parallel; scalars */
    size_t n;
} adp__map_t;

/* ...and as steps run it (body values). */
typedef struct st_adp__jmap_t {
    const body_value_t **from, **to; /* parallel; scalars */
    size_t n;
} adp__jmap_t;

typedef struct st_adp__step_t {
    adp__prim_t prim;
    unsigned scope;    /* ADP__IN_* bits: which bodies the step applies to */
    int count_missing; /* an absent src counts as a mismatch (the field is not known optional) */
    adp__jpath_t base; /* may hold wildcards */
    adp__jpath_t src, dst;
    const body_value_t *value; /* DEFAULT value; CLOSE extra members (an object) or NULL; copied
                               into the body before use, never edited in place */
    const char *key; /* TO_ID/TO_OBJECT id member, OPEN/CLOSE envelope member */
    size_t key_len;
    adp__conv_t conv;
    int scale;
    int strict; /* MAP: values outside the table are mismatches (convert boolean<->enum) */
    const adp__jmap_t *map;
    adp__statuses_t on; /* responses: statuses (older version's) the step applies to */
    const char *what;   /* "v2 schema Pet: rename tag -> category" */
} adp__step_t;

/* Header and query-parameter steps. Names compare case-insensitively for headers and after
 * percent-decoding for query parameters. */
typedef enum adp__fprim {
    ADP__F_RENAME,  /* name -> to */
    ADP__F_DELETE,  /* every entry called name */
    ADP__F_DEFAULT, /* name: to, when absent */
} adp__fprim_t;

typedef struct st_adp__fstep_t {
    adp__fprim_t prim;
    const char *name;
    size_t name_len;
    const char *to; /* new name, or the default value */
    size_t to_len;
    const char *to_encoded; /* query: the new name percent-encoded for the rebuilt query */
    size_t to_encoded_len;
    adp__statuses_t on; /* response headers only */
} adp__fstep_t;

/* A schema-location automaton over a body: states are sets of the older spec's schemas that
 * may describe the value at that point; actions are the component steps to run there. */
typedef struct st_adp__unit_t {
    const adp__step_t *up, *down; /* upgrade order; downgrade order */
    size_t nup, ndown;
    int local_up, local_down; /* the steps are member-local: stream.c can run them */
} adp__unit_t;

typedef struct st_adp__action_t {
    const adp__unit_t *unit;
    int tentative; /* reached through oneOf/anyOf: the value may be another branch */
} adp__action_t;

typedef struct st_adp__dtrans_t {
    const char *key;
    size_t len;
    uint32_t to;
} adp__dtrans_t;

#define ADP__NO_STATE UINT32_MAX

typedef struct st_adp__dstate_t {
    const adp__dtrans_t *keys; /* sorted by (len, bytes) */
    uint32_t nkeys;
    uint32_t items; /* array elements, or ADP__NO_STATE */
    uint32_t other; /* members not in keys (additionalProperties), or ADP__NO_STATE */
    const adp__action_t *actions;
    uint32_t nactions;
} adp__dstate_t;

typedef struct st_adp__dfa_t {
    const adp__dstate_t *states; /* state 0 is the body root */
    uint32_t n;
} adp__dfa_t;

typedef struct st_adp__rdfa_t {
    adp__statuses_t statuses; /* older version's statuses this response schema covers */
    const adp__dfa_t *dfa;
} adp__rdfa_t;

/* One part of a path template: a literal run or a variable. */
typedef struct st_adp__tpart_t {
    const char *lit; /* NULL for a variable */
    size_t len;
    const char *name; /* variable name */
    size_t var;       /* variable: index into the older template's variables */
} adp__tpart_t;

typedef struct st_adp__tpl_t {
    const adp__tpart_t *parts;
    size_t n, nvars;
} adp__tpl_t;

typedef struct st_adp__rewrite_t {
    adp__tpl_t from, to; /* to's variables index from's */
} adp__rewrite_t;

typedef struct st_adp__status_map_t {
    int older, newer;
} adp__status_map_t;

/* One version change applied to one operation. */
typedef struct st_adp__hop_t {
    const char *to; /* the newer version's name */
    /* requests (upgrade): schema steps, operation steps, headers, query, path */
    const adp__dfa_t *req_dfa;
    const adp__step_t *req_steps;
    size_t nreq_steps;
    const adp__fstep_t *req_headers;
    size_t nreq_headers;
    const adp__fstep_t *query;
    size_t nquery;
    const adp__rewrite_t *rewrite;
    /* responses (downgrade): status, headers, operation steps, schema steps */
    const adp__status_map_t *status_map;
    size_t nstatus_map;
    const adp__fstep_t *res_headers;
    size_t nres_headers;
    const adp__step_t *res_steps;
    size_t nres_steps;
    const adp__rdfa_t *res_dfas;
    size_t nres_dfas;
} adp__hop_t;

struct st_adp_plan_t {
    const char *version_name;
    const char *operation;       /* operationId, "METHOD /template" or "*" */
    const char *op_id;           /* NULL when unknown */
    const char *key;             /* "METHOD /template", NULL when unknown */
    const adp__tpl_t *match_tpl; /* for adp_plan_match; NULL when no template is known */
    int literal_segments;        /* ranking for adp_plan_match */
    const adp__hop_t *const *hops;
    size_t nhops;
    const adp_deprecation_t *deprecation;
    const char *gone_detail;   /* the operation is gone on the way up */
    const char *sunset_detail; /* for 410 after the sunset */
    int request_body;
    adp__statuses_t response_body; /* upstream statuses whose bodies are transformed */
    _Atomic uint64_t mismatches[2];
    atomic_int logged;
};

/* One member name or array index on the way from the body root to where a walk is. */
typedef struct st_adp__trail_t {
    const char *key; /* NULL for an index */
    size_t len;
    size_t index;
} adp__trail_t;

#define ADP__TRAIL_MAX 64
#define ADP__MAX_DEPTH 512 /* schema walks stop descending below this nesting */

/* State of one transform call: which body, which status, what went wrong. */
typedef struct st_adp__run_t {
    const body_mem_t *mem; /* where new body values go */
    int changed;          /* some step edited the body */
    unsigned scope;       /* ADP__IN_REQUEST or ADP__IN_RESPONSE */
    int status;     /* responses: the (older version's) status at this point of the chain */
    int quiet;      /* do not count mismatches (values reached through oneOf/anyOf) */
    size_t mismatches;
    adp_mismatch_t *first;
    adp__trail_t trail[ADP__TRAIL_MAX];
    size_t depth; /* may exceed ADP__TRAIL_MAX; the pointer is then truncated */
} adp__run_t;

/* Whether `step` applies to the run's body (scope, and for responses the status). */
int adp__step_applies(const adp__run_t *run, const adp__step_t *step);
/* Index of `v` among the map's `from` values, or -1. */
int adp__map_find(const adp__jmap_t *m, const body_value_t *v);
/* The state a member named key[0..len) leads to from `st`, or ADP__NO_STATE. */
uint32_t adp__transition(const adp__dstate_t *st, const char *key, size_t len);

/* 1 when every step is member-local (rename, drop, default, convert, map, collapse/expand or
 * wrap/unwrap of a direct member, each member name used by one step only): what a streaming
 * pass can run at the objects of a schema automaton's state (stream_ops.c). */
int adp__steps_local(const adp__step_t *steps, size_t n);
/* One streaming pass (stream.c) over the JSON text in `body`: a schema automaton's, or one
 * operation-level step's. Returns 0 with `body` and `len` set to the result (unchanged, and
 * run->changed untouched, when nothing changed), or -1 when the pass gave up (invalid JSON, or
 * anything it would not do exactly as the tree engine): run the tree engine then. Output comes
 * from run->mem. */
int adp__stream(adp__run_t *run, const adp__dfa_t *dfa, int upgrade, const char **body,
                size_t *len);
/* A step's pass; with `inner`, a root wrap (upgrade) or unwrap (downgrade) whose inside is
 * walked with that automaton in the same pass: the hop's two parts in one. */
int adp__stream_step(adp__run_t *run, const adp__step_t *step, const adp__dfa_t *inner,
                     int upgrade, const char **body, size_t *len);
/* A plan's whole body work as passes (stream_chain.c): every hop, in the tree engine's order.
 * 0 with the final body, or -1 when a pass gave up (the tree engine must run from the start). */
int adp__stream_request(const adp_plan_t *plan, adp__run_t *run, const char **body, size_t *len);
int adp__stream_response(const adp_plan_t *plan, adp__run_t *run, int status, const char **body,
                         size_t *len);

/* Runs op-level steps over the body in order; *root may be replaced (envelopes at the root). */
void adp__run_steps(adp__run_t *run, body_value_t **root, const adp__step_t *steps, size_t n);
/* Walks the body with a schema automaton: downgrades run each state's actions before its
 * children (pre-order), upgrades after them (post-order), so each step sees the shape it was
 * compiled for. */
void adp__run_dfa(adp__run_t *run, body_value_t *root, const adp__dfa_t *dfa, int upgrade);

#endif
