/* Internal: UTF-8 validation of single characters, so every text the engine produces (paths,
 * excerpts, reports) is valid UTF-8 whatever bytes the compared responses held. */
#ifndef CT_UTF8_H
#define CT_UTF8_H

#include <stddef.h>

/* Length (1..4) of the well-formed UTF-8 character at p (RFC 3629: no overlongs, no surrogates,
 * at most U+10FFFF), or 0 when the `avail` bytes at p do not start with one. */
size_t ct__utf8_seq_len(const unsigned char *p, size_t avail);

/* Copies at most `limit` bytes of s (whole characters only) into a new NUL-terminated string,
 * replacing NULs and bytes that are not UTF-8 with U+FFFD. Caller frees. */
char *ct__utf8_dup(const char *s, size_t len, size_t limit);

#endif
