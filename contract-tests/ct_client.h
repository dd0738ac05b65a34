/* Internal: the HTTP/1.1 client of `versa replay`, on an h2o event loop. One target per
 * upstream; each keeps its idle keep-alive connections registered with the loop (a pooled
 * connection costs no syscalls to reuse) and watches them, so that one the upstream closed is
 * dropped before it is picked. New connections are opened a few at a time (requests queue for
 * them), so that small listen backlogs do not overflow. One request per connection at a time;
 * response bodies are kept up to a cap and counted beyond it. Not thread-safe: one client per
 * event loop. */
#ifndef CT_CLIENT_H
#define CT_CLIENT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "h2o.h"

#include "ct_buf.h"
#include "ct_diff.h"
#include "ct_http.h"
#include "ct_rules.h"

/* An upstream base URL: http://host[:port][/base/path]. */
typedef struct st_ct_url_t {
    char *url;       /* as given */
    char *host;      /* without IPv6 brackets */
    char *authority; /* host[:port] as written: the Host header */
    uint16_t port;
    char *base_path; /* "" or "/base", never ending in '/' */
    char *origin;    /* "http://authority", for curl commands */
} ct_url_t;

/* Parses url. Returns 0, or -1 with err: not http://, userinfo, query or fragment, bad port. */
int ct__url_parse(const char *url, ct_url_t *out, ct_error_t *err);
void ct__url_dispose(ct_url_t *u);

typedef struct st_ct_client_config_t {
    uint64_t connect_timeout_ms; /* default 2000 */
    uint64_t io_timeout_ms;      /* no response byte for this long fails the request; 30000 */
    size_t max_body;             /* response body bytes kept; the rest is counted; 8 MiB */
} ct_client_config_t;

void ct__client_config_init(ct_client_config_t *cfg);

typedef struct st_ct_client_t ct_client_t;
typedef struct st_ct_target_t ct_target_t;
typedef struct st_ct_request_t ct_request_t;

ct_client_t *ct__client_create(h2o_loop_t *loop, const ct_client_config_t *cfg);
/* Every target must be destroyed first. */
void ct__client_destroy(ct_client_t *c);

/* Resolves the URL's host (blocking getaddrinfo: call before the loop runs). Returns NULL with
 * err when it does not resolve. */
ct_target_t *ct__target_create(ct_client_t *c, const ct_url_t *url, ct_error_t *err);
/* Closes the idle connections; no request may be in flight. Accepts NULL. */
void ct__target_destroy(ct_target_t *t);
/* Opens and closes one TCP connection (blocking, bounded by the connect timeout) so that an
 * unreachable upstream is reported before anything is sent. Returns 0, or -1 with err. */
int ct__target_probe(const ct_target_t *t, ct_error_t *err);
const ct_url_t *ct__target_url(const ct_target_t *t);
/* Connections ever opened (for tests of keep-alive). */
uint64_t ct__target_connections(const ct_target_t *t);
/* Connection attempts that failed since the last one that succeeded. */
uint64_t ct__target_connect_failures(const ct_target_t *t);

typedef enum ct_client_status {
    CT_CLIENT_OK,
    CT_CLIENT_ERR_CONNECT,  /* refused, unreachable, or no connection within the timeout, twice
                               (a failed connection is tried once more, whatever the method) */
    CT_CLIENT_ERR_TIMEOUT,  /* no response (or no progress) within io_timeout_ms */
    CT_CLIENT_ERR_CLOSED,   /* the connection ended before the response did */
    CT_CLIENT_ERR_PROTOCOL, /* not a valid HTTP/1.1 response */
} ct_client_status_t;

typedef void (*ct_request_cb)(ct_request_t *req);

/* One request; the caller owns the storage and reuses it request after request. */
struct st_ct_request_t {
    /* set by the caller before ct__client_send(); the bytes must live until the callback */
    h2o_iovec_t bufs[2]; /* the head ("GET / HTTP/1.1\r\n...\r\n"), the body (may be empty) */
    int method_is_head;
    int idempotent; /* may be retried once when a reused connection was closed under it */
    ct_request_cb cb;
    void *data;
    /* results, valid in the callback and until the next send or dispose */
    ct_client_status_t status;
    char error[160];
    int res_status;
    ct_header_t *headers; /* point into the request's own head buffer */
    size_t num_headers;
    ct_buf_t body;      /* at most max_body bytes */
    uint64_t body_size; /* bytes received */
    int body_truncated;
    /* private */
    ct_target_t *target;
    struct st_ct_conn_t *conn;
    unsigned attempts;
    ct_buf_t head_buf;
    ct_header_t header_slots[CT_HTTP_MAX_HEADERS];
    h2o_timeout_entry_t defer; /* reports a failure that happened inside ct__client_send */
    h2o_linklist_t waiting;    /* in the target's queue of requests waiting for a connection */
};

void ct__request_init(ct_request_t *req);
void ct__request_dispose(ct_request_t *req);

/* Sends req to t. The callback is always called exactly once, later, from the loop (never from
 * inside this call), unless the request is cancelled first. */
void ct__client_send(ct_target_t *t, ct_request_t *req);
/* Abandons a request in flight (its connection is closed); the callback will not be called.
 * Does nothing for a request that is not in flight. */
void ct__request_cancel(ct_request_t *req);

#endif
