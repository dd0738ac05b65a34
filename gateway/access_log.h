/* Access log: one JSON line per request. Event loops only copy the line into a bounded queue; a
 * writer thread does the (possibly blocking) write, so a slow disk never stalls a request. Lines
 * that don't fit are dropped and counted, never silently lost. */
#ifndef GW_ACCESS_LOG_H
#define GW_ACCESS_LOG_H

#include <stddef.h>
#include <stdint.h>
#include "config.h"

typedef struct st_gw_access_log_t gw_access_log_t;

/* Opens the target (stdout, stderr or a file in append mode) and starts the writer thread.
 * `queue_bytes` bounds the memory held by pending lines. Returns NULL with errbuf filled. */
gw_access_log_t *gw_access_log_create(gw_log_target_t target, const char *path,
                                      size_t queue_bytes, char *errbuf, size_t errlen);
/* Flushes pending lines, stops the writer and closes the file. Accepts NULL. */
void gw_access_log_destroy(gw_access_log_t *log);
/* Queues one line (a trailing newline is added). Thread-safe, never blocks on I/O. Returns 0, or
 * -1 when the queue is full (the line is dropped and counted). */
int gw_access_log_write(gw_access_log_t *log, const char *line, size_t len);
uint64_t gw_access_log_dropped(const gw_access_log_t *log);

/* Appends `s` JSON-escaped (without quotes) to buf at *off, never past size - 1. */
void gw_json_escape_into(char *buf, size_t size, size_t *off, const char *s, size_t len);

#endif
