/* Upstream base URLs (RFC 3986 authority and path, no query or fragment) and start-up DNS. */
#include "up_url.h"

#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static char *dup_n(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (p == NULL)
        abort();
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

static int fail(char *err, size_t err_size, const char *url, const char *why)
{
    snprintf(err, err_size, "%.120s: %s", url, why);
    return -1;
}

int up_url_parse(const char *url, up_url_t *out, char *err, size_t err_size)
{
    memset(out, 0, sizeof(*out));
    int tls = strncasecmp(url, "https://", 8) == 0;
    if (!tls && strncasecmp(url, "http://", 7) != 0)
        return fail(err, err_size, url, "expected an http:// or https:// URL");
    const char *auth = url + (tls ? 8 : 7), *end = auth + strcspn(auth, "/?#");
    if (*end == '?' || *end == '#' || strpbrk(end, "?#") != NULL)
        return fail(err, err_size, url, "a base URL takes no query or fragment");
    if (memchr(auth, '@', (size_t)(end - auth)) != NULL)
        return fail(err, err_size, url, "user information in URLs is not supported");
    const char *host = auth, *host_end, *port = NULL;
    if (*auth == '[') {
        host_end = memchr(auth, ']', (size_t)(end - auth));
        if (host_end == NULL)
            return fail(err, err_size, url, "unterminated IPv6 address");
        host++;
        if (host_end + 1 < end) {
            if (host_end[1] != ':')
                return fail(err, err_size, url, "bad authority");
            port = host_end + 2;
        }
    } else {
        host_end = memchr(auth, ':', (size_t)(end - auth));
        if (host_end != NULL)
            port = host_end + 1;
        else
            host_end = end;
    }
    if (host_end == host)
        return fail(err, err_size, url, "no host");
    unsigned long p = tls ? 443 : 80;
    if (port != NULL) {
        char *stop;
        if (port == end || *port < '0' || *port > '9')
            return fail(err, err_size, url, "bad port");
        p = strtoul(port, &stop, 10);
        if (stop != end || p == 0 || p > 65535)
            return fail(err, err_size, url, "bad port");
    }
    size_t blen = strlen(end);
    while (blen > 0 && end[blen - 1] == '/')
        blen--;
    for (size_t i = 0; i < blen; i++)
        if ((unsigned char)end[i] <= 0x20 || end[i] == 0x7f)
            return fail(err, err_size, url, "spaces or control characters in the path");
    out->url = dup_n(url, strlen(url));
    out->host = dup_n(host, (size_t)(host_end - host));
    out->authority = dup_n(auth, (size_t)(end - auth));
    out->port = (uint16_t)p;
    out->is_tls = tls;
    out->base_path = dup_n(end, blen);
    size_t olen = strlen(out->authority) + 9;
    out->origin = malloc(olen);
    if (out->origin == NULL)
        abort();
    snprintf(out->origin, olen, "%s://%s", tls ? "https" : "http", out->authority);
    return 0;
}

void up_url_copy(up_url_t *dst, const up_url_t *src)
{
    dst->url = dup_n(src->url, strlen(src->url));
    dst->host = dup_n(src->host, strlen(src->host));
    dst->authority = dup_n(src->authority, strlen(src->authority));
    dst->port = src->port;
    dst->is_tls = src->is_tls;
    dst->base_path = dup_n(src->base_path, strlen(src->base_path));
    dst->origin = dup_n(src->origin, strlen(src->origin));
}

void up_url_dispose(up_url_t *u)
{
    free(u->url);
    free(u->host);
    free(u->authority);
    free(u->base_path);
    free(u->origin);
    memset(u, 0, sizeof(*u));
}

int up_resolve(const char *host, uint16_t port, struct sockaddr_storage *addr, socklen_t *addrlen,
               char *err, size_t err_size)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV}, *res;
    char service[8];
    snprintf(service, sizeof(service), "%u", port);
    int rc = getaddrinfo(host, service, &hints, &res);
    if (rc != 0) {
        snprintf(err, err_size, "cannot resolve %.64s: %s", host, gai_strerror(rc));
        return -1;
    }
    memcpy(addr, res->ai_addr, res->ai_addrlen);
    *addrlen = res->ai_addrlen;
    freeaddrinfo(res);
    return 0;
}
