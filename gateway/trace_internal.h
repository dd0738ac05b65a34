/* Shared by trace.c (context, hooks, the tracer) and trace_span.c (the spans' attributes). */
#ifndef GW_TRACE_INTERNAL_H
#define GW_TRACE_INTERNAL_H

#include "exchange.h"
#include "tr_context.h"
#include "tr_exporter.h"
#include "trace.h"

/* Holds no pointer into the config, so that it may outlive the config it was made from. */
struct st_gw_tracer_t {
    int parent_based;
    tr_exporter_t *exporter; /* NULL without otlp_endpoint */
    uint64_t threshold;      /* trace ids whose low 64 bits are below it are sampled */
};

/* One request's trace, in its pool. */
typedef struct st_gw_trace_t {
    gw_tracer_t *tracer;
    uint8_t trace_id[16];
    uint8_t server_id[8]; /* the gateway's server span: the access log's span_id */
    uint8_t client_id[8]; /* the primary upstream exchange's client span */
    uint8_t parent_id[8]; /* the caller's span, when a valid traceparent came */
    uint8_t flags;        /* TR_FLAG_SAMPLED when spans are exported */
    int has_parent;
    h2o_iovec_t tracestate; /* sanitised; empty when none */
    /* the primary upstream exchange */
    const gw_upstream_t *upstream; /* NULL: not forwarded */
    const char *path;
    size_t path_len;
    struct timeval upstream_end; /* zero until the client's on_done */
    int upstream_status;         /* the upstream's response status, 0: none */
    const char *upstream_error;  /* NULL, or up_status_name() */
} gw_trace_t;

/* A shadow request's span. */
struct st_gw_trace_leg_t {
    gw_tracer_t *tracer;
    uint8_t trace_id[16], span_id[8], parent_id[8], link_id[8];
    uint8_t flags;
    uint64_t start_ns;
    char method[16];
    size_t method_len;
    const char *side, *version, *api, *operation;
    const gw_upstream_t *target;
    char *url; /* url.full, malloc'ed */
};

uint64_t gw_trace__ns(const struct timeval *tv);
/* Builds and submits the server span, then the client span when the request was forwarded. */
void gw_trace__emit_request(gw_exchange_t *x, gw_trace_t *t, int status, const struct timeval *end);
void gw_trace__emit_leg(gw_trace_leg_t *leg, int status, const char *error);

#endif
