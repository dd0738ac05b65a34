/* The operation index: Paths entries and their operations in document order, with parameters
 * merged from path item and operation, request bodies and responses dereferenced, and the
 * operationId and template lookups. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "spec_internal.h"

static const char *const method_keys[SPEC_METHOD_COUNT] = {
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
};
static const char *const method_names[SPEC_METHOD_COUNT] = {
    "GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE",
};
static const char *const param_locations[] = {"path", "query", "header", "cookie"};

const char *spec_method_name(spec_method_t m)
{
    return (unsigned)m < SPEC_METHOD_COUNT ? method_names[m] : NULL;
}

int spec_method_parse(const char *s, size_t len, spec_method_t *out)
{
    for (int i = 0; i < SPEC_METHOD_COUNT; ++i) {
        if (strlen(method_names[i]) == len && memcmp(method_names[i], s, len) == 0) {
            *out = (spec_method_t)i;
            return 0;
        }
    }
    return -1;
}

static int method_of_key(const spec_node_t *k)
{
    for (int i = 0; i < SPEC_METHOD_COUNT; ++i)
        if (strcmp(k->u.scalar.str, method_keys[i]) == 0)
            return i;
    return -1;
}

/* Pointer of a node that may be a reference: problems inside a referenced node are reported in
 * the file the target lives in, at the target's pointer. */
static void rebase(const spec_t *spec, const spec_node_t *written, char *ptr, size_t size)
{
    const spec_ref_t *ref = spec_ref_of(spec, written);
    if (ref != NULL && ref->resolved_pointer != NULL)
        snprintf(ptr, size, "%s", ref->resolved_pointer);
}

static void child_pointer(char *dst, size_t size, const char *base, const char *token)
{
    snprintf(dst, size, "%s", base);
    spec_pointer_append(dst, size, token, strlen(token));
}

static void index_pointer(char *dst, size_t size, const char *base, size_t i)
{
    char idx[24];
    snprintf(idx, sizeof(idx), "%zu", i);
    child_pointer(dst, size, base, idx);
}

/* A mapping the model needs, or NULL after reporting what was there instead. A $ref whose
 * value is not a string was reported by ref.c: NULL without a second problem. */
static const spec_node_t *need_mapping(spec_t *spec, const spec_node_t *n, const char *ptr,
                                       const char *what)
{
    const spec_node_t *ref = spec_node_get(n, "$ref");
    if (ref != NULL && spec_node_str(ref) == NULL)
        return NULL;
    if (n == NULL || n->kind == SPEC_NODE_MAPPING)
        return n;
    spec__problem(spec, SPEC_SEVERITY_ERROR, SPEC_PROBLEM_STRUCTURE, n, ptr,
                  "%s must be a mapping, not %s", what, spec__a_type(n));
    return NULL;
}

static int param_problem(spec_t *spec, const spec_node_t *n, const char *ptr, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int param_problem(spec_t *spec, const spec_node_t *n, const char *ptr, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    spec__vproblem(spec, SPEC_SEVERITY_ERROR, SPEC_PROBLEM_STRUCTURE, n, ptr, fmt, ap);
    va_end(ap);
    return -1;
}

/* Reads one entry of a `parameters` list; -1 (reported unless it is a broken reference, which
 * ref.c reported) when it cannot be used. */
static int read_param(spec_t *spec, const spec_node_t *written, const char *at, spec_param_t *out)
{
    char ptr[512];
    snprintf(ptr, sizeof(ptr), "%s", at);
    rebase(spec, written, ptr, sizeof(ptr));
    const spec_node_t *n = spec_deref(spec, written);
    if (n == NULL || need_mapping(spec, n, ptr, "a parameter") == NULL)
        return -1;
    const spec_node_t *name = spec_node_get(n, "name"), *in = spec_node_get(n, "in");
    char sub[512];
    if (name == NULL || name->kind != SPEC_NODE_SCALAR || name->scalar_type == SPEC_SCALAR_NULL) {
        if (name == NULL)
            return param_problem(spec, n, ptr, "a parameter needs a 'name'");
        child_pointer(sub, sizeof(sub), ptr, "name");
        return param_problem(spec, name, sub, "a parameter's 'name' must be a string, not %s",
                             spec__a_type(name));
    }
    int loc = -1;
    for (int i = 0; i < 4 && in != NULL; ++i)
        if (spec_node_is(in, param_locations[i]))
            loc = i;
    if (loc < 0 && in == NULL)
        return param_problem(spec, n, ptr,
                             "parameter '%s' needs 'in' (path, query, header or cookie)",
                             name->u.scalar.str);
    if (loc < 0) {
        child_pointer(sub, sizeof(sub), ptr, "in");
        return param_problem(
            spec, in, sub, "parameter '%s' has 'in: %s'; expected path, query, header or cookie",
            name->u.scalar.str, in->kind == SPEC_NODE_SCALAR ? in->u.scalar.str : spec__a_type(in));
    }
    int required = 0;
    spec_node_bool(spec_node_get(n, "required"), &required);
    *out = (spec_param_t){
        .name = name->u.scalar.str,
        .in = (spec_param_in_t)loc,
        .required = loc == SPEC_PARAM_PATH || required,
        .node = n,
        .schema = spec_deref(spec, spec_node_get(n, "schema")),
        .written = written,
    };
    return 0;
}

/* Reads a `parameters` list into `out` (room for the list's length); returns the count kept. */
static size_t read_params(spec_t *spec, const spec_node_t *list, const char *base,
                          spec_param_t *out)
{
    char ptr[512];
    child_pointer(ptr, sizeof(ptr), base, "parameters");
    if (list->kind != SPEC_NODE_SEQUENCE) {
        spec__problem(spec, SPEC_SEVERITY_ERROR, SPEC_PROBLEM_STRUCTURE, list, ptr,
                      "'parameters' must be a sequence, not %s", spec__a_type(list));
        return 0;
    }
    size_t n = 0;
    for (size_t i = 0; i < list->u.seq.len; ++i) {
        char at[512];
        index_pointer(at, sizeof(at), ptr, i);
        if (read_param(spec, list->u.seq.items[i], at, &out[n]) == 0)
            ++n;
    }
    return n;
}

static size_t seq_len(const spec_node_t *n)
{
    return n != NULL && n->kind == SPEC_NODE_SEQUENCE ? n->u.seq.len : 0;
}

static int same_param(const spec_param_t *a, const spec_param_t *b)
{
    if (a->in != b->in)
        return 0;
    /* header names are case-insensitive (RFC 9110 §5.1) */
    return a->in == SPEC_PARAM_HEADER ? strcasecmp(a->name, b->name) == 0
                                      : strcmp(a->name, b->name) == 0;
}

/* Path-item parameters not overridden by the operation's, then the operation's (OpenAPI 3.1
 * §4.8.10.1: the operation's override on equal name and location). */
static void merge_params(spec_t *spec, spec_operation_t *op, const spec_path_t *path,
                         const spec_node_t *list, const char *base)
{
    size_t cap = path->nparams + seq_len(list);
    spec_param_t *out = spec__arena_alloc(&spec->arena, cap * sizeof(*out) + 1);
    spec_param_t *own = out + path->nparams;
    size_t nown = list != NULL ? read_params(spec, list, base, own) : 0;
    size_t n = 0;
    for (size_t i = 0; i < path->nparams; ++i) {
        int overridden = 0;
        for (size_t j = 0; j < nown && !overridden; ++j)
            overridden = same_param(&path->params[i], &own[j]);
        if (!overridden)
            out[n++] = path->params[i];
    }
    memmove(out + n, own, nown * sizeof(*out));
    op->params = out;
    op->nparams = n + nown;
}

static void read_responses(spec_t *spec, spec_operation_t *op, const char *base)
{
    const spec_node_t *written = spec_node_get(op->node, "responses");
    char ptr[512];
    child_pointer(ptr, sizeof(ptr), base, "responses");
    rebase(spec, written, ptr, sizeof(ptr));
    const spec_node_t *map = need_mapping(spec, spec_deref(spec, written), ptr, "'responses'");
    if (map == NULL)
        return;
    spec_response_t *out = spec__arena_alloc(&spec->arena, map->u.map.len * sizeof(*out) + 1);
    size_t n = 0;
    for (size_t i = 0; i < map->u.map.len; ++i) {
        const spec_pair_t *p = &map->u.map.items[i];
        if (p->key->u.scalar.len >= 2 && strncmp(p->key->u.scalar.str, "x-", 2) == 0)
            continue;
        char at[512];
        child_pointer(at, sizeof(at), ptr, p->key->u.scalar.str);
        rebase(spec, p->value, at, sizeof(at));
        const spec_node_t *r = spec_deref(spec, p->value);
        out[n++] = (spec_response_t){
            .status = p->key->u.scalar.str,
            .key = p->key,
            .node = need_mapping(spec, r, at, "a response"),
        };
    }
    op->responses = out;
    op->nresponses = n;
}

static int read_operation(spec_t *spec, spec_operation_t *op, spec_path_t *path,
                          const spec_pair_t *p, const char *path_ptr)
{
    char ptr[512];
    child_pointer(ptr, sizeof(ptr), path_ptr, p->key->u.scalar.str);
    rebase(spec, p->value, ptr, sizeof(ptr));
    const spec_node_t *n = spec_deref(spec, p->value);
    if (n == NULL || need_mapping(spec, n, ptr, "an operation") == NULL)
        return -1;
    op->method = (spec_method_t)method_of_key(p->key);
    op->path = path;
    op->key = p->key;
    op->node = n;
    const spec_node_t *id = spec_node_get(n, "operationId");
    if (id != NULL && id->kind == SPEC_NODE_SCALAR && id->scalar_type != SPEC_SCALAR_NULL) {
        op->operation_id = id->u.scalar.str;
    } else if (id != NULL) {
        char sub[512];
        child_pointer(sub, sizeof(sub), ptr, "operationId");
        spec__problem(spec, SPEC_SEVERITY_ERROR, SPEC_PROBLEM_STRUCTURE, id, sub,
                      "'operationId' must be a string, not %s", spec__a_type(id));
    }
    merge_params(spec, op, path, spec_node_get(n, "parameters"), ptr);
    char sub[512];
    child_pointer(sub, sizeof(sub), ptr, "requestBody");
    const spec_node_t *body = spec_node_get(n, "requestBody");
    rebase(spec, body, sub, sizeof(sub));
    op->request_body = need_mapping(spec, spec_deref(spec, body), sub, "'requestBody'");
    read_responses(spec, op, ptr);
    return 0;
}

static void read_path(spec_t *spec, spec_path_t *path, const spec_pair_t *p, size_t *nops)
{
    char ptr[512];
    child_pointer(ptr, sizeof(ptr), "/paths", p->key->u.scalar.str);
    path->template = p->key->u.scalar.str;
    path->key = p->key;
    path->operations = spec->operations + *nops;
    int template_ok = spec__trie_insert(spec, path, ptr) == 0;
    rebase(spec, p->value, ptr, sizeof(ptr));
    const spec_node_t *item = spec_deref(spec, p->value);
    path->node = item != NULL ? need_mapping(spec, item, ptr, "a path item") : NULL;
    if (path->node == NULL) {
        path->indexed = 0;
        return;
    }
    path->indexed = template_ok;
    const spec_node_t *params = spec_node_get(item, "parameters");
    if (params != NULL) {
        spec_param_t *out = spec__arena_alloc(&spec->arena, seq_len(params) * sizeof(*out) + 1);
        path->nparams = read_params(spec, params, ptr, out);
        path->params = out;
    }
    for (size_t i = 0; i < item->u.map.len; ++i) {
        const spec_pair_t *op = &item->u.map.items[i];
        if (method_of_key(op->key) < 0)
            continue;
        spec_operation_t *o = &spec->operations[*nops];
        if (read_operation(spec, o, path, op, ptr) != 0)
            continue;
        o->index = (*nops)++;
        path->by_method[o->method] = o;
        ++path->noperations;
    }
}

static int cmp_by_id(const void *a, const void *b)
{
    const spec_operation_t *x = *(const spec_operation_t *const *)a;
    const spec_operation_t *y = *(const spec_operation_t *const *)b;
    int c = strcmp(x->operation_id, y->operation_id);
    return c != 0 ? c : (x->index > y->index) - (x->index < y->index);
}

static void index_ids(spec_t *spec)
{
    spec->ops_by_id = spec__xmalloc(spec->noperations * sizeof(*spec->ops_by_id));
    for (size_t i = 0; i < spec->noperations; ++i)
        if (spec->operations[i].operation_id != NULL)
            spec->ops_by_id[spec->nops_by_id++] = &spec->operations[i];
    qsort(spec->ops_by_id, spec->nops_by_id, sizeof(*spec->ops_by_id), cmp_by_id);
}

void spec__build_paths(spec_t *spec)
{
    const spec_node_t *paths = spec_node_get(spec->root, "paths");
    if (need_mapping(spec, paths, "/paths", "'paths'") == NULL) {
        spec__trie_finish(spec);
        return;
    }
    /* Upper bounds first, so paths and operations are two arrays that never move. */
    size_t npaths = 0, nops = 0;
    for (size_t i = 0; i < paths->u.map.len; ++i) {
        const spec_pair_t *p = &paths->u.map.items[i];
        if (p->key->u.scalar.len >= 2 && strncmp(p->key->u.scalar.str, "x-", 2) == 0)
            continue;
        ++npaths;
        const spec_node_t *item = spec_deref(spec, p->value);
        if (item != NULL && item->kind == SPEC_NODE_MAPPING)
            for (size_t j = 0; j < item->u.map.len; ++j)
                nops += method_of_key(item->u.map.items[j].key) >= 0;
    }
    spec->paths = spec__arena_alloc(&spec->arena, npaths * sizeof(*spec->paths) + 1);
    spec->operations = spec__arena_alloc(&spec->arena, nops * sizeof(*spec->operations) + 1);
    for (size_t i = 0; i < paths->u.map.len; ++i) {
        const spec_pair_t *p = &paths->u.map.items[i];
        if (p->key->u.scalar.len >= 2 && strncmp(p->key->u.scalar.str, "x-", 2) == 0)
            continue; /* Paths Object extensions */
        spec_path_t *path = &spec->paths[spec->npaths];
        path->index = spec->npaths++;
        read_path(spec, path, p, &spec->noperations);
    }
    index_ids(spec);
    spec__trie_finish(spec);
}

size_t spec_path_count(const spec_t *spec)
{
    return spec->npaths;
}

const spec_path_t *spec_path_at(const spec_t *spec, size_t i)
{
    return i < spec->npaths ? &spec->paths[i] : NULL;
}

size_t spec_operation_count(const spec_t *spec)
{
    return spec->noperations;
}

const spec_operation_t *spec_operation_at(const spec_t *spec, size_t i)
{
    return i < spec->noperations ? &spec->operations[i] : NULL;
}

const spec_operation_t *spec_find_operation_by_id(const spec_t *spec, const char *operation_id)
{
    size_t lo = 0, hi = spec->nops_by_id;
    while (lo < hi) { /* lower bound: the first in document order among equal ids */
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(spec->ops_by_id[mid]->operation_id, operation_id) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < spec->nops_by_id && strcmp(spec->ops_by_id[lo]->operation_id, operation_id) == 0)
        return spec->ops_by_id[lo];
    return NULL;
}

const spec_path_t *spec_find_path(const spec_t *spec, const char *template)
{
    for (size_t i = 0; i < spec->npaths; ++i)
        if (strcmp(spec->paths[i].template, template) == 0)
            return &spec->paths[i];
    return NULL;
}

unsigned spec_path_methods(const spec_path_t *path)
{
    unsigned bits = 0;
    for (int m = 0; m < SPEC_METHOD_COUNT; ++m)
        if (path->by_method[m] != NULL)
            bits |= 1u << m;
    return bits;
}

size_t spec_path_allow(const spec_path_t *path, char *buf, size_t size)
{
    size_t len = 0;
    for (int m = 0; m < SPEC_METHOD_COUNT; ++m) {
        if (path->by_method[m] == NULL)
            continue;
        const char *sep = len != 0 ? ", " : "";
        int n = snprintf(len < size ? buf + len : NULL, len < size ? size - len : 0, "%s%s", sep,
                         method_names[m]);
        len += (size_t)n;
    }
    if (size != 0 && len == 0)
        buf[0] = '\0';
    return len;
}
