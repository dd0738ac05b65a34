/* The exporter's HTTP/1.1 POST (RFC 9112): blocking, on the exporter thread only, with one
 * deadline per request enforced by poll() on a non-blocking socket. The response head and its
 * framing are read by upstream/'s wire format, so the collector's answers get the same strict
 * parsing as any upstream's. */
#include "tr_http.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include "up_http.h"

#define MAX_RESPONSE_BODY (1024 * 1024)
#define HEAD_HEADERS 64

void tr_http_init(tr_http_t *c, const up_url_t *url)
{
    up_url_copy(&c->url, url);
    c->fd = -1;
    if ((c->buf = malloc(UP_HTTP_MAX_HEAD)) == NULL)
        abort();
}

static void disconnect(tr_http_t *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
}

void tr_http_dispose(tr_http_t *c)
{
    disconnect(c);
    up_url_dispose(&c->url);
    free(c->buf);
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Waits until fd is ready for `events` or the deadline passes; -1 on timeout. */
static int wait_fd(int fd, short events, uint64_t deadline)
{
    for (;;) {
        uint64_t now = now_ms();
        if (now >= deadline)
            return -1;
        struct pollfd p = {fd, events, 0};
        int r = poll(&p, 1, (int)(deadline - now < 60000 ? deadline - now : 60000));
        if (r > 0)
            return 0;
        if (r < 0 && errno != EINTR)
            return -1;
    }
}

static int fail(char *err, size_t err_size, const char *fmt, const char *arg)
{
    snprintf(err, err_size, fmt, arg);
    return -1;
}

/* Resolves on every new connection (this thread may block; a collector's address may move). */
static int connect_to(tr_http_t *c, uint64_t deadline, char *err, size_t err_size)
{
    struct sockaddr_storage ss;
    socklen_t sslen;
    if (up_resolve(c->url.host, c->url.port, &ss, &sslen, err, err_size) != 0)
        return -1;
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return fail(err, err_size, "socket: %s", strerror(errno));
    if (connect(fd, (struct sockaddr *)&ss, sslen) != 0 && errno != EINPROGRESS) {
        close(fd);
        return fail(err, err_size, "connect: %s", strerror(errno));
    }
    int soerr = 0;
    socklen_t l = sizeof(soerr);
    if (wait_fd(fd, POLLOUT, deadline) != 0) {
        close(fd);
        return fail(err, err_size, "%s", "connect: timed out");
    }
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &l) != 0 || soerr != 0) {
        close(fd);
        return fail(err, err_size, "connect: %s", strerror(soerr != 0 ? soerr : errno));
    }
    c->fd = fd;
    return 0;
}

static int send_all(int fd, const char *p, size_t n, uint64_t deadline)
{
    while (n != 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w > 0) {
            p += w, n -= (size_t)w;
        } else if (w < 0 && errno == EINTR) {
            continue;
        } else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (wait_fd(fd, POLLOUT, deadline) != 0)
                return -1;
        } else {
            return -1;
        }
    }
    return 0;
}

/* Reads what is there (waiting up to the deadline): >0 bytes, 0 at EOF, -1 on error/timeout. */
static ssize_t recv_some(int fd, char *buf, size_t cap, uint64_t deadline)
{
    for (;;) {
        ssize_t r = recv(fd, buf, cap, 0);
        if (r >= 0)
            return r;
        if (errno == EINTR)
            continue;
        if ((errno != EAGAIN && errno != EWOULDBLOCK) || wait_fd(fd, POLLIN, deadline) != 0)
            return -1;
    }
}

static void drop_data(void *ctx, const char *p, size_t n)
{
    *(size_t *)ctx += n;
}

/* Reads the response; returns its status, or -1. *reusable says whether the connection may
 * carry the next request. */
static int read_response(int fd, char *buf, uint64_t deadline, int *reusable, char *err,
                         size_t err_size)
{
    const size_t cap = UP_HTTP_MAX_HEAD;
    size_t have = 0;
    up_header_t headers[HEAD_HEADERS];
    up_http_head_t head;
    const char *why;
    ssize_t head_len;
    for (;;) { /* the head, skipping interim 1xx answers (RFC 9110 §15.2) */
        head_len = up_http_parse_head(buf, have, &head, headers, HEAD_HEADERS, &why);
        if (head_len < 0)
            return fail(err, err_size, "bad response from the collector: %s", why);
        if (head_len > 0 && head.status >= 200)
            break;
        if (head_len > 0) { /* 1xx: drop it, keep what follows */
            memmove(buf, buf + head_len, have - (size_t)head_len);
            have -= (size_t)head_len;
            continue;
        }
        if (have == cap)
            return fail(err, err_size, "%s", "the collector's response head is too large");
        ssize_t r = recv_some(fd, buf + have, cap - have, deadline);
        if (r <= 0)
            return fail(err, err_size, "%s",
                        r == 0 ? "the collector closed the connection before answering"
                               : "no answer from the collector in time");
        have += (size_t)r;
    }
    int status = head.status;
    up_http_framing_t framing;
    uint64_t length;
    if (up_http_framing(&head, 0, &framing, &length, reusable, &why) != 0)
        return fail(err, err_size, "bad response from the collector: %s", why);
    size_t extra = have - (size_t)head_len, got = 0;
    memmove(buf, buf + head_len, extra);
    up_chunked_t chunked;
    up_chunked_init(&chunked);
    for (;;) {
        if (framing == UP_HTTP_BODY_NONE)
            return status;
        if (framing == UP_HTTP_BODY_LENGTH) {
            got += extra;
            if (got >= length) {
                *reusable &= got == length;
                return status;
            }
        } else if (framing == UP_HTTP_BODY_CHUNKED) {
            size_t data = 0;
            ssize_t used = up_chunked_decode(&chunked, buf, extra, drop_data, &data, &why);
            if (used < 0)
                return fail(err, err_size, "bad response from the collector: %s", why);
            got += data;
            if (up_chunked_done(&chunked)) {
                *reusable &= (size_t)used == extra;
                return status;
            }
        } else {
            got += extra;
        }
        if (got > MAX_RESPONSE_BODY)
            return fail(err, err_size, "%s", "the collector's response body is too large");
        ssize_t r = recv_some(fd, buf, cap, deadline);
        if (r == 0 && framing == UP_HTTP_BODY_CLOSE) {
            *reusable = 0;
            return status;
        }
        if (r <= 0)
            return fail(err, err_size, "%s", "the collector's response was cut short");
        extra = (size_t)r;
    }
}

int tr_http_post(tr_http_t *c, const char *content_type, const void *body, size_t len,
                 uint64_t timeout_ms, char *err, size_t err_size)
{
    uint64_t deadline = now_ms() + timeout_ms;
    char head[1024];
    int head_len = snprintf(head, sizeof(head),
                            "POST %s HTTP/1.1\r\nhost: %s\r\ncontent-type: %s\r\n"
                            "content-length: %zu\r\nuser-agent: versa\r\n\r\n",
                            c->url.base_path[0] != '\0' ? c->url.base_path : "/", c->url.authority,
                            content_type, len);
    if (head_len < 0 || (size_t)head_len >= sizeof(head))
        return fail(err, err_size, "%s", "the endpoint URL is too long");
    /* A kept-alive connection the collector closed meanwhile fails at once on send or with EOF
     * before any byte: then one new connection is tried (nothing was processed). */
    for (int attempt = 0; attempt != 2; ++attempt) {
        int fresh = c->fd < 0;
        if (fresh && connect_to(c, deadline, err, err_size) != 0)
            return -1;
        int reusable = 0, status = -1;
        if (send_all(c->fd, head, (size_t)head_len, deadline) == 0 &&
            send_all(c->fd, body, len, deadline) == 0)
            status = read_response(c->fd, c->buf, deadline, &reusable, err, err_size);
        else
            fail(err, err_size, "%s", "cannot send to the collector in time");
        if (status < 0 || !reusable)
            disconnect(c);
        if (status >= 0 || fresh || now_ms() >= deadline)
            return status;
    }
    return -1;
}
