/* Schema comparison, through $refs on both sides: a request schema must still accept what it
 * accepted, a response schema must not send what old clients cannot read. Recursive schemas stop
 * at a (base, revision) pair already compared under the same root; a budget of pairs per root
 * bounds memory on pathological specs. */
#include <stdlib.h>
#include <string.h>
#include "diff_internal.h"

enum { T_NULL = 1, T_BOOL = 2, T_INT = 4, T_NUM = 8, T_STR = 16, T_ARR = 32, T_OBJ = 64 };

static unsigned type_bit(const spec_node_t *n)
{
    static const struct {
        const char *name;
        unsigned bit;
    } names[] = {{"null", T_NULL},  {"boolean", T_BOOL}, {"integer", T_INT}, {"number", T_NUM},
                 {"string", T_STR}, {"array", T_ARR},    {"object", T_OBJ}};
    for (size_t i = 0; i != sizeof(names) / sizeof(names[0]); ++i)
        if (spec_node_is(n, names[i].name))
            return names[i].bit;
    return 0;
}

/* Declared types; 0 when the schema does not constrain the type. */
static unsigned types_of(const spec_node_t *s)
{
    const spec_node_t *t = spec_node_get(s, "type");
    unsigned bits = 0;
    if (t != NULL && t->kind == SPEC_NODE_SEQUENCE) {
        for (size_t i = 0; i != t->u.seq.len; ++i)
            bits |= type_bit(t->u.seq.items[i]);
    } else {
        bits = type_bit(t);
    }
    int nullable = 0;
    if (bits != 0 && spec_node_bool(spec_node_get(s, "nullable"), &nullable) == 0 && nullable)
        bits |= T_NULL; /* OpenAPI 3.0 */
    return bits;
}

/* Types a value of `bits` may have when read as `into` (an integer is a number). */
static unsigned widen(unsigned bits)
{
    return bits & T_NUM ? bits | T_INT : bits;
}

static void type_names(unsigned bits, char *buf, size_t size)
{
    static const char *names[] = {"null",   "boolean", "integer", "number",
                                  "string", "array",   "object"};
    size_t at = 0;
    buf[0] = '\0';
    for (int i = 0; i != 7; ++i)
        if (bits & (1u << i) && at < size)
            at += (size_t)snprintf(buf + at, size - at, "%s%s", at ? "|" : "", names[i]);
}

static const char *scalar(const spec_node_t *n)
{
    return n != NULL && n->kind == SPEC_NODE_SCALAR ? n->u.scalar.str : NULL;
}

static int same_scalar(const spec_node_t *a, const spec_node_t *b)
{
    return a->kind == SPEC_NODE_SCALAR && b->kind == SPEC_NODE_SCALAR &&
           a->scalar_type == b->scalar_type && a->u.scalar.len == b->u.scalar.len &&
           memcmp(a->u.scalar.str, b->u.scalar.str, a->u.scalar.len) == 0;
}

static int in_enum(const spec_node_t *e, const spec_node_t *v)
{
    for (size_t i = 0; i != e->u.seq.len; ++i)
        if (same_scalar(e->u.seq.items[i], v))
            return 1;
    return 0;
}

static void id_of(char *buf, size_t size, const char *prefix, const char *what)
{
    snprintf(buf, size, "%s-%s", prefix, what);
}

static void diff_enum(spec__dctx_t *c, const spec__schema_side_t *side, const char *p,
                      const spec_node_t *b, const spec_node_t *r)
{
    const spec_node_t *be = spec_node_get(b, "enum"), *re = spec_node_get(r, "enum");
    if (be == NULL || re == NULL || be->kind != SPEC_NODE_SEQUENCE ||
        re->kind != SPEC_NODE_SEQUENCE)
        return;
    char id[64];
    for (size_t i = 0; i != be->u.seq.len; ++i) {
        const spec_node_t *v = be->u.seq.items[i];
        if (v->kind != SPEC_NODE_SCALAR || in_enum(re, v))
            continue;
        id_of(id, sizeof(id), p, "enum-value-removed");
        if (side->response)
            spec__diff_report(c, id, SPEC_DIFF_CHANGE_ENUM, v, "enum value %s removed from %s",
                              v->u.scalar.str, c->field_len ? c->field : "the value");
        else
            spec__diff_report(c, id, SPEC_DIFF_CHANGE_ENUM, v,
                              "enum value %s removed from %s: clients sending it are rejected; "
                              "keep accepting it, or map it for old clients through an adapter "
                              "(map)",
                              v->u.scalar.str, c->field_len ? c->field : "the value");
    }
    for (size_t i = 0; i != re->u.seq.len; ++i) {
        const spec_node_t *v = re->u.seq.items[i];
        if (v->kind != SPEC_NODE_SCALAR || in_enum(be, v))
            continue;
        id_of(id, sizeof(id), p, "enum-value-added");
        if (side->response)
            spec__diff_report(c, id, SPEC_DIFF_CHANGE_ENUM, v,
                              "enum value %s added to %s: old clients may not handle it; map it "
                              "to a value they know through an adapter (map)",
                              v->u.scalar.str, c->field_len ? c->field : "the value");
        else
            spec__diff_report(c, id, SPEC_DIFF_CHANGE_ENUM, v, "enum value %s added to %s",
                              v->u.scalar.str, c->field_len ? c->field : "the value");
    }
}

/* Bounds a request must keep accepting. `upper`: a smaller value tightens. */
static void diff_bound(spec__dctx_t *c, const char *p, const spec_node_t *b, const spec_node_t *r,
                       const char *key, int upper, const char *tightened, const char *set)
{
    double bv, rv;
    const spec_node_t *bn = spec_node_get(b, key), *rn = spec_node_get(r, key);
    char id[64];
    if (rn == NULL || spec_node_number(rn, &rv) != 0)
        return;
    if (bn == NULL || spec_node_number(bn, &bv) != 0) {
        id_of(id, sizeof(id), p, set);
        spec__diff_report(c, id, SPEC_DIFF_CHANGE_OTHER, rn,
                          "%s %s set to %s: requests outside it that were accepted are now "
                          "rejected",
                          c->field_len ? c->field : "the value", key, scalar(rn));
        return;
    }
    if (upper ? rv < bv : rv > bv) {
        id_of(id, sizeof(id), p, tightened);
        spec__diff_report(c, id, SPEC_DIFF_CHANGE_OTHER, rn,
                          "%s %s changed from %s to %s: requests between the two are now "
                          "rejected; keep the old bound",
                          c->field_len ? c->field : "the value", key, scalar(bn), scalar(rn));
    }
}

static void diff_scalar(spec__dctx_t *c, const spec__schema_side_t *side, const char *p,
                        const spec_node_t *b, const spec_node_t *r, unsigned bextra,
                        unsigned rextra)
{
    char id[64], bt[80], rt[80];
    unsigned btypes = types_of(b), rtypes = types_of(r);
    btypes |= btypes != 0 ? bextra : 0;
    rtypes |= rtypes != 0 ? rextra : 0;
    const char *what = c->field_len ? c->field : "the value";
    if (btypes != 0 && rtypes != 0) {
        unsigned bnn = btypes & ~T_NULL, rnn = rtypes & ~T_NULL;
        int broken = side->response ? (rnn & ~widen(bnn)) != 0 : (bnn & ~widen(rnn)) != 0;
        if (bnn != 0 && rnn != 0 && broken) {
            type_names(bnn, bt, sizeof(bt));
            type_names(rnn, rt, sizeof(rt));
            id_of(id, sizeof(id), p, "type-changed");
            spec__diff_report(c, id, SPEC_DIFF_CHANGE_TYPE, spec_node_get(r, "type"),
                              "type of %s changed from %s to %s: old clients %s it as %s; keep "
                              "the type, or convert it for old clients through an adapter "
                              "(convert)",
                              what, bt, rt, side->response ? "read" : "send", bt);
        }
        if (side->response && (rtypes & T_NULL) && !(btypes & T_NULL)) {
            id_of(id, sizeof(id), p, "became-nullable");
            spec__diff_report(c, id, SPEC_DIFF_CHANGE_TYPE, r,
                              "%s became nullable: old clients do not expect null; send a "
                              "value, or a default for old clients through an adapter",
                              what);
        } else if (!side->response && (btypes & T_NULL) && !(rtypes & T_NULL)) {
            id_of(id, sizeof(id), p, "became-not-nullable");
            spec__diff_report(c, id, SPEC_DIFF_CHANGE_TYPE, r,
                              "%s no longer accepts null: clients sending null are rejected", what);
        }
    }
    const char *bf = spec_node_str(spec_node_get(b, "format"));
    const char *rf = spec_node_str(spec_node_get(r, "format"));
    int fbroken = side->response ? bf != NULL && (rf == NULL || strcmp(bf, rf) != 0)
                                 : rf != NULL && (bf == NULL || strcmp(bf, rf) != 0);
    if (fbroken) {
        id_of(id, sizeof(id), p, "format-changed");
        spec__diff_report(c, id, SPEC_DIFF_CHANGE_TYPE,
                          spec_node_get(r, "format") ? spec_node_get(r, "format") : r,
                          "format of %s changed from %s to %s: keep the format, or convert it "
                          "for old clients through an adapter (convert)",
                          what, bf ? bf : "none", rf ? rf : "none");
    }
    diff_enum(c, side, p, b, r);
    if (side->response)
        return;
    diff_bound(c, p, b, r, "maximum", 1, "max-decreased", "max-set");
    diff_bound(c, p, b, r, "minimum", 0, "min-increased", "min-set");
    diff_bound(c, p, b, r, "maxLength", 1, "max-length-decreased", "max-length-set");
    diff_bound(c, p, b, r, "minLength", 0, "min-length-increased", "min-length-set");
    diff_bound(c, p, b, r, "maxItems", 1, "max-items-decreased", "max-items-set");
    diff_bound(c, p, b, r, "minItems", 0, "min-items-increased", "min-items-set");
    /* A pattern that is not a string is no pattern (lint reports it): absent on either side, so
     * a spec compared with itself never finds one changed. */
    const spec_node_t *bp = spec_node_get(b, "pattern"), *rp = spec_node_get(r, "pattern");
    bp = scalar(bp) != NULL ? bp : NULL;
    rp = scalar(rp) != NULL ? rp : NULL;
    if (rp != NULL && (bp == NULL || !same_scalar(bp, rp))) {
        id_of(id, sizeof(id), p, bp == NULL ? "pattern-added" : "pattern-changed");
        spec__diff_report(c, id, SPEC_DIFF_CHANGE_OTHER, rp,
                          "pattern of %s %s %s: values that matched before may be rejected", what,
                          bp == NULL ? "set to" : "changed to", scalar(rp));
    }
    const spec_node_t *bd = spec_node_get(b, "default"), *rd = spec_node_get(r, "default");
    if (bd != NULL && rd != NULL && bd->kind == SPEC_NODE_SCALAR && !same_scalar(bd, rd)) {
        id_of(id, sizeof(id), p, "default-value-changed");
        spec__diff_report(c, id, SPEC_DIFF_CHANGE_OTHER, rd,
                          "default of %s changed from %s to %s: clients that omit it get "
                          "another behaviour; keep the default, or send the old one for old "
                          "clients through an adapter (added with a default)",
                          what, scalar(bd), scalar(rd) ? scalar(rd) : "a structured value");
    }
}

/* ---- objects ---- */

typedef struct {
    const char *name;
    const spec_node_t *key, *schema;
} prop_t;

typedef struct {
    prop_t *items;
    size_t n, cap;
} props_t;

static int collect(void *ctx, const char *name, const spec_node_t *key, const spec_node_t *schema)
{
    props_t *p = ctx;
    for (size_t i = 0; i != p->n; ++i)
        if (strcmp(p->items[i].name, name) == 0)
            return 0; /* repeated in allOf members: the first declaration */
    if (p->n == p->cap)
        p->items = spec__xrealloc(p->items, (p->cap = p->cap ? p->cap * 2 : 16) * sizeof(prop_t));
    p->items[p->n++] = (prop_t){name, key, schema};
    return 0;
}

static const prop_t *find_prop(const props_t *p, const char *name)
{
    for (size_t i = 0; i != p->n; ++i)
        if (strcmp(p->items[i].name, name) == 0)
            return &p->items[i];
    return NULL;
}

/* `name` listed in `required` of the schema or of its allOf members. */
static int is_required(const spec_t *s, const spec_node_t *schema, const char *name, int depth)
{
    if (schema == NULL || depth > 8)
        return 0;
    const spec_node_t *req = spec_node_get(schema, "required");
    if (req != NULL && req->kind == SPEC_NODE_SEQUENCE)
        for (size_t i = 0; i != req->u.seq.len; ++i)
            if (spec_node_is(req->u.seq.items[i], name))
                return 1;
    const spec_node_t *all = spec_node_get(schema, "allOf");
    if (all != NULL && all->kind == SPEC_NODE_SEQUENCE)
        for (size_t i = 0; i != all->u.seq.len; ++i)
            if (is_required(s, spec_deref(s, all->u.seq.items[i]), name, depth + 1))
                return 1;
    return 0;
}

static int flag(const spec_node_t *s, const char *key)
{
    int v = 0;
    return spec_node_bool(spec_node_get(s, key), &v) == 0 && v;
}

static void compare(spec__dctx_t *c, const spec__schema_side_t *side, const spec_node_t *b,
                    const spec_node_t *r, int depth, int root);

static void descend(spec__dctx_t *c, const spec__schema_side_t *side, const spec_node_t *b,
                    const spec_node_t *r, const char *const *tokens, size_t ntokens,
                    const char *field, int depth)
{
    size_t p = c->ptr_len, f = spec__diff_field_push(c, field);
    for (size_t i = 0; i != ntokens; ++i)
        spec__diff_push(c, tokens[i]);
    compare(c, side, b, r, depth + 1, 0);
    spec__diff_pop(c, p);
    spec__diff_field_pop(c, f);
}

/* The property's schema as written (perhaps a $ref, for component tracking). */
static const spec_node_t *written(const spec_node_t *schema, const prop_t *p)
{
    const spec_node_t *w = spec_node_get(spec_node_get(schema, "properties"), p->name);
    return w != NULL ? w : p->schema;
}

static void diff_properties(spec__dctx_t *c, const spec__schema_side_t *side, const spec_node_t *b,
                            const spec_node_t *r, int depth)
{
    props_t bp = {0}, rp = {0};
    spec_schema_each_property(c->base, b, collect, &bp);
    spec_schema_each_property(c->rev, r, collect, &rp);
    const char *s = side->response ? "response" : "request";
    char id[64];
    for (size_t i = 0; i != bp.n; ++i) {
        const prop_t *x = &bp.items[i], *y = find_prop(&rp, x->name);
        int breq = is_required(c->base, b, x->name, 0);
        size_t p = spec__diff_push(c, "properties"), f = spec__diff_field_push(c, x->name);
        spec__diff_push(c, x->name);
        if (y == NULL) {
            if (side->response && flag(x->schema, "writeOnly")) {
                /* never sent */
            } else if (side->response) {
                snprintf(id, sizeof(id), "response-%s-property-removed",
                         breq ? "required" : "optional");
                spec__diff_report(c, id, SPEC_DIFF_CHANGE_REMOVED, x->key,
                                  "%s property %s removed from the response: old clients "
                                  "reading it break; deprecate it first and keep sending it, or "
                                  "restore it for old clients through an adapter (removed with a "
                                  "default or from, or rename)",
                                  breq ? "required" : "optional", c->field);
            } else if (!flag(x->schema, "readOnly")) {
                snprintf(id, sizeof(id), "%s-property-removed", s);
                spec__diff_report(c, id, SPEC_DIFF_CHANGE_REMOVED, x->key,
                                  "property %s removed from the request: clients still send it "
                                  "and a strict server rejects it; ignore it for a deprecation "
                                  "period, or drop it for old clients through an adapter (removed "
                                  "with a default, or rename)",
                                  c->field);
            }
        } else {
            int rreq = is_required(c->rev, r, x->name, 0);
            if (!side->response && !breq && rreq && !flag(y->schema, "readOnly"))
                spec__diff_report(c, "request-property-became-required", SPEC_DIFF_CHANGE_REQUIRED,
                                  y->key,
                                  "request property %s became required: clients that "
                                  "omit it are rejected; keep it optional, or add it for old "
                                  "clients through an adapter (added with a default)",
                                  c->field);
            else if (!side->response && breq && !rreq)
                spec__diff_report(c, "request-property-became-optional", SPEC_DIFF_CHANGE_REQUIRED,
                                  y->key, "request property %s became optional", c->field);
            else if (side->response && breq && !rreq)
                spec__diff_report(c, "response-property-became-optional", SPEC_DIFF_CHANGE_REQUIRED,
                                  y->key,
                                  "response property %s became optional: old clients "
                                  "expect it in every response; keep sending it, or fill it for "
                                  "old clients through an adapter (removed with a default)",
                                  c->field);
            else if (side->response && !breq && rreq)
                spec__diff_report(c, "response-property-became-required", SPEC_DIFF_CHANGE_REQUIRED,
                                  y->key, "response property %s became required", c->field);
            if (!side->response && !flag(x->schema, "readOnly") && flag(y->schema, "readOnly"))
                spec__diff_report(c, "request-property-became-read-only", SPEC_DIFF_CHANGE_OTHER,
                                  y->key,
                                  "request property %s became readOnly: what clients "
                                  "send is ignored",
                                  c->field);
            if (side->response && !flag(x->schema, "writeOnly") && flag(y->schema, "writeOnly"))
                spec__diff_report(c, "response-property-became-write-only",
                                  SPEC_DIFF_CHANGE_REMOVED, y->key,
                                  "response property %s became writeOnly: it is no "
                                  "longer sent; keep it readable",
                                  c->field);
            spec__diff_pop(c, p);
            spec__diff_field_pop(c, f);
            if (x->schema != NULL && y->schema != NULL) {
                const char *toks[] = {"properties", x->name};
                descend(c, side, written(b, x), written(r, y), toks, 2, x->name, depth);
            }
            continue;
        }
        spec__diff_pop(c, p);
        spec__diff_field_pop(c, f);
    }
    for (size_t i = 0; i != rp.n; ++i) {
        const prop_t *y = &rp.items[i];
        if (find_prop(&bp, y->name) != NULL)
            continue;
        int rreq = is_required(c->rev, r, y->name, 0);
        size_t p = spec__diff_push(c, "properties"), f = spec__diff_field_push(c, y->name);
        spec__diff_push(c, y->name);
        if (!side->response && !flag(y->schema, "readOnly"))
            spec__diff_report(
                c, rreq ? "new-required-request-property" : "new-optional-request-property",
                SPEC_DIFF_CHANGE_ADDED, y->key,
                rreq ? "new required request property %s: existing clients do not "
                       "send it; make it optional with a default, or add it for old "
                       "clients through an adapter (added with a default)"
                     : "new optional request property %s",
                c->field);
        else if (side->response && !flag(y->schema, "writeOnly"))
            spec__diff_report(
                c, rreq ? "response-required-property-added" : "response-optional-property-added",
                SPEC_DIFF_CHANGE_ADDED, y->key, "new %s response property %s",
                rreq ? "required" : "optional", c->field);
        spec__diff_pop(c, p);
        spec__diff_field_pop(c, f);
    }
    free(bp.items);
    free(rp.items);
}

/* ---- composition ---- */

/* "/components/schemas/Pet" -> "Pet" for a $ref (first hop), else NULL. */
static const char *component_of(const spec_t *s, const spec_node_t *n)
{
    const spec_ref_t *ref = spec_ref_of(s, n);
    static const char prefix[] = "/components/schemas/";
    if (ref == NULL || ref->target_pointer == NULL ||
        strncmp(ref->target_pointer, prefix, sizeof(prefix) - 1) != 0)
        return NULL;
    const char *name = ref->target_pointer + sizeof(prefix) - 1;
    return strchr(name, '/') == NULL ? name : NULL;
}

/* Member j of revision list `rl`, not yet `seen`, matching member i of base list `bl`: the same
 * component name when both are $refs (a name listed twice pairs with its copies in order), else
 * the same index when neither is one. SIZE_MAX when none. */
static size_t match_member(const spec__dctx_t *c, const spec_node_t *bl, size_t i,
                           const spec_node_t *rl, const unsigned char *seen)
{
    const char *bn = component_of(c->base, bl->u.seq.items[i]);
    for (size_t j = 0; bn != NULL && j != rl->u.seq.len; ++j) {
        const char *rn = component_of(c->rev, rl->u.seq.items[j]);
        if (!seen[j] && rn != NULL && strcmp(bn, rn) == 0)
            return j;
    }
    if (bn == NULL && i < rl->u.seq.len && !seen[i] &&
        component_of(c->rev, rl->u.seq.items[i]) == NULL)
        return i;
    /* a lone member on each side is the same member, whatever its name */
    if (bl->u.seq.len == 1 && rl->u.seq.len == 1 && !seen[0])
        return 0;
    return SIZE_MAX;
}

static void diff_members(spec__dctx_t *c, const spec__schema_side_t *side, const char *p,
                         const spec_node_t *b, const spec_node_t *r, const char *key,
                         const char *idname, int depth)
{
    const spec_node_t *bl = spec_node_get(b, key), *rl = spec_node_get(r, key);
    int bseq = bl != NULL && bl->kind == SPEC_NODE_SEQUENCE;
    int rseq = rl != NULL && rl->kind == SPEC_NODE_SEQUENCE;
    if (!bseq && !rseq)
        return;
    char id[64], idx[24];
    size_t pl = spec__diff_push(c, key);
    unsigned char *seen = spec__xcalloc(rseq ? rl->u.seq.len + 1 : 1, 1);
    for (size_t i = 0; bseq && i != bl->u.seq.len; ++i) {
        size_t j = rseq ? match_member(c, bl, i, rl, seen) : SIZE_MAX;
        snprintf(idx, sizeof(idx), "%zu", i);
        if (j == SIZE_MAX) {
            snprintf(id, sizeof(id), "%s-%s-removed", p, idname);
            size_t q = spec__diff_push(c, idx);
            const char *name = component_of(c->base, bl->u.seq.items[i]);
            spec__diff_report(c, id, SPEC_DIFF_CHANGE_REMOVED, bl->u.seq.items[i],
                              "%s member %s%s removed from %s%s", key, name ? name : "#",
                              name ? "" : idx, c->field_len ? c->field : "the schema",
                              side->response || !strcmp(key, "allOf")
                                  ? ""
                                  : ": clients sending that shape are rejected; keep it");
            spec__diff_pop(c, q);
            continue;
        }
        seen[j] = 1;
        if (strcmp(key, "allOf") == 0)
            continue; /* their properties were compared flattened */
        snprintf(idx, sizeof(idx), "%zu", j);
        const char *toks[] = {idx};
        size_t q = c->ptr_len;
        c->ptr[q] = '\0';
        descend(c, side, bl->u.seq.items[i], rl->u.seq.items[j], toks, 1, "", depth);
        spec__diff_pop(c, q);
    }
    for (size_t j = 0; rseq && j != rl->u.seq.len; ++j) {
        if (seen[j])
            continue;
        snprintf(id, sizeof(id), "%s-%s-added", p, idname);
        snprintf(idx, sizeof(idx), "%zu", j);
        size_t q = spec__diff_push(c, idx);
        const char *name = component_of(c->rev, rl->u.seq.items[j]);
        spec__diff_report(c, id, SPEC_DIFF_CHANGE_ADDED, rl->u.seq.items[j],
                          "%s member %s%s added to %s%s", key, name ? name : "#", name ? "" : idx,
                          c->field_len ? c->field : "the schema",
                          side->response && strcmp(key, "allOf")
                              ? ": old clients may receive a shape they do not know"
                              : "");
        spec__diff_pop(c, q);
    }
    free(seen);
    spec__diff_pop(c, pl);
}

static void diff_discriminator(spec__dctx_t *c, const spec__schema_side_t *side, const char *p,
                               const spec_node_t *b, const spec_node_t *r)
{
    const spec_node_t *bm = spec_node_get(spec_node_get(b, "discriminator"), "mapping");
    const spec_node_t *rm = spec_node_get(spec_node_get(r, "discriminator"), "mapping");
    if (bm == NULL || rm == NULL || bm->kind != SPEC_NODE_MAPPING || rm->kind != SPEC_NODE_MAPPING)
        return;
    char id[64];
    size_t pl = spec__diff_push(c, "discriminator");
    spec__diff_push(c, "mapping");
    for (size_t i = 0; i != bm->u.map.len; ++i) {
        const spec_node_t *k = bm->u.map.items[i].key;
        if (spec_node_get(rm, k->u.scalar.str) != NULL)
            continue;
        snprintf(id, sizeof(id), "%s-discriminator-mapping-deleted", p);
        spec__diff_report(c, id, SPEC_DIFF_CHANGE_ENUM, k, "discriminator value %s removed%s",
                          k->u.scalar.str,
                          side->response ? "" : ": clients sending it are rejected; keep it");
    }
    for (size_t i = 0; i != rm->u.map.len; ++i) {
        const spec_node_t *k = rm->u.map.items[i].key;
        if (spec_node_get(bm, k->u.scalar.str) != NULL)
            continue;
        snprintf(id, sizeof(id), "%s-discriminator-mapping-added", p);
        spec__diff_report(c, id, SPEC_DIFF_CHANGE_ENUM, k, "discriminator value %s added%s",
                          k->u.scalar.str,
                          side->response ? ": old clients may not know the new shape" : "");
    }
    spec__diff_pop(c, pl);
}

/* The `oneOf` or `anyOf` list of a schema that is nothing but alternatives, or NULL. */
static const spec_node_t *alternatives(const spec_node_t *s, const char **key)
{
    if (spec_node_get(s, "type") != NULL || spec_node_get(s, "properties") != NULL)
        return NULL;
    for (int i = 0; i != 2; ++i) {
        const spec_node_t *l = spec_node_get(s, i ? "anyOf" : "oneOf");
        if (l != NULL && l->kind == SPEC_NODE_SEQUENCE) {
            *key = i ? "anyOf" : "oneOf";
            return l;
        }
    }
    return NULL;
}

/* One side is a plain schema, the other a list of alternatives (`items: {$ref: Label}` became
 * `items: {oneOf: [string, Label]}`): the plain schema is compared with the first alternative of
 * a compatible type, the others are members added or removed. */
static void diff_plain_vs_alternatives(spec__dctx_t *c, const spec__schema_side_t *side,
                                       const char *p, const spec_node_t *b, const spec_node_t *r,
                                       int depth)
{
    const char *key = NULL;
    int rev_alt = alternatives(r, &key) != NULL;
    const spec_node_t *list = rev_alt ? alternatives(r, &key) : alternatives(b, &key);
    const spec_node_t *plain = rev_alt ? b : r;
    const spec_t *lspec = rev_alt ? c->rev : c->base;
    unsigned ptypes = types_of(plain);
    int matched = 0;
    char id[64], idx[24];
    size_t pl = spec__diff_push(c, key);
    for (size_t i = 0; i != list->u.seq.len; ++i) {
        const spec_node_t *m = spec_deref(lspec, list->u.seq.items[i]);
        unsigned mtypes = types_of(m);
        snprintf(idx, sizeof(idx), "%zu", i);
        if (!matched && m != NULL && (ptypes == 0 || mtypes == 0 || (widen(ptypes) & mtypes) ||
                                      (ptypes & widen(mtypes)))) {
            matched = 1;
            const char *toks[] = {idx};
            if (rev_alt)
                descend(c, side, plain, list->u.seq.items[i], toks, 1, "", depth);
            else
                descend(c, side, list->u.seq.items[i], plain, toks, 1, "", depth);
            continue;
        }
        snprintf(id, sizeof(id), "%s-%s-%s", p, strcmp(key, "oneOf") ? "any-of" : "one-of",
                 rev_alt ? "added" : "removed");
        size_t q = spec__diff_push(c, idx);
        spec__diff_report(c, id, rev_alt ? SPEC_DIFF_CHANGE_ADDED : SPEC_DIFF_CHANGE_REMOVED,
                          list->u.seq.items[i], "%s member #%zu %s %s", key, i,
                          rev_alt ? "added to" : "removed from",
                          c->field_len ? c->field : "the schema");
        spec__diff_pop(c, q);
    }
    spec__diff_pop(c, pl);
}

static const spec_node_t *schema_at(const spec_node_t *s, const char *key)
{
    const spec_node_t *n = spec_node_get(s, key);
    return n != NULL && n->kind == SPEC_NODE_MAPPING ? n : NULL;
}

/* A wrapper `{allOf: [X]}` (with at most annotations and `nullable` beside it) stands for X:
 * `{nullable: true, allOf: [$ref: A]}` and `$ref: NullableA` are the same schema. Returns the
 * member as written, or NULL when `s` is no such wrapper. */
static const spec_node_t *lone_member(const spec_node_t *s)
{
    const spec_node_t *all = spec_node_get(s, "allOf");
    if (all == NULL || all->kind != SPEC_NODE_SEQUENCE || all->u.seq.len != 1)
        return NULL;
    static const char *const shaping[] = {"type",  "properties",           "items", "oneOf",
                                          "anyOf", "additionalProperties", "enum",  "required"};
    for (size_t i = 0; i != sizeof(shaping) / sizeof(shaping[0]); ++i)
        if (spec_node_get(s, shaping[i]) != NULL)
            return NULL;
    return all->u.seq.items[0];
}

static void compare(spec__dctx_t *c, const spec__schema_side_t *side, const spec_node_t *bw,
                    const spec_node_t *rw, int depth, int root)
{
    const spec_node_t *b = spec_deref(c->base, bw), *r = spec_deref(c->rev, rw);
    unsigned bextra = 0, rextra = 0;
    for (int k = 0; k != 4 && b != NULL && lone_member(b) != NULL; ++k) {
        bextra |= flag(b, "nullable") ? T_NULL : 0;
        bw = lone_member(b);
        b = spec_deref(c->base, bw);
    }
    for (int k = 0; k != 4 && r != NULL && lone_member(r) != NULL; ++k) {
        rextra |= flag(r, "nullable") ? T_NULL : 0;
        rw = lone_member(r);
        r = spec_deref(c->rev, rw);
    }
    if (b == NULL || r == NULL || b->kind != SPEC_NODE_MAPPING || r->kind != SPEC_NODE_MAPPING ||
        depth > SPEC__DIFF_MAX_DEPTH || c->truncated)
        return;
    size_t max = c->opts->max_pairs != 0 ? c->opts->max_pairs : 1000000;
    if (!spec__pairset_add(&c->visited, b, r))
        return; /* compared already: a recursive schema, or one used twice under this root */
    if (++c->pairs > max) {
        c->truncated = 1;
        return;
    }
    const char *saved = c->component;
    size_t saved_at = c->component_at;
    const char *comp = component_of(c->base, bw);
    if (comp != NULL) {
        c->component = comp;
        c->component_at = c->field_len;
    }
    const char *p = root && side->root_prefix != NULL ? side->root_prefix : side->prefix;
    diff_scalar(c, side, p, b, r, bextra, rextra);
    const char *k1, *k2;
    if (!side->scalar_only && (alternatives(b, &k1) == NULL) != (alternatives(r, &k2) == NULL)) {
        const char *sp = side->response ? "response-property" : "request-property";
        diff_plain_vs_alternatives(c, side, root && side->root_prefix ? side->root_prefix : sp, b,
                                   r, depth);
    } else if (!side->scalar_only) {
        diff_properties(c, side, b, r, depth);
        const spec_node_t *bi = spec_node_get(b, "items"), *ri = spec_node_get(r, "items");
        if (bi != NULL && ri != NULL && bi->kind == SPEC_NODE_MAPPING &&
            ri->kind == SPEC_NODE_MAPPING) {
            const char *toks[] = {"items"};
            descend(c, side, bi, ri, toks, 1, "[*]", depth);
        }
        const spec_node_t *ba = schema_at(b, "additionalProperties");
        const spec_node_t *ra = schema_at(r, "additionalProperties");
        if (ba != NULL && ra != NULL) {
            const char *toks[] = {"additionalProperties"};
            descend(c, side, ba, ra, toks, 1, ".*", depth);
        }
        const char *sp = side->response ? "response-property" : "request-property";
        if (root && side->root_prefix != NULL)
            sp = side->root_prefix;
        diff_members(c, side, sp, b, r, "oneOf", "one-of", depth);
        diff_members(c, side, sp, b, r, "anyOf", "any-of", depth);
        diff_members(c, side, sp, b, r, "allOf", "all-of", depth);
        diff_discriminator(c, side, sp, b, r);
    }
    c->component = saved;
    c->component_at = saved_at;
}

void spec__diff_schema(spec__dctx_t *c, const spec__schema_side_t *side, const spec_node_t *b,
                       const spec_node_t *r)
{
    compare(c, side, b, r, 0, 1);
}

void spec__diff_schema_reset(spec__dctx_t *c)
{
    spec__pairset_clear(&c->visited);
    c->pairs = 0;
    c->truncated = 0;
    c->component = NULL;
    c->component_at = 0;
}
