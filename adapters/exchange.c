/* Per-request entry points: a plan's hops run over a request (oldest change first: body,
 * headers, query, path) or a response (newest change first: status, headers, body). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "alloc.h"
#include "registry.h"

/* ---- field lists ---- */

void adp_fields_init(adp_fields_t *f)
{
    memset(f, 0, sizeof(*f));
}

void adp_fields_dispose(adp_fields_t *f)
{
    free(f->entries);
    memset(f, 0, sizeof(*f));
}

void adp_fields_push(adp_fields_t *f, const char *name, size_t name_len, const char *value,
                     size_t value_len)
{
    /* 16 up front: one allocation covers the headers of a typical exchange */
    adp__grow(&f->entries, &f->cap, f->len < 16 ? 16 : f->len + 1, sizeof(*f->entries));
    f->entries[f->len++] = (adp_field_t){name, name_len, value, value_len};
}

static int name_eq(const adp_field_t *e, const char *name, size_t len)
{
    return e->name_len == len && strncasecmp(e->name, name, len) == 0;
}

const adp_field_t *adp_fields_get(const adp_fields_t *f, const char *name)
{
    size_t len = strlen(name);
    for (size_t i = 0; i < f->len; ++i)
        if (name_eq(&f->entries[i], name, len))
            return &f->entries[i];
    return NULL;
}

static void apply_headers(adp_fields_t *f, const adp__fstep_t *steps, size_t n, int status)
{
    for (size_t k = 0; k < n; ++k) {
        const adp__fstep_t *s = &steps[k];
        if (status != 0 && !adp__statuses_has(&s->on, status))
            continue;
        switch (s->prim) {
        case ADP__F_RENAME:
            for (size_t i = 0; i < f->len; ++i)
                if (name_eq(&f->entries[i], s->name, s->name_len)) {
                    f->entries[i].name = s->to;
                    f->entries[i].name_len = s->to_len;
                }
            break;
        case ADP__F_DELETE: {
            size_t kept = 0;
            for (size_t i = 0; i < f->len; ++i)
                if (!name_eq(&f->entries[i], s->name, s->name_len))
                    f->entries[kept++] = f->entries[i];
            f->len = kept;
            break;
        }
        case ADP__F_DEFAULT: {
            size_t i;
            for (i = 0; i < f->len && !name_eq(&f->entries[i], s->name, s->name_len); ++i)
                ;
            if (i == f->len)
                adp_fields_push(f, s->name, s->name_len, s->to, s->to_len);
            break;
        }
        }
    }
}

/* ---- query strings ---- */

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
        return (c | 0x20) - 'a' + 10;
    return -1;
}

/* Compares an encoded query name (form encoding: '+' is a space) with a plain one. */
static int qname_eq(const char *enc, size_t elen, const char *plain, size_t plen)
{
    size_t i = 0, j = 0;
    while (i < elen && j < plen) {
        char c = enc[i];
        if (c == '%' && i + 2 < elen && hexval(enc[i + 1]) >= 0 && hexval(enc[i + 2]) >= 0) {
            c = (char)(hexval(enc[i + 1]) * 16 + hexval(enc[i + 2]));
            i += 3;
        } else {
            if (c == '+')
                c = ' ';
            ++i;
        }
        if (c != plain[j++])
            return 0;
    }
    return i == elen && j == plen;
}

/* Query parameters as fields: `name` is the encoded name, `value` the encoded value (NULL when
 * the parameter has no '='). A defaulted parameter is one pre-encoded "name=value" name. */
static void query_split(adp_fields_t *q, const char *s, size_t len)
{
    size_t at = 0;
    while (at < len) {
        const char *amp = memchr(s + at, '&', len - at);
        size_t end = amp != NULL ? (size_t)(amp - s) : len;
        if (end > at) {
            const char *eq = memchr(s + at, '=', end - at);
            if (eq != NULL)
                adp_fields_push(q, s + at, (size_t)(eq - s) - at, eq + 1,
                                end - (size_t)(eq - s) - 1);
            else
                adp_fields_push(q, s + at, end - at, NULL, 0);
        }
        at = end + 1;
    }
}

static int apply_query(adp_fields_t *q, const adp__fstep_t *steps, size_t n)
{
    int changed = 0;
    for (size_t k = 0; k < n; ++k) {
        const adp__fstep_t *s = &steps[k];
        size_t kept = 0, i;
        switch (s->prim) {
        case ADP__F_RENAME:
            for (i = 0; i < q->len; ++i)
                if (qname_eq(q->entries[i].name, q->entries[i].name_len, s->name, s->name_len)) {
                    q->entries[i].name = s->to_encoded;
                    q->entries[i].name_len = s->to_encoded_len;
                    changed = 1;
                }
            break;
        case ADP__F_DELETE:
            for (i = 0; i < q->len; ++i)
                if (!qname_eq(q->entries[i].name, q->entries[i].name_len, s->name, s->name_len))
                    q->entries[kept++] = q->entries[i];
            changed |= kept != q->len;
            q->len = kept;
            break;
        case ADP__F_DEFAULT:
            for (i = 0; i < q->len; ++i)
                if (qname_eq(q->entries[i].name, q->entries[i].name_len, s->name, s->name_len))
                    break;
            if (i == q->len) {
                adp_fields_push(q, s->to_encoded, s->to_encoded_len, NULL, 0);
                changed = 1;
            }
            break;
        }
    }
    return changed;
}

static char *query_join(const adp_fields_t *q)
{
    size_t len = 1;
    for (size_t i = 0; i < q->len; ++i)
        len += q->entries[i].name_len + q->entries[i].value_len + 2;
    char *out = adp__xmalloc(len), *o = out;
    for (size_t i = 0; i < q->len; ++i) {
        if (i != 0)
            *o++ = '&';
        memcpy(o, q->entries[i].name, q->entries[i].name_len);
        o += q->entries[i].name_len;
        if (q->entries[i].value != NULL) {
            *o++ = '=';
            memcpy(o, q->entries[i].value, q->entries[i].value_len);
            o += q->entries[i].value_len;
        }
    }
    *o = '\0';
    return out;
}

/* ---- paths ---- */

#define MAX_VARS 16

/* The request path rewritten from one template to another, or NULL when it does not match. */
static char *rewrite_path(const adp__rewrite_t *rw, const char *path, size_t len)
{
    size_t caps[2 * MAX_VARS];
    if (rw->from.nvars > MAX_VARS || adp__tpl_match(&rw->from, path, len, caps) != 0)
        return NULL;
    size_t out_len = 1;
    for (size_t i = 0; i < rw->to.n; ++i)
        out_len +=
            rw->to.parts[i].lit != NULL ? rw->to.parts[i].len : caps[2 * rw->to.parts[i].var + 1];
    char *out = adp__xmalloc(out_len), *o = out;
    for (size_t i = 0; i < rw->to.n; ++i) {
        const adp__tpart_t *p = &rw->to.parts[i];
        if (p->lit != NULL) {
            memcpy(o, p->lit, p->len);
            o += p->len;
        } else {
            memcpy(o, path + caps[2 * p->var], caps[2 * p->var + 1]);
            o += caps[2 * p->var + 1];
        }
    }
    *o = '\0';
    return out;
}

/* ---- media types ---- */

int adp_media_type_is_json(const char *v, size_t len)
{
    size_t i = 0;
    while (i < len && (v[i] == ' ' || v[i] == '\t'))
        ++i;
    size_t start = i;
    while (i < len && v[i] != ';' && v[i] != ' ' && v[i] != '\t')
        ++i;
    const char *t = v + start;
    size_t tl = i - start;
    const char *slash = memchr(t, '/', tl);
    if (slash == NULL || slash == t || slash + 1 == t + tl)
        return 0;
    if (tl == 16 && strncasecmp(t, "application/json", 16) == 0)
        return 1;
    return tl > 5 && strncasecmp(t + tl - 5, "+json", 5) == 0;
}

/* ---- requests and responses ---- */

void adp_request_init(adp_request_t *req)
{
    memset(req, 0, sizeof(*req));
    adp_fields_init(&req->headers);
}

static void own_arena_free(void *own)
{
    if (own != NULL) {
        adp__arena_dispose(own);
        free(own);
    }
}

void adp_request_dispose(adp_request_t *req)
{
    adp_fields_dispose(&req->headers);
    free(req->upstream_path);
    free(req->upstream_query);
    own_arena_free(req->own_arena);
    memset(req, 0, sizeof(*req));
}

void adp_response_init(adp_response_t *res)
{
    memset(res, 0, sizeof(*res));
    adp_fields_init(&res->headers);
}

void adp_response_dispose(adp_response_t *res)
{
    adp_fields_dispose(&res->headers);
    own_arena_free(res->own_arena);
    memset(res, 0, sizeof(*res));
}

/* The caller's memory, or an arena of the exchange's own (created on first use). */
static const body_mem_t *mem_of(body_mem_t *mem, void **own)
{
    if (mem->alloc == NULL) {
        adp__arena_t *a = adp__xmalloc(sizeof(*a));
        adp__arena_init(a);
        *own = a;
        *mem = adp__arena_mem(a);
    }
    return mem;
}

/* Writes the edited body back as the exchange's bytes: only when a step changed it, so an
 * untouched body goes out exactly as it came. */
static void body_out(const adp__run_t *run, const body_value_t *doc, const char **body,
                     size_t *len)
{
    if (!run->changed)
        return;
    if (doc == NULL) {
        *body = NULL;
        *len = 0;
        return;
    }
    *body = body_dump(run->mem, doc, len);
}

static void count(const adp_plan_t *plan, adp_direction_t dir, size_t n)
{
    if (n != 0)
        atomic_fetch_add_explicit(&((adp_plan_t *)plan)->mismatches[dir], n, memory_order_relaxed);
}

/* Parses the request body when the plan has steps for it. */
static adp_result_t request_doc(const adp_plan_t *plan, adp_request_t *req, const body_mem_t *mem,
                                body_value_t **doc)
{
    *doc = NULL;
    if (req->body == NULL || !plan->request_body)
        return ADP_OK;
    body_error_t e;
    if ((*doc = body_parse(mem, req->body, req->body_len, 0, &e)) == NULL) {
        req->body_error = (adp_body_error_t){e.message, e.offset, e.line, e.col};
        return ADP_BAD_BODY;
    }
    return ADP_OK;
}

/* The streaming passes (stream_chain.c); 0 when they ran (the body is then final), -1 when the
 * tree engine must. */
static int stream_request(const adp_plan_t *plan, adp_request_t *req, adp__run_t *run)
{
    if (req->body == NULL || !plan->request_body)
        return -1;
    return adp__stream_request(plan, run, &req->body, &req->body_len);
}

adp_result_t adp_request_upgrade(const adp_plan_t *plan, adp_request_t *req)
{
    req->mismatches = 0;
    if (plan->gone_detail != NULL)
        return ADP_GONE;
    adp__run_t run = {.mem = mem_of(&req->mem, &req->own_arena), .scope = ADP__IN_REQUEST,
                      .first = &req->first_mismatch};
    body_value_t *doc = NULL;
    if (stream_request(plan, req, &run) != 0 && request_doc(plan, req, run.mem, &doc) != ADP_OK)
        return ADP_BAD_BODY;
    int has_body = doc != NULL;
    adp_fields_t query;
    adp_fields_init(&query);
    int query_split_done = 0, query_changed = 0;
    adp_result_t rc = ADP_OK;
    for (size_t h = 0; h < plan->nhops; ++h) {
        const adp__hop_t *hop = plan->hops[h];
        if (doc != NULL) {
            adp__run_dfa(&run, doc, hop->req_dfa, 1);
            adp__run_steps(&run, &doc, hop->req_steps, hop->nreq_steps);
        }
        apply_headers(&req->headers, hop->req_headers, hop->nreq_headers, 0);
        if (hop->nquery != 0) {
            if (!query_split_done && req->query != NULL)
                query_split(&query, req->query, req->query_len);
            query_split_done = 1;
            query_changed |= apply_query(&query, hop->query, hop->nquery);
        }
        if (hop->rewrite != NULL) {
            const char *cur = req->upstream_path != NULL ? req->upstream_path : req->path;
            size_t len = req->upstream_path != NULL ? strlen(req->upstream_path) : req->path_len;
            char *next = rewrite_path(hop->rewrite, cur, len);
            if (next == NULL) {
                rc = ADP_BAD_PATH;
                break;
            }
            free(req->upstream_path);
            req->upstream_path = next;
        }
    }
    if (query_changed) {
        free(req->upstream_query);
        req->upstream_query = query_join(&query);
    }
    adp_fields_dispose(&query);
    if (has_body)
        body_out(&run, doc, &req->body, &req->body_len);
    req->mismatches = run.mismatches;
    count(plan, ADP_UPGRADE, run.mismatches);
    return rc;
}

/* Parses the response body when the plan transforms bodies of its (upstream) status; a body
 * that is not JSON stays as it is. */
static body_value_t *response_doc(const adp_plan_t *plan, adp_response_t *res,
                                  const body_mem_t *mem)
{
    body_error_t e;
    body_value_t *doc = NULL;
    res->body_invalid = 0;
    if (res->body == NULL || !adp__statuses_has(&plan->response_body, res->status))
        return NULL;
    if ((doc = body_parse(mem, res->body, res->body_len, 0, &e)) == NULL)
        res->body_invalid = 1;
    return doc;
}

/* The older version's status for the newer `status` through one hop. */
static int older_status(const adp__hop_t *hop, int status)
{
    for (size_t k = 0; k < hop->nstatus_map; ++k)
        if (hop->status_map[k].newer == status)
            return hop->status_map[k].older;
    return status;
}

/* As stream_request, for responses. */
static int stream_response(const adp_plan_t *plan, adp_response_t *res, adp__run_t *run)
{
    if (res->body == NULL || !adp__statuses_has(&plan->response_body, res->status))
        return -1;
    return adp__stream_response(plan, run, res->status, &res->body, &res->body_len);
}

void adp_response_downgrade(const adp_plan_t *plan, adp_response_t *res)
{
    adp__run_t run = {.mem = mem_of(&res->mem, &res->own_arena), .scope = ADP__IN_RESPONSE,
                      .first = &res->first_mismatch};
    body_value_t *doc = NULL;
    res->body_invalid = 0;
    res->doc = NULL;
    if (stream_response(plan, res, &run) != 0)
        doc = response_doc(plan, res, run.mem);
    int has_body = doc != NULL;
    res->mismatches = 0;
    for (size_t h = plan->nhops; h-- > 0;) {
        const adp__hop_t *hop = plan->hops[h];
        res->status = older_status(hop, res->status);
        run.status = res->status;
        apply_headers(&res->headers, hop->res_headers, hop->nres_headers, res->status);
        if (doc == NULL)
            continue;
        adp__run_steps(&run, &doc, hop->res_steps, hop->nres_steps);
        for (size_t k = 0; k < hop->nres_dfas && doc != NULL; ++k)
            if (adp__statuses_has(&hop->res_dfas[k].statuses, res->status)) {
                adp__run_dfa(&run, doc, hop->res_dfas[k].dfa, 0);
                break;
            }
    }
    if (has_body) {
        body_out(&run, doc, &res->body, &res->body_len);
        res->doc = doc;
    }
    res->mismatches = run.mismatches;
    count(plan, ADP_DOWNGRADE, run.mismatches);
}
