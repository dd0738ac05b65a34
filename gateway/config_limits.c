/* The `limits` key: process-wide bounds on requests, bodies, connections and upstream
 * connections, with their defaults (docs/security.md). */
#include "config_internal.h"

void gw__config_set_default_limits(gw_config_t *cfg)
{
    cfg->limits.max_request_body = 16 * 1024 * 1024;
    cfg->limits.max_adapted_body = 8 * 1024 * 1024;
    cfg->limits.max_upstream_conns = 256;
    cfg->limits.upstream_keepalive_ms = 10000;
    cfg->limits.max_request_head = 64 * 1024;
    cfg->limits.max_request_headers = 100;
    cfg->limits.max_body_memory_per_connection = 0; /* derived from max_request_body */
    cfg->limits.max_body_memory = (size_t)256 << 20;
    cfg->limits.http2_max_concurrent_requests = 100;
    cfg->limits.http2_max_resets_per_second = 100;
    cfg->limits.client_request_timeout_ms = 10000;
    cfg->limits.client_idle_timeout_ms = 10000;
    cfg->limits.tls_handshake_timeout_ms = 10000;
    cfg->limits.upstream_max_connecting = 16;
    cfg->limits.upstream_queue = 4096;
    cfg->limits.upstream_queue_timeout_ms = 5000;
}

/* The connection guard's memory bounds must let one largest body through: h2o takes up to twice
 * max_request_body per stream before its 413 (server.c), and the per-connection default leaves
 * room for that plus small concurrent bodies. `n` is where errors point. */
int gw__config_check_limits(gw__config_loader_t *l, const spec_node_t *n, gw_config_t *cfg)
{
    size_t body = cfg->limits.max_request_body;
    if (cfg->limits.max_body_memory_per_connection == 0)
        cfg->limits.max_body_memory_per_connection =
            body <= (SIZE_MAX - (1 << 20)) / 2 ? 2 * body + (1 << 20) : SIZE_MAX;
    if (cfg->limits.max_body_memory_per_connection < body)
        return gw__config_fail(l, n,
                               "max_body_memory_per_connection (%zu) is smaller than "
                               "max_request_body (%zu): no body of the largest size could arrive",
                               cfg->limits.max_body_memory_per_connection, body);
    if (cfg->limits.max_body_memory < cfg->limits.max_body_memory_per_connection)
        return gw__config_fail(l, n,
                               "max_body_memory (%zu) is smaller than "
                               "max_body_memory_per_connection (%zu)",
                               cfg->limits.max_body_memory, cfg->limits.max_body_memory_per_connection);
    if (cfg->limits.max_request_head < 1024)
        return gw__config_fail(l, n, "max_request_head must be at least 1KiB");
    return 0;
}

int gw__config_load_limits(gw__config_loader_t *l, const spec_node_t *n, gw_config_t *cfg)
{
    static const char *const keys[] = {
        "max_request_body", "max_upstream_connections", "upstream_keepalive_ms",
        "max_adapted_body", "max_request_head", "max_request_headers",
        "max_body_memory_per_connection", "max_body_memory", "http2_max_concurrent_requests",
        "http2_max_resets_per_second", "client_request_timeout_ms", "client_idle_timeout_ms",
        "tls_handshake_timeout_ms", "upstream_max_connecting", "upstream_queue",
        "upstream_queue_timeout_ms", NULL};
    uint64_t conns = cfg->limits.max_upstream_conns, headers = cfg->limits.max_request_headers;
    uint64_t connecting = cfg->limits.upstream_max_connecting, queue = cfg->limits.upstream_queue;
    uint64_t *const timeouts[] = {&cfg->limits.upstream_keepalive_ms,
                                  &cfg->limits.client_request_timeout_ms,
                                  &cfg->limits.client_idle_timeout_ms,
                                  &cfg->limits.tls_handshake_timeout_ms,
                                  &cfg->limits.upstream_queue_timeout_ms};
    static const char *const timeout_keys[] = {"upstream_keepalive_ms", "client_request_timeout_ms",
                                               "client_idle_timeout_ms", "tls_handshake_timeout_ms",
                                               "upstream_queue_timeout_ms"};
    if (gw__config_check_keys(l, n, keys) != 0 ||
        gw__config_opt_size(l, n, "max_request_body", &cfg->limits.max_request_body) != 0 ||
        gw__config_opt_uint(l, n, "max_upstream_connections", 1, 65535, &conns) != 0 ||
        gw__config_opt_size(l, n, "max_adapted_body", &cfg->limits.max_adapted_body) != 0 ||
        gw__config_opt_size(l, n, "max_request_head", &cfg->limits.max_request_head) != 0 ||
        gw__config_opt_uint(l, n, "max_request_headers", 1, 100, &headers) != 0 ||
        gw__config_opt_size(l, n, "max_body_memory_per_connection",
                            &cfg->limits.max_body_memory_per_connection) != 0 ||
        gw__config_opt_size(l, n, "max_body_memory", &cfg->limits.max_body_memory) != 0 ||
        gw__config_opt_uint(l, n, "http2_max_concurrent_requests", 1, 100,
                            &cfg->limits.http2_max_concurrent_requests) != 0 ||
        gw__config_opt_uint(l, n, "http2_max_resets_per_second", 1, 1000000,
                            &cfg->limits.http2_max_resets_per_second) != 0 ||
        /* issue 11: new upstream connections paced, requests queued for pooled ones */
        gw__config_opt_uint(l, n, "upstream_max_connecting", 1, 65535, &connecting) != 0 ||
        gw__config_opt_uint(l, n, "upstream_queue", 1, 1000000, &queue) != 0)
        return -1;
    for (size_t i = 0; i < sizeof(timeouts) / sizeof(timeouts[0]); ++i)
        if (gw__config_opt_uint(l, n, timeout_keys[i], i == 0 ? 0 : 1, GW__CONFIG_MAX_TIMEOUT_MS,
                                timeouts[i]) != 0)
            return -1;
    cfg->limits.max_upstream_conns = (size_t)conns;
    cfg->limits.max_request_headers = (size_t)headers;
    cfg->limits.upstream_max_connecting = (size_t)connecting;
    cfg->limits.upstream_queue = (size_t)queue;
    return 0;
}
