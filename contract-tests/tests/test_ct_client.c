/* Tests of ct_client.c against a scripted upstream on 127.0.0.1 (a thread with blocking sockets):
 * keep-alive reuse, chunked and close-delimited bodies, the body cap, interim responses, HEAD,
 * refused connections, timeouts, a connection closed under a reused request (retried when
 * idempotent), and malformed responses. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ct_client.h"

typedef struct st_server_t server_t;
typedef void (*script_fn)(server_t *s);

struct st_server_t {
    int listen_fd;
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

static void srv_write(int fd, const char *s)
{
    size_t len = strlen(s);
    assert_int_equal(write(fd, s, len), (ssize_t)len);
}

static void *server_main(void *arg)
{
    server_t *s = arg;
    s->script(s);
    return NULL;
}

static void server_start(server_t *s, script_fn script)
{
    s->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(s->listen_fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
    socklen_t len = sizeof(sin);
    getsockname(s->listen_fd, (struct sockaddr *)&sin, &len);
    s->port = ntohs(sin.sin_port);
    assert_int_equal(listen(s->listen_fd, 16), 0);
    s->script = script;
    pthread_create(&s->thread, NULL, server_main, s);
}

static void server_join(server_t *s)
{
    pthread_join(s->thread, NULL);
    close(s->listen_fd);
}

/* The client side: one loop, one client, one target. */
typedef struct {
    h2o_loop_t *loop;
    ct_client_t *client;
    ct_target_t *target;
} fixture_t;

static void fixture_init(fixture_t *f, uint16_t port, uint64_t io_timeout_ms, size_t max_body)
{
    char url[64];
    snprintf(url, sizeof(url), "http://127.0.0.1:%u/base/", port);
    ct_url_t u;
    ct_error_t err;
    assert_int_equal(ct__url_parse(url, &u, &err), 0);
    assert_string_equal(u.base_path, "/base");
    f->loop = h2o_evloop_create();
    ct_client_config_t cfg;
    ct__client_config_init(&cfg);
    cfg.io_timeout_ms = io_timeout_ms;
    cfg.connect_timeout_ms = 1000;
    cfg.max_body = max_body;
    f->client = ct__client_create(f->loop, &cfg);
    f->target = ct__target_create(f->client, &u, &err);
    assert_non_null(f->target);
    ct__url_dispose(&u);
}

static void fixture_dispose(fixture_t *f)
{
    ct__target_destroy(f->target);
    ct__client_destroy(f->client);
    h2o_evloop_run(f->loop, 0);
    h2o_evloop_destroy(f->loop);
}

static void on_done(ct_request_t *req)
{
    *(int *)req->data = 1;
}

/* Sends one request and runs the loop until its callback; the callback must not be called before
 * the loop runs. */
static void roundtrip(fixture_t *f, ct_request_t *req, const char *head, const char *body)
{
    int done = 0;
    req->bufs[0] = h2o_iovec_init(head, strlen(head));
    req->bufs[1] = h2o_iovec_init(body, body != NULL ? strlen(body) : 0);
    req->method_is_head = strncmp(head, "HEAD ", 5) == 0;
    req->idempotent = strncmp(head, "POST ", 5) != 0;
    req->cb = on_done;
    req->data = &done;
    ct__client_send(f->target, req);
    assert_false(done);
    for (int i = 0; i < 1000 && !done; i++)
        h2o_evloop_run(f->loop, 50);
    assert_true(done);
}

#define GET "GET /base/x HTTP/1.1\r\nhost: t\r\n\r\n"

/* keep-alive, chunked, then close-delimited on one then a second connection */
static void script_bodies(server_t *s)
{
    char head[4096];
    int fd = srv_accept(s);
    srv_read_request(fd, head, sizeof(head));
    srv_write(fd, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello");
    srv_read_request(fd, head, sizeof(head));
    srv_write(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n");
    usleep(20000);
    srv_write(fd, "4\r\ndefg\r\n0\r\n\r\n");
    srv_read_request(fd, head, sizeof(head));
    srv_write(fd, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    srv_read_request(fd, head, sizeof(head));
    srv_write(fd, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"); /* HEAD: no body */
    srv_read_request(fd, head, sizeof(head));
    srv_write(fd, "HTTP/1.0 200 OK\r\n\r\nuntil the end");
    close(fd);
    fd = srv_accept(s);
    srv_read_request(fd, head, sizeof(head));
    srv_write(fd, "HTTP/1.1 201 Created\r\nContent-Length: 12\r\n\r\n0123456789ab");
    srv_read_request(fd, head, sizeof(head)); /* the client closes its idle connection */
    close(fd);
}

static void bodies_and_keep_alive(void **state)
{
    server_t s;
    server_start(&s, script_bodies);
    fixture_t f;
    fixture_init(&f, s.port, 5000, 8);
    ct_request_t req;
    ct__request_init(&req);

    roundtrip(&f, &req, GET, NULL);
    assert_int_equal(req.status, CT_CLIENT_OK);
    assert_int_equal(req.res_status, 200);
    assert_int_equal(req.num_headers, 2);
    assert_memory_equal(req.headers[0].name, "Content-Type", 12);
    assert_int_equal(req.body.len, 5);
    assert_memory_equal(req.body.base, "hello", 5);

    roundtrip(&f, &req, GET, NULL);
    assert_int_equal(req.status, CT_CLIENT_OK);
    assert_int_equal(req.body.len, 7);
    assert_memory_equal(req.body.base, "abcdefg", 7);

    roundtrip(&f, &req, "POST /base/x HTTP/1.1\r\ncontent-length: 4\r\n\r\n", "data");
    assert_int_equal(req.status, CT_CLIENT_OK);
    assert_int_equal(req.res_status, 200); /* the interim 100 was skipped */
    assert_memory_equal(req.body.base, "ok", 2);

    roundtrip(&f, &req, "HEAD /base/x HTTP/1.1\r\n\r\n", NULL);
    assert_int_equal(req.status, CT_CLIENT_OK);
    assert_int_equal(req.body.len, 0);

    roundtrip(&f, &req, GET, NULL);
    assert_int_equal(req.status, CT_CLIENT_OK);
    assert_int_equal(req.body_size, 13);
    assert_int_equal(req.body.len, 8); /* the cap */
    assert_true(req.body_truncated);
    assert_int_equal(ct__target_connections(f.target), 1);

    roundtrip(&f, &req, GET, NULL);
    assert_int_equal(req.status, CT_CLIENT_OK);
    assert_int_equal(req.res_status, 201);
    assert_true(req.body_truncated);
    assert_int_equal(req.body_size, 12);
    assert_memory_equal(req.body.base, "01234567", 8);
    assert_int_equal(ct__target_connections(f.target), 2);

    ct__request_dispose(&req);
    fixture_dispose(&f);
    server_join(&s);
}

/* A pooled connection closed when reused: GET is sent again, POST is not. */
static void script_stale(server_t *s)
{
    char head[4096];
    int fd = srv_accept(s);
    srv_read_request(fd, head, sizeof(head));
    srv_write(fd, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na");
    srv_read_request(fd, head, sizeof(head));
    close(fd); /* as if the idle timeout struck just as the request arrived */
    fd = srv_accept(s);
    srv_read_request(fd, head, sizeof(head));
    srv_write(fd, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb");
    srv_read_request(fd, head, sizeof(head)); /* the POST: closed, and not sent again */
    close(fd);
}

static void stale_connections(void **state)
{
    server_t s;
    server_start(&s, script_stale);
    fixture_t f;
    fixture_init(&f, s.port, 5000, 1024);
    ct_request_t req;
    ct__request_init(&req);
    roundtrip(&f, &req, GET, NULL);
    roundtrip(&f, &req, GET, NULL);
    assert_int_equal(req.status, CT_CLIENT_OK);
    assert_memory_equal(req.body.base, "b", 1);
    assert_int_equal(ct__target_connections(f.target), 2);
    roundtrip(&f, &req, "POST /base/x HTTP/1.1\r\ncontent-length: 0\r\n\r\n", NULL);
    assert_int_equal(req.status, CT_CLIENT_ERR_CLOSED);
    assert_non_null(strstr(req.error, "closed the connection before responding"));
    ct__request_dispose(&req);
    fixture_dispose(&f);
    server_join(&s);
}

static void script_failures(server_t *s)
{
    char head[4096];
    int fd = srv_accept(s);
    srv_read_request(fd, head, sizeof(head));
    srv_write(fd, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
    close(fd); /* mid-body */
    fd = srv_accept(s);
    srv_read_request(fd, head, sizeof(head));
    srv_write(fd, "SMTP ready\r\n\r\n");
    close(fd);
    fd = srv_accept(s);
    srv_read_request(fd, head, sizeof(head));
    srv_write(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");
    close(fd);
    fd = srv_accept(s);
    srv_read_request(fd, head, sizeof(head));
    /* never answers: the client times out */
    char c;
    while (read(fd, &c, 1) > 0)
        ;
    close(fd);
}

static void failures(void **state)
{
    server_t s;
    server_start(&s, script_failures);
    fixture_t f;
    fixture_init(&f, s.port, 300, 1024);
    ct_request_t req;
    ct__request_init(&req);
    roundtrip(&f, &req, GET, NULL);
    assert_int_equal(req.status, CT_CLIENT_ERR_CLOSED);
    assert_non_null(strstr(req.error, "in the middle of the body"));
    roundtrip(&f, &req, GET, NULL);
    assert_int_equal(req.status, CT_CLIENT_ERR_PROTOCOL);
    assert_non_null(strstr(req.error, "invalid status line"));
    roundtrip(&f, &req, GET, NULL);
    assert_int_equal(req.status, CT_CLIENT_ERR_PROTOCOL);
    assert_non_null(strstr(req.error, "invalid chunk size"));
    roundtrip(&f, &req, GET, NULL);
    assert_int_equal(req.status, CT_CLIENT_ERR_TIMEOUT);
    assert_non_null(strstr(req.error, "no response data for 300 ms"));
    ct__request_dispose(&req);
    fixture_dispose(&f);
    server_join(&s);
}

static void refused_and_urls(void **state)
{
    /* a port that is bound but not listening refuses connections */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    bind(fd, (struct sockaddr *)&sin, sizeof(sin));
    socklen_t len = sizeof(sin);
    getsockname(fd, (struct sockaddr *)&sin, &len);
    fixture_t f;
    fixture_init(&f, ntohs(sin.sin_port), 1000, 1024);
    ct_error_t err;
    assert_int_equal(ct__target_probe(f.target, &err), -1);
    assert_non_null(strstr(err.message, "Connection refused"));
    ct_request_t req;
    ct__request_init(&req);
    roundtrip(&f, &req, GET, NULL);
    assert_int_equal(req.status, CT_CLIENT_ERR_CONNECT);
    ct__request_dispose(&req);
    fixture_dispose(&f);
    close(fd);

    ct_url_t u;
    assert_int_equal(ct__url_parse("http://[::1]:8080", &u, &err), 0);
    assert_string_equal(u.host, "::1");
    assert_string_equal(u.authority, "[::1]:8080");
    assert_int_equal(u.port, 8080);
    assert_string_equal(u.base_path, "");
    assert_string_equal(u.origin, "http://[::1]:8080");
    ct__url_dispose(&u);
    assert_int_equal(ct__url_parse("http://example.com", &u, &err), 0);
    assert_int_equal(u.port, 80);
    ct__url_dispose(&u);
    static const char *bad[] = {"https://x",   "ftp://x",        "http://",
                                "http://x:0",  "http://x:99999", "http://u@x",
                                "http://x/?q", "http://x/#f",    "http://x:12a"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (ct__url_parse(bad[i], &u, &err) != -1)
            fail_msg("accepted %s", bad[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bodies_and_keep_alive),
        cmocka_unit_test(stale_connections),
        cmocka_unit_test(failures),
        cmocka_unit_test(refused_and_urls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
