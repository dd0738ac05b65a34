/* sd_notify for Type=notify units: READY=1 once the listeners accept, STOPPING=1 when the drain
 * starts. The protocol is a single datagram (systemd's sd_notify(3), "NOTIFY_SOCKET"), so a
 * dependency on libsystemd is not worth it. */
#include "notify.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

int gw_notify_send(const char *socket_path, const char *state, char *err, size_t err_size)
{
    if (socket_path == NULL || socket_path[0] == '\0')
        return 0;
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    size_t len = strlen(socket_path);
    /* "@name" is an abstract address: the leading byte is NUL and the length says the rest */
    if ((socket_path[0] != '/' && socket_path[0] != '@') || len >= sizeof(addr.sun_path)) {
        snprintf(err, err_size, "NOTIFY_SOCKET \"%.100s\" is not a socket path", socket_path);
        return -1;
    }
    memcpy(addr.sun_path, socket_path, len);
    if (socket_path[0] == '@')
        addr.sun_path[0] = '\0';
    socklen_t addr_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len +
                                     (socket_path[0] == '/' ? 1 : 0));
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(err, err_size, "notify socket: %s", strerror(errno));
        return -1;
    }
    size_t n = strlen(state);
    ssize_t sent;
    do
        sent = sendto(fd, state, n, MSG_NOSIGNAL, (struct sockaddr *)&addr, addr_len);
    while (sent < 0 && errno == EINTR);
    int saved = errno;
    close(fd);
    if (sent < 0 || (size_t)sent != n) {
        snprintf(err, err_size, "cannot notify %.100s: %s", socket_path,
                 sent < 0 ? strerror(saved) : "short send");
        return -1;
    }
    return 0;
}

int gw_notify(const char *state, char *err, size_t err_size)
{
    return gw_notify_send(getenv("NOTIFY_SOCKET"), state, err, err_size);
}
