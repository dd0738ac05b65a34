/* --watch: inotify on the directories of the files a configuration names, debounced. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/inotify.h>
#include "reload_watch.h"
#include "spec.h"
#include "shadow_config.h"

typedef struct st_watched_t {
    int wd;      /* of its directory */
    char *dir;   /* absolute */
    char *name;  /* the file's name in it */
} watched_t;

struct st_gw_reload_watch_t {
    int fd;
    watched_t *files;
    size_t count, cap;
    double due_ms; /* 0: nothing pending */
};

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

gw_reload_watch_t *gw_reload_watch_create(void)
{
    gw_reload_watch_t *w = calloc(1, sizeof(*w));
    if (w == NULL || (w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) < 0)
        abort();
    return w;
}

static void clear(gw_reload_watch_t *w)
{
    for (size_t i = 0; i < w->count; ++i) {
        int shared = 0;
        for (size_t j = 0; j < i; ++j)
            shared |= w->files[j].wd == w->files[i].wd;
        if (!shared && w->files[i].wd >= 0)
            inotify_rm_watch(w->fd, w->files[i].wd);
        free(w->files[i].dir);
        free(w->files[i].name);
    }
    w->count = 0;
}

void gw_reload_watch_destroy(gw_reload_watch_t *w)
{
    if (w == NULL)
        return;
    clear(w);
    free(w->files);
    close(w->fd);
    free(w);
}

static void add(gw_reload_watch_t *w, const char *path)
{
    if (path == NULL)
        return;
    char abs[2 * PATH_MAX + 2], cwd[PATH_MAX];
    if (path[0] == '/')
        snprintf(abs, sizeof(abs), "%s", path);
    else if (getcwd(cwd, sizeof(cwd)) != NULL) /* symbolic links are not resolved: see below */
        snprintf(abs, sizeof(abs), "%s/%.*s", cwd, PATH_MAX, path);
    else
        return;
    char *slash = strrchr(abs, '/');
    if (slash == NULL || slash[1] == '\0')
        return;
    *slash = '\0';
    const char *dir = abs[0] != '\0' ? abs : "/";
    for (size_t i = 0; i < w->count; ++i)
        if (strcmp(w->files[i].dir, dir) == 0 && strcmp(w->files[i].name, slash + 1) == 0)
            return;
    if (w->count == w->cap) {
        w->cap = w->cap != 0 ? w->cap * 2 : 16;
        if ((w->files = realloc(w->files, w->cap * sizeof(*w->files))) == NULL)
            abort();
    }
    watched_t *f = &w->files[w->count++];
    /* one watch per directory: inotify hands back the same descriptor for it */
    f->wd = inotify_add_watch(w->fd, dir,
                              IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_ATTRIB);
    if ((f->dir = strdup(dir)) == NULL || (f->name = strdup(slash + 1)) == NULL)
        abort();
}

void gw_reload_watch_set(gw_reload_watch_t *w, const char *path, const gw_config_t *cfg)
{
    clear(w);
    add(w, path);
    add(w, cfg->file);
    for (size_t i = 0; i < cfg->num_listen; ++i) {
        add(w, cfg->listen[i].tls_certificate);
        add(w, cfg->listen[i].tls_key);
    }
    for (size_t a = 0; a < cfg->num_apis; ++a) {
        const gw_api_t *api = &cfg->apis[a];
        add(w, api->adapters_path);
        for (size_t v = 0; v < api->num_versions; ++v) {
            const spec_t *spec = api->versions[v].spec;
            add(w, api->versions[v].spec_path);
            for (size_t d = 0; spec != NULL && d < spec_document_count(spec); ++d)
                add(w, spec_doc_file(spec_document(spec, d)));
        }
    }
}

int gw_reload_watch_fd(const gw_reload_watch_t *w)
{
    return w->fd;
}

int gw_reload_watch_timeout(const gw_reload_watch_t *w)
{
    if (w->due_ms == 0)
        return -1;
    double left = w->due_ms - now_ms();
    return left <= 0 ? 0 : (int)left + 1;
}

int gw_reload_watch_due(gw_reload_watch_t *w, int readable)
{
    char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
    ssize_t n;
    while (readable && (n = read(w->fd, buf, sizeof(buf))) > 0) {
        for (char *p = buf; p < buf + n;) {
            const struct inotify_event *ev = (const struct inotify_event *)p;
            p += sizeof(*ev) + ev->len;
            /* Kubernetes updates a mounted ConfigMap by renaming a new "..data" symbolic link
             * over the old one, next to the links named like the files */
            for (size_t i = 0; ev->len != 0 && i < w->count; ++i)
                if (w->files[i].wd == ev->wd && (strcmp(w->files[i].name, ev->name) == 0 ||
                                                 strcmp(ev->name, "..data") == 0)) {
                    w->due_ms = now_ms() + GW_RELOAD_WATCH_QUIET_MS; /* restarts the quiet time */
                    break;
                }
        }
    }
    if (w->due_ms == 0 || now_ms() < w->due_ms)
        return 0;
    w->due_ms = 0;
    return 1;
}
