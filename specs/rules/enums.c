/* Schema rules on enum and array keywords: duplicated-entry-in-enum, typed-enum (each value has
 * the schema's type) and array-items (3.0 requires `items` with `type: array`). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../lint_internal.h"

#define QUADRATIC_MAX 512 /* above this many values, duplicates are found by sorting */

static void report_duplicate(lint__walk_t *w, const spec_node_t *e, size_t later, size_t first)
{
    size_t saved = lint__path_push_str(&w->path, "enum");
    size_t s2 = lint__path_push_index(&w->path, later);
    lint__report(w->ctx, LR_DUPLICATED_ENTRY_IN_ENUM, e->u.seq.items[later], w->path.buf,
                 "\"enum\" property must not have duplicate items (items ## %zu and %zu are "
                 "identical)",
                 later, first);
    lint__path_pop(&w->path, s2);
    lint__path_pop(&w->path, saved);
}

typedef struct {
    const spec_node_t *node;
    size_t index;
} entry_t;

static int cmp_entries(const void *pa, const void *pb)
{
    const entry_t *a = pa, *b = pb;
    int c = lint__node_cmp(a->node, b->node);
    return c != 0 ? c : (a->index > b->index) - (a->index < b->index);
}

static void duplicated_entries(lint__walk_t *w, const spec_node_t *e)
{
    size_t n = e->u.seq.len;
    if (n <= QUADRATIC_MAX) {
        for (size_t i = 1; i < n; ++i)
            for (size_t j = 0; j < i; ++j)
                if (lint__node_equal(e->u.seq.items[i], e->u.seq.items[j])) {
                    report_duplicate(w, e, i, j);
                    break;
                }
        return;
    }
    entry_t *sorted = malloc(n * sizeof(*sorted));
    if (sorted == NULL)
        abort();
    for (size_t i = 0; i < n; ++i)
        sorted[i] = (entry_t){e->u.seq.items[i], i};
    qsort(sorted, n, sizeof(*sorted), cmp_entries);
    for (size_t i = 1, first = 0; i < n; ++i) {
        if (lint__node_cmp(sorted[i].node, sorted[first].node) == 0)
            report_duplicate(w, e, sorted[i].index, sorted[first].index);
        else
            first = i;
    }
    free(sorted);
}

enum { T_NULL = 1, T_BOOL = 2, T_INT = 4, T_NUM = 8, T_STR = 16, T_ARR = 32, T_OBJ = 64 };

static unsigned type_bit(const spec_node_t *t)
{
    static const char *const names[] = {"null",   "boolean", "integer", "number",
                                        "string", "array",   "object"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); ++i)
        if (spec_node_is(t, names[i]))
            return 1u << i;
    return 0;
}

static unsigned value_bits(const spec_node_t *v)
{
    if (v->kind == SPEC_NODE_MAPPING)
        return T_OBJ;
    if (v->kind == SPEC_NODE_SEQUENCE)
        return T_ARR;
    switch (v->scalar_type) {
    case SPEC_SCALAR_NULL:
        return T_NULL;
    case SPEC_SCALAR_BOOL:
        return T_BOOL;
    case SPEC_SCALAR_INT:
        return T_INT | T_NUM;
    case SPEC_SCALAR_FLOAT: {
        double d;
        /* JSON Schema: 1.0 is an integer */
        return T_NUM | (spec_node_number(v, &d) == 0 && isfinite(d) && d == floor(d) ? T_INT : 0);
    }
    case SPEC_SCALAR_STRING:
        return T_STR;
    }
    return 0;
}

static void typed_enum(lint__walk_t *w, const spec_node_t *schema, const spec_node_t *e,
                       const spec_node_t *type)
{
    unsigned allowed = 0;
    if (type->kind == SPEC_NODE_SEQUENCE) {
        for (size_t i = 0; i < type->u.seq.len; ++i) {
            unsigned b = type_bit(type->u.seq.items[i]);
            if (b == 0)
                return; /* oas3-schema reports unknown type names */
            allowed |= b;
        }
    } else if ((allowed = type_bit(type)) == 0) {
        return;
    }
    int nullable = 0;
    if (spec_node_bool(spec_node_get(schema, "nullable"), &nullable) == 0 && nullable)
        allowed |= T_NULL;
    if (allowed & T_NUM)
        allowed |= T_INT;
    for (size_t i = 0; i < e->u.seq.len; ++i) {
        const spec_node_t *v = e->u.seq.items[i];
        if (value_bits(v) & allowed)
            continue;
        char shown[64];
        if (v->kind == SPEC_NODE_SCALAR)
            snprintf(shown, sizeof(shown), "%.60s", v->u.scalar.str);
        else
            snprintf(shown, sizeof(shown),
                     v->kind == SPEC_NODE_MAPPING ? "[object Object]" : "...");
        char types[96] = "";
        if (type->kind == SPEC_NODE_SCALAR) {
            snprintf(types, sizeof(types), "%s", type->u.scalar.str);
        } else {
            for (size_t t = 0; t < type->u.seq.len; ++t) {
                size_t len = strlen(types);
                snprintf(types + len, sizeof(types) - len, "%s%s", t ? "," : "",
                         type->u.seq.items[t]->u.scalar.str);
            }
        }
        size_t saved = lint__path_push_str(&w->path, "enum");
        size_t s2 = lint__path_push_index(&w->path, i);
        lint__report(w->ctx, LR_TYPED_ENUM, v, w->path.buf,
                     "Enum value `%s` does not respect the specified type `%s`.", shown, types);
        lint__path_pop(&w->path, s2);
        lint__path_pop(&w->path, saved);
    }
}

void lint__visit_schema_enums(lint__walk_t *w, const spec_node_t *schema)
{
    const spec_node_t *e = spec_node_get(schema, "enum"), *type = spec_node_get(schema, "type");
    if (e != NULL && e->kind == SPEC_NODE_SEQUENCE) {
        if (lint__on(w->ctx, LR_DUPLICATED_ENTRY_IN_ENUM))
            duplicated_entries(w, e);
        if (type != NULL && lint__on(w->ctx, LR_TYPED_ENUM))
            typed_enum(w, schema, e, type);
    }
    /* 3.0 §4.7.24.1: "items MUST be present if the type is array". In 3.1 (JSON Schema 2020-12)
     * an array schema without items is valid, so the rule does not apply. */
    if (!w->ctx->v31 && spec_node_is(type, "array") && spec_node_get(schema, "items") == NULL)
        lint__report(w->ctx, LR_ARRAY_ITEMS, schema, w->path.buf,
                     "Schemas with \"type: array\", require a sibling \"items\" field");
}

void lint__visit_server_variable(lint__walk_t *w, const spec_node_t *var)
{
    const spec_node_t *e = spec_node_get(var, "enum");
    if (e != NULL && e->kind == SPEC_NODE_SEQUENCE && lint__on(w->ctx, LR_DUPLICATED_ENTRY_IN_ENUM))
        duplicated_entries(w, e);
}
