/* Chunked framing watcher: a byte-at-a-time state machine; it never copies or alters the data. */
#include "chunked.h"

enum { SIZE_FIRST, SIZE, EXT, SIZE_LF, DATA, DATA_CR, DATA_LF, TRAILER, TRAILER_LF, DONE, FAILED };

void gw_chunk_tracker_init(gw_chunk_tracker_t *t)
{
    t->state = SIZE_FIRST;
    t->line_empty = 1;
    t->remaining = 0;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
        return (c | 0x20) - 'a' + 10;
    return -1;
}

int gw_chunk_tracker_feed(gw_chunk_tracker_t *t, const char *p, size_t len)
{
    for (size_t i = 0; i < len && t->state != FAILED; ++i) {
        char c = p[i];
        switch (t->state) {
        case SIZE_FIRST:
        case SIZE: {
            int v = hexval(c);
            if (v >= 0) {
                if (t->remaining > (UINT64_MAX >> 4))
                    t->state = FAILED;
                else
                    t->remaining = (t->remaining << 4) | (uint64_t)v, t->state = SIZE;
            } else if (t->state == SIZE && (c == ';' || c == ' ' || c == '\t')) {
                t->state = EXT;
            } else if (t->state == SIZE && c == '\r') {
                t->state = SIZE_LF;
            } else {
                t->state = FAILED;
            }
            break;
        }
        case EXT:
            if (c == '\r')
                t->state = SIZE_LF;
            break;
        case SIZE_LF:
            if (c != '\n')
                t->state = FAILED;
            else if (t->remaining == 0)
                t->state = TRAILER, t->line_empty = 1; /* last-chunk */
            else
                t->state = DATA;
            break;
        case DATA: {
            /* skip the whole run of data at once */
            uint64_t n = len - i < t->remaining ? len - i : t->remaining;
            t->remaining -= n;
            i += (size_t)n - 1;
            if (t->remaining == 0)
                t->state = DATA_CR;
            break;
        }
        case DATA_CR:
            t->state = c == '\r' ? DATA_LF : FAILED;
            break;
        case DATA_LF:
            t->state = c == '\n' ? SIZE_FIRST : FAILED;
            break;
        case TRAILER:
            if (c == '\r')
                t->state = TRAILER_LF;
            else
                t->line_empty = 0;
            break;
        case TRAILER_LF:
            if (c != '\n')
                t->state = FAILED;
            else if (t->line_empty)
                t->state = DONE;
            else
                t->state = TRAILER, t->line_empty = 1;
            break;
        case DONE:
            break; /* bytes after the message belong to no one; the client discards them */
        }
    }
    return t->state == FAILED ? -1 : 0;
}

int gw_chunk_tracker_done(const gw_chunk_tracker_t *t)
{
    return t->state == DONE;
}

int gw_chunk_tracker_failed(const gw_chunk_tracker_t *t)
{
    return t->state == FAILED;
}
