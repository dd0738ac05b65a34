/* `versa serve`: listeners, worker threads (one h2o event loop each), the admin listener, hot
 * reload (SIGHUP, POST /reload, --watch) and graceful shutdown on SIGTERM/SIGINT. */
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

typedef struct st_gw_serve_opts_t {
    int watch; /* reload when a file the configuration names changes (reload_watch.h) */
    /* The configuration file as the command line names it, which reloads read: a symbolic link
     * replaced by a new one (a Kubernetes ConfigMap) is followed again. NULL: cfg->file. */
    const char *config_path;
} gw_serve_opts_t;
/* gw_serve with options (NULL: the defaults). SIGHUP and POST /reload re-read the file. */
int gw_serve_opts(gw_config_t *cfg, const gw_serve_opts_t *opts, char *errbuf, size_t errlen);

/* What `serve --check` runs: everything start-up does short of binding and serving (upstream
 * and listen hosts resolve, TLS files load and match, the access log, capture files and shadow
 * logs open), so a configuration that passes starts. Returns 0, or -1 with errbuf filled
 * ("file:line:col: ..."). Creates the log files it opens, as start-up would. */
int gw_serve_check(gw_config_t *cfg, char *errbuf, size_t errlen);

#endif
