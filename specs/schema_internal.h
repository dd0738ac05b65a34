/* Internal to the schema validator (schema_validate.c: the walk, errors and paths;
 * schema_keywords.c: one check per keyword family): the validator, the state of one call and the
 * keywords of one schema. Instances are body-model values (body/body.h). */
#ifndef SPEC_SCHEMA_INTERNAL_H
#define SPEC_SCHEMA_INTERNAL_H

#include "body.h"
#include "schema.h"
#include "schema_regex.h"
#include "spec_internal.h"

#define MAX_DEPTH 512         /* nested schema evaluations per validation (~250-deep bodies) */
#define MAX_STEPS 2000000     /* default schema evaluations per validation */
#define MAX_UNIQUE_ITEMS 4096 /* uniqueItems is quadratic; longer arrays are not checked */
#define MAX_PATTERN 1024      /* pattern length we translate */

typedef struct st_spec__pattern_t {
    spec__regex_t *re; /* NULL when the pattern is not checked (invalid, or not enforceable) */
} spec__pattern_t;

struct st_spec_validator_t {
    const spec_t *spec; /* NULL for a standalone schema (schema_resolve.c resolves its $refs) */
    spec_dialect_t dialect;
    int v31; /* 3.1 / 2020-12 keywords; $ref siblings apply */
    /* standalone schemas: absolute URIs ($id, $anchor, fetched documents) -> nodes */
    spec__arena_t names;
    struct {
        const char *uri;
        const spec_node_t *node;
        int dynamic; /* a $dynamicAnchor */
    } * named;
    size_t nnamed, named_cap;
    const char *root_base;
    spec__ptrmap_t ref_base;    /* schema holding $ref -> its base URI (const char *) */
    spec__ptrmap_t ref_target;  /* schema holding $ref -> resolved target (cache) */
    spec__ptrmap_t dyn_target;  /* schema holding $dynamicRef -> its static target (cache) */
    spec__ptrmap_t schema_base; /* every schema -> the base URI of its resource (dynamic scope) */
    int has_dynamic;            /* some schema holds $dynamicRef: track the dynamic scope */
    int no_validation;  /* the metaschema's $vocabulary leaves the validation vocabulary out */
    int formats_assert; /* `format` is an assertion (spec_validator_set_formats) */
    spec_schema_fetch_cb fetch;
    void *fetch_ctx;
    int frozen;                 /* spec_validator_freeze: read-only from here on */
    spec__ptrmap_t props_index; /* `properties` map -> index in props_indexes */
    struct st_spec__props_index_t **props_indexes;
    size_t nprops_indexes, props_indexes_cap;
    spec__ptrmap_t pattern_index; /* pattern node -> index in patterns */
    spec__pattern_t *patterns;
    size_t npatterns, patterns_cap;
    spec__ptrmap_t keywords_index; /* schema mapping -> its spec__keywords_t (schema_compile.c) */
    spec__arena_t keywords;        /* where those live */
};

/* The properties (by member index) or items of one instance that the keywords evaluated so far,
 * for unevaluatedProperties/unevaluatedItems (JSON Schema 2020-12 §11). Only kept while a schema
 * with one of those keywords is being evaluated against `inst`. */
typedef struct st_spec__ann_t {
    const body_value_t *inst;
    uint64_t *bits, local[4];
} spec__ann_t;

/* The state of one spec_validate call. */
typedef struct st_spec__vctx_t {
    spec_validator_t *v;
    spec_validate_direction_t direction;
    spec_validation_t *out;
    size_t max_errors, found, steps, max_steps;
    int strict_direction;
    int probe; /* > 0 inside anyOf/oneOf/not/if: nothing is recorded, the first failure ends */
    /* the instance path as a stack of member names / indexes, spelled out only on failure */
    struct {
        const char *key; /* NULL: an array index */
        size_t len;      /* key length, or the index */
    } segs[MAX_DEPTH + 2];
    size_t nsegs;
    spec__ann_t *ann; /* where evaluated properties/items are marked, or NULL */
    /* the dynamic scope ($dynamicRef): base URIs of the resources entered, outermost first */
    const char *scope[MAX_DEPTH + 2];
    size_t nscope;
} spec__vctx_t;

/* The keywords of one schema, collected in one pass over its mapping. */
typedef struct st_spec__keywords_t {
    const spec_node_t *ref, *type, *nullable, *enum_, *const_;
    const spec_node_t *minimum, *maximum, *exclusive_minimum, *exclusive_maximum, *multiple_of;
    const spec_node_t *min_length, *max_length, *pattern;
    const spec_node_t *items, *prefix_items, *min_items, *max_items, *unique_items, *contains,
        *min_contains, *max_contains;
    const spec_node_t *properties, *pattern_properties, *additional_properties, *required,
        *min_properties, *max_properties, *property_names, *dependent_required, *dependent_schemas;
    const spec_node_t *all_of, *any_of, *one_of, *not_, *if_, *then_, *else_;
    const spec_node_t *dynamic_ref, *unevaluated_properties, *unevaluated_items, *format;
    /* precomputed (schema_compile.c) */
    unsigned types; /* SPEC__T_* that `type` admits (nullable folded in); 0: no type check */
    uint8_t direction_known;       /* read_only/write_only are set (a spec's validator) */
    uint8_t read_only, write_only; /* the schema this one stands for ($ref followed) says so */
    uint8_t ref_known;             /* ref_target is $ref's target (NULL: broken) */
    uint8_t families;              /* SPEC__KW_* of the keyword families present */
    const spec_node_t *ref_target;
    /* cached records only: `properties` as a flat table, and the compiled keywords of $ref's
     * target and of `items` (linked at freeze; NULL: look them up) */
    const struct st_spec__prop_t *props;
    uint32_t nprops;
    const struct st_spec__keywords_t *ref_k, *items_k;
    /* cached records only, for the check over the text (schema_stream.c): whether an object or
     * array this schema applies to can be walked in its text (SPEC__STREAM_*), and `required` as
     * positions in `props` */
    uint8_t stream;
    uint32_t nreq;
    const uint32_t *req;
} spec__keywords_t;

/* spec__keywords_t.stream */
enum {
    SPEC__STREAM_CONTAINER = 1, /* objects and arrays are checked in the text, no tree */
    SPEC__STREAM_ONLY_REF = 2,  /* nothing but a $ref (3.1 siblings apply: this says none) */
    SPEC__STREAM_TYPE_ONLY = 4, /* a scalar is checked by `type` alone (types; 0: anything) */
};

/* One entry of a compiled `properties` map. */
typedef struct st_spec__prop_t {
    const char *name;
    uint32_t len;
    uint8_t direction_known, read_only, write_only; /* of the property's schema, as above */
    const spec_node_t *schema;
    const spec__keywords_t *k; /* its compiled keywords (linked at freeze), or NULL */
} spec__prop_t;

/* Keyword families as bits (spec__keywords_t.families): a family absent is not called. */
enum {
    SPEC__KW_NUMBER = 1,      /* minimum, maximum, exclusive*, multipleOf */
    SPEC__KW_STRING = 2,      /* minLength, maxLength, pattern, format */
    SPEC__KW_COMBINATORS = 4, /* allOf, anyOf, oneOf, not, if */
};

/* Instance types as bits (schema_compile.c, schema_keywords.c). */
enum {
    SPEC__T_NULL = 1,
    SPEC__T_BOOL = 2,
    SPEC__T_INT = 4,
    SPEC__T_NUM = 8,
    SPEC__T_STR = 16,
    SPEC__T_ARR = 32,
    SPEC__T_OBJ = 64,
};

/* The keywords of the mapping `schema`, compiled once: cached in `v`, or written to `buf` and
 * returned when `v` is frozen and did not see `schema` at freeze. Thread-safe once frozen. */
const spec__keywords_t *spec__schema_keywords(spec_validator_t *v, const spec_node_t *schema,
                                              spec__keywords_t *buf);
/* Compiles and caches the keywords of `mapping` unless it holds none (spec_validator_freeze). */
void spec__schema_keywords_precompile(spec_validator_t *v, const spec_node_t *mapping);
/* Links the cached records to each other's ($ref targets, items, properties); at freeze, after
 * every record is compiled. */
void spec__schema_keywords_link(spec_validator_t *v);

/* Indexes a standalone schema document named `uri` (its $id, anchors and $ref bases). */
void spec__schema_index(spec_validator_t *v, const spec_node_t *root, const char *uri);
/* The schema a $dynamicRef-holding schema stands for in the dynamic scope of `c`, or NULL. */
const spec_node_t *spec__schema_dynamic_deref(spec__vctx_t *c, const spec_node_t *schema);
/* The base URI of the resource `schema` belongs to (standalone schemas), or NULL. */
const char *spec__schema_base(const spec_validator_t *v, const spec_node_t *schema);

/* Marks item or member `i` of `inst` evaluated, when annotations are collected for it. */
static inline void spec__schema_mark(spec__vctx_t *c, const body_value_t *inst, size_t i)
{
    if (c->ann != NULL && c->ann->inst == inst)
        c->ann->bits[i / 64] |= (uint64_t)1 << (i % 64);
}
void spec__ann_init(spec__ann_t *a, const body_value_t *inst);
void spec__ann_dispose(spec__ann_t *a);
/* ORs `from` into `into` (same instance). */
void spec__ann_merge(spec__ann_t *into, const spec__ann_t *from);
static inline int spec__ann_has(const spec__ann_t *a, size_t i)
{
    return (a->bits[i / 64] >> (i % 64)) & 1;
}
/* A probe (spec__schema_probe) whose annotations count when it passes: anyOf, oneOf, if. */
int spec__schema_probe_collect(spec__vctx_t *c, const spec_node_t *schema, const body_value_t *inst,
                               unsigned depth);

/* The schema a $ref-holding schema stands for (through the spec, or the standalone index), or
 * NULL when broken. */
const spec_node_t *spec__schema_deref(spec_validator_t *v, const spec_node_t *schema);

/* Records an error at the current instance path (nothing inside a probe) and returns 1. */
int spec__schema_fail(spec__vctx_t *c, const char *keyword, const spec_node_t *at, const char *fmt,
                      ...) __attribute__((format(printf, 4, 5)));
/* Appends a member name or an array index to the instance path; returns the length to pop to.
 * Inline: every member and item of a body passes here, and the path is only spelled out on
 * failure (spec__schema_fail). */
static inline size_t spec__schema_path_push(spec__vctx_t *c, const char *key, size_t len)
{
    size_t saved = c->nsegs;
    if (c->nsegs < sizeof(c->segs) / sizeof(c->segs[0])) {
        c->segs[c->nsegs].key = key;
        c->segs[c->nsegs].len = len;
    }
    ++c->nsegs;
    return saved;
}
static inline size_t spec__schema_path_push_index(spec__vctx_t *c, size_t i)
{
    return spec__schema_path_push(c, NULL, i);
}
static inline void spec__schema_path_pop(spec__vctx_t *c, size_t saved)
{
    c->nsegs = saved;
}

/* Evaluates `schema` against `inst`: 0 valid, 1 invalid (errors recorded unless probing). */
int spec__schema_eval(spec__vctx_t *c, const spec_node_t *schema, const body_value_t *inst,
                      unsigned depth);
/* The same with the schema's compiled keywords already at hand (`k` may be NULL: looked up). */
int spec__schema_eval_k(spec__vctx_t *c, const spec_node_t *schema, const spec__keywords_t *k,
                        const body_value_t *inst, unsigned depth);
/* The same without recording: whether `inst` is valid against `schema`. */
int spec__schema_probe(spec__vctx_t *c, const spec_node_t *schema, const body_value_t *inst,
                       unsigned depth);

/* The keyword families (schema_keywords.c); each returns 1 when it found the instance invalid. */
int spec__schema_check_type(spec__vctx_t *c, const spec__keywords_t *k, const body_value_t *inst);
int spec__schema_check_enum(spec__vctx_t *c, const spec__keywords_t *k, const body_value_t *inst);
int spec__schema_check_number(spec__vctx_t *c, const spec__keywords_t *k, const body_value_t *inst);
int spec__schema_check_string(spec__vctx_t *c, const spec__keywords_t *k, const body_value_t *inst);
int spec__schema_check_array(spec__vctx_t *c, const spec__keywords_t *k, const body_value_t *inst,
                             unsigned depth);
int spec__schema_check_object(spec__vctx_t *c, const spec__keywords_t *k, const body_value_t *inst,
                              unsigned depth);
int spec__schema_check_combinators(spec__vctx_t *c, const spec__keywords_t *k,
                                   const body_value_t *inst, unsigned depth);
/* The compiled regex for a pattern node, or NULL when the pattern is not checked; compiles and
 * caches it unless the validator is frozen. */
const spec__regex_t *spec__schema_pattern(spec_validator_t *v, const spec_node_t *n);
/* Checks `s` against the format named `format`: 1 valid, 0 invalid, -1 a format this engine
 * does not know (an annotation only). schema_format.c. */
int spec__format_check(const char *format, const char *s, size_t len);
/* A hash index of a large `properties` map (schema_object.c), or NULL for a small one (or a
 * frozen validator that has none); built and cached unless the validator is frozen. */
typedef struct st_spec__props_index_t spec__props_index_t;
const spec__props_index_t *spec__schema_props_index(spec_validator_t *v, const spec_node_t *props);
/* Helpers shared by the keyword families (schema_keywords.c): a non-negative count (2 or 2.0),
 * a `true` flag, and a pattern search (1 match, 0 none, -1 not checked). */
int spec__schema_count(const spec_node_t *n, size_t *out);
int spec__schema_true(const spec_node_t *n);
int spec__schema_pattern_match(spec__vctx_t *c, const spec_node_t *pattern, const char *s,
                               size_t len);
/* The position in k->props of the member `name` (a cached record's flat table, through the
 * map's hash index when it has one), or -1. `hint`: where the previous lookup ended. */
long spec__schema_prop_find(spec_validator_t *v, const spec__keywords_t *k, const char *name,
                            size_t len, uint32_t *hint);
/* Equality of a schema literal (enum member, const) with an instance, numbers by value. */
int spec__schema_node_equals(const spec_node_t *n, const body_value_t *j);

#endif
