/* The writer of the body model: compact JSON, exact size first, untouched strings and all number
 * text copied byte for byte, everything else escaped as RFC 8259 section 7 requires. */
#include <assert.h>
#include <stdint.h>
#include <string.h>
#include "body_internal.h"

/* How the writer escapes a byte: 0 as it is, 'u' as \u00XX, else a backslash and this. */
/* clang-format off */
static const char escape_as[256] = {
    'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'b', 't', 'n', 'u', 'f', 'r', 'u', 'u',
    'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u',
    ['"'] = '"', ['\\'] = '\\',
};
/* clang-format on */

int body_needs_escape(const char *s, size_t len)
{
    for (size_t i = 0; i != len; i++)
        if (escape_as[(uint8_t)s[i]] != 0)
            return 1;
    return 0;
}

static size_t escaped_size(const char *s, size_t len)
{
    size_t n = len;
    for (size_t i = 0; i != len; i++) {
        char e = escape_as[(uint8_t)s[i]];
        if (e != 0)
            n += e == 'u' ? 5 : 1;
    }
    return n;
}

static size_t string_size(const char *s, size_t len, unsigned flags)
{
    return 2 + ((flags & BODY_VERBATIM) ? len : escaped_size(s, len));
}

/* Recursive: depth is bounded by the parser's BODY_MAX_DEPTH plus the few levels an edit adds,
 * or by the load-time values converted in (jansson.c). */
size_t body_write_size(const body_value_t *v)
{
    size_t n;
    switch (v->type) {
    case BODY_NULL:
    case BODY_TRUE:
        return 4;
    case BODY_FALSE:
        return 5;
    case BODY_NUMBER:
        return v->len;
    case BODY_STRING:
        return string_size(v->u.str, v->len, v->flags);
    case BODY_ARRAY:
        n = v->len == 0 ? 2 : 1 + v->len; /* brackets and commas */
        for (uint32_t i = 0; i < v->len; i++)
            n += body_write_size(v->u.items[i]);
        return n;
    default:
        n = v->len == 0 ? 2 : 1 + 2 * (size_t)v->len; /* braces, colons and commas */
        for (uint32_t i = 0; i < v->len; i++) {
            const body_member_t *m = v->u.members + i;
            n += string_size(m->key, m->len, m->flags) + body_write_size(m->value);
        }
        return n;
    }
}

static char *write_escaped(char *o, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    const char *end = s + len, *run = s;
    for (; s != end; s++) {
        uint8_t c = (uint8_t)*s;
        char e = escape_as[c];
        if (e == 0)
            continue;
        memcpy(o, run, (size_t)(s - run));
        o += s - run;
        run = s + 1;
        *o++ = '\\';
        *o++ = e;
        if (e == 'u') {
            memcpy(o, "00", 2);
            o[2] = hex[c >> 4];
            o[3] = hex[c & 15];
            o += 4;
        }
    }
    memcpy(o, run, (size_t)(end - run));
    return o + (end - run);
}

/* memcpy for the short names and values bodies are made of, without a library call: two
 * overlapping fixed-size moves cover 4..16 bytes. */
static char *copy_bytes_to(char *o, const char *s, size_t len)
{
    if (len >= 8 && len <= 16) {
        memcpy(o, s, 8);
        memcpy(o + len - 8, s + len - 8, 8);
    } else if (len >= 4 && len < 8) {
        memcpy(o, s, 4);
        memcpy(o + len - 4, s + len - 4, 4);
    } else if (len < 4) {
        for (size_t i = 0; i < len; i++)
            o[i] = s[i];
    } else {
        memcpy(o, s, len);
    }
    return o + len;
}

static char *write_string(char *o, const char *s, size_t len, unsigned flags)
{
    *o++ = '"';
    if (len == 0) {
        /* s may be NULL */
    } else if (flags & BODY_VERBATIM) {
        o = copy_bytes_to(o, s, len);
    } else {
        o = write_escaped(o, s, len);
    }
    *o++ = '"';
    return o;
}

char *body_write(const body_value_t *v, char *o)
{
    switch (v->type) {
    case BODY_NULL:
        memcpy(o, "null", 4);
        return o + 4;
    case BODY_TRUE:
        memcpy(o, "true", 4);
        return o + 4;
    case BODY_FALSE:
        memcpy(o, "false", 5);
        return o + 5;
    case BODY_NUMBER:
        return copy_bytes_to(o, v->u.str, v->len);
    case BODY_STRING:
        return write_string(o, v->u.str, v->len, v->flags);
    case BODY_ARRAY:
        *o++ = '[';
        for (uint32_t i = 0; i < v->len; i++) {
            if (i != 0)
                *o++ = ',';
            o = body_write(v->u.items[i], o);
        }
        *o++ = ']';
        return o;
    default:
        *o++ = '{';
        for (uint32_t i = 0; i < v->len; i++) {
            const body_member_t *m = v->u.members + i;
            if (i != 0)
                *o++ = ',';
            o = write_string(o, m->key, m->len, m->flags);
            *o++ = ':';
            o = body_write(m->value, o);
        }
        *o++ = '}';
        return o;
    }
}

char *body_dump(const body_mem_t *mem, const body_value_t *v, size_t *len)
{
    size_t n = body_write_size(v);
    char *out = body_alloc(mem, n == 0 ? 1 : n);
    *len = (size_t)(body_write(v, out) - out);
    assert(*len == n);
    return out;
}
