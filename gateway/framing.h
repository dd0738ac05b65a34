/* RFC 9112 §6.3 message framing of upstream responses: the checks that keep one client's
 * response from bleeding into the next (response splitting) before the gateway relays a head.
 * Pure functions over h2o's parsed header list; no I/O. */
#ifndef GW_FRAMING_H
#define GW_FRAMING_H

#include <stddef.h>
#include "h2o.h"

typedef struct st_gw_response_framing_t {
    int chunked;           /* Transfer-Encoding: chunked */
    size_t content_length; /* SIZE_MAX when absent (or chunked) */
} gw_response_framing_t;

/* Checks an upstream response head. Returns NULL and fills `out`, or a static sentence saying
 * why the response must become a 502: a status outside 200-599 (h2o's client consumes 1xx
 * interim responses itself, so 101 and anything below 200 here is a final answer we cannot
 * relay), Content-Length together with chunked (RFC 9112 §6.3 ¶3: an attempt at smuggling or
 * splitting), Content-Length values that differ or are not digits (¶5), or an obs-fold line
 * (h2o hands it over as a header without a name; RFC 9112 §5.2 lets a gateway answer 502). */
const char *gw_framing_check_response(int status, const h2o_header_t *headers, size_t num_headers,
                                      gw_response_framing_t *out);

#endif
