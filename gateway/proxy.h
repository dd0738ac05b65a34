/* Forwarding a routed request to its version's upstream over pooled HTTP/1.1 keep-alive
 * connections, streaming the response back with bounded buffering. */
#ifndef GW_PROXY_H
#define GW_PROXY_H

#include "exchange.h"

/* Forwards `x->req` to `upstream` over a connection from `pool` (the thread's), with `path` (normalised, version segment stripped, still
 * percent-encoded) appended to the upstream's base path. Always answers the request: the
 * upstream's response, or 502/504 problem+json when the upstream fails before its head. An
 * upstream failure after the head aborts the client's stream (never a clean-looking end). */
void gw_proxy_forward(gw_exchange_t *x, const gw_upstream_t *upstream, h2o_socketpool_t *pool,
                      gw_api_timeouts_t *timeouts,
                      const char *path, size_t path_len);

#endif
