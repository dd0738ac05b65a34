/* Hot reload (docs/operations.md): SIGHUP, POST /reload and --watch re-read the configuration
 * and every file it names, build a new generation off the event loops, and put it in force only
 * when all of it is valid. The reloader runs on the main thread; the server applies a generation
 * to its workers and listeners through gw_reload_ops_t. */
#ifndef GW_RELOAD_H
#define GW_RELOAD_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include "runtime.h"

typedef struct st_gw_reload_ops_t {
    /* A reload starts (before the configuration is read). */
    void (*begin)(void *server);
    /* Puts `next` in force: opens the listeners it adds, switches every worker (new requests use
     * `next` once it returns), closes the listeners it drops. Returns 0, or -1 with errbuf
     * filled and nothing changed. Called on the reloader's thread. */
    int (*apply)(void *server, gw_runtime_t *next, char *errbuf, size_t errlen);
    /* A reload finished (any outcome): wake whoever waits for gw_reloader_result. */
    void (*done)(void *server);
} gw_reload_ops_t;

typedef struct st_gw_reloader_t gw_reloader_t;

/* `path` is the configuration file (copied). `watch` 1: also reload when a file the
 * configuration names changes (inotify, debounced). Abort on allocation failure. */
gw_reloader_t *gw_reloader_create(gw_process_t *process, const char *path, int watch,
                                  const gw_reload_ops_t *ops, void *server);
/* Releases every generation it holds; call once the workers are gone. Accepts NULL. */
void gw_reloader_destroy(gw_reloader_t *r);

/* The main thread's loop: takes over `current` (its reference), serves SIGHUP, reload requests
 * and file changes, frees retired generations once no worker uses them, and returns the signal
 * of `sigs` other than SIGHUP that ended it (SIGTERM, SIGINT). `sigs` must be blocked in every
 * thread. */
int gw_reloader_run(gw_reloader_t *r, gw_runtime_t *current, const sigset_t *sigs);
/* The generation in force (borrowed: valid on the reloader's thread, or while it runs). */
gw_runtime_t *gw_reloader_current(gw_reloader_t *r);

/* Thread-safe: asks for a reload and returns its ticket; reloads asked for while one runs are
 * served by the next one. */
uint64_t gw_reloader_request(gw_reloader_t *r);
/* Thread-safe: once a reload that started after `ticket` was asked for is done, returns 1 with
 * its HTTP status and a malloc'ed body (application/json or, status >= 400,
 * application/problem+json); 0 while it is pending. */
int gw_reloader_result(gw_reloader_t *r, uint64_t ticket, int *status, char **body, size_t *len);

/* Appends versa_config_reloads_total{result} and versa_config_generation (Prometheus text) to a
 * malloc'ed buffer. Thread-safe. */
void gw_reloader_render_metrics(gw_reloader_t *r, char **buf, size_t *len);

/* What a running process cannot change without a restart, as a comma-separated list of keys
 * ("threads, admin.address"), or "" when `next` changes none of them. Pure. */
void gw_reload_restart_keys(const gw_config_t *prev, const gw_config_t *next, char *buf,
                            size_t size);

#endif
