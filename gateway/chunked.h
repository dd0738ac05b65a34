/* Watches HTTP/1.1 chunked framing (RFC 9112 §7.1) without decoding it, to tell a body that
 * ended with its last-chunk and trailer section from one cut short by a closed connection.
 * h2o 2.2's client reports both as a clean end of stream. */
#ifndef GW_CHUNKED_H
#define GW_CHUNKED_H

#include <stddef.h>
#include <stdint.h>

typedef struct st_gw_chunk_tracker_t {
    uint8_t state;
    uint8_t line_empty; /* trailer section: the current line has no bytes yet */
    uint64_t remaining; /* bytes of chunk data still expected */
} gw_chunk_tracker_t;

void gw_chunk_tracker_init(gw_chunk_tracker_t *t);
/* Feeds raw bytes as received. Returns 0, or -1 on a framing error (after which it stays failed). */
int gw_chunk_tracker_feed(gw_chunk_tracker_t *t, const char *bytes, size_t len);
/* 1 once a framing error was seen. */
int gw_chunk_tracker_failed(const gw_chunk_tracker_t *t);
/* 1 once the last-chunk and the empty line ending the trailer section have been seen. */
int gw_chunk_tracker_done(const gw_chunk_tracker_t *t);

#endif
