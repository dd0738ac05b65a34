/* `versa serve`: listeners, worker threads (one h2o event loop each), the admin listener, and
 * graceful shutdown on SIGTERM/SIGINT. */
#ifndef GW_SERVER_H
#define GW_SERVER_H

#include <stddef.h>
#include "config.h"

/* Binds every listener (or, under Server::Starter, takes the sockets $SERVER_STARTER_PORT names:
 * listen_inherit.h), then serves until SIGTERM or SIGINT; then stops accepting, lets in-flight
 * requests finish within shutdown_timeout_ms and returns 0. Returns 1 with errbuf filled when
 * start-up fails (nothing is left listening), 2 when $SERVER_STARTER_PORT is malformed. Must be called from the main thread before any
 * other thread exists: it blocks the signals it waits for. */
int gw_serve(gw_config_t *cfg, char *errbuf, size_t errlen);

#endif
