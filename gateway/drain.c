/* Connection: close on HTTP/1.1 responses during the drain (drain.h). h2o 2.2.5 drops keep-alive
 * only for requests whose head is parsed after h2o_context_request_shutdown (lib/http1.c,
 * fixup_request), which each worker calls when it notices the drain; a request in flight before
 * that would leave its connection idle, holding the draining process until the client's idle
 * timeout. Closing after a complete response, with the header saying so, is race-free: the
 * client knows not to send on it again. (HTTP/2 connections get GOAWAY from h2o itself.) */
#include "drain.h"

typedef struct st_drain_filter_t {
    h2o_filter_t super;
    const gw_process_t *process;
} drain_filter_t;

static void on_setup_ostream(h2o_filter_t *_self, h2o_req_t *req, h2o_ostream_t **slot)
{
    drain_filter_t *self = (void *)_self;
    if (self->process->draining || req->conn->ctx->shutdown_requested)
        req->http1_is_persistent = 0;
    h2o_setup_next_ostream(req, slot);
}

void gw_drain_register(h2o_pathconf_t *pathconf, const gw_process_t *process)
{
    drain_filter_t *f = (void *)h2o_create_filter(pathconf, sizeof(*f));
    f->super.on_setup_ostream = on_setup_ostream;
    f->process = process;
}
