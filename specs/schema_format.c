/* `format` assertions (JSON Schema 2020-12 §7.3) for date-time, date, time (RFC 3339 §5.6),
 * email (RFC 5321 §4.1.2 Mailbox: dot-atom or quoted local part, domain or address literal),
 * uuid (RFC 4122 §3), uri (RFC 3986 §3, absolute), ipv4 (RFC 2673 §3.2 dotted-quad), ipv6
 * (RFC 4291 §2.2) and hostname (RFC 1123 §2.1). ASCII only, as those grammars are. */
#include <string.h>
#include "schema_internal.h"

static int digit(char c)
{
    return c >= '0' && c <= '9';
}

static int alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int hex(char c)
{
    return digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

/* `n` digits at s as a number, or -1. */
static int num(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; ++i) {
        if (!digit(s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* ---- RFC 3339 ---- */

static int full_date(const char *s, size_t len)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (len != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    int y = num(s, 4), m = num(s + 5, 2), d = num(s + 8, 2);
    if (y < 0 || m < 1 || m > 12 || d < 1)
        return 0;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= days[m - 1] + (m == 2 && leap);
}

/* full-time = partial-time time-offset; a leap second only where UTC is 23:59:60 (§5.7). */
static int full_time(const char *s, size_t len)
{
    if (len < 9 || s[2] != ':' || s[5] != ':')
        return 0;
    int h = num(s, 2), mi = num(s + 3, 2), sec = num(s + 6, 2);
    if (h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 60)
        return 0;
    size_t i = 8;
    if (i < len && s[i] == '.') {
        size_t start = ++i;
        while (i < len && digit(s[i]))
            ++i;
        if (i == start)
            return 0;
    }
    int off = 0; /* minutes east of UTC */
    if (i + 1 == len && (s[i] == 'Z' || s[i] == 'z')) {
        off = 0;
    } else if (i + 6 == len && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':') {
        int oh = num(s + i + 1, 2), om = num(s + i + 4, 2);
        if (oh < 0 || oh > 23 || om < 0 || om > 59)
            return 0;
        off = (oh * 60 + om) * (s[i] == '+' ? 1 : -1);
    } else {
        return 0;
    }
    if (sec == 60) {
        int utc = ((h * 60 + mi - off) % 1440 + 1440) % 1440;
        return utc == 23 * 60 + 59;
    }
    return 1;
}

static int date_time(const char *s, size_t len)
{
    return len > 11 && (s[10] == 'T' || s[10] == 't') && full_date(s, 10) &&
           full_time(s + 11, len - 11);
}

/* ---- Addresses ---- */

static int ipv4(const char *s, size_t len)
{
    size_t i = 0;
    for (int part = 0; part < 4; ++part) {
        if (part > 0 && (i >= len || s[i++] != '.'))
            return 0;
        size_t start = i;
        while (i < len && digit(s[i]) && i - start < 4)
            ++i;
        size_t n = i - start;
        /* no leading zeros: some parsers read them as octal */
        if (n == 0 || n > 3 || (n > 1 && s[start] == '0') || num(s + start, n) > 255)
            return 0;
    }
    return i == len;
}

static int ipv6(const char *s, size_t len)
{
    size_t i = 0, groups = 0;
    int compressed = 0;
    if (len >= 2 && s[0] == ':' && s[1] == ':') {
        compressed = 1;
        i = 2;
        if (i == len)
            return 1;
    } else if (len > 0 && s[0] == ':') {
        return 0;
    }
    for (;;) {
        size_t start = i;
        while (i < len && hex(s[i]) && i - start < 5)
            ++i;
        if (i < len && s[i] == '.') {
            /* an embedded IPv4 address ends the address and counts as two groups */
            if (!ipv4(s + start, len - start))
                return 0;
            groups += 2;
            break;
        }
        if (i == start || i - start > 4)
            return 0;
        ++groups;
        if (i == len)
            break;
        if (s[i] != ':')
            return 0;
        ++i;
        if (i < len && s[i] == ':') {
            if (compressed)
                return 0; /* "::" once at most */
            compressed = 1;
            ++i;
            if (i == len)
                break;
        } else if (i == len) {
            return 0; /* a trailing single ':' */
        }
    }
    return compressed ? groups <= 7 : groups == 8;
}

/* RFC 1123 §2.1 labels (letters, digits, hyphens; not at either end; 1..63), 253 at most; one
 * trailing dot (the root) allowed. */
static int hostname(const char *s, size_t len)
{
    if (len > 0 && s[len - 1] == '.')
        --len;
    if (len == 0 || len > 253)
        return 0;
    size_t label = 0;
    for (size_t i = 0; i <= len; ++i) {
        if (i == len || s[i] == '.') {
            if (label == 0 || label > 63 || s[i - 1] == '-')
                return 0;
            label = 0;
        } else if (alpha(s[i]) || digit(s[i]) || (s[i] == '-' && label > 0)) {
            ++label;
        } else {
            return 0;
        }
    }
    return 1;
}

/* RFC 5321 §4.1.2: Local-part "@" ( Domain / address-literal ). */
static int email(const char *s, size_t len)
{
    static const char atext[] = "!#$%&'*+-/=?^_`{|}~";
    size_t i = 0;
    if (len > 0 && s[0] == '"') {
        for (i = 1; i < len && s[i] != '"'; ++i) {
            if (s[i] == '\\') {
                if (++i >= len || s[i] < 32 || s[i] > 126)
                    return 0;
            } else if (s[i] < 32 || s[i] > 126) {
                return 0;
            }
        }
        if (i >= len)
            return 0;
        ++i; /* the closing quote */
    } else {
        size_t start = 0;
        for (; i < len && s[i] != '@'; ++i) {
            if (s[i] == '.') {
                if (i == start || s[i - 1] == '.')
                    return 0;
            } else if (!alpha(s[i]) && !digit(s[i]) &&
                       (s[i] == '\0' || strchr(atext, s[i]) == NULL)) {
                return 0;
            }
        }
        if (i == 0 || s[i - 1] == '.')
            return 0;
    }
    if (i >= len || s[i] != '@')
        return 0;
    const char *d = s + i + 1;
    size_t dlen = len - i - 1;
    if (dlen >= 2 && d[0] == '[' && d[dlen - 1] == ']') {
        if (dlen > 7 && strncasecmp(d + 1, "IPv6:", 5) == 0)
            return ipv6(d + 6, dlen - 7);
        return ipv4(d + 1, dlen - 2);
    }
    return (dlen == 0 || d[dlen - 1] != '.') && hostname(d, dlen);
}

static int uuid(const char *s, size_t len)
{
    if (len != 36)
        return 0;
    for (size_t i = 0; i < 36; ++i)
        if ((i == 8 || i == 13 || i == 18 || i == 23) ? s[i] != '-' : !hex(s[i]))
            return 0;
    return 1;
}

/* ---- RFC 3986 ---- */

static int unreserved(char c)
{
    return alpha(c) || digit(c) || (c != '\0' && strchr("-._~", c) != NULL);
}

static int sub_delim(char c)
{
    return c != '\0' && strchr("!$&'()*+,;=", c) != NULL;
}

/* Whether s[0..len) is made of unreserved, percent-encoded, sub-delims and `extra` chars. */
static int uri_chars(const char *s, size_t len, const char *extra)
{
    for (size_t i = 0; i < len; ++i) {
        if (s[i] == '%') {
            if (i + 2 >= len || !hex(s[i + 1]) || !hex(s[i + 2]))
                return 0;
            i += 2;
        } else if (!unreserved(s[i]) && !sub_delim(s[i]) &&
                   (s[i] == '\0' || strchr(extra, s[i]) == NULL)) {
            return 0;
        }
    }
    return 1;
}

static int authority(const char *s, size_t len)
{
    const char *at = memchr(s, '@', len);
    if (at != NULL) {
        if (!uri_chars(s, (size_t)(at - s), ":"))
            return 0;
        len -= (size_t)(at - s) + 1;
        s = at + 1;
    }
    size_t host;
    if (len > 0 && s[0] == '[') {
        const char *close = memchr(s, ']', len);
        if (close == NULL)
            return 0;
        host = (size_t)(close - s) + 1;
        if (host > 2 && (s[1] == 'v' || s[1] == 'V')) {
            const char *dot = memchr(s, '.', host);
            if (dot == NULL || !hex(s[2]) || !uri_chars(dot + 1, (size_t)(close - dot) - 1, ":"))
                return 0;
        } else if (!ipv6(s + 1, host - 2)) {
            return 0;
        }
    } else {
        const char *colon = memchr(s, ':', len);
        host = colon != NULL ? (size_t)(colon - s) : len;
        if (!uri_chars(s, host, ""))
            return 0;
    }
    if (host == len)
        return 1;
    if (s[host] != ':')
        return 0;
    for (size_t i = host + 1; i < len; ++i)
        if (!digit(s[i]))
            return 0;
    return 1;
}

/* URI = scheme ":" hier-part [ "?" query ] [ "#" fragment ] (§3) */
static int uri(const char *s, size_t len)
{
    size_t i = 0;
    if (len == 0 || !alpha(s[0]))
        return 0;
    while (i < len && (alpha(s[i]) || digit(s[i]) || s[i] == '+' || s[i] == '-' || s[i] == '.'))
        ++i;
    if (i >= len || s[i] != ':')
        return 0;
    ++i;
    size_t end = i;
    while (end < len && s[end] != '?' && s[end] != '#')
        ++end;
    size_t path = i;
    if (end - i >= 2 && s[i] == '/' && s[i + 1] == '/') {
        size_t a = i + 2;
        path = a;
        while (path < end && s[path] != '/')
            ++path;
        if (!authority(s + a, path - a))
            return 0;
    }
    if (!uri_chars(s + path, end - path, ":@/"))
        return 0;
    if (end < len && s[end] == '?') {
        size_t q = ++end;
        while (end < len && s[end] != '#')
            ++end;
        if (!uri_chars(s + q, end - q, ":@/?"))
            return 0;
    }
    if (end < len && s[end] == '#' && !uri_chars(s + end + 1, len - end - 1, ":@/?"))
        return 0;
    return 1;
}

int spec__format_check(const char *format, const char *s, size_t len)
{
    static const struct {
        const char *name;
        int (*check)(const char *, size_t);
    } formats[] = {
        {"date-time", date_time}, {"date", full_date}, {"time", full_time},
        {"email", email},         {"uuid", uuid},      {"uri", uri},
        {"ipv4", ipv4},           {"ipv6", ipv6},      {"hostname", hostname},
    };
    for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); ++i)
        if (strcmp(format, formats[i].name) == 0)
            return formats[i].check(s, len);
    return -1;
}
