/* Taps: observers of what one exchange's client receives from the upstream (status, headers,
 * body bytes), for shadowing and recording. A tap copies what it needs, bounded by its own
 * limits; it runs on the event loop and must never block or delay the client. */
#ifndef GW_TAP_H
#define GW_TAP_H

#include <stddef.h>
#include "h2o.h"

typedef enum gw_tap_end {
    GW_TAP_COMPLETE,       /* the whole response reached the client */
    GW_TAP_UPSTREAM_ERROR, /* the upstream failed (before the head: a 502/504 problem was sent) */
    GW_TAP_CLIENT_GONE,    /* the client left before the end */
    GW_TAP_NOT_PROXIED,    /* the gateway answered without the upstream (404, 405, 413...) */
} gw_tap_end_t;

typedef struct st_gw_tap_t gw_tap_t;

/* Callbacks may be NULL. on_head sees req->res (status and the headers sent to the client);
 * on_body sees each chunk as it is handed to the client; on_end is called exactly once, last,
 * also when on_head never was. After on_end the exchange forgets the tap: the tap owns itself. */
struct st_gw_tap_t {
    void (*on_head)(gw_tap_t *tap, h2o_req_t *req);
    void (*on_body)(gw_tap_t *tap, const char *bytes, size_t len);
    void (*on_end)(gw_tap_t *tap, h2o_req_t *req, gw_tap_end_t how);
    gw_tap_t *next; /* managed by the exchange */
};

#endif
