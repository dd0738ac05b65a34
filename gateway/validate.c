/* Request validation on the event loop (docs/validation.md): after routing, the request's
 * parameters, Content-Type and body are held to the operation of the version's spec; enforce
 * answers 400 (415 for a media type the operation does not take) with every violation listed,
 * report logs and counts and forwards. Memory comes from the request's pool only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "validate.h"
#include "adapt.h"
#include "exchange.h"

/* All lines of a header, joined as RFC 9110 §5.3 allows for list-valued fields. */
static const char *header_of(void *ctx, const char *name, size_t *len)
{
    h2o_req_t *req = ctx;
    h2o_iovec_t out = {NULL, 0};
    size_t nlen = strlen(name);
    for (ssize_t i = -1; (i = h2o_find_header_by_str(&req->headers, name, nlen, i)) != -1;)
        out = out.base == NULL ? req->headers.entries[i].value
                               : h2o_concat(&req->pool, out, h2o_iovec_init(H2O_STRLIT(", ")),
                                            req->headers.entries[i].value);
    *len = out.len;
    return out.base;
}

static int media_is(const char *mt, size_t len, const char *want)
{
    return len == strlen(want) && strncasecmp(mt, want, len) == 0;
}

static int media_is_json(const char *mt, size_t len)
{
    return media_is(mt, len, "application/json") ||
           (len > 5 && strncasecmp(mt + len - 5, "+json", 5) == 0);
}

static int node_true(const spec_node_t *n)
{
    int b = 0;
    return n != NULL && spec_node_bool(n, &b) == 0 && b;
}

/* The declared media types of a `content` map, for the 415 sentence. */
static void list_media(const spec_node_t *content, char *buf, size_t size)
{
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; content != NULL && content->kind == SPEC_NODE_MAPPING &&
                       i < content->u.map.len && o + 1 < size;
         ++i) {
        int n = snprintf(buf + o, size - o, "%s%s", i ? ", " : "",
                         content->u.map.items[i].key->u.scalar.str);
        if (n < 0)
            break;
        o += (size_t)n;
    }
}

/* Content-Type against the operation's requestBody, then the body against its schema. Sets
 * *unsupported when the media type is not declared (415). */
static void check_body(gw_exchange_t *x, const spec_t *spec, spec_validator_t *validator,
                       const spec_operation_t *op, gw_violations_t *v, const body_mem_t *mem,
                       int *unsupported)
{
    h2o_req_t *req = x->req;
    const spec_node_t *rb = op->request_body;
    if (rb == NULL)
        return;
    int has_body = req->entity.base != NULL && req->entity.len != 0;
    if (!has_body) {
        if (node_true(spec_node_get(rb, "required")))
            gw_violations_add(v, "/body", "required", rb, "the request body is required");
        return;
    }
    const spec_node_t *content = spec_deref(spec, spec_node_get(rb, "content"));
    size_t ctlen = 0;
    const char *ct = header_of(req, "content-type", &ctlen);
    char mt[128];
    size_t mlen = 0;
    if (ct != NULL) { /* the media type without parameters (RFC 9110 §8.3.1) */
        while (mlen < ctlen && ct[mlen] != ';' && ct[mlen] != ' ' && mlen + 1 < sizeof(mt))
            mt[mlen] = ct[mlen], ++mlen;
    } else { /* RFC 9110 §8.3: a recipient may assume application/octet-stream */
        mlen = (size_t)snprintf(mt, sizeof(mt), "application/octet-stream");
    }
    mt[mlen] = '\0';
    const spec_node_t *media = content != NULL ? spec_content_media(spec, content, mt) : NULL;
    if (media == NULL) {
        char list[200];
        list_media(content, list, sizeof(list));
        gw_violations_add(v, "/header/content-type", "content-type", content,
                          "media type \"%.100s\" is not one the operation takes (%s)", mt, list);
        *unsupported = 1;
        return;
    }
    const spec_node_t *schema = spec_deref(spec, spec_node_get(media, "schema"));
    if (schema == NULL)
        return;
    body_value_t *inst = NULL;
    if (media_is_json(mt, mlen)) {
        /* a valid body is decided over its text; the tree is built for the errors */
        if (gw_violations_text_valid(validator, schema, req->entity.base, req->entity.len,
                                     SPEC_VALIDATE_REQUEST, mem))
            return;
        body_error_t err;
        inst = body_parse(mem, req->entity.base, req->entity.len, 0, &err);
        if (inst == NULL) {
            gw_violations_add(v, "/body", "json", NULL,
                              "invalid JSON at line %u, column %u: %s", err.line, err.col,
                              err.message);
            return;
        }
    } else if (media_is(mt, mlen, "application/x-www-form-urlencoded")) {
        inst = gw_validate_form_body(spec, schema, req->entity.base, req->entity.len, mem);
    } else {
        return; /* other media types: the type was checked, the bytes are not */
    }
    gw_violations_validate(v, validator, schema, inst, SPEC_VALIDATE_REQUEST, "/body");
}

/* Replaces bytes that are not UTF-8 (request text quoted in messages) so the body stays JSON. */
body_value_t *gw_validate__text(const body_mem_t *mem, const char *s)
{
    size_t len = strlen(s);
    body_value_t *v = body_string_copy(mem, s, len);
    if (!body_utf8_valid(s, len)) {
        char *c = (char *)v->u.str;
        for (size_t i = 0; i < len; ++i)
            if ((unsigned char)c[i] >= 0x80)
                c[i] = '?';
    }
    return v;
}

const char *gw_validate__location(const spec_t *spec, const spec_node_t *n, char *buf,
                                  size_t size)
{
    buf[0] = '#';
    const spec_doc_t *doc = spec_node_document(spec, n);
    const spec_node_t *root = doc != NULL ? spec_doc_root(doc) : spec_root(spec);
    if (spec_pointer_find(root, n, buf + 1, size - 1) != 0)
        snprintf(buf, size, "%s:%u:%u", n->pos.file, n->pos.line, n->pos.col);
    return buf;
}

/* The schema keyword's location as a URI fragment ("#/components/schemas/Pet/properties/..."):
 * found when the violation was reported, else searched now (error paths only). */
static body_value_t *schema_location(const body_mem_t *mem, const spec_t *spec,
                                     const gw_violation_t *e)
{
    char ptr[512];
    if (e->schema == NULL)
        return body_null(mem);
    return gw_validate__text(mem, e->location != NULL ? e->location
                                         : gw_validate__location(spec, e->schema, ptr, sizeof(ptr)));
}

/* The problem+json body: the usual members plus `errors`, each {pointer, keyword, schema,
 * message}, and `errorCount` when more were found than listed. */
void gw_validate__send(gw_exchange_t *x, const spec_t *spec, const gw_violations_t *v,
                       int problem_kind, const char *detail)
{
    h2o_req_t *req = x->req;
    gw_problem_kind_t kind = (gw_problem_kind_t)problem_kind;
    body_mem_t mem_ = gw_adapt_mem(x);
    const body_mem_t *mem = &mem_;
    char instance[160], base[1024];
    snprintf(instance, sizeof(instance), "urn:request:%.*s", (int)x->request_id.len,
             x->request_id.base);
    size_t len = gw_problem_render(base, sizeof(base), kind, detail, instance);
    body_value_t *doc = body_parse(mem, base, len, 0, NULL);
    body_value_t *errors = body_array(mem);
    for (size_t i = 0; i < v->count; ++i) {
        const gw_violation_t *e = &v->items[i];
        body_value_t *o = body_object(mem);
        body_set(mem, o, "pointer", 7, gw_validate__text(mem, e->pointer));
        body_set(mem, o, "keyword", 7, gw_validate__text(mem, e->keyword));
        body_set(mem, o, "schema", 6, schema_location(mem, spec, e));
        body_set(mem, o, "message", 7, gw_validate__text(mem, e->message));
        body_append(mem, errors, o);
    }
    body_set(mem, doc, "errors", 6, errors);
    body_set(mem, doc, "errorCount", 10, body_integer(mem, (int64_t)v->total));
    size_t out_len;
    char *out = body_dump(mem, doc, &out_len);
    req->res.status = gw_problem_status(kind);
    req->res.reason = gw_problem_title(kind);
    req->res.content_length = out_len;
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL,
                   H2O_STRLIT("application/problem+json"));
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, NULL,
                   H2O_STRLIT("no-store"));
    gw_exchange_add_version_headers(x);
    h2o_send_inline(req, out, out_len);
}

const char *gw_validate__op_label(const spec_operation_t *op, char *buf, size_t size)
{
    if (op->operation_id != NULL)
        return op->operation_id;
    snprintf(buf, size, "%s %s", spec_method_name(op->method), op->path->template);
    return buf;
}

int gw_validate_request(gw_exchange_t *x, const gw_route_t *r)
{
    const gw_validate_conf_t *c = r->api->validate;
    const spec_operation_t *op = x->operation;
    if (c == NULL || c->request == GW_VALIDATE_OFF || op == NULL || c->validators == NULL)
        return 0;
    size_t vi = (size_t)(r->version - r->api->versions);
    spec_validator_t *validator = c->validators[vi];
    const spec_t *spec = r->version->spec;
    if (validator == NULL || spec == NULL)
        return 0;
    h2o_req_t *req = x->req;
    body_mem_t mem = gw_adapt_mem(x);
    gw_violations_t v = {&mem, NULL, 0, c->max_errors, 0, 0};

    gw_param_input_t in = {.header = header_of, .header_ctx = req};
    if (req->query_at != SIZE_MAX) {
        in.query = req->path.base + req->query_at + 1;
        in.query_len = req->path.len - req->query_at - 1;
    }
    spec_match(spec, r->path, r->path_len, &in.captures);
    in.cookie = header_of(req, "cookie", &in.cookie_len);
    gw_validate_params(&v, spec, validator, op, &in, &mem);
    int unsupported = 0;
    check_body(x, spec, validator, op, &v, &mem, &unsupported);
    if (v.total == 0)
        return 0;

    char detail[640];
    int enforce = c->request == GW_VALIDATE_ENFORCE;
    gw_validate__report(x, c, vi, GW_VALIDATE_SIDE_REQUEST, &v, enforce ? (unsupported ? 415 : 400) : 0,
                        detail, sizeof(detail));
    if (!enforce) {
        h2o_req_log_error(req, "versa/validate", "request %.*s: %s", (int)x->request_id.len,
                          x->request_id.base, detail);
        return 0;
    }
    gw_validate__send(x, spec, &v,
                      unsupported ? GW_PROBLEM_UNSUPPORTED_MEDIA_TYPE : GW_PROBLEM_CONTRACT, detail);
    return -1;
}

void gw_validate__report(gw_exchange_t *x, const gw_validate_conf_t *c, size_t version,
                         gw_validate_side_t side, gw_violations_t *v, int status, char *detail,
                         size_t size)
{
    const spec_operation_t *op = x->operation;
    const spec_t *spec = x->api->versions[version].spec;
    for (size_t i = 0; i < v->count; ++i) {
        gw_validate_count(c, version, op->index, side, v->items[i].keyword);
        gw_validate__note(c, spec, version, op->index, side, &v->items[i], x->request_id.base,
                          x->request_id.len);
    }
    int enforced = (side == GW_VALIDATE_SIDE_REQUEST ? c->request : c->response) ==
                   GW_VALIDATE_ENFORCE;
    gw_validate__log(x, side, v, status, enforced);
    char name[160];
    const char *label = gw_validate__op_label(op, name, sizeof(name));
    snprintf(detail, size,
             "%zu violation%s of the contract of %.64s %.64s %.100s%s; first: %.100s: %.40s: %.150s",
             v->total, v->total == 1 ? "" : "s", x->api->name, x->api->versions[version].name,
             label, side == GW_VALIDATE_SIDE_RESPONSE ? " by the upstream's answer" : "",
             v->count ? v->items[0].pointer : "", v->count ? v->items[0].keyword : "",
             v->count ? v->items[0].message : "");
}
