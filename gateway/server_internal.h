/* Internal to the serving process (server.c: start-up and drain; server_reload.c: putting a new
 * generation in force on the workers and listeners). */
#ifndef GW_SERVER_INTERNAL_H
#define GW_SERVER_INTERNAL_H

#include <pthread.h>
#include "h2o.h"
#include "admin.h"
#include "listen_inherit.h"
#include "reload.h"
#include "runtime.h"

typedef struct st_worker_t worker_t;

typedef struct st_listener_t {
    h2o_accept_ctx_t accept_ctx; /* connections keep pointing at it (guard.c): never freed early */
    h2o_socket_t *sock;          /* NULL once closed by a reload that dropped the address */
    worker_t *worker;
    int counts_connections; /* the admin listener's connections are not client connections */
    char *host;             /* client listeners: the address, their identity across reloads */
    uint16_t port;
    struct st_listener_t *next; /* every client listener the worker ever had */
} listener_t;

/* A listening socket of the process, shared by the workers (each loop owns a dup). */
typedef struct st_listen_fd_t {
    char *host;
    uint16_t port;
    int fd;
} listen_fd_t;

typedef struct st_server_t {
    gw_process_t process;
    gw_runtime_t *rt; /* the generation in force (the reloader holds its reference) */
    h2o_globalconf_t globalconf;
    h2o_globalconf_t admin_conf;
    listen_fd_t *fds; /* those of rt's listen entries, in its config order */
    size_t num_fds;
    int admin_fd;
    worker_t *workers;
    gw_metrics_t **metrics; /* per worker, for the admin handler */
    unsigned num_workers;
    gw_inherit_t inherit; /* sockets from start_server (listen_inherit.h), kept until exit */
    volatile int stopping;
    gw_reloader_t *reloader;
    gw_admin_t *admin; /* NULL without an admin listener */
    /* workers report start-up and switches here */
    pthread_mutex_t mutex;
    pthread_cond_t cond;
    unsigned started, switched;
} server_t;

struct st_worker_t {
    gw_thread_t thread;
    h2o_evloop_t *loop; /* created by the main thread before the workers start */
    server_t *srv;
    pthread_t tid;
    listener_t *listeners; /* client listeners, open or closed */
    listener_t admin_listener; /* worker 0 */
    h2o_context_t admin_ctx;
    size_t admin_open; /* admin connections (worker 0's loop only) */
    size_t unfinished; /* connections still open when the drain bound expired */
    int disposed;      /* its contexts were disposed by the worker itself */
    h2o_multithread_receiver_t switcher; /* generation switches from the reloader */
};

/* Binds host:port. Returns the socket, or -1 with errbuf filled. */
int gw__server_open_listener(const char *host, uint16_t port, char *errbuf, size_t errlen);
/* The socket for a listener (start-up and reloads): under start_server the inherited one (an
 * address start_server did not bind fails), else a new one. Returns -1 with errbuf filled. */
int gw__server_listener_fd(server_t *srv, const char *host, uint16_t port, char *errbuf,
                           size_t errlen);
/* Starts accepting on a dup of `fd` on w's loop. */
void gw__server_add_listener(worker_t *w, listener_t *l, int fd, h2o_context_t *ctx,
                             h2o_globalconf_t *conf, SSL_CTX *ssl_ctx, int counts);

/* server_reload.c */
/* Binds what srv->rt's config lists (the process's first generation). Returns 0, or -1. */
int gw__server_open_all(server_t *srv, char *errbuf, size_t errlen);
/* On the worker's loop: its listeners match `rt`'s config (opened, TLS contexts updated, dropped
 * ones closed; connections accepted on them go on). `fds` follow the config's listen entries. */
void gw__server_sync_listeners(worker_t *w, gw_runtime_t *rt, const listen_fd_t *fds);
/* Closes every open client listener of the worker (the drain). */
void gw__server_close_listeners(worker_t *w);
/* Frees the worker's listener records (after its loop is gone). */
void gw__server_free_listeners(worker_t *w);
/* On the worker's loop: generation switches arrive through its context's queue. */
void gw__server_worker_attach(worker_t *w);
void gw__server_worker_detach(worker_t *w);
/* gw_reload_ops_t for the reloader. */
extern const gw_reload_ops_t gw__server_reload_ops;
/* Closes and frees the process's listening sockets. */
void gw__server_close_fds(listen_fd_t *fds, size_t n);

#endif
