/* Serving a version through its adapter chain (adapters/adapters.h): the request is upgraded
 * before it goes to the nearest newer upstream, the response downgraded before the client sees
 * it. Plans are compiled at config load; per request this only runs them. */
#ifndef GW_ADAPT_H
#define GW_ADAPT_H

#include "adapters.h"
#include "exchange.h"

/* Bump memory for bodies (body_mem_t) from the request's pool, shared by everything that parses
 * or builds a body for this exchange (adapters, validation); freed with the request. */
body_mem_t gw_adapt_mem(gw_exchange_t *x);

/* The plan for a routed request, or NULL when it passes through untouched. */
const adp_plan_t *gw_adapt_plan(const gw_exchange_t *x, const gw_route_t *r);

/* Upgrades x->req in place for `plan` (headers, JSON body, Accept-Encoding: identity) and returns
 * the index (in r->api->versions) of the version whose upstream serves it, with *path set to the
 * upstream path and the query override recorded in the exchange. Returns -1 when it answered
 * the request itself (410 gone, 404 path that cannot be rewritten, 400 invalid JSON body). */
int gw_adapt_request(gw_exchange_t *x, const adp_plan_t *plan, const gw_route_t *r,
                     h2o_iovec_t *path);

/* 1 when the response with this status and these headers must be buffered to be adapted. Sets
 * *refuse to a reason when it must be adapted but can't be (a content coding other than gzip,
 * deflate and br: docs in adapters/README.md, "Compressed upstream bodies"). */
int gw_adapt_needs_body(const gw_exchange_t *x, int status, const h2o_headers_t *headers,
                        const char **refuse);

/* Downgrades req->res (status, headers) and, when `body` is not NULL, the JSON body, adding
 * deprecation headers. A body with a content coding is decoded first (adapt_encoding.h, at most
 * limits.max_adapted_body bytes) and the result sent as identity or gzip, as the client's
 * Accept-Encoding prefers. `body` must live as long as the request: the result may be `body`
 * itself (no step changed it, or it does not parse: status and headers are still adapted) or
 * point into it; else it is new memory from the request's pool. {NULL,0} when `body` was NULL.
 * `doc` (may be NULL) receives the result's tree when the adapters parsed it, else NULL: response
 * validation reads it instead of parsing the bytes again. It lives as long as the request.
 * `plain` (may be NULL) receives the adapted body before any content coding (what validation
 * reads; the result itself when sent as identity). On a body that does not decode (truncated,
 * corrupt, too large) returns {NULL,0} with *err set (a static string, "its ...": the caller
 * answers 502). */
h2o_iovec_t gw_adapt_response(gw_exchange_t *x, h2o_iovec_t body, const body_value_t **doc,
                              h2o_iovec_t *plain, const char **err);

#endif
