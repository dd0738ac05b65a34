/* Versa's upstream HTTP/1.1 client, on an h2o event loop: one pool ("target") per upstream and
 * loop keeps idle keep-alive connections registered with the loop and watched, so that one the
 * upstream closed is dropped before it is picked; new connections are opened a few at a time and
 * requests queue (bounded in length and time) for a connection; responses are parsed strictly
 * (RFC 9112) and their bodies either streamed with backpressure or buffered up to a cap.
 * Not thread-safe: a target belongs to one loop. The wire format is in up_http.h, URLs in
 * up_url.h. */
#ifndef UPSTREAM_H
#define UPSTREAM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <openssl/ssl.h>

#include "h2o.h"

#include "up_http.h"
#include "up_url.h"

typedef struct st_up_target_config_t {
    uint64_t connect_timeout_ms; /* TCP (and TLS) connection set-up; default 2000 */
    uint64_t io_timeout_ms;      /* no response byte for this long fails the request; 30000 */
    uint64_t keepalive_ms;       /* idle connections are closed after this; 10000 */
    size_t max_connections;      /* open at once, idle ones included; 0: no limit (default) */
    /* New connections not yet proven accepted at once (no response byte yet, and connected for
     * less than connect_timeout_ms): a burst of connects overflows the listen backlog of small
     * upstreams, and a dropped SYN costs seconds (issue 11). Default 4. */
    size_t max_connecting;
    size_t max_queue;           /* requests waiting for a connection; 0: no limit (default) */
    uint64_t queue_timeout_ms;  /* longest wait for a connection; 0: no limit (default) */
    unsigned connect_retries;   /* new connections tried again after a failed one; default 1 */
    SSL_CTX *ssl_ctx;           /* https: borrowed, outlives the target; NULL for http */
} up_target_config_t;

void up_target_config_init(up_target_config_t *cfg);

typedef struct st_up_target_t up_target_t;
typedef struct st_up_request_t up_request_t;

/* A pool for one upstream on `loop`. `addr` is resolved already (up_resolve, at start-up);
 * `host` names the upstream for TLS (SNI and the certificate check) and is copied. */
up_target_t *up_target_create(h2o_loop_t *loop, const up_target_config_t *cfg,
                              const struct sockaddr *addr, socklen_t addrlen, const char *host);
/* Closes every connection; requests still in flight or queued are dropped without their callback
 * (cancel them first to be told). Accepts NULL. */
void up_target_destroy(up_target_t *t);
/* Opens and closes one TCP connection (blocking, bounded by the connect timeout) so that an
 * unreachable upstream is reported before anything is sent. Returns 0, or -1 with err. */
int up_target_probe(const up_target_t *t, char *err, size_t err_size);
/* Connections ever opened (for tests of keep-alive). */
uint64_t up_target_connections(const up_target_t *t);
/* Connection attempts that failed since the last one that succeeded. */
uint64_t up_target_connect_failures(const up_target_t *t);
/* Requests waiting for a connection now. */
size_t up_target_queued(const up_target_t *t);

typedef enum up_status {
    UP_OK,
    UP_ERR_CONNECT,         /* refused, unreachable, TLS failure (after connect_retries) */
    UP_ERR_CONNECT_TIMEOUT, /* no connection within connect_timeout_ms (after connect_retries) */
    UP_ERR_QUEUE_FULL,      /* max_queue requests were waiting already */
    UP_ERR_QUEUE_TIMEOUT,   /* no connection free within queue_timeout_ms */
    UP_ERR_TIMEOUT,         /* no response byte for io_timeout_ms */
    UP_ERR_CLOSED,          /* the connection ended (or was reset) before the response head */
    UP_ERR_BAD_RESPONSE,    /* an invalid head or framing (status, Content-Length, ...) */
    UP_ERR_BODY,            /* the body was cut short or its chunked framing was invalid */
    UP_ERR_TOO_LARGE,       /* a buffered body over max_body, with fail_over_max */
} up_status_t;

typedef void (*up_request_cb)(up_request_t *req);

/* Header fields parsed without an allocation; heads with more (up to UP_HTTP_MAX_HEADERS) take
 * one. */
#define UP_INLINE_HEADERS 32

/* One request; the caller owns the storage and may reuse it request after request. */
struct st_up_request_t {
    /* Set by the caller before up_send(); the bytes must live until on_done. */
    h2o_iovec_t bufs[2]; /* the head ("GET / HTTP/1.1\r\n...\r\n"), the body (may be empty) */
    int method_is_head;
    int idempotent; /* may be sent again when a reused connection was closed under it */
    /* Streaming: with high_water != 0, upstream reads pause while `body` holds that many bytes;
     * the caller takes bytes out of `body` (h2o_buffer_consume, h2o_doublebuffer_prepare) and
     * calls up_request_resume(). Buffering (high_water == 0): `body` keeps max_body bytes; the
     * rest is counted in body_size (body_truncated), or fails the request with fail_over_max. */
    size_t high_water;
    size_t max_body;
    int fail_over_max;
    up_request_cb on_head; /* optional: the head is in; may cancel the request */
    /* optional: after a read that brought the head or body bytes, when the response is not
     * complete yet (on_done alone follows the last read, its bytes in body); may cancel */
    up_request_cb on_body;
    up_request_cb on_done; /* exactly once, unless cancelled; status says how it ended */
    void *data;
    /* Results, valid from the callbacks on until the next send or dispose. */
    up_status_t status;
    char error[160];
    int res_status;
    const char *reason; /* reason phrase; with headers, in the request's own copy of the head */
    size_t reason_len;
    up_header_t *headers;
    size_t num_headers;
    uint64_t content_length; /* as declared, also for HEAD and 304; UINT64_MAX when none */
    h2o_buffer_t *body;      /* decoded body bytes not taken by the caller */
    uint64_t body_size;      /* decoded body bytes received */
    int body_truncated;
    int got_head;
    /* private */
    up_target_t *target;
    struct st_up_conn_t *conn;
    unsigned attempts;
    h2o_iovec_t head_copy; /* malloc'ed */
    size_t head_cap;
    up_header_t header_slots[UP_INLINE_HEADERS];
    up_header_t *many_headers; /* malloc'ed for heads with more fields */
    h2o_timeout_entry_t timer; /* queue wait, or a failure reported from the loop */
    h2o_linklist_t waiting;    /* in the target's queue */
};

void up_request_init(up_request_t *req);
/* Cancels the request if it is in flight and frees its buffers. */
void up_request_dispose(up_request_t *req);

/* Sends req to t. on_done is always called exactly once, later, from the loop (never from inside
 * this call), unless the request is cancelled first. */
void up_send(up_target_t *t, up_request_t *req);
/* Abandons a request in flight or queued (its connection is closed, not pooled); no callback
 * follows. Does nothing for a request that is not in flight. Safe from inside the callbacks. */
void up_request_cancel(up_request_t *req);
/* Resumes reading after the caller took bytes out of a streamed body. */
void up_request_resume(up_request_t *req);
/* A short name of a status ("connect", "timeout", ...), for logs. */
const char *up_status_name(up_status_t status);

#endif
