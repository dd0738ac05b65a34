/* Tests of up_conn.c against a scripted upstream on 127.0.0.1: keep-alive reuse, chunked and
 * close-delimited bodies, the body cap, the room made for a buffered body of declared length (and
 * its 1 MiB cap), interim responses, HEAD, refused connections, timeouts, a connection closed under
 * a reused request (retried when idempotent), and malformed responses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>

#include "up_internal.h" /* the connection's socket buffer, to see the room made for a body */
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

/* Sends a prepared request and runs the loop until *done; the callback that sets it must not run
 * before the loop does. */
static void send_and_run(fixture_t *f, up_request_t *req, int *done)
{
    up_send(f->target, req);
    assert_false(*done);
    for (int i = 0; i < 1000 && !*done; i++)
        h2o_evloop_run(f->loop, 50);
    assert_true(*done);
}

/* Sends one request and runs the loop until its callback. */
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
    send_and_run(f, req, &done);
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

/* The room made for a buffered body of declared length (make_room in up_conn.c): all of it when
 * the head is read, up to 1 MiB (UP_WHOLE_ROOM_MAX); beyond, none ahead of the bytes, so that an
 * upstream that declares megabytes and stalls holds a few kilobytes here, not what it declared.
 * The bound is written out rather than taken from up_conn.c: raising it must fail these tests. */
#define ROOM_MAX ((size_t)1024 * 1024)

static const size_t ROOM_SIZES[] = {ROOM_MAX - 1, ROOM_MAX, ROOM_MAX + 1, 3 * ROOM_MAX};
#define NUM_ROOM_SIZES (sizeof(ROOM_SIZES) / sizeof(ROOM_SIZES[0]))

static char room_byte(size_t i)
{
    return (char)(i % 251); /* a prime period: a shifted or repeated run shows */
}

/* n bytes of room_byte, for a script to send (the caller frees) */
static char *room_bytes(size_t n)
{
    char *body = malloc(n);
    for (size_t i = 0; i < n; i++)
        body[i] = room_byte(i);
    return body;
}

/* The request's buffered body is exactly the n bytes room_bytes made. */
static void expect_room_body(const up_request_t *req, size_t n)
{
    assert_int_equal(req->body->size, n);
    for (size_t i = 0; i < n; i++)
        if (req->body->bytes[i] != room_byte(i))
            fail_msg("%zu bytes: byte %zu differs", n, i);
}

/* What a room test sees; `done` first, as on_done sets it through req->data. */
typedef struct {
    int done;
    int head_seen;
    size_t room; /* the socket buffer's capacity once the head was read */
    int gate;    /* written when the head is in: the script sends the body only then */
    int stall;   /* the upstream stalls after the head: cancel there */
} room_t;

/* The first on_body follows the read that brought the head, after the room was made. */
static void room_on_body(up_request_t *req)
{
    room_t *r = req->data;
    if (r->head_seen)
        return;
    r->head_seen = 1;
    r->room = req->conn->sock->input->capacity;
    if (r->stall) {
        up_request_cancel(req);
        r->done = 1;
        return;
    }
    assert_int_equal(write(r->gate, "g", 1), 1);
}

/* A GET whose response body is buffered (high_water 0), as for an adapter or validation. */
static void room_roundtrip(fixture_t *f, up_request_t *req, room_t *r)
{
    req->bufs[0] = h2o_iovec_init(H2O_STRLIT(GET));
    req->bufs[1] = h2o_iovec_init(NULL, 0);
    req->idempotent = 1;
    req->max_body = f->max_body;
    req->on_body = room_on_body;
    req->on_done = on_done;
    req->data = r;
    send_and_run(f, req, &r->done);
}

/* each of ROOM_SIZES on one connection: the head, then the body once the client has the head */
static void script_room(server_t *s)
{
    int gate = *(int *)s->data;
    char head[4096], g;
    char *body = room_bytes(ROOM_SIZES[NUM_ROOM_SIZES - 1]);
    int fd = srv_accept(s);
    for (size_t k = 0; k < NUM_ROOM_SIZES; k++) {
        srv_read_request(fd, head, sizeof(head));
        snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n",
                 ROOM_SIZES[k]);
        srv_write(fd, head);
        assert_int_equal(read(gate, &g, 1), 1);
        srv_write_n(fd, body, ROOM_SIZES[k]);
    }
    srv_read_request(fd, head, sizeof(head)); /* the client closes its idle connection */
    close(fd);
    free(body);
}

static void room_around_the_cap(void **state)
{
    int gate[2];
    assert_int_equal(pipe(gate), 0);
    server_t s;
    s.data = &gate[0];
    server_start(&s, script_room);
    fixture_t f;
    fixture_init(&f, s.port, 5000, 4 * ROOM_MAX);
    up_request_t req;
    up_request_init(&req);
    for (size_t k = 0; k < NUM_ROOM_SIZES; k++) {
        size_t n = ROOM_SIZES[k];
        room_t r = {.gate = gate[1]};
        room_roundtrip(&f, &req, &r);
        assert_int_equal(req.status, UP_OK);
        assert_true(r.head_seen);
        print_message("# %zu bytes declared: room for %zu at the head\n", n, r.room);
        if (n <= ROOM_MAX)
            assert_true(r.room >= n); /* read in place */
        else
            assert_true(r.room <= ROOM_MAX);
        assert_false(req.body_truncated);
        assert_int_equal(req.body_size, n);
        expect_room_body(&req, n);
    }
    assert_int_equal(up_target_connections(f.target), 1);
    up_request_dispose(&req);
    fixture_dispose(&f);
    server_join(&s);
    close(gate[0]);
    close(gate[1]);
}

/* Room made ahead (make_room_ahead in up_conn.c): a request on a connection whose last
 * response was buffered whole gets room for as much before its first byte, so that a response
 * arriving in one go is read into one buffer rather than one grown by doubling with copies. */
#define AHEAD_BODY ((size_t)200 * 1024)

/* two responses of AHEAD_BODY on one connection, the second only once the client has checked
 * the room it made for it */
static void script_ahead(server_t *s)
{
    int gate = *(int *)s->data;
    char head[4096], g;
    char *body = room_bytes(AHEAD_BODY);
    int fd = srv_accept(s);
    for (int k = 0; k < 2; k++) {
        srv_read_request(fd, head, sizeof(head));
        if (k == 1)
            assert_int_equal(read(gate, &g, 1), 1);
        snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n",
                 AHEAD_BODY);
        srv_write(fd, head);
        srv_write_n(fd, body, AHEAD_BODY);
    }
    /* a third, chunked: copied out of the room made ahead for it, which stays with the socket */
    srv_read_request(fd, head, sizeof(head));
    srv_write(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
    srv_read_request(fd, head, sizeof(head)); /* the client closes its idle connection */
    close(fd);
    free(body);
}

static void room_ahead_of_a_response(void **state)
{
    int gate[2];
    assert_int_equal(pipe(gate), 0);
    server_t s;
    s.data = &gate[0];
    server_start(&s, script_ahead);
    fixture_t f;
    fixture_init(&f, s.port, 5000, 4 * ROOM_MAX);
    up_request_t req;
    up_request_init(&req);
    for (int k = 0; k < 2; k++) {
        int done = 0;
        req.bufs[0] = h2o_iovec_init(H2O_STRLIT(GET));
        req.bufs[1] = h2o_iovec_init(NULL, 0);
        req.idempotent = 1;
        req.max_body = f.max_body; /* buffered (high_water 0) */
        req.on_done = on_done;
        req.data = &done;
        up_send(f.target, &req);
        if (k == 1) { /* sent on the pooled connection, no byte of the response read yet */
            assert_non_null(req.conn);
            size_t room = req.conn->sock->input->capacity;
            print_message("# after a %zu-byte body: room for %zu ahead of the next\n",
                          AHEAD_BODY, room);
            assert_true(room >= AHEAD_BODY + strlen("HTTP/1.1 200 OK\r\nContent-Length: \r\n\r\n"));
            assert_true(room <= ROOM_MAX);
            assert_int_equal(write(gate[1], "g", 1), 1);
        }
        for (int i = 0; i < 1000 && !done; i++)
            h2o_evloop_run(f.loop, 50);
        assert_true(done);
        assert_int_equal(req.status, UP_OK);
        expect_room_body(&req, AHEAD_BODY);
    }
    /* the third response is chunked: copied out of the room made ahead for it; idle again, the
     * connection keeps no more than 64 KB of read buffer (h2o_buffer_consume gives an emptied
     * buffer back) */
    int done = 0;
    req.data = &done;
    up_send(f.target, &req);
    assert_true(req.conn->sock->input->capacity > 64 * 1024); /* room made ahead */
    for (int i = 0; i < 1000 && !done; i++)
        h2o_evloop_run(f.loop, 50);
    assert_true(done);
    assert_int_equal(req.status, UP_OK);
    assert_int_equal(req.body->size, 5);
    assert_memory_equal(req.body->bytes, "hello", 5);
    assert_int_equal(up_target_connections(f.target), 1);
    assert_int_equal(f.target->num_idle, 1);
    size_t idle_room = f.target->idle[0]->sock->input->capacity;
    print_message("# idle after a %zu-byte body: %zu bytes of read buffer\n", AHEAD_BODY,
                  idle_room);
    assert_true(idle_room <= 64 * 1024);
    up_request_dispose(&req);
    fixture_dispose(&f);
    server_join(&s);
    close(gate[0]);
    close(gate[1]);
}

/* 200 MB declared, then nothing: the head alone, then the head and ten body bytes */
static void script_stall(server_t *s)
{
    static const char *const heads[] = {
        "HTTP/1.1 200 OK\r\nContent-Length: 200000000\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 200000000\r\n\r\n0123456789",
    };
    char head[4096];
    for (size_t k = 0; k < 2; k++) {
        int fd = srv_accept(s);
        srv_read_request(fd, head, sizeof(head));
        srv_write(fd, heads[k]);
        srv_read_request(fd, head, sizeof(head)); /* stalls until the client gives up */
        close(fd);
    }
}

static void room_capped_for_a_stalled_body(void **state)
{
    server_t s;
    server_start(&s, script_stall);
    fixture_t f;
    fixture_init(&f, s.port, 5000, 256 * ROOM_MAX); /* the body limit is not what stops it */
    for (int k = 0; k < 2; k++) {
        up_request_t req;
        up_request_init(&req);
        room_t r = {.stall = 1};
        room_roundtrip(&f, &req, &r);
        assert_true(r.head_seen);
        assert_int_equal(req.content_length, 200000000);
        print_message("# 200000000 bytes declared, then a stall: room for %zu\n", r.room);
        assert_true(r.room <= ROOM_MAX);
        up_request_dispose(&req);
    }
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
        cmocka_unit_test(room_around_the_cap),
        cmocka_unit_test(room_capped_for_a_stalled_body),
        cmocka_unit_test(room_ahead_of_a_response),
        cmocka_unit_test(stale_connections),
        cmocka_unit_test(failures),
        cmocka_unit_test(refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
