/* The shadow diff log: JSON lines appended by the diff worker (blocking I/O, never on an event
 * loop), rotated by size like logrotate's numbered scheme: path -> path.1 -> ... -> path.<keep>. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include "shadow_internal.h"

struct st_gw_shadow_log_t {
    char *path;
    int fd; /* -1 after a failed reopen; retried on the next line */
    size_t size, max_bytes;
    unsigned keep;
};

static int open_fd(const char *path, int truncate)
{
    return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | (truncate ? O_TRUNC : 0), 0644);
}

gw_shadow_log_t *gw_shadow__log_open(const char *path, size_t max_bytes, unsigned keep,
                                     char *errbuf, size_t errlen)
{
    int fd = open_fd(path, 0);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        snprintf(errbuf, errlen, "cannot open the shadow log %s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    gw_shadow_log_t *log = calloc(1, sizeof(*log));
    if (log == NULL || (log->path = strdup(path)) == NULL)
        h2o_fatal("no memory");
    log->fd = fd;
    log->size = (size_t)st.st_size;
    log->max_bytes = max_bytes;
    log->keep = keep;
    return log;
}

void gw_shadow__log_close(gw_shadow_log_t *log)
{
    if (log == NULL)
        return;
    if (log->fd >= 0)
        close(log->fd);
    free(log->path);
    free(log);
}

const char *gw_shadow__log_path(const gw_shadow_log_t *log)
{
    return log->path;
}

/* Shifts path.<i> to path.<i+1> (the oldest falls off), path to path.1, and starts afresh. */
static void rotate(gw_shadow_log_t *log)
{
    size_t len = strlen(log->path) + 16;
    char *from = malloc(len), *to = malloc(len);
    if (from == NULL || to == NULL)
        h2o_fatal("no memory");
    if (log->fd >= 0)
        close(log->fd);
    for (unsigned i = log->keep; i > 1; --i) {
        snprintf(from, len, "%s.%u", log->path, i - 1);
        snprintf(to, len, "%s.%u", log->path, i);
        rename(from, to); /* ENOENT for numbers not reached yet */
    }
    if (log->keep != 0) {
        snprintf(to, len, "%s.1", log->path);
        rename(log->path, to);
    }
    free(from);
    free(to);
    log->fd = open_fd(log->path, 1);
    log->size = 0;
}

int gw_shadow__log_write(gw_shadow_log_t *log, const char *line, size_t len)
{
    if (log->fd < 0 && (log->fd = open_fd(log->path, 0)) >= 0) { /* retry after a failure */
        struct stat st;
        log->size = fstat(log->fd, &st) == 0 ? (size_t)st.st_size : 0;
    }
    /* a line longer than max_bytes still goes whole into a file of its own */
    if (log->fd >= 0 && log->size != 0 &&
        (log->size >= log->max_bytes || len + 1 > log->max_bytes - log->size))
        rotate(log);
    if (log->fd < 0)
        return -1;
    struct iovec iov[2] = {{(void *)line, len}, {"\n", 1}};
    size_t want = len + 1, done = 0;
    while (done < want) {
        ssize_t n = writev(log->fd, iov, 2);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        done += (size_t)n;
        log->size += (size_t)n;
        /* a short write: advance the vectors and finish the line */
        size_t skip = (size_t)n;
        for (int i = 0; i != 2; ++i) {
            size_t k = skip < iov[i].iov_len ? skip : iov[i].iov_len;
            iov[i].iov_base = (char *)iov[i].iov_base + k;
            iov[i].iov_len -= k;
            skip -= k;
        }
    }
    return 0;
}
