/* The capture writer for `versa serve` (`record:` in the config): exchanges are encoded on the
 * calling thread, queued in a bounded byte queue and written to a JSON Lines file by a writer
 * thread, so recording never blocks an event loop. What does not fit is dropped and counted. */
#ifndef CT_RECORDER_H
#define CT_RECORDER_H

#include <stddef.h>
#include <stdint.h>

#include "ct_capture.h"
#include "ct_rules.h"

typedef struct st_ct_recorder_config_t {
    const char *path; /* the capture file; opened for appending, created with mode 0600 */
    /* Before a line would make the file larger than this, FILE is renamed FILE.1 (FILE.1 becomes
     * FILE.2 ... up to FILE.<keep>, the oldest is removed) and a new FILE started. A single line
     * larger than max_bytes gets a file of its own. 0: never rotate. Default 1 GiB. */
    uint64_t max_bytes;
    unsigned keep; /* rotated files kept, 0..1000; 0 truncates instead. Default 5 */
    /* Bytes of encoded lines waiting for, or being written by, the writer thread. A record that
     * does not fit is dropped and counted. Default 8 MiB. */
    size_t queue_bytes;
    /* Bytes of each body kept; longer bodies are cut and marked truncated. Default 1 MiB. */
    size_t max_body_bytes;
    /* Header names whose values are written as "[redacted]" (case-insensitive). NULL with
     * num_redact 0: Authorization, Cookie, Set-Cookie; a non-NULL empty list redacts nothing. */
    const char *const *redact;
    size_t num_redact;
} ct_recorder_config_t;

/* Counters since creation; all are exact. */
typedef struct st_ct_recorder_stats_t {
    uint64_t queued;        /* records accepted */
    uint64_t dropped;       /* records refused: the queue was full (or the line larger than it) */
    uint64_t dropped_bytes; /* their encoded size */
    uint64_t written;       /* records written to a file */
    uint64_t bytes_written;
    uint64_t lost;         /* records accepted but lost to write errors */
    uint64_t write_errors; /* failed writes, renames and opens */
    uint64_t rotations;
} ct_recorder_stats_t;

typedef struct st_ct_recorder_t ct_recorder_t;

/* Fills cfg with the defaults above (path NULL). */
void ct_recorder_config_init(ct_recorder_config_t *cfg);

/* Opens the file and starts the writer thread. Returns NULL with err when the settings are out of
 * range, a redacted name is not a header name, or the file cannot be opened. Blocking: call it at
 * configuration time, not on an event loop. */
ct_recorder_t *ct_recorder_create(const ct_recorder_config_t *cfg, ct_error_t *err);

/* Encodes x (everything is copied; x may be freed on return) and queues the line. Never blocks
 * beyond a short critical section and never performs I/O; callable from any thread, including
 * h2o event loops. Sampling is the caller's decision. Returns 0 when queued, -1 when dropped
 * (counted). */
int ct_recorder_record(ct_recorder_t *rec, const ct_exchange_t *x);

/* Waits until every record queued before the call has been written (not fsync'ed). Returns 0,
 * or -1 with err describing the last write error since the previous flush. Blocking. */
int ct_recorder_flush(ct_recorder_t *rec, ct_error_t *err);

/* Thread-safe. */
void ct_recorder_stats(ct_recorder_t *rec, ct_recorder_stats_t *out);

/* Flushes, stops the writer thread and closes the file. Accepts NULL. No ct_recorder_record() may
 * run concurrently or afterwards. */
void ct_recorder_destroy(ct_recorder_t *rec);

#endif
