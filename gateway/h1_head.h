/* A strict reader of HTTP/1.1 request heads (RFC 9112 §2-§6), run on the raw bytes before h2o's
 * lenient parser acts on them: everything h2o 2.2.5 would relay ambiguously (repeated or
 * conflicting Content-Length, Content-Length with Transfer-Encoding, obs-fold, missing or
 * repeated Host) or answer in text/plain (a malformed request line, too many or too large
 * header fields) is refused here with a status and a sentence for a problem+json answer.
 * Pure: no allocation, no I/O; the result points into the caller's buffer. */
#ifndef GW_H1_HEAD_H
#define GW_H1_HEAD_H

#include <stddef.h>
#include <stdint.h>
#include "problem.h"

typedef struct st_gw_h1_limits_t {
    size_t max_head;    /* bytes up to and including the empty line */
    size_t max_headers; /* header field lines */
} gw_h1_limits_t;

typedef enum gw_h1_result {
    GW_H1_OK = 0,         /* a complete, acceptable head */
    GW_H1_INCOMPLETE = 1, /* valid so far and within the limits: more bytes are needed */
    GW_H1_BAD = -1,       /* refuse: `problem` and `detail` say how */
} gw_h1_result_t;

typedef struct st_gw_h1_head_t {
    size_t head_len; /* GW_H1_OK: bytes of the head, leading empty line and final CRLF included */
    const char *method, *target;
    size_t method_len, target_len;
    int minor_version;
    int chunked;             /* Transfer-Encoding: chunked */
    uint64_t content_length; /* UINT64_MAX when absent */
    int expect_continue;     /* Expect: 100-continue */
    gw_problem_kind_t problem; /* GW_H1_BAD */
    const char *detail;        /* GW_H1_BAD: a static sentence */
} gw_h1_head_t;

/* Reads the head at the start of buf[0, len). An incomplete head longer than max_head, or one
 * with more than max_headers fields, is GW_H1_BAD (431) as soon as that is known. */
gw_h1_result_t gw_h1_head_parse(const char *buf, size_t len, const gw_h1_limits_t *limits,
                                gw_h1_head_t *out);

#endif
