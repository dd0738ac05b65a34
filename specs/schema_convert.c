/* Spec nodes (YAML or JSON documents) as values: into jansson for load-time constants (adapter
 * files) and into the body model for validation (lint's examples). Shared alias nodes are
 * expanded, so both conversions count the values they create against a budget. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "body.h"
#include "schema.h"
#include "spec_internal.h"

/* ---- Nodes to jansson ---- */

typedef struct {
    size_t *left;
    spec_error_t *err;
} conv_t;

static json_t *conv_fail(conv_t *cv, const spec_node_t *n, const char *msg)
{
    if (cv->err != NULL)
        spec_error_at(cv->err, n, "%s", msg);
    return NULL;
}

static json_t *convert(conv_t *cv, const spec_node_t *n)
{
    if (*cv->left == 0)
        return conv_fail(cv, n,
                         "value too large to convert (too many nodes after alias expansion)");
    --*cv->left;
    switch (n->kind) {
    case SPEC_NODE_SCALAR:
        switch (n->scalar_type) {
        case SPEC_SCALAR_NULL:
            return json_null();
        case SPEC_SCALAR_BOOL: {
            int b = 0;
            spec_node_bool(n, &b);
            return json_boolean(b);
        }
        case SPEC_SCALAR_INT: {
            int64_t i;
            if (spec_node_int(n, &i) == 0)
                return json_integer((json_int_t)i);
            /* beyond int64, keep the magnitude as a double */
            __attribute__((fallthrough));
        }
        case SPEC_SCALAR_FLOAT: {
            double d;
            json_t *j = spec_node_number(n, &d) == 0 ? json_real(d) : NULL;
            /* .inf and .nan have no JSON form; keep their text */
            return j != NULL ? j : json_stringn(n->u.scalar.str, n->u.scalar.len);
        }
        case SPEC_SCALAR_STRING: {
            json_t *j = json_stringn(n->u.scalar.str, n->u.scalar.len);
            return j != NULL ? j : conv_fail(cv, n, "string is not valid UTF-8");
        }
        }
        return conv_fail(cv, n, "unknown scalar");
    case SPEC_NODE_SEQUENCE: {
        json_t *a = json_array();
        for (size_t i = 0; i < n->u.seq.len; ++i) {
            json_t *item = convert(cv, n->u.seq.items[i]);
            if (item == NULL) {
                json_decref(a);
                return NULL;
            }
            json_array_append_new(a, item);
        }
        return a;
    }
    case SPEC_NODE_MAPPING: {
        json_t *o = json_object();
        for (size_t i = 0; i < n->u.map.len; ++i) {
            const spec_node_t *k = n->u.map.items[i].key;
            json_t *item = convert(cv, n->u.map.items[i].value);
            if (item == NULL ||
                json_object_setn_new(o, k->u.scalar.str, k->u.scalar.len, item) != 0) {
                json_decref(o);
                return item == NULL ? NULL : conv_fail(cv, k, "key is not valid UTF-8");
            }
        }
        return o;
    }
    }
    return NULL;
}

json_t *spec_node_to_json(const spec_node_t *n, size_t *budget, spec_error_t *err)
{
    size_t fallback = 1000000;
    conv_t cv = {budget != NULL ? budget : &fallback, err};
    return n != NULL ? convert(&cv, n) : json_null();
}

/* ---- Nodes to the body model ---- */

typedef struct {
    const body_mem_t *mem;
    size_t *left;
    spec_error_t *err;
} bconv_t;

static body_value_t *bconv_fail(bconv_t *cv, const spec_node_t *n, const char *msg)
{
    if (cv->err != NULL)
        spec_error_at(cv->err, n, "%s", msg);
    return NULL;
}

static body_value_t *to_body(bconv_t *cv, const spec_node_t *n)
{
    if (*cv->left == 0)
        return bconv_fail(cv, n,
                          "value too large to convert (too many nodes after alias expansion)");
    --*cv->left;
    switch (n->kind) {
    case SPEC_NODE_SCALAR:
        switch (n->scalar_type) {
        case SPEC_SCALAR_NULL:
            return body_null(cv->mem);
        case SPEC_SCALAR_BOOL: {
            int b = 0;
            spec_node_bool(n, &b);
            return body_bool(cv->mem, b);
        }
        case SPEC_SCALAR_INT: {
            int64_t i;
            if (spec_node_int(n, &i) == 0)
                return body_integer(cv->mem, i);
            /* beyond int64, keep the magnitude as a double */
            __attribute__((fallthrough));
        }
        case SPEC_SCALAR_FLOAT: {
            double d;
            body_value_t *v = spec_node_number(n, &d) == 0 ? body_real(cv->mem, d) : NULL;
            /* .inf and .nan have no JSON form; keep their text */
            return v != NULL ? v : body_string(cv->mem, n->u.scalar.str, n->u.scalar.len);
        }
        case SPEC_SCALAR_STRING:
            if (!body_utf8_valid(n->u.scalar.str, n->u.scalar.len))
                return bconv_fail(cv, n, "string is not valid UTF-8");
            return body_string(cv->mem, n->u.scalar.str, n->u.scalar.len);
        }
        return bconv_fail(cv, n, "unknown scalar");
    case SPEC_NODE_SEQUENCE: {
        body_value_t *a = body_array(cv->mem);
        for (size_t i = 0; i < n->u.seq.len; ++i) {
            body_value_t *item = to_body(cv, n->u.seq.items[i]);
            if (item == NULL)
                return NULL;
            body_append(cv->mem, a, item);
        }
        return a;
    }
    case SPEC_NODE_MAPPING: {
        /* keys are unique (the loader rejects duplicates), so members are appended unchecked */
        body_value_t *o = body_object(cv->mem);
        size_t len = n->u.map.len;
        body_member_t *members = len != 0 ? body_alloc(cv->mem, len * sizeof(*members)) : NULL;
        for (size_t i = 0; i < len; ++i) {
            const spec_node_t *k = n->u.map.items[i].key;
            if (!body_utf8_valid(k->u.scalar.str, k->u.scalar.len))
                return bconv_fail(cv, k, "key is not valid UTF-8");
            body_value_t *item = to_body(cv, n->u.map.items[i].value);
            if (item == NULL)
                return NULL;
            members[i] = (body_member_t){
                k->u.scalar.str, (uint32_t)k->u.scalar.len,
                body_needs_escape(k->u.scalar.str, k->u.scalar.len) ? 0 : BODY_VERBATIM, item};
        }
        o->u.members = members;
        o->len = o->cap = (uint32_t)len;
        return o;
    }
    }
    return NULL;
}

body_value_t *spec_node_to_body(const body_mem_t *mem, const spec_node_t *n, size_t *budget,
                                spec_error_t *err)
{
    size_t fallback = 1000000;
    bconv_t cv = {mem, budget != NULL ? budget : &fallback, err};
    return n != NULL ? to_body(&cv, n) : body_null(mem);
}
