/* Forwarding a routed request to its version's upstream over pooled HTTP/1.1 keep-alive
 * connections (the upstream client, upstream/upstream.h), streaming the response back with
 * bounded buffering. */
#ifndef GW_PROXY_H
#define GW_PROXY_H

#include "exchange.h"
#include "upstream.h"

/* Forwards `x->req` to `upstream` through `target` (the thread's pool for it), with `path`
 * (normalised, version segment stripped, still percent-encoded) appended to the upstream's base
 * path. Always answers the request: the upstream's response, or a problem+json when the upstream
 * fails before its head (502 refused, reset or bad response; 504 timeouts; 503 when no pooled
 * connection became free in time). An upstream failure after the head aborts the client's stream
 * (never a clean-looking end). */
void gw_proxy_forward(gw_exchange_t *x, const gw_upstream_t *upstream, up_target_t *target,
                      const char *path, size_t path_len);

/* Frees the thread's cache of forwarding state (on the thread, once no request is left). */
void gw_proxy_thread_dispose(gw_thread_t *t);

/* Internal to proxy*.c (proxy_request.c): the upstream request head in the request's pool, and
 * the hop-by-hop fields of RFC 9110 section 7.6.1. */
h2o_iovec_t gw_proxy__build_request(gw_exchange_t *x, const gw_upstream_t *up, const char *path,
                                    size_t path_len, int forward_underscores);
int gw_proxy__is_hop_by_hop(const char *name, size_t len);

#endif
