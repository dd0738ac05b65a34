/* Internal: short, valid UTF-8 display texts of values (JSON, header values, raw bytes) for
 * difference samples. Work is bounded by the excerpt size, never by the size of the value. */
#ifndef CT_EXCERPT_H
#define CT_EXCERPT_H

#include <stddef.h>

#include "body.h"

/* Space an excerpt of `limit` bytes needs: the text, a trailing "…" and the NUL. */
#define CT_EXCERPT_SIZE(limit) ((limit) + 8)

/* Compact JSON of v, cut after `limit` bytes (at a character boundary) and marked with "…" when
 * cut; numbers as ct__format_number writes them. Returns the length. */
size_t ct__excerpt_json(const body_value_t *v, size_t limit, char *out);

/* Text of len bytes at s starting at `offset`, for one-line display: control characters, '\' and
 * bytes that are not UTF-8 are escaped (\n, \t, \r, \\, \xNN). A "…" marks text cut on either
 * side. Returns the length. */
size_t ct__excerpt_text(const char *s, size_t len, size_t offset, size_t limit, char *out);

/* The number as JSON text, by value: integers within int64 exactly, integral reals as "100.0",
 * other reals (and integers beyond int64) in the shortest %g form that reads back to the same
 * double; a number beyond a double's range as its source text (cut to 31 bytes). out must hold
 * 32 bytes. Returns the length. */
size_t ct__format_number(const body_value_t *v, char *out);

#endif
