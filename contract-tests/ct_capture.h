/* Recorded HTTP exchanges: the in-memory record shared by the gateway's recorder and `versa
 * replay`, its JSON Lines encoding (one exchange per line, docs/replay.md), and a streaming reader
 * of capture files that also imports HAR 1.2 archives. */
#ifndef CT_CAPTURE_H
#define CT_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

#include "ct_diff.h"
#include "ct_rules.h"

/* A byte string that is not necessarily NUL-terminated; base == NULL means absent. */
typedef struct st_ct_str_t {
    const char *base;
    size_t len;
} ct_str_t;

/* A message body. `bytes` may be NULL when len is 0. When truncated, only the first len bytes of
 * the original `size` bytes were kept. */
typedef struct st_ct_capture_body_t {
    const char *bytes;
    size_t len;
    int truncated;
    uint64_t size; /* original size; taken as len when not truncated */
    int missing;   /* reader only: the source had no body text at all (a HAR entry without
                      content.text); replay then compares no body */
} ct_capture_body_t;

typedef struct st_ct_capture_request_t {
    ct_str_t method;
    ct_str_t path;          /* as the client sent it, still percent-encoded, without the query */
    ct_str_t query;         /* after '?', without it; absent when the target had no '?' */
    ct_str_t upstream_path; /* as the gateway forwarded it, relative to the upstream's base path
                               (API prefix and version segment removed); absent when unknown */
    const ct_header_t *headers;
    size_t num_headers;
    ct_capture_body_t body;
} ct_capture_request_t;

typedef struct st_ct_capture_response_t {
    int status;
    const ct_header_t *headers;
    size_t num_headers;
    ct_capture_body_t body;
} ct_capture_response_t;

/* One exchange. Everything is borrowed: from the caller when recording, from the reader (until its
 * next call) when reading. */
typedef struct st_ct_exchange_t {
    ct_str_t time;                    /* RFC 3339, UTC; absent when recording means "now" */
    ct_str_t api, version, operation; /* absent when unknown */
    ct_capture_request_t request;
    ct_capture_response_t response;
} ct_exchange_t;

/* Header names whose values are replaced with "[redacted]" when encoding. */
typedef struct st_ct_redact_t {
    char **names; /* lowercase copies */
    size_t num_names;
} ct_redact_t;

/* The default redaction list: Authorization, Cookie, Set-Cookie. */
extern const char *const ct_redact_defaults[];
extern const size_t ct_redact_num_defaults;

/* Copies names (case-insensitive; NULL with n == 0 gives the defaults, a non-NULL empty list
 * redacts nothing). Returns 0, or -1 with err when a name is empty or not a header token. */
int ct_redact_init(ct_redact_t *redact, const char *const *names, size_t n, ct_error_t *err);
void ct_redact_dispose(ct_redact_t *redact);
/* Whether the header name is on the list. */
int ct_redact_match(const ct_redact_t *redact, const char *name, size_t len);

/* Encodes one exchange as a JSON line ending in '\n', in a new buffer (caller frees; *len gets
 * its length). Bodies that are valid UTF-8 are written as text, others in base64 with
 * `"body_encoding": "base64"`; bodies longer than max_body bytes are cut (at a character boundary
 * for text) and marked truncated with their original size. redact may be NULL. Strings that are
 * not valid UTF-8 (header values, paths) have their bad bytes replaced with U+FFFD. Never fails;
 * aborts only when memory runs out. Thread-safe. */
char *ct_capture_encode(const ct_exchange_t *x, const ct_redact_t *redact, size_t max_body,
                        size_t *len);

/* A deep copy of x in one heap block (free() it). Used to keep an exchange beyond the reader's
 * next call. */
ct_exchange_t *ct_exchange_dup(const ct_exchange_t *x);

/* Reading. */

typedef enum ct_capture_format {
    CT_CAPTURE_JSONL, /* one exchange per line */
    CT_CAPTURE_HAR,   /* HTTP Archive 1.2: log.entries[] */
} ct_capture_format_t;

typedef struct st_ct_capture_reader_config_t {
    size_t max_line_bytes; /* longer lines are bad lines (skipped unread); default 64 MiB */
    size_t
        max_har_bytes; /* a HAR file is parsed whole; larger ones fail to open; default 256 MiB */
} ct_capture_reader_config_t;

void ct_capture_reader_config_init(ct_capture_reader_config_t *cfg);

/* Returned by ct_capture_reader_next(). */
typedef enum ct_capture_status {
    CT_CAPTURE_ERROR = -1, /* I/O error; the reader is unusable (err says why) */
    CT_CAPTURE_EOF = 0,
    CT_CAPTURE_RECORD = 1, /* *out holds the next exchange */
    CT_CAPTURE_BAD = 2,    /* a bad line (or HAR entry) was skipped; *bad says where and why */
} ct_capture_status_t;

/* Where and why a line was skipped. */
typedef struct st_ct_capture_bad_t {
    uint64_t line; /* 1-based line number; for a HAR file, the 1-based entry number */
    uint32_t col;  /* 1-based column where JSON stopped making sense, 0 when not known */
    char message[256];
} ct_capture_bad_t;

typedef struct st_ct_capture_reader_t ct_capture_reader_t;

/* Opens a capture ("-" reads standard input) and detects its format from its content: a JSON
 * document whose first member is "log" is a HAR archive, anything else JSON Lines. A HAR file is
 * loaded and validated here (log.entries must be an array); JSON Lines are read one line at a time
 * with bounded memory. Returns NULL with err on I/O errors and unusable HAR files. Not
 * thread-safe; blocking file I/O. */
ct_capture_reader_t *ct_capture_reader_open(const char *path, const ct_capture_reader_config_t *cfg,
                                            ct_error_t *err);

/* Reads the next exchange. A record stays valid until the next call or close. Bad lines are
 * reported one per call (CT_CAPTURE_BAD) and counted; blank lines are skipped silently. */
ct_capture_status_t ct_capture_reader_next(ct_capture_reader_t *r, ct_exchange_t *out,
                                           ct_capture_bad_t *bad, ct_error_t *err);

ct_capture_format_t ct_capture_reader_format(const ct_capture_reader_t *r);
/* Where the last record or bad line was: its line number, or its entry number in a HAR file
 * (both 1-based). */
uint64_t ct_capture_reader_position(const ct_capture_reader_t *r);
/* Records returned and bad lines skipped so far. */
uint64_t ct_capture_reader_records(const ct_capture_reader_t *r);
uint64_t ct_capture_reader_bad(const ct_capture_reader_t *r);

/* Accepts NULL. */
void ct_capture_reader_close(ct_capture_reader_t *r);

/* Counts what a capture holds without decoding it (newline-terminated or final non-empty lines of
 * JSON Lines, entries of a HAR file), for progress displays. Reads the whole file, so never pass
 * "-". Returns 0, or -1 with err. */
int ct_capture_count(const char *path, const ct_capture_reader_config_t *cfg, uint64_t *count,
                     ct_error_t *err);

#endif
