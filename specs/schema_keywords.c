/* The keyword families of schema validation (schema_internal.h): types (3.0 `nullable`, 3.1 type
 * arrays), enum/const, numeric, string (`pattern` as ECMA-262, schema_regex.c), array and object
 * keywords, allOf/anyOf/oneOf/not and if/then/else, over body-model instances. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "schema_internal.h"

/* ---- Values ---- */

static unsigned instance_type(const body_value_t *j)
{
    switch (j->type) {
    case BODY_NULL:
        return SPEC__T_NULL;
    case BODY_TRUE:
    case BODY_FALSE:
        return SPEC__T_BOOL;
    case BODY_NUMBER: {
        if (j->flags & BODY_INTEGER)
            return SPEC__T_INT | SPEC__T_NUM;
        /* JSON Schema counts 1.0 as an integer: the data model has numbers, not their spelling */
        double d = body_number_value(j);
        return SPEC__T_NUM | (isfinite(d) && d == floor(d) ? SPEC__T_INT : 0);
    }
    case BODY_STRING:
        return SPEC__T_STR;
    case BODY_ARRAY:
        return SPEC__T_ARR;
    default:
        return SPEC__T_OBJ;
    }
}

/* Equality of a schema's literal (enum member, const) with an instance, without converting it. */
int spec__schema_node_equals(const spec_node_t *n, const body_value_t *j)
{
    switch (n->kind) {
    case SPEC_NODE_SCALAR:
        switch (n->scalar_type) {
        case SPEC_SCALAR_NULL:
            return j->type == BODY_NULL;
        case SPEC_SCALAR_BOOL: {
            int b;
            return body_is_bool(j) && spec_node_bool(n, &b) == 0 && b == (j->type == BODY_TRUE);
        }
        case SPEC_SCALAR_INT: {
            int64_t i, ji;
            if (spec_node_int(n, &i) == 0) {
                if (body_int_value(j, &ji) == 0)
                    return ji == i;
                return j->type == BODY_NUMBER && body_number_value(j) == (double)i;
            }
            /* integers beyond int64 compare as numbers */
            __attribute__((fallthrough));
        }
        case SPEC_SCALAR_FLOAT: {
            double d;
            return j->type == BODY_NUMBER && spec_node_number(n, &d) == 0 &&
                   body_number_value(j) == d;
        }
        case SPEC_SCALAR_STRING:
            return j->type == BODY_STRING && j->len == n->u.scalar.len &&
                   memcmp(j->u.str, n->u.scalar.str, n->u.scalar.len) == 0;
        }
        return 0;
    case SPEC_NODE_SEQUENCE:
        if (j->type != BODY_ARRAY || j->len != n->u.seq.len)
            return 0;
        for (size_t i = 0; i < n->u.seq.len; ++i)
            if (!spec__schema_node_equals(n->u.seq.items[i], j->u.items[i]))
                return 0;
        return 1;
    case SPEC_NODE_MAPPING:
        if (j->type != BODY_OBJECT || j->len != n->u.map.len)
            return 0;
        for (size_t i = 0; i < n->u.map.len; ++i) {
            const spec_node_t *k = n->u.map.items[i].key;
            const body_value_t *v = body_get(j, k->u.scalar.str, k->u.scalar.len);
            if (v == NULL || !spec__schema_node_equals(n->u.map.items[i].value, v))
                return 0;
        }
        return 1;
    }
    return 0;
}

/* Appends a short rendering of a literal for messages ("a", 3, null, {...}). */
static void describe_node(char *buf, size_t size, const spec_node_t *n)
{
    if (n->kind == SPEC_NODE_MAPPING)
        snprintf(buf, size, "{...}");
    else if (n->kind == SPEC_NODE_SEQUENCE)
        snprintf(buf, size, "[...]");
    else if (n->scalar_type == SPEC_SCALAR_STRING)
        snprintf(buf, size, "\"%.40s\"", n->u.scalar.str);
    else
        snprintf(buf, size, "%.40s", n->u.scalar.str);
}

static int node_number(const spec_node_t *n, double *out)
{
    return n != NULL ? spec_node_number(n, out) : -1;
}

int spec__schema_count(const spec_node_t *n, size_t *out)
{
    int64_t i;
    double d;
    if (n == NULL)
        return -1;
    if (spec_node_int(n, &i) == 0 && i >= 0) {
        *out = (size_t)i;
        return 0;
    }
    /* JSON Schema 2020-12 §6: a count may be written 2.0 (any number with a zero fraction) */
    if (spec_node_number(n, &d) == 0 && d >= 0 && d < 9e15 && d == floor(d)) {
        *out = (size_t)d;
        return 0;
    }
    return -1;
}

int spec__schema_true(const spec_node_t *n)
{
    int b;
    return n != NULL && spec_node_bool(n, &b) == 0 && b;
}

/* Unicode code points in a UTF-8 string (JSON Schema lengths count characters, not bytes). */
static size_t utf8_length(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; ++i)
        n += ((unsigned char)s[i] & 0xC0) != 0x80;
    return n;
}

/* ---- Patterns ---- */

const spec__regex_t *spec__schema_pattern(spec_validator_t *v, const spec_node_t *n)
{
    size_t idx;
    if (spec__ptrmap_get(&v->pattern_index, (uintptr_t)n, &idx))
        return v->patterns[idx].re;
    if (v->frozen)
        return NULL;
    if (v->npatterns == v->patterns_cap) {
        v->patterns_cap = v->patterns_cap ? v->patterns_cap * 2 : 16;
        v->patterns = spec__xrealloc(v->patterns, v->patterns_cap * sizeof(*v->patterns));
    }
    spec__pattern_t *p = &v->patterns[v->npatterns];
    p->re = NULL;
    if (n->kind == SPEC_NODE_SCALAR && n->u.scalar.len <= MAX_PATTERN)
        p->re = spec__regex_compile(n->u.scalar.str, n->u.scalar.len, NULL);
    spec__ptrmap_put(&v->pattern_index, (uintptr_t)n, v->npatterns, NULL);
    return v->npatterns++, p->re;
}

/* 1 match, 0 no match, -1 not checked (a pattern that is invalid or not enforceable, which the
 * lint reports, or a search that spent its step budget). */
int spec__schema_pattern_match(spec__vctx_t *c, const spec_node_t *pattern, const char *s,
                               size_t len)
{
    const spec__regex_t *re = spec__schema_pattern(c->v, pattern);
    if (re == NULL)
        return -1;
    return spec__regex_search(re, s, len, spec__regex_budget(len));
}

int spec__schema_check_type(spec__vctx_t *c, const spec__keywords_t *k, const body_value_t *inst)
{
    /* the allowed types are precomputed (schema_compile.c); 0: not type names, no check */
    if (k->types == 0 || (instance_type(inst) & k->types))
        return 0;
    const spec_node_t *const *list = &k->type;
    size_t n = 1;
    if (k->type->kind == SPEC_NODE_SEQUENCE) {
        list = k->type->u.seq.items;
        n = k->type->u.seq.len;
    }
    if (c->probe)
        return 1;
    char names[96] = ""; /* spelled out only for the message */
    size_t nlen = 0;
    for (size_t i = 0; i < n; ++i) {
        int w = snprintf(names + nlen, sizeof(names) - nlen, "%s%s", i ? "," : "",
                         list[i]->u.scalar.str);
        if (w > 0 && (size_t)w < sizeof(names) - nlen)
            nlen += (size_t)w;
    }
    return spec__schema_fail(c, "type", k->type, "must be %s", names);
}

int spec__schema_check_enum(spec__vctx_t *c, const spec__keywords_t *k, const body_value_t *inst)
{
    const spec_node_t *e = k->enum_;
    if (e->kind != SPEC_NODE_SEQUENCE)
        return 0;
    if (inst->type == BODY_NULL && spec__schema_true(k->nullable) &&
        c->v->dialect != SPEC_DIALECT_DRAFT4 && c->v->dialect != SPEC_DIALECT_2020_12)
        return 0; /* 3.0: nullable admits null even when the enum does not list it */
    for (size_t i = 0; i < e->u.seq.len; ++i)
        if (spec__schema_node_equals(e->u.seq.items[i], inst))
            return 0;
    if (c->probe)
        return 1;
    char list[200] = "";
    size_t len = 0;
    for (size_t i = 0; i < e->u.seq.len; ++i) {
        char one[64];
        describe_node(one, sizeof(one), e->u.seq.items[i]);
        if (len + strlen(one) + 8 > sizeof(list)) {
            memcpy(list + len, ", ...", 6);
            break;
        }
        len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s", i ? ", " : "", one);
    }
    return spec__schema_fail(c, "enum", e, "must be equal to one of the allowed values: %s", list);
}

int spec__schema_check_number(spec__vctx_t *c, const spec__keywords_t *k, const body_value_t *inst)
{
    double x = body_number_value(inst), lim;
    int bad = 0;
    int excl_min_bool = spec__schema_true(k->exclusive_minimum),
        excl_max_bool = spec__schema_true(k->exclusive_maximum);
    if (node_number(k->minimum, &lim) == 0 && (excl_min_bool ? !(x > lim) : !(x >= lim)))
        bad |= spec__schema_fail(c, "minimum", k->minimum, "must be %s %.17g",
                                 excl_min_bool ? ">" : ">=", lim);
    if (node_number(k->maximum, &lim) == 0 && (excl_max_bool ? !(x < lim) : !(x <= lim)))
        bad |= spec__schema_fail(c, "maximum", k->maximum, "must be %s %.17g",
                                 excl_max_bool ? "<" : "<=", lim);
    /* 3.1 (JSON Schema 2019+): exclusive bounds are numbers of their own */
    if (node_number(k->exclusive_minimum, &lim) == 0 && !(x > lim))
        bad |=
            spec__schema_fail(c, "exclusiveMinimum", k->exclusive_minimum, "must be > %.17g", lim);
    if (node_number(k->exclusive_maximum, &lim) == 0 && !(x < lim))
        bad |=
            spec__schema_fail(c, "exclusiveMaximum", k->exclusive_maximum, "must be < %.17g", lim);
    if (node_number(k->multiple_of, &lim) == 0 && lim > 0) {
        int64_t m, i;
        int ok;
        if (body_int_value(inst, &i) == 0 && spec_node_int(k->multiple_of, &m) == 0 && m > 0)
            ok = i % m == 0;
        else {
            double q = x / lim;
            ok = isfinite(q) && fabs(q - nearbyint(q)) <= 1e-9 * fmax(1.0, fabs(q));
        }
        if (!ok)
            bad |= spec__schema_fail(c, "multipleOf", k->multiple_of, "must be multiple of %.17g",
                                     lim);
    }
    return bad;
}

int spec__schema_check_string(spec__vctx_t *c, const spec__keywords_t *k, const body_value_t *inst)
{
    const char *s = inst->u.str;
    size_t len = inst->len, lim;
    /* characters are counted only when a length keyword asks (a body has many strings) */
    size_t chars = k->min_length != NULL || k->max_length != NULL ? utf8_length(s, len) : 0;
    int bad = 0;
    if (spec__schema_count(k->min_length, &lim) == 0 && chars < lim)
        bad |= spec__schema_fail(c, "minLength", k->min_length,
                                 "must NOT have fewer than %zu characters", lim);
    if (spec__schema_count(k->max_length, &lim) == 0 && chars > lim)
        bad |= spec__schema_fail(c, "maxLength", k->max_length,
                                 "must NOT have more than %zu characters", lim);
    if (k->pattern != NULL && k->pattern->kind == SPEC_NODE_SCALAR) {
        int m = spec__schema_pattern_match(c, k->pattern, s, len);
        if (m < 0)
            c->out->incomplete = 1;
        else if (m == 0)
            bad |= spec__schema_fail(c, "pattern", k->pattern, "must match pattern \"%.100s\"",
                                     k->pattern->u.scalar.str);
    }
    if (k->format != NULL && c->v->formats_assert && k->format->kind == SPEC_NODE_SCALAR &&
        spec__format_check(k->format->u.scalar.str, s, len) == 0)
        bad |= spec__schema_fail(c, "format", k->format, "must match format \"%.40s\"",
                                 k->format->u.scalar.str);
    return bad;
}

int spec__schema_check_array(spec__vctx_t *c, const spec__keywords_t *k, const body_value_t *inst,
                             unsigned depth)
{
    size_t n = inst->len, lim, first = 0;
    int bad = 0, validation = !c->v->no_validation;
    if (validation && spec__schema_count(k->min_items, &lim) == 0 && n < lim)
        bad |= spec__schema_fail(c, "minItems", k->min_items, "must NOT have fewer than %zu items",
                                 lim);
    if (validation && spec__schema_count(k->max_items, &lim) == 0 && n > lim)
        bad |= spec__schema_fail(c, "maxItems", k->max_items, "must NOT have more than %zu items",
                                 lim);
    if (bad && c->probe)
        return 1;
    if (k->prefix_items != NULL && k->prefix_items->kind == SPEC_NODE_SEQUENCE) {
        for (; first < n && first < k->prefix_items->u.seq.len; ++first) {
            size_t saved = spec__schema_path_push_index(c, first);
            bad |= spec__schema_eval(c, k->prefix_items->u.seq.items[first], inst->u.items[first],
                                     depth + 1);
            spec__schema_path_pop(c, saved);
            spec__schema_mark(c, inst, first);
            if (bad && c->probe)
                return 1;
        }
    }
    if (k->items != NULL && k->items->kind != SPEC_NODE_SEQUENCE) {
        for (size_t i = first; i < n; ++i) {
            size_t saved = spec__schema_path_push_index(c, i);
            bad |= spec__schema_eval_k(c, k->items, k->items_k, inst->u.items[i], depth + 1);
            spec__schema_path_pop(c, saved);
            spec__schema_mark(c, inst, i);
            if (bad && c->probe)
                return 1;
        }
    }
    if (validation && spec__schema_true(k->unique_items)) {
        if (n > MAX_UNIQUE_ITEMS) {
            c->out->incomplete = 1;
        } else {
            for (size_t i = 1; i < n; ++i) {
                for (size_t j = 0; j < i; ++j) {
                    if (body_equal_by_value(inst->u.items[i], inst->u.items[j])) {
                        bad |= spec__schema_fail(
                            c, "uniqueItems", k->unique_items,
                            "must NOT have duplicate items (items ## %zu and %zu are "
                            "identical)",
                            j, i);
                        i = n; /* one report is enough */
                        break;
                    }
                }
            }
        }
    }
    if (k->contains != NULL) {
        size_t matches = 0, min = 1, max = SIZE_MAX;
        spec__schema_count(k->min_contains, &min);
        spec__schema_count(k->max_contains, &max);
        for (size_t i = 0; i < n; ++i) {
            if (spec__schema_probe(c, k->contains, inst->u.items[i], depth + 1) == 0) {
                ++matches;
                spec__schema_mark(c, inst, i); /* 2020-12 §10.3.1.3: contains annotates */
            }
        }
        if (matches < min)
            bad |= spec__schema_fail(c, "contains", k->contains,
                                     "must contain at least %zu valid item(s)", min);
        else if (matches > max)
            bad |= spec__schema_fail(c, "maxContains", k->max_contains,
                                     "must contain at most %zu valid item(s)", max);
    }
    return bad;
}

int spec__schema_check_combinators(spec__vctx_t *c, const spec__keywords_t *k,
                                   const body_value_t *inst, unsigned depth)
{
    int bad = 0;
    if (k->all_of != NULL && k->all_of->kind == SPEC_NODE_SEQUENCE) {
        for (size_t i = 0; i < k->all_of->u.seq.len; ++i) {
            bad |= spec__schema_eval(c, k->all_of->u.seq.items[i], inst, depth + 1);
            if (bad && c->probe)
                return 1;
        }
    }
    if (k->any_of != NULL && k->any_of->kind == SPEC_NODE_SEQUENCE) {
        size_t i, matched = 0;
        /* collecting annotations, every branch that passes counts: none is skipped */
        int all = c->ann != NULL && c->ann->inst == inst;
        for (i = 0; i < k->any_of->u.seq.len; ++i)
            if (spec__schema_probe_collect(c, k->any_of->u.seq.items[i], inst, depth + 1) == 0 &&
                matched++ == 0 && !all)
                break;
        if (matched == 0 && k->any_of->u.seq.len != 0)
            bad |= spec__schema_fail(c, "anyOf", k->any_of, "must match a schema in anyOf");
    }
    if (k->one_of != NULL && k->one_of->kind == SPEC_NODE_SEQUENCE) {
        size_t matched = 0, first = 0;
        for (size_t i = 0; i < k->one_of->u.seq.len && matched < 2; ++i) {
            if (spec__schema_probe_collect(c, k->one_of->u.seq.items[i], inst, depth + 1) == 0) {
                if (matched++ == 0)
                    first = i;
                else
                    bad |= spec__schema_fail(
                        c, "oneOf", k->one_of,
                        "must match exactly one schema in oneOf (matches #%zu and #%zu)", first, i);
            }
        }
        if (matched == 0 && k->one_of->u.seq.len != 0)
            bad |=
                spec__schema_fail(c, "oneOf", k->one_of, "must match exactly one schema in oneOf");
    }
    if (k->not_ != NULL) {
        spec__ann_t *ann = c->ann; /* a `not` yields no annotations */
        c->ann = NULL;
        int r = spec__schema_probe(c, k->not_, inst, depth + 1);
        c->ann = ann;
        if (r == 0)
            bad |= spec__schema_fail(c, "not", k->not_,
                                     "must NOT be valid against the schema in \"not\"");
    }
    /* `if` alone still annotates (unevaluated* see what it evaluated when it passes) */
    if (k->if_ != NULL &&
        (k->then_ != NULL || k->else_ != NULL || (c->ann != NULL && c->ann->inst == inst))) {
        const spec_node_t *branch =
            spec__schema_probe_collect(c, k->if_, inst, depth + 1) == 0 ? k->then_ : k->else_;
        if (branch != NULL)
            bad |= spec__schema_eval(c, branch, inst, depth + 1);
    }
    return bad;
}
