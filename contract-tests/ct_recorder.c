/* The capture writer: a double-buffered byte queue drained by one writer thread, with size-based
 * rotation. Producers only encode, lock, copy and signal. */
#include "ct_recorder.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ct_alloc.h"
#include "ct_buf.h"

#define MAX_KEEP 1000

struct st_ct_recorder_t {
    ct_recorder_config_t cfg; /* path points at our copy */
    char *path;
    ct_redact_t redact;
    pthread_t thread;
    pthread_mutex_t mutex;
    pthread_cond_t wake; /* the writer: work or stop */
    pthread_cond_t done; /* flushers: a batch was written */
    /* guarded by mutex */
    ct_buf_t pending;     /* whole lines not yet taken by the writer */
    size_t writing_bytes; /* size of the batch being written */
    uint64_t enqueued_seq, written_seq;
    int stop;
    char last_error[200];
    int error_since_flush;
    ct_recorder_stats_t stats;
    /* writer thread only */
    int fd;
    uint64_t file_size;
};

void ct_recorder_config_init(ct_recorder_config_t *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->max_bytes = 1ull << 30;
    cfg->keep = 5;
    cfg->queue_bytes = 8u << 20;
    cfg->max_body_bytes = 1u << 20;
}

/* Writer thread. */

static void note_error(ct_recorder_t *rec, const char *what, int errnum)
{
    pthread_mutex_lock(&rec->mutex);
    snprintf(rec->last_error, sizeof(rec->last_error), "%s %s: %s", what, rec->path,
             strerror(errnum));
    rec->error_since_flush = 1;
    rec->stats.write_errors++;
    pthread_mutex_unlock(&rec->mutex);
}

static int open_file(ct_recorder_t *rec, int truncate)
{
    int fd =
        open(rec->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (truncate ? O_TRUNC : 0), 0600);
    if (fd < 0)
        return -1;
    struct stat st;
    rec->file_size = fstat(fd, &st) == 0 ? (uint64_t)st.st_size : 0;
    rec->fd = fd;
    return 0;
}

/* FILE.(keep-1) -> FILE.keep ... FILE -> FILE.1, then a new FILE. On failure the current file
 * stays open and grows: losing records would be worse than a large file. */
static void rotate(ct_recorder_t *rec)
{
    size_t n = strlen(rec->path) + 16;
    char *from = ct__xmalloc(n), *to = ct__xmalloc(n);
    int ok = 1;
    for (unsigned i = rec->cfg.keep; ok && i > 1; i--) {
        snprintf(from, n, "%s.%u", rec->path, i - 1);
        snprintf(to, n, "%s.%u", rec->path, i);
        if (rename(from, to) != 0 && errno != ENOENT) {
            note_error(rec, "cannot rotate", errno);
            ok = 0;
        }
    }
    if (ok && rec->cfg.keep > 0) {
        snprintf(to, n, "%s.1", rec->path);
        if (rename(rec->path, to) != 0) {
            note_error(rec, "cannot rotate", errno);
            ok = 0;
        }
    }
    free(from);
    free(to);
    if (!ok)
        return;
    int old = rec->fd;
    if (open_file(rec, rec->cfg.keep == 0) != 0) {
        note_error(rec, "cannot open", errno);
        rec->fd = old; /* keep writing to the renamed file rather than losing records */
        return;
    }
    close(old);
    pthread_mutex_lock(&rec->mutex);
    rec->stats.rotations++;
    pthread_mutex_unlock(&rec->mutex);
}

static uint64_t count_lines(const char *p, size_t len)
{
    uint64_t n = 0;
    for (const char *end = p + len; (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
        n++;
    return n;
}

static void write_chunk(ct_recorder_t *rec, const char *p, size_t len)
{
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(rec->fd, p + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int e = n < 0 ? errno : EIO;
            /* the rest of the batch is lost; a line cut short here reads back as a bad line */
            uint64_t lost = count_lines(p + done, len - done);
            note_error(rec, "cannot write", e);
            pthread_mutex_lock(&rec->mutex);
            rec->stats.lost += lost;
            rec->stats.written += count_lines(p, len) - lost;
            pthread_mutex_unlock(&rec->mutex);
            rec->file_size += done;
            return;
        }
        done += (size_t)n;
    }
    rec->file_size += len;
    pthread_mutex_lock(&rec->mutex);
    rec->stats.written += count_lines(p, len);
    rec->stats.bytes_written += len;
    pthread_mutex_unlock(&rec->mutex);
}

/* Writes whole lines, rotating before the line that would cross max_bytes. */
static void write_batch(ct_recorder_t *rec, const char *p, size_t len)
{
    while (len > 0) {
        size_t take = len;
        if (rec->cfg.max_bytes != 0 && rec->file_size + len > rec->cfg.max_bytes) {
            uint64_t room =
                rec->file_size < rec->cfg.max_bytes ? rec->cfg.max_bytes - rec->file_size : 0;
            const char *last = room != 0 ? memrchr(p, '\n', room < len ? (size_t)room : len) : NULL;
            if (last != NULL) {
                take = (size_t)(last - p) + 1;
            } else if (rec->file_size != 0) {
                rotate(rec);
                if (rec->file_size != 0) { /* rotation failed: keep appending */
                    write_chunk(rec, p, len);
                    return;
                }
                continue;
            } else {
                take = (size_t)((const char *)memchr(p, '\n', len) - p) + 1; /* alone */
            }
        }
        write_chunk(rec, p, take);
        p += take;
        len -= take;
    }
}

static void *writer_main(void *arg)
{
    ct_recorder_t *rec = arg;
    ct_buf_t batch = CT_BUF_INIT;
    pthread_mutex_lock(&rec->mutex);
    for (;;) {
        while (rec->pending.len == 0 && !rec->stop)
            pthread_cond_wait(&rec->wake, &rec->mutex);
        if (rec->pending.len == 0 && rec->stop)
            break;
        ct_buf_t tmp = rec->pending;
        rec->pending = batch;
        rec->pending.len = 0;
        batch = tmp;
        rec->writing_bytes = batch.len;
        uint64_t seq = rec->enqueued_seq;
        pthread_mutex_unlock(&rec->mutex);

        write_batch(rec, batch.base, batch.len);

        pthread_mutex_lock(&rec->mutex);
        rec->writing_bytes = 0;
        rec->written_seq = seq;
        pthread_cond_broadcast(&rec->done);
    }
    pthread_mutex_unlock(&rec->mutex);
    ct__buf_dispose(&batch);
    return NULL;
}

/* Public API. */

ct_recorder_t *ct_recorder_create(const ct_recorder_config_t *cfg, ct_error_t *err)
{
    if (cfg->path == NULL || cfg->path[0] == '\0') {
        snprintf(err->message, sizeof(err->message), "record: no file given");
        return NULL;
    }
    if (cfg->keep > MAX_KEEP || cfg->queue_bytes == 0) {
        snprintf(err->message, sizeof(err->message),
                 "record: keep must be at most %d and the queue at least 1 byte", MAX_KEEP);
        return NULL;
    }
    ct_recorder_t *rec = ct__xcalloc(1, sizeof(*rec));
    rec->cfg = *cfg;
    rec->path = ct__xstrndup(cfg->path, strlen(cfg->path));
    rec->cfg.path = rec->path;
    if (ct_redact_init(&rec->redact, cfg->redact, cfg->num_redact, err) != 0) {
        free(rec->path);
        free(rec);
        return NULL;
    }
    rec->cfg.redact = NULL;
    if (open_file(rec, 0) != 0) {
        snprintf(err->message, sizeof(err->message), "record: cannot open %.150s: %s", rec->path,
                 strerror(errno));
        ct_redact_dispose(&rec->redact);
        free(rec->path);
        free(rec);
        return NULL;
    }
    pthread_mutex_init(&rec->mutex, NULL);
    pthread_cond_init(&rec->wake, NULL);
    pthread_cond_init(&rec->done, NULL);
    int e = pthread_create(&rec->thread, NULL, writer_main, rec);
    if (e != 0) {
        snprintf(err->message, sizeof(err->message), "record: cannot start the writer thread: %s",
                 strerror(e));
        close(rec->fd);
        pthread_mutex_destroy(&rec->mutex);
        pthread_cond_destroy(&rec->wake);
        pthread_cond_destroy(&rec->done);
        ct_redact_dispose(&rec->redact);
        free(rec->path);
        free(rec);
        return NULL;
    }
    return rec;
}

int ct_recorder_record(ct_recorder_t *rec, const ct_exchange_t *x)
{
    size_t len;
    char *line = ct_capture_encode(x, &rec->redact, rec->cfg.max_body_bytes, &len);
    int queued = 0;
    pthread_mutex_lock(&rec->mutex);
    size_t used = rec->pending.len + rec->writing_bytes;
    if (len <= rec->cfg.queue_bytes && used <= rec->cfg.queue_bytes - len) {
        ct__buf_append(&rec->pending, line, len);
        rec->enqueued_seq++;
        rec->stats.queued++;
        queued = 1;
        pthread_cond_signal(&rec->wake);
    } else {
        rec->stats.dropped++;
        rec->stats.dropped_bytes += len;
    }
    pthread_mutex_unlock(&rec->mutex);
    free(line);
    return queued ? 0 : -1;
}

int ct_recorder_flush(ct_recorder_t *rec, ct_error_t *err)
{
    pthread_mutex_lock(&rec->mutex);
    uint64_t target = rec->enqueued_seq;
    while (rec->written_seq < target)
        pthread_cond_wait(&rec->done, &rec->mutex);
    int failed = rec->error_since_flush;
    if (failed && err != NULL)
        snprintf(err->message, sizeof(err->message), "record: %s", rec->last_error);
    rec->error_since_flush = 0;
    pthread_mutex_unlock(&rec->mutex);
    return failed ? -1 : 0;
}

void ct_recorder_stats(ct_recorder_t *rec, ct_recorder_stats_t *out)
{
    pthread_mutex_lock(&rec->mutex);
    *out = rec->stats;
    pthread_mutex_unlock(&rec->mutex);
}

void ct_recorder_destroy(ct_recorder_t *rec)
{
    if (rec == NULL)
        return;
    pthread_mutex_lock(&rec->mutex);
    rec->stop = 1;
    pthread_cond_signal(&rec->wake);
    pthread_mutex_unlock(&rec->mutex);
    pthread_join(rec->thread, NULL);
    close(rec->fd);
    pthread_mutex_destroy(&rec->mutex);
    pthread_cond_destroy(&rec->wake);
    pthread_cond_destroy(&rec->done);
    ct__buf_dispose(&rec->pending);
    ct_redact_dispose(&rec->redact);
    free(rec->path);
    free(rec);
}
