/* $SERVER_STARTER_PORT: the listening sockets start_server passes to each generation, matched to
 * the configured listeners by the address they are bound to (as h2o's src/main.c does). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include "listen_inherit.h"

/* The variable is written by start_server, but it is still outside input: bound its size. */
#define MAX_ENTRIES 256

static int parse_fd(const char *s, size_t len)
{
    long v = 0;
    if (len == 0 || len > 10)
        return -1;
    for (size_t i = 0; i != len; ++i) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v > INT_MAX ? -1 : (int)v;
}

/* Checks that `fd` is an open listening stream socket and records its bound address. */
static int check_socket(gw_inherited_socket_t *s, char *errbuf, size_t errlen)
{
    int type = 0, listening = 0;
    socklen_t len = sizeof(type);
    if (fcntl(s->fd, F_GETFD) == -1) {
        snprintf(errbuf, errlen, "$SERVER_STARTER_PORT: %s=%d: descriptor %d is not open", s->name,
                 s->fd, s->fd);
        return -1;
    }
    s->addrlen = sizeof(s->addr);
    if (getsockname(s->fd, (struct sockaddr *)&s->addr, &s->addrlen) != 0 ||
        getsockopt(s->fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0) {
        snprintf(errbuf, errlen, "$SERVER_STARTER_PORT: %s=%d: descriptor %d is not a socket (%s)",
                 s->name, s->fd, s->fd, strerror(errno));
        return -1;
    }
    len = sizeof(listening);
    if (type != SOCK_STREAM ||
        getsockopt(s->fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) != 0 || !listening) {
        snprintf(errbuf, errlen,
                 "$SERVER_STARTER_PORT: %s=%d: descriptor %d is not a listening stream socket",
                 s->name, s->fd, s->fd);
        return -1;
    }
    /* the next generation gets its own copy from start_server; ours must not leak into children */
    fcntl(s->fd, F_SETFD, FD_CLOEXEC);
    return 0;
}

int gw_inherit_init(gw_inherit_t *inh, const char *env, char *errbuf, size_t errlen)
{
    memset(inh, 0, sizeof(*inh));
    if (env == NULL)
        return 0;
    if (*env == '\0') {
        snprintf(errbuf, errlen, "$SERVER_STARTER_PORT is set but empty");
        return -1;
    }
    inh->active = 1;
    const char *start = env, *end;
    for (; *start != '\0'; start = *end == ';' ? end + 1 : end) {
        if ((end = strchr(start, ';')) == NULL)
            end = start + strlen(start);
        const char *eq = memchr(start, '=', (size_t)(end - start));
        if (eq == NULL || eq == start) {
            snprintf(errbuf, errlen,
                     "invalid $SERVER_STARTER_PORT \"%s\": expected ADDRESS=FD entries separated "
                     "by ';', got \"%.*s\"",
                     env, (int)(end - start), start);
            goto fail;
        }
        int fd = parse_fd(eq + 1, (size_t)(end - eq - 1));
        if (fd < 0) {
            snprintf(errbuf, errlen,
                     "invalid $SERVER_STARTER_PORT \"%s\": \"%.*s\" is not a file descriptor "
                     "number",
                     env, (int)(end - eq - 1), eq + 1);
            goto fail;
        }
        if (inh->num == MAX_ENTRIES) {
            snprintf(errbuf, errlen, "$SERVER_STARTER_PORT names more than %d sockets",
                     MAX_ENTRIES);
            goto fail;
        }
        for (size_t i = 0; i != inh->num; ++i)
            if (inh->socks[i].fd == fd) {
                snprintf(errbuf, errlen,
                         "invalid $SERVER_STARTER_PORT \"%s\": descriptor %d appears twice", env,
                         fd);
                goto fail;
            }
        inh->socks = realloc(inh->socks, (inh->num + 1) * sizeof(*inh->socks));
        if (inh->socks == NULL)
            abort();
        gw_inherited_socket_t *s = &inh->socks[inh->num++];
        memset(s, 0, sizeof(*s));
        s->fd = fd;
        if ((s->name = strndup(start, (size_t)(eq - start))) == NULL)
            abort();
        if (check_socket(s, errbuf, errlen) != 0)
            goto fail;
    }
    return 0;
fail:
    /* nothing was taken yet, and the descriptors stay open: they are start_server's to close */
    for (size_t i = 0; i != inh->num; ++i)
        free(inh->socks[i].name);
    free(inh->socks);
    memset(inh, 0, sizeof(*inh));
    return -1;
}

void gw_inherit_dispose(gw_inherit_t *inh)
{
    for (size_t i = 0; i != inh->num; ++i) {
        if (inh->socks[i].fd >= 0)
            close(inh->socks[i].fd);
        free(inh->socks[i].name);
    }
    free(inh->socks);
    memset(inh, 0, sizeof(*inh));
}

static int same_address(const struct sockaddr *x, const struct sockaddr *y)
{
    if (x->sa_family != y->sa_family)
        return 0;
    if (x->sa_family == AF_INET) {
        const struct sockaddr_in *a = (const void *)x, *b = (const void *)y;
        return a->sin_port == b->sin_port && a->sin_addr.s_addr == b->sin_addr.s_addr;
    }
    if (x->sa_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const void *)x, *b = (const void *)y;
        return a->sin6_port == b->sin6_port && a->sin6_scope_id == b->sin6_scope_id &&
               memcmp(&a->sin6_addr, &b->sin6_addr, sizeof(a->sin6_addr)) == 0;
    }
    return 0; /* unix sockets: Versa's listeners are TCP */
}

int gw_inherit_take(gw_inherit_t *inh, const char *host, uint16_t port, char *errbuf, size_t errlen)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    struct addrinfo *res;
    char portstr[8];
    snprintf(portstr, sizeof(portstr), "%u", port);
    int rc = getaddrinfo(host, portstr, &hints, &res);
    if (rc != 0) {
        snprintf(errbuf, errlen, "cannot resolve listen address %s: %s", host, gai_strerror(rc));
        return -1;
    }
    int fd = -1;
    for (const struct addrinfo *ai = res; ai != NULL && fd < 0; ai = ai->ai_next)
        for (size_t i = 0; i != inh->num && fd < 0; ++i)
            if (inh->socks[i].fd >= 0 &&
                same_address((const struct sockaddr *)&inh->socks[i].addr, ai->ai_addr)) {
                fd = inh->socks[i].fd;
                inh->socks[i].fd = -1;
            }
    freeaddrinfo(res);
    if (fd >= 0)
        return fd;
    char addr[300];
    if (strchr(host, ':') != NULL)
        snprintf(addr, sizeof(addr), "[%s]:%u", host, port);
    else
        snprintf(addr, sizeof(addr), "%s:%u", host, port);
    int n = snprintf(errbuf, errlen,
                     "no socket inherited from start_server is bound to %s (give start_server "
                     "--port=%s); $SERVER_STARTER_PORT has:",
                     addr, addr);
    for (size_t i = 0; i != inh->num && n > 0 && (size_t)n < errlen; ++i)
        n += snprintf(errbuf + n, errlen - (size_t)n, " %s", inh->socks[i].name);
    return -1;
}
