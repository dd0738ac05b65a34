/* Answers held to the spec without h2o (docs/validation.md): status declared (or `default`),
 * declared headers, Content-Type and the JSON body of the operation's response. The gateway's
 * response validation (validate_response.c) runs these on the event loop; shadowing's diff worker
 * and `versa replay --validate` run them through a gw_answer_checker_t, which also finds the
 * operation and reports the violations for contract-tests' reports. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "validate.h"

static int node_true(const spec_node_t *n)
{
    int b = 0;
    return n != NULL && spec_node_bool(n, &b) == 0 && b;
}

/* Declared response headers (OpenAPI §4.8.21 Header Object, style simple): required ones
 * present, values typed by their schema and validated. Content-Type is described by `content`,
 * not here (§4.8.17.1: such a header definition is ignored). */
static void check_headers(gw_violations_t *v, const spec_t *spec, spec_validator_t *validator,
                          const spec_node_t *resp, const gw_answer_t *a)
{
    const spec_node_t *headers = spec_deref(spec, spec_node_get(resp, "headers"));
    if (headers == NULL || headers->kind != SPEC_NODE_MAPPING)
        return;
    for (size_t i = 0; i < headers->u.map.len; ++i) {
        const char *name = headers->u.map.items[i].key->u.scalar.str;
        const spec_node_t *h = spec_deref(spec, headers->u.map.items[i].value);
        char lower[128], ptr[200];
        size_t n = strlen(name);
        if (h == NULL || n >= sizeof(lower) || !strcasecmp(name, "content-type"))
            continue;
        for (size_t k = 0; k <= n; ++k)
            lower[k] = (char)(name[k] >= 'A' && name[k] <= 'Z' ? name[k] + 32 : name[k]);
        snprintf(ptr, sizeof(ptr), "/header");
        spec_pointer_append(ptr, sizeof(ptr), name, n);
        size_t len;
        const char *value = a->header(a->header_ctx, lower, &len);
        if (value == NULL) {
            if (node_true(spec_node_get(h, "required")))
                gw_violations_add(v, ptr, "required", h, "response header \"%.100s\" is required",
                                  name);
            continue;
        }
        const spec_node_t *schema = spec_deref(spec, spec_node_get(h, "schema"));
        if (schema == NULL)
            continue;
        /* typed like a request header (style simple) */
        body_value_t *inst = gw_validate_simple_value(spec, schema, value, len, v->mem);
        gw_violations_validate(v, validator, schema, inst, SPEC_VALIDATE_RESPONSE, ptr);
    }
}

const spec_node_t *gw_validate_answer_head(gw_violations_t *v, const spec_t *spec,
                                           spec_validator_t *validator, const spec_operation_t *op,
                                           const gw_answer_t *a)
{
    const spec_response_t *resp = spec_operation_response(op, a->status);
    if (resp == NULL || resp->node == NULL) {
        gw_violations_add(v, "/status", "status", op->node,
                          "status %d is not declared by the operation (and it has no default)",
                          a->status);
        return NULL;
    }
    check_headers(v, spec, validator, resp->node, a);
    const spec_node_t *content = spec_deref(spec, spec_node_get(resp->node, "content"));
    if (content == NULL || content->kind != SPEC_NODE_MAPPING || content->u.map.len == 0 ||
        a->status == 204 || a->status == 304)
        return NULL;
    size_t len = 0;
    const char *ct = a->header(a->header_ctx, "content-type", &len);
    char mt[128];
    size_t m = 0;
    while (ct != NULL && m < len && ct[m] != ';' && ct[m] != ' ' && m + 1 < sizeof(mt))
        mt[m] = ct[m], ++m;
    mt[m] = '\0';
    const spec_node_t *media = ct != NULL ? spec_content_media(spec, content, mt) : NULL;
    if (media == NULL && ct != NULL)
        gw_violations_add(v, "/header/content-type", "content-type", content,
                          "media type \"%.100s\" is not declared for status %d", mt, a->status);
    int json = m == 16 ? !strncasecmp(mt, "application/json", 16)
                       : m > 5 && !strncasecmp(mt + m - 5, "+json", 5);
    return media != NULL && json ? spec_deref(spec, spec_node_get(media, "schema")) : NULL;
}

void gw_validate_answer_body(gw_violations_t *v, spec_validator_t *validator,
                             const spec_node_t *schema, const char *body, size_t len,
                             const body_value_t *doc, const body_mem_t *parse_mem)
{
    if (schema == NULL || ((body == NULL || len == 0) && doc == NULL))
        return;
    if (doc != NULL) { /* parsed already (the adapters' tree): not parsed again */
        gw_violations_validate(v, validator, schema, doc, SPEC_VALIDATE_RESPONSE, "/body");
        return;
    }
    const body_mem_t *mem = parse_mem != NULL ? parse_mem : v->mem;
    /* a valid body is decided over its text; the tree is built for the errors */
    if (gw_violations_text_valid(validator, schema, body, len, SPEC_VALIDATE_RESPONSE, mem))
        return;
    body_error_t err;
    body_value_t *inst = body_parse(mem, body, len, 0, &err);
    if (inst == NULL)
        gw_violations_add(v, "/body", "json", NULL, "invalid JSON at line %u, column %u: %s",
                          err.line, err.col, err.message);
    else
        gw_violations_validate(v, validator, schema, inst, SPEC_VALIDATE_RESPONSE, "/body");
}

/* ---- the checker of shadowing and replay ---- */

#define LOCATIONS 1024 /* schema locations remembered; more are searched each time */

struct st_gw_answer_checker_t {
    const spec_t *spec;
    spec_validator_t *validator;
    size_t max_errors;
    struct {
        const spec_node_t *node;
        char *location;
    } cache[2 * LOCATIONS];
    size_t cached;
};

gw_answer_checker_t *gw_answer_checker_create(const spec_t *spec, size_t max_errors)
{
    gw_answer_checker_t *c = calloc(1, sizeof(*c));
    if (c == NULL)
        abort();
    c->spec = spec;
    c->max_errors = max_errors != 0 ? max_errors : 20;
    c->validator = spec_validator_create(spec);
    spec_validator_freeze(c->validator, NULL); /* every pattern compiled now */
    return c;
}

void gw_answer_checker_destroy(gw_answer_checker_t *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i != 2 * LOCATIONS; ++i)
        free(c->cache[i].location);
    spec_validator_destroy(c->validator);
    free(c);
}

static void location_of(gw_answer_checker_t *c, const spec_node_t *n, char *buf, size_t size)
{
    if (n == NULL) {
        buf[0] = '\0';
        return;
    }
    size_t i = (size_t)(((uintptr_t)n >> 4) * 0x9E3779B97F4A7C15ull % (2 * LOCATIONS));
    while (c->cache[i].node != NULL && c->cache[i].node != n)
        i = (i + 1) % (2 * LOCATIONS);
    if (c->cache[i].node == n) {
        snprintf(buf, size, "%s", c->cache[i].location);
        return;
    }
    gw_validate__location(c->spec, n, buf, size);
    if (c->cached < LOCATIONS) { /* a search of the spec, once per node */
        c->cached++;
        c->cache[i].node = n;
        if ((c->cache[i].location = strdup(buf)) == NULL)
            abort();
    }
}

/* Header lookup over views: all lines of a name joined by ", " (RFC 9110 §5.3) in `joined`. */
typedef struct {
    const up_header_t *headers;
    size_t num;
    char joined[4096];
} views_t;

static const char *view_header(void *ctx, const char *name, size_t *len)
{
    views_t *h = ctx;
    size_t n = 0, nlen = strlen(name);
    const char *first = NULL;
    for (size_t i = 0; i != h->num; ++i) {
        const up_header_t *x = &h->headers[i];
        if (x->name_len != nlen || strncasecmp(x->name, name, nlen) != 0)
            continue;
        if (first == NULL) {
            first = x->value;
            *len = x->value_len;
            continue;
        }
        if (n == 0) { /* a second line: join them */
            n = *len < sizeof(h->joined) ? *len : sizeof(h->joined) - 1;
            memcpy(h->joined, first, n);
        }
        if (x->value_len + 2 <= sizeof(h->joined) - n) { /* what does not fit is left out */
            memcpy(h->joined + n, ", ", 2);
            memcpy(h->joined + n + 2, x->value, x->value_len);
            n += x->value_len + 2;
        }
        first = h->joined;
        *len = n;
    }
    return first;
}

size_t gw_answer_checker_run_views(gw_answer_checker_t *c, const char *method, size_t method_len,
                                   const char *path, size_t path_len, int status,
                                   const up_header_t *headers, size_t num_headers, const char *body,
                                   size_t body_len, const body_value_t *doc, ct_violation_t *out,
                                   size_t max, size_t *total)
{
    views_t *h = malloc(sizeof(*h));
    if (h == NULL)
        abort();
    h->headers = headers;
    h->num = num_headers;
    gw_answer_t a = {status, view_header, h};
    size_t n = gw_answer_checker_run(c, method, method_len, path, path_len, &a, body, body_len, doc,
                                     out, max, total);
    free(h);
    return n;
}

size_t gw_answer_checker_run(gw_answer_checker_t *c, const char *method, size_t method_len,
                             const char *path, size_t path_len, const gw_answer_t *a,
                             const char *body, size_t body_len, const body_value_t *doc,
                             ct_violation_t *out, size_t max, size_t *total)
{
    *total = 0;
    const spec_path_t *sp;
    const spec_operation_t *op;
    spec_match_t captures;
    size_t plen = 0;
    while (plen < path_len && path[plen] != '?')
        ++plen;
    if (spec_route(c->spec, method, method_len, path, plen, &sp, &op, &captures) !=
            SPEC_ROUTE_FOUND ||
        op == NULL)
        return 0; /* not an operation of the spec: nothing to hold it to */
    body_arena_t arena;
    body_arena_init(&arena);
    body_mem_t mem = body_arena_mem(&arena);
    gw_violations_t v = {&mem, NULL, 0, c->max_errors, 0, 0};
    const spec_node_t *schema = gw_validate_answer_head(&v, c->spec, c->validator, op, a);
    gw_validate_answer_body(&v, c->validator, schema, body, body_len, doc, NULL);
    char label[160];
    const char *name = gw_validate__op_label(op, label, sizeof(label));
    size_t n = 0;
    for (size_t i = 0; i != v.count && n != max; ++i, ++n) {
        ct_violation_t *o = &out[n];
        snprintf(o->operation, sizeof(o->operation), "%s", name);
        o->side = "response";
        o->keyword = v.items[i].keyword;
        location_of(c, v.items[i].schema, o->schema, sizeof(o->schema));
        snprintf(o->pointer, sizeof(o->pointer), "%.255s", v.items[i].pointer);
        snprintf(o->message, sizeof(o->message), "%.255s", v.items[i].message);
    }
    *total = v.total;
    body_arena_dispose(&arena);
    return n;
}
