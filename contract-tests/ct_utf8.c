/* UTF-8 validation (RFC 3629 section 4) and sanitizing of caller-provided names. */
#include "ct_utf8.h"

#include <string.h>

#include "ct_alloc.h"

size_t ct__utf8_seq_len(const unsigned char *p, size_t avail)
{
    unsigned char c = p[0];
    size_t n;
    unsigned min, cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2, min = 0x80, cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3, min = 0x800, cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4, min = 0x10000, cp = c & 0x07;
    } else {
        return 0;
    }
    if (avail < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

char *ct__utf8_dup(const char *s, size_t len, size_t limit)
{
    char *out = ct__xmalloc(limit + 1);
    size_t n = 0;
    for (size_t i = 0; i < len;) {
        size_t k = s[i] != '\0' ? ct__utf8_seq_len((const unsigned char *)s + i, len - i) : 0;
        const char *unit = k != 0 ? s + i : "\xef\xbf\xbd";
        size_t unit_len = k != 0 ? k : 3;
        if (n + unit_len > limit)
            break;
        memcpy(out + n, unit, unit_len);
        n += unit_len;
        i += k != 0 ? k : 1;
    }
    out[n] = '\0';
    return out;
}
