/* The connection guard: what the gateway checks on a client connection before h2o 2.2.5's own
 * parsers act on the bytes (docs/security.md). h2o decides request framing leniently (the first
 * of two Content-Lengths, a folded line kept as a nameless field) and answers its own parse
 * errors in text/plain; it buffers each HTTP/2 stream's body whole, up to 100 streams per
 * connection, and counts no RST_STREAM. The guard sits in front:
 *
 * - accept (guard.c): the TLS handshake and ALPN choice are the gateway's, so that every
 *   connection, cleartext or TLS, HTTP/1.1 or HTTP/2, gets its guard before a byte is parsed;
 * - HTTP/1.1 (guard_h1.c): each request head is read by the strict h1_head.c before h2o sees
 *   it; a refused head is answered with problem+json and the connection closed; pipelined heads
 *   h2o takes from its buffer are checked again when their request reaches the handler;
 * - HTTP/2 (guard_h2.c): every frame passes a hook on h2o's frame reader: DATA frames are
 *   counted against the connection's and the process's request-body budgets, RST_STREAM
 *   frames against a reset rate; abuse ends the connection with GOAWAY(ENHANCE_YOUR_CALM).
 *
 * One gw_conn_t per client socket, owned by the socket (freed when it closes), touched only by
 * the thread whose loop owns the socket. The process budget is one atomic counter. */
#ifndef GW_GUARD_H
#define GW_GUARD_H

#include <stdint.h>
#include "h2o.h"
#include "problem.h"
#include "runtime.h"

/* Accepts `sock` on a client listener: TLS handshake and ALPN when `actx->ssl_ctx` is set, then
 * h2o's HTTP/1.1 or HTTP/2 connection with its guard. Counts the connection in the thread's
 * metrics until it closes. */
void gw_guard_accept(gw_thread_t *thread, h2o_accept_ctx_t *actx, h2o_socket_t *sock);

/* For the request handler, before anything is forwarded: the HTTP/1.1 head of `req` as read
 * again from h2o's input buffer (a pipelined head h2o parsed without the guard's read hook).
 * Returns 0, or -1 with the problem to answer; the caller then sets the response to close the
 * connection. Also closes the connection after this response when a pipelined head behind it
 * is already known to be refused, so that h2o never answers it in text/plain. */
int gw_guard_check_request(h2o_req_t *req, gw_problem_kind_t *kind, const char **detail);

/* For the exchange's dispose: the request is done; the guard re-arms its read hook (h2o
 * re-installs its own after each HTTP/1.1 response), notices an HTTP/1.1 connection that
 * upgraded to h2c, and releases the request's body from the budgets. */
void gw_guard_request_done(h2o_req_t *req);

#endif
