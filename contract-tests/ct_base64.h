/* Internal: base64 (RFC 4648 section 4, standard alphabet) for bodies that are not UTF-8. */
#ifndef CT_BASE64_H
#define CT_BASE64_H

#include <stddef.h>

/* Characters the encoding of n bytes takes (with padding, without NUL). */
#define CT_BASE64_ENCODED_LEN(n) ((((n) + 2) / 3) * 4)

/* Writes the encoding of len bytes to out (CT_BASE64_ENCODED_LEN(len) bytes, no NUL). */
void ct__base64_encode(const void *data, size_t len, char *out);

/* Decodes text into out, which must hold len / 4 * 3 + 3 bytes. Padding may be omitted;
 * whitespace and characters outside the alphabet are errors. Returns the decoded length, or
 * (size_t)-1 when the text is not base64. */
size_t ct__base64_decode(const char *text, size_t len, unsigned char *out);

#endif
