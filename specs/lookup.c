/* Lookups over the model for adapters and validators: components, responses by status code,
 * media types in `content`, and schema properties and items through $ref and allOf. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "spec_internal.h"

#define SCHEMA_MAX_DEPTH 64
#define SCHEMA_BUDGET 4096 /* schema nodes one helper call may visit (allOf fan-out) */

const spec_node_t *spec_lookup(const spec_t *spec, const char *fragment)
{
    if (fragment == NULL || fragment[0] != '#')
        return NULL;
    size_t len = strlen(fragment + 1);
    char *ptr = spec__xmalloc(len + 1);
    long n = spec__percent_decode(fragment + 1, len, ptr);
    const spec_node_t *r = n >= 0 ? spec_pointer_get(spec->root, ptr, (size_t)n) : NULL;
    free(ptr);
    return spec_deref(spec, r);
}

const spec_node_t *spec_component(const spec_t *spec, const char *kind, const char *name)
{
    const spec_node_t *c = spec_node_get(spec_node_get(spec->root, "components"), kind);
    return spec_deref(spec, spec_node_get(c, name));
}

/* ---- responses ---- */

const spec_response_t *spec_operation_response(const spec_operation_t *op, int status)
{
    if (status < 100 || status > 599)
        return NULL;
    char code[4] = {(char)('0' + status / 100), (char)('0' + status / 10 % 10),
                    (char)('0' + status % 10), '\0'};
    const spec_response_t *range = NULL, *fallback = NULL;
    for (size_t i = 0; i < op->nresponses; ++i) {
        const char *s = op->responses[i].status;
        if (strcmp(s, code) == 0)
            return &op->responses[i];
        /* OpenAPI 3.1 §4.8.16.2: "1XX" .. "5XX" (the 'X' must be uppercase; accept both) */
        if (range == NULL && s[0] == code[0] && (s[1] | 0x20) == 'x' && (s[2] | 0x20) == 'x' &&
            s[3] == '\0')
            range = &op->responses[i];
        if (fallback == NULL && strcmp(s, "default") == 0)
            fallback = &op->responses[i];
    }
    return range != NULL ? range : fallback;
}

/* ---- media types ---- */

typedef struct {
    const char *type, *sub;
    size_t tlen, slen;
} mtype_t;

/* Splits "type/subtype; params" (RFC 9110 §8.3.1); 0 on success. */
static int parse_mtype(const char *s, mtype_t *out)
{
    while (*s == ' ' || *s == '\t')
        ++s;
    const char *slash = strchr(s, '/');
    if (slash == NULL || slash == s)
        return -1;
    const char *sub = slash + 1, *e = sub;
    while (*e != '\0' && *e != ';' && *e != ' ' && *e != '\t')
        ++e;
    if (e == sub)
        return -1;
    *out = (mtype_t){s, sub, (size_t)(slash - s), (size_t)(e - sub)};
    return 0;
}

static int part_eq(const char *a, size_t alen, const char *b, size_t blen)
{
    return alen == blen && strncasecmp(a, b, alen) == 0;
}

static int is_json(const mtype_t *m)
{
    return (part_eq(m->type, m->tlen, "application", 11) && part_eq(m->sub, m->slen, "json", 4)) ||
           (m->slen > 5 && strncasecmp(m->sub + m->slen - 5, "+json", 5) == 0);
}

const spec_node_t *spec_content_media(const spec_t *spec, const spec_node_t *content,
                                      const char *media_type)
{
    content = spec_deref(spec, content);
    mtype_t want;
    if (content == NULL || content->kind != SPEC_NODE_MAPPING ||
        parse_mtype(media_type != NULL ? media_type : "application/json", &want) != 0)
        return NULL;
    /* best[rank]: 0 exact, 1 both JSON, 2 type wildcard, 3 any */
    const spec_node_t *best[4] = {NULL, NULL, NULL, NULL};
    for (size_t i = 0; i < content->u.map.len; ++i) {
        const spec_pair_t *p = &content->u.map.items[i];
        mtype_t have;
        if (parse_mtype(p->key->u.scalar.str, &have) != 0)
            continue;
        int any_sub = part_eq(have.sub, have.slen, "*", 1);
        int rank = -1;
        if (part_eq(have.type, have.tlen, want.type, want.tlen) &&
            part_eq(have.sub, have.slen, want.sub, want.slen))
            rank = 0;
        else if (is_json(&want) && is_json(&have))
            rank = 1;
        else if (any_sub && part_eq(have.type, have.tlen, want.type, want.tlen))
            rank = 2;
        else if (any_sub && part_eq(have.type, have.tlen, "*", 1))
            rank = 3;
        if (rank >= 0 && best[rank] == NULL)
            best[rank] = p->value;
    }
    for (int r = 0; r < 4; ++r)
        if (best[r] != NULL)
            return spec_deref(spec, best[r]);
    return NULL;
}

static const spec_node_t *schema_of(const spec_t *spec, const spec_node_t *holder,
                                    const char *media_type)
{
    const spec_node_t *media =
        spec_content_media(spec, spec_node_get(holder, "content"), media_type);
    return spec_deref(spec, spec_node_get(media, "schema"));
}

const spec_node_t *spec_response_schema(const spec_t *spec, const spec_operation_t *op, int status,
                                        const char *media_type)
{
    const spec_response_t *r = spec_operation_response(op, status);
    return r != NULL ? schema_of(spec, r->node, media_type) : NULL;
}

const spec_node_t *spec_request_schema(const spec_t *spec, const spec_operation_t *op,
                                       const char *media_type)
{
    return schema_of(spec, op->request_body, media_type);
}

/* ---- schemas ---- */

typedef struct {
    const spec_t *spec;
    int budget;
} swalk_t;

/* Calls fn for `schema` and what it is made of: its own keywords, its allOf members, and the
 * target of its $ref (in 3.0 a $ref replaces its siblings, in 3.1 it applies alongside them like
 * an allOf member). Stops at the first non-zero return. Cycles (A allOf [A]) end on the depth
 * and budget bounds. */
typedef int (*visit_fn)(swalk_t *w, const spec_node_t *schema, void *ctx);

static int visit_parts(swalk_t *w, const spec_node_t *s, int depth, visit_fn fn, void *ctx)
{
    if (s == NULL || s->kind != SPEC_NODE_MAPPING || depth > SCHEMA_MAX_DEPTH || --w->budget < 0)
        return 0;
    const spec_ref_t *ref = spec_ref_of(w->spec, s);
    if (ref != NULL && w->spec->version == SPEC_OAS_30)
        return visit_parts(w, ref->resolved, depth + 1, fn, ctx);
    int r = fn(w, s, ctx);
    if (r != 0)
        return r;
    const spec_node_t *all = spec_node_get(s, "allOf");
    for (size_t i = 0; all != NULL && all->kind == SPEC_NODE_SEQUENCE && i < all->u.seq.len; ++i)
        if ((r = visit_parts(w, all->u.seq.items[i], depth + 1, fn, ctx)) != 0)
            return r;
    return ref != NULL ? visit_parts(w, ref->resolved, depth + 1, fn, ctx) : 0;
}

typedef struct {
    const char *name;
    const spec_node_t *found;
} find_prop_t;

static int find_prop(swalk_t *w, const spec_node_t *s, void *ctx)
{
    find_prop_t *f = ctx;
    const spec_node_t *p = spec_node_get(spec_node_get(s, "properties"), f->name);
    if (p == NULL)
        return 0;
    f->found = spec_deref(w->spec, p);
    return 1;
}

const spec_node_t *spec_schema_property(const spec_t *spec, const spec_node_t *schema,
                                        const char *name)
{
    swalk_t w = {spec, SCHEMA_BUDGET};
    find_prop_t f = {name, NULL};
    visit_parts(&w, schema, 0, find_prop, &f);
    return f.found;
}

typedef struct {
    spec_schema_property_cb fn;
    void *ctx;
} each_prop_t;

static int each_prop(swalk_t *w, const spec_node_t *s, void *ctx)
{
    each_prop_t *e = ctx;
    const spec_node_t *props = spec_node_get(s, "properties");
    if (props == NULL || props->kind != SPEC_NODE_MAPPING)
        return 0;
    for (size_t i = 0; i < props->u.map.len; ++i) {
        const spec_pair_t *p = &props->u.map.items[i];
        int r = e->fn(e->ctx, p->key->u.scalar.str, p->key, spec_deref(w->spec, p->value));
        if (r != 0)
            return r;
    }
    return 0;
}

int spec_schema_each_property(const spec_t *spec, const spec_node_t *schema,
                              spec_schema_property_cb fn, void *ctx)
{
    swalk_t w = {spec, SCHEMA_BUDGET};
    each_prop_t e = {fn, ctx};
    return visit_parts(&w, schema, 0, each_prop, &e);
}

static int find_items(swalk_t *w, const spec_node_t *s, void *ctx)
{
    const spec_node_t *items = spec_node_get(s, "items");
    if (items == NULL || items->kind == SPEC_NODE_SEQUENCE) /* draft-04 tuples are not "items" */
        return 0;
    *(const spec_node_t **)ctx = spec_deref(w->spec, items);
    return 1;
}

const spec_node_t *spec_schema_items(const spec_t *spec, const spec_node_t *schema)
{
    swalk_t w = {spec, SCHEMA_BUDGET};
    const spec_node_t *found = NULL;
    visit_parts(&w, schema, 0, find_items, &found);
    return found;
}
