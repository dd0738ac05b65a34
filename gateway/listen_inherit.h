/* Listening sockets inherited from Server::Starter (`start_server`), for zero-downtime binary
 * upgrades (docs/operations.md): start_server binds the ports once, passes them to each
 * generation of `versa serve` as open descriptors named in $SERVER_STARTER_PORT, and on SIGHUP
 * starts a new generation before sending SIGTERM to the old one. */
#ifndef GW_LISTEN_INHERIT_H
#define GW_LISTEN_INHERIT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

typedef struct st_gw_inherited_socket_t {
    char *name; /* as written in the variable: "127.0.0.1:8080", "[::1]:8080", "8080", a path */
    int fd;     /* -1 once taken: the taker owns it */
    struct sockaddr_storage addr; /* what the socket is bound to (getsockname) */
    socklen_t addrlen;
} gw_inherited_socket_t;

/* Read-only for callers; change it only through the functions below. */
typedef struct st_gw_inherit_t {
    gw_inherited_socket_t *socks;
    size_t num;
    int active; /* $SERVER_STARTER_PORT was set: every listener must come from it */
} gw_inherit_t;

/* Parses `env`, the value of $SERVER_STARTER_PORT ("host:port=fd;port=fd;/path=fd", the format
 * h2o reads), or NULL when the variable is unset (then nothing is inherited and listeners bind
 * as usual). Every descriptor must be an open listening stream socket; each is marked
 * close-on-exec. Returns 0, or -1 with errbuf filled (an empty value, an entry without '=', a bad
 * descriptor number, a descriptor that is not a listening socket, the same descriptor twice);
 * nothing is left to dispose on failure. */
int gw_inherit_init(gw_inherit_t *inh, const char *env, char *errbuf, size_t errlen);

/* Closes the sockets nobody took and frees the table. Accepts a zeroed table. */
void gw_inherit_dispose(gw_inherit_t *inh);

/* The inherited socket bound to the address `host`:`port` resolves to (as a listener would bind
 * it: a numeric address, or a name and each of its addresses), compared as bound addresses, not
 * as spelled in the variable. Returns its descriptor, which the caller now owns, or -1 with
 * errbuf filled when none is bound there (or `host` does not resolve). */
int gw_inherit_take(gw_inherit_t *inh, const char *host, uint16_t port, char *errbuf,
                    size_t errlen);

#endif
