/* Internal to body/: the scanner state the parser and the streaming scanners share, and the
 * helpers the tree, the writer and the parser have in common (prefix body__). */
#ifndef BODY_INTERNAL_H
#define BODY_INTERNAL_H

#include <stdlib.h>
#include "body.h"

/* Where scanning happens: the input and where to report its first problem (NULL: failures just
 * return NULL). The parser embeds one as its first member. */
typedef struct st_body__scan_t {
    const char *start, *end;
    body_error_t *err;
} body__scan_t;

/* Records the problem at `at` (offset, 1-based line and byte column) in sc->err when set; returns
 * NULL so that callers can `return body__fail(...)`. */
void *body__fail(body__scan_t *sc, const char *at, body_errcode_t code, const char *message);

/* The string body at p (after the opening quote): returns its closing quote, or NULL. Validates
 * escapes and UTF-8, so body__decode_string on the result cannot fail. *escaped is set (never
 * cleared) when the string holds escapes. */
const char *body__scan_string(body__scan_t *sc, const char *p, int *escaped);
/* Decodes the checked string body [p, q) into `o` (q - p bytes suffice: escapes only shrink);
 * returns the end of the output. */
char *body__decode_string(const char *p, const char *q, char *o);
/* The number at p (RFC 8259 section 6): returns its end, or NULL; *flags gets BODY_INTEGER for
 * integer syntax, else 0. */
const char *body__scan_number(body__scan_t *sc, const char *p, unsigned *flags);

static inline int body__same_bytes(const char *a, size_t alen, const char *b, size_t blen)
{
    return alen == blen && body_bytes_eq(a, b, alen);
}

/* Scratch memory outside the document (parser tables): aborts on failure like the allocators. */
static inline void *body__xrealloc(void *p, size_t size)
{
    if ((p = realloc(p, size)) == NULL)
        abort();
    return p;
}

#endif
