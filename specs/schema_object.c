/* The object keywords of schema validation (schema_internal.h): required (with OpenAPI's
 * readOnly/writeOnly by direction), properties, patternProperties, additionalProperties,
 * propertyNames, min/maxProperties, dependentSchemas and dependentRequired. Large `properties`
 * maps are looked up through a hash index built once per map (at freeze for the gateway), so an
 * object of n members against a schema of m properties costs O(n + m), not O(n * m). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "schema_internal.h"

#define INDEX_MIN 8 /* smaller maps are scanned */

static int key_eq(const spec_node_t *k, const char *s, size_t len)
{
    return k->kind == SPEC_NODE_SCALAR && k->u.scalar.len == len &&
           body_bytes_eq(k->u.scalar.str, s, len);
}

/* ---- The index of a `properties` map ---- */

struct st_spec__props_index_t {
    uint32_t mask;
    uint32_t slots[]; /* property index + 1; 0: empty */
};

static uint32_t hash(const char *s, size_t len)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < len; ++i)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

static spec__props_index_t *build_index(const spec_node_t *props)
{
    size_t n = props->u.map.len, size = 16;
    while (size < n * 2)
        size *= 2;
    spec__props_index_t *ix = spec__xcalloc(1, sizeof(*ix) + size * sizeof(uint32_t));
    ix->mask = (uint32_t)size - 1;
    for (size_t i = 0; i < n; ++i) {
        const spec_node_t *k = props->u.map.items[i].key;
        uint32_t h = hash(k->u.scalar.str, k->u.scalar.len) & ix->mask;
        while (ix->slots[h] != 0)
            h = (h + 1) & ix->mask;
        ix->slots[h] = (uint32_t)i + 1;
    }
    return ix;
}

const spec__props_index_t *spec__schema_props_index(spec_validator_t *v, const spec_node_t *props)
{
    size_t idx;
    if (props->kind != SPEC_NODE_MAPPING || props->u.map.len < INDEX_MIN)
        return NULL;
    if (spec__ptrmap_get(&v->props_index, (uintptr_t)props, &idx))
        return v->props_indexes[idx];
    if (v->frozen)
        return NULL;
    if (v->nprops_indexes == v->props_indexes_cap) {
        v->props_indexes_cap = v->props_indexes_cap ? v->props_indexes_cap * 2 : 16;
        v->props_indexes =
            spec__xrealloc(v->props_indexes, v->props_indexes_cap * sizeof(*v->props_indexes));
    }
    v->props_indexes[v->nprops_indexes] = build_index(props);
    spec__ptrmap_put(&v->props_index, (uintptr_t)props, v->nprops_indexes, NULL);
    return v->props_indexes[v->nprops_indexes++];
}

/* The position of `name` in `props`, or -1. */
static long find_property(const spec_node_t *props, const spec__props_index_t *ix, const char *name,
                          size_t len)
{
    if (ix == NULL) {
        for (size_t i = 0; i < props->u.map.len; ++i)
            if (key_eq(props->u.map.items[i].key, name, len))
                return (long)i;
        return -1;
    }
    for (uint32_t h = hash(name, len) & ix->mask; ix->slots[h] != 0; h = (h + 1) & ix->mask) {
        uint32_t i = ix->slots[h] - 1;
        if (key_eq(props->u.map.items[i].key, name, len))
            return (long)i;
    }
    return -1;
}

/* The position of `name` in the compiled table of a small `properties` map, or -1. The search
 * starts where the previous member was found (`hint`, updated): members mostly come in the
 * order the schema declares them, so most lookups compare one name. */
static long find_flat(const spec__keywords_t *k, const char *name, size_t len, uint32_t *hint)
{
    uint32_t n = k->nprops, i = *hint < n ? *hint : 0;
    for (uint32_t tried = 0; tried < n; ++tried) {
        const spec__prop_t *p = &k->props[i];
        if (p->len == len && body_bytes_eq(p->name, name, len)) {
            *hint = i + 1;
            return (long)i;
        }
        if (++i == n)
            i = 0;
    }
    return -1;
}

long spec__schema_prop_find(spec_validator_t *v, const spec__keywords_t *k, const char *name,
                            size_t len, uint32_t *hint)
{
    const spec__props_index_t *ix = k->nprops >= INDEX_MIN
                                        ? spec__schema_props_index(v, k->properties)
                                        : NULL;
    return ix != NULL ? find_property(k->properties, ix, name, len) : find_flat(k, name, len, hint);
}

/* The schema of property `name` declared in `properties`, dereferenced, or NULL. */
static const spec_node_t *declared_property(spec__vctx_t *c, const spec_node_t *props,
                                            const char *name, size_t len)
{
    if (props == NULL || props->kind != SPEC_NODE_MAPPING)
        return NULL;
    long i = find_property(props, spec__schema_props_index(c->v, props), name, len);
    return i < 0 ? NULL : spec__schema_deref(c->v, props->u.map.items[i].value);
}

/* OpenAPI 3.0 §4.7.24 readOnly/writeOnly: such a property may be absent even when required. */
static int may_be_absent(spec__vctx_t *c, const spec__keywords_t *k, const char *name, size_t len)
{
    if (c->direction == SPEC_VALIDATE_ANY)
        return 0;
    const spec_node_t *p = declared_property(c, k->properties, name, len);
    if (p == NULL || p->kind != SPEC_NODE_MAPPING)
        return 0;
    return spec__schema_true(
        spec_node_get(p, c->direction == SPEC_VALIDATE_REQUEST ? "readOnly" : "writeOnly"));
}

/* OpenAPI 3.0 §4.7.24: a readOnly property SHOULD NOT be sent in a request, nor a writeOnly one
 * in a response; the gateway holds both sides to it (strict_direction). */
static int check_direction(spec__vctx_t *c, const spec_node_t *prop)
{
    if (prop->kind == SPEC_NODE_MAPPING) {
        /* the flags are precomputed for a spec's schemas (schema_compile.c) */
        spec__keywords_t buf;
        const spec__keywords_t *pk = spec__schema_keywords(c->v, prop, &buf);
        if (pk->direction_known &&
            !(c->direction == SPEC_VALIDATE_REQUEST ? pk->read_only : pk->write_only))
            return 0;
    }
    const spec_node_t *p = spec__schema_deref(c->v, prop);
    const char *kw = c->direction == SPEC_VALIDATE_REQUEST ? "readOnly" : "writeOnly";
    const spec_node_t *flag = p != NULL ? spec_node_get(p, kw) : NULL;
    if (!spec__schema_true(flag))
        return 0;
    return spec__schema_fail(c, kw, flag, "must NOT be sent in a %s (%s)",
                             c->direction == SPEC_VALIDATE_REQUEST ? "request" : "response", kw);
}

/* `present`: a bitmap of the positions in `props` of the members the instance has (or NULL):
 * a required name declared in properties is then found without scanning the members. */
static int check_required(spec__vctx_t *c, const spec__keywords_t *k, const body_value_t *inst,
                          const spec_node_t *props, const spec__props_index_t *ix,
                          const uint64_t *present)
{
    int bad = 0;
    if (k->required == NULL || k->required->kind != SPEC_NODE_SEQUENCE)
        return 0;
    for (size_t i = 0; i < k->required->u.seq.len; ++i) {
        const spec_node_t *r = k->required->u.seq.items[i];
        if (r->kind != SPEC_NODE_SCALAR)
            continue;
        long at = present != NULL ? find_property(props, ix, r->u.scalar.str, r->u.scalar.len) : -1;
        int has = at >= 0 ? (int)((present[at / 64] >> (at % 64)) & 1)
                          : body_get(inst, r->u.scalar.str, r->u.scalar.len) != NULL;
        if (has || may_be_absent(c, k, r->u.scalar.str, r->u.scalar.len))
            continue;
        bad |= spec__schema_fail(c, "required", r, "must have required property \"%.100s\"",
                                 r->u.scalar.str);
        if (c->probe)
            return 1;
    }
    return bad;
}

int spec__schema_check_object(spec__vctx_t *c, const spec__keywords_t *k, const body_value_t *inst,
                              unsigned depth)
{
    size_t n = inst->len, lim;
    int bad = 0, validation = !c->v->no_validation;
    if (validation && spec__schema_count(k->min_properties, &lim) == 0 && n < lim)
        bad |= spec__schema_fail(c, "minProperties", k->min_properties,
                                 "must NOT have fewer than %zu properties", lim);
    if (validation && spec__schema_count(k->max_properties, &lim) == 0 && n > lim)
        bad |= spec__schema_fail(c, "maxProperties", k->max_properties,
                                 "must NOT have more than %zu properties", lim);
    const spec_node_t *props =
        k->properties != NULL && k->properties->kind == SPEC_NODE_MAPPING ? k->properties : NULL;
    const spec__props_index_t *ix = props != NULL ? spec__schema_props_index(c->v, props) : NULL;
    /* each member's position in `properties` (-1: none), found once for required and the walk */
    int32_t local_pos[64], *pos = NULL;
    uint64_t local_present[8], *present = NULL;
    if (ix != NULL) {
        size_t words = (props->u.map.len + 63) / 64;
        pos = n <= 64 ? local_pos : spec__xmalloc(n * sizeof(*pos));
        present = words <= 8 ? local_present : spec__xmalloc(words * sizeof(*present));
        memset(present, 0, words * sizeof(*present));
        for (size_t m = 0; m < n; ++m) {
            long at = find_property(props, ix, inst->u.members[m].key, inst->u.members[m].len);
            pos[m] = (int32_t)at;
            if (at >= 0)
                present[at / 64] |= (uint64_t)1 << (at % 64);
        }
    }
    if (validation)
        bad |= check_required(c, k, inst, props, ix, present);
    if (bad && c->probe)
        goto done;

    const spec_node_t *pprops =
        k->pattern_properties != NULL && k->pattern_properties->kind == SPEC_NODE_MAPPING
            ? k->pattern_properties
            : NULL;
    const spec_node_t *addl = k->additional_properties;
    uint32_t hint = 0;
    for (uint32_t m = 0; m < inst->len; ++m) {
        const body_member_t *member = &inst->u.members[m];
        const char *key = inst->u.members[m].key;
        size_t klen = inst->u.members[m].len;
        const body_value_t *value = inst->u.members[m].value;
        int known = 0, unsure = 0;
        size_t saved = spec__schema_path_push(c, key, klen);
        if (props != NULL) {
            long i = pos != NULL        ? pos[m]
                     : k->props != NULL ? find_flat(k, key, klen, &hint)
                                        : find_property(props, NULL, key, klen);
            if (i >= 0) {
                const spec__prop_t *p = k->props != NULL ? &k->props[i] : NULL;
                known = 1;
                spec__schema_mark(c, inst, m);
                bad |= spec__schema_eval_k(c, props->u.map.items[i].value, p ? p->k : NULL, value,
                                           depth + 1);
                if (c->strict_direction && c->direction != SPEC_VALIDATE_ANY &&
                    (p == NULL || !p->direction_known ||
                     (c->direction == SPEC_VALIDATE_REQUEST ? p->read_only : p->write_only)))
                    bad |= check_direction(c, props->u.map.items[i].value);
            }
        }
        if (pprops != NULL) {
            for (size_t i = 0; i < pprops->u.map.len; ++i) {
                int m = spec__schema_pattern_match(c, pprops->u.map.items[i].key, key, klen);
                if (m < 0)
                    unsure = 1;
                if (m > 0) {
                    known = 1;
                    spec__schema_mark(c, inst, (size_t)(member - inst->u.members));
                    bad |= spec__schema_eval(c, pprops->u.map.items[i].value, value, depth + 1);
                }
            }
        }
        if (k->property_names != NULL) {
            /* the name as a string instance of its own, on the stack: nothing to allocate */
            body_value_t name = {.type = BODY_STRING, .len = (uint32_t)klen, .u.str = key};
            if (spec__schema_probe(c, k->property_names, &name, depth + 1) != 0)
                bad |= spec__schema_fail(c, "propertyNames", k->property_names,
                                         "property name \"%.*s\" is invalid",
                                         (int)(klen < 100 ? klen : 100), key);
        }
        if (!known && addl != NULL) {
            int b;
            spec__schema_mark(c, inst, m);
            if (unsure) {
                c->out->incomplete = 1;
            } else if (addl->kind == SPEC_NODE_SCALAR && spec_node_bool(addl, &b) == 0) {
                if (!b)
                    bad |= spec__schema_fail(c, "additionalProperties", addl,
                                             "must NOT have additional property \"%.*s\"",
                                             (int)(klen < 100 ? klen : 100), key);
            } else {
                bad |= spec__schema_eval(c, addl, value, depth + 1);
            }
        }
        spec__schema_path_pop(c, saved);
        if (bad && c->probe)
            goto done;
    }
    if (k->dependent_schemas != NULL && k->dependent_schemas->kind == SPEC_NODE_MAPPING) {
        const spec_node_t *ds = k->dependent_schemas;
        for (size_t i = 0; i < ds->u.map.len; ++i) {
            const spec_node_t *dk = ds->u.map.items[i].key;
            if (body_get(inst, dk->u.scalar.str, dk->u.scalar.len) != NULL) {
                bad |= spec__schema_eval(c, ds->u.map.items[i].value, inst, depth + 1);
                if (bad && c->probe)
                    goto done;
            }
        }
    }
    if (validation && k->dependent_required != NULL &&
        k->dependent_required->kind == SPEC_NODE_MAPPING) {
        const spec_node_t *dr = k->dependent_required;
        for (size_t i = 0; i < dr->u.map.len; ++i) {
            const spec_node_t *dk = dr->u.map.items[i].key, *list = dr->u.map.items[i].value;
            if (body_get(inst, dk->u.scalar.str, dk->u.scalar.len) == NULL ||
                list->kind != SPEC_NODE_SEQUENCE)
                continue;
            for (size_t j = 0; j < list->u.seq.len; ++j) {
                const spec_node_t *r = list->u.seq.items[j];
                if (r->kind == SPEC_NODE_SCALAR &&
                    body_get(inst, r->u.scalar.str, r->u.scalar.len) == NULL)
                    bad |= spec__schema_fail(
                        c, "dependentRequired", r,
                        "must have property \"%.100s\" when property \"%.100s\" is present",
                        r->u.scalar.str, dk->u.scalar.str);
            }
        }
    }
done:
    if (pos != local_pos)
        free(pos);
    if (present != local_present)
        free(present);
    return bad;
}
