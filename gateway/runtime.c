/* Runtime state: upstream pools resolved once at start-up, per-thread timeouts and metrics. */
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/random.h>
#include "runtime.h"
#include "upstream.h"
#include "shadow.h"

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
    return rt->metrics_layout.rows - 1;
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

static void build_metrics_layout(gw_runtime_t *rt)
{
    const gw_config_t *cfg = rt->config;
    gw_metrics_layout_t *l = &rt->metrics_layout;
    l->rows = rt->num_versions + 1;
    l->api = calloc(l->rows, sizeof(*l->api));
    l->version = calloc(l->rows, sizeof(*l->version));
    if (l->api == NULL || l->version == NULL)
        abort();
    size_t r = 0;
    for (size_t a = 0; a < cfg->num_apis; ++a)
        for (size_t v = 0; v < cfg->apis[a].num_versions; ++v, ++r) {
            l->api[r] = cfg->apis[a].name;
            l->version[r] = cfg->apis[a].versions[v].name;
        }
    l->api[r] = "";
    l->version[r] = "";

    rt->op_base = calloc(rt->num_versions ? rt->num_versions : 1, sizeof(*rt->op_base));
    size_t ops = 0, idx = 0;
    for (size_t a = 0; a < cfg->num_apis; ++a)
        for (size_t v = 0; v < cfg->apis[a].num_versions; ++v, ++idx) {
            rt->op_base[idx] = ops;
            if (cfg->apis[a].versions[v].spec != NULL)
                ops += spec_operation_count(cfg->apis[a].versions[v].spec);
        }
    l->op_rows = ops;
    l->op_api = calloc(ops ? ops : 1, sizeof(*l->op_api));
    l->op_version = calloc(ops ? ops : 1, sizeof(*l->op_version));
    l->op_name = calloc(ops ? ops : 1, sizeof(*l->op_name));
    if (rt->op_base == NULL || l->op_api == NULL || l->op_version == NULL || l->op_name == NULL)
        abort();
    for (size_t a = 0, row = 0; a < cfg->num_apis; ++a)
        for (size_t v = 0; v < cfg->apis[a].num_versions; ++v) {
            const spec_t *spec = cfg->apis[a].versions[v].spec;
            for (size_t i = 0; spec != NULL && i < spec_operation_count(spec); ++i, ++row) {
                const spec_operation_t *op = spec_operation_at(spec, i);
                l->op_api[row] = cfg->apis[a].name;
                l->op_version[row] = cfg->apis[a].versions[v].name;
                char *name;
                if (op->operation_id != NULL)
                    name = strdup(op->operation_id);
                else if (asprintf(&name, "%s %s", spec_method_name(op->method),
                                  op->path->template) < 0)
                    name = NULL;
                if (name == NULL)
                    abort();
                l->op_name[row] = gw_metrics_escape_label(name);
                free(name);
            }
        }
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

int gw_runtime_init(gw_runtime_t *rt, gw_config_t *cfg, char *errbuf, size_t errlen)
{
    memset(rt, 0, sizeof(*rt));
    rt->config = gw_config_retain(cfg);
    rt->h1_limits.max_head = cfg->limits.max_request_head;
    rt->h1_limits.max_headers = cfg->limits.max_request_headers;
    for (size_t a = 0; a < cfg->num_apis; ++a)
        rt->num_versions += cfg->apis[a].num_versions;
    rt->origins = calloc(rt->num_versions ? rt->num_versions : 1, sizeof(*rt->origins));
    if (rt->origins == NULL)
        abort();
    size_t idx = 0;
    for (size_t a = 0; a < cfg->num_apis; ++a) {
        for (size_t v = 0; v < cfg->apis[a].num_versions; ++v, ++idx) {
            const gw_version_t *ver = &cfg->apis[a].versions[v];
            if (!ver->has_upstream)
                continue;
            struct sockaddr_storage ss;
            socklen_t sslen;
            if (resolve(&ver->upstream, &ss, &sslen, errbuf, errlen) != 0) {
                rt->num_origins = idx;
                gw_runtime_dispose(rt);
                return -1;
            }
            gw_origin_t *o = &rt->origins[idx];
            o->upstream = &ver->upstream;
            o->api = &cfg->apis[a];
            o->addr = ss;
            o->addrlen = sslen;
            if (ver->upstream.is_tls && rt->upstream_ssl_ctx == NULL)
                rt->upstream_ssl_ctx = create_client_ssl_ctx();
        }
    }
    rt->num_origins = idx;
    build_metrics_layout(rt);
    if (gw_shadow_create(&rt->shadow, cfg, rt->upstream_ssl_ctx, errbuf, errlen) != 0) {
        gw_runtime_dispose(rt);
        return -1;
    }
    return 0;
}

void gw_runtime_dispose(gw_runtime_t *rt)
{
    SSL_CTX *ssl_ctx = rt->upstream_ssl_ctx; /* freed last: pools and shadows use it */
    gw_shadow_destroy(rt->shadow);
    free(rt->origins);
    free(rt->metrics_layout.api);
    free(rt->metrics_layout.version);
    for (size_t i = 0; i < rt->metrics_layout.op_rows; ++i)
        free(rt->metrics_layout.op_name[i]);
    free(rt->metrics_layout.op_name);
    free(rt->metrics_layout.op_api);
    free(rt->metrics_layout.op_version);
    free(rt->op_base);
    gw_config_release(rt->config);
    if (ssl_ctx != NULL)
        SSL_CTX_free(ssl_ctx);
    memset(rt, 0, sizeof(*rt));
}

/* A thread's share of a process-wide limit. */
static size_t share(size_t limit, unsigned threads)
{
    size_t n = limit / (threads != 0 ? threads : 1);
    return n != 0 ? n : 1;
}

void gw_thread_init(gw_thread_t *t, gw_runtime_t *rt, unsigned index, h2o_loop_t *loop,
                    h2o_globalconf_t *globalconf)
{
    const gw_config_t *cfg = rt->config;
    h2o_context_init(&t->ctx, loop, globalconf);
    t->rt = rt;
    t->index = index;
    if (getrandom(&t->rng, sizeof(t->rng), 0) != sizeof(t->rng) || t->rng == 0)
        t->rng = (uint64_t)time(NULL) * 2654435761u + index + 1;
    t->targets = calloc(rt->num_origins ? rt->num_origins : 1, sizeof(*t->targets));
    if (t->targets == NULL)
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
        /* by name, so that the certificate is checked against it (and sent as SNI) */
        t->targets[i] = up_target_create(loop, &tc, (struct sockaddr *)&o->addr, o->addrlen,
                                         o->upstream->host);
    }
    gw_metrics_init(&t->metrics, &rt->metrics_layout);
    t->shadow = gw_shadow_thread_create(rt->shadow, &t->ctx);
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
    gw_shadow_thread_destroy(t->shadow);
    for (size_t i = 0; i < t->rt->num_origins; ++i)
        up_target_destroy(t->targets[i]);
    free(t->targets);
    gw_context_dispose(&t->ctx);
}
