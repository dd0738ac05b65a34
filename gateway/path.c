/* Request path normalisation on the encoded path, segment-wise prefix matching and decoding. */
#include "path.h"

#include <string.h>

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes the escape at s[0] ('%'), bounds-checked against `end`; -1 when it is not %XX. */
static int escape_at(const char *s, const char *end)
{
    if (end - s < 3)
        return -1;
    int hi = hexval((unsigned char)s[1]), lo = hexval((unsigned char)s[2]);
    return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
}

/* Space and controls are never valid in a request target (RFC 9112 §3.2) and would let a client
 * split the request line we send upstream. */
static int is_forbidden(unsigned char c)
{
    return c <= 0x20 || c == 0x7f;
}

/* Number of dots the segment spells ("." = 1, "%2e%2E" = 2), or 0 when it is not all dots. */
static int dot_count(const char *s, size_t len)
{
    int dots = 0;
    for (size_t i = 0; i < len; ++dots) {
        if (s[i] == '.')
            i += 1;
        else if (len - i >= 3 && s[i] == '%' && s[i + 1] == '2' && (s[i + 2] | 0x20) == 'e')
            i += 3;
        else
            return 0;
    }
    return dots;
}

static int validate(const char *in, size_t len)
{
    if (len == 0 || in[0] != '/')
        return -1;
    for (size_t i = 0; i != len; ++i) {
        unsigned char c = (unsigned char)in[i];
        if (is_forbidden(c))
            return -1;
        if (c == '%') {
            int v = escape_at(in + i, in + len);
            if (v <= 0) /* bad escape, or %00 which decodes to a NUL upstream */
                return -1;
            i += 2;
        }
    }
    return 0;
}

long gw_path_normalize(const char *in, size_t len, char *out)
{
    if (validate(in, len) != 0)
        return -1;
    /* RFC 3986 §5.2.4 on whole segments; empty segments ("//") are dropped except a final one,
     * which keeps the trailing slash, as does a final "." or "..". The output never grows: every
     * segment written is preceded by a '/' consumed from the input. */
    size_t o = 0;
    int trailing_slash = 0;
    const char *p = in + 1, *end = in + len;
    for (;;) {
        const char *seg = p;
        while (p != end && *p != '/')
            ++p;
        size_t seg_len = (size_t)(p - seg);
        int last = p == end;
        int dots = dot_count(seg, seg_len);
        if (seg_len == 0 || dots == 1) {
            trailing_slash = last;
        } else if (dots == 2) {
            while (o > 0 && out[--o] != '/')
                ;
            trailing_slash = last;
        } else {
            out[o++] = '/';
            memcpy(out + o, seg, seg_len);
            o += seg_len;
            trailing_slash = 0;
        }
        if (last)
            break;
        ++p;
    }
    if (trailing_slash || o == 0)
        out[o++] = '/';
    out[o] = '\0';
    return (long)o;
}

int gw_path_has_prefix(const char *path, size_t len, const char *prefix, size_t prefix_len)
{
    const char *p = path, *end = path + len;
    for (size_t i = 0; i != prefix_len; ++i) {
        if (p == end)
            return 0;
        int c = (unsigned char)*p;
        /* An encoded '/' is data inside a segment, never a separator, so it matches only itself. */
        if (c == '%' && prefix[i] != '/') {
            if ((c = escape_at(p, end)) < 0 || c == '/')
                return 0;
            p += 3;
        } else {
            p += 1;
        }
        if (c != (unsigned char)prefix[i])
            return 0;
    }
    return p == end || *p == '/';
}

size_t gw_path_first_segment(const char *path, size_t len, const char **seg, const char **rest)
{
    const char *p = path, *end = path + len;
    if (p != end && *p == '/')
        ++p;
    *seg = p;
    while (p != end && *p != '/')
        ++p;
    *rest = p;
    return (size_t)(p - *seg);
}

long gw_path_decode(const char *in, size_t len, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i != len; ++i) {
        if (in[i] == '%') {
            int v = escape_at(in + i, in + len);
            if (v < 0)
                return -1;
            out[o++] = (char)v;
            i += 2;
        } else {
            out[o++] = in[i];
        }
    }
    out[o] = '\0';
    return (long)o;
}
