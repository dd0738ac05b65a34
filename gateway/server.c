/* The serving process: shared listening sockets, one event loop per worker thread, the admin
 * listener on worker 0, hot reload (reload.c decides, server_reload.c applies), and a bounded
 * graceful drain on SIGTERM/SIGINT. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include "h2o.h"
#include "h2o/http2.h"
#include "admin.h"
#include "reload.h"
#include "core_errors.h"
#include "drain.h"
#include "guard.h"
#include "validate.h"
#include "handler.h"
#include "listen_inherit.h"
#include "notify.h"
#include "runtime.h"
#include "server.h"
#include "shadow.h"

#include "server_internal.h"

static void on_admin_connection_close(void *data)
{
    worker_t *w = data;
    --w->admin_open;
}

static void on_accept(h2o_socket_t *listener, const char *err)
{
    listener_t *l = listener->data;
    if (err != NULL)
        return;
    /* accept a few per wake-up, as h2o's own server does, without starving other listeners */
    for (int i = 0; i < 16; ++i) {
        h2o_socket_t *sock = h2o_evloop_socket_accept(listener);
        if (sock == NULL)
            return;
        if (l->counts_connections) { /* a client: the connection guard takes it (guard.h) */
            gw_guard_accept(&l->worker->thread, &l->accept_ctx, sock);
            continue;
        }
        ++l->worker->admin_open;
        sock->on_close.cb = on_admin_connection_close;
        sock->on_close.data = l->worker;
        h2o_accept(&l->accept_ctx, sock);
    }
}

int gw__server_open_listener(const char *host, uint16_t port, char *errbuf, size_t errlen)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    struct addrinfo *res;
    char portstr[8];
    snprintf(portstr, sizeof(portstr), "%u", port);
    int rc = getaddrinfo(host, portstr, &hints, &res);
    if (rc != 0) {
        snprintf(errbuf, errlen, "cannot resolve listen address %s: %s", host, gai_strerror(rc));
        return -1;
    }
    int fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
        bind(fd, res->ai_addr, res->ai_addrlen) != 0 || listen(fd, 1024) != 0 ||
        fcntl(fd, F_SETFL, O_NONBLOCK) != 0) {
        snprintf(errbuf, errlen, "cannot listen on %s:%u: %s", host, port, strerror(errno));
        if (fd >= 0)
            close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    return fd;
}

/* Under start_server, the inherited socket bound to host:port (a listener without one fails
 * start-up: binding it here would work once, then collide at the next upgrade); else a new one. */
int gw__server_listener_fd(server_t *srv, const char *host, uint16_t port, char *errbuf,
                           size_t errlen)
{
    if (!srv->inherit.active)
        return gw__server_open_listener(host, port, errbuf, errlen);
    int fd = gw_inherit_take(&srv->inherit, host, port, errbuf, errlen);
    if (fd >= 0 && fcntl(fd, F_SETFL, O_NONBLOCK) != 0) {
        snprintf(errbuf, errlen, "inherited socket for %s:%u: %s", host, port, strerror(errno));
        close(fd);
        fd = -1;
    }
    return fd;
}

void gw__server_add_listener(worker_t *w, listener_t *l, int fd, h2o_context_t *ctx,
                             h2o_globalconf_t *conf, SSL_CTX *ssl_ctx, int counts)
{
    l->worker = w;
    l->counts_connections = counts;
    l->accept_ctx.ctx = ctx;
    l->accept_ctx.hosts = conf->hosts;
    l->accept_ctx.ssl_ctx = ssl_ctx;
    /* each loop owns a dup of the shared socket, so each can close its own when draining */
    l->sock = h2o_evloop_socket_create(ctx->loop, dup(fd), H2O_SOCKET_FLAG_DONT_READ);
    l->sock->data = l;
    h2o_socket_read_start(l->sock, on_accept);
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void *worker_main(void *arg)
{
    worker_t *w = arg;
    server_t *srv = w->srv;
    h2o_evloop_t *loop = w->loop;
    gw_thread_init(&w->thread, srv->rt, (unsigned)(w - srv->workers), loop, &srv->globalconf);
    gw__server_worker_attach(w);
    gw__server_sync_listeners(w, srv->rt, srv->fds);
    if (w == srv->workers && srv->admin_fd >= 0) {
        h2o_context_init(&w->admin_ctx, loop, &srv->admin_conf);
        gw_admin_attach(srv->admin, &w->admin_ctx);
        gw__server_add_listener(w, &w->admin_listener, srv->admin_fd, &w->admin_ctx,
                                &srv->admin_conf, NULL, 0);
    }
    pthread_mutex_lock(&srv->mutex); /* reloads may switch this worker from now on */
    ++srv->started;
    pthread_cond_broadcast(&srv->cond);
    pthread_mutex_unlock(&srv->mutex);

    while (!srv->stopping) {
        h2o_evloop_run(loop, 100);
        if (gw_thread_sweep_due(&w->thread)) /* between turns: pools may be destroyed here */
            gw_thread_sweep(&w->thread);
    }

    /* Drain: stop accepting, ask connections to finish (HTTP/2 GOAWAY, HTTP/1 close after the
     * current response), then wait for them within the bound. */
    gw__server_close_listeners(w);
    /* Under start_server the next generation accepts on the same admin socket: leave probes
     * and scrapes to it now rather than answer "draining" from here. */
    int admin_open = w == srv->workers && srv->admin_fd >= 0;
    if (admin_open && srv->inherit.active) {
        h2o_socket_read_stop(w->admin_listener.sock);
        h2o_socket_close(w->admin_listener.sock);
        admin_open = 0;
    }
    h2o_context_request_shutdown(&w->thread.ctx);
    uint64_t deadline = now_ms() + w->thread.rt->config->shutdown_timeout_ms;
    while (__atomic_load_n(&w->thread.metrics.connections_open, __ATOMIC_RELAXED) != 0 &&
           now_ms() < deadline) {
        h2o_evloop_run(loop, 50);
        if (gw_thread_sweep_due(&w->thread))
            gw_thread_sweep(&w->thread);
    }
    gw_shadow_thread_cancel(w->thread.shadow); /* its sockets close in the turns below */
    for (gw_thread_gen_t *g = w->thread.retired; g != NULL; g = g->next)
        gw_shadow_thread_cancel(g->shadow);
    if (admin_open) {
        h2o_socket_read_stop(w->admin_listener.sock);
        h2o_socket_close(w->admin_listener.sock);
    }
    if (w == srv->workers && srv->admin_fd >= 0) {
        /* admin responses close their connections (admin.c), so this wait is short */
        h2o_context_request_shutdown(&w->admin_ctx);
        while (w->admin_open != 0 && now_ms() < deadline + 1000)
            h2o_evloop_run(loop, 50);
    }
    /* a few more turns let the closes above complete */
    for (int i = 0; i < 3; ++i)
        h2o_evloop_run(loop, 0);
    /* Contexts are disposed here, on their own thread: h2o's buffers point at thread-local
     * allocators that die with the thread. With connections left (drain bound expired) they
     * are abandoned to the exiting process instead. */
    w->unfinished = __atomic_load_n(&w->thread.metrics.connections_open, __ATOMIC_RELAXED) +
                    w->admin_open;
    if (w->unfinished == 0) {
        if (w == srv->workers && srv->admin_fd >= 0) {
            gw_admin_detach(srv->admin);
            gw_context_dispose(&w->admin_ctx);
        }
        gw__server_worker_detach(w);
        gw_thread_dispose(&w->thread);
        w->disposed = 1;
    }
    return NULL;
}

static void dispose_server(server_t *srv)
{
    gw__server_close_fds(srv->fds, srv->num_fds);
    srv->fds = NULL;
    if (srv->admin_fd >= 0)
        close(srv->admin_fd);
    gw_inherit_dispose(&srv->inherit);
    h2o_config_dispose(&srv->globalconf);
    h2o_config_dispose(&srv->admin_conf);
    gw_reloader_destroy(srv->reloader); /* releases the generations */
    gw_process_dispose(&srv->process);
    pthread_mutex_destroy(&srv->mutex);
    pthread_cond_destroy(&srv->cond);
}

static int setup(server_t *srv, gw_config_t *cfg, const gw_serve_opts_t *opts, char *errbuf,
                 size_t errlen)
{
    srv->admin_fd = -1;
    pthread_mutex_init(&srv->mutex, NULL);
    pthread_cond_init(&srv->cond, NULL);
    gw_process_init(&srv->process);
    h2o_config_init(&srv->globalconf);
    h2o_config_init(&srv->admin_conf);
    const char *path = opts != NULL && opts->config_path != NULL ? opts->config_path : cfg->file;
    srv->reloader = gw_reloader_create(&srv->process, path, opts != NULL && opts->watch,
                                       &gw__server_reload_ops, srv);
    if ((srv->rt = gw_runtime_create(&srv->process, cfg, NULL, errbuf, errlen)) == NULL)
        return -1;
    srv->globalconf.server_name = h2o_iovec_init(H2O_STRLIT("versa"));
    /* h2o refuses larger bodies by itself: over HTTP/1.1 with a 413 (rewritten as problem+json by
     * core_errors.c), over HTTP/2 with RST_STREAM (REFUSED_STREAM), which clients retry. Its bound
     * is twice ours, so that bodies just over the limit reach the handler, which answers a 413
     * problem on every protocol; memory stays bounded by h2o's limit. */
    srv->globalconf.max_request_entity_size =
        cfg->limits.max_request_body <= SIZE_MAX / 2 ? cfg->limits.max_request_body * 2 : SIZE_MAX;
    /* HTTP/2 (docs/security.md): requests run at once per connection; h2o advertises 100
     * concurrent streams and buffers each one's body, which the connection guard bounds. */
    srv->globalconf.http2.max_concurrent_requests_per_connection =
        cfg->limits.http2_max_concurrent_requests;
    srv->globalconf.http1.req_timeout = cfg->limits.client_request_timeout_ms;
    /* no switch from HTTP/1.1 to HTTP/2 inside h2o: the guard picks the protocol at accept */
    srv->globalconf.http1.upgrade_to_http2 = 0;
    srv->globalconf.http2.idle_timeout = cfg->limits.client_idle_timeout_ms;
    srv->globalconf.handshake_timeout = cfg->limits.tls_handshake_timeout_ms;
    h2o_hostconf_t *host = h2o_config_register_host(
        &srv->globalconf, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    h2o_pathconf_t *root = h2o_config_register_path(host, "/", 0);
    gw_handler_register(root);
    gw_core_errors_register(root);
    gw_core_errors_register(&host->fallback_path);
    gw_drain_register(root, &srv->process);
    gw_drain_register(&host->fallback_path, &srv->process);
    srv->admin_conf.server_name = srv->globalconf.server_name;
    host = h2o_config_register_host(&srv->admin_conf, h2o_iovec_init(H2O_STRLIT("default")),
                                    65535);
    h2o_pathconf_t *admin_path = h2o_config_register_path(host, "/", 0);

    if (gw__server_open_all(srv, errbuf, errlen) != 0)
        return -1;
    if (cfg->admin.address != NULL &&
        (srv->admin_fd =
             gw__server_listener_fd(srv, cfg->admin.host, cfg->admin.port, errbuf, errlen)) < 0)
        return -1;
    for (size_t i = 0; i < srv->inherit.num; ++i)
        if (srv->inherit.socks[i].fd >= 0)
            fprintf(stderr, "versa: ignoring the socket start_server passed for %s (fd %d): no "
                            "listener in the configuration has that address\n",
                    srv->inherit.socks[i].name, srv->inherit.socks[i].fd);

    srv->num_workers = cfg->threads;
    srv->workers = calloc(srv->num_workers, sizeof(*srv->workers));
    srv->metrics = calloc(srv->num_workers, sizeof(*srv->metrics));
    for (unsigned i = 0; i < srv->num_workers; ++i) {
        srv->workers[i].srv = srv;
        srv->metrics[i] = &srv->workers[i].thread.metrics;
    }
    srv->admin = gw_admin_register(admin_path, &srv->workers[0].thread, srv->reloader,
                                   srv->metrics, srv->num_workers);
    return 0;
}

static void release_workers(server_t *srv)
{
    for (unsigned i = 0; i < srv->num_workers; ++i) {
        worker_t *w = &srv->workers[i];
        if (w->thread.rt != NULL && !w->disposed) {
            if (i == 0 && srv->admin_fd >= 0) {
                gw_context_dispose(&w->admin_ctx);
            }
            gw_thread_dispose(&w->thread);
        }
        if (w->thread.metrics.rows != NULL)
            gw_metrics_dispose(&w->thread.metrics);
        gw__server_free_listeners(w);
    }
    free(srv->workers);
    free(srv->metrics);
}

/* Tells systemd (Type=notify, deploy/systemd/versa.service) about readiness, reloads and the
 * drain; a failure is logged, not fatal: serving matters more than the manager's bookkeeping. */
static void notify_manager(const char *state)
{
    char err[256];
    if (gw_notify(state, err, sizeof(err)) != 0)
        fprintf(stderr, "versa: %s\n", err);
}

int gw_serve(gw_config_t *cfg, char *errbuf, size_t errlen)
{
    return gw_serve_opts(cfg, NULL, errbuf, errlen);
}

int gw_serve_opts(gw_config_t *cfg, const gw_serve_opts_t *opts, char *errbuf, size_t errlen)
{
    server_t srv = {0};
    if (gw_inherit_init(&srv.inherit, getenv("SERVER_STARTER_PORT"), errbuf, errlen) != 0)
        return 2;
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGHUP); /* a reload (reload.c) */
    /* workers inherit the mask; only this thread takes the signals (reload.c's signalfd) */
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (setup(&srv, cfg, opts, errbuf, errlen) != 0) {
        release_workers(&srv);
        gw_runtime_release(srv.rt);
        dispose_server(&srv);
        return 1;
    }
    for (unsigned i = 0; i < srv.num_workers; ++i)
        srv.workers[i].loop = h2o_evloop_create();
    for (unsigned i = 0; i < srv.num_workers; ++i)
        if (pthread_create(&srv.workers[i].tid, NULL, worker_main, &srv.workers[i]) != 0)
            abort();
    pthread_mutex_lock(&srv.mutex);
    while (srv.started != srv.num_workers)
        pthread_cond_wait(&srv.cond, &srv.mutex);
    pthread_mutex_unlock(&srv.mutex);
    srv.process.ready = 1;
    const char *generation = getenv("SERVER_STARTER_GENERATION");
    fprintf(stderr, "versa: serving %zu API(s) on %zu listener(s) with %u thread(s)%s%s\n",
            cfg->num_apis, srv.num_fds, srv.num_workers,
            srv.inherit.active ? ", sockets from start_server, generation " : "",
            !srv.inherit.active ? "" : generation != NULL ? generation : "?");
    notify_manager("READY=1");

    /* SIGHUP, POST /reload and --watch are served here until SIGTERM or SIGINT */
    int sig = gw_reloader_run(srv.reloader, srv.rt, &sigs);
    srv.process.draining = 1; /* first: responses from now on close their connections (drain.h) */
    fprintf(stderr, "versa: %s received, draining (up to %llu ms)\n", strsignal(sig),
            (unsigned long long)srv.rt->config->shutdown_timeout_ms);
    /* Under start_server, one generation stopping is not the service stopping (the unit's main
     * process is start_server, and a successor may already serve): systemd would stop the unit. */
    if (!srv.inherit.active)
        notify_manager("STOPPING=1");
    srv.stopping = 1;
    /* The workers close their copies of the listening sockets; closing the originals too makes
     * the kernel refuse new connections at once rather than queue them (under start_server the
     * sockets stay open in it: new connections queue for the next generation instead). */
    for (size_t i = 0; i < srv.num_fds; ++i) {
        close(srv.fds[i].fd);
        srv.fds[i].fd = -1;
    }
    for (unsigned i = 0; i < srv.num_workers; ++i)
        pthread_join(srv.workers[i].tid, NULL);
    uint64_t cut = 0;
    for (unsigned i = 0; i < srv.num_workers; ++i)
        cut += srv.workers[i].unfinished;
    if (cut != 0) {
        fprintf(stderr, "versa: shutdown timeout reached with %llu connection(s) open\n",
                (unsigned long long)cut);
        /* Connections still hold the contexts, which only their threads could have disposed:
         * flush the logs and capture files (the generations), then end the process now rather
         * than tear down under them. */
        gw_runtime_t *rt = gw_reloader_current(srv.reloader);
        gw_access_log_destroy(rt->access_log);
        rt->access_log = NULL;
        gw_recorders_dispose(&rt->recorders);
        gw_validate_logs_dispose(rt->validate_logs); /* writes the queued violation lines */
        fprintf(stderr, "versa: stopped (%llu connection(s) cut)\n", (unsigned long long)cut);
        fflush(NULL);
        _exit(0);
    }
    h2o_evloop_t **loops = calloc(srv.num_workers, sizeof(*loops));
    for (unsigned i = 0; i < srv.num_workers; ++i)
        loops[i] = srv.workers[i].loop;
    release_workers(&srv);
    dispose_server(&srv);
    for (unsigned i = 0; i < srv.num_workers; ++i)
        h2o_evloop_destroy(loops[i]);
    free(loops);
    fprintf(stderr, "versa: stopped\n");
    return 0;
}

int gw_serve_check(gw_config_t *cfg, char *errbuf, size_t errlen)
{
    gw_process_t process;
    gw_process_init(&process);
    gw_runtime_t *rt = gw_runtime_create(&process, cfg, NULL, errbuf, errlen);
    gw_runtime_release(rt);
    gw_process_dispose(&process);
    return rt != NULL ? 0 : -1;
}
