/* Runtime state of a running gateway: the process-wide part built once from an immutable config
 * (upstream connection pools, metric layout) and the per-thread part each event loop owns. */
#ifndef GW_RUNTIME_H
#define GW_RUNTIME_H

#include <stdint.h>
#include "h2o.h"
#include "config.h"
#include "metrics.h"
#include "access_log.h"
#include "random.h"
#include "record.h"
#include "h1_head.h"

/* One upstream origin, resolved once at start-up. Each thread keeps its own connection pool to
 * it (gw_thread_t.targets): a pool shared by the threads costs a contended lock per request. */
typedef struct st_gw_origin_t {
    const gw_upstream_t *upstream; /* NULL: the version has no upstream */
    const gw_api_t *api;           /* whose timeouts apply */
    struct sockaddr_storage addr;
    socklen_t addrlen;
} gw_origin_t;

typedef struct st_gw_runtime_t {
    gw_config_t *config; /* retained */
    gw_origin_t *origins; /* one per version with an upstream, indexed by gw_runtime_version_index */
    size_t num_origins;
    size_t num_versions; /* over all APIs; metric rows are per version */
    gw_access_log_t *access_log; /* NULL when off */
    gw_recorders_t recorders;    /* capture files of `record` blocks */
    gw_metrics_layout_t metrics_layout;
    size_t *op_base; /* per version index: its first operation row (versions with a spec) */
    volatile int ready;    /* set once every listener is up */
    volatile int draining; /* set on SIGTERM */
    SSL_CTX *upstream_ssl_ctx; /* for https upstreams */
    struct st_gw_shadow_t *shadow; /* shadow.h; NULL when no API has `shadow` entries */
    gw_h1_limits_t h1_limits;      /* request-head limits of the connection guard */
    uint64_t body_memory; /* request-body bytes h2o holds, all connections (atomic; guard.c) */
} gw_runtime_t;

/* A worker thread's state. `ctx` comes first: h2o hands handlers the h2o_context_t, and the
 * handler gets back its thread with a cast. Only the owning thread writes here, except the
 * metrics counters, which the admin thread reads with relaxed atomics. */
typedef struct st_gw_thread_t {
    h2o_context_t ctx;
    gw_runtime_t *rt;
    unsigned index;
    /* keep-alive connections, one pool per origin (rt->origins; NULL without an upstream), with
     * the timeouts of the origin's API */
    struct st_up_target_t **targets;
    gw_metrics_t metrics;
    uint64_t rng; /* xorshift state for request ids */
    uint64_t inflight;
    struct st_gw_shadow_thread_t *shadow; /* shadow.h; NULL without shadow entries */
} gw_thread_t;

static inline gw_thread_t *gw_thread_of(h2o_req_t *req)
{
    return (gw_thread_t *)req->conn->ctx;
}

/* Index of a version over all APIs (the order of apis, then versions). */
size_t gw_runtime_version_index(const gw_runtime_t *rt, const gw_api_t *api,
                                const gw_version_t *version);

/* Resolves an upstream's host (blocking: start-up only). Returns 0, or -1 with errbuf set. */
int gw_runtime_resolve(const gw_upstream_t *up, struct sockaddr_storage *ss, socklen_t *len,
                       char *errbuf, size_t errlen);

/* Builds the runtime: resolves upstream addresses (DNS happens here, never per request). Returns 0, or -1 with a message in errbuf. */
int gw_runtime_init(gw_runtime_t *rt, gw_config_t *cfg, char *errbuf, size_t errlen);
void gw_runtime_dispose(gw_runtime_t *rt);

/* Sets up a worker thread's state, its upstream pools included: each thread gets its share of
 * limits.max_upstream_connections, upstream_max_connecting and upstream_queue (at least one). */
void gw_thread_init(gw_thread_t *t, gw_runtime_t *rt, unsigned index, h2o_loop_t *loop,
                    h2o_globalconf_t *globalconf);
/* Disposes the thread's h2o context and state, on the thread itself. Its metrics stay readable
 * (the admin endpoint may sum them until every worker is done): gw_metrics_dispose them after. */
void gw_thread_dispose(gw_thread_t *t);

/* h2o_context_dispose, after detaching what h2o 2.2 leaves linked after a drain. (Its thread-local
 * buffer caches and the context's message queue are never freed by h2o 2.2: tests/lsan.supp.) */
void gw_context_dispose(h2o_context_t *ctx);

/* Unlinks every entry of `timeout` (at shutdown, once nothing can fire any more). */
void gw_timeout_detach_all(h2o_timeout_t *timeout);

#endif
