/* The admin listener's handler: /healthz, /readyz and /metrics (Prometheus text format). */
#ifndef GW_ADMIN_H
#define GW_ADMIN_H

#include "h2o.h"
#include "runtime.h"

/* Registers the admin handler. `threads` lists every worker's metrics (read-only here). */
void gw_admin_register(h2o_pathconf_t *pathconf, gw_runtime_t *rt, gw_metrics_t *const *threads,
                       size_t num_threads);

#endif
