/* Growable buffers and text escapers (JSON, markup). */
#include "ct_buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ct_alloc.h"
#include "ct_utf8.h"

void ct__buf_reserve(ct_buf_t *b, size_t extra)
{
    if (extra > SIZE_MAX - b->len - 1) {
        fputs("contract-tests: buffer size overflow\n", stderr);
        abort();
    }
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return;
    size_t cap = b->cap != 0 ? b->cap : 256;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    b->base = ct__xrealloc(b->base, cap);
    b->cap = cap;
}

void ct__buf_append(ct_buf_t *b, const void *data, size_t len)
{
    ct__buf_reserve(b, len);
    if (len != 0)
        memcpy(b->base + b->len, data, len);
    b->len += len;
    b->base[b->len] = '\0';
}

void ct__buf_puts(ct_buf_t *b, const char *s)
{
    ct__buf_append(b, s, strlen(s));
}

void ct__buf_putc(ct_buf_t *b, char c)
{
    ct__buf_reserve(b, 1);
    b->base[b->len++] = c;
    b->base[b->len] = '\0';
}

void ct__buf_vprintf(ct_buf_t *b, const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    char small[256];
    int n = vsnprintf(small, sizeof(small), fmt, copy);
    va_end(copy);
    if (n < 0)
        return;
    if ((size_t)n < sizeof(small)) {
        ct__buf_append(b, small, (size_t)n);
        return;
    }
    ct__buf_reserve(b, (size_t)n);
    vsnprintf(b->base + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void ct__buf_printf(ct_buf_t *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ct__buf_vprintf(b, fmt, ap);
    va_end(ap);
}

char *ct__buf_steal(ct_buf_t *b, size_t *len)
{
    if (b->base == NULL)
        ct__buf_reserve(b, 0), b->base[0] = '\0';
    char *out = b->base;
    if (len != NULL)
        *len = b->len;
    *b = (ct_buf_t)CT_BUF_INIT;
    return out;
}

void ct__buf_dispose(ct_buf_t *b)
{
    free(b->base);
    *b = (ct_buf_t)CT_BUF_INIT;
}

void ct__buf_json_string(ct_buf_t *b, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    ct__buf_reserve(b, len + 2);
    ct__buf_putc(b, '"');
    size_t run = 0; /* start of the pending run of bytes copied as they are */
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
            i++;
            continue;
        }
        size_t k = c >= 0x80 ? ct__utf8_seq_len((const unsigned char *)s + i, len - i) : 0;
        if (k != 0) {
            i += k;
            continue;
        }
        ct__buf_append(b, s + run, i - run);
        switch (c) {
        case '"':
            ct__buf_append(b, "\\\"", 2);
            break;
        case '\\':
            ct__buf_append(b, "\\\\", 2);
            break;
        case '\n':
            ct__buf_append(b, "\\n", 2);
            break;
        case '\r':
            ct__buf_append(b, "\\r", 2);
            break;
        case '\t':
            ct__buf_append(b, "\\t", 2);
            break;
        default:
            if (c < 0x20) {
                char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
                ct__buf_append(b, esc, sizeof(esc));
            } else {
                ct__buf_append(b, "\xef\xbf\xbd", 3); /* not UTF-8 */
            }
        }
        run = ++i;
    }
    ct__buf_append(b, s + run, len - run);
    ct__buf_putc(b, '"');
}

void ct__buf_markup(ct_buf_t *b, const char *s, size_t len)
{
    size_t run = 0;
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)s[i];
        const char *rep = NULL;
        size_t skip = 1;
        switch (c) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&#39;";
            break;
        default:
            if (c >= 0x80) {
                size_t k = ct__utf8_seq_len((const unsigned char *)s + i, len - i);
                if (k != 0) {
                    i += k;
                    continue;
                }
                rep = "\xef\xbf\xbd";
            } else if (c < 0x20 && c != '\t' && c != '\n') {
                rep = "\xef\xbf\xbd";
            }
        }
        if (rep == NULL) {
            i++;
            continue;
        }
        ct__buf_append(b, s + run, i - run);
        ct__buf_puts(b, rep);
        i += skip;
        run = i;
    }
    ct__buf_append(b, s + run, len - run);
}
