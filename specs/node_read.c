/* Reading a document tree: lookups by key and index, strings, and errors positioned at a node. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "node_internal.h"

const spec_node_t *spec_node_get(const spec_node_t *map, const char *key)
{
    if (map == NULL || map->kind != SPEC_NODE_MAPPING)
        return NULL;
    size_t klen = strlen(key);
    for (size_t i = 0; i < map->u.map.len; ++i) {
        const spec_node_t *k = map->u.map.items[i].key;
        if (k->u.scalar.len == klen && memcmp(k->u.scalar.str, key, klen) == 0)
            return map->u.map.items[i].value;
    }
    return NULL;
}

const spec_node_t *spec_node_at(const spec_node_t *seq, size_t i)
{
    if (seq == NULL || seq->kind != SPEC_NODE_SEQUENCE || i >= seq->u.seq.len)
        return NULL;
    return seq->u.seq.items[i];
}

const char *spec_node_str(const spec_node_t *n)
{
    if (n == NULL || n->kind != SPEC_NODE_SCALAR || n->scalar_type != SPEC_SCALAR_STRING)
        return NULL;
    return n->u.scalar.str;
}

const char *spec_node_scalar(const spec_node_t *n)
{
    return n != NULL && n->kind == SPEC_NODE_SCALAR ? n->u.scalar.str : NULL;
}

int spec_node_is(const spec_node_t *n, const char *s)
{
    return n != NULL && n->kind == SPEC_NODE_SCALAR && strcmp(n->u.scalar.str, s) == 0;
}

/* ---- errors at a node ---- */

void spec__error_vfill(spec_error_t *err, const char *file, uint32_t line, uint32_t col,
                       const char *fmt, va_list ap)
{
    snprintf(err->file, sizeof(err->file), "%s", file != NULL ? file : "");
    err->line = line;
    err->col = col;
    err->pointer[0] = '\0';
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
}

int spec_error_at(spec_error_t *err, const spec_node_t *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    spec__error_vfill(err, n != NULL ? n->pos.file : NULL, n != NULL ? n->pos.line : 0,
                      n != NULL ? n->pos.col : 0, fmt, ap);
    va_end(ap);
    return -1;
}

const char *spec_error_format(const spec_error_t *err, char *buf, size_t size)
{
    if (err->line != 0)
        snprintf(buf, size, "%s:%u:%u: %s", err->file, err->line, err->col, err->message);
    else if (err->file[0] != '\0')
        snprintf(buf, size, "%s: %s", err->file, err->message);
    else
        snprintf(buf, size, "%s", err->message);
    return buf;
}
