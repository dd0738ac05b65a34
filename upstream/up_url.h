/* Upstream base URLs (http[s]://host[:port][/base/path]) and their resolution. No h2o. */
#ifndef UP_URL_H
#define UP_URL_H

#include <stdint.h>
#include <sys/socket.h>

typedef struct st_up_url_t {
    char *url;       /* as given */
    char *host;      /* without IPv6 brackets: for DNS, SNI and certificate checks */
    char *authority; /* host[:port] as written: the Host header (RFC 9110 section 7.2) */
    uint16_t port;   /* 80 or 443 by default */
    int is_tls;      /* https */
    char *base_path; /* "" or "/base", never ending in '/' */
    char *origin;    /* "http[s]://authority", for curl commands */
} up_url_t;

/* Parses url into heap strings (free with up_url_dispose). Returns 0, or -1 with a message in
 * err: not http:// or https://, user information, query or fragment, no host, bad port, spaces or
 * control characters in the path. */
int up_url_parse(const char *url, up_url_t *out, char *err, size_t err_size);
/* Copies src into dst (heap strings). */
void up_url_copy(up_url_t *dst, const up_url_t *src);
/* Frees the strings; accepts a zeroed or disposed url. */
void up_url_dispose(up_url_t *u);

/* Resolves host:port with getaddrinfo: blocking, for start-up only (never on an event loop).
 * Returns 0, or -1 with a message in err. */
int up_resolve(const char *host, uint16_t port, struct sockaddr_storage *addr, socklen_t *addrlen,
               char *err, size_t err_size);

#endif
