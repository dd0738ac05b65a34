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
#include "body.h"
#include <openssl/ssl.h>

/* One upstream origin, resolved once at start-up. Each thread keeps its own connection pool to
 * it (gw_thread_t.targets): a pool shared by the threads costs a contended lock per request. */
typedef struct st_gw_origin_t {
    const gw_upstream_t *upstream; /* NULL: the version has no upstream */
    const gw_api_t *api;           /* whose timeouts apply */
    struct sockaddr_storage addr;
    socklen_t addrlen;
} gw_origin_t;

/* What outlives every configuration of a serving process: readiness, the request-body budget
 * of the connection guard, the metrics registry (rows only grow, metrics.h). */
typedef struct st_gw_process_t {
    volatile int ready;    /* set once every listener is up */
    volatile int draining; /* set on SIGTERM */
    uint64_t body_memory; /* request-body bytes h2o holds, all connections (atomic; guard.c) */
    gw_metrics_layout_t *metrics_layout; /* owned */
    /* TLS to upstreams (the system's trust store): one for the process, so that a pool kept
     * across a reload keeps a valid context. Created by the loading thread when first needed. */
    SSL_CTX *upstream_ssl_ctx;
    uint64_t generations; /* generations built so far (the loading thread only) */
} gw_process_t;

/* Sets up / releases the process state (the registry starts with the no-API row). */
void gw_process_init(gw_process_t *p);
void gw_process_dispose(gw_process_t *p);

/* One generation of the running gateway: everything built from one immutable config (resolved
 * upstreams, metric rows, TLS contexts, shadow state, recorders, the access log). Created off the
 * event loops, reference-counted: the loading thread holds one reference while it is current or
 * retiring, each worker one until the last request that started on it is done (runtime.c). */
typedef struct st_gw_runtime_t {
    unsigned refcnt;     /* atomic */
    uint64_t generation; /* 1 for the configuration the process started with */
    gw_process_t *process;
    gw_config_t *config; /* retained */
    gw_origin_t *origins; /* one per version with an upstream, indexed by gw_runtime_version_index */
    size_t num_origins;
    size_t num_versions; /* over all APIs */
    size_t *version_row; /* per version index: its metrics row; [num_versions] the no-API row */
    size_t *op_base;     /* per version index: its first entry in op_row */
    size_t *op_row;      /* per operation of every spec: its metrics operation row */
    gw_access_log_t *access_log; /* NULL when off */
    struct st_gw_log_share_t *access_log_share; /* shared with the generation it carried over from */
    gw_recorders_t recorders;    /* capture files of `record` blocks */
    /* validate.h: the `validate.log` writers; a file the previous generation names too keeps
     * its writer (shared, reference-counted). Never NULL once created. */
    struct st_gw_validate_logs_t *validate_logs;
    SSL_CTX *upstream_ssl_ctx; /* for https upstreams: the process's (borrowed) */
    SSL_CTX **listen_ssl;      /* per config listen entry; NULL for cleartext */
    struct st_gw_shadow_t *shadow; /* shadow.h; NULL when no API has `shadow` entries */
    struct st_gw_tracer_t *tracer; /* trace.h; NULL when tracing is off */
    gw_h1_limits_t h1_limits;      /* request-head limits of the connection guard */
} gw_runtime_t;

/* A worker's part of one generation: upstream pools and shadow state of its loop. It lives until
 * no request started on it is left (and no shadow exchange), then the worker frees it. */
typedef struct st_gw_thread_gen_t {
    gw_runtime_t *rt; /* one reference */
    struct st_up_target_t **targets;
    struct st_gw_shadow_thread_t *shadow;
    size_t inflight; /* exchanges started on it and not yet disposed (owning thread only) */
    struct st_gw_thread_gen_t *next; /* in the thread's retired list */
} gw_thread_gen_t;

/* A worker thread's state. `ctx` comes first: h2o hands handlers the h2o_context_t, and the
 * handler gets back its thread with a cast. Only the owning thread writes here, except the
 * metrics counters, which the admin thread reads with relaxed atomics. `rt`, `targets` and
 * `shadow` are those of the current generation `gen`; requests keep theirs (gw_exchange_t). */
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
    struct st_gw_pool_t *pools; /* every upstream pool of the thread, shared by generations */
    size_t unused_pools;        /* of them, those no generation uses (gw_thread_sweep frees) */
    gw_thread_gen_t *gen;     /* current */
    gw_thread_gen_t *retired; /* older generations with requests still running */
    h2o_globalconf_t *globalconf;
    /* proxy.c's per-request state, kept for reuse (a bounded free list): it is larger than
     * malloc's per-thread cache serves, and a malloc in the arena costs every request */
    void *proxy_free;
    unsigned proxy_free_count;
    /* where response validation parses a body (validate_response.c): the tree lives only while
     * it is validated, so the memory is reset after each and reused without a malloc */
    body_arena_t scratch;
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

/* Builds a generation from `cfg` (retained) with refcnt 1: resolves upstream and listen addresses
 * (DNS happens here, never per request), loads TLS certificates, adds metric rows, builds shadow
 * state, opens the access log, capture files and violation logs. What `prev` (NULL: none) has
 * open for the same target (access log, capture files, violation logs) is shared, never opened
 * twice. Blocking; call it off the
 * event loops, from the one thread that creates and releases generations. Returns NULL with a
 * message in errbuf ("file:line:col: ..." where the config has a position). */
gw_runtime_t *gw_runtime_create(gw_process_t *process, gw_config_t *cfg, const gw_runtime_t *prev,
                                char *errbuf, size_t errlen);
/* Thread-safe. Release destroys at zero (blocking: flushes logs, joins the shadow worker), so the
 * last reference must be dropped by the loading thread: workers drop theirs while it holds one. */
gw_runtime_t *gw_runtime_retain(gw_runtime_t *rt);
void gw_runtime_release(gw_runtime_t *rt);
static inline unsigned gw_runtime_refs(gw_runtime_t *rt)
{
    return __atomic_load_n(&rt->refcnt, __ATOMIC_ACQUIRE);
}

/* Sets up a worker thread's state, its upstream pools included: each thread gets its share of
 * limits.max_upstream_connections, upstream_max_connecting and upstream_queue (at least one). */
void gw_thread_init(gw_thread_t *t, gw_runtime_t *rt, unsigned index, h2o_loop_t *loop,
                    h2o_globalconf_t *globalconf);
/* On the thread's own loop: new requests use `rt` (retained) from now on; the previous
 * generation's part retires and is freed by gw_thread_sweep once its requests are done. */
void gw_thread_switch(gw_thread_t *t, gw_runtime_t *rt);
/* Frees the retired parts nothing runs on any more, and the pools unused for their keep-alive
 * time. Call between loop turns when gw_thread_sweep_due (never from a callback: it destroys
 * connection pools). Returns how many retired parts are left. */
size_t gw_thread_sweep(gw_thread_t *t);
static inline int gw_thread_sweep_due(const gw_thread_t *t)
{
    return t->retired != NULL || t->unused_pools != 0;
}
/* Disposes the thread's h2o context and state, on the thread itself. Its metrics stay readable
 * (the admin endpoint may sum them until every worker is done): gw_metrics_dispose them after. */
void gw_thread_dispose(gw_thread_t *t);

/* h2o_context_dispose, after detaching what h2o 2.2 leaves linked after a drain. (Its thread-local
 * buffer caches and the context's message queue are never freed by h2o 2.2: tests/lsan.supp.) */
void gw_context_dispose(h2o_context_t *ctx);

/* Unlinks every entry of `timeout` (at shutdown, once nothing can fire any more). */
void gw_timeout_detach_all(h2o_timeout_t *timeout);

#endif
