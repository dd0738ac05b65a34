/* The admin listener's handler: /healthz, /readyz, /metrics (Prometheus text format), the
 * shadow and contract reports, and POST /reload. */
#ifndef GW_ADMIN_H
#define GW_ADMIN_H

#include "h2o.h"
#include "reload.h"
#include "runtime.h"

typedef struct st_gw_admin_t gw_admin_t;

/* Registers the admin handler. `thread` is the worker whose loop serves the admin listener
 * (its current generation is the one shown); `threads` lists every worker's metrics (read-only
 * here). */
gw_admin_t *gw_admin_register(h2o_pathconf_t *pathconf, gw_thread_t *thread,
                              gw_reloader_t *reloader, gw_metrics_t *const *threads,
                              size_t num_threads);
/* On the admin loop's thread, once its context exists / before it is disposed: POST /reload
 * answers arrive through the context's message queue. */
void gw_admin_attach(gw_admin_t *admin, h2o_context_t *ctx);
void gw_admin_detach(gw_admin_t *admin);
/* Any thread: a reload finished; waiting POST /reload requests get their answer. */
void gw_admin_reload_done(gw_admin_t *admin);

#endif
