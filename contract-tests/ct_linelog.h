/* A JSON Lines log written by a thread of its own: producers (event loops included) copy whole
 * lines into a byte queue bounded by `queue_bytes` and never wait; one writer thread drains it into
 * a size-rotated ct_logfile_t. What does not fit is dropped and counted. The capture recorder
 * (ct_recorder) and the gateway's contract violation log sit on it. */
#ifndef CT_LINELOG_H
#define CT_LINELOG_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ct_logfile.h"

typedef struct st_ct_linelog_config_t {
    const char *path;
    uint64_t max_bytes; /* rotation size (ct_logfile_init); 0: never */
    unsigned keep;      /* rotated files kept, 0..1000; 0 truncates instead */
    size_t queue_bytes; /* lines waiting for, or being written by, the writer; at least 1 */
    mode_t mode;        /* of a created file */
} ct_linelog_config_t;

/* Counters since creation; all are exact. */
typedef struct st_ct_linelog_stats_t {
    uint64_t queued;  /* lines accepted */
    uint64_t dropped; /* lines refused: the queue was full (or the line larger than it) */
    uint64_t dropped_bytes;
    uint64_t written, bytes_written, lost, write_errors, rotations; /* as ct_logfile_stats_t */
} ct_linelog_stats_t;

typedef struct st_ct_linelog_t ct_linelog_t;

/* Opens the file and starts the writer thread. Returns NULL with err (the file's error, or the
 * settings out of range). Blocking: call it at configuration time. */
ct_linelog_t *ct_linelog_create(const ct_linelog_config_t *cfg, ct_error_t *err);

/* Queues `len` bytes of whole lines (ending in '\n'), copied. Never blocks beyond a short
 * critical section and never performs I/O; any thread. Returns 0 when queued, -1 when dropped
 * (counted). */
int ct_linelog_append(ct_linelog_t *log, const char *lines, size_t len);

/* Waits until every line queued before the call is written (not fsync'ed). Returns 0, or -1 with
 * err describing the last write error since the previous flush. Blocking. */
int ct_linelog_flush(ct_linelog_t *log, ct_error_t *err);

/* Thread-safe. */
void ct_linelog_stats(ct_linelog_t *log, ct_linelog_stats_t *out);
const char *ct_linelog_path(const ct_linelog_t *log);

/* Writes what is queued, stops the thread and closes the file. Accepts NULL. No append may run
 * concurrently or afterwards. */
void ct_linelog_destroy(ct_linelog_t *log);

#endif
