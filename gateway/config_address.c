/* Address syntax in the config: "host:port" for listeners, http(s) URLs for upstreams, and the
 * normalised paths of prefixes and upstream base paths. Nothing is resolved here. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include "config_internal.h"
#include "path.h"

/* --- host and port --- */

static int parse_port(const char *s, size_t len, uint16_t *out)
{
    if (len == 0 || len > 5)
        return -1;
    unsigned v = 0;
    for (size_t i = 0; i != len; ++i) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    if (v == 0 || v > 65535)
        return -1;
    *out = (uint16_t)v;
    return 0;
}

/* RFC 1123 host name: dot-separated labels of letters, digits and inner hyphens. */
static int is_hostname(const char *s, size_t len)
{
    if (len == 0 || len > 253)
        return 0;
    size_t label = 0;
    for (size_t i = 0; i != len; ++i) {
        char c = s[i];
        if (c == '.') {
            if (label == 0 || s[i - 1] == '-')
                return 0;
            label = 0;
        } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   (c == '-' && label != 0)) {
            if (++label > 63)
                return 0;
        } else {
            return 0;
        }
    }
    return label != 0 && s[len - 1] != '-';
}

static int all_digits_and_dots(const char *s, size_t len)
{
    for (size_t i = 0; i != len; ++i)
        if (!((s[i] >= '0' && s[i] <= '9') || s[i] == '.'))
            return 0;
    return 1;
}

/* Splits "host:port", "[v6]:port" (port optional when default_port != 0). The host is returned
 * without brackets, IP literals in their canonical spelling so that "[0::1]" equals "[::1]".
 * Returns NULL, or a message saying what is wrong. */
static const char *parse_hostport(const char *s, size_t len, uint16_t default_port, char **host,
                                  uint16_t *port)
{
    const char *h, *after;
    size_t hlen;
    char buf[INET6_ADDRSTRLEN + 1];
    unsigned char addr[sizeof(struct in6_addr)];
    if (len != 0 && s[0] == '[') {
        const char *close = memchr(s, ']', len);
        if (close == NULL)
            return "unterminated '[' in IPv6 address";
        h = s + 1;
        hlen = (size_t)(close - h);
        if (hlen == 0 || hlen >= sizeof(buf))
            return "invalid IPv6 address";
        memcpy(buf, h, hlen);
        buf[hlen] = '\0';
        if (inet_pton(AF_INET6, buf, addr) != 1)
            return "invalid IPv6 address";
        inet_ntop(AF_INET6, addr, buf, sizeof(buf));
        after = close + 1;
    } else {
        const char *colon = memchr(s, ':', len);
        h = s;
        hlen = colon != NULL ? (size_t)(colon - s) : len;
        if (colon != NULL && memchr(colon + 1, ':', len - hlen - 1) != NULL)
            return "IPv6 addresses must be written in brackets, e.g. [::1]:8080";
        if (hlen == 0)
            return "missing host (use 0.0.0.0 or [::] for every interface)";
        if (all_digits_and_dots(h, hlen)) {
            if (hlen >= sizeof(buf))
                return "invalid IPv4 address";
            memcpy(buf, h, hlen);
            buf[hlen] = '\0';
            if (inet_pton(AF_INET, buf, addr) != 1)
                return "invalid IPv4 address";
        } else if (!is_hostname(h, hlen)) {
            return "invalid host name";
        } else {
            buf[0] = '\0'; /* a name: kept as written */
        }
        after = h + hlen;
    }
    size_t rest = (size_t)(s + len - after);
    if (rest == 0) {
        if (default_port == 0)
            return "missing port (expected host:port)";
        *port = default_port;
    } else if (after[0] != ':' || parse_port(after + 1, rest - 1, port) != 0) {
        return "invalid port (expected 1-65535)";
    }
    *host = buf[0] != '\0' ? xstrdup(buf) : xstrndup(h, hlen);
    return NULL;
}

int gw__config_read_address(gw__config_loader_t *l, const spec_node_t *n, char **address,
                            char **host, uint16_t *port)
{
    const char *s, *why;
    if (gw__config_read_string(l, n, &s) != 0)
        return -1;
    if (strstr(s, "://") != NULL)
        return gw__config_fail(l, n, "expected host:port, not a URL: '%s'", s);
    if ((why = parse_hostport(s, strlen(s), 0, host, port)) != NULL)
        return gw__config_fail(l, n, "%s: '%s'", why, s);
    lowercase(*host);
    *address = xstrdup(s);
    return 0;
}

/* --- upstream URLs --- */

/* A normalised absolute path (a prefix, or an upstream base path) with the trailing '/' dropped:
 * "/pets/" -> "/pets", "/" -> "". Returns NULL, or what is wrong. */
const char *gw__config_normalised_path(const char *s, size_t len, int allow_escapes, char **out)
{
    if (len == 0 || s[0] != '/')
        return "must start with '/'";
    for (size_t i = 0; i != len; ++i) {
        unsigned char c = (unsigned char)s[i];
        if (c == '?' || c == '#')
            return "must not contain '?' or '#'";
        if (c == '%' && !allow_escapes)
            return "must not contain percent-escapes (write the characters themselves)";
        if (c <= 0x20 || c == 0x7f || strchr("\"<>\\^`{|}", c) != NULL)
            return "contains a character that is not allowed in a URL path";
    }
    char *norm = h2o_mem_alloc(len + 1);
    long n = gw_path_normalize(s, len, norm);
    if (n < 0 || (size_t)n != len || memcmp(norm, s, len) != 0) {
        free(norm);
        return n < 0 ? "is not a valid path (bad percent-escape?)"
                     : "must be normalised (no empty, '.' or '..' segments)";
    }
    if (norm[len - 1] == '/') /* the only empty segment normalisation keeps */
        norm[len - 1] = '\0';
    *out = norm;
    return NULL;
}

int gw__config_read_upstream(gw__config_loader_t *l, const spec_node_t *n, gw_upstream_t *up)
{
    const char *s, *why;
    if (gw__config_read_string(l, n, &s) != 0)
        return -1;
    size_t len = strlen(s), scheme_len;
    if (strncasecmp(s, "http://", 7) == 0)
        scheme_len = 7;
    else if (strncasecmp(s, "https://", 8) == 0)
        scheme_len = 8, up->is_tls = 1;
    else if (strstr(s, "://") != NULL)
        return gw__config_fail(l, n, "unsupported scheme in '%s' (expected http:// or https://)",
                               s);
    else
        return gw__config_fail(l, n, "'%s' is not an absolute http:// or https:// URL", s);
    const char *auth = s + scheme_len, *end = s + len;
    const char *auth_end = auth;
    while (auth_end != end && *auth_end != '/' && *auth_end != '?' && *auth_end != '#')
        ++auth_end;
    if (memchr(auth, '@', (size_t)(auth_end - auth)) != NULL)
        return gw__config_fail(l, n, "user information is not allowed in upstream URLs");
    if (auth_end == auth)
        return gw__config_fail(l, n, "missing host in '%s'", s);
    if ((why = parse_hostport(auth, (size_t)(auth_end - auth), up->is_tls ? 443 : 80, &up->host,
                              &up->port)) != NULL)
        return gw__config_fail(l, n, "%s in '%s'", why, s);
    lowercase(up->host);
    up->url = xstrdup(s);
    up->authority = xstrndup(auth, (size_t)(auth_end - auth));
    if (auth_end == end) {
        up->base_path = xstrdup("");
    } else if (*auth_end != '/') {
        return gw__config_fail(l, n, "upstream URLs must not have a query or fragment");
    } else if ((why = gw__config_normalised_path(auth_end, (size_t)(end - auth_end), 1,
                                                 &up->base_path)) != NULL) {
        return gw__config_fail(l, n, "the path of '%s' %s", s, why);
    }
    return 0;
}

void gw__config_free_upstream(gw_upstream_t *up)
{
    free(up->url);
    free(up->host);
    free(up->authority);
    free(up->base_path);
}
