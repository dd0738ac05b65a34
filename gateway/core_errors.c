/* Rewrites h2o's own plain-text error responses as problem+json (RFC 9457). */
#include <string.h>
#include "core_errors.h"
#include "problem.h"

typedef struct st_replace_t {
    h2o_ostream_t super;
    h2o_iovec_t body;
} replace_t;

/* Swallows h2o's text body and sends ours in its place. */
static void replace_send(h2o_ostream_t *self, h2o_req_t *req, h2o_iovec_t *bufs, size_t bufcnt,
                         h2o_send_state_t state)
{
    replace_t *r = (void *)self;
    if (h2o_send_state_is_in_progress(state)) {
        h2o_ostream_send_next(self, req, NULL, 0, state);
        return;
    }
    h2o_ostream_send_next(self, req, &r->body, 1, state);
}

static int kind_of(int status, gw_problem_kind_t *kind)
{
    switch (status) {
    case 400:
        *kind = GW_PROBLEM_BAD_REQUEST;
        return 0;
    case 413:
        *kind = GW_PROBLEM_BODY_TOO_LARGE;
        return 0;
    default:
        return -1;
    }
}

static void on_setup_ostream(h2o_filter_t *self, h2o_req_t *req, h2o_ostream_t **slot)
{
    gw_problem_kind_t kind;
    /* every response of ours carries X-Request-Id; h2o's own errors don't */
    if (kind_of(req->res.status, &kind) == 0 &&
        h2o_find_header_by_str(&req->res.headers, H2O_STRLIT("x-request-id"), -1) == -1) {
        const char *detail = kind == GW_PROBLEM_BODY_TOO_LARGE
                                 ? "the request body is larger than the gateway accepts"
                                 : "the request could not be parsed";
        char *buf = h2o_mem_alloc_pool(&req->pool, 512);
        size_t len = gw_problem_render(buf, 512, kind, detail, NULL);
        ssize_t ct = h2o_find_header(&req->res.headers, H2O_TOKEN_CONTENT_TYPE, -1);
        if (ct != -1)
            req->res.headers.entries[ct].value = h2o_iovec_init(H2O_STRLIT("application/problem+json"));
        req->res.content_length = len;
        replace_t *r = (void *)h2o_add_ostream(req, sizeof(*r), slot);
        r->super.do_send = replace_send;
        r->body = h2o_iovec_init(buf, len);
        slot = &r->super.next;
    }
    h2o_setup_next_ostream(req, slot);
}

void gw_core_errors_register(h2o_pathconf_t *pathconf)
{
    h2o_filter_t *f = h2o_create_filter(pathconf, sizeof(*f));
    f->on_setup_ostream = on_setup_ostream;
}
