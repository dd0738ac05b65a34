/* Admin endpoints, served on their own listener so that probes and scrapes never compete with
 * API routes: liveness, readiness (config loaded, listeners up, not draining) and metrics. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "admin.h"
#include "metrics.h"
#include "validate.h"
#include "problem.h"
#include "shadow.h"

typedef struct st_admin_t {
    h2o_handler_t super;
    gw_runtime_t *rt;
    gw_metrics_t *const *threads;
    size_t num_threads;
} admin_t;

static void send_text(h2o_req_t *req, int status, const char *reason, const char *type,
                      const char *body, size_t len)
{
    req->res.status = status;
    req->res.reason = reason;
    req->res.content_length = len;
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, type, strlen(type));
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, NULL, H2O_STRLIT("no-store"));
    h2o_send_inline(req, body, len);
}

static void send_problem(h2o_req_t *req, gw_problem_kind_t kind, const char *detail)
{
    char body[1024];
    size_t len = gw_problem_render(body, sizeof(body), kind, detail, NULL);
    send_text(req, gw_problem_status(kind), gw_problem_title(kind), "application/problem+json",
              body, len);
}

static int on_req(h2o_handler_t *_self, h2o_req_t *req)
{
    admin_t *self = (void *)_self;
    h2o_iovec_t path = req->path_normalized;
    /* Probes and scrapes are rare: not keeping their connections lets a drain end promptly. */
    req->http1_is_persistent = 0;
    const char *type;
    char *page;
    size_t len;
    if (!h2o_memis(req->method.base, req->method.len, H2O_STRLIT("GET")) &&
        !h2o_memis(req->method.base, req->method.len, H2O_STRLIT("HEAD"))) {
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_ALLOW, NULL, H2O_STRLIT("GET, HEAD"));
        send_problem(req, GW_PROBLEM_METHOD_NOT_ALLOWED, "admin endpoints are read-only");
    } else if (h2o_memis(path.base, path.len, H2O_STRLIT("/healthz"))) {
        send_text(req, 200, "OK", "text/plain; charset=utf-8", H2O_STRLIT("ok\n"));
    } else if (h2o_memis(path.base, path.len, H2O_STRLIT("/readyz"))) {
        if (self->rt->draining)
            send_problem(req, GW_PROBLEM_SHUTTING_DOWN, "the gateway is draining");
        else if (!self->rt->ready)
            send_problem(req, GW_PROBLEM_SHUTTING_DOWN, "the gateway is starting");
        else
            send_text(req, 200, "OK", "text/plain; charset=utf-8", H2O_STRLIT("ready\n"));
    } else if (h2o_memis(path.base, path.len, H2O_STRLIT("/metrics"))) {
        char *text = gw_metrics_render(&self->rt->metrics_layout, self->threads,
                                       self->num_threads, &len);
        gw_recorders_render_metrics(&self->rt->recorders, &text, &len);
        gw_metrics_out_t contract = {NULL, 0, 0};
        gw_validate_metrics_render(self->rt->config, &contract);
        if (contract.len != 0) {
            text = realloc(text, len + contract.len);
            memcpy(text + len, contract.buf, contract.len);
            len += contract.len;
        }
        free(contract.buf);
        size_t shadow_len;
        char *shadow = gw_shadow_metrics_render(self->rt->shadow, &shadow_len);
        h2o_iovec_t body = h2o_concat(&req->pool, h2o_iovec_init(text, len),
                                      h2o_iovec_init(shadow, shadow_len));
        free(text);
        free(shadow);
        send_text(req, 200, "OK", "text/plain; version=0.0.4; charset=utf-8", body.base,
                  body.len);
    } else if (h2o_memis(path.base, path.len, H2O_STRLIT("/contract/report"))) {
        gw_metrics_out_t report = {NULL, 0, 0};
        gw_validate_report_json(self->rt->config, &report);
        h2o_iovec_t body = h2o_strdup(&req->pool, report.buf, report.len);
        free(report.buf);
        send_text(req, 200, "OK", "application/json", body.base, body.len);
    } else if ((page = gw_shadow_admin_page(self->rt->shadow, path.base, path.len, &type,
                                            &len)) != NULL) {
        h2o_iovec_t body = h2o_strdup(&req->pool, page, len);
        free(page);
        send_text(req, 200, "OK", type, body.base, body.len);
    } else {
        send_problem(req, GW_PROBLEM_NOT_FOUND,
                     "admin endpoints are /healthz, /readyz, /metrics, /shadow, "
                     "/shadow/report and /contract/report");
    }
    return 0;
}

void gw_admin_register(h2o_pathconf_t *pathconf, gw_runtime_t *rt, gw_metrics_t *const *threads,
                       size_t num_threads)
{
    admin_t *self = (void *)h2o_create_handler(pathconf, sizeof(*self));
    self->super.on_req = on_req;
    self->rt = rt;
    self->threads = threads;
    self->num_threads = num_threads;
}
