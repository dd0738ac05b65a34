/* One request's bookkeeping from arrival to the last byte: its id, what it was routed to, the
 * upstream outcome, and the access-log line and metrics recorded when h2o disposes the request. */
#ifndef GW_EXCHANGE_H
#define GW_EXCHANGE_H

#include <sys/time.h>
#include "h2o.h"
#include "runtime.h"
#include "route.h"
#include "tap.h"

typedef struct st_gw_exchange_t {
    h2o_req_t *req;
    gw_thread_t *thread;
    /* The generation the request started on (runtime.h): it is served by that configuration to
     * the end, whatever reload happens meanwhile. */
    gw_thread_gen_t *gen;
    gw_runtime_t *rt; /* gen->rt */
    size_t version_index; /* gw_runtime_version_index of the route, once routed */
    h2o_iovec_t request_id;
    const gw_api_t *api;         /* NULL until routed */
    const gw_version_t *version; /* the version asked for (served by it) */
    const char *operation_id;    /* from the spec, when known */
    const spec_operation_t *operation;
    size_t metrics_row;
    struct timeval upstream_start, upstream_head; /* zero when not reached */
    int upstream_error;          /* -1 or a gw_upstream_error_t */
    gw_tap_t *taps;              /* see tap.h */
    /* Adapter chain (adapt.h): the plan serving this request, and the upstream query when the
     * plan rewrote it. */
    const struct st_adp_plan_t *plan;
    h2o_iovec_t query_override;
    int has_query_override;
    struct st_gw_adapt_mem_t *adapt_mem; /* adapt.c's bump memory for bodies; NULL until used */
    struct st_gw_validate_response_t *validate; /* validate_response.c: a response being checked */
    struct st_gw_trace_t *trace; /* trace.h: the request's trace context; NULL: tracing off */
} gw_exchange_t;

/* Starts bookkeeping for `req`: allocated in the request's pool, it logs and counts the request
 * when the pool is cleared. Ensures an X-Request-Id request header (kept when it's a sane token,
 * generated otherwise), which is also echoed in the response. */
gw_exchange_t *gw_exchange_start(h2o_req_t *req, gw_thread_t *thread);

/* Records the route; the metrics row follows from it. */
void gw_exchange_set_route(gw_exchange_t *x, const gw_api_t *api, const gw_version_t *version);

/* Attaches a tap (tap.h); taps see the response in the order they were added. */
void gw_exchange_add_tap(gw_exchange_t *x, gw_tap_t *tap);
/* Called by the proxy as the response goes out; gw_exchange_tap_end detaches every tap. */
void gw_exchange_tap_head(gw_exchange_t *x);
void gw_exchange_tap_body(gw_exchange_t *x, const char *bytes, size_t len);
void gw_exchange_tap_end(gw_exchange_t *x, gw_tap_end_t how);

/* Records the spec operation the request matched (its operationId goes to logs and metrics). */
void gw_exchange_set_operation(gw_exchange_t *x, const spec_operation_t *op);

/* Answers the request with an application/problem+json body (RFC 9457). */
void gw_exchange_send_problem(gw_exchange_t *x, gw_problem_kind_t kind, const char *detail);

/* Adds the response headers every routed answer carries: Api-Version, Vary, X-Request-Id. */
void gw_exchange_add_version_headers(gw_exchange_t *x);

#endif
