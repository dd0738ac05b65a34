/* Internal to the connection guard (guard.c, guard_h1.c, guard_h2.c): the per-connection state
 * and the calls between the three files. */
#ifndef GW_GUARD_INTERNAL_H
#define GW_GUARD_INTERNAL_H

#include "h2o.h"
#include "h2o/http2.h"
#include "h2o/http2_internal.h" /* with compat/khash.h */
#include "guard.h"
#include "h1_head.h"

typedef ssize_t (*gw_h2_expect_cb)(h2o_http2_conn_t *conn, const uint8_t *src, size_t len,
                                   const char **err_desc);

typedef struct st_gw_conn_t {
    gw_thread_t *thread;
    h2o_socket_t *sock;
    h2o_accept_ctx_t *actx;
    struct timeval connected_at;
    h2o_timeout_entry_t timer; /* until the first bytes or the TLS handshake; then re-arms */
    unsigned depth;            /* inside one of h2o's callbacks: closing must not free us */
    unsigned closed : 1;
    unsigned is_h2 : 1;
    uint64_t body_held; /* request-body bytes counted against the process budget */
    /* HTTP/1.1 */
    h2o_socket_cb h1_read;      /* h2o's read callback we sit in front of (reqread_on_read) */
    const char *checked_head;   /* the head at the start of the input that passed the check */
    size_t checked_len;         /* its length */
    char *reply;                /* a refusal being written; freed with the connection */
    h2o_req_t *in_handler;      /* the request the gateway's handler took, until disposed */
    size_t in_handler_end;      /* where its bytes (head and body) end in the input */
    /* HTTP/2 */
    gw_h2_expect_cb h2_expect;  /* h2o's frame reader we sit in front of */
    unsigned h2_preface_done : 1;
    uint64_t reset_window_ms;   /* start of the current one-second reset window */
    uint32_t resets;            /* client RST_STREAMs in it */
} gw_conn_t;

/* Frees the state once the socket closed and no callback of ours is on the stack. */
void gw_guard__release(gw_conn_t *c);
/* The guard of the socket under `req`, or NULL (a socket the guard does not own). */
gw_conn_t *gw_guard__of_req(h2o_req_t *req);
/* Sets the connection's held body bytes to `bytes`, moving the process counter by the
 * difference. Returns the process total after the move. */
uint64_t gw_guard__hold(gw_conn_t *c, uint64_t bytes);
uint64_t gw_guard__process_budget(const gw_conn_t *c);

void gw_guard__h1_attach(gw_conn_t *c);
/* While h2o handles a request it stops reading; the guard keeps the socket polled instead (see
 * guard_h1.c), so that no epoll_ctl goes with each request. */
void gw_guard__h1_hold(gw_conn_t *c);
/* Checks input already buffered before h2o's HTTP/1.1 connection exists. Returns 1 when it
 * refused the head (the socket is being answered and closed). */
int gw_guard__h1_precheck(gw_conn_t *c);
void gw_guard__h2_attach(gw_conn_t *c, h2o_http2_conn_t *conn);
const gw_h1_limits_t *gw_guard__h1_limits(const gw_conn_t *c);

#endif
