/* Tests of up_conn.c against a scripted upstream on 127.0.0.1: keep-alive reuse, chunked and
 * close-delimited bodies, the body cap, interim responses, HEAD, refused connections, timeouts, a
 * connection closed under a reused request (retried when idempotent), and malformed responses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>

#include "upstream.h"
#include "script_server.h"

/* The client side: one loop, one client, one target. */
typedef struct {
    h2o_loop_t *loop;
    up_target_t *target;
    size_t max_body;
} fixture_t;

static void fixture_init_cfg(fixture_t *f, uint16_t port, const up_target_config_t *cfg)
{
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
                              .sin_port = htons(port)};
    f->loop = h2o_evloop_create();
    f->target = up_target_create(f->loop, cfg, (struct sockaddr *)&sin, sizeof(sin), "127.0.0.1");
    assert_non_null(f->target);
}

static void fixture_init(fixture_t *f, uint16_t port, uint64_t io_timeout_ms, size_t max_body)
{
    up_target_config_t cfg;
    up_target_config_init(&cfg);
    cfg.io_timeout_ms = io_timeout_ms;
    cfg.connect_timeout_ms = 1000;
    f->max_body = max_body;
    fixture_init_cfg(f, port, &cfg);
}

static void fixture_dispose(fixture_t *f)
{
    up_target_destroy(f->target);
    h2o_evloop_run(f->loop, 0);
    h2o_evloop_destroy(f->loop);
}

static void on_done(up_request_t *req)
{
    *(int *)req->data = 1;
}

/* Sends one request and runs the loop until its callback; the callback must not be called before
 * the loop runs. */
static void roundtrip(fixture_t *f, up_request_t *req, const char *head, const char *body)
{
    int done = 0;
    req->bufs[0] = h2o_iovec_init(head, strlen(head));
    req->bufs[1] = h2o_iovec_init(body, body != NULL ? strlen(body) : 0);
    req->method_is_head = strncmp(head, "HEAD ", 5) == 0;
    req->idempotent = strncmp(head, "POST ", 5) != 0;
    req->on_done = on_done;
    req->data = &done;
    req->max_body = f->max_body;
    up_send(f->target, req);
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
    up_request_t req;
    up_request_init(&req);

    roundtrip(&f, &req, GET, NULL);
    assert_int_equal(req.status, UP_OK);
    assert_int_equal(req.res_status, 200);
    assert_int_equal(req.num_headers, 2);
    assert_memory_equal(req.headers[0].name, "Content-Type", 12);
    assert_int_equal(req.body->size, 5);
    assert_memory_equal(req.body->bytes, "hello", 5);

    roundtrip(&f, &req, GET, NULL);
    assert_int_equal(req.status, UP_OK);
    assert_int_equal(req.body->size, 7);
    assert_memory_equal(req.body->bytes, "abcdefg", 7);

    roundtrip(&f, &req, "POST /base/x HTTP/1.1\r\ncontent-length: 4\r\n\r\n", "data");
    assert_int_equal(req.status, UP_OK);
    assert_int_equal(req.res_status, 200); /* the interim 100 was skipped */
    assert_memory_equal(req.body->bytes, "ok", 2);

    roundtrip(&f, &req, "HEAD /base/x HTTP/1.1\r\n\r\n", NULL);
    assert_int_equal(req.status, UP_OK);
    assert_int_equal(req.body->size, 0);
    assert_int_equal(req.content_length, 1000); /* as declared, for a relay to repeat */

    roundtrip(&f, &req, GET, NULL);
    assert_int_equal(req.status, UP_OK);
    assert_int_equal(req.body_size, 13);
    assert_int_equal(req.body->size, 8); /* the cap */
    assert_true(req.body_truncated);
    assert_int_equal(up_target_connections(f.target), 1);

    roundtrip(&f, &req, GET, NULL);
    assert_int_equal(req.status, UP_OK);
    assert_int_equal(req.res_status, 201);
    assert_true(req.body_truncated);
    assert_int_equal(req.body_size, 12);
    assert_memory_equal(req.body->bytes, "01234567", 8);
    assert_int_equal(up_target_connections(f.target), 2);

    up_request_dispose(&req);
    fixture_dispose(&f);
    server_join(&s);
}

/* A pooled connection closed when reused: GET is sent again, POST is not. */
/* a buffered body of declared length in pieces (read into room made for all of it at the head),
 * then a chunked one on the same connection */
#define BIG 100000
static void script_big(server_t *s)
{
    char head[4096];
    static char body[BIG + 1];
    for (size_t i = 0; i < BIG; i++)
        body[i] = (char)('a' + i % 26);
    int fd = srv_accept(s);
    srv_read_request(fd, head, sizeof(head));
    srv_write(fd, "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\nabc");
    usleep(20000);
    body[40000] = '\0';
    srv_write(fd, body + 3);
    body[40000] = (char)('a' + 40000 % 26);
    usleep(20000);
    srv_write(fd, body + 40000);
    srv_read_request(fd, head, sizeof(head));
    srv_write(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n");
    srv_read_request(fd, head, sizeof(head)); /* the client closes its idle connection */
    close(fd);
}

static void big_body_in_pieces(void **state)
{
    server_t s;
    server_start(&s, script_big);
    fixture_t f;
    fixture_init(&f, s.port, 5000, 2 * BIG);
    up_request_t req;
    up_request_init(&req);
    roundtrip(&f, &req, GET, NULL);
    assert_int_equal(req.status, UP_OK);
    assert_int_equal(req.body_size, BIG);
    assert_int_equal(req.body->size, BIG);
    for (size_t i = 0; i < BIG; i++)
        if (req.body->bytes[i] != (char)('a' + i % 26))
            fail_msg("byte %zu differs", i);
    roundtrip(&f, &req, GET, NULL);
    assert_int_equal(req.status, UP_OK);
    assert_int_equal(req.body->size, 2);
    assert_memory_equal(req.body->bytes, "ok", 2);
    assert_int_equal(up_target_connections(f.target), 1);
    up_request_dispose(&req);
    fixture_dispose(&f);
    server_join(&s);
}

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
    up_request_t req;
    up_request_init(&req);
    roundtrip(&f, &req, GET, NULL);
    roundtrip(&f, &req, GET, NULL);
    assert_int_equal(req.status, UP_OK);
    assert_memory_equal(req.body->bytes, "b", 1);
    assert_int_equal(up_target_connections(f.target), 2);
    roundtrip(&f, &req, "POST /base/x HTTP/1.1\r\ncontent-length: 0\r\n\r\n", NULL);
    assert_int_equal(req.status, UP_ERR_CLOSED);
    assert_non_null(strstr(req.error, "closed the connection before responding"));
    up_request_dispose(&req);
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
    up_request_t req;
    up_request_init(&req);
    roundtrip(&f, &req, GET, NULL);
    assert_int_equal(req.status, UP_ERR_BODY);
    assert_non_null(strstr(req.error, "in the middle of the body"));
    roundtrip(&f, &req, GET, NULL);
    assert_int_equal(req.status, UP_ERR_BAD_RESPONSE);
    assert_non_null(strstr(req.error, "invalid status line"));
    roundtrip(&f, &req, GET, NULL);
    assert_int_equal(req.status, UP_ERR_BODY);
    assert_non_null(strstr(req.error, "invalid chunk size"));
    assert_int_equal(req.body->size, 0); /* no framing byte passed as body */
    roundtrip(&f, &req, GET, NULL);
    assert_int_equal(req.status, UP_ERR_TIMEOUT);
    assert_non_null(strstr(req.error, "no response data for 300 ms"));
    up_request_dispose(&req);
    fixture_dispose(&f);
    server_join(&s);
}

static void refused(void **state)
{
    /* a port that is bound but not listening refuses connections */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    bind(fd, (struct sockaddr *)&sin, sizeof(sin));
    socklen_t len = sizeof(sin);
    getsockname(fd, (struct sockaddr *)&sin, &len);
    fixture_t f;
    fixture_init(&f, ntohs(sin.sin_port), 1000, 1024);
    char err[128];
    assert_int_equal(up_target_probe(f.target, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "Connection refused"));
    up_request_t req;
    up_request_init(&req);
    roundtrip(&f, &req, GET, NULL);
    assert_int_equal(req.status, UP_ERR_CONNECT);
    up_request_dispose(&req);
    fixture_dispose(&f);
    close(fd);

}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bodies_and_keep_alive),
        cmocka_unit_test(big_body_in_pieces),
        cmocka_unit_test(stale_connections),
        cmocka_unit_test(failures),
        cmocka_unit_test(refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
