/* `versa serve --watch`: the files a configuration names (the config itself, specs and the files
 * their $refs reached, adapter files, TLS certificates and keys) are watched with inotify; a
 * change asks for a reload once the files have been quiet for GW_RELOAD_WATCH_QUIET_MS. */
#ifndef GW_RELOAD_WATCH_H
#define GW_RELOAD_WATCH_H

#include "config.h"

#define GW_RELOAD_WATCH_QUIET_MS 300

typedef struct st_gw_reload_watch_t gw_reload_watch_t;

/* Abort on allocation or inotify failure. */
gw_reload_watch_t *gw_reload_watch_create(void);
void gw_reload_watch_destroy(gw_reload_watch_t *w); /* accepts NULL */
/* Watches `path` (the configuration as named on the command line) and the files `cfg` names
 * (replacing the previous set). Their directories are watched, so editors that write a new file
 * and rename it over the old one are seen too. */
void gw_reload_watch_set(gw_reload_watch_t *w, const char *path, const gw_config_t *cfg);
/* The inotify descriptor to poll for input. */
int gw_reload_watch_fd(const gw_reload_watch_t *w);
/* Milliseconds until a pending change is due, or -1 when none is pending. */
int gw_reload_watch_timeout(const gw_reload_watch_t *w);
/* Reads pending events when `readable`; returns 1 (once) when a change has been quiet long
 * enough to reload. */
int gw_reload_watch_due(gw_reload_watch_t *w, int readable);

#endif
