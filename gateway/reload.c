/* Hot reload on the main thread: load, check and build a new generation, hand it to the server,
 * retire the old one, and keep the outcome for POST /reload and /metrics. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <jansson.h>
#include "problem.h"
#include "reload.h"
#include "reload_watch.h"

typedef struct st_retired_t {
    gw_runtime_t *rt; /* the reloader's reference */
    struct st_retired_t *next;
} retired_t;

struct st_gw_reloader_t {
    gw_process_t *process;
    char *path;
    gw_reload_ops_t ops;
    void *server;
    int wake_fd; /* eventfd: gw_reloader_request */
    gw_reload_watch_t *watch; /* NULL without --watch */
    gw_runtime_t *current;    /* the reloader's reference */
    retired_t *retired;       /* generations some worker may still use */
    pthread_mutex_t mutex;    /* guards what follows */
    uint64_t asked;           /* tickets handed out */
    uint64_t answered;        /* tickets the last result answers */
    int status;
    char *body;
    size_t body_len;
    uint64_t ok, errors; /* reloads by outcome */
    uint64_t generation;
};

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

gw_reloader_t *gw_reloader_create(gw_process_t *process, const char *path, int watch,
                                  const gw_reload_ops_t *ops, void *server)
{
    gw_reloader_t *r = calloc(1, sizeof(*r));
    if (r == NULL || (r->path = strdup(path)) == NULL)
        abort();
    r->process = process;
    r->ops = *ops;
    r->server = server;
    if ((r->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0)
        abort();
    if (watch)
        r->watch = gw_reload_watch_create();
    pthread_mutex_init(&r->mutex, NULL);
    return r;
}

void gw_reloader_destroy(gw_reloader_t *r)
{
    if (r == NULL)
        return;
    while (r->retired != NULL) {
        retired_t *x = r->retired;
        r->retired = x->next;
        gw_runtime_release(x->rt);
        free(x);
    }
    gw_runtime_release(r->current);
    gw_reload_watch_destroy(r->watch);
    close(r->wake_fd);
    pthread_mutex_destroy(&r->mutex);
    free(r->body);
    free(r->path);
    free(r);
}

gw_runtime_t *gw_reloader_current(gw_reloader_t *r)
{
    return r->current;
}

uint64_t gw_reloader_request(gw_reloader_t *r)
{
    pthread_mutex_lock(&r->mutex);
    uint64_t ticket = ++r->asked;
    pthread_mutex_unlock(&r->mutex);
    uint64_t one = 1;
    if (write(r->wake_fd, &one, sizeof(one)) < 0) { /* EAGAIN: a wake-up is pending anyway */
    }
    return ticket;
}

int gw_reloader_result(gw_reloader_t *r, uint64_t ticket, int *status, char **body, size_t *len)
{
    int done = 0;
    pthread_mutex_lock(&r->mutex);
    if (r->answered >= ticket && r->body != NULL) {
        done = 1;
        *status = r->status;
        *len = r->body_len;
        if ((*body = malloc(r->body_len + 1)) == NULL)
            abort();
        memcpy(*body, r->body, r->body_len + 1);
    }
    pthread_mutex_unlock(&r->mutex);
    return done;
}

void gw_reloader_render_metrics(gw_reloader_t *r, char **buf, size_t *len)
{
    pthread_mutex_lock(&r->mutex);
    uint64_t ok = r->ok, errors = r->errors, generation = r->generation;
    pthread_mutex_unlock(&r->mutex);
    char text[768];
    int n = snprintf(text, sizeof(text),
                     "# HELP versa_config_reloads_total Configuration reloads, by outcome.\n"
                     "# TYPE versa_config_reloads_total counter\n"
                     "versa_config_reloads_total{result=\"ok\"} %llu\n"
                     "versa_config_reloads_total{result=\"error\"} %llu\n"
                     "# HELP versa_config_generation The configuration in force (1 at start, "
                     "one more per successful reload).\n"
                     "# TYPE versa_config_generation gauge\n"
                     "versa_config_generation %llu\n",
                     (unsigned long long)ok, (unsigned long long)errors,
                     (unsigned long long)generation);
    if ((*buf = realloc(*buf, *len + (size_t)n + 1)) == NULL)
        abort();
    memcpy(*buf + *len, text, (size_t)n + 1);
    *len += (size_t)n;
}

static void add_key(char *buf, size_t size, const char *key)
{
    size_t used = strlen(buf);
    snprintf(buf + used, size - used, "%s%s", used != 0 ? ", " : "", key);
}

void gw_reload_restart_keys(const gw_config_t *prev, const gw_config_t *next, char *buf,
                            size_t size)
{
    buf[0] = '\0';
    if (prev->threads != next->threads)
        add_key(buf, size, "threads");
    if ((prev->admin.address == NULL) != (next->admin.address == NULL) ||
        (prev->admin.address != NULL &&
         (strcmp(prev->admin.host, next->admin.host) != 0 || prev->admin.port != next->admin.port)))
        add_key(buf, size, "admin.address");
    /* h2o's own settings (server.c copies them into its global configuration at start) */
    if (prev->limits.max_request_body != next->limits.max_request_body)
        add_key(buf, size, "limits.max_request_body");
    if (prev->limits.http2_max_concurrent_requests != next->limits.http2_max_concurrent_requests)
        add_key(buf, size, "limits.http2_max_concurrent_requests");
    if (prev->limits.client_request_timeout_ms != next->limits.client_request_timeout_ms)
        add_key(buf, size, "limits.client_request_timeout_ms");
    if (prev->limits.client_idle_timeout_ms != next->limits.client_idle_timeout_ms)
        add_key(buf, size, "limits.client_idle_timeout_ms");
    if (prev->limits.tls_handshake_timeout_ms != next->limits.tls_handshake_timeout_ms)
        add_key(buf, size, "limits.tls_handshake_timeout_ms");
}

/* Keeps the outcome for gw_reloader_result (answering every ticket up to `answered`). */
static void set_result(gw_reloader_t *r, uint64_t answered, int ok, json_t *body)
{
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    if (text == NULL)
        abort();
    pthread_mutex_lock(&r->mutex);
    if (ok) {
        ++r->ok;
        r->generation = r->current->generation;
    } else {
        ++r->errors;
    }
    free(r->body);
    r->body = text;
    r->body_len = strlen(text);
    r->status = ok ? 200 : 422;
    r->answered = answered;
    pthread_mutex_unlock(&r->mutex);
}

static void fail(gw_reloader_t *r, uint64_t answered, const char *why, const char *detail,
                 const spec_error_t *err)
{
    fprintf(stderr, "versa: reload (%s) failed, generation %llu stays in force: %s\n", why,
            (unsigned long long)r->current->generation, detail);
    json_t *p = json_pack("{s:s, s:s, s:i, s:s, s:I}", "type",
                          gw_problem_type(GW_PROBLEM_INVALID_CONFIG), "title",
                          gw_problem_title(GW_PROBLEM_INVALID_CONFIG), "status",
                          gw_problem_status(GW_PROBLEM_INVALID_CONFIG), "detail", detail,
                          "generation", (json_int_t)r->current->generation);
    if (p == NULL) /* detail is not UTF-8 (a file name): still a valid answer */
        p = json_pack("{s:s, s:s, s:i, s:s, s:I}", "type",
                      gw_problem_type(GW_PROBLEM_INVALID_CONFIG), "title",
                      gw_problem_title(GW_PROBLEM_INVALID_CONFIG), "status",
                      gw_problem_status(GW_PROBLEM_INVALID_CONFIG), "detail",
                      "the configuration is invalid (see the log)", "generation",
                      (json_int_t)r->current->generation);
    if (err != NULL && err->file[0] != '\0') {
        json_t *f = json_string(err->file);
        if (f != NULL)
            json_object_set_new(p, "file", f);
        json_object_set_new(p, "line", json_integer(err->line));
        json_object_set_new(p, "column", json_integer(err->col));
        if (err->pointer[0] != '\0' && json_string(err->pointer) != NULL)
            json_object_set_new(p, "pointer", json_string(err->pointer));
    }
    set_result(r, answered, 0, p);
}

/* One reload; `why` names what asked for it in the log ("SIGHUP", "POST /reload", "watch"). */
static void reload(gw_reloader_t *r, const char *why)
{
    pthread_mutex_lock(&r->mutex);
    uint64_t answered = r->asked; /* every ticket so far: this reload reads the files after them */
    pthread_mutex_unlock(&r->mutex);
    double start = now_ms();
    gw_config_t *cfg;
    spec_error_t err;
    char msg[2048];
    if (gw_config_load(r->path, &cfg, &err) != 0) {
        fail(r, answered, why, spec_error_format(&err, msg, sizeof(msg)), &err);
        return;
    }
    gw_runtime_t *next = gw_runtime_create(r->process, cfg, r->current, msg, sizeof(msg));
    gw_config_release(cfg); /* the generation holds it */
    if (next == NULL) {
        fail(r, answered, why, msg, NULL);
        return;
    }
    if (r->ops.apply(r->server, next, msg, sizeof(msg)) != 0) {
        --r->process->generations; /* never in force: the next one takes its number */
        gw_runtime_release(next);
        fail(r, answered, why, msg, NULL);
        return;
    }
    char restart[512];
    gw_reload_restart_keys(r->current->config, next->config, restart, sizeof(restart));
    retired_t *old = malloc(sizeof(*old));
    if (old == NULL)
        abort();
    old->rt = r->current;
    old->next = r->retired;
    r->retired = old;
    uint64_t previous = r->current->generation;
    r->current = next;
    if (r->watch != NULL)
        gw_reload_watch_set(r->watch, r->path, next->config);
    double ms = now_ms() - start;
    fprintf(stderr, "versa: reload (%s): generation %llu in force (%.1f ms)%s%s%s\n", why,
            (unsigned long long)next->generation, ms,
            restart[0] != '\0' ? "; needs a restart to change: " : "", restart,
            restart[0] != '\0' ? " (kept as they were)" : "");
    json_t *body = json_pack("{s:s, s:I, s:I, s:f}", "status", "ok", "generation",
                             (json_int_t)next->generation, "previous_generation",
                             (json_int_t)previous, "duration_ms", ms);
    json_t *keys = json_array();
    for (char *k = restart[0] != '\0' ? strtok(restart, ", ") : NULL; k != NULL;
         k = strtok(NULL, ", "))
        json_array_append_new(keys, json_string(k));
    json_object_set_new(body, "restart_required", keys);
    set_result(r, answered, 1, body);
}

/* One reload between the server's begin and done, whatever its outcome. */
static void reload_between(gw_reloader_t *r, const char *why)
{
    r->ops.begin(r->server);
    reload(r, why);
    r->ops.done(r->server);
}

/* Releases the generations whose last worker reference is gone (ours is the only one left). */
static void sweep(gw_reloader_t *r)
{
    for (retired_t **p = &r->retired; *p != NULL;) {
        retired_t *x = *p;
        if (gw_runtime_refs(x->rt) == 1) {
            *p = x->next;
            gw_runtime_release(x->rt); /* flushes and closes what it alone had open */
            free(x);
        } else {
            p = &x->next;
        }
    }
}

int gw_reloader_run(gw_reloader_t *r, gw_runtime_t *current, const sigset_t *sigs)
{
    r->current = current;
    pthread_mutex_lock(&r->mutex);
    r->generation = current->generation;
    pthread_mutex_unlock(&r->mutex);
    if (r->watch != NULL)
        gw_reload_watch_set(r->watch, r->path, current->config);
    int sfd = signalfd(-1, sigs, SFD_CLOEXEC);
    if (sfd < 0)
        abort();
    for (;;) {
        struct pollfd fds[3] = {{sfd, POLLIN, 0}, {r->wake_fd, POLLIN, 0}, {-1, POLLIN, 0}};
        int timeout = r->retired != NULL ? 100 : -1;
        if (r->watch != NULL) {
            fds[2].fd = gw_reload_watch_fd(r->watch);
            int t = gw_reload_watch_timeout(r->watch);
            if (t >= 0 && (timeout < 0 || t < timeout))
                timeout = t;
        }
        if (poll(fds, 3, timeout) < 0 && errno != EINTR)
            abort();
        sweep(r);
        if (fds[0].revents & POLLIN) {
            struct signalfd_siginfo si;
            if (read(sfd, &si, sizeof(si)) == sizeof(si)) {
                if (si.ssi_signo != SIGHUP) {
                    close(sfd);
                    return (int)si.ssi_signo;
                }
                reload_between(r, "SIGHUP");
            }
        }
        if (fds[1].revents & POLLIN) {
            uint64_t n;
            if (read(r->wake_fd, &n, sizeof(n)) == sizeof(n)) {
                reload_between(r, "POST /reload");
            }
        }
        if (r->watch != NULL && gw_reload_watch_due(r->watch, fds[2].revents & POLLIN)) {
            reload_between(r, "watch");
        }
    }
}
