/* The service manager's readiness protocol (sd_notify(3)) without libsystemd: one datagram to the
 * AF_UNIX socket named by $NOTIFY_SOCKET. Outside systemd (no variable) nothing is sent. */
#ifndef GW_NOTIFY_H
#define GW_NOTIFY_H

#include <stddef.h>

/* Sends state ("READY=1", "STOPPING=1", newline-separated assignments) to the socket named by
 * socket_path: a filesystem path, or an abstract address written "@name". NULL or "" is a no-op
 * that returns 0. Returns 0, or -1 with a message in err (a bad path, or the send failed); the
 * caller decides whether that matters (systemd's Type=notify times out, nothing else breaks).
 * Blocking but bounded: a datagram to a local socket. Thread-safe. */
int gw_notify_send(const char *socket_path, const char *state, char *err, size_t err_size);

/* gw_notify_send() with getenv("NOTIFY_SOCKET"). */
int gw_notify(const char *state, char *err, size_t err_size);

#endif
