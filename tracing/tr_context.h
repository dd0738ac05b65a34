/* W3C Trace Context (https://www.w3.org/TR/trace-context/): the traceparent and tracestate
 * request fields, read from hostile input and written for the next hop. Pure functions: no I/O,
 * no allocation, no state. */
#ifndef TR_CONTEXT_H
#define TR_CONTEXT_H

#include <stddef.h>
#include <stdint.h>

/* "00-" 32 hex "-" 16 hex "-" 2 hex (§3.2) */
#define TR_TRACEPARENT_LEN 55
/* §3.3.1.5: at least 512 characters of tracestate are propagated; we propagate at most that. */
#define TR_TRACESTATE_MAX 512
/* §3.3.1.1: at most 32 list members. */
#define TR_TRACESTATE_MAX_MEMBERS 32
/* trace-flags bit 0 (§3.2.2.5) */
#define TR_FLAG_SAMPLED 0x01

typedef struct st_tr_context_t {
    uint8_t trace_id[16];
    uint8_t span_id[8]; /* the caller's span: the parent of ours */
    uint8_t flags;      /* as received; only TR_FLAG_SAMPLED is defined by version 00 */
} tr_context_t;

/* Parses one traceparent value (§3.2, with §3.2.4 for versions after 00). Returns 0, or -1 when
 * it must be treated as absent: a length other than 55 for version 00 (or under 55, or without
 * a '-' after 55 characters, for later versions), version ff, anything but lowercase hex where
 * hex is due, wrong dashes, an all-zero trace-id or parent-id. */
int tr_traceparent_parse(const char *s, size_t len, tr_context_t *out);

/* Writes a version-00 traceparent of exactly TR_TRACEPARENT_LEN characters (no NUL). Flags other
 * than TR_FLAG_SAMPLED are written as zero (§3.2.2.5: unknown flags are not propagated). */
void tr_traceparent_format(const uint8_t trace_id[16], const uint8_t span_id[8], uint8_t flags,
                           char out[TR_TRACEPARENT_LEN]);

/* Sanitises a tracestate (its field lines joined with ','; §3.3.1) into out[0, cap), cap at most
 * TR_TRACESTATE_MAX: empty members dropped, members joined with ','. Returns the length written;
 * 0 when the value is to be dropped whole: a malformed member (key and value syntax of §3.3.1.3),
 * a repeated key, or more than TR_TRACESTATE_MAX_MEMBERS members. When the members do not fit in
 * cap, those over 128 characters go first, then members from the end (§3.3.1.5). */
size_t tr_tracestate_sanitise(const char *in, size_t len, char *out, size_t cap);

/* Lowercase hex of `n` bytes into out[0, 2n) (no NUL). */
void tr_hex(const uint8_t *bytes, size_t n, char *out);
/* 1 when every one of the `n` bytes is zero. */
int tr_id_is_zero(const uint8_t *id, size_t n);

#endif
