/* Request parameters as typed values (OpenAPI 3.x §4.8.12 "Parameter Object" and "Style
 * Values"): path, query, header and cookie text split by style and explode, converted by the
 * schema's type, then validated; x-www-form-urlencoded bodies the same way. Also the violation
 * list both sides share. Pure: no h2o, memory from the caller's body_mem_t. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "validate.h"

/* ---- Violations ---- */

gw_violation_t *gw_violations_add(gw_violations_t *v, const char *pointer, const char *keyword,
                                  const spec_node_t *schema, const char *fmt, ...)
{
    ++v->total;
    if (v->count >= v->cap)
        return NULL;
    if (v->items == NULL) /* valid requests never pay for the list */
        v->items = body_alloc(v->mem, v->cap * sizeof(*v->items));
    gw_violation_t *e = &v->items[v->count++];
    snprintf(e->pointer, sizeof(e->pointer), "%s", pointer);
    e->keyword = keyword;
    e->schema = schema;
    e->location = NULL;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof(e->message), fmt, ap);
    va_end(ap);
    return e;
}

int gw_violations_text_valid(spec_validator_t *validator, const spec_node_t *schema,
                             const char *json, size_t len, spec_validate_direction_t direction,
                             const body_mem_t *mem)
{
    /* the options gw_violations_validate uses, so both answer alike */
    spec_validate_options_t opts = {.direction = direction, .strict_direction = 1};
    return schema != NULL && spec_validate_text(validator, schema, json, len, &opts, mem);
}

void gw_violations_validate(gw_violations_t *out, spec_validator_t *validator,
                            const spec_node_t *schema, const body_value_t *inst,
                            spec_validate_direction_t direction, const char *prefix)
{
    if (schema == NULL || inst == NULL)
        return;
    spec_validation_t res;
    spec_validation_init(&res);
    size_t room = out->cap > out->count ? out->cap - out->count : 1;
    spec_validate_options_t opts = {.direction = direction, .max_errors = room,
                                    .strict_direction = 1};
    size_t found = spec_validate(validator, schema, inst, &opts, &res);
    for (size_t i = 0; i < res.count; ++i) {
        char ptr[1100];
        snprintf(ptr, sizeof(ptr), "%s%s", prefix, res.errors[i].instance_path);
        gw_violations_add(out, ptr, res.errors[i].keyword, res.errors[i].schema, "%s",
                          res.errors[i].message);
    }
    out->total += found - res.count; /* the ones the engine counted but did not list */
    out->incomplete |= res.incomplete;
    spec_validation_dispose(&res);
}

/* ---- Text to values ---- */

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                         : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Percent-decodes (and, in form data, '+' as space) into memory from `mem`. Malformed escapes
 * stay as they are. */
static char *decode(const body_mem_t *mem, const char *s, size_t len, int plus, size_t *out_len)
{
    char *o = body_alloc(mem, len + 1);
    size_t n = 0;
    for (size_t i = 0; i < len; ++i) {
        int hi, lo;
        if (s[i] == '%' && i + 2 < len &&
            (hi = hexval(s[i + 1])) >= 0 && (lo = hexval(s[i + 2])) >= 0) {
            o[n++] = (char)(hi << 4 | lo);
            i += 2;
        } else {
            o[n++] = plus && s[i] == '+' ? ' ' : s[i];
        }
    }
    o[n] = '\0';
    *out_len = n;
    return o;
}

enum { K_STRING = 1, K_NUMBER = 2, K_INTEGER = 4, K_BOOLEAN = 8, K_ARRAY = 16, K_OBJECT = 32 };

/* The types a (dereferenced) schema admits, looking through allOf/oneOf/anyOf one level. */
static unsigned kinds_of(const spec_t *spec, const spec_node_t *s, int depth)
{
    s = spec_deref(spec, s);
    if (s == NULL || s->kind != SPEC_NODE_MAPPING || depth > 4)
        return 0;
    unsigned k = 0;
    const spec_node_t *t = spec_node_get(s, "type");
    const spec_node_t *const *list = &t;
    size_t n = t != NULL ? 1 : 0;
    if (t != NULL && t->kind == SPEC_NODE_SEQUENCE)
        list = t->u.seq.items, n = t->u.seq.len;
    static const struct {
        const char *name;
        unsigned k;
    } names[] = {{"string", K_STRING},   {"number", K_NUMBER}, {"integer", K_INTEGER},
                 {"boolean", K_BOOLEAN}, {"array", K_ARRAY},   {"object", K_OBJECT}};
    for (size_t i = 0; i < n; ++i)
        for (size_t j = 0; j < sizeof(names) / sizeof(names[0]); ++j)
            if (spec_node_is(list[i], names[j].name))
                k |= names[j].k;
    static const char *const combos[] = {"allOf", "oneOf", "anyOf"};
    for (size_t c = 0; c < 3; ++c) {
        const spec_node_t *seq = spec_node_get(s, combos[c]);
        if (seq != NULL && seq->kind == SPEC_NODE_SEQUENCE)
            for (size_t i = 0; i < seq->u.seq.len; ++i)
                k |= kinds_of(spec, seq->u.seq.items[i], depth + 1);
    }
    if (k == 0 && spec_node_get(s, "properties") != NULL)
        k = K_OBJECT;
    if (k == 0 && spec_node_get(s, "items") != NULL)
        k = K_ARRAY;
    return k;
}

/* Text as the value the schema expects: a number, a boolean, else the string itself (which the
 * schema then rejects with the right keyword). */
static body_value_t *typed(const body_mem_t *mem, const spec_t *spec, const spec_node_t *schema,
                           const char *s, size_t len)
{
    unsigned k = kinds_of(spec, schema, 0);
    if (!(k & K_STRING)) {
        unsigned flags = 0;
        if ((k & (K_NUMBER | K_INTEGER)) && len != 0 && body_scan_number(s, s + len, &flags) == s + len)
            return body_number_text(mem, s, len);
        if ((k & K_BOOLEAN) && len == 4 && memcmp(s, "true", 4) == 0)
            return body_bool(mem, 1);
        if ((k & K_BOOLEAN) && len == 5 && memcmp(s, "false", 5) == 0)
            return body_bool(mem, 0);
    }
    return body_string(mem, s, len);
}

static const spec_node_t *items_schema(const spec_t *spec, const spec_node_t *schema)
{
    return spec_deref(spec, spec_node_get(spec_deref(spec, schema), "items"));
}

static const spec_node_t *prop_schema(const spec_t *spec, const spec_node_t *schema,
                                      const char *name, size_t len)
{
    char buf[128];
    if (len >= sizeof(buf))
        return NULL;
    memcpy(buf, name, len);
    buf[len] = '\0';
    return spec_schema_property(spec, spec_deref(spec, schema), buf);
}

/* An array from `s` split at `sep`, items typed by the schema's `items`. */
static body_value_t *split_array(const body_mem_t *mem, const spec_t *spec,
                                 const spec_node_t *schema, const char *s, size_t len, char sep)
{
    body_value_t *a = body_array(mem);
    const spec_node_t *items = items_schema(spec, schema);
    if (len == 0)
        return a;
    for (size_t start = 0;;) {
        const char *e = memchr(s + start, sep, len - start);
        size_t end = e != NULL ? (size_t)(e - s) : len;
        size_t b = start, f = end;
        while (b < f && s[b] == ' ') /* "a, b" in headers */
            ++b;
        body_append(mem, a, typed(mem, spec, items, s + b, f - b));
        if (e == NULL)
            break;
        start = end + 1;
    }
    return a;
}

/* An object from "k,v,k,v" (explode false) or "k=v,k=v" (explode true), simple/form style. */
static body_value_t *split_object(const body_mem_t *mem, const spec_t *spec,
                                  const spec_node_t *schema, const char *s, size_t len,
                                  int explode)
{
    body_value_t *o = body_object(mem);
    const char *key = NULL;
    size_t klen = 0;
    for (size_t start = 0; start <= len;) {
        const char *e = memchr(s + start, ',', len - start);
        size_t end = e != NULL ? (size_t)(e - s) : len;
        const char *part = s + start;
        size_t plen = end - start;
        if (explode) {
            const char *eq = memchr(part, '=', plen);
            if (eq != NULL) {
                size_t kl = (size_t)(eq - part);
                body_set(mem, o, part, kl,
                         typed(mem, spec, prop_schema(spec, schema, part, kl), eq + 1,
                               plen - kl - 1));
            }
        } else if (key == NULL) {
            key = part, klen = plen;
        } else {
            body_set(mem, o, key, klen,
                     typed(mem, spec, prop_schema(spec, schema, key, klen), part, plen));
            key = NULL;
        }
        if (e == NULL)
            break;
        start = end + 1;
    }
    return o;
}

/* ---- The query string, split once ---- */

typedef struct {
    const char *key, *value;
    size_t klen, vlen;
} pair_t;

typedef struct {
    pair_t *pairs;
    size_t n;
} query_t;

static void split_query(const body_mem_t *mem, const char *q, size_t len, query_t *out)
{
    size_t n = 1;
    for (size_t i = 0; i < len; ++i)
        n += q[i] == '&';
    out->pairs = body_alloc(mem, n * sizeof(*out->pairs));
    out->n = 0;
    for (size_t start = 0; start < len;) {
        const char *amp = memchr(q + start, '&', len - start);
        size_t end = amp != NULL ? (size_t)(amp - q) : len;
        if (end > start) {
            const char *eq = memchr(q + start, '=', end - start);
            size_t kend = eq != NULL ? (size_t)(eq - q) : end;
            pair_t *p = &out->pairs[out->n++];
            p->key = decode(mem, q + start, kend - start, 1, &p->klen);
            if (eq != NULL)
                p->value = decode(mem, eq + 1, end - kend - 1, 1, &p->vlen);
            else
                p->value = "", p->vlen = 0;
        }
        if (amp == NULL)
            break;
        start = end + 1;
    }
}

static int key_is(const pair_t *p, const char *name, size_t nlen)
{
    return p->klen == nlen && memcmp(p->key, name, nlen) == 0;
}

/* A query parameter's value by style, or NULL when absent. */
static body_value_t *query_value(const body_mem_t *mem, const spec_t *spec, const query_t *q,
                                 const spec_param_t *p, const char *style, int explode)
{
    size_t nlen = strlen(p->name);
    unsigned k = kinds_of(spec, p->schema, 0);
    if ((k & K_OBJECT) && !(k & K_ARRAY)) {
        body_value_t *o = NULL;
        for (size_t i = 0; i < q->n; ++i) {
            const pair_t *e = &q->pairs[i];
            if (!strcmp(style, "deepObject")) { /* name[key]=value */
                if (e->klen > nlen + 2 && memcmp(e->key, p->name, nlen) == 0 &&
                    e->key[nlen] == '[' && e->key[e->klen - 1] == ']') {
                    const char *pk = e->key + nlen + 1;
                    size_t pklen = e->klen - nlen - 2;
                    if (o == NULL)
                        o = body_object(mem);
                    body_set(mem, o, pk, pklen,
                             typed(mem, spec, prop_schema(spec, p->schema, pk, pklen), e->value,
                                   e->vlen));
                }
            } else if (explode) { /* form, exploded: the object's own properties as keys */
                const spec_node_t *ps = prop_schema(spec, p->schema, e->key, e->klen);
                if (ps != NULL) {
                    if (o == NULL)
                        o = body_object(mem);
                    body_set(mem, o, e->key, e->klen, typed(mem, spec, ps, e->value, e->vlen));
                }
            } else if (key_is(e, p->name, nlen)) {
                return split_object(mem, spec, p->schema, e->value, e->vlen, 0);
            }
        }
        return o;
    }
    if (k & K_ARRAY) {
        if (explode && !strcmp(style, "form")) { /* name=a&name=b */
            body_value_t *a = NULL;
            const spec_node_t *items = items_schema(spec, p->schema);
            for (size_t i = 0; i < q->n; ++i)
                if (key_is(&q->pairs[i], p->name, nlen)) {
                    if (a == NULL)
                        a = body_array(mem);
                    body_append(mem, a,
                                typed(mem, spec, items, q->pairs[i].value, q->pairs[i].vlen));
                }
            return a;
        }
        char sep = !strcmp(style, "spaceDelimited") ? ' ' : !strcmp(style, "pipeDelimited") ? '|'
                                                                                             : ',';
        for (size_t i = 0; i < q->n; ++i)
            if (key_is(&q->pairs[i], p->name, nlen))
                return split_array(mem, spec, p->schema, q->pairs[i].value, q->pairs[i].vlen,
                                   sep);
        return NULL;
    }
    for (size_t i = 0; i < q->n; ++i)
        if (key_is(&q->pairs[i], p->name, nlen))
            return typed(mem, spec, p->schema, q->pairs[i].value, q->pairs[i].vlen);
    return NULL;
}

/* A path, header or cookie value (simple style; form for cookies) by the schema's type. */
static body_value_t *simple_value(const body_mem_t *mem, const spec_t *spec,
                                  const spec_param_t *p, const char *s, size_t len, int explode)
{
    unsigned k = kinds_of(spec, p->schema, 0);
    if (k & K_ARRAY)
        return split_array(mem, spec, p->schema, s, len, ',');
    if (k & K_OBJECT)
        return split_object(mem, spec, p->schema, s, len, explode);
    return typed(mem, spec, p->schema, s, len);
}

/* The value of cookie `name` in a Cookie header (RFC 6265 §4.2: "a=b; c=d"), or NULL. */
static const char *find_cookie(const char *c, size_t len, const char *name, size_t *vlen)
{
    size_t nlen = strlen(name);
    for (size_t i = 0; i < len;) {
        while (i < len && (c[i] == ' ' || c[i] == ';'))
            ++i;
        const char *semi = memchr(c + i, ';', len - i);
        size_t end = semi != NULL ? (size_t)(semi - c) : len;
        if (end - i > nlen && memcmp(c + i, name, nlen) == 0 && c[i + nlen] == '=') {
            *vlen = end - i - nlen - 1;
            return c + i + nlen + 1;
        }
        i = end;
    }
    return NULL;
}

body_value_t *gw_validate_simple_value(const spec_t *spec, const spec_node_t *schema,
                                       const char *s, size_t len, const body_mem_t *mem)
{
    spec_param_t p = {.schema = schema};
    return simple_value(mem, spec, &p, s, len, 0);
}

static const char *const in_names[] = {"path", "query", "header", "cookie"};

void gw_validate_params(gw_violations_t *out, const spec_t *spec, spec_validator_t *validator,
                        const spec_operation_t *op, const gw_param_input_t *in,
                        const body_mem_t *mem)
{
    query_t q = {NULL, 0};
    int split = 0;
    for (size_t i = 0; i < op->nparams; ++i) {
        const spec_param_t *p = &op->params[i];
        if (p->schema == NULL)
            continue; /* `content` parameters: not checked */
        const char *style = spec_node_str(spec_node_get(p->node, "style"));
        if (style == NULL)
            style = p->in == SPEC_PARAM_QUERY || p->in == SPEC_PARAM_COOKIE ? "form" : "simple";
        int explode = !strcmp(style, "form");
        spec_node_bool(spec_node_get(p->node, "explode"), &explode);
        char ptr[400];
        snprintf(ptr, sizeof(ptr), "/%s", in_names[p->in]);
        spec_pointer_append(ptr, sizeof(ptr), p->name, strlen(p->name));
        body_value_t *v = NULL;
        size_t len;
        const char *s;
        switch (p->in) {
        case SPEC_PARAM_PATH:
            for (size_t c = 0; c < in->captures.count; ++c)
                if (!strcmp(in->captures.vars[c].name, p->name)) {
                    s = decode(mem, in->captures.vars[c].value, in->captures.vars[c].value_len, 0,
                               &len);
                    v = simple_value(mem, spec, p, s, len, explode);
                }
            break;
        case SPEC_PARAM_QUERY:
            if (!split && in->query != NULL)
                split_query(mem, in->query, in->query_len, &q);
            split = 1;
            v = query_value(mem, spec, &q, p, style, explode);
            break;
        case SPEC_PARAM_HEADER: {
            char lower[128];
            size_t n = strlen(p->name);
            if (n >= sizeof(lower))
                break;
            for (size_t c = 0; c <= n; ++c)
                lower[c] = (char)(p->name[c] >= 'A' && p->name[c] <= 'Z' ? p->name[c] + 32
                                                                         : p->name[c]);
            if ((s = in->header(in->header_ctx, lower, &len)) != NULL)
                v = simple_value(mem, spec, p, s, len, explode);
            break;
        }
        case SPEC_PARAM_COOKIE:
            if (in->cookie != NULL &&
                (s = find_cookie(in->cookie, in->cookie_len, p->name, &len)) != NULL) {
                s = decode(mem, s, len, 0, &len);
                v = simple_value(mem, spec, p, s, len, 0);
            }
            break;
        }
        if (v == NULL) {
            if (p->required)
                gw_violations_add(out, ptr, "required", p->node, "%s parameter \"%.100s\" is required",
                                  in_names[p->in], p->name);
            continue;
        }
        gw_violations_validate(out, validator, p->schema, v, SPEC_VALIDATE_REQUEST, ptr);
    }
}

body_value_t *gw_validate_form_body(const spec_t *spec, const spec_node_t *schema,
                                    const char *s, size_t len, const body_mem_t *mem)
{
    query_t q;
    split_query(mem, s, len, &q);
    body_value_t *o = body_object(mem);
    for (size_t i = 0; i < q.n; ++i) {
        const pair_t *e = &q.pairs[i];
        const spec_node_t *ps = prop_schema(spec, schema, e->key, e->klen);
        if (kinds_of(spec, ps, 0) & K_ARRAY) { /* repeated names make an array */
            body_value_t *a = body_get(o, e->key, e->klen);
            if (a == NULL)
                body_set(mem, o, e->key, e->klen, a = body_array(mem));
            body_append(mem, a, typed(mem, spec, items_schema(spec, ps), e->value, e->vlen));
        } else {
            body_set(mem, o, e->key, e->klen, typed(mem, spec, ps, e->value, e->vlen));
        }
    }
    return o;
}
