/* Errors that h2o answers by itself, before any handler runs (a request body over the limit, a
 * malformed request), rewritten as application/problem+json like every other gateway error. */
#ifndef GW_CORE_ERRORS_H
#define GW_CORE_ERRORS_H

#include "h2o.h"

/* Registers the rewriting filter on `pathconf`; register it on the host's fallback path too,
 * since h2o binds requests it rejects early to that path. */
void gw_core_errors_register(h2o_pathconf_t *pathconf);

#endif
