/* The adapter-file parser's readers (parse.h): errors at a node's position, keys, strings, JSON
 * paths, booleans, values kept as JSON, and the status sets and scopes of a step. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "parse.h"
#include "schema.h"

int adp__parse_fail(adp__parser_t *p, const spec_node_t *n, const char *fmt, ...)
{
    char msg[sizeof(p->ctx->err->message)];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return spec_error_at(p->ctx->err, n, "%s", msg);
}

int adp__parse_expect(adp__parser_t *p, const spec_node_t *n, spec_node_kind_t kind,
                      const char *what)
{
    if (n->kind == kind)
        return 0;
    return adp__parse_fail(p, n, "%s: expected a %s, got %s", what,
                           kind == SPEC_NODE_MAPPING    ? "mapping"
                           : kind == SPEC_NODE_SEQUENCE ? "sequence"
                                                        : "scalar",
                           spec_node_type_name(n));
}

/* Rejects keys outside `allowed` (NULL-terminated). */
int adp__parse_check_keys(adp__parser_t *p, const spec_node_t *map, const char *what,
                          const char *const *allowed)
{
    for (size_t i = 0; i < map->u.map.len; ++i) {
        const spec_node_t *k = map->u.map.items[i].key;
        int ok = 0;
        for (const char *const *a = allowed; *a != NULL && !ok; ++a)
            ok = spec_node_is(k, *a);
        if (!ok)
            return adp__parse_fail(p, k, "%s: unknown key '%s'", what, spec_node_scalar(k));
    }
    return 0;
}

int adp__parse_str(adp__parser_t *p, const spec_node_t *n, const char *what, const char **out)
{
    const char *s = spec_node_str(n);
    if (s == NULL)
        return adp__parse_fail(p, n, "%s: expected a string, got %s", what, spec_node_type_name(n));
    if (strlen(s) != n->u.scalar.len)
        return adp__parse_fail(p, n, "%s: NUL in string", what);
    *out = adp__arena_strndup(p->ctx->arena, s, n->u.scalar.len);
    return 0;
}

/* A required string member. */
int adp__parse_member_str(adp__parser_t *p, const spec_node_t *map, const char *key,
                          const char *what, const char **out)
{
    const spec_node_t *v = spec_node_get(map, key);
    if (v == NULL)
        return adp__parse_fail(p, map, "%s: missing '%s'", what, key);
    return adp__parse_str(p, v, what, out);
}

json_t *adp__parse_json(adp__parser_t *p, const spec_node_t *n)
{
    spec_error_t e;
    json_t *v = spec_node_to_json(n, &p->budget, &e);
    if (v == NULL) {
        adp__parse_fail(p, n, "%s", e.message);
        return NULL;
    }
    json_array_append_new(p->ctx->keep, v);
    return v;
}

int adp__parse_path(adp__parser_t *p, const spec_node_t *n, const char *what, adp__wpath_t *out)
{
    const char *s = NULL;
    if (adp__parse_str(p, n, what, &s) != 0)
        return -1;
    size_t off;
    const char *msg = NULL;
    if (adp__jpath_parse(p->ctx->arena, s, strlen(s), &out->path, &off, &msg) != 0)
        return adp__parse_fail(p, n, "%s: bad JSON path '%s' at offset %zu: %s", what, s, off, msg);
    out->node = n;
    return 0;
}

int adp__parse_member_path(adp__parser_t *p, const spec_node_t *map, const char *key,
                           const char *what, adp__wpath_t *out)
{
    const spec_node_t *v = spec_node_get(map, key);
    if (v == NULL)
        return adp__parse_fail(p, map, "%s: missing '%s'", what, key);
    return adp__parse_path(p, v, what, out);
}

/* ---- status sets (`on`) and scopes (`in`) ---- */

void adp__statuses_add_range(adp__statuses_t *s, int from, int to)
{
    for (int c = from; c <= to; ++c)
        adp__statuses_add(s, c);
}

static int parse_status_item(adp__parser_t *p, const spec_node_t *n, adp__statuses_t *s)
{
    int64_t code;
    if (spec_node_int(n, &code) == 0) {
        if (code < 100 || code > 599)
            return adp__parse_fail(p, n, "on: status %" PRId64 " out of range 100..599", code);
        adp__statuses_add(s, (int)code);
        return 0;
    }
    const char *t = spec_node_scalar(n);
    if (t != NULL && strlen(t) == 3 && t[0] >= '1' && t[0] <= '5' && (t[1] | 0x20) == 'x' &&
        (t[2] | 0x20) == 'x') {
        adp__statuses_add_range(s, (t[0] - '0') * 100, (t[0] - '0') * 100 + 99);
        return 0;
    }
    if (t != NULL && strlen(t) == 3 && t[0] >= '1' && t[0] <= '5' && t[1] >= '0' && t[1] <= '9' &&
        t[2] >= '0' && t[2] <= '9') {
        adp__statuses_add(s, atoi(t));
        return 0;
    }
    if (spec_node_is(n, "any")) {
        adp__statuses_add_range(s, 100, 599);
        return 0;
    }
    if (spec_node_is(n, "errors")) {
        adp__statuses_add_range(s, 400, 599);
        return 0;
    }
    return adp__parse_fail(p, n, "on: expected a status code, 1xx..5xx, 'errors' or 'any'");
}

int adp__parse_on(adp__parser_t *p, const spec_node_t *n, adp__statuses_t *s)
{
    memset(s, 0, sizeof(*s));
    if (n->kind == SPEC_NODE_SCALAR)
        return parse_status_item(p, n, s);
    if (adp__parse_expect(p, n, SPEC_NODE_SEQUENCE, "on") != 0)
        return -1;
    if (n->u.seq.len == 0)
        return adp__parse_fail(p, n, "on: empty list");
    for (size_t i = 0; i < n->u.seq.len; ++i)
        if (parse_status_item(p, n->u.seq.items[i], s) != 0)
            return -1;
    return 0;
}

int adp__parse_scope(adp__parser_t *p, const spec_node_t *n, unsigned *scope)
{
    if (spec_node_is(n, "request"))
        *scope = ADP__IN_REQUEST;
    else if (spec_node_is(n, "response"))
        *scope = ADP__IN_RESPONSE;
    else if (spec_node_is(n, "both"))
        *scope = ADP__IN_REQUEST | ADP__IN_RESPONSE;
    else
        return adp__parse_fail(p, n, "in: expected 'request', 'response' or 'both'");
    return 0;
}

int adp__parse_bool(adp__parser_t *p, const spec_node_t *n, const char *what, int *out)
{
    if (spec_node_bool(n, out) != 0)
        return adp__parse_fail(p, n, "%s: expected true or false, got %s", what,
                               spec_node_type_name(n));
    return 0;
}
