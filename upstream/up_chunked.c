/* The chunked transfer coding (RFC 9112 section 7.1), decoded incrementally. */
#include "up_http.h"

#include <string.h>

static int is_ows(char c)
{
    return c == ' ' || c == '\t';
}

enum {
    CH_SIZE,    /* reading hex digits */
    CH_SIZE_WS, /* whitespace after the digits: a ';' or the line end must follow */
    CH_EXT,     /* reading chunk extensions up to the line end */
    CH_SIZE_LF, /* expecting LF after the CR of a size line */
    CH_DATA,    /* reading chunk data */
    CH_DATA_CR, /* expecting CR (or LF) after the data */
    CH_DATA_LF, /* expecting LF after the CR */
    CH_TRAILER, /* reading a trailer line (or the final empty line) */
    CH_DONE,
};

void up_chunked_init(up_chunked_t *c)
{
    memset(c, 0, sizeof(*c));
    c->state = CH_SIZE;
}

int up_chunked_done(const up_chunked_t *c)
{
    return c->state == CH_DONE;
}

static int hex_value(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* The end of a size line: the chunk's data follows, or the trailer section when the size is 0. */
static void end_size_line(up_chunked_t *c)
{
    c->state = c->remaining != 0 ? CH_DATA : CH_TRAILER;
    c->line_len = 0;
}

/* A character after the size digits: whitespace, the start of an extension, or the line end.
 * Leaves the state unchanged for anything else. */
static void size_line_char(up_chunked_t *c, char ch)
{
    if (ch == '\n')
        end_size_line(c);
    else if (ch == '\r')
        c->state = CH_SIZE_LF;
    else if (ch == ';')
        c->state = CH_EXT;
    else if (is_ows(ch))
        c->state = CH_SIZE_WS;
}

ssize_t up_chunked_decode(up_chunked_t *c, const char *in, size_t len,
                           void (*on_data)(void *ctx, const char *p, size_t n), void *ctx,
                           const char **err)
{
    size_t i = 0;
    while (i < len && c->state != CH_DONE) {
        char ch = in[i];
        switch (c->state) {
        case CH_SIZE: {
            int v = hex_value(ch);
            if (++c->line_len > UP_HTTP_MAX_CHUNK_LINE) {
                *err = "chunk size line too long";
                return -1;
            }
            if (v >= 0) {
                if (c->digits == 16) {
                    *err = "chunk size too large";
                    return -1;
                }
                c->remaining = c->remaining << 4 | (uint64_t)v;
                c->digits++;
            } else if (c->digits == 0) {
                *err = "invalid chunk size";
                return -1;
            } else {
                size_line_char(c, ch);
                if (c->state == CH_SIZE && !is_ows(ch)) {
                    *err = "invalid chunk size";
                    return -1;
                }
            }
            i++;
            break;
        }
        case CH_SIZE_WS:
            if (++c->line_len > UP_HTTP_MAX_CHUNK_LINE) {
                *err = "chunk size line too long";
                return -1;
            }
            if (!is_ows(ch)) {
                size_line_char(c, ch);
                if (c->state == CH_SIZE_WS) {
                    *err = "invalid chunk size";
                    return -1;
                }
            }
            i++;
            break;
        case CH_EXT: /* chunk-ext (RFC 9112 section 7.1.1): ignored, bounded */
            if (++c->line_len > UP_HTTP_MAX_CHUNK_LINE) {
                *err = "chunk size line too long";
                return -1;
            }
            if (ch == '\n')
                end_size_line(c);
            else if (ch == '\r')
                c->state = CH_SIZE_LF;
            i++;
            break;
        case CH_SIZE_LF:
            if (ch != '\n') {
                *err = "chunk size line not ended by CRLF";
                return -1;
            }
            end_size_line(c);
            i++;
            break;
        case CH_DATA: {
            size_t n = len - i;
            if (n > c->remaining)
                n = (size_t)c->remaining;
            on_data(ctx, in + i, n);
            c->remaining -= n;
            i += n;
            if (c->remaining == 0)
                c->state = CH_DATA_CR;
            break;
        }
        case CH_DATA_CR:
            if (ch == '\r') {
                c->state = CH_DATA_LF;
            } else if (ch == '\n') {
                c->state = CH_SIZE;
                c->digits = 0;
                c->line_len = 0;
            } else {
                *err = "chunk data not followed by CRLF";
                return -1;
            }
            i++;
            break;
        case CH_DATA_LF:
            if (ch != '\n') {
                *err = "chunk data not followed by CRLF";
                return -1;
            }
            c->state = CH_SIZE;
            c->digits = 0;
            c->line_len = 0;
            i++;
            break;
        case CH_TRAILER:
            if (++c->trailer_bytes > UP_HTTP_MAX_TRAILERS) {
                *err = "trailer section too large";
                return -1;
            }
            if (ch == '\n') {
                if (c->line_len == 0)
                    c->state = CH_DONE;
                c->line_len = 0;
            } else if (ch != '\r' || c->line_len != 0) {
                c->line_len++;
            }
            i++;
            break;
        }
    }
    return (ssize_t)i;
}
