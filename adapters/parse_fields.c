/* Header and query steps of an adapter file (rename, added, removed) read into adp__fop_t, with
 * header names and values checked as RFC 9110 allows them. */
#include <string.h>
#include <strings.h>
#include "parse.h"

static int is_tchar(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* RFC 9110 §5.1: a header name is a token. */
static int check_header_name(adp__parser_t *p, const spec_node_t *n, const char *s)
{
    if (*s == '\0')
        return adp__parse_fail(p, n, "header name is empty");
    for (const char *c = s; *c != '\0'; ++c)
        if (!is_tchar((unsigned char)*c))
            return adp__parse_fail(p, n, "'%s' is not a valid header name", s);
    return 0;
}

/* RFC 9110 §5.5: visible characters, spaces and tabs; no CR/LF (no header injection). */
static int check_header_value(adp__parser_t *p, const spec_node_t *n, const char *s)
{
    for (const unsigned char *c = (const unsigned char *)s; *c != '\0'; ++c)
        if ((*c < 0x20 && *c != '\t') || *c == 0x7f)
            return adp__parse_fail(p, n, "header values cannot hold control characters");
    return 0;
}

static int parse_fop(adp__parser_t *p, const spec_node_t *item, int headers, int errors,
                     adp__fop_t *op)
{
    const char *what = headers ? "headers" : "query";
    if (adp__parse_expect(p, item, SPEC_NODE_MAPPING, what) != 0)
        return -1;
    if (item->u.map.len != 1)
        return adp__parse_fail(p, item, "%s: expected exactly one of rename, added, removed", what);
    const spec_node_t *k = item->u.map.items[0].key, *a = item->u.map.items[0].value;
    memset(op, 0, sizeof(*op));
    op->node = k;
    op->scope = headers ? ADP__IN_REQUEST | ADP__IN_RESPONSE : ADP__IN_REQUEST;
    static const char *const k_rename_h[] = {"old", "new", "in", "on", NULL};
    static const char *const k_value_h[] = {"name", "default", "in", "on", NULL};
    static const char *const k_rename_q[] = {"old", "new", NULL};
    static const char *const k_value_q[] = {"name", "default", NULL};
    if (adp__parse_expect(p, a, SPEC_NODE_MAPPING, spec_node_scalar(k)) != 0)
        return -1;
    if (spec_node_is(k, "rename")) {
        op->kind = ADP__FOP_RENAME;
        if (adp__parse_check_keys(p, a, "rename", headers ? k_rename_h : k_rename_q) != 0 ||
            adp__parse_member_str(p, a, "old", "rename.old", &op->old_name) != 0 ||
            adp__parse_member_str(p, a, "new", "rename.new", &op->new_name) != 0)
            return -1;
    } else if (spec_node_is(k, "added") || spec_node_is(k, "removed")) {
        int added = spec_node_is(k, "added");
        op->kind = added ? ADP__FOP_ADDED : ADP__FOP_REMOVED;
        if (adp__parse_check_keys(p, a, spec_node_scalar(k), headers ? k_value_h : k_value_q) !=
                0 ||
            adp__parse_member_str(p, a, "name", "name", added ? &op->new_name : &op->old_name) != 0)
            return -1;
        const spec_node_t *d = spec_node_get(a, "default");
        if (d != NULL) {
            const char *s = spec_node_scalar(d);
            if (s == NULL || d->scalar_type == SPEC_SCALAR_NULL)
                return adp__parse_fail(p, d, "default: expected a scalar");
            op->value = adp__arena_strndup(p->ctx->arena, s, d->u.scalar.len);
            if (headers && check_header_value(p, d, op->value) != 0)
                return -1;
            if (strlen(op->value) != d->u.scalar.len)
                return adp__parse_fail(p, d, "default: NUL in value");
        }
    } else {
        return adp__parse_fail(p, k, "%s: unknown operation '%s' (rename, added, removed)", what,
                               spec_node_scalar(k));
    }
    /* names as written: rename's old and new, added's and removed's name */
    const char *names[2] = {op->old_name, op->new_name};
    const char *keys[2] = {op->kind == ADP__FOP_RENAME ? "old" : "name",
                           op->kind == ADP__FOP_RENAME ? "new" : "name"};
    for (int i = 0; i < 2; ++i) {
        const spec_node_t *at = spec_node_get(a, keys[i]);
        if (names[i] == NULL)
            continue;
        if (headers && check_header_name(p, at, names[i]) != 0)
            return -1;
        if (!headers && names[i][0] == '\0')
            return adp__parse_fail(p, at, "empty name");
    }
    if (op->kind == ADP__FOP_RENAME && (headers ? strcasecmp(op->old_name, op->new_name) == 0
                                                : strcmp(op->old_name, op->new_name) == 0))
        return adp__parse_fail(p, a, "rename: old and new are the same name");
    const spec_node_t *in = spec_node_get(a, "in"), *on = spec_node_get(a, "on");
    if (in != NULL && adp__parse_scope(p, in, &op->scope) != 0)
        return -1;
    if (on != NULL) {
        if (op->scope == ADP__IN_REQUEST)
            return adp__parse_fail(p, on, "on: status codes only apply to responses");
        if (adp__parse_on(p, on, &op->on) != 0)
            return -1;
        op->has_on = 1;
    } else {
        adp__statuses_add_range(&op->on, 100, errors ? 599 : 399);
    }
    return 0;
}

int adp__parse_foplist(adp__parser_t *p, const spec_node_t *n, int headers, int errors,
                       adp__foplist_t *out)
{
    if (adp__parse_expect(p, n, SPEC_NODE_SEQUENCE, headers ? "headers" : "query") != 0)
        return -1;
    out->n = n->u.seq.len;
    out->items = adp__arena_alloc(p->ctx->arena, (out->n + 1) * sizeof(*out->items));
    for (size_t i = 0; i < out->n; ++i)
        if (parse_fop(p, n->u.seq.items[i], headers, errors, &out->items[i]) != 0)
            return -1;
    return 0;
}
