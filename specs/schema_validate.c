/* JSON Schema validation of jansson values against OpenAPI Schema Objects (spec nodes): types
 * (3.0 `nullable`, 3.1 type arrays), enum/const, numeric, string, array and object keywords,
 * allOf/anyOf/oneOf/not, if/then/else, with $ref through the spec's resolver. */
#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "schema.h"
#include "spec_internal.h"

#define MAX_DEPTH 128         /* nested schema evaluations per validation */
#define MAX_STEPS 2000000     /* default schema evaluations per validation */
#define MAX_UNIQUE_ITEMS 4096 /* uniqueItems is quadratic; longer arrays are not checked */
#define MAX_PATTERN 1024      /* pattern length we translate */

typedef struct {
    regex_t re;
    int ok; /* 0 when the pattern is not checked (untranslatable or rejected by regcomp) */
} pattern_t;

struct st_spec_validator_t {
    const spec_t *spec;
    int v31;
    spec__ptrmap_t pattern_index; /* pattern node -> index in patterns */
    pattern_t *patterns;
    size_t npatterns, patterns_cap;
};

enum {
    T_NULL = 1,
    T_BOOL = 2,
    T_INT = 4,
    T_NUM = 8,
    T_STR = 16,
    T_ARR = 32,
    T_OBJ = 64,
};

static const struct {
    const char *name;
    unsigned mask;
} type_names[] = {
    {"null", T_NULL},  {"boolean", T_BOOL}, {"integer", T_INT}, {"number", T_NUM},
    {"string", T_STR}, {"array", T_ARR},    {"object", T_OBJ},
};

typedef struct {
    spec_validator_t *v;
    spec_validate_direction_t direction;
    spec_validation_t *out;
    size_t max_errors, found, steps, max_steps;
    int probe; /* > 0 inside anyOf/oneOf/not/if: nothing is recorded, the first failure ends */
    char path[256];
    size_t pathlen;
    int path_overflow;
} vctx_t;

/* The keywords of one schema, collected in one pass over its mapping. */
typedef struct {
    const spec_node_t *ref, *type, *nullable, *enum_, *const_;
    const spec_node_t *minimum, *maximum, *exclusive_minimum, *exclusive_maximum, *multiple_of;
    const spec_node_t *min_length, *max_length, *pattern;
    const spec_node_t *items, *prefix_items, *min_items, *max_items, *unique_items, *contains,
        *min_contains, *max_contains;
    const spec_node_t *properties, *pattern_properties, *additional_properties, *required,
        *min_properties, *max_properties, *property_names, *dependent_required;
    const spec_node_t *all_of, *any_of, *one_of, *not_, *if_, *then_, *else_;
} keywords_t;

void spec_validation_init(spec_validation_t *v)
{
    memset(v, 0, sizeof(*v));
}

void spec_validation_dispose(spec_validation_t *v)
{
    free(v->errors);
    memset(v, 0, sizeof(*v));
}

spec_validator_t *spec_validator_create(const spec_t *spec)
{
    spec_validator_t *v = spec__xcalloc(1, sizeof(*v));
    v->spec = spec;
    v->v31 = spec != NULL && spec_version(spec) == SPEC_OAS_31;
    return v;
}

void spec_validator_destroy(spec_validator_t *v)
{
    if (v == NULL)
        return;
    for (size_t i = 0; i < v->npatterns; ++i)
        if (v->patterns[i].ok)
            regfree(&v->patterns[i].re);
    free(v->patterns);
    spec__ptrmap_dispose(&v->pattern_index);
    free(v);
}

/* ---- Errors and the instance path ---- */

static int fail(vctx_t *c, const char *keyword, const spec_node_t *at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fail(vctx_t *c, const char *keyword, const spec_node_t *at, const char *fmt, ...)
{
    if (c->probe)
        return 1;
    ++c->found;
    spec_validation_t *o = c->out;
    if (o->count >= c->max_errors)
        return 1;
    if (o->count == o->cap) {
        o->cap = o->cap ? o->cap * 2 : 8;
        o->errors = spec__xrealloc(o->errors, o->cap * sizeof(*o->errors));
    }
    spec_schema_error_t *e = &o->errors[o->count++];
    memcpy(e->instance_path, c->path, c->pathlen);
    e->instance_path[c->pathlen] = '\0';
    e->schema = at;
    e->keyword = keyword;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof(e->message), fmt, ap);
    va_end(ap);
    return 1;
}

static size_t path_push(vctx_t *c, const char *key, size_t len)
{
    size_t saved = c->pathlen;
    c->path[c->pathlen] = '\0';
    if (spec_pointer_append(c->path, sizeof(c->path), key, len) != 0)
        c->path_overflow = 1;
    c->pathlen = strlen(c->path);
    return saved;
}

static size_t path_push_index(vctx_t *c, size_t i)
{
    char num[24];
    int n = snprintf(num, sizeof(num), "%zu", i);
    return path_push(c, num, (size_t)n);
}

static void path_pop(vctx_t *c, size_t saved)
{
    c->pathlen = saved;
    c->path[saved] = '\0';
}

/* ---- Values ---- */

static unsigned instance_type(const json_t *j)
{
    switch (json_typeof(j)) {
    case JSON_NULL:
        return T_NULL;
    case JSON_TRUE:
    case JSON_FALSE:
        return T_BOOL;
    case JSON_INTEGER:
        return T_INT | T_NUM;
    case JSON_REAL: {
        /* JSON Schema counts 1.0 as an integer: the data model has numbers, not their spelling */
        double d = json_real_value(j);
        return T_NUM | (isfinite(d) && d == floor(d) ? T_INT : 0);
    }
    case JSON_STRING:
        return T_STR;
    case JSON_ARRAY:
        return T_ARR;
    case JSON_OBJECT:
        return T_OBJ;
    }
    return 0;
}

static int key_eq(const spec_node_t *k, const char *s, size_t len)
{
    return k->kind == SPEC_NODE_SCALAR && k->u.scalar.len == len &&
           memcmp(k->u.scalar.str, s, len) == 0;
}

int spec_json_equal(const json_t *a, const json_t *b)
{
    if (json_is_number(a) && json_is_number(b)) {
        if (json_is_integer(a) && json_is_integer(b))
            return json_integer_value(a) == json_integer_value(b);
        return json_number_value(a) == json_number_value(b);
    }
    if (json_typeof(a) != json_typeof(b))
        return 0;
    switch (json_typeof(a)) {
    case JSON_STRING:
        return json_string_length(a) == json_string_length(b) &&
               memcmp(json_string_value(a), json_string_value(b), json_string_length(a)) == 0;
    case JSON_ARRAY:
        if (json_array_size(a) != json_array_size(b))
            return 0;
        for (size_t i = 0; i < json_array_size(a); ++i)
            if (!spec_json_equal(json_array_get(a, i), json_array_get(b, i)))
                return 0;
        return 1;
    case JSON_OBJECT: {
        if (json_object_size(a) != json_object_size(b))
            return 0;
        const char *key;
        size_t klen;
        json_t *va;
        json_object_keylen_foreach((json_t *)a, key, klen, va)
        {
            json_t *vb = json_object_getn(b, key, klen);
            if (vb == NULL || !spec_json_equal(va, vb))
                return 0;
        }
        return 1;
    }
    default:
        return 1; /* null, true, false */
    }
}

/* Equality of a schema's literal (enum member, const) with an instance, without converting it. */
static int node_equals_json(const spec_node_t *n, const json_t *j)
{
    switch (n->kind) {
    case SPEC_NODE_SCALAR:
        switch (n->scalar_type) {
        case SPEC_SCALAR_NULL:
            return json_is_null(j);
        case SPEC_SCALAR_BOOL: {
            int b;
            return json_is_boolean(j) && spec_node_bool(n, &b) == 0 && b == json_is_true(j);
        }
        case SPEC_SCALAR_INT: {
            int64_t i;
            if (spec_node_int(n, &i) == 0) {
                if (json_is_integer(j))
                    return json_integer_value(j) == i;
                return json_is_real(j) && json_real_value(j) == (double)i;
            }
            /* integers beyond int64 compare as numbers */
            __attribute__((fallthrough));
        }
        case SPEC_SCALAR_FLOAT: {
            double d;
            return json_is_number(j) && spec_node_number(n, &d) == 0 && json_number_value(j) == d;
        }
        case SPEC_SCALAR_STRING:
            return json_is_string(j) && json_string_length(j) == n->u.scalar.len &&
                   memcmp(json_string_value(j), n->u.scalar.str, n->u.scalar.len) == 0;
        }
        return 0;
    case SPEC_NODE_SEQUENCE:
        if (!json_is_array(j) || json_array_size(j) != n->u.seq.len)
            return 0;
        for (size_t i = 0; i < n->u.seq.len; ++i)
            if (!node_equals_json(n->u.seq.items[i], json_array_get(j, i)))
                return 0;
        return 1;
    case SPEC_NODE_MAPPING:
        if (!json_is_object(j) || json_object_size(j) != n->u.map.len)
            return 0;
        for (size_t i = 0; i < n->u.map.len; ++i) {
            const spec_node_t *k = n->u.map.items[i].key;
            json_t *v = json_object_getn(j, k->u.scalar.str, k->u.scalar.len);
            if (v == NULL || !node_equals_json(n->u.map.items[i].value, v))
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

static int node_count(const spec_node_t *n, size_t *out)
{
    int64_t i;
    if (n == NULL || spec_node_int(n, &i) != 0 || i < 0)
        return -1;
    *out = (size_t)i;
    return 0;
}

static int node_true(const spec_node_t *n)
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

/* The compiled regex for a pattern node, or NULL when the pattern is not checked. */
static const regex_t *pattern_of(spec_validator_t *v, const spec_node_t *n)
{
    size_t idx;
    if (spec__ptrmap_get(&v->pattern_index, (uintptr_t)n, &idx))
        return v->patterns[idx].ok ? &v->patterns[idx].re : NULL;
    if (v->npatterns == v->patterns_cap) {
        v->patterns_cap = v->patterns_cap ? v->patterns_cap * 2 : 16;
        v->patterns = spec__xrealloc(v->patterns, v->patterns_cap * sizeof(*v->patterns));
    }
    pattern_t *p = &v->patterns[v->npatterns];
    p->ok = 0;
    char ere[4 * MAX_PATTERN];
    if (n->kind == SPEC_NODE_SCALAR && n->u.scalar.len <= MAX_PATTERN &&
        spec__pattern_to_ere(n->u.scalar.str, n->u.scalar.len, ere, sizeof(ere)) == 0)
        p->ok = regcomp(&p->re, ere, REG_EXTENDED | REG_NOSUB) == 0;
    spec__ptrmap_put(&v->pattern_index, (uintptr_t)n, v->npatterns, NULL);
    return v->npatterns++, p->ok ? &p->re : NULL;
}

static int is_ascii(const char *s, size_t len)
{
    for (size_t i = 0; i < len; ++i)
        if ((unsigned char)s[i] >= 0x80 || s[i] == '\0')
            return 0;
    return 1;
}

/* 1 match, 0 no match, -1 not checked (pattern unsupported, or input regex.h would read
 * differently from ECMA-262: non-ASCII text, embedded NUL). */
static int pattern_match(vctx_t *c, const spec_node_t *pattern, const char *s, size_t len)
{
    const regex_t *re = pattern_of(c->v, pattern);
    if (re == NULL || !is_ascii(s, len))
        return -1;
    return regexec(re, s, 0, NULL, 0) == 0;
}

/* ---- Evaluation ---- */

static int eval(vctx_t *c, const spec_node_t *schema, const json_t *inst, unsigned depth);

static int probe(vctx_t *c, const spec_node_t *schema, const json_t *inst, unsigned depth)
{
    ++c->probe;
    int r = eval(c, schema, inst, depth);
    --c->probe;
    return r;
}

/* Collects the keywords of `schema`. OpenAPI 3.0's dialect (JSON Schema Wright-00 as OpenAPI
 * trims it) has no const, prefixItems, contains, propertyNames, patternProperties,
 * dependentRequired or if/then/else: in 3.0 those names are not keywords and are ignored. */
static void collect(const spec_node_t *schema, keywords_t *k, int v31)
{
    memset(k, 0, sizeof(*k));
    static const struct {
        const char *name;
        size_t offset;
        int v31_only;
    } table[] = {
#define KW(name, field) {name, offsetof(keywords_t, field), 0}
#define KW31(name, field)                                                                          \
    {                                                                                              \
        name, offsetof(keywords_t, field), 1                                                       \
    }
        KW("$ref", ref),
        KW("type", type),
        KW("nullable", nullable),
        KW("enum", enum_),
        KW31("const", const_),
        KW("minimum", minimum),
        KW("maximum", maximum),
        KW("exclusiveMinimum", exclusive_minimum),
        KW("exclusiveMaximum", exclusive_maximum),
        KW("multipleOf", multiple_of),
        KW("minLength", min_length),
        KW("maxLength", max_length),
        KW("pattern", pattern),
        KW("items", items),
        KW31("prefixItems", prefix_items),
        KW("minItems", min_items),
        KW("maxItems", max_items),
        KW("uniqueItems", unique_items),
        KW31("contains", contains),
        KW31("minContains", min_contains),
        KW31("maxContains", max_contains),
        KW("properties", properties),
        KW31("patternProperties", pattern_properties),
        KW("additionalProperties", additional_properties),
        KW("required", required),
        KW("minProperties", min_properties),
        KW("maxProperties", max_properties),
        KW31("propertyNames", property_names),
        KW31("dependentRequired", dependent_required),
        KW("allOf", all_of),
        KW("anyOf", any_of),
        KW("oneOf", one_of),
        KW("not", not_),
        KW31("if", if_),
        KW31("then", then_),
        KW31("else", else_),
#undef KW
#undef KW31
    };
    for (size_t i = 0; i < schema->u.map.len; ++i) {
        const spec_node_t *key = schema->u.map.items[i].key;
        if (key->u.scalar.len < 2 || key->u.scalar.str[0] == 'x')
            continue; /* extensions, and no keyword is shorter than "if" */
        for (size_t t = 0; t < sizeof(table) / sizeof(table[0]); ++t) {
            if (strcmp(key->u.scalar.str, table[t].name) == 0 && (v31 || !table[t].v31_only)) {
                *(const spec_node_t **)((char *)k + table[t].offset) = schema->u.map.items[i].value;
                break;
            }
        }
    }
}

static unsigned type_mask(const spec_node_t *n)
{
    for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); ++i)
        if (spec_node_is(n, type_names[i].name))
            return type_names[i].mask;
    return 0;
}

static int check_type(vctx_t *c, const keywords_t *k, const json_t *inst)
{
    unsigned allowed = 0;
    char names[96] = "";
    size_t nlen = 0;
    const spec_node_t *const *list = &k->type;
    size_t n = 1;
    if (k->type->kind == SPEC_NODE_SEQUENCE) {
        list = k->type->u.seq.items;
        n = k->type->u.seq.len;
    }
    for (size_t i = 0; i < n; ++i) {
        unsigned m = type_mask(list[i]);
        if (m == 0)
            return 0; /* not a type name: a broken schema, which oas3-schema reports */
        allowed |= m;
        int w = snprintf(names + nlen, sizeof(names) - nlen, "%s%s", i ? "," : "",
                         list[i]->u.scalar.str);
        if (w > 0 && (size_t)w < sizeof(names) - nlen)
            nlen += (size_t)w;
    }
    if (node_true(k->nullable)) /* OpenAPI 3.0 §4.7.24.1: nullable adds null to the type */
        allowed |= T_NULL;
    if (allowed & T_NUM)
        allowed |= T_INT;
    if (instance_type(inst) & allowed)
        return 0;
    return fail(c, "type", k->type, "must be %s", names);
}

static int check_enum(vctx_t *c, const keywords_t *k, const json_t *inst)
{
    const spec_node_t *e = k->enum_;
    if (e->kind != SPEC_NODE_SEQUENCE)
        return 0;
    if (json_is_null(inst) && node_true(k->nullable))
        return 0; /* 3.0: nullable admits null even when the enum does not list it */
    for (size_t i = 0; i < e->u.seq.len; ++i)
        if (node_equals_json(e->u.seq.items[i], inst))
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
    return fail(c, "enum", e, "must be equal to one of the allowed values: %s", list);
}

static int check_number(vctx_t *c, const keywords_t *k, const json_t *inst)
{
    double x = json_number_value(inst), lim;
    int bad = 0;
    int excl_min_bool = node_true(k->exclusive_minimum),
        excl_max_bool = node_true(k->exclusive_maximum);
    if (node_number(k->minimum, &lim) == 0 && (excl_min_bool ? !(x > lim) : !(x >= lim)))
        bad |= fail(c, "minimum", k->minimum, "must be %s %.17g", excl_min_bool ? ">" : ">=", lim);
    if (node_number(k->maximum, &lim) == 0 && (excl_max_bool ? !(x < lim) : !(x <= lim)))
        bad |= fail(c, "maximum", k->maximum, "must be %s %.17g", excl_max_bool ? "<" : "<=", lim);
    /* 3.1 (JSON Schema 2019+): exclusive bounds are numbers of their own */
    if (node_number(k->exclusive_minimum, &lim) == 0 && !(x > lim))
        bad |= fail(c, "exclusiveMinimum", k->exclusive_minimum, "must be > %.17g", lim);
    if (node_number(k->exclusive_maximum, &lim) == 0 && !(x < lim))
        bad |= fail(c, "exclusiveMaximum", k->exclusive_maximum, "must be < %.17g", lim);
    if (node_number(k->multiple_of, &lim) == 0 && lim > 0) {
        int64_t m;
        int ok;
        if (json_is_integer(inst) && spec_node_int(k->multiple_of, &m) == 0 && m > 0)
            ok = json_integer_value(inst) % m == 0;
        else {
            double q = x / lim;
            ok = isfinite(q) && fabs(q - nearbyint(q)) <= 1e-9 * fmax(1.0, fabs(q));
        }
        if (!ok)
            bad |= fail(c, "multipleOf", k->multiple_of, "must be multiple of %.17g", lim);
    }
    return bad;
}

static int check_string(vctx_t *c, const keywords_t *k, const json_t *inst)
{
    const char *s = json_string_value(inst);
    size_t len = json_string_length(inst), chars = utf8_length(s, len), lim;
    int bad = 0;
    if (node_count(k->min_length, &lim) == 0 && chars < lim)
        bad |= fail(c, "minLength", k->min_length, "must NOT have fewer than %zu characters", lim);
    if (node_count(k->max_length, &lim) == 0 && chars > lim)
        bad |= fail(c, "maxLength", k->max_length, "must NOT have more than %zu characters", lim);
    if (k->pattern != NULL && k->pattern->kind == SPEC_NODE_SCALAR) {
        int m = pattern_match(c, k->pattern, s, len);
        if (m < 0)
            c->out->incomplete = 1;
        else if (m == 0)
            bad |= fail(c, "pattern", k->pattern, "must match pattern \"%.100s\"",
                        k->pattern->u.scalar.str);
    }
    return bad;
}

static int check_array(vctx_t *c, const keywords_t *k, const json_t *inst, unsigned depth)
{
    size_t n = json_array_size(inst), lim, first = 0;
    int bad = 0;
    if (node_count(k->min_items, &lim) == 0 && n < lim)
        bad |= fail(c, "minItems", k->min_items, "must NOT have fewer than %zu items", lim);
    if (node_count(k->max_items, &lim) == 0 && n > lim)
        bad |= fail(c, "maxItems", k->max_items, "must NOT have more than %zu items", lim);
    if (bad && c->probe)
        return 1;
    if (k->prefix_items != NULL && k->prefix_items->kind == SPEC_NODE_SEQUENCE) {
        for (; first < n && first < k->prefix_items->u.seq.len; ++first) {
            size_t saved = path_push_index(c, first);
            bad |= eval(c, k->prefix_items->u.seq.items[first], json_array_get(inst, first),
                        depth + 1);
            path_pop(c, saved);
            if (bad && c->probe)
                return 1;
        }
    }
    if (k->items != NULL && k->items->kind != SPEC_NODE_SEQUENCE) {
        for (size_t i = first; i < n; ++i) {
            size_t saved = path_push_index(c, i);
            bad |= eval(c, k->items, json_array_get(inst, i), depth + 1);
            path_pop(c, saved);
            if (bad && c->probe)
                return 1;
        }
    }
    if (node_true(k->unique_items)) {
        if (n > MAX_UNIQUE_ITEMS) {
            c->out->incomplete = 1;
        } else {
            for (size_t i = 1; i < n; ++i) {
                for (size_t j = 0; j < i; ++j) {
                    if (spec_json_equal(json_array_get(inst, i), json_array_get(inst, j))) {
                        bad |= fail(c, "uniqueItems", k->unique_items,
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
        node_count(k->min_contains, &min);
        node_count(k->max_contains, &max);
        for (size_t i = 0; i < n; ++i)
            matches += probe(c, k->contains, json_array_get(inst, i), depth + 1) == 0;
        if (matches < min)
            bad |= fail(c, "contains", k->contains, "must contain at least %zu valid item(s)", min);
        else if (matches > max)
            bad |= fail(c, "maxContains", k->max_contains, "must contain at most %zu valid item(s)",
                        max);
    }
    return bad;
}

/* The schema of property `name` declared in `properties`, dereferenced, or NULL. */
static const spec_node_t *declared_property(vctx_t *c, const spec_node_t *props, const char *name,
                                            size_t len)
{
    if (props == NULL || props->kind != SPEC_NODE_MAPPING)
        return NULL;
    for (size_t i = 0; i < props->u.map.len; ++i)
        if (key_eq(props->u.map.items[i].key, name, len))
            return spec_deref(c->v->spec, props->u.map.items[i].value);
    return NULL;
}

/* OpenAPI 3.0 §4.7.24 readOnly/writeOnly: such a property may be absent even when required. */
static int may_be_absent(vctx_t *c, const keywords_t *k, const char *name, size_t len)
{
    if (c->direction == SPEC_VALIDATE_ANY)
        return 0;
    const spec_node_t *p = declared_property(c, k->properties, name, len);
    if (p == NULL || p->kind != SPEC_NODE_MAPPING)
        return 0;
    return node_true(
        spec_node_get(p, c->direction == SPEC_VALIDATE_REQUEST ? "readOnly" : "writeOnly"));
}

static int check_required(vctx_t *c, const keywords_t *k, const json_t *inst)
{
    int bad = 0;
    if (k->required == NULL || k->required->kind != SPEC_NODE_SEQUENCE)
        return 0;
    for (size_t i = 0; i < k->required->u.seq.len; ++i) {
        const spec_node_t *r = k->required->u.seq.items[i];
        if (r->kind != SPEC_NODE_SCALAR)
            continue;
        if (json_object_getn(inst, r->u.scalar.str, r->u.scalar.len) != NULL ||
            may_be_absent(c, k, r->u.scalar.str, r->u.scalar.len))
            continue;
        bad |= fail(c, "required", r, "must have required property \"%.100s\"", r->u.scalar.str);
        if (c->probe)
            return 1;
    }
    return bad;
}

static int check_object(vctx_t *c, const keywords_t *k, const json_t *inst, unsigned depth)
{
    size_t n = json_object_size(inst), lim;
    int bad = 0;
    if (node_count(k->min_properties, &lim) == 0 && n < lim)
        bad |= fail(c, "minProperties", k->min_properties,
                    "must NOT have fewer than %zu properties", lim);
    if (node_count(k->max_properties, &lim) == 0 && n > lim)
        bad |= fail(c, "maxProperties", k->max_properties, "must NOT have more than %zu properties",
                    lim);
    bad |= check_required(c, k, inst);
    if (bad && c->probe)
        return 1;

    const spec_node_t *props =
        k->properties != NULL && k->properties->kind == SPEC_NODE_MAPPING ? k->properties : NULL;
    const spec_node_t *pprops =
        k->pattern_properties != NULL && k->pattern_properties->kind == SPEC_NODE_MAPPING
            ? k->pattern_properties
            : NULL;
    const spec_node_t *addl = k->additional_properties;
    const char *key;
    size_t klen;
    json_t *value;
    json_object_keylen_foreach((json_t *)inst, key, klen, value)
    {
        int known = 0, unsure = 0;
        size_t saved = path_push(c, key, klen);
        if (props != NULL) {
            for (size_t i = 0; i < props->u.map.len; ++i) {
                if (key_eq(props->u.map.items[i].key, key, klen)) {
                    known = 1;
                    bad |= eval(c, props->u.map.items[i].value, value, depth + 1);
                    break;
                }
            }
        }
        if (pprops != NULL) {
            for (size_t i = 0; i < pprops->u.map.len; ++i) {
                int m = pattern_match(c, pprops->u.map.items[i].key, key, klen);
                if (m < 0)
                    unsure = 1;
                if (m > 0) {
                    known = 1;
                    bad |= eval(c, pprops->u.map.items[i].value, value, depth + 1);
                }
            }
        }
        if (k->property_names != NULL) {
            json_t *name = json_stringn_nocheck(key, klen);
            if (probe(c, k->property_names, name, depth + 1) != 0)
                bad |= fail(c, "propertyNames", k->property_names,
                            "property name \"%.100s\" is invalid", key);
            json_decref(name);
        }
        if (!known && addl != NULL) {
            int b;
            if (unsure) {
                c->out->incomplete = 1;
            } else if (addl->kind == SPEC_NODE_SCALAR && spec_node_bool(addl, &b) == 0) {
                if (!b)
                    bad |= fail(c, "additionalProperties", addl,
                                "must NOT have additional property \"%.100s\"", key);
            } else {
                bad |= eval(c, addl, value, depth + 1);
            }
        }
        path_pop(c, saved);
        if (bad && c->probe)
            return 1;
    }
    if (k->dependent_required != NULL && k->dependent_required->kind == SPEC_NODE_MAPPING) {
        const spec_node_t *dr = k->dependent_required;
        for (size_t i = 0; i < dr->u.map.len; ++i) {
            const spec_node_t *dk = dr->u.map.items[i].key, *list = dr->u.map.items[i].value;
            if (json_object_getn(inst, dk->u.scalar.str, dk->u.scalar.len) == NULL ||
                list->kind != SPEC_NODE_SEQUENCE)
                continue;
            for (size_t j = 0; j < list->u.seq.len; ++j) {
                const spec_node_t *r = list->u.seq.items[j];
                if (r->kind == SPEC_NODE_SCALAR &&
                    json_object_getn(inst, r->u.scalar.str, r->u.scalar.len) == NULL)
                    bad |= fail(c, "dependentRequired", r,
                                "must have property \"%.100s\" when property \"%.100s\" is present",
                                r->u.scalar.str, dk->u.scalar.str);
            }
        }
    }
    return bad;
}

static int check_combinators(vctx_t *c, const keywords_t *k, const json_t *inst, unsigned depth)
{
    int bad = 0;
    if (k->all_of != NULL && k->all_of->kind == SPEC_NODE_SEQUENCE) {
        for (size_t i = 0; i < k->all_of->u.seq.len; ++i) {
            bad |= eval(c, k->all_of->u.seq.items[i], inst, depth + 1);
            if (bad && c->probe)
                return 1;
        }
    }
    if (k->any_of != NULL && k->any_of->kind == SPEC_NODE_SEQUENCE) {
        size_t i;
        for (i = 0; i < k->any_of->u.seq.len; ++i)
            if (probe(c, k->any_of->u.seq.items[i], inst, depth + 1) == 0)
                break;
        if (i == k->any_of->u.seq.len && i != 0)
            bad |= fail(c, "anyOf", k->any_of, "must match a schema in anyOf");
    }
    if (k->one_of != NULL && k->one_of->kind == SPEC_NODE_SEQUENCE) {
        size_t matched = 0, first = 0;
        for (size_t i = 0; i < k->one_of->u.seq.len && matched < 2; ++i) {
            if (probe(c, k->one_of->u.seq.items[i], inst, depth + 1) == 0) {
                if (matched++ == 0)
                    first = i;
                else
                    bad |= fail(c, "oneOf", k->one_of,
                                "must match exactly one schema in oneOf (matches #%zu and #%zu)",
                                first, i);
            }
        }
        if (matched == 0 && k->one_of->u.seq.len != 0)
            bad |= fail(c, "oneOf", k->one_of, "must match exactly one schema in oneOf");
    }
    if (k->not_ != NULL && probe(c, k->not_, inst, depth + 1) == 0)
        bad |= fail(c, "not", k->not_, "must NOT be valid against the schema in \"not\"");
    if (k->if_ != NULL && (k->then_ != NULL || k->else_ != NULL)) {
        const spec_node_t *branch = probe(c, k->if_, inst, depth + 1) == 0 ? k->then_ : k->else_;
        if (branch != NULL)
            bad |= eval(c, branch, inst, depth + 1);
    }
    return bad;
}

static int eval(vctx_t *c, const spec_node_t *schema, const json_t *inst, unsigned depth)
{
    if (schema == NULL)
        return 0;
    if (depth > MAX_DEPTH || ++c->steps > c->max_steps) {
        c->out->incomplete = 1;
        return 0;
    }
    if (schema->kind == SPEC_NODE_SCALAR && schema->scalar_type == SPEC_SCALAR_BOOL) {
        int b = 1;
        spec_node_bool(schema, &b); /* 3.1: `true` accepts everything, `false` nothing */
        return b ? 0 : fail(c, "false", schema, "boolean schema is false");
    }
    if (schema->kind != SPEC_NODE_MAPPING)
        return 0; /* not a schema: oas3-schema reports it */

    keywords_t k;
    collect(schema, &k, c->v->v31);
    int bad = 0;
    if (k.ref != NULL) {
        const spec_node_t *target = spec_deref(c->v->spec, schema);
        if (target == NULL) {
            c->out->incomplete = 1; /* a broken $ref is reported by the loader, not here */
        } else if (target != schema) {
            bad |= eval(c, target, inst, depth + 1);
            /* 3.0 §4.7.25: a Reference Object's siblings are ignored; 3.1 schemas apply them */
            if (!c->v->v31 || (bad && c->probe))
                return bad;
        }
    }
    if (k.type != NULL)
        bad |= check_type(c, &k, inst);
    if (k.enum_ != NULL)
        bad |= check_enum(c, &k, inst);
    if (k.const_ != NULL && !node_equals_json(k.const_, inst))
        bad |= fail(c, "const", k.const_, "must be equal to constant");
    if (bad && c->probe)
        return 1;

    switch (json_typeof(inst)) {
    case JSON_INTEGER:
    case JSON_REAL:
        bad |= check_number(c, &k, inst);
        break;
    case JSON_STRING:
        bad |= check_string(c, &k, inst);
        break;
    case JSON_ARRAY:
        bad |= check_array(c, &k, inst, depth);
        break;
    case JSON_OBJECT:
        bad |= check_object(c, &k, inst, depth);
        break;
    default:
        break;
    }
    if (bad && c->probe)
        return 1;
    return bad | check_combinators(c, &k, inst, depth);
}

size_t spec_validate(spec_validator_t *v, const spec_node_t *schema, const json_t *instance,
                     const spec_validate_options_t *opts, spec_validation_t *out)
{
    vctx_t c;
    memset(&c, 0, sizeof(c));
    c.v = v;
    c.out = out;
    c.direction = opts != NULL ? opts->direction : SPEC_VALIDATE_ANY;
    c.max_errors = opts != NULL && opts->max_errors != 0 ? opts->max_errors : 16;
    c.max_steps = opts != NULL && opts->max_steps != 0 ? opts->max_steps : MAX_STEPS;
    eval(&c, schema, instance, 0);
    out->steps += c.steps < c.max_steps ? c.steps : c.max_steps;
    return c.found;
}

/* ---- Nodes to JSON ---- */

typedef struct {
    size_t *left;
    spec_error_t *err;
} conv_t;

static json_t *conv_fail(conv_t *cv, const spec_node_t *n, const char *msg)
{
    if (cv->err != NULL)
        spec_error_at(cv->err, n, "%s", msg);
    return NULL;
}

static json_t *convert(conv_t *cv, const spec_node_t *n)
{
    if (*cv->left == 0)
        return conv_fail(cv, n,
                         "value too large to convert (too many nodes after alias expansion)");
    --*cv->left;
    switch (n->kind) {
    case SPEC_NODE_SCALAR:
        switch (n->scalar_type) {
        case SPEC_SCALAR_NULL:
            return json_null();
        case SPEC_SCALAR_BOOL: {
            int b = 0;
            spec_node_bool(n, &b);
            return json_boolean(b);
        }
        case SPEC_SCALAR_INT: {
            int64_t i;
            if (spec_node_int(n, &i) == 0)
                return json_integer((json_int_t)i);
            /* beyond int64, keep the magnitude as a double */
            __attribute__((fallthrough));
        }
        case SPEC_SCALAR_FLOAT: {
            double d;
            json_t *j = spec_node_number(n, &d) == 0 ? json_real(d) : NULL;
            /* .inf and .nan have no JSON form; keep their text */
            return j != NULL ? j : json_stringn(n->u.scalar.str, n->u.scalar.len);
        }
        case SPEC_SCALAR_STRING: {
            json_t *j = json_stringn(n->u.scalar.str, n->u.scalar.len);
            return j != NULL ? j : conv_fail(cv, n, "string is not valid UTF-8");
        }
        }
        return conv_fail(cv, n, "unknown scalar");
    case SPEC_NODE_SEQUENCE: {
        json_t *a = json_array();
        for (size_t i = 0; i < n->u.seq.len; ++i) {
            json_t *item = convert(cv, n->u.seq.items[i]);
            if (item == NULL) {
                json_decref(a);
                return NULL;
            }
            json_array_append_new(a, item);
        }
        return a;
    }
    case SPEC_NODE_MAPPING: {
        json_t *o = json_object();
        for (size_t i = 0; i < n->u.map.len; ++i) {
            const spec_node_t *k = n->u.map.items[i].key;
            json_t *item = convert(cv, n->u.map.items[i].value);
            if (item == NULL ||
                json_object_setn_new(o, k->u.scalar.str, k->u.scalar.len, item) != 0) {
                json_decref(o);
                return item == NULL ? NULL : conv_fail(cv, k, "key is not valid UTF-8");
            }
        }
        return o;
    }
    }
    return NULL;
}

json_t *spec_node_to_json(const spec_node_t *n, size_t *budget, spec_error_t *err)
{
    size_t fallback = 1000000;
    conv_t cv = {budget != NULL ? budget : &fallback, err};
    return n != NULL ? convert(&cv, n) : json_null();
}
