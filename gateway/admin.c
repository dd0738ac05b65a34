/* Admin endpoints, served on their own listener so that probes and scrapes never compete with
 * API routes: liveness, readiness (config loaded, listeners up, not draining), metrics, and
 * POST /reload, answered once the reloader (main thread) is done. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "admin.h"
#include "process_metrics.h"
#include "metrics.h"
#include "validate.h"
#include "problem.h"
#include "shadow.h"
#include "trace.h"

struct st_gw_admin_t {
    h2o_handler_t super;
    gw_thread_t *thread; /* the admin loop's worker: its generation is the one shown */
    gw_reloader_t *reloader;
    gw_metrics_t *const *threads;
    size_t num_threads;
    h2o_linklist_t waiting; /* POST /reload requests (this loop only) */
    h2o_multithread_receiver_t receiver;
    int attached;
};
typedef struct st_gw_admin_t admin_t;

/* A POST /reload waiting for its reload; lives in the request's pool. */
typedef struct st_waiter_t {
    h2o_linklist_t link;
    h2o_req_t *req;
    uint64_t ticket;
} waiter_t;

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

static void on_waiter_dispose(void *p)
{
    waiter_t *w = p;
    if (h2o_linklist_is_linked(&w->link)) /* the client left before the answer */
        h2o_linklist_unlink(&w->link);
}

static void answer_waiters(admin_t *self)
{
    h2o_linklist_t *node = self->waiting.next;
    while (node != &self->waiting) {
        waiter_t *w = H2O_STRUCT_FROM_MEMBER(waiter_t, link, node);
        node = node->next;
        int status;
        char *body;
        size_t len;
        if (!gw_reloader_result(self->reloader, w->ticket, &status, &body, &len))
            continue;
        h2o_linklist_unlink(&w->link);
        h2o_iovec_t copy = h2o_strdup(&w->req->pool, body, len);
        free(body);
        send_text(w->req, status, status == 200 ? "OK" : "Unprocessable Content",
                  status == 200 ? "application/json" : "application/problem+json", copy.base,
                  copy.len);
    }
}

static void on_reload_message(h2o_multithread_receiver_t *receiver, h2o_linklist_t *messages)
{
    admin_t *self = H2O_STRUCT_FROM_MEMBER(admin_t, receiver, receiver);
    while (!h2o_linklist_is_empty(messages)) {
        h2o_multithread_message_t *m =
            H2O_STRUCT_FROM_MEMBER(h2o_multithread_message_t, link, messages->next);
        h2o_linklist_unlink(&m->link);
        free(m);
    }
    answer_waiters(self);
}

static void start_reload(admin_t *self, h2o_req_t *req)
{
    if (self->thread->rt->process->draining || !self->attached) {
        send_problem(req, GW_PROBLEM_SHUTTING_DOWN, "the gateway is draining");
        return;
    }
    waiter_t *w = h2o_mem_alloc_shared(&req->pool, sizeof(*w), on_waiter_dispose);
    memset(w, 0, sizeof(*w));
    w->req = req;
    h2o_linklist_insert(&self->waiting, &w->link);
    w->ticket = gw_reloader_request(self->reloader);
}

static int on_req(h2o_handler_t *_self, h2o_req_t *req)
{
    admin_t *self = (void *)_self;
    gw_runtime_t *rt = self->thread->rt; /* this loop's current generation */
    h2o_iovec_t path = req->path_normalized;
    /* Probes and scrapes are rare: not keeping their connections lets a drain end promptly. */
    req->http1_is_persistent = 0;
    const char *type;
    char *page;
    size_t len;
    int is_reload = h2o_memis(path.base, path.len, H2O_STRLIT("/reload"));
    if (is_reload && h2o_memis(req->method.base, req->method.len, H2O_STRLIT("POST"))) {
        start_reload(self, req);
    } else if (is_reload) {
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_ALLOW, NULL, H2O_STRLIT("POST"));
        send_problem(req, GW_PROBLEM_METHOD_NOT_ALLOWED, "/reload takes POST");
    } else if (!h2o_memis(req->method.base, req->method.len, H2O_STRLIT("GET")) &&
        !h2o_memis(req->method.base, req->method.len, H2O_STRLIT("HEAD"))) {
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_ALLOW, NULL, H2O_STRLIT("GET, HEAD"));
        send_problem(req, GW_PROBLEM_METHOD_NOT_ALLOWED,
                     "admin endpoints are read-only, except POST /reload");
    } else if (h2o_memis(path.base, path.len, H2O_STRLIT("/healthz"))) {
        send_text(req, 200, "OK", "text/plain; charset=utf-8", H2O_STRLIT("ok\n"));
    } else if (h2o_memis(path.base, path.len, H2O_STRLIT("/readyz"))) {
        if (rt->process->draining)
            send_problem(req, GW_PROBLEM_SHUTTING_DOWN, "the gateway is draining");
        else if (!rt->process->ready)
            send_problem(req, GW_PROBLEM_SHUTTING_DOWN, "the gateway is starting");
        else
            send_text(req, 200, "OK", "text/plain; charset=utf-8", H2O_STRLIT("ready\n"));
    } else if (h2o_memis(path.base, path.len, H2O_STRLIT("/metrics"))) {
        char *text = gw_metrics_render(rt->process->metrics_layout, self->threads,
                                       self->num_threads, &len);
        gw_recorders_render_metrics(&rt->recorders, &text, &len);
        gw_reloader_render_metrics(self->reloader, &text, &len);
        gw_metrics_out_t more = {NULL, 0, 0};
        gw_validate_metrics_render(rt->config, &more);
        gw_validate_logs_metrics(rt->validate_logs, &more);
        gw_tracer_metrics_render(rt->tracer, &more);
        gw_process_metrics_render(&more);
        if (more.len != 0) {
            text = realloc(text, len + more.len);
            memcpy(text + len, more.buf, more.len);
            len += more.len;
        }
        free(more.buf);
        size_t shadow_len;
        char *shadow = gw_shadow_metrics_render(rt->shadow, &shadow_len);
        h2o_iovec_t body = h2o_concat(&req->pool, h2o_iovec_init(text, len),
                                      h2o_iovec_init(shadow, shadow_len));
        free(text);
        free(shadow);
        send_text(req, 200, "OK", "text/plain; version=0.0.4; charset=utf-8", body.base,
                  body.len);
    } else if (h2o_memis(path.base, path.len, H2O_STRLIT("/contract/report"))) {
        gw_metrics_out_t report = {NULL, 0, 0};
        gw_validate_report_json(rt->config, rt->validate_logs, &report);
        h2o_iovec_t body = h2o_strdup(&req->pool, report.buf, report.len);
        free(report.buf);
        send_text(req, 200, "OK", "application/json", body.base, body.len);
    } else if (h2o_memis(path.base, path.len, H2O_STRLIT("/contract"))) {
        page = gw_validate_report_html(rt->config, rt->validate_logs, &len);
        h2o_iovec_t body = h2o_strdup(&req->pool, page, len);
        free(page);
        send_text(req, 200, "OK", "text/html; charset=utf-8", body.base, body.len);
    } else if ((page = gw_shadow_admin_page(rt->shadow, path.base, path.len, &type,
                                            &len)) != NULL) {
        h2o_iovec_t body = h2o_strdup(&req->pool, page, len);
        free(page);
        send_text(req, 200, "OK", type, body.base, body.len);
    } else {
        send_problem(req, GW_PROBLEM_NOT_FOUND,
                     "admin endpoints are /healthz, /readyz, /metrics, /shadow, "
                     "/shadow/report, /contract, /contract/report and POST /reload");
    }
    return 0;
}

gw_admin_t *gw_admin_register(h2o_pathconf_t *pathconf, gw_thread_t *thread,
                              gw_reloader_t *reloader, gw_metrics_t *const *threads,
                              size_t num_threads)
{
    admin_t *self = (void *)h2o_create_handler(pathconf, sizeof(*self));
    self->super.on_req = on_req;
    self->thread = thread;
    self->reloader = reloader;
    self->threads = threads;
    self->num_threads = num_threads;
    h2o_linklist_init_anchor(&self->waiting);
    return self;
}

void gw_admin_attach(gw_admin_t *self, h2o_context_t *ctx)
{
    h2o_multithread_register_receiver(ctx->queue, &self->receiver, on_reload_message);
    self->attached = 1;
}

void gw_admin_detach(gw_admin_t *self)
{
    if (!self->attached)
        return;
    /* messages still queued (a reload that ended with the drain) are only wake-ups */
    while (!h2o_linklist_is_empty(&self->receiver._messages)) {
        h2o_linklist_t *node = self->receiver._messages.next;
        h2o_linklist_unlink(node);
        free(H2O_STRUCT_FROM_MEMBER(h2o_multithread_message_t, link, node));
    }
    h2o_multithread_unregister_receiver(self->receiver.queue, &self->receiver);
    self->attached = 0;
}

void gw_admin_reload_done(gw_admin_t *self)
{
    h2o_multithread_message_t *m = calloc(1, sizeof(*m));
    if (m == NULL)
        abort();
    h2o_multithread_send_message(&self->receiver, m);
}
