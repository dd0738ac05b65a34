/* JSON pointers (RFC 6901) over positioned nodes, and the percent-decoding of URI fragments
 * (RFC 3986 §2.1) that precedes them in $ref values. */
#include <stdio.h>
#include <string.h>
#include "spec_internal.h"

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

long spec__percent_decode(const char *s, size_t len, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < len; ++i) {
        if (s[i] != '%') {
            if (s[i] == '\0')
                return -1;
            out[o++] = s[i];
            continue;
        }
        int hi = i + 2 < len ? hex_value(s[i + 1]) : -1,
            lo = i + 2 < len ? hex_value(s[i + 2]) : -1;
        if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
            return -1;
        out[o++] = (char)(hi << 4 | lo);
        i += 2;
    }
    out[o] = '\0';
    return (long)o;
}

/* Compares an escaped reference token with a key: "~1" stands for '/', "~0" for '~'. Returns 1
 * on equality, 0 otherwise, -1 when the token holds an invalid escape. */
static int token_equals(const char *tok, size_t toklen, const char *key, size_t keylen)
{
    size_t k = 0;
    for (size_t i = 0; i < toklen; ++i, ++k) {
        char c = tok[i];
        if (c == '~') {
            if (i + 1 >= toklen || (tok[i + 1] != '0' && tok[i + 1] != '1'))
                return -1;
            c = tok[++i] == '0' ? '~' : '/';
        }
        if (k >= keylen || key[k] != c)
            return 0;
    }
    return k == keylen;
}

/* Array index per RFC 6901 §4: decimal digits without leading zeros. */
static int parse_index(const char *tok, size_t len, size_t *out)
{
    if (len == 0 || len > 18 || (len > 1 && tok[0] == '0'))
        return -1;
    size_t v = 0;
    for (size_t i = 0; i < len; ++i) {
        if (tok[i] < '0' || tok[i] > '9')
            return -1;
        v = v * 10 + (size_t)(tok[i] - '0');
    }
    *out = v;
    return 0;
}

const spec_node_t *spec__pointer_walk(const spec_node_t *root, const char *pointer, size_t len,
                                      size_t *failed_at)
{
    const spec_node_t *n = root;
    size_t pos = 0;
    if (failed_at != NULL)
        *failed_at = 0;
    if (len != 0 && pointer[0] != '/')
        return NULL;
    while (n != NULL && pos < len) {
        const char *tok = pointer + pos + 1;
        const char *slash = memchr(tok, '/', len - pos - 1);
        size_t toklen = slash != NULL ? (size_t)(slash - tok) : len - pos - 1;
        const spec_node_t *next = NULL;
        if (n->kind == SPEC_NODE_MAPPING) {
            for (size_t i = 0; i < n->u.map.len; ++i) {
                const spec_node_t *k = n->u.map.items[i].key;
                int eq = token_equals(tok, toklen, k->u.scalar.str, k->u.scalar.len);
                if (eq < 0)
                    return NULL;
                if (eq) {
                    next = n->u.map.items[i].value;
                    break;
                }
            }
        } else if (n->kind == SPEC_NODE_SEQUENCE) {
            size_t idx;
            if (parse_index(tok, toklen, &idx) == 0 && idx < n->u.seq.len)
                next = n->u.seq.items[idx];
        }
        if (next == NULL)
            return NULL;
        n = next;
        pos += toklen + 1;
        if (failed_at != NULL)
            *failed_at = pos;
    }
    return n;
}

const spec_node_t *spec_pointer_get(const spec_node_t *root, const char *pointer, size_t len)
{
    return root != NULL ? spec__pointer_walk(root, pointer, len, NULL) : NULL;
}

int spec_pointer_append(char *buf, size_t size, const char *token, size_t len)
{
    size_t o = strlen(buf);
    if (o + 1 >= size)
        return -1;
    buf[o++] = '/';
    for (size_t i = 0; i < len; ++i) {
        const char *esc = token[i] == '~' ? "~0" : token[i] == '/' ? "~1" : NULL;
        size_t need = esc != NULL ? 2 : 1;
        if (o + need >= size) {
            buf[o] = '\0';
            return -1;
        }
        if (esc != NULL) {
            buf[o++] = esc[0];
            buf[o++] = esc[1];
        } else {
            buf[o++] = token[i];
        }
    }
    buf[o] = '\0';
    return 0;
}

/* Depth-first search for `target` below `n`; the pointer is built in buf as the walk goes. */
static int find_node(const spec_node_t *n, const spec_node_t *target, char *buf, size_t size,
                     unsigned depth)
{
    if (n == target)
        return 1;
    if (depth > 256)
        return 0;
    size_t saved = strlen(buf);
    if (n->kind == SPEC_NODE_MAPPING) {
        for (size_t i = 0; i < n->u.map.len; ++i) {
            const spec_node_t *k = n->u.map.items[i].key;
            if (spec_pointer_append(buf, size, k->u.scalar.str, k->u.scalar.len) == 0 &&
                find_node(n->u.map.items[i].value, target, buf, size, depth + 1))
                return 1;
            buf[saved] = '\0';
        }
    } else if (n->kind == SPEC_NODE_SEQUENCE) {
        for (size_t i = 0; i < n->u.seq.len; ++i) {
            char num[24];
            int len = snprintf(num, sizeof(num), "%zu", i);
            if (spec_pointer_append(buf, size, num, (size_t)len) == 0 &&
                find_node(n->u.seq.items[i], target, buf, size, depth + 1))
                return 1;
            buf[saved] = '\0';
        }
    }
    return 0;
}

int spec_pointer_find(const spec_node_t *root, const spec_node_t *target, char *buf, size_t size)
{
    if (size == 0)
        return -1;
    buf[0] = '\0';
    if (root == NULL || target == NULL || !find_node(root, target, buf, size, 0)) {
        buf[0] = '\0';
        return -1;
    }
    return 0;
}
