/* The keywords of one schema, collected and precomputed once (schema_internal.h): which node
 * each keyword holds, the instance types `type` admits as a bit mask, and whether the schema a
 * property stands for is readOnly or writeOnly. The validator caches the result per schema node:
 * every mapping of the spec at freeze (so a frozen validator, shared by the gateway's threads,
 * only reads the cache), or on first use when it is not frozen. Evaluating a schema then costs
 * one hash lookup instead of a pass over its keys with string comparisons. */
#include <stdint.h>
#include <string.h>
#include "schema_internal.h"

static const struct {
    const char *name;
    unsigned mask;
} type_names[] = {
    {"null", SPEC__T_NULL},  {"boolean", SPEC__T_BOOL}, {"integer", SPEC__T_INT},
    {"number", SPEC__T_NUM}, {"string", SPEC__T_STR},   {"array", SPEC__T_ARR},
    {"object", SPEC__T_OBJ},
};

static unsigned type_mask(const spec_node_t *n)
{
    if (n->kind != SPEC_NODE_SCALAR)
        return 0;
    for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); ++i)
        if (n->u.scalar.len == strlen(type_names[i].name) &&
            memcmp(n->u.scalar.str, type_names[i].name, n->u.scalar.len) == 0)
            return type_names[i].mask;
    return 0;
}

/* The types `k->type` admits; 0 when a member is not a type name (a broken schema, which
 * oas3-schema reports: no type check, as before). */
static unsigned allowed_types(const spec_validator_t *v, const spec__keywords_t *k)
{
    unsigned allowed = 0;
    const spec_node_t *const *list = &k->type;
    size_t n = 1;
    if (k->type->kind == SPEC_NODE_SEQUENCE) {
        list = k->type->u.seq.items;
        n = k->type->u.seq.len;
    }
    for (size_t i = 0; i < n; ++i) {
        unsigned m = type_mask(list[i]);
        if (m == 0)
            return 0;
        allowed |= m;
    }
    /* OpenAPI 3.0 §4.7.24.1: nullable adds null to the type (not a JSON Schema keyword) */
    if (spec__schema_true(k->nullable) && v->dialect != SPEC_DIALECT_DRAFT4 &&
        v->dialect != SPEC_DIALECT_2020_12)
        allowed |= SPEC__T_NULL;
    if (allowed & SPEC__T_NUM)
        allowed |= SPEC__T_INT;
    return allowed;
}

/* The field of `k` that keyword `s` (len bytes) fills, or NULL for other names. A switch on the
 * length, then at most five comparisons: every evaluation reads every key of its mapping.
 * OpenAPI 3.0's dialect (JSON Schema Wright-00 as OpenAPI trims it) has no const, prefixItems,
 * contains, propertyNames, patternProperties, dependent*, if/then/else, $dynamicRef or
 * unevaluated*: in 3.0 those names are not keywords and are ignored. */
static const spec_node_t **keyword_slot(spec__keywords_t *k, const char *s, size_t len, int v31)
{
#define IS(lit) (memcmp(s, lit, len) == 0)
    switch (len) {
    case 2:
        return v31 && IS("if") ? &k->if_ : NULL;
    case 3:
        return IS("not") ? &k->not_ : NULL;
    case 4:
        if (IS("$ref"))
            return &k->ref;
        if (IS("type"))
            return &k->type;
        if (IS("enum"))
            return &k->enum_;
        if (v31 && IS("then"))
            return &k->then_;
        return v31 && IS("else") ? &k->else_ : NULL;
    case 5:
        if (IS("items"))
            return &k->items;
        if (IS("allOf"))
            return &k->all_of;
        if (IS("anyOf"))
            return &k->any_of;
        if (IS("oneOf"))
            return &k->one_of;
        return v31 && IS("const") ? &k->const_ : NULL;
    case 6:
        return IS("format") ? &k->format : NULL;
    case 7:
        if (IS("minimum"))
            return &k->minimum;
        if (IS("maximum"))
            return &k->maximum;
        return IS("pattern") ? &k->pattern : NULL;
    case 8:
        if (IS("required"))
            return &k->required;
        if (IS("nullable"))
            return &k->nullable;
        if (IS("minItems"))
            return &k->min_items;
        if (IS("maxItems"))
            return &k->max_items;
        return v31 && IS("contains") ? &k->contains : NULL;
    case 9:
        if (IS("minLength"))
            return &k->min_length;
        return IS("maxLength") ? &k->max_length : NULL;
    case 10:
        if (IS("properties"))
            return &k->properties;
        return IS("multipleOf") ? &k->multiple_of : NULL;
    case 11:
        if (IS("uniqueItems"))
            return &k->unique_items;
        if (!v31)
            return NULL;
        if (IS("prefixItems"))
            return &k->prefix_items;
        if (IS("minContains"))
            return &k->min_contains;
        if (IS("maxContains"))
            return &k->max_contains;
        return IS("$dynamicRef") ? &k->dynamic_ref : NULL;
    case 13:
        if (IS("minProperties"))
            return &k->min_properties;
        if (IS("maxProperties"))
            return &k->max_properties;
        return v31 && IS("propertyNames") ? &k->property_names : NULL;
    case 16:
        if (IS("exclusiveMinimum"))
            return &k->exclusive_minimum;
        if (IS("exclusiveMaximum"))
            return &k->exclusive_maximum;
        if (!v31)
            return NULL;
        if (IS("unevaluatedItems"))
            return &k->unevaluated_items;
        return IS("dependentSchemas") ? &k->dependent_schemas : NULL;
    case 17:
        if (!v31)
            return NULL;
        if (IS("patternProperties"))
            return &k->pattern_properties;
        return IS("dependentRequired") ? &k->dependent_required : NULL;
    case 20:
        return IS("additionalProperties") ? &k->additional_properties : NULL;
    case 21:
        return v31 && IS("unevaluatedProperties") ? &k->unevaluated_properties : NULL;
    default:
        return NULL;
    }
#undef IS
}

/* Collects the keywords of `schema` in one pass over its mapping; returns how many it found. */
static size_t collect(const spec_node_t *schema, spec__keywords_t *k, int v31)
{
    size_t found = 0;
    for (size_t i = 0; i < schema->u.map.len; ++i) {
        const spec_node_t *key = schema->u.map.items[i].key;
        const spec_node_t **slot = keyword_slot(k, key->u.scalar.str, key->u.scalar.len, v31);
        if (slot != NULL) {
            *slot = schema->u.map.items[i].value;
            ++found;
        }
    }
    return found;
}

/* Fills `k` for the mapping `schema` (the direction flags only when `direction`); returns
 * how many keywords it holds. */
static size_t compile(spec_validator_t *v, const spec_node_t *schema, spec__keywords_t *k,
                   int direction)
{
    memset(k, 0, sizeof(*k));
    size_t found = collect(schema, k, v->v31);
    if (k->type != NULL)
        k->types = allowed_types(v, k);
    if (k->minimum || k->maximum || k->exclusive_minimum || k->exclusive_maximum || k->multiple_of)
        k->families |= SPEC__KW_NUMBER;
    if (k->min_length || k->max_length || k->pattern || k->format)
        k->families |= SPEC__KW_STRING;
    if (k->all_of || k->any_of || k->one_of || k->not_ || k->if_)
        k->families |= SPEC__KW_COMBINATORS;
    /* OpenAPI 3.0 §4.7.24: what a property standing for this schema says about direction. Only
     * for a spec's schemas, whose $refs resolve without fetching anything. */
    if (direction && v->spec != NULL) {
        const spec_node_t *p = spec__schema_deref(v, schema);
        if (p != NULL && p->kind == SPEC_NODE_MAPPING) {
            k->read_only = (uint8_t)spec__schema_true(spec_node_get(p, "readOnly"));
            k->write_only = (uint8_t)spec__schema_true(spec_node_get(p, "writeOnly"));
        }
        k->direction_known = 1;
    }
    if (k->ref != NULL && v->spec != NULL) {
        k->ref_target = spec__schema_deref(v, schema);
        k->ref_known = 1;
    }
    return found;
}

/* A flat table of `properties` (a mapping) for a cached record: names and schemas side by
 * side, without a pass through the nodes. */
static void compile_props(spec_validator_t *v, spec__keywords_t *k)
{
    const spec_node_t *props = k->properties;
    if (props == NULL || props->kind != SPEC_NODE_MAPPING || props->u.map.len == 0 ||
        props->u.map.len > UINT32_MAX)
        return;
    spec__prop_t *t = spec__arena_alloc(&v->keywords, props->u.map.len * sizeof(*t));
    for (size_t i = 0; i < props->u.map.len; ++i) {
        const spec_node_t *key = props->u.map.items[i].key, *p = props->u.map.items[i].value;
        t[i] = (spec__prop_t){key->u.scalar.str, (uint32_t)key->u.scalar.len, 0, 0, 0, p, NULL};
        if (v->spec != NULL && p->kind == SPEC_NODE_MAPPING) {
            const spec_node_t *d = spec__schema_deref(v, p);
            if (d != NULL && d->kind == SPEC_NODE_MAPPING) {
                t[i].read_only = (uint8_t)spec__schema_true(spec_node_get(d, "readOnly"));
                t[i].write_only = (uint8_t)spec__schema_true(spec_node_get(d, "writeOnly"));
            }
            t[i].direction_known = 1;
        }
    }
    k->props = t;
    k->nprops = (uint32_t)props->u.map.len;
}

/* Whether the check over the text (schema_stream.c) may walk an object or array this schema
 * applies to member by member: only keywords it checks there (type, properties, required,
 * additionalProperties, maxProperties, items, min/maxItems); the rest (combinators, enum and
 * const on containers, unevaluated*, ...) need the instance as a tree. `required` names must be
 * declared in `properties`, so presence is a bit per declared property. */
static void prepare_stream(spec_validator_t *v, spec__keywords_t *k, size_t nkeywords)
{
    if (k->ref != NULL && nkeywords == 1)
        k->stream |= SPEC__STREAM_ONLY_REF;
    /* most properties of a body: {type: integer}, {type: string, format: ...} (annotating) */
    if (k->ref == NULL && k->dynamic_ref == NULL && k->enum_ == NULL && k->const_ == NULL &&
        !(k->families & (SPEC__KW_NUMBER | SPEC__KW_COMBINATORS)) &&
        (!(k->families & SPEC__KW_STRING) ||
         (!v->formats_assert && !k->min_length && !k->max_length && !k->pattern)))
        k->stream |= SPEC__STREAM_TYPE_ONLY;
    if (k->ref != NULL || k->enum_ || k->const_ || (k->families & SPEC__KW_COMBINATORS) ||
        k->unevaluated_items || k->unevaluated_properties || k->pattern_properties ||
        k->property_names || k->dependent_schemas || k->dependent_required || k->prefix_items ||
        k->contains || k->unique_items || k->min_properties || k->dynamic_ref ||
        (k->properties != NULL && k->properties->kind == SPEC_NODE_MAPPING &&
         (k->props == NULL || k->nprops > 512)))
        return;
    if (k->required != NULL && k->required->kind == SPEC_NODE_SEQUENCE) {
        const spec_node_t *r = k->required;
        uint32_t *req = spec__arena_alloc(&v->keywords, (r->u.seq.len + 1) * sizeof(*req)), n = 0;
        for (size_t i = 0; i < r->u.seq.len; ++i) {
            const spec_node_t *name = r->u.seq.items[i];
            if (name->kind != SPEC_NODE_SCALAR)
                continue;
            uint32_t hint = 0;
            long at = k->props != NULL ? spec__schema_prop_find(v, k, name->u.scalar.str,
                                                                name->u.scalar.len, &hint)
                                       : -1;
            if (at < 0)
                return; /* required but not declared: presence needs the tree */
            req[n++] = (uint32_t)at;
        }
        k->req = req;
        k->nreq = n;
    }
    k->stream |= SPEC__STREAM_CONTAINER;
}

static spec__keywords_t *keep(spec_validator_t *v, const spec_node_t *schema,
                              const spec__keywords_t *buf, size_t nkeywords)
{
    spec__keywords_t *k = spec__arena_alloc(&v->keywords, sizeof(*k));
    *k = *buf;
    compile_props(v, k);
    prepare_stream(v, k, nkeywords);
    spec__ptrmap_put(&v->keywords_index, (uintptr_t)schema, (uintptr_t)k, NULL);
    return k;
}

const spec__keywords_t *spec__schema_keywords(spec_validator_t *v, const spec_node_t *schema,
                                              spec__keywords_t *buf)
{
    size_t at;
    if (spec__ptrmap_get(&v->keywords_index, (uintptr_t)schema, &at))
        return (const spec__keywords_t *)at;
    if (v->frozen) {
        /* a mapping freeze did not keep (no keywords, or built by the caller): compiled on the
         * stack, the direction flags left to check_direction (schema_object.c) */
        if (compile(v, schema, buf, 0) == 0)
            buf->stream = SPEC__STREAM_CONTAINER; /* no keyword: nothing to check */
        return buf;
    }
    return keep(v, schema, buf, compile(v, schema, buf, 1));
}

void spec__schema_keywords_precompile(spec_validator_t *v, const spec_node_t *mapping)
{
    spec__keywords_t buf;
    if (v->frozen || spec__ptrmap_get(&v->keywords_index, (uintptr_t)mapping, NULL))
        return;
    /* mappings without keywords (paths, responses, property maps) are not kept: a frozen
     * validator meeting one compiles it on the stack, which costs a pass over its keys */
    size_t found = compile(v, mapping, &buf, 1);
    if (found != 0)
        keep(v, mapping, &buf, found);
}

static const spec__keywords_t *cached(const spec_validator_t *v, const spec_node_t *schema)
{
    size_t at;
    return schema != NULL && spec__ptrmap_get(&v->keywords_index, (uintptr_t)schema, &at)
               ? (const spec__keywords_t *)at
               : NULL;
}

void spec__schema_keywords_link(spec_validator_t *v)
{
    const spec__ptrmap_t *m = &v->keywords_index;
    for (size_t i = 0; i < m->cap; ++i) {
        if (m->keys[i] == 0)
            continue;
        spec__keywords_t *k = (spec__keywords_t *)m->values[i];
        if (k->ref_known)
            k->ref_k = cached(v, k->ref_target);
        k->items_k = cached(v, k->items);
        for (uint32_t j = 0; j < k->nprops; ++j)
            ((spec__prop_t *)k->props)[j].k = cached(v, k->props[j].schema);
    }
}
