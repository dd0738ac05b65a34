/* The typed walk of an OpenAPI document: every object is checked against its descriptor
 * (rules/oas3_schema.c) for the oas3-schema rule and handed to the visitors of other rules.
 * References into other files are followed once per (target, type); local ones are not, since
 * their targets are walked where they are written. YAML aliases make the tree a DAG, so a node
 * is walked once per context (type, flags, the name it sits under) and its findings are reported
 * at the first path that reaches it: a per-path walk is exponential in the aliases' nesting. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lint_internal.h"
#include "spec_internal.h"

typedef struct {
    const spec_node_t *node;
    lint__type_t type;
    unsigned flags;
    char *path;
} pending_t;

/* A context a node was walked in: everything walk_typed's findings depend on besides the node.
 * The last path segment is there because messages about the node itself name it. */
typedef struct {
    uint64_t ctx; /* type | field flags | walk flags */
    char *last;   /* malloc'd */
    size_t next;  /* index + 1 of the node's next context, 0 at the end */
} seen_t;

/* The walk state; `w` first so visitors' lint__walk_t pointers lead back here. */
typedef struct {
    lint__walk_t w;
    const spec_doc_t *root_doc;
    spec__ptrmap_t followed; /* (target, type) already queued */
    pending_t *queue;
    size_t qhead, qlen, qcap;
    spec__ptrmap_t seen_head; /* node -> index + 1 of its first context in `seen` */
    seen_t *seen;
    size_t nseen, seen_cap;
} walker_t;

static void walk_typed(walker_t *W, const spec_node_t *node, lint__type_t type, unsigned fflags);

void lint__schema_error(lint__walk_t *w, const spec_node_t *at, const char *sub, const char *fmt,
                        ...)
{
    if (!lint__on(w->ctx, LR_OAS3_SCHEMA))
        return;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    size_t saved = w->path.len;
    if (sub != NULL)
        lint__path_push_str(&w->path, sub);
    lint__report(w->ctx, LR_OAS3_SCHEMA, at, w->path.buf, "%s", msg);
    lint__path_pop(&w->path, saved);
}

const char *lint__path_last(const lint__walk_t *w, char *buf, size_t size)
{
    const char *p = w->path.buf, *slash = strrchr(p, '/');
    if (slash == NULL)
        return snprintf(buf, size, "OpenAPI"), buf;
    size_t o = 0;
    for (const char *s = slash + 1; *s != '\0' && o + 1 < size; ++s) {
        if (s[0] == '~' && (s[1] == '0' || s[1] == '1')) {
            buf[o++] = s[1] == '0' ? '~' : '/';
            ++s;
        } else {
            buf[o++] = *s;
        }
    }
    buf[o] = '\0';
    return buf;
}

static int is_string(const spec_node_t *n)
{
    return n->kind == SPEC_NODE_SCALAR && n->scalar_type == SPEC_SCALAR_STRING;
}

static int is_number(const spec_node_t *n)
{
    return n->kind == SPEC_NODE_SCALAR &&
           (n->scalar_type == SPEC_SCALAR_INT || n->scalar_type == SPEC_SCALAR_FLOAT);
}

static void type_error(walker_t *W, const spec_node_t *n, const char *want)
{
    char last[128];
    lint__schema_error(&W->w, n, NULL, "\"%s\" property type must be %s",
                       lint__path_last(&W->w, last, sizeof(last)), want);
}

static int in_values(const spec_node_t *n, const char *const *values)
{
    for (; *values != NULL; ++values)
        if (spec_node_is(n, *values))
            return 1;
    return 0;
}

static void values_error(walker_t *W, const spec_node_t *n, const char *const *values)
{
    char list[256] = "", last[128];
    size_t len = 0;
    for (size_t i = 0; values[i] != NULL && len < sizeof(list); ++i) {
        int w = snprintf(list + len, sizeof(list) - len, "%s\"%s\"", i ? ", " : "", values[i]);
        if (w > 0)
            len += (size_t)w;
    }
    lint__schema_error(&W->w, n, NULL,
                       "\"%s\" property must be equal to one of the allowed values: %s",
                       lint__path_last(&W->w, last, sizeof(last)), list);
}

static const char *const schema_types30[] = {"array",  "boolean", "integer", "number",
                                             "object", "string",  NULL};
static const char *const schema_types31[] = {"array",  "boolean", "integer", "number",
                                             "object", "string",  "null",    NULL};

static void check_schema_type(walker_t *W, const spec_node_t *n)
{
    const char *const *types = W->w.ctx->v31 ? schema_types31 : schema_types30;
    if (n->kind == SPEC_NODE_SEQUENCE && W->w.ctx->v31) {
        for (size_t i = 0; i < n->u.seq.len; ++i) {
            const spec_node_t *t = n->u.seq.items[i];
            size_t saved = lint__path_push_index(&W->w.path, i);
            if (!is_string(t) || !in_values(t, types))
                lint__schema_error(&W->w, t, NULL,
                                   "\"type\" must list only \"array\", \"boolean\", \"integer\", "
                                   "\"number\", \"object\", \"string\" or \"null\"");
            for (size_t j = 0; j < i; ++j)
                if (lint__node_equal(t, n->u.seq.items[j]))
                    lint__schema_error(&W->w, t, NULL, "\"type\" must not list \"%s\" twice",
                                       t->u.scalar.str);
            lint__path_pop(&W->w.path, saved);
        }
        return;
    }
    if (!is_string(n))
        type_error(W, n, W->w.ctx->v31 ? "string or array" : "string");
    else if (!in_values(n, types))
        values_error(W, n, types);
}

/* A field's value against its kind. */
static void walk_value(walker_t *W, const spec_node_t *n, const lint__field_t *f)
{
    switch (f->kind) {
    case LK_ANY:
        break;
    case LK_STRING:
        if (!is_string(n))
            type_error(W, n, "string");
        else if (f->values != NULL && !in_values(n, f->values))
            values_error(W, n, f->values);
        break;
    case LK_BOOL:
        if (n->kind != SPEC_NODE_SCALAR || n->scalar_type != SPEC_SCALAR_BOOL)
            type_error(W, n, "boolean");
        break;
    case LK_NUMBER:
        if (!is_number(n))
            type_error(W, n, "number");
        break;
    case LK_COUNT: {
        int64_t i;
        if (n->kind != SPEC_NODE_SCALAR || n->scalar_type != SPEC_SCALAR_INT ||
            spec_node_int(n, &i) != 0 || i < 0)
            type_error(W, n, "non-negative integer");
        break;
    }
    case LK_OBJECT:
        walk_typed(W, n, f->type, f->flags);
        break;
    case LK_MAP:
        if (n->kind != SPEC_NODE_MAPPING) {
            type_error(W, n, "object");
            break;
        }
        if ((f->flags & LF_NONEMPTY) && n->u.map.len == 0)
            lint__schema_error(&W->w, n, NULL, "\"%s\" must not be empty", f->name);
        for (size_t i = 0; i < n->u.map.len; ++i) {
            const spec_pair_t *p = &n->u.map.items[i];
            size_t saved = lint__path_push(&W->w.path, p->key->u.scalar.str, p->key->u.scalar.len);
            if ((f->flags & LF_NAMES) &&
                strspn(p->key->u.scalar.str, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                             "0123456789._-") != p->key->u.scalar.len)
                lint__schema_error(&W->w, p->key, NULL,
                                   "component name \"%s\" must match ^[a-zA-Z0-9._-]+$",
                                   p->key->u.scalar.str);
            walk_typed(W, p->value, f->type, f->flags);
            lint__path_pop(&W->w.path, saved);
        }
        break;
    case LK_ARRAY:
        if (n->kind != SPEC_NODE_SEQUENCE) {
            type_error(W, n, "array");
            break;
        }
        if ((f->flags & LF_NONEMPTY) && n->u.seq.len == 0)
            lint__schema_error(&W->w, n, NULL, "\"%s\" must not be empty", f->name);
        for (size_t i = 0; i < n->u.seq.len; ++i) {
            size_t saved = lint__path_push_index(&W->w.path, i);
            walk_typed(W, n->u.seq.items[i], f->type, f->flags);
            lint__path_pop(&W->w.path, saved);
        }
        break;
    case LK_STRINGS:
        if (n->kind != SPEC_NODE_SEQUENCE) {
            type_error(W, n, "array");
            break;
        }
        if ((f->flags & LF_NONEMPTY) && n->u.seq.len == 0)
            lint__schema_error(&W->w, n, NULL, "\"%s\" must not be empty", f->name);
        for (size_t i = 0; i < n->u.seq.len; ++i) {
            if (is_string(n->u.seq.items[i]))
                continue;
            size_t saved = lint__path_push_index(&W->w.path, i);
            type_error(W, n->u.seq.items[i], "string");
            lint__path_pop(&W->w.path, saved);
        }
        break;
    case LK_STRING_MAP:
        if (n->kind != SPEC_NODE_MAPPING) {
            type_error(W, n, "object");
            break;
        }
        for (size_t i = 0; i < n->u.map.len; ++i) {
            const spec_pair_t *p = &n->u.map.items[i];
            if (is_string(p->value))
                continue;
            size_t saved = lint__path_push(&W->w.path, p->key->u.scalar.str, p->key->u.scalar.len);
            type_error(W, p->value, "string");
            lint__path_pop(&W->w.path, saved);
        }
        break;
    case LK_MAPPING:
        if (n->kind != SPEC_NODE_MAPPING)
            type_error(W, n, "object");
        break;
    case LK_SEQUENCE:
        if (n->kind != SPEC_NODE_SEQUENCE)
            type_error(W, n, "array");
        break;
    case LK_SCHEMA_TYPE:
        check_schema_type(W, n);
        break;
    }
}

static const lint__field_t *find_field(const lint__object_t *d, const spec_node_t *key, int v31)
{
    const char *k = key->u.scalar.str;
    for (size_t i = 0; i < d->nfields; ++i) {
        const lint__field_t *f = &d->fields[i];
        if (f->name[0] != k[0] || strcmp(f->name, k) != 0)
            continue;
        if ((f->flags & LF_V31) && !v31)
            continue;
        if ((f->flags & LF_V30) && v31)
            continue;
        return f;
    }
    return NULL;
}

static void check_required(walker_t *W, const lint__object_t *d, const spec_node_t *node)
{
    int v31 = W->w.ctx->v31;
    for (size_t i = 0; i < d->nfields; ++i) {
        const lint__field_t *f = &d->fields[i];
        if (!((f->flags & LF_REQUIRED) || ((f->flags & LF_REQUIRED30) && !v31)))
            continue;
        if (((f->flags & LF_V31) && !v31) || ((f->flags & LF_V30) && v31))
            continue;
        if (spec_node_get(node, f->name) != NULL)
            continue;
        char last[128];
        if (W->w.path.len == 0)
            lint__schema_error(&W->w, node, NULL,
                               "OpenAPI object must have required property \"%s\"", f->name);
        else
            lint__schema_error(&W->w, node, NULL,
                               "\"%s\" property must have required property \"%s\"",
                               lint__path_last(&W->w, last, sizeof(last)), f->name);
    }
}

static void walk_object(walker_t *W, const spec_node_t *node, lint__type_t type)
{
    const lint__object_t *d = lint__object(type);
    if (node->kind != SPEC_NODE_MAPPING) {
        type_error(W, node, type == LT_SCHEMA && W->w.ctx->v31 ? "object or boolean" : "object");
        return;
    }
    int v31 = W->w.ctx->v31;
    int open =
        (d->flags & LO_OPEN) || ((d->flags & LO_OPEN31) && v31) || ((d->flags & LO_OPEN30) && !v31);
    for (size_t i = 0; i < node->u.map.len; ++i) {
        const spec_pair_t *p = &node->u.map.items[i];
        const char *k = p->key->u.scalar.str;
        size_t klen = p->key->u.scalar.len;
        const lint__field_t *f = find_field(d, p->key, v31);
        if (f == NULL && (d->flags & LO_EXTENSIONS) && strncmp(k, "x-", 2) == 0)
            continue;
        size_t saved = lint__path_push(&W->w.path, k, klen);
        if (f != NULL) {
            walk_value(W, p->value, f);
        } else if (d->key_ok != NULL) {
            const char *why = d->key_ok(k, klen);
            if (why == NULL) {
                lint__field_t values = {k, d->values_kind, d->values_type, d->values_flags, NULL};
                walk_value(W, p->value, &values);
            } else if (!open) {
                lint__schema_error(&W->w, p->key, NULL, "%s", why);
            }
        } else if (!open) {
            lint__schema_error(&W->w, p->key, NULL, "Property \"%s\" is not expected to be here",
                               k);
        }
        lint__path_pop(&W->w.path, saved);
    }
    check_required(W, d, node);
    if (d->check != NULL)
        d->check(&W->w, node);
}

/* Does a reference into the root document point into a part the walk types where it is
 * written (a component, a path item, a webhook)? Then following it would walk it twice. */
static int is_local_home(const spec_ref_t *ref)
{
    const char *hash = strchr(ref->value->u.scalar.str, '#');
    if (hash == NULL)
        return 0;
    static const char *const homes[] = {
        "#/components/schemas/",
        "#/components/responses/",
        "#/components/parameters/",
        "#/components/examples/",
        "#/components/requestBodies/",
        "#/components/headers/",
        "#/components/securitySchemes/",
        "#/components/links/",
        "#/components/callbacks/",
        "#/components/pathItems/",
        "#/paths/",
        "#/webhooks/",
    };
    for (size_t i = 0; i < sizeof(homes) / sizeof(homes[0]); ++i)
        if (strncmp(hash, homes[i], strlen(homes[i])) == 0)
            return 1;
    return 0;
}

/* Queues the target of a reference for walking when nothing else walks it. */
static void follow(walker_t *W, const spec_node_t *node, lint__type_t type)
{
    const spec_ref_t *ref = spec_ref_of(W->w.ctx->spec, node);
    if (ref == NULL || ref->target == NULL)
        return;
    if (ref->target_doc == W->root_doc && is_local_home(ref))
        return;
    uintptr_t key = (uintptr_t)ref->target * LT_COUNT + (uintptr_t)type;
    if (!spec__ptrmap_put(&W->followed, key, 0, NULL))
        return;
    if (W->qlen == W->qcap) {
        W->qcap = W->qcap ? W->qcap * 2 : 16;
        W->queue = spec__xrealloc(W->queue, W->qcap * sizeof(*W->queue));
    }
    pending_t *p = &W->queue[W->qlen++];
    p->node = ref->target;
    p->type = type;
    p->flags = W->w.flags;
    p->path = spec__xmalloc(W->w.path.len + 1);
    memcpy(p->path, W->w.path.buf, W->w.path.len + 1);
}

static void visit(walker_t *W, const spec_node_t *node, lint__type_t type)
{
    switch (type) {
    case LT_SCHEMA:
        lint__visit_schema_enums(&W->w, node);
        lint__visit_schema_example(&W->w, node);
        lint__visit_schema_keywords(&W->w, node);
        break;
    case LT_SERVER:
        lint__visit_server(&W->w, node);
        break;
    case LT_SERVER_VARIABLE:
        lint__visit_server_variable(&W->w, node);
        break;
    case LT_MEDIA_TYPE:
    case LT_PARAMETER:
    case LT_HEADER:
        lint__visit_media(&W->w, type, node);
        break;
    default:
        break;
    }
}

/* Records that `node` is walked in this context; 0 when it already was. Only collections are
 * recorded: a scalar's checks cost no more than the lookup. */
static int first_visit(walker_t *W, const spec_node_t *node, lint__type_t type, unsigned fflags)
{
    if (node->kind == SPEC_NODE_SCALAR)
        return 1;
    uint64_t ctx = (uint64_t)type | (uint64_t)fflags << 8 | (uint64_t)W->w.flags << 40;
    const char *slash = strrchr(W->w.path.buf, '/');
    const char *last = slash != NULL ? slash + 1 : "";
    size_t *head = spec__ptrmap_slot(&W->seen_head, (uintptr_t)node);
    for (size_t i = *head; i != 0; i = W->seen[i - 1].next)
        if (W->seen[i - 1].ctx == ctx && strcmp(W->seen[i - 1].last, last) == 0)
            return 0;
    size_t first = *head; /* read before the array may move */
    if (W->nseen == W->seen_cap) {
        W->seen_cap = W->seen_cap ? W->seen_cap * 2 : 64;
        W->seen = spec__xrealloc(W->seen, W->seen_cap * sizeof(*W->seen));
    }
    seen_t *s = &W->seen[W->nseen++];
    s->ctx = ctx;
    s->last = spec__xmalloc(strlen(last) + 1);
    strcpy(s->last, last);
    s->next = first;
    *head = W->nseen;
    return 1;
}

static void walk_typed(walker_t *W, const spec_node_t *node, lint__type_t type, unsigned fflags)
{
    int v31 = W->w.ctx->v31;
    if (!first_visit(W, node, type, fflags))
        return;
    if (type == LT_SCHEMA && node->kind == SPEC_NODE_SCALAR &&
        node->scalar_type == SPEC_SCALAR_BOOL && (v31 || (fflags & LF_BOOL)))
        return; /* 3.1: boolean schemas; 3.0: additionalProperties: true|false */
    const spec_node_t *ref = node->kind == SPEC_NODE_MAPPING ? spec_node_get(node, "$ref") : NULL;
    if (ref != NULL && (fflags & LF_REF || type == LT_SCHEMA || type == LT_PATH_ITEM)) {
        if (!is_string(ref)) {
            size_t saved = lint__path_push_str(&W->w.path, "$ref");
            type_error(W, ref, "string");
            lint__path_pop(&W->w.path, saved);
            return;
        }
        follow(W, node, type);
        /* A Path Item's $ref and a 3.1 schema's $ref sit among other fields, which still apply;
         * anything next to a Reference Object is ignored (no-$ref-siblings flags it in 3.0). */
        if (!(type == LT_PATH_ITEM || (type == LT_SCHEMA && v31))) {
            lint__visit_ref(&W->w, node);
            return;
        }
    }
    unsigned saved_flags = W->w.flags;
    if (type == LT_REQUEST_BODY)
        W->w.flags = (W->w.flags & ~LW_RESPONSE) | LW_REQUEST;
    else if (type == LT_RESPONSE)
        W->w.flags = (W->w.flags & ~LW_REQUEST) | LW_RESPONSE;
    walk_object(W, node, type);
    if (node->kind == SPEC_NODE_MAPPING)
        visit(W, node, type);
    W->w.flags = saved_flags;
}

void lint__walk(spec_lint_ctx_t *ctx)
{
    walker_t W;
    memset(&W, 0, sizeof(W));
    W.w.ctx = ctx;
    W.root_doc = ctx->doc;
    walk_typed(&W, spec_root(ctx->spec), LT_OPENAPI, 0);
    while (W.qhead < W.qlen) {
        pending_t p = W.queue[W.qhead++];
        size_t len = strlen(p.path);
        if (len >= sizeof(W.w.path.buf))
            len = sizeof(W.w.path.buf) - 1;
        memcpy(W.w.path.buf, p.path, len);
        W.w.path.buf[len] = '\0';
        W.w.path.len = len;
        W.w.flags = p.flags;
        free(p.path);
        walk_typed(&W, p.node, p.type, LF_REF);
    }
    free(W.queue);
    spec__ptrmap_dispose(&W.followed);
    for (size_t i = 0; i < W.nseen; ++i)
        free(W.seen[i].last);
    free(W.seen);
    spec__ptrmap_dispose(&W.seen_head);
}
