/* Test support: a scripted upstream on 127.0.0.1, a thread with blocking sockets that plays
 * one script function (accept, read requests, write bytes, close). Included by the client's
 * tests only. */
#ifndef UP_TESTS_SCRIPT_SERVER_H
#define UP_TESTS_SCRIPT_SERVER_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

typedef struct st_server_t server_t;
typedef void (*script_fn)(server_t *s);

struct st_server_t {
    int listen_fd;
    void *data;
    uint16_t port;
    script_fn script;
    pthread_t thread;
};

static int srv_accept(server_t *s)
{
    int fd = accept(s->listen_fd, NULL, NULL);
    assert_true(fd >= 0);
    return fd;
}

/* Reads one request (head and Content-Length body); returns 0, or -1 when the peer closed. */
static int srv_read_request(int fd, char *head, size_t size)
{
    size_t n = 0;
    while (n < size - 1) {
        ssize_t got = read(fd, head + n, 1);
        if (got <= 0)
            return -1;
        n++;
        head[n] = '\0';
        if (n >= 4 && memcmp(head + n - 4, "\r\n\r\n", 4) == 0)
            break;
    }
    const char *cl = strstr(head, "content-length: ");
    if (cl != NULL) {
        long body = atol(cl + 16);
        char buf[256];
        while (body > 0) {
            ssize_t got = read(fd, buf, body < 256 ? (size_t)body : 256);
            if (got <= 0)
                return -1;
            body -= got;
        }
    }
    return 0;
}

static void srv_write_n(int fd, const char *p, size_t len)
{
    while (len != 0) { /* a blocking write of megabytes may still return early on a signal */
        ssize_t n = write(fd, p, len);
        assert_true(n > 0);
        p += n;
        len -= (size_t)n;
    }
}

static void srv_write(int fd, const char *s)
{
    srv_write_n(fd, s, strlen(s));
}

static void *server_main(void *arg)
{
    server_t *s = arg;
    s->script(s);
    return NULL;
}

static void server_start_backlog(server_t *s, script_fn script, int backlog)
{
    s->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(s->listen_fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
    socklen_t len = sizeof(sin);
    getsockname(s->listen_fd, (struct sockaddr *)&sin, &len);
    s->port = ntohs(sin.sin_port);
    assert_int_equal(listen(s->listen_fd, backlog), 0);
    s->script = script;
    pthread_create(&s->thread, NULL, server_main, s);
}

static void server_start(server_t *s, script_fn script)
{
    server_start_backlog(s, script, 16);
}

static void server_join(server_t *s)
{
    pthread_join(s->thread, NULL);
    close(s->listen_fd);
}

#endif
