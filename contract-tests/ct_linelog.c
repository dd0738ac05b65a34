/* The queued line log: a double-buffered byte queue drained by one writer thread into a rotated
 * file. Producers only lock, copy and signal. */
#include "ct_linelog.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ct_alloc.h"
#include "ct_buf.h"

struct st_ct_linelog_t {
    size_t queue_bytes;
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
    uint64_t errors_at_flush; /* file.stats.write_errors at the previous flush */
    ct_linelog_stats_t stats;
    ct_logfile_t file; /* the writer's; its stats copied into `stats` under the mutex */
};

static void *writer_main(void *arg)
{
    ct_linelog_t *log = arg;
    ct_buf_t batch = CT_BUF_INIT;
    pthread_mutex_lock(&log->mutex);
    for (;;) {
        while (log->pending.len == 0 && !log->stop)
            pthread_cond_wait(&log->wake, &log->mutex);
        if (log->pending.len == 0 && log->stop)
            break;
        ct_buf_t tmp = log->pending;
        log->pending = batch;
        log->pending.len = 0;
        batch = tmp;
        log->writing_bytes = batch.len;
        uint64_t seq = log->enqueued_seq;
        pthread_mutex_unlock(&log->mutex);

        ct_logfile_write(&log->file, batch.base, batch.len);

        pthread_mutex_lock(&log->mutex);
        const ct_logfile_stats_t *fs = &log->file.stats;
        log->stats.written = fs->written;
        log->stats.bytes_written = fs->bytes_written;
        log->stats.lost = fs->lost;
        log->stats.write_errors = fs->write_errors;
        log->stats.rotations = fs->rotations;
        memcpy(log->last_error, log->file.last_error, sizeof(log->last_error));
        log->writing_bytes = 0;
        log->written_seq = seq;
        pthread_cond_broadcast(&log->done);
    }
    pthread_mutex_unlock(&log->mutex);
    ct__buf_dispose(&batch);
    return NULL;
}

ct_linelog_t *ct_linelog_create(const ct_linelog_config_t *cfg, ct_error_t *err)
{
    if (cfg->path == NULL || cfg->path[0] == '\0') {
        snprintf(err->message, sizeof(err->message), "no file given");
        return NULL;
    }
    if (cfg->queue_bytes == 0) {
        snprintf(err->message, sizeof(err->message), "the queue must hold at least 1 byte");
        return NULL;
    }
    ct_linelog_t *log = ct__xcalloc(1, sizeof(*log));
    log->queue_bytes = cfg->queue_bytes;
    if (ct_logfile_init(&log->file, cfg->path, cfg->max_bytes, cfg->keep, cfg->mode, err) != 0) {
        free(log);
        return NULL;
    }
    pthread_mutex_init(&log->mutex, NULL);
    pthread_cond_init(&log->wake, NULL);
    pthread_cond_init(&log->done, NULL);
    int e = pthread_create(&log->thread, NULL, writer_main, log);
    if (e != 0) {
        snprintf(err->message, sizeof(err->message), "cannot start the writer thread: %s",
                 strerror(e));
        ct_logfile_dispose(&log->file);
        pthread_mutex_destroy(&log->mutex);
        pthread_cond_destroy(&log->wake);
        pthread_cond_destroy(&log->done);
        free(log);
        return NULL;
    }
    return log;
}

int ct_linelog_append(ct_linelog_t *log, const char *lines, size_t len)
{
    int queued = 0;
    pthread_mutex_lock(&log->mutex);
    size_t used = log->pending.len + log->writing_bytes;
    if (len <= log->queue_bytes && used <= log->queue_bytes - len) {
        ct__buf_append(&log->pending, lines, len);
        log->enqueued_seq++;
        log->stats.queued++;
        queued = 1;
        pthread_cond_signal(&log->wake);
    } else {
        log->stats.dropped++;
        log->stats.dropped_bytes += len;
    }
    pthread_mutex_unlock(&log->mutex);
    return queued ? 0 : -1;
}

int ct_linelog_flush(ct_linelog_t *log, ct_error_t *err)
{
    pthread_mutex_lock(&log->mutex);
    uint64_t target = log->enqueued_seq;
    while (log->written_seq < target)
        pthread_cond_wait(&log->done, &log->mutex);
    int failed = log->stats.write_errors != log->errors_at_flush;
    if (failed && err != NULL)
        snprintf(err->message, sizeof(err->message), "%s", log->last_error);
    log->errors_at_flush = log->stats.write_errors;
    pthread_mutex_unlock(&log->mutex);
    return failed ? -1 : 0;
}

void ct_linelog_stats(ct_linelog_t *log, ct_linelog_stats_t *out)
{
    pthread_mutex_lock(&log->mutex);
    *out = log->stats;
    pthread_mutex_unlock(&log->mutex);
}

const char *ct_linelog_path(const ct_linelog_t *log)
{
    return log->file.path;
}

void ct_linelog_destroy(ct_linelog_t *log)
{
    if (log == NULL)
        return;
    pthread_mutex_lock(&log->mutex);
    log->stop = 1;
    pthread_cond_signal(&log->wake);
    pthread_mutex_unlock(&log->mutex);
    pthread_join(log->thread, NULL);
    ct_logfile_dispose(&log->file);
    pthread_mutex_destroy(&log->mutex);
    pthread_cond_destroy(&log->wake);
    pthread_cond_destroy(&log->done);
    ct__buf_dispose(&log->pending);
    free(log);
}
