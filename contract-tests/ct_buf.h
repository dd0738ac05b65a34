/* Internal: a growable byte buffer and the escapers that write into it (JSON strings, HTML/XML
 * text, shell words), shared by the capture encoder and the report renderers. */
#ifndef CT_BUF_H
#define CT_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct st_ct_buf_t {
    char *base; /* NUL-terminated after every append (when non-NULL) */
    size_t len, cap;
} ct_buf_t;

#define CT_BUF_INIT                                                                                \
    {                                                                                              \
        NULL, 0, 0                                                                                 \
    }

/* Makes room for `extra` more bytes plus the NUL. */
void ct__buf_reserve(ct_buf_t *b, size_t extra);
void ct__buf_append(ct_buf_t *b, const void *data, size_t len);
void ct__buf_puts(ct_buf_t *b, const char *s);
void ct__buf_putc(ct_buf_t *b, char c);
void ct__buf_printf(ct_buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ct__buf_vprintf(ct_buf_t *b, const char *fmt, va_list ap);
/* Hands the bytes to the caller (never NULL; free() it) and empties the buffer. */
char *ct__buf_steal(ct_buf_t *b, size_t *len);
void ct__buf_dispose(ct_buf_t *b);

/* Appends s as a JSON string with its quotes. Bytes that are not UTF-8 become U+FFFD; control
 * characters, '"' and '\' are escaped (RFC 8259 section 7). */
void ct__buf_json_string(ct_buf_t *b, const char *s, size_t len);
/* Appends s escaped for HTML/XML text and attribute values (&, <, >, ", '); bytes that are not
 * UTF-8 and control characters other than tab/newline become U+FFFD (XML 1.0 forbids them). */
void ct__buf_markup(ct_buf_t *b, const char *s, size_t len);

#endif
