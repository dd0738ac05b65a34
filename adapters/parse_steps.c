/* Body steps of an adapter file (rename, move, added, removed, convert, map, collapse, expand,
 * wrap, unwrap, status) read into adp__op_t, with the inverse tables their reverse needs. */
#include <string.h>
#include "parse.h"

static const struct {
    const char *name;
    adp__op_kind_t kind;
} op_names[] = {
    {"rename", ADP__OP_RENAME},     {"move", ADP__OP_MOVE},       {"added", ADP__OP_ADDED},
    {"removed", ADP__OP_REMOVED},   {"convert", ADP__OP_CONVERT}, {"map", ADP__OP_MAP},
    {"collapse", ADP__OP_COLLAPSE}, {"expand", ADP__OP_EXPAND},   {"wrap", ADP__OP_WRAP},
    {"unwrap", ADP__OP_UNWRAP},     {"status", ADP__OP_STATUS},
};

static int parse_map_table(adp__parser_t *p, const spec_node_t *n, const char *what,
                           adp__map_t *out)
{
    if (adp__parse_expect(p, n, SPEC_NODE_MAPPING, what) != 0)
        return -1;
    if (n->u.map.len == 0)
        return adp__parse_fail(p, n, "%s: empty mapping", what);
    out->n = n->u.map.len;
    out->from = adp__arena_alloc(p->ctx->arena, out->n * sizeof(json_t *));
    out->to = adp__arena_alloc(p->ctx->arena, out->n * sizeof(json_t *));
    for (size_t i = 0; i < n->u.map.len; ++i) {
        const spec_node_t *k = n->u.map.items[i].key, *v = n->u.map.items[i].value;
        if (v->kind != SPEC_NODE_SCALAR)
            return adp__parse_fail(p, v, "%s: values must be scalars", what);
        if ((out->from[i] = adp__parse_json(p, k)) == NULL ||
            (out->to[i] = adp__parse_json(p, v)) == NULL)
            return -1;
    }
    return 0;
}

/* The inverse table; fails when two keys map to the same value (ambiguous). */
static int invert_map(adp__parser_t *p, const spec_node_t *n, const char *what, const adp__map_t *m,
                      adp__map_t *out)
{
    for (size_t i = 0; i < m->n; ++i)
        for (size_t j = 0; j < i; ++j)
            if (json_equal(m->to[i], m->to[j]))
                return adp__parse_fail(p, n,
                                       "%s: two values map to the same value, so the reverse is "
                                       "ambiguous; add new_to_old",
                                       what);
    out->n = m->n;
    out->from = m->to;
    out->to = m->from;
    return 0;
}

static int parse_convert(adp__parser_t *p, adp__op_t *op, const spec_node_t *a)
{
    const char *t = NULL;
    if (adp__parse_member_str(p, a, "old", "convert.old", &t) != 0)
        return -1;
    if (adp__type_parse(t, &op->old_type) != 0)
        return adp__parse_fail(p, spec_node_get(a, "old"), "convert.old: unknown type '%s'", t);
    if (adp__parse_member_str(p, a, "new", "convert.new", &t) != 0)
        return -1;
    if (adp__type_parse(t, &op->new_type) != 0)
        return adp__parse_fail(p, spec_node_get(a, "new"), "convert.new: unknown type '%s'", t);
    op->scale = 2;
    const spec_node_t *sc = spec_node_get(a, "scale");
    if (sc != NULL) {
        int64_t v;
        if (spec_node_int(sc, &v) != 0 || v < 0 || v > 9)
            return adp__parse_fail(p, sc, "convert.scale: expected an integer 0..9");
        op->scale = (int)v;
    }
    adp__conv_t c;
    int s;
    if (adp__conv_for(op->old_type, op->new_type, op->scale, &c, &s) != 0 ||
        adp__conv_for(op->new_type, op->old_type, op->scale, &c, &s) != 0)
        return adp__parse_fail(p, a, "convert: cannot convert between %s and %s",
                               adp__type_name(op->old_type), adp__type_name(op->new_type));
    const spec_node_t *m = spec_node_get(a, "mapping");
    int is_enum = c == ADP__C_ENUM;
    if (is_enum != (m != NULL))
        return adp__parse_fail(
            p, m != NULL ? m : a,
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
            return adp__parse_fail(p, m, "convert.mapping: keys must be true and false");
        if (!json_is_string(table.to[i]))
            return adp__parse_fail(p, m, "convert.mapping: values must be strings");
        seen[json_is_true(table.from[i])] = 1;
    }
    if (!seen[0] || !seen[1])
        return adp__parse_fail(p, m, "convert.mapping: needs both true and false");
    adp__map_t inverse;
    if (invert_map(p, m, "convert.mapping", &table, &inverse) != 0)
        return -1;
    op->up = op->old_type == ADP__T_BOOLEAN ? table : inverse;
    op->down = op->old_type == ADP__T_BOOLEAN ? inverse : table;
    return 0;
}

/* Shorthand `unwrap: data` or `{field: data, at: path, defaults: {...}}`. */
static int parse_envelope(adp__parser_t *p, adp__op_t *op, const spec_node_t *a)
{
    if (a->kind == SPEC_NODE_SCALAR)
        return adp__parse_str(p, a, op->name, &op->key);
    static const char *const keys[] = {"field", "at", "defaults", "on", "in", NULL};
    if (adp__parse_check_keys(p, a, op->name, keys) != 0 ||
        adp__parse_member_str(p, a, "field", op->name, &op->key))
        return -1;
    const spec_node_t *at = spec_node_get(a, "at");
    if (at != NULL && adp__parse_path(p, at, op->name, &op->old) != 0)
        return -1;
    op->new = op->old;
    const spec_node_t *d = spec_node_get(a, "defaults");
    if (d != NULL) {
        if (adp__parse_expect(p, d, SPEC_NODE_MAPPING, "defaults") != 0 ||
            (op->value = adp__parse_json(p, d)) == NULL)
            return -1;
        if (json_object_getn(op->value, op->key, strlen(op->key)) != NULL)
            return adp__parse_fail(p, d, "%s.defaults: must not hold the member '%s' itself",
                                   op->name, op->key);
    }
    return 0;
}

static int parse_status(adp__parser_t *p, adp__op_t *op, const spec_node_t *a)
{
    static const char *const keys[] = {"old", "new", NULL};
    if (adp__parse_check_keys(p, a, "status", keys) != 0)
        return -1;
    const char *names[2] = {"old", "new"};
    int *dst[2] = {&op->status_old, &op->status_new};
    for (int i = 0; i < 2; ++i) {
        const spec_node_t *v = spec_node_get(a, names[i]);
        int64_t code;
        if (v == NULL)
            return adp__parse_fail(p, a, "status: missing '%s'", names[i]);
        if (spec_node_int(v, &code) != 0 || code < 100 || code > 599)
            return adp__parse_fail(p, v, "status.%s: expected a status code 100..599", names[i]);
        *dst[i] = (int)code;
    }
    if (op->status_old == op->status_new)
        return adp__parse_fail(p, a, "status: old and new are equal");
    return 0;
}

/* `what` for messages and logs: "rename tag -> category". */
static const char *describe(adp__parser_t *p, const adp__op_t *op)
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

static int parse_op_args(adp__parser_t *p, adp__op_t *op, const spec_node_t *a)
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
        if (adp__parse_check_keys(p, a, op->name, k_pair) != 0 ||
            adp__parse_member_path(p, a, "old", op->name, &op->old) != 0 ||
            adp__parse_member_path(p, a, "new", op->name, &op->new) != 0)
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
        if (adp__parse_check_keys(p, a, op->name, added ? k_added : k_removed) != 0 ||
            adp__parse_member_path(p, a, "field", op->name, added ? &op->new : &op->old) != 0)
            return -1;
        const spec_node_t *d = spec_node_get(a, "default"), *f = spec_node_get(a, "from");
        if (d != NULL && f != NULL)
            return adp__parse_fail(p, f, "removed: give either 'default' or 'from', not both");
        if (d != NULL) {
            op->has_default = 1;
            if ((op->value = adp__parse_json(p, d)) == NULL)
                return -1;
        }
        if (f != NULL) {
            op->has_from = 1;
            if (adp__parse_path(p, f, "removed.from", &op->from) != 0)
                return -1;
        }
        return 0;
    }
    case ADP__OP_CONVERT:
        if (adp__parse_check_keys(p, a, op->name, k_convert) != 0 ||
            adp__parse_member_path(p, a, "field", op->name, &op->old) != 0)
            return -1;
        op->new = op->old;
        return parse_convert(p, op, a);
    case ADP__OP_MAP: {
        if (adp__parse_check_keys(p, a, op->name, k_map) != 0 ||
            adp__parse_member_path(p, a, "field", op->name, &op->old) != 0)
            return -1;
        op->new = op->old;
        const spec_node_t *up = spec_node_get(a, "old_to_new"),
                          *down = spec_node_get(a, "new_to_old");
        if (up == NULL)
            return adp__parse_fail(p, a, "map: missing 'old_to_new'");
        if (parse_map_table(p, up, "map.old_to_new", &op->up) != 0)
            return -1;
        if (down != NULL)
            return parse_map_table(p, down, "map.new_to_old", &op->down);
        return invert_map(p, up, "map.old_to_new", &op->up, &op->down);
    }
    case ADP__OP_COLLAPSE:
    case ADP__OP_EXPAND: {
        if (adp__parse_check_keys(p, a, op->name, k_collapse) != 0)
            return -1;
        const spec_node_t *f = spec_node_get(a, "field");
        if (f != NULL) {
            if (spec_node_get(a, "old") != NULL || spec_node_get(a, "new") != NULL)
                return adp__parse_fail(p, f, "%s: give either 'field' or 'old' and 'new'",
                                       op->name);
            if (adp__parse_path(p, f, op->name, &op->old) != 0)
                return -1;
            op->new = op->old;
        } else if (adp__parse_member_path(p, a, "old", op->name, &op->old) != 0 ||
                   adp__parse_member_path(p, a, "new", op->name, &op->new) != 0) {
            return -1;
        }
        op->key = "id";
        const spec_node_t *k = spec_node_get(a, "key");
        return k != NULL ? adp__parse_str(p, k, "key", &op->key) : 0;
    }
    case ADP__OP_WRAP:
    case ADP__OP_UNWRAP:
        return parse_envelope(p, op, a);
    case ADP__OP_STATUS:
        return parse_status(p, op, a);
    }
    return 0;
}

static int parse_op(adp__parser_t *p, const spec_node_t *item, adp__list_kind_t list, int errors,
                    adp__op_t *op)
{
    if (adp__parse_expect(p, item, SPEC_NODE_MAPPING, "step") != 0)
        return -1;
    if (item->u.map.len != 1)
        return adp__parse_fail(
            p, item,
            "step: expected exactly one operation (rename, move, added, removed, "
            "convert, map, collapse, expand, wrap, unwrap, status)");
    const spec_node_t *k = item->u.map.items[0].key, *a = item->u.map.items[0].value;
    size_t i;
    for (i = 0; i < sizeof(op_names) / sizeof(op_names[0]); ++i)
        if (spec_node_is(k, op_names[i].name))
            break;
    if (i == sizeof(op_names) / sizeof(op_names[0]))
        return adp__parse_fail(p, k, "unknown operation '%s'", spec_node_scalar(k));
    memset(op, 0, sizeof(*op));
    op->kind = op_names[i].kind;
    op->name = op_names[i].name;
    op->node = k;
    op->scope = list == ADP__LIST_REQUEST    ? ADP__IN_REQUEST
                : list == ADP__LIST_RESPONSE ? ADP__IN_RESPONSE
                                             : ADP__IN_REQUEST | ADP__IN_RESPONSE;
    if (op->kind == ADP__OP_STATUS && list != ADP__LIST_RESPONSE)
        return adp__parse_fail(p, k, "status: only in an operation's response steps");
    if (!((op->kind == ADP__OP_WRAP || op->kind == ADP__OP_UNWRAP) &&
          a->kind == SPEC_NODE_SCALAR) &&
        adp__parse_expect(p, a, SPEC_NODE_MAPPING, op->name) != 0)
        return -1;
    if (parse_op_args(p, op, a) != 0)
        return -1;
    const spec_node_t *on = a->kind == SPEC_NODE_MAPPING ? spec_node_get(a, "on") : NULL;
    const spec_node_t *in = a->kind == SPEC_NODE_MAPPING ? spec_node_get(a, "in") : NULL;
    if (in != NULL) {
        if (list != ADP__LIST_SCHEMA)
            return adp__parse_fail(p, in,
                                   "%s.in: only schema steps choose request or response; this list "
                                   "already says which",
                                   op->name);
        if (adp__parse_scope(p, in, &op->scope) != 0)
            return -1;
    }
    if (on != NULL) {
        if (list == ADP__LIST_REQUEST || op->scope == ADP__IN_REQUEST)
            return adp__parse_fail(p, on, "%s.on: status codes only apply to responses", op->name);
        if (adp__parse_on(p, on, &op->on) != 0)
            return -1;
        op->has_on = 1;
    } else {
        adp__statuses_add_range(&op->on, 100, errors ? 599 : 399);
    }
    op->what = describe(p, op);
    return 0;
}

int adp__parse_oplist(adp__parser_t *p, const spec_node_t *n, const char *what,
                      adp__list_kind_t kind, int errors, adp__oplist_t *out)
{
    if (adp__parse_expect(p, n, SPEC_NODE_SEQUENCE, what) != 0)
        return -1;
    out->n = n->u.seq.len;
    out->items = adp__arena_alloc(p->ctx->arena, (out->n + 1) * sizeof(*out->items));
    for (size_t i = 0; i < out->n; ++i)
        if (parse_op(p, n->u.seq.items[i], kind, errors, &out->items[i]) != 0)
            return -1;
    return 0;
}
