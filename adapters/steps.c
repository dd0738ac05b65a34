/* Step lists: each step of an adapter file checked against the older and newer shapes it
 * names, then turned into one primitive per direction (upgrade in list order, downgrade undoing
 * the list from its end); header and query-parameter steps likewise. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "body_jansson.h"
#include "steps.h"

static int fail(adp__ctx_t *ctx, const spec_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(adp__ctx_t *ctx, const spec_node_t *n, const char *fmt, ...)
{
    char msg[sizeof(ctx->err->message)];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return spec_error_at(ctx->err, n, "%s", msg);
}

/* ---- plan constants: jansson values of the adapter file as body values ---- */

static const body_value_t *constant(adp__ctx_t *ctx, const json_t *v)
{
    body_mem_t mem = adp__arena_mem(ctx->arena);
    return v != NULL ? body_from_jansson(&mem, v) : NULL;
}

static const adp__jmap_t *constant_map(adp__ctx_t *ctx, const adp__map_t *m)
{
    adp__jmap_t *out = adp__arena_alloc(ctx->arena, sizeof(*out));
    out->from = adp__arena_alloc(ctx->arena, (m->n + 1) * sizeof(*out->from));
    out->to = adp__arena_alloc(ctx->arena, (m->n + 1) * sizeof(*out->to));
    for (size_t i = 0; i < m->n; ++i) {
        out->from[i] = constant(ctx, m->from[i]);
        out->to[i] = constant(ctx, m->to[i]);
    }
    out->n = m->n;
    return out;
}

/* ---- validating paths against one side of a change ---- */

void adp__side_add(adp__side_t *s, const spec_node_t *schema)
{
    if (schema != NULL && s->n < sizeof(s->schemas) / sizeof(s->schemas[0]))
        s->schemas[s->n++] = schema;
}

/* Response schemas of `op` for the statuses in `on`. */
void adp__side_responses(adp__side_t *s, const spec_t *spec, const spec_operation_t *op,
                         const adp__statuses_t *on)
{
    for (size_t i = 0; op != NULL && i < op->nresponses; ++i) {
        int covered = 0;
        for (int st = 100; st <= 599 && !covered; ++st)
            covered =
                adp__statuses_has(on, st) && spec_operation_response(op, st) == &op->responses[i];
        if (!covered)
            continue;
        const spec_node_t *media =
            spec_content_media(spec, spec_node_get(op->responses[i].node, "content"), NULL);
        adp__side_add(s, spec_deref(spec, spec_node_get(media, "schema")));
    }
}

/* Checks that `p` exists on the side. Returns 0 (leaf set when found in some schema, else
 * NULL), or -1 with an error at `at`. */
static int check_path(adp__ctx_t *ctx, const adp__side_t *s, const adp__jpath_t *p,
                      const spec_node_t *at, const char *what, const spec_node_t **leaf)
{
    *leaf = NULL;
    if (s->spec == NULL || s->n == 0)
        return 0;
    size_t deepest = 0;
    for (size_t i = 0; i < s->n; ++i) {
        const spec_node_t *out;
        size_t failed = 0;
        adp__found_t f = adp__schema_path(s->spec, s->schemas[i], p, 0, &out, &failed, NULL);
        if (f == ADP__FOUND) {
            *leaf = out;
            return 0;
        }
        if (f == ADP__UNKNOWN)
            return 0;
        if (failed + 1 > deepest)
            deepest = failed + 1;
    }
    adp__jpath_t head = adp__jpath_slice(p, 0, deepest);
    return fail(ctx, at, "%s: '%s' is not declared in %s's %s", what,
                adp__jpath_format(ctx->arena, &head), s->version, s->where);
}

/* 1 unless some schema of the side declares a member of the tail optional (from `from_seg`). */
static int counts_missing(const adp__side_t *s, const adp__jpath_t *p, size_t from_seg)
{
    if (s->spec == NULL)
        return 1;
    for (size_t i = 0; i < s->n; ++i) {
        const spec_node_t *out;
        size_t failed;
        int optional = 0;
        if (adp__schema_path(s->spec, s->schemas[i], p, from_seg, &out, &failed, &optional) ==
                ADP__FOUND &&
            optional)
            return 0;
    }
    return 1;
}

/* ---- steps ---- */

static adp__jpath_t with_key(adp__ctx_t *ctx, const adp__jpath_t *at, const char *key)
{
    adp__seg_t *seg = adp__arena_alloc(ctx->arena, sizeof(*seg));
    seg->kind = ADP__SEG_KEY;
    seg->key = key;
    seg->len = strlen(key);
    adp__jpath_t k = {seg, 1};
    return adp__jpath_concat(ctx->arena, at, &k);
}

/* The paths a step reads on the older side, writes on the newer side, and restructures. */
typedef struct {
    adp__jpath_t old_side[2], new_side[2], structural[2];
    const spec_node_t *old_at[2], *new_at[2];
    size_t nold, nnew, nstructural;
} roles_t;

static void op_roles(adp__ctx_t *ctx, const adp__op_t *op, roles_t *r)
{
    memset(r, 0, sizeof(*r));
#define OLD(p, n) (r->old_side[r->nold] = (p), r->old_at[r->nold++] = (n))
#define NEW(p, n) (r->new_side[r->nnew] = (p), r->new_at[r->nnew++] = (n))
    switch (op->kind) {
    case ADP__OP_RENAME:
    case ADP__OP_MOVE:
    case ADP__OP_COLLAPSE:
    case ADP__OP_EXPAND:
        OLD(op->old.path, op->old.node);
        NEW(op->new.path, op->new.node);
        r->structural[0] = op->old.path;
        r->structural[1] = op->new.path;
        r->nstructural = 2;
        break;
    case ADP__OP_ADDED:
        NEW(op->new.path, op->new.node);
        break;
    case ADP__OP_REMOVED:
        OLD(op->old.path, op->old.node);
        if (op->has_from)
            NEW(op->from.path, op->from.node);
        break;
    case ADP__OP_CONVERT:
    case ADP__OP_MAP:
        OLD(op->old.path, op->old.node);
        NEW(op->new.path, op->new.node);
        break;
    case ADP__OP_WRAP:
        OLD(with_key(ctx, &op->old.path, op->key), op->node);
        NEW(op->new.path, op->node);
        r->structural[r->nstructural++] = op->old.path;
        break;
    case ADP__OP_UNWRAP:
        OLD(op->old.path, op->node);
        NEW(with_key(ctx, &op->new.path, op->key), op->node);
        r->structural[r->nstructural++] = op->old.path;
        break;
    case ADP__OP_STATUS:
        break;
    }
#undef OLD
#undef NEW
}

/* Whether a step of `list` other than `self`, on the given side of it, restructures a prefix
 * of `p`: then `p` is written in an intermediate shape no spec describes, and is not checked. */
static int shadowed(adp__ctx_t *ctx, const adp__oplist_t *list, size_t self, int before,
                    const adp__jpath_t *p)
{
    size_t from = before ? 0 : self + 1, to = before ? self : list->n;
    for (size_t j = from; j < to; ++j) {
        roles_t r;
        op_roles(ctx, &list->items[j], &r);
        for (size_t k = 0; k < r.nstructural; ++k)
            if (adp__jpath_is_prefix(&r.structural[k], p))
                return 1;
    }
    return 0;
}

typedef struct {
    const adp__op_t *op;
    const char *what;
    int count_up, count_down;
} opinfo_t;

/* A converted field must be declared with the step's types on each side. */
static int check_types(adp__ctx_t *ctx, const adp__op_t *op, const adp__side_t *older,
                       const adp__side_t *newer, const spec_node_t *old_leaf,
                       const spec_node_t *new_leaf)
{
    if (old_leaf != NULL && !adp__schema_admits(older->spec, old_leaf, op->old_type))
        return fail(ctx, op->old.node, "convert: '%s' in %s's %s is not declared as %s",
                    adp__jpath_format(ctx->arena, &op->old.path), older->version, older->where,
                    adp__type_name(op->old_type));
    if (new_leaf != NULL && !adp__schema_admits(newer->spec, new_leaf, op->new_type))
        return fail(ctx, op->new.node, "convert: '%s' in %s's %s is not declared as %s",
                    adp__jpath_format(ctx->arena, &op->new.path), newer->version, newer->where,
                    adp__type_name(op->new_type));
    return 0;
}

/* A mapped field's values must be in its enum on each side (when it declares one). */
static int check_enum(adp__ctx_t *ctx, const adp__op_t *op, const adp__side_t *side,
                      const spec_node_t *leaf, json_t *const *values)
{
    json_t *e = leaf != NULL ? adp__schema_enum(side->spec, leaf) : NULL;
    for (size_t k = 0; e != NULL && k < op->up.n; ++k) {
        size_t j;
        json_t *it;
        int ok = 0;
        json_array_foreach(e, j, it) ok |= json_equal(it, values[k]);
        if (ok)
            continue;
        char *txt = json_dumps(values[k], JSON_ENCODE_ANY);
        const char *t = adp__arena_strdup(ctx->arena, txt != NULL ? txt : "?");
        free(txt);
        json_decref(e);
        return fail(ctx, op->node, "map: %s is not in the enum of '%s' in %s's %s", t,
                    adp__jpath_format(ctx->arena, &op->old.path), side->version, side->where);
    }
    json_decref(e);
    return 0;
}

/* What a body must hold for each direction of the step to do its work (NULL: nothing). */
static void sources(const adp__op_t *op, const adp__jpath_t **up, const adp__jpath_t **down)
{
    *up = *down = NULL;
    switch (op->kind) {
    case ADP__OP_RENAME:
    case ADP__OP_MOVE:
    case ADP__OP_COLLAPSE:
    case ADP__OP_EXPAND:
    case ADP__OP_CONVERT:
    case ADP__OP_MAP:
        *up = &op->old.path;
        *down = &op->new.path;
        break;
    case ADP__OP_ADDED:
        *down = &op->new.path;
        break;
    case ADP__OP_REMOVED:
        *up = &op->old.path;
        *down = op->has_from ? &op->from.path : NULL;
        break;
    case ADP__OP_WRAP:
    case ADP__OP_UNWRAP:
        *up = *down = &op->old.path;
        break;
    case ADP__OP_STATUS:
        break;
    }
}

/* Validates step `i` of `list` against both sides and works out mismatch counting: an absent
 * source counts unless the input's schema declares it optional. */
static int check_op(adp__ctx_t *ctx, const adp__oplist_t *list, size_t i, const adp__side_t *older,
                    const adp__side_t *newer, opinfo_t *info)
{
    const adp__op_t *op = &list->items[i];
    roles_t r;
    op_roles(ctx, op, &r);
    const spec_node_t *old_leaf = NULL, *new_leaf = NULL, *leaf;
    for (size_t k = 0; k < r.nold; ++k) {
        if (shadowed(ctx, list, i, 1, &r.old_side[k]))
            continue;
        if (check_path(ctx, older, &r.old_side[k], r.old_at[k], op->name, &leaf) != 0)
            return -1;
        if (k == 0)
            old_leaf = leaf;
    }
    for (size_t k = 0; k < r.nnew; ++k) {
        if (shadowed(ctx, list, i, 0, &r.new_side[k]))
            continue;
        if (check_path(ctx, newer, &r.new_side[k], r.new_at[k], op->name, &leaf) != 0)
            return -1;
        if (k == 0)
            new_leaf = leaf;
    }
    if (op->kind == ADP__OP_CONVERT && check_types(ctx, op, older, newer, old_leaf, new_leaf) != 0)
        return -1;
    if (op->kind == ADP__OP_MAP && (check_enum(ctx, op, older, old_leaf, op->up.from) != 0 ||
                                    check_enum(ctx, op, newer, new_leaf, op->up.to) != 0))
        return -1;
    const adp__jpath_t *up, *down;
    sources(op, &up, &down);
    info->op = op;
    info->count_up = up != NULL && counts_missing(older, up, adp__jpath_wild_prefix(up));
    info->count_down = down != NULL && counts_missing(newer, down, adp__jpath_wild_prefix(down));
    return 0;
}

/* Splits paths at their common wildcard part: base (walked) and tails (keys and indexes). */
static int split(adp__ctx_t *ctx, const adp__op_t *op, const adp__jpath_t *a, const adp__jpath_t *b,
                 adp__jpath_t *base, adp__jpath_t *ta, adp__jpath_t *tb)
{
    size_t wa = adp__jpath_wild_prefix(a), wb = b != NULL ? adp__jpath_wild_prefix(b) : 0;
    size_t w = wa > wb ? wa : wb;
    if (b != NULL && !adp__jpath_prefix_eq(a, b, w))
        return fail(ctx, op->node, "%s: both paths must share their wildcard part ('%s' vs '%s')",
                    op->name, adp__jpath_format(ctx->arena, a), adp__jpath_format(ctx->arena, b));
    *base = adp__jpath_slice(a, 0, w);
    *ta = adp__jpath_slice(a, w, a->n);
    if (b != NULL)
        *tb = adp__jpath_slice(b, w, b->n);
    return 0;
}

static int member_tail(adp__ctx_t *ctx, const adp__op_t *op, const adp__jpath_t *full,
                       const adp__jpath_t *tail, const spec_node_t *at)
{
    if (tail->n == 0 || tail->segs[tail->n - 1].kind != ADP__SEG_KEY)
        return fail(ctx, at != NULL ? at : op->node,
                    "%s: '%s' must end with a member name after its last wildcard", op->name,
                    adp__jpath_format(ctx->arena, full));
    return 0;
}

static adp__step_t *push_step(adp__ctx_t *ctx, adp__step_t **steps, size_t *n, size_t *cap,
                              const opinfo_t *info, unsigned scope, adp__prim_t prim)
{
    adp__grow(steps, cap, *n + 1, sizeof(**steps));
    adp__step_t *s = &(*steps)[(*n)++];
    memset(s, 0, sizeof(*s));
    s->prim = prim;
    s->scope = scope;
    s->on = info->op->on;
    s->what = info->what;
    return s;
}

typedef struct {
    adp__step_t *items;
    size_t n, cap;
} steps_t;

/* Emits the primitive for one direction of a step. */
static int emit(adp__ctx_t *ctx, const opinfo_t *info, int up, int schema_scope, steps_t *out)
{
    const adp__op_t *op = info->op;
    adp__jpath_t base, ta = {0}, tb = {0};
    adp__step_t *s = NULL;
    unsigned scope = op->scope;
    int count = up ? info->count_up : info->count_down;
#define PUSH(prim) (s = push_step(ctx, &out->items, &out->n, &out->cap, info, scope, prim))
    switch (op->kind) {
    case ADP__OP_RENAME:
    case ADP__OP_MOVE:
        if (split(ctx, op, &op->old.path, &op->new.path, &base, &ta, &tb) != 0 ||
            member_tail(ctx, op, &op->old.path, &ta, op->old.node) != 0 ||
            member_tail(ctx, op, &op->new.path, &tb, op->new.node) != 0)
            return -1;
        if (adp__jpath_is_prefix(&ta, &tb) || adp__jpath_is_prefix(&tb, &ta))
            return fail(ctx, op->node, "%s: old and new overlap", op->name);
        if (op->kind == ADP__OP_RENAME &&
            (ta.n != tb.n || !adp__jpath_prefix_eq(&ta, &tb, ta.n - 1)))
            return fail(ctx, op->new.node,
                        "rename: keeps a member in its object; use move to "
                        "change where it lives");
        PUSH(ADP__P_MOVE);
        s->base = base;
        s->src = up ? ta : tb;
        s->dst = up ? tb : ta;
        break;
    case ADP__OP_ADDED:
        if (split(ctx, op, &op->new.path, NULL, &base, &ta, NULL) != 0 ||
            member_tail(ctx, op, &op->new.path, &ta, op->new.node) != 0)
            return -1;
        if (up && !op->has_default)
            break; /* nothing to fill in: the newer version accepts its absence */
        PUSH(up ? ADP__P_DEFAULT : ADP__P_DELETE);
        s->base = base;
        s->src = s->dst = ta;
        s->value = constant(ctx, op->value);
        break;
    case ADP__OP_REMOVED:
        if (split(ctx, op, &op->old.path, op->has_from ? &op->from.path : NULL, &base, &ta, &tb) !=
                0 ||
            member_tail(ctx, op, &op->old.path, &ta, op->old.node) != 0)
            return -1;
        if (op->has_from && tb.n == 0)
            return fail(ctx, op->from.node, "removed.from: must name a member");
        if (!up && !op->has_default && !op->has_from)
            break; /* the older version's clients get no value for it */
        PUSH(up ? ADP__P_DELETE : op->has_from ? ADP__P_DERIVE : ADP__P_DEFAULT);
        s->base = base;
        s->src = up ? ta : tb;
        s->dst = ta;
        s->value = constant(ctx, op->value);
        break;
    case ADP__OP_CONVERT: {
        if (split(ctx, op, &op->old.path, NULL, &base, &ta, NULL) != 0)
            return -1;
        adp__conv_t conv;
        int scale;
        adp__conv_for(up ? op->old_type : op->new_type, up ? op->new_type : op->old_type, op->scale,
                      &conv, &scale);
        PUSH(conv == ADP__C_ENUM ? ADP__P_MAP : ADP__P_CONVERT);
        s->base = base;
        s->src = ta;
        s->conv = conv;
        s->scale = scale;
        s->strict = 1;
        s->map = constant_map(ctx, up ? &op->up : &op->down);
        break;
    }
    case ADP__OP_MAP:
        if (split(ctx, op, &op->old.path, NULL, &base, &ta, NULL) != 0)
            return -1;
        PUSH(ADP__P_MAP);
        s->base = base;
        s->src = ta;
        s->map = constant_map(ctx, up ? &op->up : &op->down);
        break;
    case ADP__OP_COLLAPSE:
    case ADP__OP_EXPAND: {
        if (split(ctx, op, &op->old.path, &op->new.path, &base, &ta, &tb) != 0)
            return -1;
        int same = ta.n == tb.n && adp__jpath_is_prefix(&ta, &tb);
        if (!same && (member_tail(ctx, op, &op->old.path, &ta, op->old.node) != 0 ||
                      member_tail(ctx, op, &op->new.path, &tb, op->new.node) != 0))
            return -1;
        if (!same && (adp__jpath_is_prefix(&ta, &tb) || adp__jpath_is_prefix(&tb, &ta)))
            return fail(ctx, op->node, "%s: old and new overlap", op->name);
        /* collapse: the older version holds the id; expand: the older holds the object */
        int to_object = (op->kind == ADP__OP_COLLAPSE) == up;
        PUSH(to_object ? ADP__P_TO_OBJECT : ADP__P_TO_ID);
        s->base = base;
        s->src = up ? ta : tb;
        s->dst = up ? tb : ta;
        s->key = op->key;
        s->key_len = strlen(op->key);
        break;
    }
    case ADP__OP_WRAP:
    case ADP__OP_UNWRAP: {
        if (split(ctx, op, &op->old.path, NULL, &base, &ta, NULL) != 0)
            return -1;
        /* unwrap: the newer version has the envelope, so upgrading closes it */
        int close = (op->kind == ADP__OP_UNWRAP) == up;
        PUSH(close ? ADP__P_CLOSE : ADP__P_OPEN);
        s->base = base;
        s->src = ta;
        s->key = op->key;
        s->key_len = strlen(op->key);
        s->value = close ? constant(ctx, op->value) : NULL;
        break;
    }
    case ADP__OP_STATUS:
        break;
    }
#undef PUSH
    if (s != NULL)
        s->count_missing = count;
    return 0;
}

/* In a schema step every path is below the instance: the engine walks to instances, it cannot
 * replace them in their parents. */
static int check_instance(adp__ctx_t *ctx, const adp__op_t *op)
{
    if ((op->kind == ADP__OP_WRAP || op->kind == ADP__OP_UNWRAP) && op->old.path.n == 0)
        return fail(ctx, op->node, "%s: a schema step needs 'at' (the member holding the envelope)",
                    op->name);
    roles_t r;
    op_roles(ctx, op, &r);
    for (size_t k = 0; k < r.nold; ++k)
        if (r.old_side[k].n == 0)
            return fail(ctx, r.old_at[k], "%s: a schema step cannot replace the instance itself",
                        op->name);
    for (size_t k = 0; k < r.nnew; ++k)
        if (r.new_side[k].n == 0)
            return fail(ctx, r.new_at[k], "%s: a schema step cannot replace the instance itself",
                        op->name);
    return 0;
}

/* Compiles a list of steps (upgrade order as written) into up and down primitives. */
int adp__compile_steps(adp__ctx_t *ctx, const adp__oplist_t *list, const adp__side_t *older,
                       const adp__side_t *newer, const char *prefix, int schema_scope,
                       adp__step_t **up, size_t *nup, adp__step_t **down, size_t *ndown)
{
    opinfo_t *infos = adp__xcalloc(list->n + 1, sizeof(*infos));
    steps_t u = {0}, d = {0};
    int rc = -1;
    for (size_t i = 0; i < list->n; ++i) {
        if (list->items[i].kind == ADP__OP_STATUS) {
            infos[i].op = &list->items[i];
            continue;
        }
        if ((schema_scope && check_instance(ctx, &list->items[i]) != 0) ||
            check_op(ctx, list, i, older, newer, &infos[i]) != 0)
            goto out;
        infos[i].what = adp__arena_printf(ctx->arena, "%s: %s", prefix, list->items[i].what);
    }
    for (size_t i = 0; i < list->n; ++i)
        if (emit(ctx, &infos[i], 1, schema_scope, &u) != 0)
            goto out;
    for (size_t i = list->n; i-- > 0;)
        if (emit(ctx, &infos[i], 0, schema_scope, &d) != 0)
            goto out;
    *up = adp__arena_memdup(ctx->arena, u.items, u.n, sizeof(*u.items));
    *nup = u.n;
    *down = adp__arena_memdup(ctx->arena, d.items, d.n, sizeof(*d.items));
    *ndown = d.n;
    rc = 0;
out:
    free(u.items);
    free(d.items);
    free(infos);
    return rc;
}

/* ---- headers and query parameters ---- */

static const char *pct_encode(adp__ctx_t *ctx, const char *s, size_t *len)
{
    static const char hexd[] = "0123456789ABCDEF";
    char *out = adp__arena_alloc(ctx->arena, strlen(s) * 3 + 1), *o = out;
    for (const unsigned char *c = (const unsigned char *)s; *c != '\0'; ++c) {
        /* RFC 3986 unreserved characters stay as they are */
        if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
            *c == '-' || *c == '.' || *c == '_' || *c == '~') {
            *o++ = (char)*c;
        } else {
            *o++ = '%';
            *o++ = hexd[*c >> 4];
            *o++ = hexd[*c & 15];
        }
    }
    *o = '\0';
    *len = (size_t)(o - out);
    return out;
}

static void push_fstep(adp__fsteps_t *f, adp__fprim_t prim, const char *name, const char *to,
                       const adp__statuses_t *on)
{
    adp__grow(&f->items, &f->cap, f->n + 1, sizeof(*f->items));
    adp__fstep_t *s = &f->items[f->n++];
    memset(s, 0, sizeof(*s));
    s->prim = prim;
    s->name = name;
    s->name_len = strlen(name);
    s->to = to;
    s->to_len = to != NULL ? strlen(to) : 0;
    if (on != NULL)
        s->on = *on;
}

/* Header steps of one direction. Upgrades rename old -> new, fill added defaults, drop removed
 * headers; downgrades do the reverse, in reverse order. */
void adp__compile_headers(const adp__foplist_t *list, int up, adp__fsteps_t *out)
{
    for (size_t k = 0; k < list->n; ++k) {
        const adp__fop_t *f = &list->items[up ? k : list->n - 1 - k];
        if ((f->scope & (up ? ADP__IN_REQUEST : ADP__IN_RESPONSE)) == 0)
            continue;
        const adp__statuses_t *on = up ? NULL : &f->on;
        switch (f->kind) {
        case ADP__FOP_RENAME:
            push_fstep(out, ADP__F_RENAME, up ? f->old_name : f->new_name,
                       up ? f->new_name : f->old_name, on);
            break;
        case ADP__FOP_ADDED:
            if (!up)
                push_fstep(out, ADP__F_DELETE, f->new_name, NULL, on);
            else if (f->value != NULL)
                push_fstep(out, ADP__F_DEFAULT, f->new_name, f->value, on);
            break;
        case ADP__FOP_REMOVED:
            if (up)
                push_fstep(out, ADP__F_DELETE, f->old_name, NULL, on);
            else if (f->value != NULL)
                push_fstep(out, ADP__F_DEFAULT, f->old_name, f->value, on);
            break;
        }
    }
}

void adp__compile_query(adp__ctx_t *ctx, const adp__foplist_t *list, adp__fsteps_t *out)
{
    for (size_t k = 0; k < list->n; ++k) {
        const adp__fop_t *f = &list->items[k];
        size_t n1, n2;
        switch (f->kind) {
        case ADP__FOP_RENAME:
            push_fstep(out, ADP__F_RENAME, f->old_name, f->new_name, NULL);
            out->items[out->n - 1].to_encoded = pct_encode(ctx, f->new_name, &n1);
            out->items[out->n - 1].to_encoded_len = n1;
            break;
        case ADP__FOP_ADDED:
            if (f->value != NULL) {
                push_fstep(out, ADP__F_DEFAULT, f->new_name, f->value, NULL);
                const char *en = pct_encode(ctx, f->new_name, &n1),
                           *ev = pct_encode(ctx, f->value, &n2);
                adp__fstep_t *s = &out->items[out->n - 1];
                s->to_encoded = adp__arena_printf(ctx->arena, "%s=%s", en, ev);
                s->to_encoded_len = n1 + 1 + n2;
            }
            break;
        case ADP__FOP_REMOVED:
            push_fstep(out, ADP__F_DELETE, f->old_name, NULL, NULL);
            break;
        }
    }
}

adp__fstep_t *adp__fsteps_finish(adp__ctx_t *ctx, adp__fsteps_t *f, size_t *n)
{
    *n = f->n;
    adp__fstep_t *r = adp__arena_memdup(ctx->arena, f->items, f->n, sizeof(*f->items));
    free(f->items);
    memset(f, 0, sizeof(*f));
    return r;
}
