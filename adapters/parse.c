/* Reads an adapter file's tree (specs/node.h) into adp__file_t: structure, keywords, types,
 * JSON paths, dates and version names. Checks against the specs happen in check.c/compile.c. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "file.h"
#include "schema.h"

#define MAX_VALUES_PER_FILE 100000 /* jansson values made from defaults and maps */

typedef struct {
    adp__ctx_t *ctx;
    size_t budget;
} parser_t;

static int fail(parser_t *p, const spec_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(parser_t *p, const spec_node_t *n, const char *fmt, ...)
{
    char msg[sizeof(p->ctx->err->message)];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return spec_error_at(p->ctx->err, n, "%s", msg);
}

static int expect(parser_t *p, const spec_node_t *n, spec_node_kind_t kind, const char *what)
{
    if (n->kind == kind)
        return 0;
    return fail(p, n, "%s: expected a %s, got %s", what,
                kind == SPEC_NODE_MAPPING    ? "mapping"
                : kind == SPEC_NODE_SEQUENCE ? "sequence"
                                             : "scalar",
                spec_node_type_name(n));
}

/* Rejects keys outside `allowed` (NULL-terminated). */
static int check_keys(parser_t *p, const spec_node_t *map, const char *what,
                      const char *const *allowed)
{
    for (size_t i = 0; i < map->u.map.len; ++i) {
        const spec_node_t *k = map->u.map.items[i].key;
        int ok = 0;
        for (const char *const *a = allowed; *a != NULL && !ok; ++a)
            ok = spec_node_is(k, *a);
        if (!ok)
            return fail(p, k, "%s: unknown key '%s'", what, spec_node_scalar(k));
    }
    return 0;
}

static int get_str(parser_t *p, const spec_node_t *n, const char *what, const char **out)
{
    const char *s = spec_node_str(n);
    if (s == NULL)
        return fail(p, n, "%s: expected a string, got %s", what, spec_node_type_name(n));
    if (strlen(s) != n->u.scalar.len)
        return fail(p, n, "%s: NUL in string", what);
    *out = adp__arena_strndup(p->ctx->arena, s, n->u.scalar.len);
    return 0;
}

/* A required string member. */
static int member_str(parser_t *p, const spec_node_t *map, const char *key, const char *what,
                      const char **out)
{
    const spec_node_t *v = spec_node_get(map, key);
    if (v == NULL)
        return fail(p, map, "%s: missing '%s'", what, key);
    return get_str(p, v, what, out);
}

static json_t *to_json(parser_t *p, const spec_node_t *n)
{
    spec_error_t e;
    json_t *v = spec_node_to_json(n, &p->budget, &e);
    if (v == NULL) {
        fail(p, n, "%s", e.message);
        return NULL;
    }
    json_array_append_new(p->ctx->keep, v);
    return v;
}

static int parse_path(parser_t *p, const spec_node_t *n, const char *what, adp__wpath_t *out)
{
    const char *s = NULL;
    if (get_str(p, n, what, &s) != 0)
        return -1;
    size_t off;
    const char *msg = NULL;
    if (adp__jpath_parse(p->ctx->arena, s, strlen(s), &out->path, &off, &msg) != 0)
        return fail(p, n, "%s: bad JSON path '%s' at offset %zu: %s", what, s, off, msg);
    out->node = n;
    return 0;
}

static int member_path(parser_t *p, const spec_node_t *map, const char *key, const char *what,
                       adp__wpath_t *out)
{
    const spec_node_t *v = spec_node_get(map, key);
    if (v == NULL)
        return fail(p, map, "%s: missing '%s'", what, key);
    return parse_path(p, v, what, out);
}

static size_t version_index(parser_t *p, const char *name)
{
    for (size_t i = 0; i < p->ctx->nversions; ++i)
        if (strcmp(p->ctx->versions[i].name, name) == 0)
            return i;
    return SIZE_MAX;
}

static int known_versions(parser_t *p, char *buf, size_t size)
{
    size_t at = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < p->ctx->nversions && at < size; ++i)
        at +=
            (size_t)snprintf(buf + at, size - at, "%s%s", i ? ", " : "", p->ctx->versions[i].name);
    return 0;
}

/* ---- status sets (`on`) ---- */

static void add_range(adp__statuses_t *s, int from, int to)
{
    for (int c = from; c <= to; ++c)
        adp__statuses_add(s, c);
}

static int parse_status_item(parser_t *p, const spec_node_t *n, adp__statuses_t *s)
{
    int64_t code;
    if (spec_node_int(n, &code) == 0) {
        if (code < 100 || code > 599)
            return fail(p, n, "on: status %" PRId64 " out of range 100..599", code);
        adp__statuses_add(s, (int)code);
        return 0;
    }
    const char *t = spec_node_scalar(n);
    if (t != NULL && strlen(t) == 3 && t[0] >= '1' && t[0] <= '5' && (t[1] | 0x20) == 'x' &&
        (t[2] | 0x20) == 'x') {
        add_range(s, (t[0] - '0') * 100, (t[0] - '0') * 100 + 99);
        return 0;
    }
    if (t != NULL && strlen(t) == 3 && t[0] >= '1' && t[0] <= '5' && t[1] >= '0' && t[1] <= '9' &&
        t[2] >= '0' && t[2] <= '9') {
        adp__statuses_add(s, atoi(t));
        return 0;
    }
    if (spec_node_is(n, "any")) {
        add_range(s, 100, 599);
        return 0;
    }
    if (spec_node_is(n, "errors")) {
        add_range(s, 400, 599);
        return 0;
    }
    return fail(p, n, "on: expected a status code, 1xx..5xx, 'errors' or 'any'");
}

static int parse_on(parser_t *p, const spec_node_t *n, adp__statuses_t *s)
{
    memset(s, 0, sizeof(*s));
    if (n->kind == SPEC_NODE_SCALAR)
        return parse_status_item(p, n, s);
    if (expect(p, n, SPEC_NODE_SEQUENCE, "on") != 0)
        return -1;
    if (n->u.seq.len == 0)
        return fail(p, n, "on: empty list");
    for (size_t i = 0; i < n->u.seq.len; ++i)
        if (parse_status_item(p, n->u.seq.items[i], s) != 0)
            return -1;
    return 0;
}

static int parse_scope(parser_t *p, const spec_node_t *n, unsigned *scope)
{
    if (spec_node_is(n, "request"))
        *scope = ADP__IN_REQUEST;
    else if (spec_node_is(n, "response"))
        *scope = ADP__IN_RESPONSE;
    else if (spec_node_is(n, "both"))
        *scope = ADP__IN_REQUEST | ADP__IN_RESPONSE;
    else
        return fail(p, n, "in: expected 'request', 'response' or 'both'");
    return 0;
}

/* ---- body steps ---- */

typedef enum { LIST_SCHEMA, LIST_REQUEST, LIST_RESPONSE } list_kind_t;

static const struct {
    const char *name;
    adp__op_kind_t kind;
} op_names[] = {
    {"rename", ADP__OP_RENAME},     {"move", ADP__OP_MOVE},       {"added", ADP__OP_ADDED},
    {"removed", ADP__OP_REMOVED},   {"convert", ADP__OP_CONVERT}, {"map", ADP__OP_MAP},
    {"collapse", ADP__OP_COLLAPSE}, {"expand", ADP__OP_EXPAND},   {"wrap", ADP__OP_WRAP},
    {"unwrap", ADP__OP_UNWRAP},     {"status", ADP__OP_STATUS},
};

static int parse_map_table(parser_t *p, const spec_node_t *n, const char *what, adp__map_t *out)
{
    if (expect(p, n, SPEC_NODE_MAPPING, what) != 0)
        return -1;
    if (n->u.map.len == 0)
        return fail(p, n, "%s: empty mapping", what);
    out->n = n->u.map.len;
    out->from = adp__arena_alloc(p->ctx->arena, out->n * sizeof(json_t *));
    out->to = adp__arena_alloc(p->ctx->arena, out->n * sizeof(json_t *));
    for (size_t i = 0; i < n->u.map.len; ++i) {
        const spec_node_t *k = n->u.map.items[i].key, *v = n->u.map.items[i].value;
        if (v->kind != SPEC_NODE_SCALAR)
            return fail(p, v, "%s: values must be scalars", what);
        if ((out->from[i] = to_json(p, k)) == NULL || (out->to[i] = to_json(p, v)) == NULL)
            return -1;
    }
    return 0;
}

/* The inverse table; fails when two keys map to the same value (ambiguous). */
static int invert_map(parser_t *p, const spec_node_t *n, const char *what, const adp__map_t *m,
                      adp__map_t *out)
{
    for (size_t i = 0; i < m->n; ++i)
        for (size_t j = 0; j < i; ++j)
            if (json_equal(m->to[i], m->to[j]))
                return fail(p, n,
                            "%s: two values map to the same value, so the reverse is "
                            "ambiguous; add new_to_old",
                            what);
    out->n = m->n;
    out->from = m->to;
    out->to = m->from;
    return 0;
}

static int parse_convert(parser_t *p, adp__op_t *op, const spec_node_t *a)
{
    const char *t = NULL;
    if (member_str(p, a, "old", "convert.old", &t) != 0)
        return -1;
    if (adp__type_parse(t, &op->old_type) != 0)
        return fail(p, spec_node_get(a, "old"), "convert.old: unknown type '%s'", t);
    if (member_str(p, a, "new", "convert.new", &t) != 0)
        return -1;
    if (adp__type_parse(t, &op->new_type) != 0)
        return fail(p, spec_node_get(a, "new"), "convert.new: unknown type '%s'", t);
    op->scale = 2;
    const spec_node_t *sc = spec_node_get(a, "scale");
    if (sc != NULL) {
        int64_t v;
        if (spec_node_int(sc, &v) != 0 || v < 0 || v > 9)
            return fail(p, sc, "convert.scale: expected an integer 0..9");
        op->scale = (int)v;
    }
    adp__conv_t c;
    int s;
    if (adp__conv_for(op->old_type, op->new_type, op->scale, &c, &s) != 0 ||
        adp__conv_for(op->new_type, op->old_type, op->scale, &c, &s) != 0)
        return fail(p, a, "convert: cannot convert between %s and %s", adp__type_name(op->old_type),
                    adp__type_name(op->new_type));
    const spec_node_t *m = spec_node_get(a, "mapping");
    int is_enum = c == ADP__C_ENUM;
    if (is_enum != (m != NULL))
        return fail(p, m != NULL ? m : a,
                    is_enum ? "convert: boolean <-> enum needs a mapping {true: ..., false: ...}"
                            : "convert: mapping is only for boolean <-> enum");
    if (!is_enum)
        return 0;
    adp__map_t table;
    if (parse_map_table(p, m, "convert.mapping", &table) != 0)
        return -1;
    int seen[2] = {0, 0};
    for (size_t i = 0; i < table.n; ++i) {
        if (!json_is_boolean(table.from[i]))
            return fail(p, m, "convert.mapping: keys must be true and false");
        if (!json_is_string(table.to[i]))
            return fail(p, m, "convert.mapping: values must be strings");
        seen[json_is_true(table.from[i])] = 1;
    }
    if (!seen[0] || !seen[1])
        return fail(p, m, "convert.mapping: needs both true and false");
    adp__map_t inverse;
    if (invert_map(p, m, "convert.mapping", &table, &inverse) != 0)
        return -1;
    op->up = op->old_type == ADP__T_BOOLEAN ? table : inverse;
    op->down = op->old_type == ADP__T_BOOLEAN ? inverse : table;
    return 0;
}

/* Shorthand `unwrap: data` or `{field: data, at: path, defaults: {...}}`. */
static int parse_envelope(parser_t *p, adp__op_t *op, const spec_node_t *a)
{
    if (a->kind == SPEC_NODE_SCALAR)
        return get_str(p, a, op->name, &op->key);
    static const char *const keys[] = {"field", "at", "defaults", "on", "in", NULL};
    if (check_keys(p, a, op->name, keys) != 0 || member_str(p, a, "field", op->name, &op->key))
        return -1;
    const spec_node_t *at = spec_node_get(a, "at");
    if (at != NULL && parse_path(p, at, op->name, &op->old) != 0)
        return -1;
    op->new = op->old;
    const spec_node_t *d = spec_node_get(a, "defaults");
    if (d != NULL) {
        if (expect(p, d, SPEC_NODE_MAPPING, "defaults") != 0 || (op->value = to_json(p, d)) == NULL)
            return -1;
        if (json_object_getn(op->value, op->key, strlen(op->key)) != NULL)
            return fail(p, d, "%s.defaults: must not hold the member '%s' itself", op->name,
                        op->key);
    }
    return 0;
}

static int parse_status(parser_t *p, adp__op_t *op, const spec_node_t *a)
{
    static const char *const keys[] = {"old", "new", NULL};
    if (check_keys(p, a, "status", keys) != 0)
        return -1;
    const char *names[2] = {"old", "new"};
    int *dst[2] = {&op->status_old, &op->status_new};
    for (int i = 0; i < 2; ++i) {
        const spec_node_t *v = spec_node_get(a, names[i]);
        int64_t code;
        if (v == NULL)
            return fail(p, a, "status: missing '%s'", names[i]);
        if (spec_node_int(v, &code) != 0 || code < 100 || code > 599)
            return fail(p, v, "status.%s: expected a status code 100..599", names[i]);
        *dst[i] = (int)code;
    }
    if (op->status_old == op->status_new)
        return fail(p, a, "status: old and new are equal");
    return 0;
}

/* `what` for messages and logs: "rename tag -> category". */
static const char *describe(parser_t *p, const adp__op_t *op)
{
    adp__arena_t *a = p->ctx->arena;
    const char *o = adp__jpath_format(a, &op->old.path), *n = adp__jpath_format(a, &op->new.path);
    switch (op->kind) {
    case ADP__OP_RENAME:
    case ADP__OP_MOVE:
    case ADP__OP_COLLAPSE:
    case ADP__OP_EXPAND:
        return adp__arena_printf(a, "%s %s -> %s", op->name, o, n);
    case ADP__OP_ADDED:
        return adp__arena_printf(a, "added %s", n);
    case ADP__OP_REMOVED:
        return adp__arena_printf(a, "removed %s", o);
    case ADP__OP_CONVERT:
        return adp__arena_printf(a, "convert %s %s -> %s", o, adp__type_name(op->old_type),
                                 adp__type_name(op->new_type));
    case ADP__OP_MAP:
        return adp__arena_printf(a, "map %s", o);
    case ADP__OP_WRAP:
    case ADP__OP_UNWRAP:
        return adp__arena_printf(a, "%s %s at %s", op->name, op->key, o);
    case ADP__OP_STATUS:
        return adp__arena_printf(a, "status %d -> %d", op->status_old, op->status_new);
    }
    return op->name;
}

static int parse_op_args(parser_t *p, adp__op_t *op, const spec_node_t *a)
{
    static const char *const k_pair[] = {"old", "new", "on", "in", NULL};
    static const char *const k_added[] = {"field", "default", "on", "in", NULL};
    static const char *const k_removed[] = {"field", "default", "from", "on", "in", NULL};
    static const char *const k_convert[] = {"field",   "old", "new", "scale",
                                            "mapping", "on",  "in",  NULL};
    static const char *const k_map[] = {"field", "old_to_new", "new_to_old", "on", "in", NULL};
    static const char *const k_collapse[] = {"field", "old", "new", "key", "on", "in", NULL};
    switch (op->kind) {
    case ADP__OP_RENAME:
    case ADP__OP_MOVE:
        if (check_keys(p, a, op->name, k_pair) != 0 ||
            member_path(p, a, "old", op->name, &op->old) != 0 ||
            member_path(p, a, "new", op->name, &op->new) != 0)
            return -1;
        /* rename's `new` may be a bare name: the sibling of `old` */
        if (op->kind == ADP__OP_RENAME && op->new.path.n == 1 && op->old.path.n > 1 &&
            op->new.path.segs[0].kind == ADP__SEG_KEY) {
            adp__jpath_t parent = adp__jpath_slice(&op->old.path, 0, op->old.path.n - 1);
            op->new.path = adp__jpath_concat(p->ctx->arena, &parent, &op->new.path);
        }
        return 0;
    case ADP__OP_ADDED:
    case ADP__OP_REMOVED: {
        int added = op->kind == ADP__OP_ADDED;
        if (check_keys(p, a, op->name, added ? k_added : k_removed) != 0 ||
            member_path(p, a, "field", op->name, added ? &op->new : &op->old) != 0)
            return -1;
        const spec_node_t *d = spec_node_get(a, "default"), *f = spec_node_get(a, "from");
        if (d != NULL && f != NULL)
            return fail(p, f, "removed: give either 'default' or 'from', not both");
        if (d != NULL) {
            op->has_default = 1;
            if ((op->value = to_json(p, d)) == NULL)
                return -1;
        }
        if (f != NULL) {
            op->has_from = 1;
            if (parse_path(p, f, "removed.from", &op->from) != 0)
                return -1;
        }
        return 0;
    }
    case ADP__OP_CONVERT:
        if (check_keys(p, a, op->name, k_convert) != 0 ||
            member_path(p, a, "field", op->name, &op->old) != 0)
            return -1;
        op->new = op->old;
        return parse_convert(p, op, a);
    case ADP__OP_MAP: {
        if (check_keys(p, a, op->name, k_map) != 0 ||
            member_path(p, a, "field", op->name, &op->old) != 0)
            return -1;
        op->new = op->old;
        const spec_node_t *up = spec_node_get(a, "old_to_new"),
                          *down = spec_node_get(a, "new_to_old");
        if (up == NULL)
            return fail(p, a, "map: missing 'old_to_new'");
        if (parse_map_table(p, up, "map.old_to_new", &op->up) != 0)
            return -1;
        if (down != NULL)
            return parse_map_table(p, down, "map.new_to_old", &op->down);
        return invert_map(p, up, "map.old_to_new", &op->up, &op->down);
    }
    case ADP__OP_COLLAPSE:
    case ADP__OP_EXPAND: {
        if (check_keys(p, a, op->name, k_collapse) != 0)
            return -1;
        const spec_node_t *f = spec_node_get(a, "field");
        if (f != NULL) {
            if (spec_node_get(a, "old") != NULL || spec_node_get(a, "new") != NULL)
                return fail(p, f, "%s: give either 'field' or 'old' and 'new'", op->name);
            if (parse_path(p, f, op->name, &op->old) != 0)
                return -1;
            op->new = op->old;
        } else if (member_path(p, a, "old", op->name, &op->old) != 0 ||
                   member_path(p, a, "new", op->name, &op->new) != 0) {
            return -1;
        }
        op->key = "id";
        const spec_node_t *k = spec_node_get(a, "key");
        return k != NULL ? get_str(p, k, "key", &op->key) : 0;
    }
    case ADP__OP_WRAP:
    case ADP__OP_UNWRAP:
        return parse_envelope(p, op, a);
    case ADP__OP_STATUS:
        return parse_status(p, op, a);
    }
    return 0;
}

static int parse_op(parser_t *p, const spec_node_t *item, list_kind_t list, int errors,
                    adp__op_t *op)
{
    if (expect(p, item, SPEC_NODE_MAPPING, "step") != 0)
        return -1;
    if (item->u.map.len != 1)
        return fail(p, item,
                    "step: expected exactly one operation (rename, move, added, removed, "
                    "convert, map, collapse, expand, wrap, unwrap, status)");
    const spec_node_t *k = item->u.map.items[0].key, *a = item->u.map.items[0].value;
    size_t i;
    for (i = 0; i < sizeof(op_names) / sizeof(op_names[0]); ++i)
        if (spec_node_is(k, op_names[i].name))
            break;
    if (i == sizeof(op_names) / sizeof(op_names[0]))
        return fail(p, k, "unknown operation '%s'", spec_node_scalar(k));
    memset(op, 0, sizeof(*op));
    op->kind = op_names[i].kind;
    op->name = op_names[i].name;
    op->node = k;
    op->scope = list == LIST_REQUEST    ? ADP__IN_REQUEST
                : list == LIST_RESPONSE ? ADP__IN_RESPONSE
                                        : ADP__IN_REQUEST | ADP__IN_RESPONSE;
    if (op->kind == ADP__OP_STATUS && list != LIST_RESPONSE)
        return fail(p, k, "status: only in an operation's response steps");
    if (!((op->kind == ADP__OP_WRAP || op->kind == ADP__OP_UNWRAP) &&
          a->kind == SPEC_NODE_SCALAR) &&
        expect(p, a, SPEC_NODE_MAPPING, op->name) != 0)
        return -1;
    if (parse_op_args(p, op, a) != 0)
        return -1;
    const spec_node_t *on = a->kind == SPEC_NODE_MAPPING ? spec_node_get(a, "on") : NULL;
    const spec_node_t *in = a->kind == SPEC_NODE_MAPPING ? spec_node_get(a, "in") : NULL;
    if (in != NULL) {
        if (list != LIST_SCHEMA)
            return fail(p, in,
                        "%s.in: only schema steps choose request or response; this list "
                        "already says which",
                        op->name);
        if (parse_scope(p, in, &op->scope) != 0)
            return -1;
    }
    if (on != NULL) {
        if (list == LIST_REQUEST || op->scope == ADP__IN_REQUEST)
            return fail(p, on, "%s.on: status codes only apply to responses", op->name);
        if (parse_on(p, on, &op->on) != 0)
            return -1;
        op->has_on = 1;
    } else {
        add_range(&op->on, 100, errors ? 599 : 399);
    }
    op->what = describe(p, op);
    return 0;
}

static int parse_oplist(parser_t *p, const spec_node_t *n, const char *what, list_kind_t kind,
                        int errors, adp__oplist_t *out)
{
    if (expect(p, n, SPEC_NODE_SEQUENCE, what) != 0)
        return -1;
    out->n = n->u.seq.len;
    out->items = adp__arena_alloc(p->ctx->arena, (out->n + 1) * sizeof(*out->items));
    for (size_t i = 0; i < out->n; ++i)
        if (parse_op(p, n->u.seq.items[i], kind, errors, &out->items[i]) != 0)
            return -1;
    return 0;
}

/* ---- header and query steps ---- */

static int is_tchar(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* RFC 9110 §5.1: a header name is a token. */
static int check_header_name(parser_t *p, const spec_node_t *n, const char *s)
{
    if (*s == '\0')
        return fail(p, n, "header name is empty");
    for (const char *c = s; *c != '\0'; ++c)
        if (!is_tchar((unsigned char)*c))
            return fail(p, n, "'%s' is not a valid header name", s);
    return 0;
}

/* RFC 9110 §5.5: visible characters, spaces and tabs; no CR/LF (no header injection). */
static int check_header_value(parser_t *p, const spec_node_t *n, const char *s)
{
    for (const unsigned char *c = (const unsigned char *)s; *c != '\0'; ++c)
        if ((*c < 0x20 && *c != '\t') || *c == 0x7f)
            return fail(p, n, "header values cannot hold control characters");
    return 0;
}

static int parse_fop(parser_t *p, const spec_node_t *item, int headers, int errors, adp__fop_t *op)
{
    const char *what = headers ? "headers" : "query";
    if (expect(p, item, SPEC_NODE_MAPPING, what) != 0)
        return -1;
    if (item->u.map.len != 1)
        return fail(p, item, "%s: expected exactly one of rename, added, removed", what);
    const spec_node_t *k = item->u.map.items[0].key, *a = item->u.map.items[0].value;
    memset(op, 0, sizeof(*op));
    op->node = k;
    op->scope = headers ? ADP__IN_REQUEST | ADP__IN_RESPONSE : ADP__IN_REQUEST;
    static const char *const k_rename_h[] = {"old", "new", "in", "on", NULL};
    static const char *const k_value_h[] = {"name", "default", "in", "on", NULL};
    static const char *const k_rename_q[] = {"old", "new", NULL};
    static const char *const k_value_q[] = {"name", "default", NULL};
    if (expect(p, a, SPEC_NODE_MAPPING, spec_node_scalar(k)) != 0)
        return -1;
    if (spec_node_is(k, "rename")) {
        op->kind = ADP__FOP_RENAME;
        if (check_keys(p, a, "rename", headers ? k_rename_h : k_rename_q) != 0 ||
            member_str(p, a, "old", "rename.old", &op->old_name) != 0 ||
            member_str(p, a, "new", "rename.new", &op->new_name) != 0)
            return -1;
    } else if (spec_node_is(k, "added") || spec_node_is(k, "removed")) {
        int added = spec_node_is(k, "added");
        op->kind = added ? ADP__FOP_ADDED : ADP__FOP_REMOVED;
        if (check_keys(p, a, spec_node_scalar(k), headers ? k_value_h : k_value_q) != 0 ||
            member_str(p, a, "name", "name", added ? &op->new_name : &op->old_name) != 0)
            return -1;
        const spec_node_t *d = spec_node_get(a, "default");
        if (d != NULL) {
            const char *s = spec_node_scalar(d);
            if (s == NULL || d->scalar_type == SPEC_SCALAR_NULL)
                return fail(p, d, "default: expected a scalar");
            op->value = adp__arena_strndup(p->ctx->arena, s, d->u.scalar.len);
            if (headers && check_header_value(p, d, op->value) != 0)
                return -1;
            if (strlen(op->value) != d->u.scalar.len)
                return fail(p, d, "default: NUL in value");
        }
    } else {
        return fail(p, k, "%s: unknown operation '%s' (rename, added, removed)", what,
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
            return fail(p, at, "empty name");
    }
    if (op->kind == ADP__FOP_RENAME && (headers ? strcasecmp(op->old_name, op->new_name) == 0
                                                : strcmp(op->old_name, op->new_name) == 0))
        return fail(p, a, "rename: old and new are the same name");
    const spec_node_t *in = spec_node_get(a, "in"), *on = spec_node_get(a, "on");
    if (in != NULL && parse_scope(p, in, &op->scope) != 0)
        return -1;
    if (on != NULL) {
        if (op->scope == ADP__IN_REQUEST)
            return fail(p, on, "on: status codes only apply to responses");
        if (parse_on(p, on, &op->on) != 0)
            return -1;
        op->has_on = 1;
    } else {
        add_range(&op->on, 100, errors ? 599 : 399);
    }
    return 0;
}

static int parse_foplist(parser_t *p, const spec_node_t *n, int headers, int errors,
                         adp__foplist_t *out)
{
    if (expect(p, n, SPEC_NODE_SEQUENCE, headers ? "headers" : "query") != 0)
        return -1;
    out->n = n->u.seq.len;
    out->items = adp__arena_alloc(p->ctx->arena, (out->n + 1) * sizeof(*out->items));
    for (size_t i = 0; i < out->n; ++i)
        if (parse_fop(p, n->u.seq.items[i], headers, errors, &out->items[i]) != 0)
            return -1;
    return 0;
}

/* ---- operations ---- */

int adp__parse_op_key(const char *s, int *method, const char **tpl)
{
    const char *sp = strchr(s, ' ');
    spec_method_t m;
    if (sp == NULL || spec_method_parse(s, (size_t)(sp - s), &m) != 0 || sp[1] != '/')
        return -1;
    *method = (int)m;
    *tpl = sp + 1;
    return 0;
}

static int parse_op_name(parser_t *p, const spec_node_t *k, const char **id, int *method,
                         const char **tpl)
{
    const char *s = spec_node_scalar(k);
    *id = NULL;
    *method = -1;
    *tpl = NULL;
    if (adp__parse_op_key(s, method, tpl) == 0) {
        *tpl = adp__arena_strdup(p->ctx->arena, *tpl);
        return 0;
    }
    if (*s == '\0' || strpbrk(s, " \t/") != NULL)
        return fail(p, k, "operation '%s': expected an operationId or \"METHOD /template\"", s);
    *id = adp__arena_strdup(p->ctx->arena, s);
    return 0;
}

static int get_bool(parser_t *p, const spec_node_t *n, const char *what, int *out)
{
    if (spec_node_bool(n, out) != 0)
        return fail(p, n, "%s: expected true or false, got %s", what, spec_node_type_name(n));
    return 0;
}

static int parse_opent(parser_t *p, const spec_pair_t *pair, int change_errors, adp__opent_t *e)
{
    static const char *const keys[] = {"request", "response", "headers", "query",
                                       "path",    "gone",     "errors",  NULL};
    const spec_node_t *n = pair->value;
    memset(e, 0, sizeof(*e));
    e->key = pair->key;
    e->errors = -1;
    if (parse_op_name(p, pair->key, &e->id, &e->method, &e->tpl) != 0 ||
        expect(p, n, SPEC_NODE_MAPPING, spec_node_scalar(pair->key)) != 0 ||
        check_keys(p, n, "operation", keys) != 0)
        return -1;
    const spec_node_t *v;
    if ((v = spec_node_get(n, "errors")) != NULL && get_bool(p, v, "errors", &e->errors) != 0)
        return -1;
    int errors = e->errors >= 0 ? e->errors : change_errors;
    if ((v = spec_node_get(n, "request")) != NULL &&
        parse_oplist(p, v, "request", LIST_REQUEST, errors, &e->request) != 0)
        return -1;
    if ((v = spec_node_get(n, "response")) != NULL &&
        parse_oplist(p, v, "response", LIST_RESPONSE, errors, &e->response) != 0)
        return -1;
    if ((v = spec_node_get(n, "headers")) != NULL &&
        parse_foplist(p, v, 1, errors, &e->headers) != 0)
        return -1;
    if ((v = spec_node_get(n, "query")) != NULL && parse_foplist(p, v, 0, errors, &e->query) != 0)
        return -1;
    if ((v = spec_node_get(n, "path")) != NULL) {
        static const char *const pk[] = {"old", "new", NULL};
        if (expect(p, v, SPEC_NODE_MAPPING, "path") != 0 || check_keys(p, v, "path", pk) != 0 ||
            member_str(p, v, "old", "path.old", &e->path_old) != 0 ||
            member_str(p, v, "new", "path.new", &e->path_new) != 0)
            return -1;
        e->path_node = v;
        if (e->path_old[0] != '/' || e->path_new[0] != '/')
            return fail(p, v, "path: templates start with '/'");
    }
    if ((v = spec_node_get(n, "gone")) != NULL) {
        if (v->scalar_type == SPEC_SCALAR_STRING) {
            if (get_str(p, v, "gone", &e->gone_detail) != 0)
                return -1;
            e->gone = 1;
        } else if (get_bool(p, v, "gone", &e->gone) != 0) {
            return -1;
        }
        if (e->gone && n->u.map.len != 1)
            return fail(p, v, "gone: a gone operation has no other changes");
    }
    return 0;
}

static int parse_change(parser_t *p, const spec_node_t *n, adp__change_t *c)
{
    static const char *const keys[] = {"to",      "description", "errors", "operations",
                                       "schemas", "headers",     "query",  NULL};
    if (expect(p, n, SPEC_NODE_MAPPING, "change") != 0 || check_keys(p, n, "change", keys) != 0)
        return -1;
    c->node = n;
    const char *to = NULL;
    if (member_str(p, n, "to", "change", &to) != 0)
        return -1;
    c->to = version_index(p, to);
    if (c->to == SIZE_MAX) {
        char known[512];
        known_versions(p, known, sizeof(known));
        return fail(p, spec_node_get(n, "to"), "to: unknown version '%s' (versions: %s)", to,
                    known);
    }
    if (c->to == 0)
        return fail(p, spec_node_get(n, "to"),
                    "to: '%s' is the oldest version; a change leads to a newer one", to);
    const spec_node_t *v;
    if ((v = spec_node_get(n, "description")) != NULL &&
        get_str(p, v, "description", &c->description) != 0)
        return -1;
    if ((v = spec_node_get(n, "errors")) != NULL && get_bool(p, v, "errors", &c->errors) != 0)
        return -1;
    if ((v = spec_node_get(n, "operations")) != NULL) {
        if (expect(p, v, SPEC_NODE_MAPPING, "operations") != 0)
            return -1;
        c->nops = v->u.map.len;
        c->ops = adp__arena_alloc(p->ctx->arena, (c->nops + 1) * sizeof(*c->ops));
        for (size_t i = 0; i < c->nops; ++i)
            if (parse_opent(p, &v->u.map.items[i], c->errors, &c->ops[i]) != 0)
                return -1;
    }
    if ((v = spec_node_get(n, "schemas")) != NULL) {
        if (expect(p, v, SPEC_NODE_MAPPING, "schemas") != 0)
            return -1;
        c->nschemas = v->u.map.len;
        c->schemas = adp__arena_alloc(p->ctx->arena, (c->nschemas + 1) * sizeof(*c->schemas));
        for (size_t i = 0; i < c->nschemas; ++i) {
            adp__schent_t *s = &c->schemas[i];
            s->key = v->u.map.items[i].key;
            s->name = adp__arena_strdup(p->ctx->arena, spec_node_scalar(s->key));
            if (parse_oplist(p, v->u.map.items[i].value, s->name, LIST_SCHEMA, c->errors,
                             &s->ops) != 0)
                return -1;
        }
    }
    if ((v = spec_node_get(n, "headers")) != NULL &&
        parse_foplist(p, v, 1, c->errors, &c->headers) != 0)
        return -1;
    if ((v = spec_node_get(n, "query")) != NULL &&
        parse_foplist(p, v, 0, c->errors, &c->query) != 0)
        return -1;
    return 0;
}

/* ---- deprecation ---- */

/* A URI for a Link header: no whitespace, controls, quotes or angle brackets (RFC 8288 §3). */
static int check_link(parser_t *p, const spec_node_t *n, const char *s)
{
    const char *colon = strchr(s, ':');
    if (colon == NULL || colon == s)
        return fail(p, n, "link: expected an absolute URI");
    for (const unsigned char *c = (const unsigned char *)s; *c != '\0'; ++c)
        if (*c <= 0x20 || *c >= 0x7f || *c == '<' || *c == '>' || *c == '"')
            return fail(p, n, "link: '%c' (0x%02x) is not allowed in a URI",
                        *c >= 0x20 && *c < 0x7f ? *c : '?', *c);
    return 0;
}

static int parse_date_node(parser_t *p, const spec_node_t *n, const char *what, int64_t *out)
{
    const char *s = spec_node_scalar(n);
    if (n->kind != SPEC_NODE_SCALAR || s == NULL || adp_parse_date(s, n->u.scalar.len, out) != 0)
        return fail(p, n, "%s: expected a date (2026-06-30) or an RFC 3339 date-time", what);
    return 0;
}

static int parse_depr(parser_t *p, const spec_node_t *n, int with_ops, adp__depr_t *d)
{
    static const char *const keys_v[] = {"deprecated",   "sunset",     "link", "sunset_link",
                                         "after_sunset", "operations", NULL};
    static const char *const keys_o[] = {"deprecated",  "sunset",       "link",
                                         "sunset_link", "after_sunset", NULL};
    if (expect(p, n, SPEC_NODE_MAPPING, "deprecation") != 0 ||
        check_keys(p, n, with_ops ? "version" : "operation", with_ops ? keys_v : keys_o) != 0)
        return -1;
    d->node = n;
    const spec_node_t *v;
    if ((v = spec_node_get(n, "deprecated")) != NULL) {
        if (parse_date_node(p, v, "deprecated", &d->deprecated_at) != 0)
            return -1;
        d->has_deprecated = 1;
    }
    if ((v = spec_node_get(n, "sunset")) != NULL) {
        if (parse_date_node(p, v, "sunset", &d->sunset_at) != 0)
            return -1;
        d->has_sunset = 1;
    }
    if (d->has_deprecated && d->has_sunset && d->sunset_at < d->deprecated_at)
        return fail(p, v, "sunset: earlier than the deprecation date (RFC 9745 §3)");
    if ((v = spec_node_get(n, "link")) != NULL &&
        (get_str(p, v, "link", &d->link) != 0 || check_link(p, v, d->link) != 0))
        return -1;
    if ((v = spec_node_get(n, "sunset_link")) != NULL &&
        (get_str(p, v, "sunset_link", &d->sunset_link) != 0 ||
         check_link(p, v, d->sunset_link) != 0))
        return -1;
    d->gone_after_sunset = 1;
    if ((v = spec_node_get(n, "after_sunset")) != NULL) {
        if (spec_node_is(v, "gone"))
            d->gone_after_sunset = 1;
        else if (spec_node_is(v, "serve"))
            d->gone_after_sunset = 0;
        else
            return fail(p, v, "after_sunset: expected 'gone' or 'serve'");
        d->has_after_sunset = 1;
    }
    return 0;
}

static int parse_versions(parser_t *p, const spec_node_t *n, adp__file_t *f)
{
    if (expect(p, n, SPEC_NODE_MAPPING, "versions") != 0)
        return -1;
    for (size_t i = 0; i < n->u.map.len; ++i) {
        const spec_node_t *k = n->u.map.items[i].key, *v = n->u.map.items[i].value;
        size_t vi = version_index(p, spec_node_scalar(k));
        if (vi == SIZE_MAX) {
            char known[512];
            known_versions(p, known, sizeof(known));
            return fail(p, k, "versions: unknown version '%s' (versions: %s)", spec_node_scalar(k),
                        known);
        }
        adp__vmeta_t *m = &f->meta[vi];
        if (parse_depr(p, v, 1, &m->depr) != 0)
            return -1;
        /* a version entry may only hold per-operation metadata */
        m->has_depr = m->depr.has_deprecated || m->depr.has_sunset || m->depr.link != NULL ||
                      m->depr.sunset_link != NULL;
        const spec_node_t *ops = spec_node_get(v, "operations");
        if (ops == NULL)
            continue;
        if (expect(p, ops, SPEC_NODE_MAPPING, "operations") != 0)
            return -1;
        m->nops = ops->u.map.len;
        m->ops = adp__arena_alloc(p->ctx->arena, (m->nops + 1) * sizeof(*m->ops));
        for (size_t j = 0; j < m->nops; ++j) {
            adp__opdepr_t *o = &m->ops[j];
            o->key = ops->u.map.items[j].key;
            if (parse_op_name(p, o->key, &o->id, &o->method, &o->tpl) != 0 ||
                parse_depr(p, ops->u.map.items[j].value, 0, &o->depr) != 0)
                return -1;
        }
    }
    return 0;
}

int adp__parse_file(adp__ctx_t *ctx, const spec_node_t *root, adp__file_t *out)
{
    parser_t p = {ctx, MAX_VALUES_PER_FILE};
    memset(out, 0, sizeof(*out));
    out->root = root;
    out->by_version = adp__arena_alloc(ctx->arena, ctx->nversions * sizeof(*out->by_version));
    out->meta = adp__arena_alloc(ctx->arena, ctx->nversions * sizeof(*out->meta));
    static const char *const keys[] = {"api", "versions", "changes", NULL};
    if (root == NULL)
        return fail(&p, root, "empty adapter file");
    if (expect(&p, root, SPEC_NODE_MAPPING, "adapter file") != 0 ||
        check_keys(&p, root, "adapter file", keys) != 0 ||
        member_str(&p, root, "api", "adapter file", &out->api) != 0)
        return -1;
    const spec_node_t *v;
    if ((v = spec_node_get(root, "versions")) != NULL && parse_versions(&p, v, out) != 0)
        return -1;
    if ((v = spec_node_get(root, "changes")) == NULL)
        return 0;
    if (expect(&p, v, SPEC_NODE_SEQUENCE, "changes") != 0)
        return -1;
    size_t prev = SIZE_MAX;
    for (size_t i = 0; i < v->u.seq.len; ++i) {
        adp__change_t *c = adp__arena_alloc(ctx->arena, sizeof(*c));
        if (parse_change(&p, v->u.seq.items[i], c) != 0)
            return -1;
        const spec_node_t *to = spec_node_get(v->u.seq.items[i], "to");
        if (out->by_version[c->to] != NULL)
            return fail(&p, to, "to: a second change to '%s'", ctx->versions[c->to].name);
        if (c->to > prev)
            return fail(&p, to, "to: changes are listed newest first, and '%s' is newer than '%s'",
                        ctx->versions[c->to].name, ctx->versions[prev].name);
        prev = c->to;
        out->by_version[c->to] = c;
    }
    return 0;
}
