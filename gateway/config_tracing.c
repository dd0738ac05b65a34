/* The `tracing` key (docs/operations.md#tracing): where spans go, how many requests are sampled,
 * and the exporter's bounds. */
#include <math.h>
#include <stdlib.h>
#include "config_internal.h"
#include "trace.h"
#include "up_url.h"

#define MAX_QUEUE 1000000
#define MAX_RESOURCE_ATTRIBUTES 32

static int load_endpoint(gw__config_loader_t *l, const spec_node_t *n, gw_tracing_conf_t *c)
{
    const char *s;
    gw__config_mark_t m = gw__config_enter_key(l, "otlp_endpoint");
    if (gw__config_read_string(l, n, &s) != 0)
        return -1;
    up_url_t url;
    char err[256];
    if (up_url_parse(s, &url, err, sizeof(err)) != 0)
        return gw__config_fail(l, n, "%s", err);
    int tls = url.is_tls;
    up_url_dispose(&url);
    if (tls)
        return gw__config_fail(l, n,
                               "https endpoints are not supported: use http:// (e.g. a "
                               "collector agent on the host)");
    c->otlp_endpoint = xstrdup(s);
    gw__config_leave(l, m);
    return 0;
}

static int load_sampling(gw__config_loader_t *l, const spec_node_t *n, gw_tracing_conf_t *c)
{
    const spec_node_t *v;
    if ((v = spec_node_get(n, "sample")) != NULL) {
        gw__config_mark_t m = gw__config_enter_key(l, "sample");
        if (spec_node_number(v, &c->sample) != 0)
            return gw__config_fail(l, v, "expected a number between 0 and 1, got %s",
                                   spec_node_type_name(v));
        if (!isfinite(c->sample) || c->sample < 0 || c->sample > 1)
            return gw__config_fail(l, v, "expected a number between 0 and 1, got %s",
                                   v->u.scalar.str);
        gw__config_leave(l, m);
    }
    if ((v = spec_node_get(n, "parent_based")) != NULL) {
        gw__config_mark_t m = gw__config_enter_key(l, "parent_based");
        if (spec_node_bool(v, &c->parent_based) != 0)
            return gw__config_fail(l, v, "expected true or false, got %s", spec_node_type_name(v));
        gw__config_leave(l, m);
    }
    return 0;
}

/* resource: {deployment.environment.name: prod, ...}: string values only. */
static int load_resource(gw__config_loader_t *l, const spec_node_t *n, gw_tracing_conf_t *c)
{
    gw__config_mark_t m = gw__config_enter_key(l, "resource");
    if (gw__config_expect_mapping(l, n) != 0)
        return -1;
    if (n->u.map.len > MAX_RESOURCE_ATTRIBUTES)
        return gw__config_fail(l, n, "at most %d attributes", MAX_RESOURCE_ATTRIBUTES);
    c->resource_keys = xcalloc(n->u.map.len, sizeof(char *));
    c->resource_values = xcalloc(n->u.map.len, sizeof(char *));
    for (size_t i = 0; i != n->u.map.len; ++i) {
        const spec_node_t *k = n->u.map.items[i].key, *v = n->u.map.items[i].value;
        const char *key, *value;
        if (gw__config_read_string(l, k, &key) != 0)
            return -1;
        gw__config_mark_t mk = gw__config_enter_key(l, key);
        if (strcmp(key, "service.name") == 0 || strcmp(key, "service.version") == 0)
            return gw__config_fail(l, k, "set by the gateway (service_name, its version)");
        if (spec_node_scalar(v) == NULL || v->kind != SPEC_NODE_SCALAR)
            return gw__config_fail(l, v, "expected a string, got %s", spec_node_type_name(v));
        value = spec_node_scalar(v);
        c->resource_keys[c->num_resource] = xstrdup(key);
        c->resource_values[c->num_resource++] = xstrdup(value);
        gw__config_leave(l, mk);
    }
    gw__config_leave(l, m);
    return 0;
}

int gw__config_load_tracing(gw__config_loader_t *l, const spec_node_t *n, gw_tracing_conf_t **out)
{
    static const char *const keys[] = {
        "otlp_endpoint", "sample",     "parent_based",      "service_name",
        "queue_size",    "batch_size", "flush_interval_ms", "timeout_ms",
        "resource",      NULL};
    gw_tracing_conf_t *c = *out = xcalloc(1, sizeof(*c));
    c->sample = 1;
    c->parent_based = 1;
    c->queue_size = 2048;
    c->batch_size = 512;
    c->flush_interval_ms = 5000;
    c->timeout_ms = 10000;
    uint64_t queue = c->queue_size, batch = c->batch_size;
    const spec_node_t *v;
    if (gw__config_check_keys(l, n, keys) != 0)
        return -1;
    if ((v = spec_node_get(n, "otlp_endpoint")) != NULL && load_endpoint(l, v, c) != 0)
        return -1;
    if (load_sampling(l, n, c) != 0)
        return -1;
    const char *name = "versa";
    if ((v = spec_node_get(n, "service_name")) != NULL) {
        gw__config_mark_t m = gw__config_enter_key(l, "service_name");
        if (gw__config_read_string(l, v, &name) != 0)
            return -1;
        gw__config_leave(l, m);
    }
    c->service_name = xstrdup(name);
    if (gw__config_opt_uint(l, n, "queue_size", 1, MAX_QUEUE, &queue) != 0 ||
        gw__config_opt_uint(l, n, "batch_size", 1, MAX_QUEUE, &batch) != 0 ||
        gw__config_opt_uint(l, n, "flush_interval_ms", 1, GW__CONFIG_MAX_TIMEOUT_MS,
                            &c->flush_interval_ms) != 0 ||
        gw__config_opt_uint(l, n, "timeout_ms", 1, GW__CONFIG_MAX_TIMEOUT_MS, &c->timeout_ms) != 0)
        return -1;
    if (batch > queue) {
        v = spec_node_get(n, "batch_size") != NULL ? spec_node_get(n, "batch_size") : n;
        gw__config_enter_key(l, "batch_size");
        return gw__config_fail(l, v, "larger than queue_size (%llu): a batch could never fill",
                               (unsigned long long)queue);
    }
    c->queue_size = (size_t)queue;
    c->batch_size = (size_t)batch;
    if ((v = spec_node_get(n, "resource")) != NULL && load_resource(l, v, c) != 0)
        return -1;
    return 0;
}

void gw__tracing_config_free(gw_tracing_conf_t *c)
{
    if (c == NULL)
        return;
    free(c->otlp_endpoint);
    free(c->service_name);
    for (size_t i = 0; i != c->num_resource; ++i) {
        free(c->resource_keys[i]);
        free(c->resource_values[i]);
    }
    free(c->resource_keys);
    free(c->resource_values);
    free(c);
}
