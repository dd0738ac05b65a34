/* The gateway's request handler: route by path and version, then forward to the upstream. */
#ifndef GW_HANDLER_H
#define GW_HANDLER_H

#include "h2o.h"
#include "runtime.h"

/* Registers the handler on `pathconf`; it answers every request under it, each with the
 * generation current on its thread when it arrived (runtime.h). */
void gw_handler_register(h2o_pathconf_t *pathconf);

#endif
