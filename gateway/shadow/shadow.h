/* Shadow traffic (docs/shadow.md): requests served by a version are also sent, in parallel and
 * sampled, to a candidate (and optionally a secondary, to learn noise); the answers are compared
 * off the event loops by the contract-tests diff engine. The client's response never waits on a
 * shadow: shadow state lives on the heap, is bounded, and what is dropped is counted. */
#ifndef GW_SHADOW_H
#define GW_SHADOW_H

#include <stddef.h>
#include <stdint.h>
#include "h2o.h"
#include "config.h"

typedef struct st_gw_exchange_t gw_exchange_t;

/* Process-wide: candidate and secondary addresses, counters, the diff worker thread, the
 * reports and the diff logs. Thread-safe where noted. */
typedef struct st_gw_shadow_t gw_shadow_t;
/* One event loop's part: its connection pools (upstream.h), timeouts, the exchanges in flight,
 * the sampling generator. */
typedef struct st_gw_shadow_thread_t gw_shadow_thread_t;

/* Builds the state for every `shadow` entry of `cfg` (borrowed; it must outlive the result):
 * resolves candidate and secondary addresses (DNS happens here only), opens the diff logs and
 * starts the diff worker. Returns 0 with *out NULL when no API has shadow entries, 0 with *out
 * set, or -1 with a message in errbuf. */
int gw_shadow_create(gw_shadow_t **out, const gw_config_t *cfg, SSL_CTX *upstream_ssl_ctx,
                     char *errbuf, size_t errlen);
/* Stops the worker (comparisons still queued are dropped and counted), closes the logs and
 * frees everything. Every thread's state must be destroyed first. Accepts NULL. */
void gw_shadow_destroy(gw_shadow_t *shadow);
/* Per-thread state for the loop of `ctx`; NULL when `shadow` is NULL. */
gw_shadow_thread_t *gw_shadow_thread_create(gw_shadow_t *shadow, h2o_context_t *ctx);
/* Cancels the candidate and secondary requests in flight (their comparisons are dropped as
 * "shutdown"). Call on the thread's loop once its connections are closed, before the loop's
 * last turns, so the cancelled sockets get closed. Accepts NULL. */
void gw_shadow_thread_cancel(gw_shadow_thread_t *t);
/* 1 while shadow exchanges of this thread's state are in flight (a reload frees a retired
 * generation's state only once it is idle). Accepts NULL (0). */
int gw_shadow_thread_busy(const gw_shadow_thread_t *t);
/* Frees the thread's state; call after gw_shadow_thread_cancel, when the loop no longer runs.
 * Accepts NULL. */
void gw_shadow_thread_destroy(gw_shadow_thread_t *t);

/* Called once a request is routed, before it is forwarded: for each shadow entry of its (API,
 * version) that mirrors its method and samples it, copies what is needed to the heap, sends the
 * candidate (and secondary) requests at once, and taps the primary's response. Call it with the
 * request as it goes to the primary's upstream (after any adapter upgrade, adapt.h) and the same
 * path gw_proxy_forward gets: candidate and secondary stand in for that upstream. Never answers
 * or delays the request. */
void gw_shadow_start(gw_exchange_t *x, const char *path, size_t path_len);

/* Admin pages: "/shadow/report" (JSON) and "/shadow" (HTML). Returns a malloc'ed body with its
 * media type, or NULL when `path` is neither. Thread-safe; `shadow` may be NULL (no entries). */
char *gw_shadow_admin_page(gw_shadow_t *shadow, const char *path, size_t path_len,
                           const char **content_type, size_t *len);
/* Prometheus text (format 0.0.4) of the shadow counters and latency histograms, malloc'ed; ""
 * when `shadow` is NULL. Thread-safe. */
char *gw_shadow_metrics_render(gw_shadow_t *shadow, size_t *len);

#endif
