/* Shadow traffic on the event loop: per request, the sampling decision, the candidate and
 * secondary exchanges (pooled HTTP/1.1, bounded capture, one deadline), and a tap on the primary.
 * Everything lives on the heap, so the request's pool can die first; when all sides are done the
 * finished job goes to the diff worker (shadow_worker.c). */
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/random.h>
#include "exchange.h"
#include "random.h"
#include "shadow_internal.h"
#include "trace.h"

typedef struct st_shadow_exchange_t shadow_exchange_t;

/* The candidate's or the secondary's side of one shadow exchange. */
typedef struct st_leg_t {
    shadow_exchange_t *sx;
    gw_shadow_side_t side;
    up_target_t *target;
    up_request_t up; /* bufs: head (malloc'ed), body (the exchange's copy) */
    h2o_timeout_entry_t deadline;
    int done;
    uint64_t start_us;
    gw_trace_leg_t *trace; /* the leg's client span (trace.h); NULL when not traced */
} leg_t;

struct st_shadow_exchange_t {
    gw_tap_t tap;        /* the primary's response */
    h2o_linklist_t link; /* in gw_shadow_thread_t.exchanges */
    gw_shadow_thread_t *thread;
    gw_shadow_entry_t *entry;
    gw_shadow_thread_entry_t *tentry;
    gw_shadow_job_t *job;
    leg_t legs[2];
    size_t num_legs;
    unsigned pending; /* sides not done yet */
    int primary_is_head;
    int cancelled;
    uint64_t start_us;
    h2o_req_t *req;       /* while starting only: the request's pool dies before the exchange */
    char *body;           /* the mirrored request body */
    char *candidate_body; /* cross-version: the body upgraded for the candidate, or NULL */
};

static uint64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (p == NULL)
        h2o_fatal("no memory");
    return p;
}

static char *xstrndup(const char *s, size_t len)
{
    return h2o_strdup(NULL, s, len).base;
}

static void count(uint64_t *counter)
{
    __atomic_fetch_add(counter, 1, __ATOMIC_RELAXED);
}

/* --- finishing --- */

static void finalize(shadow_exchange_t *sx)
{
    gw_shadow_entry_t *e = sx->entry;
    gw_shadow_job_t *job = sx->job;
    h2o_linklist_unlink(&sx->link);
    const gw_shadow_capture_t *p = &job->side[GW_SHADOW_PRIMARY],
                              *c = &job->side[GW_SHADOW_CANDIDATE],
                              *s = &job->side[GW_SHADOW_SECONDARY];
    if (job->has_secondary && !s->complete && !s->too_large) {
        job->has_secondary = 0; /* compared without noise; the failure is counted already */
        gw_shadow__capture_dispose(&job->side[GW_SHADOW_SECONDARY]);
    }
    /* each mirrored request ends as exactly one of: compared, a candidate error, a drop */
    if (sx->cancelled) {
        gw_shadow__count_drop(e, GW_SHADOW_DROP_SHUTDOWN);
    } else if (c->error >= 0) {
        /* counted in errors[] when the leg failed */
    } else if (!p->complete) {
        gw_shadow__count_drop(e,
                              p->too_large ? GW_SHADOW_DROP_RESPONSE_BODY : GW_SHADOW_DROP_PRIMARY);
    } else if (c->too_large || (job->has_secondary && s->too_large)) {
        gw_shadow__count_drop(e, GW_SHADOW_DROP_RESPONSE_BODY);
    } else if (gw_shadow__enqueue(sx->thread->shadow, job) == 0) {
        job = NULL; /* the worker's now */
    } else {
        gw_shadow__count_drop(e, GW_SHADOW_DROP_QUEUE);
    }
    gw_shadow__job_free(job);
    __atomic_fetch_sub(&e->inflight, 1, __ATOMIC_RELAXED);
    for (size_t i = 0; i != sx->num_legs; ++i) {
        free(sx->legs[i].up.bufs[0].base);
        up_request_dispose(&sx->legs[i].up);
    }
    free(sx->body);
    free(sx->candidate_body);
    free(sx);
}

static void release(shadow_exchange_t *sx)
{
    if (--sx->pending == 0)
        finalize(sx);
}

/* Ends a leg: `error` is -1 for a complete response (or a body over the limit, or a cancel). */
static void leg_finish(leg_t *leg, int error)
{
    shadow_exchange_t *sx = leg->sx;
    gw_shadow_capture_t *cap = &sx->job->side[leg->side];
    if (leg->done)
        return;
    leg->done = 1;
    h2o_timeout_unlink(&leg->deadline);
    cap->duration_us = now_us() - leg->start_us;
    gw_trace_shadow_end(leg->trace, cap->status,
                        error >= 0 ? gw_shadow__error_names[error]
                        : sx->cancelled ? "cancelled"
                        : cap->too_large ? "response_too_large" : NULL);
    leg->trace = NULL;
    if (!sx->cancelled) {
        if (error >= 0) {
            cap->error = error;
            count(&sx->entry->errors[leg->side - 1][error]);
        } else if (!cap->too_large) {
            cap->complete = 1;
            gw_shadow_histogram_t *h = &sx->entry->latency[leg->side];
            gw_metrics_observe(h->buckets, &h->count, &h->sum_us, cap->duration_us);
        }
    }
    release(sx);
}

/* The upstream client's failures to our kinds. */
static gw_shadow_error_t kind_of(up_status_t status)
{
    switch (status) {
    case UP_ERR_CONNECT:
        return GW_SHADOW_ERR_CONNECT;
    case UP_ERR_CLOSED:
        return GW_SHADOW_ERR_RESET;
    case UP_ERR_BAD_RESPONSE:
        return GW_SHADOW_ERR_BAD_RESPONSE;
    case UP_ERR_BODY:
        return GW_SHADOW_ERR_BODY;
    default: /* no connection or no answer within timeout_ms */
        return GW_SHADOW_ERR_TIMEOUT;
    }
}

/* --- the candidate / secondary exchange --- */

static void on_deadline(h2o_timeout_entry_t *entry)
{
    leg_t *leg = H2O_STRUCT_FROM_MEMBER(leg_t, deadline, entry);
    up_request_cancel(&leg->up);
    leg_finish(leg, GW_SHADOW_ERR_TIMEOUT);
}

/* Takes the body bytes the client has; returns -1 once the capture is over its limit. */
static int take_body(leg_t *leg)
{
    gw_shadow_capture_t *cap = &leg->sx->job->side[leg->side];
    h2o_buffer_t **body = &leg->up.body;
    if ((*body)->size == 0)
        return cap->too_large ? -1 : 0;
    int over = gw_shadow__capture_body(cap, (*body)->bytes, (*body)->size) != 0;
    h2o_buffer_consume(body, (*body)->size);
    return over ? -1 : 0;
}

static void on_leg_head(up_request_t *up)
{
    leg_t *leg = up->data;
    gw_shadow_capture_t *cap = &leg->sx->job->side[leg->side];
    int no_body = up->method_is_head || up->res_status == 204 || up->res_status == 304;
    gw_shadow__capture_head_views(cap, up->res_status, up->headers, up->num_headers,
                                  !no_body && up->content_length < SIZE_MAX
                                      ? (size_t)up->content_length
                                      : SIZE_MAX);
    if (cap->too_large) {
        up_request_cancel(up);
        leg_finish(leg, -1);
    }
}

static void on_leg_body(up_request_t *up)
{
    leg_t *leg = up->data;
    if (take_body(leg) != 0) {
        up_request_cancel(up);
        leg_finish(leg, -1);
    }
}

static void on_leg_done(up_request_t *up)
{
    leg_t *leg = up->data;
    if (up->status != UP_OK) {
        leg_finish(leg, kind_of(up->status));
        return;
    }
    take_body(leg); /* over the limit, the capture is marked too large */
    leg_finish(leg, -1);
}

static void leg_start(shadow_exchange_t *sx, leg_t *leg)
{
    leg->start_us = now_us();
    leg->deadline.cb = on_deadline;
    h2o_timeout_link(sx->thread->ctx->loop, &sx->tentry->timeout, &leg->deadline);
    leg->up.high_water = 64 * 1024; /* streamed into the capture, which bounds it */
    leg->up.on_head = on_leg_head;
    leg->up.on_body = on_leg_body;
    leg->up.on_done = on_leg_done;
    leg->up.data = leg;
    up_send(leg->target, &leg->up);
}

/* --- the primary, through a tap --- */

static void on_primary_head(gw_tap_t *tap, h2o_req_t *req)
{
    shadow_exchange_t *sx = (void *)tap;
    gw_shadow__capture_head(&sx->job->side[GW_SHADOW_PRIMARY], req->res.status,
                            req->res.headers.entries, req->res.headers.size,
                            sx->primary_is_head ? SIZE_MAX : req->res.content_length);
}

static void on_primary_body(gw_tap_t *tap, const char *bytes, size_t len)
{
    shadow_exchange_t *sx = (void *)tap;
    gw_shadow__capture_body(&sx->job->side[GW_SHADOW_PRIMARY], bytes, len);
}

static void on_primary_end(gw_tap_t *tap, h2o_req_t *req, gw_tap_end_t how)
{
    shadow_exchange_t *sx = (void *)tap;
    gw_shadow_capture_t *cap = &sx->job->side[GW_SHADOW_PRIMARY];
    cap->duration_us = now_us() - sx->start_us;
    if (how == GW_TAP_COMPLETE && cap->status != 0 && !cap->too_large) {
        cap->complete = 1;
        gw_shadow_histogram_t *h = &sx->entry->latency[GW_SHADOW_PRIMARY];
        gw_metrics_observe(h->buckets, &h->count, &h->sum_us, cap->duration_us);
    }
    release(sx);
}

/* --- starting --- */

/* The report group: the operationId, else "METHOD /template" from the spec, else "METHOD
 * /prefix" (contract-tests groups by this name; rules may be scoped to it). */
static char *group_of(const gw_exchange_t *x)
{
    const h2o_req_t *req = x->req;
    char *out;
    if (x->operation_id != NULL)
        return xstrndup(x->operation_id, strlen(x->operation_id));
    int n = x->operation != NULL ? asprintf(&out, "%s %s", spec_method_name(x->operation->method),
                                            x->operation->path->template)
                                 : asprintf(&out, "%.*s %s", (int)req->method.len, req->method.base,
                                            x->api->prefix[0] != '\0' ? x->api->prefix : "/");
    if (n < 0)
        h2o_fatal("no memory");
    return out;
}

static int is_idempotent(h2o_iovec_t m)
{
    static const char *const names[] = {"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE", NULL};
    for (const char *const *n = names; *n != NULL; ++n)
        if (h2o_memis(m.base, m.len, *n, strlen(*n)))
            return 1;
    return 0;
}

static gw_shadow_job_t *make_job(gw_exchange_t *x, size_t entry, const gw_shadow_conf_t *conf)
{
    h2o_req_t *req = x->req;
    gw_shadow_job_t *job = xcalloc(1, sizeof(*job));
    job->entry = entry;
    job->time = req->timestamps.request_begin_at;
    job->group = group_of(x);
    job->request_id = xstrndup(x->request_id.base, x->request_id.len);
    job->method = xstrndup(req->method.base, req->method.len);
    job->target = xstrndup(req->input.path.base, req->input.path.len);
    gw_shadow__headers_copy(req->headers.entries, req->headers.size, &job->req_headers,
                            &job->req_hbuf);
    job->num_req_headers = req->headers.size;
    job->has_secondary = conf->has_secondary;
    job->primary_plan = x->plan;
    for (int s = 0; s != GW_SHADOW_SIDES; ++s)
        gw_shadow__capture_init(&job->side[s], conf->max_body);
    return job;
}

/* The candidate's request: the client's, or its upgrade to the candidate's version. */
static h2o_iovec_t candidate_request(shadow_exchange_t *sx, const gw_shadow_adapted_t *a,
                                     h2o_iovec_t path, h2o_iovec_t query, h2o_iovec_t peer,
                                     h2o_iovec_t *body, h2o_iovec_t traceparent)
{
    h2o_req_t *req = sx->req;
    const gw_shadow_job_t *job = sx->job;
    const gw_shadow_conf_t *conf = sx->entry->conf;
    if (a->body != NULL) {
        sx->candidate_body = a->body; /* owned from here */
        *body = h2o_iovec_init(a->body, a->body_len);
    }
    return gw_shadow__build_request(
        conf, conf->candidate, req->method,
        a->path != NULL ? h2o_iovec_init(a->path, strlen(a->path)) : path,
        a->query != NULL ? h2o_iovec_init(a->query, strlen(a->query)) : query,
        a->plan != NULL ? a->headers : job->req_headers,
        a->plan != NULL ? a->num_headers : job->num_req_headers, body->len,
        req->entity.base != NULL || a->body != NULL, peer, req->scheme->name, req->authority,
        traceparent);
}

/* Returns 0, or -1 when the request cannot be adapted to the candidate's version. */
static int start_exchange(gw_shadow_thread_t *t, size_t index, gw_exchange_t *x, const char *path,
                          size_t path_len)
{
    h2o_req_t *req = x->req;
    gw_shadow_entry_t *e = &t->shadow->entries[index];
    const gw_shadow_conf_t *conf = e->conf;
    h2o_iovec_t query = req->query_at != SIZE_MAX ? h2o_iovec_init(req->path.base + req->query_at,
                                                                   req->path.len - req->query_at)
                                                  : h2o_iovec_init("", 0);
    if (x->has_query_override) /* the primary's adapter chain rebuilt it (as proxy.c sends it) */
        query = x->query_override.len != 0
                    ? h2o_concat(&req->pool, h2o_iovec_init(H2O_STRLIT("?")), x->query_override)
                    : h2o_iovec_init("", 0);
    shadow_exchange_t *sx = xcalloc(1, sizeof(*sx));
    sx->thread = t;
    sx->entry = e;
    sx->tentry = &t->entries[index];
    sx->req = req; /* only until this function returns */
    sx->start_us = now_us();
    sx->primary_is_head = h2o_memis(req->method.base, req->method.len, H2O_STRLIT("HEAD"));
    sx->job = make_job(x, index, conf);
    h2o_iovec_t body = {NULL, 0};
    if (req->entity.base != NULL) {
        sx->body = malloc(req->entity.len ? req->entity.len : 1);
        if (sx->body == NULL)
            h2o_fatal("no memory");
        memcpy(sx->body, req->entity.base, req->entity.len);
        body = h2o_iovec_init(sx->body, req->entity.len);
    }
    gw_shadow_adapted_t adapted;
    if (gw_shadow__adapt_request(e, x, sx->job, path, path_len, query, body, &adapted) != 0) {
        gw_shadow__job_free(sx->job);
        free(sx->body);
        free(sx);
        return -1;
    }
    sx->job->plan = adapted.plan;
    if (conf->validate)
        sx->job->candidate_path = adapted.path != NULL ? xstrndup(adapted.path, strlen(adapted.path))
                                                       : xstrndup(path, path_len);

    char peer[NI_MAXHOST];
    size_t peer_len = 0;
    struct sockaddr_storage ss;
    socklen_t sslen = req->conn->callbacks->get_peername(req->conn, (void *)&ss);
    if (sslen != 0 && (peer_len = h2o_socket_getnumerichost((void *)&ss, sslen, peer)) == SIZE_MAX)
        peer_len = 0;
    sx->num_legs = conf->has_secondary ? 2 : 1;
    for (size_t i = 0; i != sx->num_legs; ++i) {
        leg_t *leg = &sx->legs[i];
        h2o_iovec_t leg_body = body;
        leg->sx = sx;
        leg->side = i == 0 ? GW_SHADOW_CANDIDATE : GW_SHADOW_SECONDARY;
        leg->target = sx->tentry->targets[i];
        up_request_init(&leg->up);
        leg->up.method_is_head = sx->primary_is_head;
        /* a pooled connection the upstream closed while idle fails before any response byte;
         * the request was not processed then, so an idempotent one is sent again (RFC 9110
         * §9.2.2) */
        leg->up.idempotent = is_idempotent(req->method);
        /* its own client span, child of the request's server span, linked to the primary's */
        char tp[64];
        const gw_version_t *leg_version = i == 0 && conf->candidate_version != NULL
                                              ? conf->candidate_version
                                              : conf->version;
        leg->trace = gw_trace_shadow_start(x, gw_shadow__side_names[leg->side],
                                           i == 0 ? conf->candidate : &conf->secondary,
                                           leg_version->name, path, path_len, tp);
        h2o_iovec_t traceparent = h2o_iovec_init(tp, leg->trace != NULL ? 55 : 0);
        if (i == 0)
            leg->up.bufs[0] = candidate_request(sx, &adapted, h2o_iovec_init(path, path_len), query,
                                                h2o_iovec_init(peer, peer_len), &leg_body,
                                                traceparent);
        else /* the secondary serves the primary's version: the request as it came */
            leg->up.bufs[0] = gw_shadow__build_request(
                conf, &conf->secondary, req->method, h2o_iovec_init(path, path_len), query,
                sx->job->req_headers, sx->job->num_req_headers, body.len, req->entity.base != NULL,
                h2o_iovec_init(peer, peer_len), req->scheme->name, req->authority, traceparent);
        if (leg_body.len != 0)
            leg->up.bufs[1] = leg_body;
    }
    adapted.body = NULL; /* the exchange's (candidate_body) */
    gw_shadow__adapted_dispose(&adapted);
    sx->req = NULL;

    sx->tap.on_head = on_primary_head;
    sx->tap.on_body = on_primary_body;
    sx->tap.on_end = on_primary_end;
    gw_exchange_add_tap(x, &sx->tap);
    h2o_linklist_insert(&t->exchanges, &sx->link);
    sx->pending = 1 + (unsigned)sx->num_legs; /* the primary cannot end before we return */
    count(&e->mirrored);
    for (size_t i = 0; i != sx->num_legs; ++i)
        leg_start(sx, &sx->legs[i]);
    return 0;
}

void gw_shadow_start(gw_exchange_t *x, const char *path, size_t path_len)
{
    gw_shadow_thread_t *t = x->thread->shadow;
    if (t == NULL || x->api->num_shadows == 0 || t->stopped)
        return;
    h2o_req_t *req = x->req;
    gw_shadow_t *s = t->shadow;
    size_t first = s->api_first[x->api - s->config->apis];
    for (size_t i = 0; i != x->api->num_shadows; ++i) {
        const gw_shadow_conf_t *conf = &x->api->shadows[i];
        gw_shadow_entry_t *e = &s->entries[first + i];
        if (conf->version != x->version ||
            !gw_shadow_conf_mirrors_method(conf, req->method.base, req->method.len))
            continue;
        if (conf->sample < 1 && gw_random_fraction(&t->rng) >= conf->sample)
            continue;
        if (req->entity.base != NULL && req->entity.len > conf->max_body) {
            gw_shadow__count_drop(e, GW_SHADOW_DROP_REQUEST_BODY);
            continue;
        }
        if (__atomic_add_fetch(&e->inflight, 1, __ATOMIC_RELAXED) > conf->max_inflight) {
            __atomic_fetch_sub(&e->inflight, 1, __ATOMIC_RELAXED);
            gw_shadow__count_drop(e, GW_SHADOW_DROP_INFLIGHT);
            continue;
        }
        if (start_exchange(t, first + i, x, path, path_len) != 0) {
            __atomic_fetch_sub(&e->inflight, 1, __ATOMIC_RELAXED);
            gw_shadow__count_drop(e, GW_SHADOW_DROP_ADAPTER);
        }
    }
}

/* --- per-thread state --- */

gw_shadow_thread_t *gw_shadow_thread_create(gw_shadow_t *shadow, h2o_context_t *ctx)
{
    if (shadow == NULL)
        return NULL;
    gw_shadow_thread_t *t = xcalloc(1, sizeof(*t));
    t->shadow = shadow;
    t->ctx = ctx;
    h2o_linklist_init_anchor(&t->exchanges);
    if (getrandom(&t->rng, sizeof(t->rng), 0) != sizeof(t->rng) || t->rng == 0)
        t->rng = (uint64_t)time(NULL) * 2654435761u + (uintptr_t)t;
    t->entries = xcalloc(shadow->num_entries, sizeof(*t->entries));
    for (size_t i = 0; i != shadow->num_entries; ++i) {
        gw_shadow_thread_entry_t *te = &t->entries[i];
        const gw_shadow_entry_t *e = &shadow->entries[i];
        const gw_shadow_conf_t *conf = e->conf;
        const gw_upstream_t *ups[2] = {conf->candidate, &conf->secondary};
        h2o_timeout_init(ctx->loop, &te->timeout, conf->timeout_ms);
        for (size_t k = 0; k != e->num_targets; ++k) {
            /* the deadline (timeout_ms) bounds everything; in-flight mirrors are bounded by
             * max_inflight already, so the pool needs no queue limits of its own */
            up_target_config_t tc;
            up_target_config_init(&tc);
            tc.connect_timeout_ms = conf->timeout_ms;
            tc.io_timeout_ms = conf->timeout_ms;
            tc.keepalive_ms = shadow->config->limits.upstream_keepalive_ms;
            tc.max_connections = conf->max_inflight;
            tc.max_connecting = shadow->config->limits.upstream_max_connecting;
            tc.connect_retries = 0;
            tc.ssl_ctx = ups[k]->is_tls ? shadow->ssl_ctx : NULL;
            te->targets[k] = up_target_create(ctx->loop, &tc, (struct sockaddr *)&e->addr[k],
                                              e->addrlen[k], ups[k]->host);
        }
    }
    return t;
}

void gw_shadow_thread_cancel(gw_shadow_thread_t *t)
{
    if (t == NULL)
        return;
    t->stopped = 1;
    h2o_linklist_t *node = t->exchanges.next;
    while (node != &t->exchanges) {
        shadow_exchange_t *sx = H2O_STRUCT_FROM_MEMBER(shadow_exchange_t, link, node);
        node = node->next; /* sx may be freed below, never another exchange */
        sx->cancelled = 1;
        size_t num_legs = sx->num_legs, left = 0;
        for (size_t i = 0; i != num_legs; ++i)
            left += !sx->legs[i].done;
        int frees = sx->pending == left; /* the primary is done: the last leg frees sx */
        for (size_t i = 0; i != num_legs && left != 0; ++i) {
            leg_t *leg = &sx->legs[i];
            if (leg->done)
                continue;
            up_request_cancel(&leg->up);
            int last = frees && left == 1;
            --left;
            leg_finish(leg, -1);
            if (last)
                break;
        }
    }
}

int gw_shadow_thread_busy(const gw_shadow_thread_t *t)
{
    return t != NULL && t->exchanges.next != &t->exchanges;
}

void gw_shadow_thread_destroy(gw_shadow_thread_t *t)
{
    if (t == NULL)
        return;
    /* Exchanges left here still wait for a primary whose connection outlived the drain: the
     * process is exiting and their requests are never disposed, so they are left as they are. */
    for (size_t i = 0; i != t->shadow->num_entries; ++i) {
        gw_timeout_detach_all(&t->entries[i].timeout);
        h2o_timeout_dispose(t->ctx->loop, &t->entries[i].timeout);
        for (size_t k = 0; k != 2; ++k)
            up_target_destroy(t->entries[i].targets[k]);
    }
    free(t->entries);
    free(t);
}
