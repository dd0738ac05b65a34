/* Runtime state: upstream pools resolved once at start-up, per-thread timeouts and metrics. */
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/random.h>
#include "runtime.h"
#include "validate.h"
#include "h2o/http2.h"
#include <openssl/err.h>
#include "upstream.h"
#include "shadow.h"
#include "proxy.h"
#include "trace.h"

size_t gw_runtime_version_index(const gw_runtime_t *rt, const gw_api_t *api,
                                const gw_version_t *version)
{
    size_t idx = 0;
    for (size_t a = 0; a < rt->config->num_apis; ++a) {
        const gw_api_t *cur = &rt->config->apis[a];
        if (cur == api)
            return idx + (size_t)(version - cur->versions);
        idx += cur->num_versions;
    }
    return rt->num_versions;
}

/* Resolves at start-up so that no request ever waits on DNS (STYLE.md §7). */
static int resolve(const gw_upstream_t *up, struct sockaddr_storage *ss, socklen_t *len,
                   char *errbuf, size_t errlen)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_ADDRCONFIG}, *res;
    char port[8];
    snprintf(port, sizeof(port), "%u", up->port);
    int rc = getaddrinfo(up->host, port, &hints, &res);
    if (rc != 0) {
        snprintf(errbuf, errlen, "cannot resolve upstream %s: %s", up->url, gai_strerror(rc));
        return -1;
    }
    memcpy(ss, res->ai_addr, res->ai_addrlen);
    *len = res->ai_addrlen;
    freeaddrinfo(res);
    return 0;
}

int gw_runtime_resolve(const gw_upstream_t *up, struct sockaddr_storage *ss, socklen_t *len,
                       char *errbuf, size_t errlen)
{
    return resolve(up, ss, len, errbuf, errlen);
}

/* Metric rows come from the process's registry: an (api, version) or operation seen before gets
 * its old row, so its counters carry over a reload. */
static int build_metric_rows(gw_runtime_t *rt, char *errbuf, size_t errlen)
{
    const gw_config_t *cfg = rt->config;
    gw_metrics_layout_t *l = rt->process->metrics_layout;
    rt->version_row = calloc(rt->num_versions + 1, sizeof(*rt->version_row));
    rt->op_base = calloc(rt->num_versions + 1, sizeof(*rt->op_base));
    size_t ops = 0;
    for (size_t a = 0; a < cfg->num_apis; ++a)
        for (size_t v = 0; v < cfg->apis[a].num_versions; ++v)
            if (cfg->apis[a].versions[v].spec != NULL)
                ops += spec_operation_count(cfg->apis[a].versions[v].spec);
    rt->op_row = calloc(ops + 1, sizeof(*rt->op_row));
    if (rt->version_row == NULL || rt->op_base == NULL || rt->op_row == NULL)
        abort();
    rt->version_row[rt->num_versions] = 0; /* the registry's no-API row */
    size_t idx = 0, op = 0;
    for (size_t a = 0; a < cfg->num_apis; ++a)
        for (size_t v = 0; v < cfg->apis[a].num_versions; ++v, ++idx) {
            const gw_api_t *api = &cfg->apis[a];
            const spec_t *spec = api->versions[v].spec;
            long row = gw_metrics_layout_row(l, api->name, api->versions[v].name);
            if (row < 0)
                goto full;
            rt->version_row[idx] = (size_t)row;
            rt->op_base[idx] = op;
            for (size_t i = 0; spec != NULL && i < spec_operation_count(spec); ++i, ++op) {
                const spec_operation_t *o = spec_operation_at(spec, i);
                char *name;
                if (o->operation_id != NULL)
                    name = strdup(o->operation_id);
                else if (asprintf(&name, "%s %s", spec_method_name(o->method),
                                  o->path->template) < 0)
                    name = NULL;
                if (name == NULL)
                    abort();
                char *escaped = gw_metrics_escape_label(name);
                free(name);
                row = gw_metrics_layout_op_row(l, api->name, api->versions[v].name, escaped);
                free(escaped);
                if (row < 0)
                    goto full;
                rt->op_row[op] = (size_t)row;
            }
        }
    return 0;
full:
    snprintf(errbuf, errlen,
             "more metric series than a process keeps (%d versions, %d operations over its "
             "life): restart to start afresh",
             GW_METRICS_MAX_ROWS, GW_METRICS_MAX_OP_ROWS);
    return -1;
}

/* TLS to upstreams verifies their certificates against the system's trust store
 * (ca-certificates, or OpenSSL's SSL_CERT_FILE / SSL_CERT_DIR); the pool passes the URL's host
 * name for SNI and verification. */
static SSL_CTX *create_client_ssl_ctx(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_default_verify_paths(ctx);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    return ctx;
}

static SSL_CTX *create_listen_ssl_ctx(const gw_listen_conf_t *l, char *errbuf, size_t errlen)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    if (SSL_CTX_use_certificate_chain_file(ctx, l->tls_certificate) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, l->tls_key, SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(ctx) != 1) {
        char ssl_err[256];
        ERR_error_string_n(ERR_get_error(), ssl_err, sizeof(ssl_err));
        snprintf(errbuf, errlen, "%s:%u:%u: listener %s: cannot use certificate %s / key %s: %s",
                 l->pos.file, l->pos.line, l->pos.col, l->address, l->tls_certificate,
                 l->tls_key, ssl_err);
        SSL_CTX_free(ctx);
        return NULL;
    }
    ERR_clear_error();
    h2o_ssl_register_alpn_protocols(ctx, h2o_http2_alpn_protocols); /* h2, then http/1.1 */
    return ctx;
}

/* What binding needs but can be known without binding: the host resolves (as server.c resolves
 * it). Whether the port is free is only known by binding. */
static int check_listen_host(const char *host, uint16_t port, const spec_pos_t *pos, char *errbuf,
                             size_t errlen)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    struct addrinfo *res;
    char portstr[8];
    snprintf(portstr, sizeof(portstr), "%u", port);
    int rc = getaddrinfo(host, portstr, &hints, &res);
    if (rc != 0) {
        snprintf(errbuf, errlen, "%s:%u:%u: cannot resolve listen address %s: %s", pos->file,
                 pos->line, pos->col, host, gai_strerror(rc));
        return -1;
    }
    freeaddrinfo(res);
    return 0;
}

/* The access log carries over a reload when its target is unchanged: one writer per file. */
struct st_gw_log_share_t {
    unsigned refs; /* the loading thread only */
    gw_access_log_t *log;
};

static int open_access_log(gw_runtime_t *rt, const gw_runtime_t *prev, char *errbuf,
                           size_t errlen)
{
    const gw_config_t *cfg = rt->config;
    if (cfg->access_log.target == GW_LOG_OFF)
        return 0;
    if (prev != NULL && prev->access_log != NULL &&
        prev->config->access_log.target == cfg->access_log.target &&
        (cfg->access_log.target != GW_LOG_FILE ||
         strcmp(prev->config->access_log.path, cfg->access_log.path) == 0)) {
        rt->access_log_share = prev->access_log_share;
        ++rt->access_log_share->refs;
        rt->access_log = rt->access_log_share->log;
        return 0;
    }
    char msg[1024];
    gw_access_log_t *log = gw_access_log_create(cfg->access_log.target, cfg->access_log.path,
                                                4 * 1024 * 1024, msg, sizeof(msg));
    if (log == NULL) {
        const spec_pos_t *p = &cfg->access_log.pos;
        snprintf(errbuf, errlen, "%s:%u:%u: access_log: %s", p->file, p->line, p->col, msg);
        return -1;
    }
    if ((rt->access_log_share = calloc(1, sizeof(*rt->access_log_share))) == NULL)
        abort();
    rt->access_log_share->refs = 1;
    rt->access_log_share->log = rt->access_log = log;
    return 0;
}

void gw_process_init(gw_process_t *p)
{
    memset(p, 0, sizeof(*p));
    p->metrics_layout = gw_metrics_layout_create();
}

void gw_process_dispose(gw_process_t *p)
{
    if (p->upstream_ssl_ctx != NULL) /* after every pool and shadow that used it */
        SSL_CTX_free(p->upstream_ssl_ctx);
    gw_metrics_layout_destroy(p->metrics_layout);
    memset(p, 0, sizeof(*p));
}

static void destroy(gw_runtime_t *rt);

gw_runtime_t *gw_runtime_create(gw_process_t *process, gw_config_t *cfg, const gw_runtime_t *prev,
                                char *errbuf, size_t errlen)
{
    gw_runtime_t *rt = calloc(1, sizeof(*rt));
    if (rt == NULL)
        abort();
    rt->refcnt = 1;
    rt->process = process;
    rt->config = gw_config_retain(cfg);
    rt->h1_limits.max_head = cfg->limits.max_request_head;
    rt->h1_limits.max_headers = cfg->limits.max_request_headers;
    for (size_t a = 0; a < cfg->num_apis; ++a)
        rt->num_versions += cfg->apis[a].num_versions;
    rt->origins = calloc(rt->num_versions ? rt->num_versions : 1, sizeof(*rt->origins));
    rt->listen_ssl = calloc(cfg->num_listen + 1, sizeof(*rt->listen_ssl));
    if (rt->origins == NULL || rt->listen_ssl == NULL)
        abort();
    size_t idx = 0;
    for (size_t a = 0; a < cfg->num_apis; ++a) {
        for (size_t v = 0; v < cfg->apis[a].num_versions; ++v, ++idx) {
            const gw_version_t *ver = &cfg->apis[a].versions[v];
            if (!ver->has_upstream)
                continue;
            struct sockaddr_storage ss;
            socklen_t sslen;
            char msg[512];
            if (resolve(&ver->upstream, &ss, &sslen, msg, sizeof(msg)) != 0) {
                snprintf(errbuf, errlen, "%s:%u:%u: apis[%zu].versions.%s.upstream: %s",
                         ver->pos.file, ver->pos.line, ver->pos.col, a, ver->name, msg);
                goto fail;
            }
            gw_origin_t *o = &rt->origins[idx];
            o->upstream = &ver->upstream;
            o->api = &cfg->apis[a];
            o->addr = ss;
            o->addrlen = sslen;
            if (ver->upstream.is_tls && process->upstream_ssl_ctx == NULL)
                process->upstream_ssl_ctx = create_client_ssl_ctx();
        }
    }
    rt->num_origins = idx;
    /* (only when some upstream is https, as before: shadow targets reuse it, shadow.c) */
    rt->upstream_ssl_ctx = process->upstream_ssl_ctx;
    for (size_t i = 0; i < cfg->num_listen; ++i) {
        const gw_listen_conf_t *l = &cfg->listen[i];
        if (check_listen_host(l->host, l->port, &l->pos, errbuf, errlen) != 0)
            goto fail;
        if (l->tls_certificate != NULL &&
            (rt->listen_ssl[i] = create_listen_ssl_ctx(l, errbuf, errlen)) == NULL)
            goto fail;
    }
    if (cfg->admin.address != NULL &&
        check_listen_host(cfg->admin.host, cfg->admin.port, &cfg->admin.pos, errbuf, errlen) != 0)
        goto fail;
    if (build_metric_rows(rt, errbuf, errlen) != 0)
        goto fail;
    if (gw_shadow_create(&rt->shadow, cfg, rt->upstream_ssl_ctx, errbuf, errlen) != 0)
        goto fail;
    if (gw_tracer_create(&rt->tracer, cfg->tracing, errbuf, errlen) != 0)
        goto fail;
    if (open_access_log(rt, prev, errbuf, errlen) != 0)
        goto fail;
    if (gw_recorders_init(&rt->recorders, cfg, prev != NULL ? &prev->recorders : NULL, errbuf,
                          errlen) != 0)
        goto fail;
    if ((rt->validate_logs = calloc(1, sizeof(*rt->validate_logs))) == NULL)
        abort();
    if (gw_validate_logs_init(rt->validate_logs, cfg, prev != NULL ? prev->validate_logs : NULL,
                              errbuf, errlen) != 0)
        goto fail;
    rt->generation = ++process->generations;
    return rt;
fail:
    rt->num_origins = idx;
    destroy(rt);
    return NULL;
}

static void destroy(gw_runtime_t *rt)
{
    if (rt->recorders.by_version != NULL)
        gw_recorders_dispose(&rt->recorders); /* flushes the capture files */
    gw_validate_logs_dispose(rt->validate_logs); /* writes the queued violation lines */
    free(rt->validate_logs);
    if (rt->access_log_share != NULL && --rt->access_log_share->refs == 0) {
        gw_access_log_destroy(rt->access_log_share->log);
        free(rt->access_log_share);
    }
    gw_shadow_destroy(rt->shadow);
    gw_tracer_destroy(rt->tracer); /* after the shadows: cancelled legs still end their spans */
    free(rt->origins);
    free(rt->version_row);
    free(rt->op_base);
    free(rt->op_row);
    for (size_t i = 0; rt->listen_ssl != NULL && i < rt->config->num_listen; ++i)
        if (rt->listen_ssl[i] != NULL)
            SSL_CTX_free(rt->listen_ssl[i]);
    free(rt->listen_ssl);
    gw_config_release(rt->config);
    free(rt);
}

gw_runtime_t *gw_runtime_retain(gw_runtime_t *rt)
{
    __atomic_add_fetch(&rt->refcnt, 1, __ATOMIC_RELAXED);
    return rt;
}

void gw_runtime_release(gw_runtime_t *rt)
{
    if (rt != NULL && __atomic_sub_fetch(&rt->refcnt, 1, __ATOMIC_ACQ_REL) == 0)
        destroy(rt);
}

/* A thread's share of a process-wide limit. */
static size_t share(size_t limit, unsigned threads)
{
    size_t n = limit / (threads != 0 ? threads : 1);
    return n != 0 ? n : 1;
}

/* A thread's pool to one upstream, shared by the generations whose origin has the same address,
 * name, TLS and pool settings: a reload keeps the connections of unchanged upstreams. A pool no
 * generation uses any more lingers for its keep-alive time (its idle connections would close by
 * then anyway), so a configuration that comes back (a rollback) finds its connections. */
typedef struct st_gw_pool_t {
    up_target_t *target;
    unsigned refs; /* thread generations using it (owning thread only) */
    uint64_t unused_since; /* loop time (ms) refs became 0 */
    struct sockaddr_storage addr;
    socklen_t addrlen;
    char *host;
    up_target_config_t tc;
    struct st_gw_pool_t *next;
} gw_pool_t;

static int same_settings(const up_target_config_t *a, const up_target_config_t *b)
{
    return a->connect_timeout_ms == b->connect_timeout_ms && a->io_timeout_ms == b->io_timeout_ms &&
           a->keepalive_ms == b->keepalive_ms && a->max_connections == b->max_connections &&
           a->max_connecting == b->max_connecting && a->max_queue == b->max_queue &&
           a->queue_timeout_ms == b->queue_timeout_ms && a->connect_retries == b->connect_retries &&
           a->ssl_ctx == b->ssl_ctx;
}

static up_target_t *pool_get(gw_thread_t *t, const up_target_config_t *tc, const gw_origin_t *o)
{
    for (gw_pool_t *p = t->pools; p != NULL; p = p->next)
        if (p->addrlen == o->addrlen && memcmp(&p->addr, &o->addr, o->addrlen) == 0 &&
            strcmp(p->host, o->upstream->host) == 0 && same_settings(&p->tc, tc)) {
            if (p->refs++ == 0)
                --t->unused_pools;
            return p->target;
        }
    gw_pool_t *p = calloc(1, sizeof(*p));
    if (p == NULL || (p->host = strdup(o->upstream->host)) == NULL)
        abort();
    p->refs = 1;
    p->addr = o->addr;
    p->addrlen = o->addrlen;
    p->tc = *tc;
    /* by name, so that the certificate is checked against it (and sent as SNI) */
    p->target = up_target_create(t->ctx.loop, tc, (struct sockaddr *)&o->addr, o->addrlen,
                                 o->upstream->host);
    p->next = t->pools;
    t->pools = p;
    return p->target;
}

/* When the last generation using a pool lets go, nothing is in flight on it (every request of
 * those generations is done); it lingers unused (gw_thread_sweep). */
static void pool_put(gw_thread_t *t, up_target_t *target)
{
    for (gw_pool_t *p = t->pools; p != NULL; p = p->next)
        if (p->target == target) {
            if (--p->refs == 0) {
                p->unused_since = h2o_now(t->ctx.loop);
                ++t->unused_pools;
            }
            return;
        }
}

/* Destroys the unused pools whose keep-alive time has passed (all of them with `all`). */
static void pools_sweep(gw_thread_t *t, int all)
{
    uint64_t now = h2o_now(t->ctx.loop);
    for (gw_pool_t **pp = &t->pools; *pp != NULL;) {
        gw_pool_t *p = *pp;
        if (all || (p->refs == 0 && now - p->unused_since >= p->tc.keepalive_ms)) {
            *pp = p->next;
            if (p->refs == 0)
                --t->unused_pools;
            up_target_destroy(p->target);
            free(p->host);
            free(p);
        } else {
            pp = &p->next;
        }
    }
}

/* The thread's part of a generation: its pools (on its loop) and shadow state. */
static gw_thread_gen_t *thread_gen_create(gw_thread_t *t, gw_runtime_t *rt)
{
    const gw_config_t *cfg = rt->config;
    gw_thread_gen_t *g = calloc(1, sizeof(*g));
    if (g == NULL)
        abort();
    g->rt = gw_runtime_retain(rt);
    g->targets = calloc(rt->num_origins ? rt->num_origins : 1, sizeof(*g->targets));
    if (g->targets == NULL)
        abort();
    for (size_t i = 0; i < rt->num_origins; ++i) {
        const gw_origin_t *o = &rt->origins[i];
        if (o->upstream == NULL)
            continue;
        up_target_config_t tc;
        up_target_config_init(&tc);
        tc.connect_timeout_ms = o->api->connect_timeout_ms;
        tc.io_timeout_ms = o->api->response_timeout_ms;
        tc.keepalive_ms = cfg->limits.upstream_keepalive_ms;
        tc.max_connections = share(cfg->limits.max_upstream_conns, cfg->threads);
        tc.max_connecting = share(cfg->limits.upstream_max_connecting, cfg->threads);
        tc.max_queue = share(cfg->limits.upstream_queue, cfg->threads);
        tc.queue_timeout_ms = cfg->limits.upstream_queue_timeout_ms;
        tc.connect_retries = 0; /* a connect timeout is the API's, not twice it */
        tc.ssl_ctx = o->upstream->is_tls ? rt->upstream_ssl_ctx : NULL;
        g->targets[i] = pool_get(t, &tc, o);
    }
    g->shadow = gw_shadow_thread_create(rt->shadow, &t->ctx);
    return g;
}

/* Cancels what is left (nothing, when swept) and frees; the runtime reference goes back to the
 * loading thread, which holds its own until it sees it is the last one. */
static void thread_gen_destroy(gw_thread_t *t, gw_thread_gen_t *g)
{
    gw_shadow_thread_cancel(g->shadow);
    gw_shadow_thread_destroy(g->shadow);
    for (size_t i = 0; i < g->rt->num_origins; ++i)
        if (g->targets[i] != NULL)
            pool_put(t, g->targets[i]);
    free(g->targets);
    gw_runtime_release(g->rt);
    free(g);
}

void gw_thread_init(gw_thread_t *t, gw_runtime_t *rt, unsigned index, h2o_loop_t *loop,
                    h2o_globalconf_t *globalconf)
{
    h2o_context_init(&t->ctx, loop, globalconf);
    t->index = index;
    t->globalconf = globalconf;
    body_arena_init(&t->scratch);
    if (getrandom(&t->rng, sizeof(t->rng), 0) != sizeof(t->rng) || t->rng == 0)
        t->rng = (uint64_t)time(NULL) * 2654435761u + index + 1;
    gw_metrics_init(&t->metrics, rt->process->metrics_layout);
    gw_thread_switch(t, rt);
}

void gw_thread_switch(gw_thread_t *t, gw_runtime_t *rt)
{
    gw_thread_gen_t *g = thread_gen_create(t, rt), *old = t->gen;
    t->gen = g;
    t->rt = g->rt;
    t->targets = g->targets;
    t->shadow = g->shadow;
    if (old != NULL) {
        old->next = t->retired;
        t->retired = old;
    }
}

size_t gw_thread_sweep(gw_thread_t *t)
{
    size_t left = 0;
    if (t->unused_pools != 0)
        pools_sweep(t, 0);
    for (gw_thread_gen_t **p = &t->retired; *p != NULL;) {
        gw_thread_gen_t *g = *p;
        if (g->inflight == 0 && !gw_shadow_thread_busy(g->shadow)) {
            *p = g->next;
            thread_gen_destroy(t, g);
        } else {
            p = &g->next;
            ++left;
        }
    }
    return left;
}

/* Upstream exchanges still waiting when the drain bound expired keep their entries linked;
 * the process is exiting, so they are detached rather than tripping h2o's assertion. */
void gw_timeout_detach_all(h2o_timeout_t *timeout)
{
    while (!h2o_linklist_is_empty(&timeout->_entries))
        h2o_linklist_unlink(timeout->_entries.next);
}

void gw_context_dispose(h2o_context_t *ctx)
{
    /* h2o 2.2's HTTP/2 graceful-shutdown timer (an entry of the context itself) stays linked on
     * the one-second list after a drain; h2o_context_dispose asserts that lists are empty. */
    gw_timeout_detach_all(&ctx->one_sec_timeout);
    h2o_context_dispose(ctx);
}

void gw_thread_dispose(gw_thread_t *t)
{
    while (t->retired != NULL) {
        gw_thread_gen_t *g = t->retired;
        t->retired = g->next;
        thread_gen_destroy(t, g);
    }
    if (t->gen != NULL)
        thread_gen_destroy(t, t->gen);
    pools_sweep(t, 1);
    t->gen = NULL;
    t->targets = NULL;
    t->shadow = NULL;
    gw_context_dispose(&t->ctx);
    gw_proxy_thread_dispose(t);
    body_arena_dispose(&t->scratch);
}
