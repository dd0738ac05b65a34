/* The drain, on the response side: once the gateway drains (SIGTERM; under start_server, the
 * hand-over to the next generation), every HTTP/1.1 response closes its connection with
 * `Connection: close`, so its client reconnects (to the successor) right after it. */
#ifndef GW_DRAIN_H
#define GW_DRAIN_H

#include "h2o.h"
#include "runtime.h"

/* Registers the filter on `pathconf` (the root path and the host's fallback path, like
 * core_errors.h); it reads `process->draining`, which must outlive the pathconf. */
void gw_drain_register(h2o_pathconf_t *pathconf, const gw_process_t *process);

#endif
