/* Internal to the upstream client: the target (pool) and connection structures shared by
 * up_pool.c (pooling, pacing, queueing) and up_conn.c (one connection's I/O and response). */
#ifndef UP_INTERNAL_H
#define UP_INTERNAL_H

#include "upstream.h"

typedef struct st_up_conn_t {
    up_target_t *target;
    h2o_socket_t *sock;
    up_request_t *req; /* NULL while idle */
    h2o_timeout_entry_t timer; /* connect, io or keep-alive, by state */
    h2o_timeout_entry_t confirm_timer; /* connected but not confirmed: see up__conn_confirm */
    int connecting;  /* TCP or TLS set-up under way */
    int unconfirmed; /* counts in target->opening: no response byte seen on it yet */
    int reused;      /* served a response before: the upstream may have closed it meanwhile */
    int got_bytes;   /* of the current response */
    int idle;        /* on the target's idle stack, at idle_index */
    size_t idle_index;
    int paused;      /* reads stopped: the caller has high_water body bytes to take */
    int in_callback; /* a request callback runs: closing is deferred to its return */
    int doomed;      /* cancelled during a callback: closed when it returns */
    /* h2o reports a completed write from the loop's pending queue, which may run after the
     * response was read: the connection is pooled once both are done */
    int write_pending, idle_after_write;
    h2o_linklist_t link; /* in target->conns */
    /* the response being read */
    int head_done;
    up_http_framing_t framing;
    uint64_t remaining;
    int whole; /* a buffered body of declared length, read into room made for all of it */
    /* head and body bytes of the last buffered response of declared length, when room for
     * them fits within UP_WHOLE_ROOM_MAX (else 0): the room the next buffered one gets */
    size_t room_hint;
    int keep_alive;
    up_chunked_t chunked;
} up_conn_t;

struct st_up_target_t {
    h2o_loop_t *loop;
    up_target_config_t cfg;
    char *host;
    struct sockaddr_storage addr;
    socklen_t addrlen;
    h2o_timeout_t connect_timeout, io_timeout, keepalive_timeout, queue_timeout, zero_timeout;
    up_conn_t **idle; /* a stack: the most recently used connection is the warmest */
    size_t num_idle, idle_cap;
    h2o_linklist_t conns; /* every connection, so that destroy can close them all */
    size_t num_conns;
    size_t opening; /* connections not confirmed yet (see max_connecting) */
    uint64_t opened;
    uint64_t connect_failures; /* in a row: reset by a connection that succeeds */
    h2o_linklist_t waiting;    /* requests waiting for a connection, oldest first */
    size_t num_waiting;
};

/* up_pool.c */
void up__start(up_request_t *req);
void up__kick(up_target_t *t);
/* The connection finished its request and may serve another (or wait idle). */
void up__release(up_conn_t *conn);
void up__idle_remove(up_conn_t *conn);

/* up_conn.c */
void up__conn_open(up_target_t *t, up_request_t *req);
void up__conn_send(up_conn_t *conn, up_request_t *req);
void up__conn_close(up_conn_t *conn);
/* The upstream accepted the connection: its first response byte arrived, or it has been
 * connected for connect_timeout_ms (a slow answer, not a full accept queue). It stops counting
 * against max_connecting. */
void up__conn_confirm(up_conn_t *conn);
/* Reports a failure of req from the loop (never from inside up_send). */
void up__defer_failure(up_request_t *req, up_status_t status);

#endif
