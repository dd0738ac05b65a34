/* Distributed tracing in the gateway (docs/operations.md#tracing): W3C Trace Context for every
 * request (kept, or started when absent or invalid), the gateway's span ids in the access log,
 * and, for sampled requests, a server span per request and a client span per upstream exchange
 * (shadow requests too, linked to the primary's) handed to the exporter of tracing/. Off (no
 * `tracing` key), none of this runs: the hooks are a NULL test. */
#ifndef GW_TRACE_H
#define GW_TRACE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>
#include "config.h"
#include "metrics.h"

typedef struct st_gw_exchange_t gw_exchange_t;
typedef struct st_up_request_t up_request_t;

/* The `tracing` key, owned by the config. */
typedef struct st_gw_tracing_conf_t {
    char *otlp_endpoint;        /* http URL; NULL: propagate and log, export nothing */
    double sample;              /* 0..1: requests that start a trace, sampled; default 1 */
    int parent_based;           /* follow an incoming traceparent's sampled flag; default 1 */
    char *service_name;         /* resource service.name; default "versa" */
    size_t queue_size;          /* spans waiting for export; default 2048 */
    size_t batch_size;          /* spans per export request; default 512 */
    uint64_t flush_interval_ms; /* default 5000 */
    uint64_t timeout_ms;        /* per export request; default 10000 */
    char **resource_keys;       /* further resource attributes, in config order */
    char **resource_values;
    size_t num_resource;
} gw_tracing_conf_t;

/* Config loader (config_tracing.c): reads `tracing` into *out (malloc'ed). Returns 0, or -1 with
 * the error recorded (file:line:col, key path). */
int gw__config_load_tracing(gw__config_loader_t *l, const spec_node_t *n, gw_tracing_conf_t **out);
void gw__tracing_config_free(gw_tracing_conf_t *c);

/* Process-wide: the settings and the exporter thread. */
typedef struct st_gw_tracer_t gw_tracer_t;

/* Starts the exporter when `conf` names an endpoint. *out is NULL when conf is NULL (tracing
 * off). Returns 0, or -1 with a message in err. Nothing of `conf` is kept: a reload may release
 * the config and keep the tracer. */
int gw_tracer_create(gw_tracer_t **out, const gw_tracing_conf_t *conf, char *err, size_t errlen);
/* Flushes what is queued (bounded by timeout_ms) and stops the exporter. Accepts NULL. */
void gw_tracer_destroy(gw_tracer_t *t);
/* The versa_trace_* metrics; nothing when `t` is NULL. Thread-safe. */
void gw_tracer_metrics_render(gw_tracer_t *t, gw_metrics_out_t *o);

/* --- on the request path (the exchange's thread); each is called only when x->trace is set,
 * except gw_trace_start --- */

/* Called by gw_exchange_start when tracing is on: reads traceparent and tracestate, decides the
 * sampling, draws the server and client span ids and rewrites the request's traceparent (the
 * client span as parent, for the upstream) and tracestate (sanitised, or removed), so that every
 * copy of the request's headers carries them. Sets x->trace (the request's pool). */
void gw_trace_start(gw_exchange_t *x);
/* The proxy is about to send to `up`, `path` being what follows its base path (kept: it must live
 * in the request's pool). */
void gw_trace_upstream_start(gw_exchange_t *x, const gw_upstream_t *up, const char *path,
                             size_t path_len);
/* The upstream exchange ended (the client's on_done): its outcome for the client span. */
void gw_trace_upstream_done(gw_exchange_t *x, const up_request_t *up);
/* The request is disposed: the spans of a sampled request go to the exporter. */
void gw_trace_end(gw_exchange_t *x, int status, const struct timeval *end);
/* Appends ,"trace_id":"...","span_id":"... to an access-log line whose last string value is still
 * open (exchange.c's writer), at out[*o], within cap. */
void gw_trace_log_fields(const gw_exchange_t *x, char *out, size_t cap, size_t *o);

/* A shadow request's span (gateway/shadow/): heap-owned, it outlives the request. */
typedef struct st_gw_trace_leg_t gw_trace_leg_t;
/* When x is traced: draws the shadow request's span id and writes its traceparent (55 bytes) to
 * `traceparent`; returns the span's state, or NULL when x is not traced. `side` ("candidate",
 * "secondary"), `target` and `version` (may be NULL) are borrowed from the config; `path` (appended
 * to the target's URL for url.full) is copied. */
gw_trace_leg_t *gw_trace_shadow_start(gw_exchange_t *x, const char *side,
                                      const gw_upstream_t *target, const char *version,
                                      const char *path, size_t path_len, char *traceparent);
/* The shadow request ended with `status` (0: no response) and `error` (NULL, or a short kind);
 * exports the span when sampled and frees the state. Accepts NULL. Any thread. */
void gw_trace_shadow_end(gw_trace_leg_t *leg, int status, const char *error);

#endif
