/* The check over the text (spec_validate_text): a JSON document validated against a schema as
 * it is read, without building its tree. Objects and arrays whose schema keeps to the keywords
 * checked member by member (schema_compile.c, prepare_stream) are walked in place; a scalar is
 * handed to the engine as a value on the stack; any other part is parsed on its own and given to
 * the engine as a tree. Everything runs in the engine's probe mode: the walk only has to say
 * "valid, and completely checked", and any doubt (an error, a limit, a duplicate name, text the
 * parser would refuse) answers "cannot say", after which the caller parses and validates the
 * whole document as before and gets the errors. So this path can never accept what the tree
 * path refuses: it decides the common case, the valid document, faster. */
#include <stddef.h>
#include <string.h>
#include "schema_internal.h"

typedef struct st_stream_t {
    spec__vctx_t *c;
    const char *end;
    const body_mem_t *mem; /* trees of the parts that need one */
    unsigned nest;         /* containers open around the current value (BODY_MAX_DEPTH) */
} stream_t;

static const char *skip_ws(const char *p, const char *end)
{
    while (p != end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
        p++;
    return p;
}

static const char *skip_literal(const char *p, const char *end)
{
    static const char *const lits[] = {"null", "false", "true"};
    for (size_t i = 0; i < 3; ++i) {
        size_t n = strlen(lits[i]);
        if (*p == lits[i][0])
            return (size_t)(end - p) >= n && memcmp(p, lits[i], n) == 0 ? p + n : NULL;
    }
    return NULL;
}

/* A member name and its ':' at p (whitespace skipped before it): returns where the value
 * starts, or NULL. */
static const char *skip_name(const char *p, const char *end)
{
    int escaped;
    p = skip_ws(p, end);
    if (p == end || *p != '"' || (p = body_scan_string_short(p + 1, end, &escaped)) == NULL)
        return NULL;
    p = skip_ws(p + 1, end);
    return p != end && *p == ':' ? p + 1 : NULL;
}

/* The end of the value at p (whitespace skipped before it), checked as the parser checks it,
 * without recursion; NULL when the text is not JSON or nests deeper than the parser allows.
 * `objects` has a bit per open container, set for an object. */
static const char *skip_value(stream_t *st, const char *p)
{
    const char *end = st->end;
    uint64_t objects[(BODY_MAX_DEPTH + 63) / 64];
    unsigned open = 0, flags;
    int escaped;
    for (;;) {
        p = skip_ws(p, end);
        if (p == end)
            return NULL;
        switch (*p) {
        case '"':
            if ((p = body_scan_string_short(p + 1, end, &escaped)) == NULL)
                return NULL;
            p++;
            break;
        case '-':
        case '0' ... '9':
            if ((p = body_scan_number_short(p, end, &flags)) == NULL)
                return NULL;
            break;
        case '[':
        case '{': {
            if (st->nest + open >= BODY_MAX_DEPTH)
                return NULL;
            int object = *p == '{';
            uint64_t bit = (uint64_t)1 << (open % 64);
            objects[open / 64] = object ? objects[open / 64] | bit : objects[open / 64] & ~bit;
            open++;
            p = skip_ws(p + 1, end);
            if (p != end && *p == (object ? '}' : ']')) {
                p++;
                open--;
                break;
            }
            if (object && (p = skip_name(p, end)) == NULL)
                return NULL;
            continue; /* the first member's or item's value */
        }
        default:
            if ((p = skip_literal(p, end)) == NULL)
                return NULL;
        }
        /* a value is complete: close what it completes, then the next value, if any */
        for (;;) {
            if (open == 0)
                return p;
            int object = (int)(objects[(open - 1) / 64] >> ((open - 1) % 64) & 1);
            p = skip_ws(p, end);
            if (p != end && *p == (object ? '}' : ']')) {
                p++;
                open--;
                continue;
            }
            if (p == end || *p != ',')
                return NULL;
            p++;
            if (object && (p = skip_name(p, end)) == NULL)
                return NULL;
            break;
        }
    }
}

/* The engine on a value it already holds: valid and complete, or not. */
static int engine_ok(stream_t *st, const spec_node_t *schema, const spec__keywords_t *k,
                     const body_value_t *inst, unsigned depth)
{
    return spec__schema_eval_k(st->c, schema, k, inst, depth) == 0 && !st->c->out->incomplete;
}

/* The value at p parsed on its own and given to the engine: for parts whose schema needs a
 * tree (combinators, enum on objects, ...) and for strings with escapes. */
static const char *check_tree(stream_t *st, const spec_node_t *schema, const spec__keywords_t *k,
                              const char *p, unsigned depth)
{
    const char *q = skip_value(st, p);
    if (q == NULL)
        return NULL;
    body_value_t *inst = body_parse(st->mem, p, (size_t)(q - p), 0, NULL);
    return inst != NULL && engine_ok(st, schema, k, inst, depth) ? q : NULL;
}

/* A scalar whose schema checks nothing but its type (SPEC__STREAM_TYPE_ONLY), without a call
 * into the engine: 1 valid, 0 not, -1 ask the engine (a number like 1.0 against integer). The
 * evaluation is counted as the engine counts it. */
static int type_only(stream_t *st, const spec__keywords_t *k, const body_value_t *inst,
                     unsigned depth)
{
    static const unsigned bits[] = {[BODY_NULL] = SPEC__T_NULL,  [BODY_TRUE] = SPEC__T_BOOL,
                                    [BODY_FALSE] = SPEC__T_BOOL, [BODY_STRING] = SPEC__T_STR,
                                    [BODY_NUMBER] = SPEC__T_NUM};
    unsigned t = bits[inst->type];
    if (inst->type == BODY_NUMBER && (inst->flags & BODY_INTEGER))
        t |= SPEC__T_INT;
    if (k->types != 0 && !(t & k->types))
        return inst->type == BODY_NUMBER && !(inst->flags & BODY_INTEGER) ? -1 : 0;
    return depth <= MAX_DEPTH && ++st->c->steps <= st->c->max_steps;
}

/* A scalar as a value on the stack (a string without escapes, a number, a literal). */
static const char *check_scalar(stream_t *st, const spec_node_t *schema, const spec__keywords_t *k,
                                const char *p, unsigned depth)
{
    body_value_t inst = {0};
    const char *q;
    if (*p == '"') {
        int escaped;
        if ((q = body_scan_string_short(p + 1, st->end, &escaped)) == NULL)
            return NULL;
        if (escaped)
            return check_tree(st, schema, k, p, depth);
        inst = (body_value_t){.type = BODY_STRING, .flags = BODY_VERBATIM,
                              .len = (uint32_t)(q - p - 1), .u.str = p + 1};
        q++;
    } else if (*p == '-' || (*p >= '0' && *p <= '9')) {
        unsigned flags;
        if ((q = body_scan_number_short(p, st->end, &flags)) == NULL)
            return NULL;
        inst = (body_value_t){.type = BODY_NUMBER, .flags = (uint8_t)flags,
                              .len = (uint32_t)(q - p), .u.str = p};
    } else {
        if ((q = skip_literal(p, st->end)) == NULL)
            return NULL;
        inst.type = *p == 'n' ? BODY_NULL : *p == 't' ? BODY_TRUE : BODY_FALSE;
    }
    if (k != NULL && (k->stream & SPEC__STREAM_TYPE_ONLY)) {
        int r = type_only(st, k, &inst, depth);
        if (r >= 0)
            return r ? q : NULL;
    }
    return engine_ok(st, schema, k, &inst, depth) ? q : NULL;
}

static const char *check_value(stream_t *st, const spec_node_t *schema, const spec__keywords_t *k,
                               const char *p, unsigned depth);

/* OpenAPI 3.0 §4.7.24 by direction, as schema_object.c applies it: a present property the
 * gateway's strict view refuses, or an absent required one that may be absent. -1: unknown. */
static int refused_here(const spec__vctx_t *c, const spec__prop_t *p)
{
    if (!p->direction_known)
        return -1;
    return c->direction == SPEC_VALIDATE_REQUEST ? p->read_only : p->write_only;
}

static const char *check_object(stream_t *st, const spec__keywords_t *k, const char *p,
                                unsigned depth)
{
    spec__vctx_t *c = st->c;
    const char *end = st->end;
    const spec_node_t *addl = k->additional_properties;
    int addl_bool = -1;
    if (addl != NULL && addl->kind == SPEC_NODE_SCALAR && spec_node_bool(addl, &addl_bool) != 0)
        addl_bool = -1;
    uint64_t present[8] = {0}; /* declared properties seen (prepare_stream: at most 512) */
    size_t members = 0, max;
    uint32_t hint = 0;
    p = skip_ws(p + 1, end);
    if (p != end && *p == '}')
        goto close;
    for (;;) {
        int escaped;
        const char *name = p + 1, *q;
        if (p == end || *p != '"' || (q = body_scan_string_short(name, end, &escaped)) == NULL ||
            escaped)
            return NULL; /* a name with escapes: the tree path decodes it */
        size_t len = (size_t)(q - name);
        p = skip_ws(q + 1, end);
        if (p == end || *p != ':')
            return NULL;
        p = skip_ws(p + 1, end);
        long i = -1;
        if (k->props != NULL) {
            /* members mostly come in the declared order: the next declared name first */
            const spec__prop_t *next = &k->props[hint < k->nprops ? hint : 0];
            if (next->len == len && body_bytes_eq(next->name, name, len))
                i = next - k->props, hint = (uint32_t)i + 1;
            else
                i = spec__schema_prop_find(c->v, k, name, len, &hint);
        }
        if (i >= 0) {
            const spec__prop_t *prop = &k->props[i];
            uint64_t bit = (uint64_t)1 << (i % 64);
            if (present[i / 64] & bit)
                return NULL; /* a duplicate: the parser keeps the last value only */
            present[i / 64] |= bit;
            p = check_value(st, prop->schema, prop->k, p, depth + 1);
            if (p != NULL && c->strict_direction && c->direction != SPEC_VALIDATE_ANY &&
                refused_here(c, prop) != 0)
                return NULL;
        } else if (addl == NULL || addl_bool == 1) {
            p = skip_value(st, p);
        } else if (addl_bool == 0) {
            return NULL;
        } else {
            /* a repeated undeclared name has each of its values checked here, the last only in
             * the tree: a valid verdict here is one there too */
            p = check_value(st, addl, NULL, p, depth + 1);
        }
        if (p == NULL || (p = skip_ws(p, end)) == end)
            return NULL;
        ++members;
        if (*p == '}')
            break;
        if (*p != ',')
            return NULL;
        p = skip_ws(p + 1, end);
    }
close:
    /* duplicates of undeclared names make `members` larger than the tree's count: a count
     * within maxProperties here is one there too */
    if (spec__schema_count(k->max_properties, &max) == 0 && members > max)
        return NULL;
    for (uint32_t r = 0; r < k->nreq; ++r) {
        uint32_t i = k->req[r];
        if (present[i / 64] >> (i % 64) & 1)
            continue;
        if (c->direction == SPEC_VALIDATE_ANY || refused_here(c, &k->props[i]) != 1)
            return NULL; /* absent, and not a readOnly/writeOnly one that may be */
    }
    return p + 1;
}

static const char *check_array(stream_t *st, const spec__keywords_t *k, const char *p,
                               unsigned depth)
{
    const char *end = st->end;
    const spec_node_t *items =
        k->items != NULL && k->items->kind != SPEC_NODE_SEQUENCE ? k->items : NULL;
    size_t n = 0, lim;
    p = skip_ws(p + 1, end);
    if (p != end && *p == ']') {
        p++;
    } else {
        for (;;) {
            if (items != NULL)
                p = check_value(st, items, k->items_k, p, depth + 1);
            else
                p = skip_value(st, p);
            if (p == NULL || (p = skip_ws(p, end)) == end)
                return NULL;
            ++n;
            if (*p == ']') {
                p++;
                break;
            }
            if (*p != ',')
                return NULL;
            p = skip_ws(p + 1, end);
        }
    }
    if (spec__schema_count(k->min_items, &lim) == 0 && n < lim)
        return NULL;
    if (spec__schema_count(k->max_items, &lim) == 0 && n > lim)
        return NULL;
    return p;
}

/* The value at p (no whitespace before it) against `schema`: returns the value's end when it is
 * valid and was checked completely, else NULL. Depth and steps are counted as the engine counts
 * them (spec__schema_eval_k), so both give up at the same point. */
static const char *check_value(stream_t *st, const spec_node_t *schema, const spec__keywords_t *k,
                               const char *p, unsigned depth)
{
    spec__vctx_t *c = st->c;
    if (p == st->end)
        return NULL;
    if (*p != '{' && *p != '[')
        return check_scalar(st, schema, k, p, depth);
    if (schema == NULL)
        return skip_value(st, p);
    if (depth > MAX_DEPTH || ++c->steps > c->max_steps || st->nest >= BODY_MAX_DEPTH)
        return NULL;
    if (schema->kind == SPEC_NODE_SCALAR && schema->scalar_type == SPEC_SCALAR_BOOL) {
        int b = 1;
        spec_node_bool(schema, &b);
        return b ? skip_value(st, p) : NULL;
    }
    if (schema->kind != SPEC_NODE_MAPPING)
        return skip_value(st, p);
    spec__keywords_t buf;
    if (k == NULL)
        k = spec__schema_keywords(c->v, schema, &buf);
    if (k->ref != NULL) {
        const spec_node_t *target = k->ref_known ? k->ref_target : spec__schema_deref(c->v, schema);
        if (target == NULL)
            return NULL; /* broken: the engine marks the result incomplete */
        if (target != schema && (!c->v->v31 || (k->stream & SPEC__STREAM_ONLY_REF)))
            return check_value(st, target, k->ref_k, p, depth + 1);
        --c->steps; /* the engine counts this evaluation itself */
        return check_tree(st, schema, k, p, depth);
    }
    if (!(k->stream & SPEC__STREAM_CONTAINER)) {
        --c->steps; /* the engine counts this evaluation itself */
        return check_tree(st, schema, k, p, depth);
    }
    if (k->types != 0 && !(k->types & (*p == '{' ? SPEC__T_OBJ : SPEC__T_ARR)))
        return NULL;
    st->nest++;
    const char *q = *p == '{' ? check_object(st, k, p, depth) : check_array(st, k, p, depth);
    st->nest--;
    return q;
}

int spec_validate_text(spec_validator_t *v, const spec_node_t *schema, const char *json,
                       size_t len, const spec_validate_options_t *opts, const body_mem_t *mem)
{
    if (len == 0 || len > UINT32_MAX || v->has_dynamic || v->no_validation)
        return 0;
    spec_validation_t out;
    spec_validation_init(&out);
    spec__vctx_t c;
    /* the context without its large arrays cleared: only nsegs indexes them */
    memset(&c, 0, offsetof(spec__vctx_t, segs));
    c.nsegs = 0;
    c.ann = NULL;
    c.nscope = 0;
    c.v = v;
    c.out = &out;
    c.probe = 1;
    c.max_errors = 1;
    c.direction = opts != NULL ? opts->direction : SPEC_VALIDATE_ANY;
    c.strict_direction = opts != NULL && opts->strict_direction;
    c.max_steps = opts != NULL && opts->max_steps != 0 ? opts->max_steps : MAX_STEPS;
    stream_t st = {&c, json + len, mem, 0};
    const char *p = skip_ws(json, st.end);
    const char *q = check_value(&st, schema, NULL, p, 0);
    int ok = q != NULL && skip_ws(q, st.end) == st.end && !out.incomplete;
    spec_validation_dispose(&out);
    return ok;
}
