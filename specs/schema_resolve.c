/* $ref resolution for standalone JSON Schema documents (`versa validate --schema`, the JSON
 * Schema Test Suite): schema resources named by `$id` (`id` in draft 4), plain-name fragments
 * (`$anchor`), JSON pointer fragments, and documents the caller fetches on demand. Specs resolve
 * through spec_deref instead (schema_validate.c picks one or the other). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "schema_internal.h"

/* ---- URI references (RFC 3986 §5.2, enough for schema identifiers) ---- */

/* Length of the scheme and its ':' at the start of `s`, or 0 when `s` is relative. */
static size_t scheme_len(const char *s)
{
    size_t i = 0;
    if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
        return 0;
    while (s[i] != '\0' && s[i] != ':' && s[i] != '/' && s[i] != '?' && s[i] != '#')
        ++i;
    return s[i] == ':' ? i + 1 : 0;
}

/* Removes "." and ".." segments from the path that starts at `p` (RFC 3986 §5.2.4, simplified:
 * the path is absolute or follows an authority). */
static void remove_dots(char *p)
{
    char *out = p, *in = p;
    while (*in != '\0') {
        if (strncmp(in, "/./", 3) == 0) {
            in += 2;
        } else if (strcmp(in, "/.") == 0) {
            in[1] = '\0';
        } else if (strncmp(in, "/../", 4) == 0 || strcmp(in, "/..") == 0) {
            in += 3;
            while (out > p && *--out != '/')
                ;
            if (*in == '\0')
                *out++ = '/';
        } else {
            do
                *out++ = *in++;
            while (*in != '\0' && *in != '/');
        }
    }
    *out = '\0';
}

/* Resolves `ref` against `base` into buf (NUL-terminated). Returns 0, or -1 when it does not fit.
 */
static int uri_resolve(const char *base, const char *ref, char *buf, size_t size)
{
    size_t bl = strlen(base), sl = scheme_len(base);
    int n;
    if (scheme_len(ref) != 0 || base[0] == '\0') {
        n = snprintf(buf, size, "%s", ref);
    } else if (ref[0] == '#') {
        size_t keep = strcspn(base, "#");
        n = snprintf(buf, size, "%.*s%s", (int)keep, base, ref);
    } else if (ref[0] == '/' && ref[1] == '/') {
        n = snprintf(buf, size, "%.*s%s", (int)sl, base, ref);
    } else {
        /* the base's scheme and authority ... */
        size_t auth = sl;
        if (strncmp(base + sl, "//", 2) == 0)
            auth = sl + 2 + strcspn(base + sl + 2, "/?#");
        size_t pathend = auth + strcspn(base + auth, "?#");
        if (ref[0] == '/') {
            n = snprintf(buf, size, "%.*s%s", (int)auth, base, ref);
        } else {
            /* ... then the base's path up to its last '/', then the reference */
            size_t dir = pathend;
            while (dir > auth && base[dir - 1] != '/')
                --dir;
            if (dir == auth && auth != sl) /* authority without a path */
                n = snprintf(buf, size, "%.*s/%s", (int)auth, base, ref);
            else
                n = snprintf(buf, size, "%.*s%s", (int)dir, base, ref);
        }
        (void)bl;
    }
    if (n < 0 || (size_t)n >= size)
        return -1;
    size_t sch = scheme_len(buf), start = sch;
    if (strncmp(buf + sch, "//", 2) == 0)
        start = sch + 2 + strcspn(buf + sch + 2, "/?#");
    char tail[1024] = "";
    size_t pathlen = strcspn(buf + start, "?#");
    if (strlen(buf + start + pathlen) < sizeof(tail)) {
        snprintf(tail, sizeof(tail), "%s", buf + start + pathlen);
        buf[start + pathlen] = '\0';
        if (buf[start] == '/')
            remove_dots(buf + start);
        strncat(buf, tail, size - strlen(buf) - 1);
    }
    /* an empty fragment names the document itself */
    size_t len = strlen(buf);
    if (len != 0 && buf[len - 1] == '#')
        buf[len - 1] = '\0';
    return 0;
}

/* ---- The index of resources and anchors ---- */

static const char *intern(spec_validator_t *v, const char *s)
{
    return spec__arena_strndup(&v->names, s, strlen(s));
}

static void add_name(spec_validator_t *v, const char *uri, const spec_node_t *n, int dynamic)
{
    if (v->nnamed == v->named_cap) {
        v->named_cap = v->named_cap ? v->named_cap * 2 : 32;
        v->named = spec__xrealloc(v->named, v->named_cap * sizeof(*v->named));
    }
    for (size_t i = 0; i < v->nnamed; ++i)
        if (strcmp(v->named[i].uri, uri) == 0)
            return; /* the first declaration wins */
    v->named[v->nnamed].uri = intern(v, uri);
    v->named[v->nnamed].dynamic = dynamic;
    v->named[v->nnamed++].node = n;
}

static const spec_node_t *find_name(const spec_validator_t *v, const char *uri)
{
    for (size_t i = 0; i < v->nnamed; ++i)
        if (strcmp(v->named[i].uri, uri) == 0)
            return v->named[i].node;
    return NULL;
}

/* Keywords whose value is a schema, a list of schemas, or a map of names to schemas: the walk
 * follows only these, so an `$id` inside `const` or `enum` data names nothing. */
static const char *const one_schema[] = {"additionalProperties",
                                         "additionalItems",
                                         "items",
                                         "not",
                                         "if",
                                         "then",
                                         "else",
                                         "contains",
                                         "propertyNames",
                                         "unevaluatedProperties",
                                         "unevaluatedItems",
                                         NULL};
static const char *const schema_list[] = {"allOf", "anyOf", "oneOf", "prefixItems", "items", NULL};
static const char *const schema_map[] = {"properties",  "patternProperties", "$defs",
                                         "definitions", "dependentSchemas",  "dependencies",
                                         NULL};

static int in_list(const char *const *list, const spec_node_t *key)
{
    for (; *list != NULL; ++list)
        if (spec_node_is(key, *list))
            return 1;
    return 0;
}

static void index_schema(spec_validator_t *v, const spec_node_t *s, const char *base,
                         unsigned depth);

static void index_child(spec_validator_t *v, const spec_node_t *key, const spec_node_t *val,
                        const char *base, unsigned depth)
{
    if (in_list(one_schema, key) && val->kind != SPEC_NODE_SEQUENCE) {
        index_schema(v, val, base, depth + 1);
    } else if (in_list(schema_list, key) && val->kind == SPEC_NODE_SEQUENCE) {
        for (size_t i = 0; i < val->u.seq.len; ++i)
            index_schema(v, val->u.seq.items[i], base, depth + 1);
    } else if (in_list(schema_map, key) && val->kind == SPEC_NODE_MAPPING) {
        for (size_t i = 0; i < val->u.map.len; ++i)
            index_schema(v, val->u.map.items[i].value, base, depth + 1);
    }
}

/* Records the base URI of every schema holding $ref, and every $id and $anchor. */
static void index_schema(spec_validator_t *v, const spec_node_t *s, const char *base,
                         unsigned depth)
{
    if (s->kind != SPEC_NODE_MAPPING || depth > MAX_DEPTH)
        return;
    char uri[1024];
    const char *id =
        spec_node_str(spec_node_get(s, v->dialect == SPEC_DIALECT_DRAFT4 ? "id" : "$id"));
    /* in draft 4 and OpenAPI 3.0, $ref siblings (an id included) are ignored */
    int ref_only = spec_node_get(s, "$ref") != NULL && v->dialect != SPEC_DIALECT_2020_12 &&
                   v->dialect != SPEC_DIALECT_OAS31;
    if (id != NULL && !ref_only && uri_resolve(base, id, uri, sizeof(uri)) == 0) {
        if (strchr(uri, '#') == NULL || v->dialect == SPEC_DIALECT_DRAFT4) {
            base = intern(v, uri);
            add_name(v, base, s, 0);
        }
    }
    const char *anchor = spec_node_str(spec_node_get(s, "$anchor"));
    if (anchor != NULL && snprintf(uri, sizeof(uri), "%s#%s", base, anchor) < (int)sizeof(uri))
        add_name(v, uri, s, 0);
    /* a $dynamicAnchor is also a plain-name fragment (2020-12 §8.2.2) */
    const char *dyn = spec_node_str(spec_node_get(s, "$dynamicAnchor"));
    if (dyn != NULL && snprintf(uri, sizeof(uri), "%s#%s", base, dyn) < (int)sizeof(uri))
        add_name(v, uri, s, 1);
    if (spec_node_get(s, "$ref") != NULL || spec_node_get(s, "$dynamicRef") != NULL)
        *spec__ptrmap_slot(&v->ref_base, (uintptr_t)s) = (uintptr_t)base;
    /* the dynamic scope matters once a resource declares a $dynamicAnchor (a document fetched
     * later may hold the $dynamicRef) */
    if (dyn != NULL || spec_node_get(s, "$dynamicRef") != NULL)
        v->has_dynamic = 1;
    *spec__ptrmap_slot(&v->schema_base, (uintptr_t)s) = (uintptr_t)base;
    for (size_t i = 0; i < s->u.map.len; ++i)
        if (!ref_only)
            index_child(v, s->u.map.items[i].key, s->u.map.items[i].value, base, depth);
}

void spec__schema_index(spec_validator_t *v, const spec_node_t *root, const char *uri)
{
    char buf[1024];
    if (uri_resolve("", uri, buf, sizeof(buf)) != 0)
        return;
    const char *base = intern(v, buf);
    if (v->root_base == NULL)
        v->root_base = base;
    add_name(v, base, root, 0);
    index_schema(v, root, base, 0);
}

/* ---- Resolution ---- */

/* The target of the $ref held by `schema` (a mapping indexed above), or NULL when it names
 * nothing known and nothing the fetch callback could load. */
static const spec_node_t *resolve_now(spec_validator_t *v, const spec_node_t *schema,
                                      const char *keyword)
{
    size_t basep;
    const char *ref = spec_node_str(spec_node_get(schema, keyword));
    if (ref == NULL)
        return NULL;
    if (!spec__ptrmap_get(&v->ref_base, (uintptr_t)schema, &basep))
        basep = (uintptr_t)(v->root_base != NULL ? v->root_base : ""); /* outside any schema */
    char uri[1024];
    if (uri_resolve((const char *)basep, ref, uri, sizeof(uri)) != 0)
        return NULL;
    const spec_node_t *n = find_name(v, uri);
    if (n != NULL)
        return n;
    char *hash = strchr(uri, '#');
    if (hash != NULL)
        *hash = '\0';
    const spec_node_t *doc = find_name(v, uri);
    if (doc == NULL && v->fetch != NULL) {
        const spec_node_t *root = v->fetch(v->fetch_ctx, uri);
        if (root != NULL) {
            spec__schema_index(v, root, uri);
            doc = find_name(v, uri);
        }
    }
    if (doc == NULL || hash == NULL)
        return doc;
    *hash = '#';
    if (hash[1] != '/')
        return find_name(v, uri); /* a plain-name fragment in a fetched document */
    size_t flen = strlen(hash + 1);
    char *decoded = spec__xmalloc(flen + 1);
    long dlen = spec__percent_decode(hash + 1, flen, decoded);
    const spec_node_t *target = dlen < 0 ? NULL : spec_pointer_get(doc, decoded, (size_t)dlen);
    free(decoded);
    return target;
}

const spec_node_t *spec__schema_deref(spec_validator_t *v, const spec_node_t *schema)
{
    if (v->spec != NULL)
        return spec_deref(v->spec, schema);
    if (schema == NULL || spec_node_get(schema, "$ref") == NULL)
        return schema;
    size_t idx;
    if (spec__ptrmap_get(&v->ref_target, (uintptr_t)schema, &idx))
        return (const spec_node_t *)idx;
    const spec_node_t *t = resolve_now(v, schema, "$ref");
    if (t != NULL)
        *spec__ptrmap_slot(&v->ref_target, (uintptr_t)schema) = (uintptr_t)t;
    return t;
}

const char *spec__schema_base(const spec_validator_t *v, const spec_node_t *schema)
{
    size_t base;
    return spec__ptrmap_get(&v->schema_base, (uintptr_t)schema, &base) ? (const char *)base : NULL;
}

static const spec_node_t *find_dynamic(const spec_validator_t *v, const char *uri)
{
    for (size_t i = 0; i < v->nnamed; ++i)
        if (v->named[i].dynamic && strcmp(v->named[i].uri, uri) == 0)
            return v->named[i].node;
    return NULL;
}

/* 2020-12 §8.2.3.2: $dynamicRef resolves like $ref; when that lands on a $dynamicAnchor named as
 * the fragment, the outermost resource of the dynamic scope with a $dynamicAnchor of that name
 * wins. */
const spec_node_t *spec__schema_dynamic_deref(spec__vctx_t *c, const spec_node_t *schema)
{
    spec_validator_t *v = c->v;
    size_t idx;
    const spec_node_t *target;
    if (spec__ptrmap_get(&v->dyn_target, (uintptr_t)schema, &idx)) {
        target = (const spec_node_t *)idx;
    } else {
        if (v->frozen)
            return NULL;
        target = resolve_now(v, schema, "$dynamicRef");
        if (target == NULL)
            return NULL;
        *spec__ptrmap_slot(&v->dyn_target, (uintptr_t)schema) = (uintptr_t)target;
    }
    const char *ref = spec_node_str(spec_node_get(schema, "$dynamicRef"));
    const char *hash = ref != NULL ? strchr(ref, '#') : NULL;
    if (hash == NULL || hash[1] == '\0' || hash[1] == '/')
        return target;
    const char *name = hash + 1;
    const char *dyn = spec_node_str(spec_node_get(target, "$dynamicAnchor"));
    if (dyn == NULL || strcmp(dyn, name) != 0)
        return target; /* the initial target is no dynamic anchor: a plain $ref */
    char uri[1024];
    for (size_t i = 0; i < c->nscope; ++i) {
        if (snprintf(uri, sizeof(uri), "%s#%s", c->scope[i], name) >= (int)sizeof(uri))
            continue;
        const spec_node_t *n = find_dynamic(v, uri);
        if (n != NULL)
            return n;
    }
    return target;
}
