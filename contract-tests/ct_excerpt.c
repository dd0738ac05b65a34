/* Bounded display excerpts of JSON values, header values and raw bytes. */
#include "ct_excerpt.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ct_utf8.h"

#define ELLIPSIS "\xe2\x80\xa6"
/* Containers nested deeper than this inside one excerpt are elided; the excerpt is cut anyway
 * long before a realistic document gets there. */
#define MAX_EXCERPT_NESTING 64

typedef struct st_writer_t {
    char *buf;
    size_t len, limit;
    int full;
} writer_t;

/* Appends one indivisible unit (a character, an escape or a token) if it fits. */
static void put(writer_t *w, const char *s, size_t n)
{
    if (w->full)
        return;
    if (w->len + n > w->limit) {
        w->full = 1;
        return;
    }
    memcpy(w->buf + w->len, s, n);
    w->len += n;
}

static size_t finish(writer_t *w)
{
    if (w->full) {
        memcpy(w->buf + w->len, ELLIPSIS, 3);
        w->len += 3;
    }
    w->buf[w->len] = '\0';
    return w->len;
}

size_t ct__format_number(const body_value_t *v, char *out)
{
    int64_t i;
    double d;
    if (body_int_value(v, &i) == 0)
        return (size_t)snprintf(out, 32, "%" PRId64, i);
    if (body_real_value(v, &d) != 0) {
        size_t n = v->len < 31 ? v->len : 31;
        memcpy(out, v->u.str, n);
        out[n] = '\0';
        return n;
    }
    if (d == floor(d) && fabs(d) < 1e16) /* integral: "100.0", not "1e+02" */
        return (size_t)snprintf(out, 32, "%.1f", d);
    int n = 0;
    for (int prec = 1; prec <= 17; prec++) {
        n = snprintf(out, 32, "%.*g", prec, d);
        if (strtod(out, NULL) == d)
            break;
    }
    return (size_t)n;
}

static void put_json_string(writer_t *w, const char *s, size_t len)
{
    put(w, "\"", 1);
    for (size_t i = 0; i < len && !w->full;) {
        unsigned char c = (unsigned char)s[i];
        char esc[8];
        if (c == '"' || c == '\\') {
            esc[0] = '\\', esc[1] = (char)c;
            put(w, esc, 2);
            i++;
        } else if (c < 0x20) {
            const char *named = c == '\n' ? "\\n" : c == '\t' ? "\\t" : c == '\r' ? "\\r" : NULL;
            if (named != NULL)
                put(w, named, 2);
            else
                put(w, esc, (size_t)snprintf(esc, sizeof(esc), "\\u%04x", c));
            i++;
        } else {
            size_t n = ct__utf8_seq_len((const unsigned char *)s + i, len - i);
            if (n == 0) {
                put(w, "\\ufffd", 6);
                i++;
            } else {
                put(w, s + i, n);
                i += n;
            }
        }
    }
    put(w, "\"", 1);
}

static void put_json(writer_t *w, const body_value_t *v, int nesting)
{
    char num[32];
    if (w->full)
        return;
    switch (v->type) {
    case BODY_OBJECT:
        if (nesting >= MAX_EXCERPT_NESTING) {
            w->full = 1;
            return;
        }
        put(w, "{", 1);
        for (uint32_t i = 0; i < v->len && !w->full; i++) {
            const body_member_t *m = v->u.members + i;
            if (i != 0)
                put(w, ",", 1);
            put_json_string(w, m->key, m->len);
            put(w, ":", 1);
            put_json(w, m->value, nesting + 1);
        }
        if (w->full)
            return;
        put(w, "}", 1);
        break;
    case BODY_ARRAY:
        if (nesting >= MAX_EXCERPT_NESTING) {
            w->full = 1;
            return;
        }
        put(w, "[", 1);
        for (uint32_t i = 0; i < v->len && !w->full; i++) {
            if (i != 0)
                put(w, ",", 1);
            put_json(w, v->u.items[i], nesting + 1);
        }
        put(w, "]", 1);
        break;
    case BODY_STRING:
        put_json_string(w, v->u.str, v->len);
        break;
    case BODY_NUMBER:
        put(w, num, ct__format_number(v, num));
        break;
    case BODY_TRUE:
        put(w, "true", 4);
        break;
    case BODY_FALSE:
        put(w, "false", 5);
        break;
    default:
        put(w, "null", 4);
        break;
    }
}

size_t ct__excerpt_json(const body_value_t *v, size_t limit, char *out)
{
    writer_t w = {out, 0, limit, 0};
    put_json(&w, v, 0);
    return finish(&w);
}

size_t ct__excerpt_text(const char *s, size_t len, size_t offset, size_t limit, char *out)
{
    writer_t w = {out, 0, limit, 0};
    if (offset > len)
        offset = len;
    /* start on a character boundary so the first character is not shown as escapes */
    for (int k = 0;
         k < 3 && offset > 0 && offset < len && ((unsigned char)s[offset] & 0xc0) == 0x80; k++)
        offset--;
    if (offset > 0)
        put(&w, ELLIPSIS, 3);
    for (size_t i = offset; i < len && !w.full;) {
        unsigned char c = (unsigned char)s[i];
        char esc[8];
        size_t n = ct__utf8_seq_len((const unsigned char *)s + i, len - i);
        if (c == '\\') {
            put(&w, "\\\\", 2);
        } else if (c == '\n' || c == '\t' || c == '\r') {
            put(&w, c == '\n' ? "\\n" : c == '\t' ? "\\t" : "\\r", 2);
        } else if (c < 0x20 || c == 0x7f || n == 0) {
            put(&w, esc, (size_t)snprintf(esc, sizeof(esc), "\\x%02x", c));
        } else {
            put(&w, s + i, n);
            i += n;
            continue;
        }
        i++;
    }
    return finish(&w);
}
