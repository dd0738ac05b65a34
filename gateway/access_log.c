/* Access log writer: a bounded byte queue drained by one writer thread. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "access_log.h"

struct st_gw_access_log_t {
    int fd;
    int owns_fd;
    pthread_mutex_t mutex;
    pthread_cond_t cond;
    pthread_t writer;
    char *queue; /* ring of pending bytes */
    size_t cap, head, len;
    int stopping;
    uint64_t dropped;
};

static void write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return; /* a broken log target must not take the gateway down */
        }
        p += w;
        n -= (size_t)w;
    }
}

static void *writer_main(void *arg)
{
    gw_access_log_t *log = arg;
    char *chunk = malloc(log->cap);
    if (chunk == NULL)
        abort();
    pthread_mutex_lock(&log->mutex);
    for (;;) {
        while (log->len == 0 && !log->stopping)
            pthread_cond_wait(&log->cond, &log->mutex);
        if (log->len == 0 && log->stopping)
            break;
        /* copy out under the lock, write without it */
        size_t n = log->len, first = log->cap - log->head < n ? log->cap - log->head : n;
        memcpy(chunk, log->queue + log->head, first);
        memcpy(chunk + first, log->queue, n - first);
        log->head = (log->head + n) % log->cap;
        log->len = 0;
        pthread_mutex_unlock(&log->mutex);
        write_all(log->fd, chunk, n);
        pthread_mutex_lock(&log->mutex);
    }
    pthread_mutex_unlock(&log->mutex);
    free(chunk);
    return NULL;
}

gw_access_log_t *gw_access_log_create(gw_log_target_t target, const char *path,
                                      size_t queue_bytes, char *errbuf, size_t errlen)
{
    int fd;
    switch (target) {
    case GW_LOG_STDOUT:
        fd = STDOUT_FILENO;
        break;
    case GW_LOG_STDERR:
        fd = STDERR_FILENO;
        break;
    case GW_LOG_FILE:
        if ((fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644)) < 0) {
            snprintf(errbuf, errlen, "cannot open access log %s: %s", path, strerror(errno));
            return NULL;
        }
        break;
    default:
        return NULL;
    }
    gw_access_log_t *log = calloc(1, sizeof(*log));
    if (log == NULL || (log->queue = malloc(queue_bytes)) == NULL)
        abort();
    log->fd = fd;
    log->owns_fd = target == GW_LOG_FILE;
    log->cap = queue_bytes;
    pthread_mutex_init(&log->mutex, NULL);
    pthread_cond_init(&log->cond, NULL);
    if (pthread_create(&log->writer, NULL, writer_main, log) != 0)
        abort();
    return log;
}

void gw_access_log_destroy(gw_access_log_t *log)
{
    if (log == NULL)
        return;
    pthread_mutex_lock(&log->mutex);
    log->stopping = 1;
    pthread_cond_signal(&log->cond);
    pthread_mutex_unlock(&log->mutex);
    pthread_join(log->writer, NULL);
    if (log->owns_fd)
        close(log->fd);
    pthread_mutex_destroy(&log->mutex);
    pthread_cond_destroy(&log->cond);
    free(log->queue);
    free(log);
}

int gw_access_log_write(gw_access_log_t *log, const char *line, size_t len)
{
    int ret = 0;
    pthread_mutex_lock(&log->mutex);
    if (log->cap - log->len < len + 1) {
        ++log->dropped;
        ret = -1;
    } else {
        size_t tail = (log->head + log->len) % log->cap;
        size_t first = log->cap - tail < len ? log->cap - tail : len;
        memcpy(log->queue + tail, line, first);
        memcpy(log->queue, line + first, len - first);
        log->queue[(tail + len) % log->cap] = '\n';
        log->len += len + 1;
        pthread_cond_signal(&log->cond);
    }
    pthread_mutex_unlock(&log->mutex);
    return ret;
}

uint64_t gw_access_log_dropped(const gw_access_log_t *log)
{
    return __atomic_load_n(&log->dropped, __ATOMIC_RELAXED);
}

/* Length of the valid UTF-8 sequence at s (RFC 3629: no overlongs, surrogates or > U+10FFFF),
 * or 0 when it is not one. */
static size_t utf8_len(const unsigned char *s, size_t avail)
{
    size_t n = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : 2;
    if (s[0] < 0xc2 || s[0] > 0xf4 || avail < n)
        return 0;
    for (size_t i = 1; i < n; ++i)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f) ||
        (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] > 0x8f))
        return 0;
    return n;
}

void gw_json_escape_into(char *buf, size_t size, size_t *off, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = *off;
    for (size_t i = 0; i < len; ++i) {
        unsigned char c = (unsigned char)s[i];
        char esc[7];
        const char *src = esc;
        size_t n = 0;
        if (c == '"' || c == '\\') {
            esc[n++] = '\\';
            esc[n++] = (char)c;
        } else if (c < 0x20 || c == 0x7f) {
            memcpy(esc, "\\u00", 4);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            n = 6;
        } else if (c < 0x80) {
            esc[n++] = (char)c;
        } else if ((n = utf8_len((const unsigned char *)s + i, len - i)) != 0) {
            src = s + i; /* valid UTF-8 passes through */
            i += n - 1;
        } else {
            src = "\\ufffd"; /* keeps the line valid JSON whatever the client sent */
            n = 6;
        }
        if (o + n >= size)
            break;
        memcpy(buf + o, src, n);
        o += n;
    }
    buf[o < size ? o : size - 1] = '\0';
    *off = o;
}
