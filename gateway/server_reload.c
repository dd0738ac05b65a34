/* Putting a generation in force (reload.h's apply): listeners the new configuration adds are
 * bound first (a failure changes nothing), then every worker switches on its own loop and
 * reports back, then the sockets of dropped addresses are closed. Unchanged addresses keep their
 * socket and connections. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "notify.h"
#include "server_internal.h"

typedef struct st_switch_msg_t {
    h2o_multithread_message_t super;
    gw_runtime_t *rt;
    const listen_fd_t *fds;
} switch_msg_t;

static char *dupstr(const char *s)
{
    char *p = strdup(s);
    if (p == NULL)
        abort();
    return p;
}

static ssize_t find_fd(const listen_fd_t *fds, size_t n, const char *host, uint16_t port)
{
    for (size_t i = 0; i < n; ++i)
        if (fds[i].fd >= 0 && fds[i].port == port && strcmp(fds[i].host, host) == 0)
            return (ssize_t)i;
    return -1;
}

void gw__server_close_fds(listen_fd_t *fds, size_t n)
{
    for (size_t i = 0; i < n; ++i) {
        if (fds[i].fd >= 0)
            close(fds[i].fd);
        free(fds[i].host);
    }
    free(fds);
}

/* The sockets `cfg` listens on: taken over from `old` (their entries there become -1) or bound.
 * Returns NULL with errbuf filled, the old ones untouched. */
static listen_fd_t *bind_all(server_t *srv, const gw_config_t *cfg, listen_fd_t *old,
                             size_t num_old, char *errbuf, size_t errlen)
{
    listen_fd_t *fds = calloc(cfg->num_listen + 1, sizeof(*fds));
    if (fds == NULL)
        abort();
    for (size_t i = 0; i < cfg->num_listen; ++i)
        fds[i].fd = -1;
    for (size_t i = 0; i < cfg->num_listen; ++i) {
        const gw_listen_conf_t *l = &cfg->listen[i];
        fds[i].host = dupstr(l->host);
        fds[i].port = l->port;
        if (find_fd(old, num_old, l->host, l->port) >= 0)
            continue; /* taken over below, once nothing can fail */
        char msg[512];
        if ((fds[i].fd = gw__server_listener_fd(srv, l->host, l->port, msg, sizeof(msg))) < 0) {
            snprintf(errbuf, errlen, "%s:%u:%u: listen[%zu].address: %s", l->pos.file,
                     l->pos.line, l->pos.col, i, msg);
            gw__server_close_fds(fds, cfg->num_listen);
            return NULL;
        }
    }
    for (size_t i = 0; i < cfg->num_listen; ++i) {
        ssize_t k = find_fd(old, num_old, fds[i].host, fds[i].port);
        if (fds[i].fd < 0 && k >= 0) {
            fds[i].fd = old[k].fd;
            old[k].fd = -1;
        }
    }
    return fds;
}

int gw__server_open_all(server_t *srv, char *errbuf, size_t errlen)
{
    const gw_config_t *cfg = srv->rt->config;
    if ((srv->fds = bind_all(srv, cfg, NULL, 0, errbuf, errlen)) == NULL)
        return -1;
    srv->num_fds = cfg->num_listen;
    return 0;
}

static listener_t *find_listener(worker_t *w, const char *host, uint16_t port)
{
    for (listener_t *l = w->listeners; l != NULL; l = l->next)
        if (l->port == port && strcmp(l->host, host) == 0)
            return l;
    return NULL;
}

void gw__server_sync_listeners(worker_t *w, gw_runtime_t *rt, const listen_fd_t *fds)
{
    const gw_config_t *cfg = rt->config;
    for (size_t i = 0; i < cfg->num_listen; ++i) {
        listener_t *l = find_listener(w, fds[i].host, fds[i].port);
        if (l == NULL) { /* kept after it closes: its connections point at accept_ctx */
            if ((l = calloc(1, sizeof(*l))) == NULL)
                abort();
            l->host = dupstr(fds[i].host);
            l->port = fds[i].port;
            l->next = w->listeners;
            w->listeners = l;
        }
        if (l->sock == NULL)
            gw__server_add_listener(w, l, fds[i].fd, &w->thread.ctx, w->thread.globalconf,
                                    rt->listen_ssl[i], 1);
        else /* a new certificate (or TLS turned on or off) for new connections */
            l->accept_ctx.ssl_ctx = rt->listen_ssl[i];
    }
    for (listener_t *l = w->listeners; l != NULL; l = l->next) {
        int kept = 0;
        for (size_t i = 0; i < cfg->num_listen && !kept; ++i)
            kept = l->port == fds[i].port && strcmp(l->host, fds[i].host) == 0;
        if (!kept && l->sock != NULL) {
            h2o_socket_read_stop(l->sock);
            h2o_socket_close(l->sock);
            l->sock = NULL;
            l->accept_ctx.ssl_ctx = NULL; /* owned by a generation that may go */
        }
    }
}

void gw__server_close_listeners(worker_t *w)
{
    for (listener_t *l = w->listeners; l != NULL; l = l->next)
        if (l->sock != NULL) {
            h2o_socket_read_stop(l->sock);
            h2o_socket_close(l->sock);
            l->sock = NULL;
        }
}

void gw__server_free_listeners(worker_t *w)
{
    while (w->listeners != NULL) {
        listener_t *l = w->listeners;
        w->listeners = l->next;
        free(l->host);
        free(l);
    }
}

static void on_switch(h2o_multithread_receiver_t *receiver, h2o_linklist_t *messages)
{
    worker_t *w = H2O_STRUCT_FROM_MEMBER(worker_t, switcher, receiver);
    while (!h2o_linklist_is_empty(messages)) {
        switch_msg_t *m = H2O_STRUCT_FROM_MEMBER(switch_msg_t, super.link, messages->next);
        h2o_linklist_unlink(&m->super.link);
        gw_thread_switch(&w->thread, m->rt);
        gw__server_sync_listeners(w, m->rt, m->fds);
        free(m);
        pthread_mutex_lock(&w->srv->mutex);
        ++w->srv->switched;
        pthread_cond_broadcast(&w->srv->cond);
        pthread_mutex_unlock(&w->srv->mutex);
    }
}

void gw__server_worker_attach(worker_t *w)
{
    h2o_multithread_register_receiver(w->thread.ctx.queue, &w->switcher, on_switch);
}

void gw__server_worker_detach(worker_t *w)
{
    h2o_multithread_unregister_receiver(w->thread.ctx.queue, &w->switcher);
}

static int apply(void *_srv, gw_runtime_t *next, char *errbuf, size_t errlen)
{
    server_t *srv = _srv;
    listen_fd_t *fds = bind_all(srv, next->config, srv->fds, srv->num_fds, errbuf, errlen);
    if (fds == NULL)
        return -1;
    pthread_mutex_lock(&srv->mutex);
    srv->switched = 0;
    pthread_mutex_unlock(&srv->mutex);
    for (unsigned i = 0; i < srv->num_workers; ++i) {
        switch_msg_t *m = calloc(1, sizeof(*m));
        if (m == NULL)
            abort();
        m->rt = next;
        m->fds = fds;
        h2o_multithread_send_message(&srv->workers[i].switcher, &m->super);
    }
    /* every worker takes it on its next loop turn; requests arriving after this returns are
     * served by `next` */
    pthread_mutex_lock(&srv->mutex);
    while (srv->switched != srv->num_workers)
        pthread_cond_wait(&srv->cond, &srv->mutex);
    pthread_mutex_unlock(&srv->mutex);
    /* the workers closed their copies of dropped addresses; now the kernel refuses them */
    gw__server_close_fds(srv->fds, srv->num_fds);
    srv->fds = fds;
    srv->num_fds = next->config->num_listen;
    srv->rt = next;
    return 0;
}

/* systemd (sd_notify(3)): RELOADING=1 when a reload starts and READY=1 when it is over, whatever
 * its outcome, so that `systemctl reload` returns once the new generation is in force (or was
 * refused), not when the SIGHUP was sent. MONOTONIC_USEC ties the two (systemd 253 and later
 * require it; earlier ones ignore it). Not under start_server: there the unit's main process is
 * start_server, and its reload is the upgrade to a new binary. */
static void notify_manager(const server_t *srv, const char *state)
{
    char err[256];
    if (!srv->inherit.active && gw_notify(state, err, sizeof(err)) != 0)
        fprintf(stderr, "versa: %s\n", err);
}

static void begin(void *_srv)
{
    struct timespec ts;
    char state[64];
    clock_gettime(CLOCK_MONOTONIC, &ts);
    snprintf(state, sizeof(state), "RELOADING=1\nMONOTONIC_USEC=%llu",
             (unsigned long long)ts.tv_sec * 1000000ull + (unsigned long long)ts.tv_nsec / 1000);
    notify_manager(_srv, state);
}

static void done(void *_srv)
{
    server_t *srv = _srv;
    notify_manager(srv, "READY=1");
    if (srv->admin != NULL)
        gw_admin_reload_done(srv->admin);
}

const gw_reload_ops_t gw__server_reload_ops = {begin, apply, done};
