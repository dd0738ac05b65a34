/* A blocking HTTP/1.1 POST client for the exporter thread: one keep-alive connection to the
 * collector, every step bounded by a deadline (poll), responses read with upstream/'s wire
 * format (up_http.h). Never used on an event loop. Not thread-safe: one per exporter thread. */
#ifndef TR_HTTP_H
#define TR_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include "up_url.h"

typedef struct st_tr_http_t {
    up_url_t url; /* http:// only */
    int fd;       /* -1 when not connected */
    char *buf;    /* UP_HTTP_MAX_HEAD bytes for the response, malloc'ed */
} tr_http_t;

/* Takes a copy of `url`; connects lazily. */
void tr_http_init(tr_http_t *c, const up_url_t *url);
void tr_http_dispose(tr_http_t *c);

/* POSTs body to the URL's path within timeout_ms (name resolution, connect, write and the whole
 * response). Returns the response status (any), or -1 with a message in err when no complete
 * response arrived in time (the connection is then closed; the next call resolves and connects
 * again). Response bodies are read and dropped, at most 1 MiB. */
int tr_http_post(tr_http_t *c, const char *content_type, const void *body, size_t len,
                 uint64_t timeout_ms, char *err, size_t err_size);

#endif
