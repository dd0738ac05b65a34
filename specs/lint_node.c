/* Helpers for rules: structural comparison of YAML values (numbers by value) and JSON pointers
 * built as a walk descends. */
#include <stdio.h>
#include <string.h>
#include "lint_internal.h"

static int number_of(const spec_node_t *n, double *d)
{
    return n->kind == SPEC_NODE_SCALAR &&
                   (n->scalar_type == SPEC_SCALAR_INT || n->scalar_type == SPEC_SCALAR_FLOAT)
               ? spec_node_number(n, d)
               : -1;
}

static int scalar_class(const spec_node_t *n)
{
    switch (n->scalar_type) {
    case SPEC_SCALAR_NULL:
        return 0;
    case SPEC_SCALAR_BOOL:
        return 1;
    case SPEC_SCALAR_INT:
    case SPEC_SCALAR_FLOAT:
        return 2;
    case SPEC_SCALAR_STRING:
        return 3;
    }
    return 4;
}

int lint__node_cmp(const spec_node_t *a, const spec_node_t *b)
{
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    switch (a->kind) {
    case SPEC_NODE_SCALAR: {
        int ca = scalar_class(a), cb = scalar_class(b);
        if (ca != cb)
            return ca < cb ? -1 : 1;
        if (ca == 2) {
            double x, y;
            if (number_of(a, &x) == 0 && number_of(b, &y) == 0 && x != y)
                return x < y ? -1 : 1;
            if (number_of(a, &x) == 0 && number_of(b, &y) == 0)
                return 0;
        }
        if (ca == 1) {
            int x = 0, y = 0;
            spec_node_bool(a, &x);
            spec_node_bool(b, &y);
            return x - y;
        }
        if (ca == 0)
            return 0;
        size_t n = a->u.scalar.len < b->u.scalar.len ? a->u.scalar.len : b->u.scalar.len;
        int c = memcmp(a->u.scalar.str, b->u.scalar.str, n);
        if (c != 0)
            return c;
        return a->u.scalar.len < b->u.scalar.len ? -1 : a->u.scalar.len > b->u.scalar.len;
    }
    case SPEC_NODE_SEQUENCE:
        if (a->u.seq.len != b->u.seq.len)
            return a->u.seq.len < b->u.seq.len ? -1 : 1;
        for (size_t i = 0; i < a->u.seq.len; ++i) {
            int c = lint__node_cmp(a->u.seq.items[i], b->u.seq.items[i]);
            if (c != 0)
                return c;
        }
        return 0;
    case SPEC_NODE_MAPPING:
        if (a->u.map.len != b->u.map.len)
            return a->u.map.len < b->u.map.len ? -1 : 1;
        for (size_t i = 0; i < a->u.map.len; ++i) {
            int c = lint__node_cmp(a->u.map.items[i].key, b->u.map.items[i].key);
            if (c == 0)
                c = lint__node_cmp(a->u.map.items[i].value, b->u.map.items[i].value);
            if (c != 0)
                return c;
        }
        return 0;
    }
    return 0;
}

int lint__node_equal(const spec_node_t *a, const spec_node_t *b)
{
    if (a->kind == SPEC_NODE_MAPPING && b->kind == SPEC_NODE_MAPPING) {
        /* key order does not matter for equality */
        if (a->u.map.len != b->u.map.len)
            return 0;
        for (size_t i = 0; i < a->u.map.len; ++i) {
            const spec_node_t *k = a->u.map.items[i].key;
            const spec_node_t *v = NULL;
            for (size_t j = 0; j < b->u.map.len && v == NULL; ++j)
                if (lint__node_cmp(k, b->u.map.items[j].key) == 0)
                    v = b->u.map.items[j].value;
            if (v == NULL || !lint__node_equal(a->u.map.items[i].value, v))
                return 0;
        }
        return 1;
    }
    if (a->kind == SPEC_NODE_SEQUENCE && b->kind == SPEC_NODE_SEQUENCE) {
        if (a->u.seq.len != b->u.seq.len)
            return 0;
        for (size_t i = 0; i < a->u.seq.len; ++i)
            if (!lint__node_equal(a->u.seq.items[i], b->u.seq.items[i]))
                return 0;
        return 1;
    }
    return lint__node_cmp(a, b) == 0;
}

int lint__truthy(const spec_node_t *n)
{
    return n != NULL && n->kind == SPEC_NODE_SCALAR && n->scalar_type == SPEC_SCALAR_STRING &&
           n->u.scalar.len != 0;
}

/* ---- Paths ---- */

size_t lint__path_push(lint__path_t *p, const char *token, size_t len)
{
    size_t saved = p->len;
    if (spec_pointer_append(p->buf, sizeof(p->buf), token, len) != 0) {
        p->buf[saved] = '\0'; /* too deep to name: keep the prefix rather than half a token */
        return saved;
    }
    p->len = strlen(p->buf + saved) + saved;
    return saved;
}

size_t lint__path_push_str(lint__path_t *p, const char *token)
{
    return lint__path_push(p, token, strlen(token));
}

size_t lint__path_push_index(lint__path_t *p, size_t i)
{
    char num[24];
    int n = snprintf(num, sizeof(num), "%zu", i);
    return lint__path_push(p, num, (size_t)n);
}

void lint__path_pop(lint__path_t *p, size_t saved)
{
    p->len = saved;
    p->buf[saved] = '\0';
}
