/* A log file of whole lines with size-based rotation (FILE -> FILE.1 -> ... -> FILE.<keep>), the
 * one rotation scheme of Versa's logs: capture files (ct_recorder), the shadow diff log and the
 * contract violation log. Blocking I/O: used by one thread at a time, never an event loop. */
#ifndef CT_LOGFILE_H
#define CT_LOGFILE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ct_rules.h"

/* Counters, updated by the writing thread only. */
typedef struct st_ct_logfile_stats_t {
    uint64_t written; /* lines written */
    uint64_t bytes_written;
    uint64_t lost;         /* lines lost to write errors */
    uint64_t write_errors; /* failed writes, renames and opens */
    uint64_t rotations;
} ct_logfile_stats_t;

typedef struct st_ct_logfile_t {
    char *path;
    int fd; /* -1 after a failed reopen; retried on the next write */
    uint64_t size, max_bytes;
    unsigned keep;
    mode_t mode;
    ct_logfile_stats_t stats;
    char last_error[200]; /* the latest error, for messages */
} ct_logfile_t;

#define CT_LOGFILE_MAX_KEEP 1000

/* Opens `path` for appending (created with `mode`). Before a line would make the file larger than
 * `max_bytes` (0: never), it is rotated: FILE.<keep-1> becomes FILE.<keep> ... FILE becomes
 * FILE.1 and a new FILE starts; keep 0 truncates instead. A single line longer than max_bytes
 * gets a file of its own. Returns 0, or -1 with err when the file cannot be opened or keep is
 * above CT_LOGFILE_MAX_KEEP (errno then says why the open failed). */
int ct_logfile_init(ct_logfile_t *lf, const char *path, uint64_t max_bytes, unsigned keep,
                    mode_t mode, ct_error_t *err);
/* Closes the file. */
void ct_logfile_dispose(ct_logfile_t *lf);

/* Writes `len` bytes of whole lines (each ending in '\n'), rotating before the line that would
 * cross max_bytes. On a write error the rest is lost and counted (stats.lost); when rotation
 * fails the current file keeps growing rather than losing lines. Returns 0, or -1 when lines were
 * lost. */
int ct_logfile_write(ct_logfile_t *lf, const char *p, size_t len);

#endif
