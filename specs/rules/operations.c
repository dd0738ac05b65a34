/* Operation rules over the paths' operations: operation-operationId(-unique, -valid-in-url),
 * operation-parameters, operation-success-response, operation-description, operation-tags and
 * operation-tag-defined. */
#include <stdlib.h>
#include <string.h>
#include "../lint_internal.h"

static void op_pointer(lint__path_t *p, const spec_operation_t *op)
{
    p->len = 0;
    p->buf[0] = '\0';
    lint__path_push_str(p, "paths");
    lint__path_push_str(p, op->path->template);
    lint__path_push(p, op->key->u.scalar.str, op->key->u.scalar.len);
}

/* RFC 3986 unreserved and reserved characters: what Spectral's pattern accepts. */
static int valid_in_url(const char *s)
{
    static const char ok[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
                             "-._~:/?#[]@!$&'()*+,;=";
    return strspn(s, ok) == strlen(s);
}

static void check_parameters(spec_lint_ctx_t *ctx, const spec_operation_t *op, lint__path_t *ptr)
{
    const spec_node_t *list = spec_node_get(op->node, "parameters");
    if (list == NULL || list->kind != SPEC_NODE_SEQUENCE || list->u.seq.len < 2)
        return;
    size_t saved = lint__path_push_str(ptr, "parameters");
    for (size_t i = 1; i < list->u.seq.len; ++i) {
        const spec_node_t *p = spec_deref(ctx->spec, list->u.seq.items[i]);
        const spec_node_t *name = spec_node_get(p, "name"), *in = spec_node_get(p, "in");
        if (name == NULL || in == NULL)
            continue;
        for (size_t j = 0; j < i; ++j) {
            const spec_node_t *q = spec_deref(ctx->spec, list->u.seq.items[j]);
            const spec_node_t *qname = spec_node_get(q, "name"), *qin = spec_node_get(q, "in");
            if (qname == NULL || qin == NULL || !lint__node_equal(name, qname) ||
                !lint__node_equal(in, qin))
                continue;
            size_t s2 = lint__path_push_index(ptr, i);
            lint__report(ctx, LR_OPERATION_PARAMETERS, list->u.seq.items[i], ptr->buf,
                         "A parameter in this operation already exposes the same combination of "
                         "\"name\" and \"in\" values.");
            lint__path_pop(ptr, s2);
            break;
        }
    }
    lint__path_pop(ptr, saved);
}

/* At least one 2xx or 3xx response; the ranges 2XX and 3XX count too. */
static void check_success(spec_lint_ctx_t *ctx, const spec_operation_t *op, lint__path_t *ptr)
{
    const spec_node_t *responses = spec_deref(ctx->spec, spec_node_get(op->node, "responses"));
    if (responses == NULL || responses->kind != SPEC_NODE_MAPPING)
        return;
    for (size_t i = 0; i < responses->u.map.len; ++i) {
        const char *k = responses->u.map.items[i].key->u.scalar.str;
        if ((k[0] == '2' || k[0] == '3') && strlen(k) == 3)
            return;
    }
    size_t saved = lint__path_push_str(ptr, "responses");
    lint__report(ctx, LR_OPERATION_SUCCESS_RESPONSE, responses, ptr->buf,
                 "Operation must have at least one \"2xx\" or \"3xx\" response.");
    lint__path_pop(ptr, saved);
}

static void check_tags(spec_lint_ctx_t *ctx, const spec_operation_t *op, lint__path_t *ptr,
                       const spec_node_t *global)
{
    const spec_node_t *tags = spec_node_get(op->node, "tags");
    if (tags == NULL || tags->kind != SPEC_NODE_SEQUENCE || tags->u.seq.len == 0) {
        size_t saved = tags != NULL ? lint__path_push_str(ptr, "tags") : ptr->len;
        lint__report(ctx, LR_OPERATION_TAGS, tags != NULL ? tags : op->key, ptr->buf,
                     "Operation must have non-empty \"tags\" array.");
        lint__path_pop(ptr, saved);
        return;
    }
    if (!lint__on(ctx, LR_OPERATION_TAG_DEFINED))
        return;
    size_t saved = lint__path_push_str(ptr, "tags");
    for (size_t i = 0; i < tags->u.seq.len; ++i) {
        const spec_node_t *tag = tags->u.seq.items[i];
        int defined = 0;
        for (size_t g = 0; global != NULL && g < global->u.seq.len && !defined; ++g) {
            const spec_node_t *name = spec_node_get(global->u.seq.items[g], "name");
            defined = name != NULL && name->kind == SPEC_NODE_SCALAR && lint__node_equal(name, tag);
        }
        if (defined)
            continue;
        size_t s2 = lint__path_push_index(ptr, i);
        lint__report(ctx, LR_OPERATION_TAG_DEFINED, tag, ptr->buf,
                     "Operation tags must be defined in global tags.");
        lint__path_pop(ptr, s2);
    }
    lint__path_pop(ptr, saved);
}

typedef struct {
    const spec_operation_t *op;
    const spec_node_t *id;
} opid_t;

static int cmp_ids(const void *pa, const void *pb)
{
    const opid_t *a = pa, *b = pb;
    int c = strcmp(a->id->u.scalar.str, b->id->u.scalar.str);
    return c != 0 ? c : (a->op->index > b->op->index) - (a->op->index < b->op->index);
}

static void check_unique_ids(spec_lint_ctx_t *ctx)
{
    size_t n = spec_operation_count(ctx->spec), k = 0;
    opid_t *ids = malloc((n ? n : 1) * sizeof(*ids));
    if (ids == NULL)
        abort();
    for (size_t i = 0; i < n; ++i) {
        const spec_operation_t *op = spec_operation_at(ctx->spec, i);
        const spec_node_t *id = spec_node_get(op->node, "operationId");
        if (id != NULL && id->kind == SPEC_NODE_SCALAR)
            ids[k++] = (opid_t){op, id};
    }
    qsort(ids, k, sizeof(*ids), cmp_ids);
    for (size_t i = 1; i < k; ++i) {
        if (strcmp(ids[i].id->u.scalar.str, ids[i - 1].id->u.scalar.str) != 0)
            continue;
        lint__path_t ptr;
        op_pointer(&ptr, ids[i].op);
        lint__path_push_str(&ptr, "operationId");
        lint__report(ctx, LR_OPERATION_OPERATIONID_UNIQUE, ids[i].id, ptr.buf,
                     "Every operation must have unique \"operationId\".");
    }
    free(ids);
}

void lint__rules_operations(spec_lint_ctx_t *ctx)
{
    const spec_node_t *global = spec_node_get(spec_root(ctx->spec), "tags");
    if (global != NULL && global->kind != SPEC_NODE_SEQUENCE)
        global = NULL;
    size_t n = spec_operation_count(ctx->spec);
    for (size_t i = 0; i < n; ++i) {
        const spec_operation_t *op = spec_operation_at(ctx->spec, i);
        if (op->node == NULL || op->node->kind != SPEC_NODE_MAPPING)
            continue;
        lint__path_t ptr;
        op_pointer(&ptr, op);
        const spec_node_t *id = spec_node_get(op->node, "operationId");
        if (!lint__truthy(id)) {
            lint__report(ctx, LR_OPERATION_OPERATIONID, op->key, ptr.buf,
                         "Operation must have \"operationId\".");
        } else if (!valid_in_url(id->u.scalar.str)) {
            size_t saved = lint__path_push_str(&ptr, "operationId");
            lint__report(ctx, LR_OPERATION_OPERATIONID_VALID_IN_URL, id, ptr.buf,
                         "operationId must not contain characters that are invalid when used in "
                         "URL.");
            lint__path_pop(&ptr, saved);
        }
        if (!lint__truthy(spec_node_get(op->node, "description")))
            lint__report(ctx, LR_OPERATION_DESCRIPTION, op->key, ptr.buf,
                         "Operation \"description\" must be present and non-empty string.");
        if (lint__on(ctx, LR_OPERATION_PARAMETERS))
            check_parameters(ctx, op, &ptr);
        check_success(ctx, op, &ptr);
        check_tags(ctx, op, &ptr, global);
    }
    if (lint__on(ctx, LR_OPERATION_OPERATIONID_UNIQUE))
        check_unique_ids(ctx);
}
