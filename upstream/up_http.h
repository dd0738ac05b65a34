/* The HTTP/1.1 wire format as an upstream client reads it (RFC 9112): field syntax checks, the
 * response head parser, message framing and the chunked decoder. Pure functions over bytes, no
 * I/O and no h2o, so that every edge case is unit-tested without sockets and the capture code of
 * contract-tests can check fields without an event loop. */
#ifndef UP_HTTP_H
#define UP_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Bounds on what an upstream may send before and around the body. */
#define UP_HTTP_MAX_HEAD (64 * 1024)
#define UP_HTTP_MAX_HEADERS 256
#define UP_HTTP_MAX_CHUNK_LINE 1024
#define UP_HTTP_MAX_TRAILERS (64 * 1024)

/* One header field as received; nothing is NUL-terminated. */
typedef struct st_up_header_t {
    const char *name;
    size_t name_len;
    const char *value;
    size_t value_len;
} up_header_t;

static inline char up_http_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c + ('a' - 'A')) : c;
}

/* RFC 9110 section 5.6.2: 1*tchar. */
int up_http_is_token(const char *s, size_t len);
/* A field value that can be sent: no NUL, CR or LF (RFC 9110 section 5.5). */
int up_http_is_field_value(const char *s, size_t len);
/* Case-insensitive comparison of a header name with a lowercase literal. */
int up_http_name_is(const char *name, size_t len, const char *lower);
/* Whether a comma-separated list value holds `token` (case-insensitive, parameters ignored). */
int up_http_list_has(const char *value, size_t len, const char *token);

/* A parsed response head; strings point into the parsed buffer. */
typedef struct st_up_http_head_t {
    int minor_version;
    int status; /* 100..599 */
    const char *reason;
    size_t reason_len;
    up_header_t *headers; /* the caller's array */
    size_t num_headers;
} up_http_head_t;

/* Parses the response head at buf[0, len): status line and fields up to the empty line (CRLF or
 * bare LF line ends, RFC 9112 section 2.2). Returns the head's length, 0 when it is incomplete,
 * or -1 with *err (a static message) when it is malformed: a bad status line or a status outside
 * 100..599, obsolete line folding, whitespace before a colon, bad characters, or more than
 * max_headers fields. */
ssize_t up_http_parse_head(const char *buf, size_t len, up_http_head_t *out, up_header_t *headers,
                           size_t max_headers, const char **err);

typedef enum up_http_framing {
    UP_HTTP_BODY_NONE,    /* HEAD, 1xx, 204, 304 */
    UP_HTTP_BODY_LENGTH,  /* Content-Length */
    UP_HTTP_BODY_CHUNKED, /* Transfer-Encoding ending in chunked */
    UP_HTTP_BODY_CLOSE,   /* delimited by the end of the connection */
} up_http_framing_t;

/* Decides how the body of a response ends (RFC 9112 section 6.3) and whether the connection can
 * be reused afterwards. *content_length is the declared length (UINT64_MAX when none), also
 * when no body follows (HEAD, 304). Returns 0, or -1 with *err when a Content-Length is invalid, two values
 * differ, or Transfer-Encoding comes with Content-Length (a response that could split the stream
 * of whoever relays it: an error for every user of the client, not only the proxy). */
int up_http_framing(const up_http_head_t *head, int method_is_head, up_http_framing_t *framing,
                    uint64_t *content_length, int *keep_alive, const char **err);

/* Incremental decoder of the chunked transfer coding (RFC 9112 section 7.1); trailers are read
 * and dropped. Data bytes are handed out only once the size line announcing them was valid, so
 * framing bytes never pass as body. */
typedef struct st_up_chunked_t {
    int state;
    uint64_t remaining; /* data bytes left in the current chunk */
    size_t line_len;    /* bytes of the current size or trailer line */
    size_t trailer_bytes;
    int digits;
} up_chunked_t;

void up_chunked_init(up_chunked_t *c);
/* Decodes in[0, len), passing each run of data bytes to on_data. Returns the number of bytes
 * consumed, which is less than len only when the body ended before the end of the input; -1 with
 * *err on a framing error. */
ssize_t up_chunked_decode(up_chunked_t *c, const char *in, size_t len,
                          void (*on_data)(void *ctx, const char *p, size_t n), void *ctx,
                          const char **err);
/* Whether the last chunk and the trailer section were read. */
int up_chunked_done(const up_chunked_t *c);

#endif
