/* The `limits` key: process-wide bounds on bodies and upstream connections, with their defaults. */
#include "config_internal.h"

void gw__config_set_default_limits(gw_config_t *cfg)
{
    cfg->limits.max_request_body = 16 * 1024 * 1024;
    cfg->limits.max_adapted_body = 8 * 1024 * 1024;
    cfg->limits.max_upstream_conns = 256;
    cfg->limits.upstream_keepalive_ms = 10000;
}

int gw__config_load_limits(gw__config_loader_t *l, const spec_node_t *n, gw_config_t *cfg)
{
    static const char *const keys[] = {"max_request_body", "max_upstream_connections",
                                       "upstream_keepalive_ms", "max_adapted_body", NULL};
    uint64_t conns = cfg->limits.max_upstream_conns;
    if (gw__config_check_keys(l, n, keys) != 0 ||
        gw__config_opt_size(l, n, "max_request_body", &cfg->limits.max_request_body) != 0 ||
        gw__config_opt_uint(l, n, "max_upstream_connections", 1, 65535, &conns) != 0 ||
        gw__config_opt_uint(l, n, "upstream_keepalive_ms", 0, GW__CONFIG_MAX_TIMEOUT_MS,
                            &cfg->limits.upstream_keepalive_ms) != 0 ||
        gw__config_opt_size(l, n, "max_adapted_body", &cfg->limits.max_adapted_body) != 0)
        return -1;
    cfg->limits.max_upstream_conns = (size_t)conns;
    return 0;
}
