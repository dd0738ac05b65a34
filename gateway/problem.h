/* application/problem+json bodies (RFC 9457) for every error the gateway itself answers. */
#ifndef GW_PROBLEM_H
#define GW_PROBLEM_H

#include <stddef.h>

/* The problem types Versa answers with; each has a stable type URI, title and status. */
typedef enum gw_problem_kind {
    GW_PROBLEM_NO_ROUTE,             /* 404 no API owns the path */
    GW_PROBLEM_UNKNOWN_VERSION,      /* 404 path names an unknown version */
    GW_PROBLEM_NOT_ACCEPTABLE,       /* 406 Accept names an unknown version */
    GW_PROBLEM_BAD_VERSION_HEADER,   /* 400 version header names an unknown version */
    GW_PROBLEM_VERSION_CONFLICT,     /* 400 selectors disagree */
    GW_PROBLEM_BAD_REQUEST,          /* 400 malformed request (path, Accept) */
    GW_PROBLEM_NOT_FOUND,            /* 404 no operation in the spec */
    GW_PROBLEM_METHOD_NOT_ALLOWED,   /* 405 */
    GW_PROBLEM_BODY_TOO_LARGE,       /* 413 */
    GW_PROBLEM_GONE,                 /* 410 removed operation or sunset version */
    GW_PROBLEM_UPSTREAM_UNAVAILABLE, /* 502 refused, reset, bad response */
    GW_PROBLEM_UPSTREAM_TIMEOUT,     /* 504 */
    GW_PROBLEM_SHUTTING_DOWN,        /* 503 */
    GW_PROBLEM_INTERNAL,             /* 500 */
    GW_PROBLEM_HEADERS_TOO_LARGE,    /* 431 request head over the limits */
    GW_PROBLEM_NOT_IMPLEMENTED,      /* 501 unknown transfer coding */
    GW_PROBLEM_HTTP_VERSION,         /* 505 not HTTP/1.0, 1.1 or 2 */
    GW_PROBLEM_EXPECTATION_FAILED,   /* 417 an Expect other than 100-continue */
    GW_PROBLEM_BODY_BUDGET,          /* 503 request bodies in memory at the process budget */
    GW_PROBLEM_UPSTREAM_BUSY,        /* 503 no pooled upstream connection free in time */
    GW_PROBLEM_CONTRACT,             /* 400 the request breaks the spec (validate.request) */
    GW_PROBLEM_UNSUPPORTED_MEDIA_TYPE, /* 415 a Content-Type the operation does not declare */
    GW_PROBLEM_UPSTREAM_CONTRACT,    /* 502 the upstream's answer breaks the spec */
    GW_PROBLEM_INVALID_CONFIG,       /* 422 POST /reload: the new configuration is invalid */
    GW_PROBLEM__COUNT
} gw_problem_kind_t;

int gw_problem_status(gw_problem_kind_t kind);
const char *gw_problem_title(gw_problem_kind_t kind);
/* "https://versa.dev/problems/<slug>" */
const char *gw_problem_type(gw_problem_kind_t kind);

/* Writes the JSON body {"type","title","status","detail"[,"instance"]} into buf (NUL-terminated,
 * JSON-escaped detail/instance; truncated detail still yields valid JSON). `instance` may be NULL:
 * the gateway passes the request id. Returns the length written. */
size_t gw_problem_render(char *buf, size_t size, gw_problem_kind_t kind, const char *detail,
                         const char *instance);

#endif
