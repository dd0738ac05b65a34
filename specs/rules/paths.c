/* Path rules: path-params (template variables and path parameters agree; no equivalent
 * templates), path-keys-no-trailing-slash, path-not-include-query,
 * path-declarations-must-exist (no-ambiguous-paths is in paths_ambiguous.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../lint_internal.h"

#define MAX_NAMES 64

static void path_pointer(lint__path_t *p, const spec_path_t *path)
{
    p->len = 0;
    p->buf[0] = '\0';
    lint__path_push_str(p, "paths");
    lint__path_push_str(p, path->template);
}

/* ---- path-params ---- */

typedef struct {
    const char *name;
    size_t len;
} name_t;

/* Template variables as Spectral reads them: {name}, also {;name}, {?name} and {name*}. */
static size_t template_names(spec_lint_ctx_t *ctx, const spec_path_t *path, name_t *out, size_t max)
{
    size_t n = 0;
    const char *t = path->template;
    for (const char *p = strchr(t, '{'); p != NULL; p = strchr(p + 1, '{')) {
        const char *s = p + 1, *end = strchr(s, '}');
        if (end == NULL)
            break;
        if (*s == ';')
            ++s;
        if (*s == '?')
            ++s;
        const char *e = end;
        if (e > s && e[-1] == '*')
            --e;
        if (e == s ||
            strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") <
                (size_t)(e - s))
            continue;
        name_t nm = {s, (size_t)(e - s)};
        size_t i;
        for (i = 0; i < n; ++i)
            if (out[i].len == nm.len && memcmp(out[i].name, nm.name, nm.len) == 0)
                break;
        if (i < n) {
            lint__path_t ptr;
            path_pointer(&ptr, path);
            lint__report(ctx, LR_PATH_PARAMS, path->key, ptr.buf,
                         "Path \"%s\" must not use parameter \"{%.*s}\" multiple times.", t,
                         (int)nm.len, nm.name);
        } else if (n < max) {
            out[n++] = nm;
        }
    }
    return n;
}

typedef struct {
    name_t name;
    const spec_node_t *at;
    const spec_node_t *method; /* the operation's key when defined there, else NULL */
    size_t index;              /* in its `parameters` list */
} defined_t;

/* Reads the path parameters of a `parameters` list (dereferenced), reporting path-params
 * problems in it; appends them to `defs` (which already holds `n`) and returns the new count. */
static size_t path_params(spec_lint_ctx_t *ctx, const spec_node_t *list, lint__path_t *ptr,
                          const spec_node_t *method, defined_t *defs, size_t n, size_t first_own)
{
    if (list == NULL || list->kind != SPEC_NODE_SEQUENCE)
        return n;
    size_t saved = lint__path_push_str(ptr, "parameters");
    for (size_t i = 0; i < list->u.seq.len; ++i) {
        const spec_node_t *written = list->u.seq.items[i];
        const spec_node_t *p = spec_deref(ctx->spec, written);
        const spec_node_t *name = spec_node_get(p, "name");
        if (!spec_node_is(spec_node_get(p, "in"), "path") || name == NULL ||
            name->kind != SPEC_NODE_SCALAR)
            continue;
        size_t s2 = lint__path_push_index(ptr, i);
        int required = 0;
        if (spec_node_bool(spec_node_get(p, "required"), &required) != 0 || !required)
            lint__report(ctx, LR_PATH_PARAMS, written, ptr->buf,
                         "Path parameter \"%s\" must have \"required\" property that is set to "
                         "\"true\".",
                         name->u.scalar.str);
        size_t k;
        for (k = first_own; k < n; ++k)
            if (defs[k].name.len == name->u.scalar.len &&
                memcmp(defs[k].name.name, name->u.scalar.str, name->u.scalar.len) == 0)
                break;
        if (k < n) {
            lint__report(ctx, LR_PATH_PARAMS, written, ptr->buf,
                         "Path parameter \"%s\" must not be defined multiple times.",
                         name->u.scalar.str);
        } else if (n < MAX_NAMES) {
            /* an operation's parameter overrides the path item's of the same name */
            for (k = 0; k < first_own; ++k)
                if (defs[k].name.len == name->u.scalar.len &&
                    memcmp(defs[k].name.name, name->u.scalar.str, name->u.scalar.len) == 0)
                    break;
            defined_t *d = k < first_own ? &defs[k] : &defs[n++];
            d->name = (name_t){name->u.scalar.str, name->u.scalar.len};
            d->at = written;
            d->method = method;
            d->index = i;
        }
        lint__path_pop(ptr, s2);
    }
    lint__path_pop(ptr, saved);
    return n;
}

static void check_path_params(spec_lint_ctx_t *ctx, const spec_path_t *path)
{
    name_t names[MAX_NAMES];
    size_t nnames = template_names(ctx, path, names, MAX_NAMES);
    if (path->node == NULL || path->node->kind != SPEC_NODE_MAPPING)
        return;
    lint__path_t ptr;
    path_pointer(&ptr, path);
    defined_t top[MAX_NAMES];
    size_t ntop = path_params(ctx, spec_node_get(path->node, "parameters"), &ptr, NULL, top, 0, 0);
    for (size_t o = 0; o < path->noperations; ++o) {
        const spec_operation_t *op = &path->operations[o];
        defined_t defs[MAX_NAMES];
        memcpy(defs, top, ntop * sizeof(*defs));
        size_t saved = lint__path_push(&ptr, op->key->u.scalar.str, op->key->u.scalar.len);
        size_t n = path_params(ctx, spec_node_get(op->node, "parameters"), &ptr, op->key, defs,
                               ntop, ntop);
        for (size_t d = 0; d < n; ++d) {
            size_t i;
            for (i = 0; i < nnames; ++i)
                if (names[i].len == defs[d].name.len &&
                    memcmp(names[i].name, defs[d].name.name, names[i].len) == 0)
                    break;
            if (i < nnames)
                continue;
            lint__path_t at;
            path_pointer(&at, path);
            if (defs[d].method != NULL)
                lint__path_push(&at, defs[d].method->u.scalar.str, defs[d].method->u.scalar.len);
            lint__path_push_str(&at, "parameters");
            lint__path_push_index(&at, defs[d].index);
            lint__report(ctx, LR_PATH_PARAMS, defs[d].at, at.buf,
                         "Parameter \"%.*s\" must be used in path \"%s\".", (int)defs[d].name.len,
                         defs[d].name.name, path->template);
        }
        for (size_t i = 0; i < nnames; ++i) {
            size_t d;
            for (d = 0; d < n; ++d)
                if (names[i].len == defs[d].name.len &&
                    memcmp(names[i].name, defs[d].name.name, names[i].len) == 0)
                    break;
            if (d == n)
                lint__report(ctx, LR_PATH_PARAMS, op->key, ptr.buf,
                             "Operation must define parameter \"{%.*s}\" as expected by path "
                             "\"%s\".",
                             (int)names[i].len, names[i].name, path->template);
        }
        lint__path_pop(&ptr, saved);
    }
}

/* ---- Equivalent and ambiguous templates ---- */

typedef struct {
    const spec_path_t *path;
    char *normal; /* template with every {...} replaced by '%' */
    size_t index;
} shape_t;

static int cmp_shapes(const void *pa, const void *pb)
{
    const shape_t *a = pa, *b = pb;
    int c = strcmp(a->normal, b->normal);
    return c != 0 ? c : (a->index > b->index) - (a->index < b->index);
}

static char *normalize(const char *t)
{
    size_t len = strlen(t);
    char *out = malloc(len + 1), *o = out;
    if (out == NULL)
        abort();
    for (const char *p = t; *p != '\0';) {
        const char *end = *p == '{' ? strchr(p, '}') : NULL;
        if (end != NULL) {
            *o++ = '%';
            p = end + 1;
        } else {
            *o++ = *p++;
        }
    }
    *o = '\0';
    return out;
}

static void check_shapes(spec_lint_ctx_t *ctx)
{
    size_t n = spec_path_count(ctx->spec);
    if (n < 2)
        return;
    shape_t *shapes = malloc(n * sizeof(*shapes));
    if (shapes == NULL)
        abort();
    for (size_t i = 0; i < n; ++i) {
        shapes[i].path = spec_path_at(ctx->spec, i);
        shapes[i].normal = normalize(shapes[i].path->template);
        shapes[i].index = i;
    }
    qsort(shapes, n, sizeof(*shapes), cmp_shapes);
    for (size_t i = 1, first = 0; i < n; ++i) {
        if (strcmp(shapes[i].normal, shapes[first].normal) != 0) {
            first = i;
            continue;
        }
        lint__path_t ptr;
        path_pointer(&ptr, shapes[i].path);
        lint__report(ctx, LR_PATH_PARAMS, shapes[i].path->key, ptr.buf,
                     "Paths \"%s\" and \"%s\" must not be equivalent.",
                     shapes[first].path->template, shapes[i].path->template);
    }
    for (size_t i = 0; i < n; ++i)
        free(shapes[i].normal);
    free(shapes);
}

void lint__rules_paths(spec_lint_ctx_t *ctx)
{
    size_t n = spec_path_count(ctx->spec);
    for (size_t i = 0; i < n; ++i) {
        const spec_path_t *path = spec_path_at(ctx->spec, i);
        const char *t = path->template;
        size_t len = strlen(t);
        lint__path_t ptr;
        path_pointer(&ptr, path);
        if (len >= 2 && t[len - 1] == '/')
            lint__report(ctx, LR_PATH_KEYS_NO_TRAILING_SLASH, path->key, ptr.buf,
                         "Path must not end with slash.");
        if (strchr(t, '?') != NULL)
            lint__report(ctx, LR_PATH_NOT_INCLUDE_QUERY, path->key, ptr.buf,
                         "Path must not include query string.");
        if (strstr(t, "{}") != NULL)
            lint__report(ctx, LR_PATH_DECLARATIONS_MUST_EXIST, path->key, ptr.buf,
                         "Path parameter declarations must not be empty, ex.\"/given/{}\" is "
                         "invalid.");
        if (lint__on(ctx, LR_PATH_PARAMS))
            check_path_params(ctx, path);
    }
    check_shapes(ctx);
    lint__rules_ambiguous_paths(ctx);
}
