/* Connection guard, HTTP/2: a hook on h2o's frame reader (h2o_http2_conn_t._read_expect, which
 * h2o calls once per frame and swaps between its own readers) sees each frame before h2o acts
 * on it. See guard.h.
 *
 * - Request bodies: h2o 2.2.5 buffers a stream's body whole before the request runs, for up to
 *   100 concurrent streams, re-opening each stream's flow-control window as it buffers; so one
 *   connection could hold 100 x max_request_entity_size. Each DATA frame is checked against
 *   what h2o holds for the connection's streams (read from h2o's own stream table, the truth)
 *   plus the frame: over limits.max_body_memory_per_connection, or the process over
 *   limits.max_body_memory, and the connection ends with GOAWAY(ENHANCE_YOUR_CALM) before h2o
 *   buffers the frame.
 * - Rapid reset (CVE-2023-44487): a client that resets more than
 *   limits.http2_max_resets_per_second streams within a second gets the same GOAWAY. */
#include <string.h>
#include "guard_internal.h"

enum { FRAME_HEADER = 9, TYPE_DATA = 0, TYPE_RST_STREAM = 3 };

static const uint8_t PREFACE[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/* Request-body bytes h2o holds for the connection's streams. */
static uint64_t held_by_streams(h2o_http2_conn_t *conn)
{
    uint64_t total = 0;
    h2o_http2_stream_t *stream;
    kh_foreach_value(conn->streams, stream, {
        if (stream->_req_body != NULL)
            total += stream->_req_body->size;
    });
    return total;
}

static ssize_t calm_down(gw_conn_t *c, const char **err_desc, const char *why)
{
    gw_metrics_add(&c->thread->metrics.guard_h2_goaway, 1);
    *err_desc = why;
    return H2O_HTTP2_ERROR_ENHANCE_YOUR_CALM; /* h2o sends GOAWAY with it and closes */
}

static ssize_t check_data(gw_conn_t *c, h2o_http2_conn_t *conn, uint32_t length,
                          const char **err_desc)
{
    const gw_config_t *cfg = c->thread->rt->config;
    uint64_t held = held_by_streams(conn) + length;
    if (held > cfg->limits.max_body_memory_per_connection)
        return calm_down(c, err_desc, "request bodies over the connection's memory budget");
    if (gw_guard__hold(c, held) > cfg->limits.max_body_memory)
        return calm_down(c, err_desc, "request bodies over the gateway's memory budget");
    return 0;
}

static ssize_t check_reset(gw_conn_t *c, const char **err_desc)
{
    uint64_t now = h2o_now(c->thread->ctx.loop);
    if (now - c->reset_window_ms >= 1000) {
        c->reset_window_ms = now;
        c->resets = 0;
    }
    if (++c->resets > c->thread->rt->config->limits.http2_max_resets_per_second)
        return calm_down(c, err_desc, "too many streams reset by the client");
    return 0;
}

static ssize_t on_frame(h2o_http2_conn_t *conn, const uint8_t *src, size_t len,
                        const char **err_desc)
{
    gw_conn_t *c = conn->sock->on_close.data;
    if (!c->h2_preface_done) {
        size_t n = len < sizeof(PREFACE) - 1 ? len : sizeof(PREFACE) - 1;
        if (memcmp(src, PREFACE, n) != 0) /* attached after h2o took the preface */
            c->h2_preface_done = 1;
    } else if (len >= FRAME_HEADER) {
        uint32_t length = (uint32_t)src[0] << 16 | (uint32_t)src[1] << 8 | src[2];
        ssize_t r = 0;
        if (src[3] == TYPE_DATA)
            r = check_data(c, conn, length, err_desc);
        else if (src[3] == TYPE_RST_STREAM)
            r = check_reset(c, err_desc);
        if (r != 0)
            return r;
    }
    ssize_t ret = c->h2_expect(conn, src, len, err_desc);
    if (ret == (ssize_t)sizeof(PREFACE) - 1 && !c->h2_preface_done)
        c->h2_preface_done = 1;
    /* h2o replaces its reader as the connection moves on (preface, frames, CONTINUATION) */
    if (conn->_read_expect != on_frame) {
        c->h2_expect = conn->_read_expect;
        conn->_read_expect = on_frame;
    }
    return ret;
}

void gw_guard__h2_attach(gw_conn_t *c, h2o_http2_conn_t *conn)
{
    c->is_h2 = 1;
    c->checked_head = NULL;
    if (conn->_read_expect == on_frame)
        return;
    c->h2_expect = conn->_read_expect;
    conn->_read_expect = on_frame;
}
