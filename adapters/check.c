/* Load-time schema questions for validating adapter files: paths, required members, types,
 * enums. Bounded: allOf/oneOf/anyOf nesting is followed to a fixed depth. */
#include <string.h>
#include "check.h"
#include "schema.h"

#define MAX_DEPTH 32

/* Calls fn on `s` and its allOf members (through $ref); stops at the first non-zero. */
typedef int (*part_fn)(const spec_t *spec, const spec_node_t *s, void *ctx);

static int each_part(const spec_t *spec, const spec_node_t *s, int depth, part_fn fn, void *ctx)
{
    s = spec_deref(spec, s);
    if (s == NULL || s->kind != SPEC_NODE_MAPPING || depth > MAX_DEPTH)
        return 0;
    int r = fn(spec, s, ctx);
    if (r != 0)
        return r;
    const spec_node_t *all = spec_node_get(s, "allOf");
    for (size_t i = 0; all != NULL && all->kind == SPEC_NODE_SEQUENCE && i < all->u.seq.len; ++i)
        if ((r = each_part(spec, all->u.seq.items[i], depth + 1, fn, ctx)) != 0)
            return r;
    return 0;
}

static int has_properties(const spec_t *spec, const spec_node_t *s, void *ctx)
{
    const spec_node_t *p = spec_node_get(s, "properties");
    const spec_node_t *ap = spec_node_get(s, "additionalProperties");
    int no_more = ap != NULL && ap->kind == SPEC_NODE_SCALAR && spec_node_is(ap, "false");
    return (p != NULL && p->kind == SPEC_NODE_MAPPING && p->u.map.len != 0) || no_more;
}

static int find_ap(const spec_t *spec, const spec_node_t *s, void *ctx)
{
    const spec_node_t *ap = spec_node_get(s, "additionalProperties");
    if (ap == NULL || ap->kind != SPEC_NODE_MAPPING)
        return 0;
    *(const spec_node_t **)ctx = spec_deref(spec, ap);
    return 1;
}

typedef struct {
    const char *name;
    size_t len;
} name_t;

static int requires(const spec_t *spec, const spec_node_t *s, void *ctx)
{
    const name_t *n = ctx;
    const spec_node_t *req = spec_node_get(s, "required");
    for (size_t i = 0; req != NULL && req->kind == SPEC_NODE_SEQUENCE && i < req->u.seq.len; ++i) {
        const spec_node_t *r = req->u.seq.items[i];
        if (r->kind == SPEC_NODE_SCALAR && r->u.scalar.len == n->len &&
            memcmp(r->u.scalar.str, n->name, n->len) == 0)
            return 1;
    }
    return 0;
}

typedef struct {
    const char *types[8];
    size_t n;
} types_t;

static int collect_types(const spec_t *spec, const spec_node_t *s, void *ctx)
{
    types_t *t = ctx;
    const spec_node_t *type = spec_node_get(s, "type");
    if (type == NULL)
        return 0;
    if (type->kind == SPEC_NODE_SCALAR && t->n < 8)
        t->types[t->n++] = spec_node_scalar(type);
    for (size_t i = 0; type->kind == SPEC_NODE_SEQUENCE && i < type->u.seq.len && t->n < 8; ++i)
        if (type->u.seq.items[i]->kind == SPEC_NODE_SCALAR)
            t->types[t->n++] = spec_node_scalar(type->u.seq.items[i]);
    return 0;
}

static adp__found_t step(const spec_t *spec, const spec_node_t *s, const adp__seg_t *seg, int depth,
                         const spec_node_t **out, int *required);

/* Tries each oneOf/anyOf branch (of s and its allOf members). */
typedef struct {
    const adp__seg_t *seg;
    int depth;
    const spec_node_t *found;
    int required;
    int unknown;
} branches_t;

static int try_branches(const spec_t *spec, const spec_node_t *s, void *ctx)
{
    branches_t *b = ctx;
    const char *kw[2] = {"oneOf", "anyOf"};
    for (int k = 0; k < 2; ++k) {
        const spec_node_t *list = spec_node_get(s, kw[k]);
        for (size_t i = 0; list != NULL && list->kind == SPEC_NODE_SEQUENCE && i < list->u.seq.len;
             ++i) {
            int req = 0;
            const spec_node_t *o;
            adp__found_t f = step(spec, list->u.seq.items[i], b->seg, b->depth + 1, &o, &req);
            if (f == ADP__FOUND) {
                b->found = o;
                b->required = req;
                return 1;
            }
            b->unknown |= f == ADP__UNKNOWN;
        }
    }
    return 0;
}

static int declares_type(const spec_t *spec, const spec_node_t *s, const char *want, int *any)
{
    types_t t = {{0}, 0};
    each_part(spec, s, 0, collect_types, &t);
    *any = t.n != 0;
    for (size_t i = 0; i < t.n; ++i)
        if (t.types[i] != NULL && strcmp(t.types[i], want) == 0)
            return 1;
    return 0;
}

static adp__found_t step(const spec_t *spec, const spec_node_t *s, const adp__seg_t *seg, int depth,
                         const spec_node_t **out, int *required)
{
    s = spec_deref(spec, s);
    *required = 0;
    if (s == NULL || s->kind != SPEC_NODE_MAPPING || depth > MAX_DEPTH)
        return ADP__UNKNOWN;
    branches_t br = {seg, depth, NULL, 0, 0};
    int any_type;
    switch (seg->kind) {
    case ADP__SEG_KEY: {
        const spec_node_t *p = spec_schema_property(spec, s, seg->key);
        if (p != NULL) {
            name_t n = {seg->key, seg->len};
            *required = each_part(spec, s, 0, requires, &n);
            *out = p;
            return ADP__FOUND;
        }
        if (each_part(spec, s, 0, try_branches, &br)) {
            *out = br.found;
            *required = br.required;
            return ADP__FOUND;
        }
        /* fall through to additionalProperties */
    }
    /* fallthrough */
    case ADP__SEG_VALUES: {
        const spec_node_t *ap = NULL;
        if (each_part(spec, s, 0, find_ap, &ap)) {
            *out = ap;
            return ADP__FOUND;
        }
        if (seg->kind == ADP__SEG_VALUES && each_part(spec, s, 0, try_branches, &br)) {
            *out = br.found;
            return ADP__FOUND;
        }
        if (br.unknown)
            return ADP__UNKNOWN;
        if (each_part(spec, s, 0, has_properties, NULL))
            return ADP__NOT_DECLARED;
        if (declares_type(spec, s, "object", &any_type) == 0 && any_type)
            return ADP__NOT_DECLARED;
        return ADP__UNKNOWN;
    }
    case ADP__SEG_ITEMS:
    case ADP__SEG_INDEX: {
        const spec_node_t *items = spec_schema_items(spec, s);
        if (items != NULL) {
            *out = items;
            return ADP__FOUND;
        }
        if (each_part(spec, s, 0, try_branches, &br)) {
            *out = br.found;
            return ADP__FOUND;
        }
        if (br.unknown)
            return ADP__UNKNOWN;
        if (declares_type(spec, s, "array", &any_type) == 0 && any_type)
            return ADP__NOT_DECLARED;
        return ADP__UNKNOWN;
    }
    }
    return ADP__UNKNOWN;
}

adp__found_t adp__schema_path(const spec_t *spec, const spec_node_t *schema,
                              const adp__jpath_t *path, size_t from_seg, const spec_node_t **out,
                              size_t *failed_at, int *optional)
{
    const spec_node_t *s = spec_deref(spec, schema);
    if (optional != NULL)
        *optional = 0;
    for (size_t i = 0; i < path->n; ++i) {
        const spec_node_t *next = NULL;
        int required = 0;
        adp__found_t f = step(spec, s, &path->segs[i], 0, &next, &required);
        if (f == ADP__NOT_DECLARED)
            *failed_at = i;
        if (f != ADP__FOUND)
            return f;
        if (optional != NULL && i >= from_seg && path->segs[i].kind == ADP__SEG_KEY && !required)
            *optional = 1;
        s = spec_deref(spec, next);
    }
    *out = s;
    return ADP__FOUND;
}

int adp__schema_admits(const spec_t *spec, const spec_node_t *schema, adp__type_t t)
{
    types_t ty = {{0}, 0};
    each_part(spec, schema, 0, collect_types, &ty);
    if (ty.n == 0)
        return 1;
    for (size_t i = 0; i < ty.n; ++i)
        if (ty.types[i] != NULL && adp__type_fits(t, ty.types[i]))
            return 1;
    return 0;
}

static int find_enum(const spec_t *spec, const spec_node_t *s, void *ctx)
{
    const spec_node_t *e = spec_node_get(s, "enum");
    if (e == NULL || e->kind != SPEC_NODE_SEQUENCE)
        return 0;
    *(const spec_node_t **)ctx = e;
    return 1;
}

json_t *adp__schema_enum(const spec_t *spec, const spec_node_t *schema)
{
    const spec_node_t *e = NULL;
    if (!each_part(spec, schema, 0, find_enum, &e))
        return NULL;
    size_t budget = 10000;
    return spec_node_to_json(e, &budget, NULL);
}
