/* Request bodies and responses of a matched operation pair: required-ness, media types (the
 * same type/subtype, parameters ignored), statuses, response headers, and their schemas. */
#include <strings.h>
#include <string.h>
#include "diff_internal.h"

static int flag(const spec_node_t *s, const char *key)
{
    int v = 0;
    return spec_node_bool(spec_node_get(s, key), &v) == 0 && v;
}

/* Media type entry of `content` equal to `type` up to case and parameters. */
static const spec_node_t *media_entry(const spec_node_t *content, const char *type,
                                      const spec_node_t **key)
{
    size_t len = strcspn(type, ";");
    while (len && type[len - 1] == ' ')
        --len;
    for (size_t i = 0;
         content != NULL && content->kind == SPEC_NODE_MAPPING && i != content->u.map.len; ++i) {
        const char *k = content->u.map.items[i].key->u.scalar.str;
        size_t kl = strcspn(k, ";");
        while (kl && k[kl - 1] == ' ')
            --kl;
        if (kl == len && strncasecmp(k, type, len) == 0) {
            if (key != NULL)
                *key = content->u.map.items[i].key;
            return content->u.map.items[i].value;
        }
    }
    return NULL;
}

/* Compares the `content` maps of a request body (response = 0) or a response. */
static void diff_content(spec__dctx_t *c, const spec_node_t *bc, const spec_node_t *rc,
                         int response)
{
    if (bc == NULL || rc == NULL || bc->kind != SPEC_NODE_MAPPING || rc->kind != SPEC_NODE_MAPPING)
        return;
    size_t p = spec__diff_push(c, "content");
    for (size_t i = 0; i != bc->u.map.len; ++i) {
        const spec_node_t *bk = bc->u.map.items[i].key;
        const char *type = bk->u.scalar.str;
        const spec_node_t *bm = spec_deref(c->base, bc->u.map.items[i].value);
        const spec_node_t *rm = spec_deref(c->rev, media_entry(rc, type, NULL));
        size_t q = spec__diff_push(c, type);
        if (rm == NULL) {
            if (response)
                spec__diff_report(c, "response-media-type-removed", SPEC_DIFF_CHANGE_REMOVED, bk,
                                  "response media type %s removed for status %s: clients asking "
                                  "for it get another; keep it",
                                  type, c->status);
            else
                spec__diff_report(c, "request-body-media-type-removed", SPEC_DIFF_CHANGE_REMOVED,
                                  bk,
                                  "request media type %s removed: clients sending it are "
                                  "rejected (415); keep accepting it",
                                  type);
        } else {
            const spec_node_t *bs = spec_node_get(bm, "schema"), *rs = spec_node_get(rm, "schema");
            if (bs != NULL && rs != NULL) {
                size_t s = spec__diff_push(c, "schema");
                spec__schema_side_t side = {response ? "response-property" : "request-property",
                                            response ? "response-body" : "request-body", response,
                                            0};
                spec__diff_schema_reset(c);
                c->field_len = 0;
                c->field[0] = '\0';
                spec__diff_schema(c, &side, bs, rs);
                spec__diff_pop(c, s);
            }
        }
        spec__diff_pop(c, q);
    }
    for (size_t i = 0; i != rc->u.map.len; ++i) {
        const spec_node_t *rk = rc->u.map.items[i].key;
        if (media_entry(bc, rk->u.scalar.str, NULL) != NULL)
            continue;
        size_t q = spec__diff_push(c, rk->u.scalar.str);
        if (response)
            spec__diff_report(c, "response-media-type-added", SPEC_DIFF_CHANGE_ADDED, rk,
                              "response media type %s added for status %s", rk->u.scalar.str,
                              c->status);
        else
            spec__diff_report(c, "request-body-media-type-added", SPEC_DIFF_CHANGE_ADDED, rk,
                              "request media type %s added", rk->u.scalar.str);
        spec__diff_pop(c, q);
    }
    spec__diff_pop(c, p);
}

void spec__diff_request_body(spec__dctx_t *c)
{
    const spec_node_t *b = c->bop->request_body, *r = c->rop->request_body;
    c->where = SPEC_DIFF_AT_REQUEST;
    c->field_len = 0;
    c->field[0] = '\0';
    size_t p = spec__diff_push(c, "requestBody");
    const spec_node_t *rw = spec_node_get(c->rop->node, "requestBody");
    if (b == NULL && r != NULL && flag(r, "required")) {
        spec__diff_report(c, "request-body-added-required", SPEC_DIFF_CHANGE_ADDED, rw,
                          "a required request body was added: existing clients send none; make "
                          "it optional");
    } else if (b != NULL && r != NULL && !flag(b, "required") && flag(r, "required")) {
        spec__diff_report(c, "request-body-became-required", SPEC_DIFF_CHANGE_REQUIRED,
                          spec_node_get(r, "required"),
                          "the request body became required: clients that send none are "
                          "rejected; keep it optional");
    } else if (b != NULL && r == NULL) {
        spec__diff_report(c, "request-body-removed", SPEC_DIFF_CHANGE_REMOVED,
                          spec_node_get(c->bop->node, "requestBody"),
                          "the request body was removed: what clients send is ignored");
    }
    if (b != NULL && r != NULL)
        diff_content(c, spec_node_get(b, "content"), spec_node_get(r, "content"), 0);
    spec__diff_pop(c, p);
}

static const spec_response_t *find_status(const spec_operation_t *op, const char *status)
{
    for (size_t i = 0; i != op->nresponses; ++i)
        if (strcasecmp(op->responses[i].status, status) == 0)
            return &op->responses[i];
    return NULL;
}

static int success(const char *status)
{
    return status[0] == '2' || status[0] == '3';
}

static void diff_headers(spec__dctx_t *c, const spec_node_t *b, const spec_node_t *r)
{
    const spec_node_t *bh = spec_node_get(b, "headers"), *rh = spec_node_get(r, "headers");
    if (bh == NULL || bh->kind != SPEC_NODE_MAPPING)
        return;
    spec_diff_where_t where = c->where;
    c->where = SPEC_DIFF_AT_HEADER;
    size_t p = spec__diff_push(c, "headers");
    for (size_t i = 0; i != bh->u.map.len; ++i) {
        const spec_node_t *k = bh->u.map.items[i].key;
        const spec_node_t *bv = spec_deref(c->base, bh->u.map.items[i].value);
        const spec_node_t *rv = NULL;
        for (size_t j = 0; rh != NULL && rh->kind == SPEC_NODE_MAPPING && j != rh->u.map.len; ++j)
            if (strcasecmp(rh->u.map.items[j].key->u.scalar.str, k->u.scalar.str) == 0)
                rv = spec_deref(c->rev, rh->u.map.items[j].value);
        size_t q = spec__diff_push(c, k->u.scalar.str);
        c->field_len = 0;
        spec__diff_field_push(c, k->u.scalar.str);
        if (rv == NULL) {
            int req = flag(bv, "required");
            spec__diff_report(
                c, req ? "required-response-header-removed" : "optional-response-header-removed",
                SPEC_DIFF_CHANGE_REMOVED, k,
                "%s response header %s removed for status %s: clients reading it "
                "break; keep sending it, or add it for old clients through an "
                "adapter (headers: removed with a default)",
                req ? "required" : "optional", k->u.scalar.str, c->status);
        } else {
            const spec_node_t *bs = spec_node_get(bv, "schema"), *rs = spec_node_get(rv, "schema");
            if (flag(bv, "required") && !flag(rv, "required"))
                spec__diff_report(c, "response-header-became-optional", SPEC_DIFF_CHANGE_REQUIRED,
                                  k, "response header %s became optional for status %s",
                                  k->u.scalar.str, c->status);
            if (bs != NULL && rs != NULL) {
                spec__schema_side_t side = {"response-header", NULL, 1, 1};
                spec__diff_schema_reset(c);
                size_t s = spec__diff_push(c, "schema");
                spec__diff_schema(c, &side, bs, rs);
                spec__diff_pop(c, s);
            }
        }
        c->field_len = 0;
        c->field[0] = '\0';
        spec__diff_pop(c, q);
    }
    spec__diff_pop(c, p);
    c->where = where;
}

void spec__diff_responses(spec__dctx_t *c)
{
    const spec_operation_t *b = c->bop, *r = c->rop;
    size_t p = spec__diff_push(c, "responses");
    for (size_t i = 0; i != b->nresponses; ++i) {
        const spec_response_t *br = &b->responses[i], *rr = find_status(r, br->status);
        size_t q = spec__diff_push(c, br->status);
        c->status = br->status;
        c->field_len = 0;
        c->field[0] = '\0';
        if (rr == NULL) {
            c->where = SPEC_DIFF_AT_STATUS;
            if (success(br->status))
                spec__diff_report(c, "response-success-status-removed", SPEC_DIFF_CHANGE_REMOVED,
                                  br->key,
                                  "success status %s removed: clients expecting it "
                                  "break; keep it, or map the new status for old clients "
                                  "through an adapter (status)",
                                  br->status);
            else
                spec__diff_report(c, "response-non-success-status-removed",
                                  SPEC_DIFF_CHANGE_REMOVED, br->key, "status %s removed",
                                  br->status);
        } else if (br->node != NULL && rr->node != NULL) {
            c->where = SPEC_DIFF_AT_RESPONSE;
            diff_content(c, spec_node_get(br->node, "content"), spec_node_get(rr->node, "content"),
                         1);
            c->where = SPEC_DIFF_AT_RESPONSE;
            diff_headers(c, br->node, rr->node);
        }
        spec__diff_pop(c, q);
    }
    for (size_t i = 0; i != r->nresponses; ++i) {
        const spec_response_t *rr = &r->responses[i];
        if (find_status(b, rr->status) != NULL)
            continue;
        size_t q = spec__diff_push(c, rr->status);
        c->status = rr->status;
        c->where = SPEC_DIFF_AT_STATUS;
        spec__diff_report(c,
                          success(rr->status) ? "response-success-status-added"
                                              : "response-non-success-status-added",
                          SPEC_DIFF_CHANGE_ADDED, rr->key, "status %s added", rr->status);
        spec__diff_pop(c, q);
    }
    c->status = NULL;
    spec__diff_pop(c, p);
}
