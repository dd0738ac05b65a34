/* Tests of up_pool.c: opening paced against an upstream with a tiny listen backlog that accepts
 * slowly, the bounded queue (length and wait), streaming with backpressure, and a request
 * cancelled from its own callback. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>

#include "upstream.h"
#include "script_server.h"

#define GET "GET / HTTP/1.1\r\nhost: t\r\n\r\n"
#define N 12

typedef struct {
    h2o_loop_t *loop;
    up_target_t *target;
} fixture_t;

static void fixture_init(fixture_t *f, uint16_t port, const up_target_config_t *cfg)
{
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
                              .sin_port = htons(port)};
    f->loop = h2o_evloop_create();
    f->target = up_target_create(f->loop, cfg, (struct sockaddr *)&sin, sizeof(sin), "127.0.0.1");
}

static void fixture_dispose(fixture_t *f)
{
    up_target_destroy(f->target);
    h2o_evloop_run(f->loop, 0);
    h2o_evloop_destroy(f->loop);
}

static int finished;

static void on_done(up_request_t *req)
{
    finished++;
}

static void run_until(fixture_t *f, int count)
{
    for (int i = 0; i < 400 && finished < count; i++)
        h2o_evloop_run(f->loop, 50);
}

static void send_get(fixture_t *f, up_request_t *req)
{
    up_request_init(req);
    req->bufs[0] = h2o_iovec_init(GET, strlen(GET));
    req->idempotent = 1;
    req->max_body = 1024;
    req->on_done = on_done;
    up_send(f->target, req);
}

/* Serves each connection in a thread of its own, after accepting slowly (as a small server with
 * listen(1) does); answers with keep-alive until the client closes. */
static void *serve_conn(void *arg)
{
    int fd = (int)(intptr_t)arg;
    char head[4096];
    while (srv_read_request(fd, head, sizeof(head)) == 0) {
        usleep(5000);
        srv_write(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    }
    close(fd);
    return NULL;
}

static void script_slow_accept(server_t *s)
{
    for (int i = 0; i < 3; i++) { /* the pool never needs more than max_connections */
        usleep(100000);
        int fd = accept(s->listen_fd, NULL, NULL);
        if (fd < 0)
            return;
        pthread_t t;
        pthread_create(&t, NULL, serve_conn, (void *)(intptr_t)fd);
        pthread_detach(t);
    }
}

static void paced_opening(void **state)
{
    server_t s;
    server_start_backlog(&s, script_slow_accept, 0);
    up_target_config_t cfg;
    up_target_config_init(&cfg);
    cfg.max_connecting = 1;
    cfg.max_connections = 3;
    cfg.connect_timeout_ms = 300; /* less than a SYN retransmit: an overflow would fail */
    cfg.connect_retries = 0;
    fixture_t f;
    fixture_init(&f, s.port, &cfg);
    static up_request_t reqs[N];
    finished = 0;
    for (int i = 0; i < N; i++)
        send_get(&f, &reqs[i]);
    assert_int_equal(up_target_queued(f.target), N - 1);
    run_until(&f, N);
    assert_int_equal(finished, N);
    for (int i = 0; i < N; i++) {
        assert_int_equal(reqs[i].status, UP_OK);
        assert_memory_equal(reqs[i].body->bytes, "ok", 2);
        up_request_dispose(&reqs[i]);
    }
    assert_true(up_target_connections(f.target) <= 3);
    fixture_dispose(&f);
    shutdown(s.listen_fd, SHUT_RDWR); /* ends an accept still waiting */
    server_join(&s);
}

static void script_hold(server_t *s)
{
    char head[4096];
    int fd = srv_accept(s);
    srv_read_request(fd, head, sizeof(head));
    usleep(400000);
    srv_write(fd, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na");
    srv_read_request(fd, head, sizeof(head));
    srv_write(fd, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb");
    srv_read_request(fd, head, sizeof(head));
    close(fd);
}

static void bounded_queue(void **state)
{
    server_t s;
    server_start(&s, script_hold);
    up_target_config_t cfg;
    up_target_config_init(&cfg);
    cfg.max_connections = 1;
    cfg.max_queue = 2;
    cfg.queue_timeout_ms = 150;
    fixture_t f;
    fixture_init(&f, s.port, &cfg);
    up_request_t reqs[4];
    finished = 0;
    send_get(&f, &reqs[0]); /* takes the one connection for 400 ms */
    send_get(&f, &reqs[1]); /* waits longer than 150 ms */
    send_get(&f, &reqs[2]); /* likewise */
    send_get(&f, &reqs[3]); /* the queue is full */
    run_until(&f, 4);
    assert_int_equal(reqs[0].status, UP_OK);
    assert_int_equal(reqs[1].status, UP_ERR_QUEUE_TIMEOUT);
    assert_non_null(strstr(reqs[1].error, "no upstream connection free within 150 ms"));
    assert_int_equal(reqs[2].status, UP_ERR_QUEUE_TIMEOUT);
    assert_int_equal(reqs[3].status, UP_ERR_QUEUE_FULL);
    /* the connection went back to the pool and serves the next request */
    finished = 0;
    up_request_dispose(&reqs[1]);
    send_get(&f, &reqs[1]);
    run_until(&f, 1);
    assert_int_equal(reqs[1].status, UP_OK);
    assert_memory_equal(reqs[1].body->bytes, "b", 1);
    for (int i = 0; i < 4; i++)
        up_request_dispose(&reqs[i]);
    fixture_dispose(&f);
    server_join(&s);
}

/* 8 MiB in chunks, then a HEAD-less keep-alive response for a cancelled request. */
static void script_big(server_t *s)
{
    char head[4096];
    int fd = srv_accept(s);
    srv_read_request(fd, head, sizeof(head));
    srv_write(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
    static char chunk[16 * 1024 + 16];
    int n = snprintf(chunk, sizeof(chunk), "%x\r\n", 16 * 1024);
    memset(chunk + n, 'x', 16 * 1024);
    memcpy(chunk + n + 16 * 1024, "\r\n", 3);
    for (int i = 0; i < 512; i++)
        srv_write(fd, chunk);
    srv_write(fd, "0\r\n\r\n");
    srv_read_request(fd, head, sizeof(head));
    srv_write(fd, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc");
    char c;
    while (read(fd, &c, 1) > 0) /* the cancelled request's connection is closed */
        ;
    close(fd);
}

static size_t most_buffered;

static void on_body(up_request_t *req)
{
    if (req->body->size > most_buffered)
        most_buffered = req->body->size;
}

static void on_head_cancel(up_request_t *req)
{
    up_request_cancel(req);
}

static void streaming_and_cancel(void **state)
{
    server_t s;
    server_start(&s, script_big);
    up_target_config_t cfg;
    up_target_config_init(&cfg);
    fixture_t f;
    fixture_init(&f, s.port, &cfg);
    up_request_t req;
    up_request_init(&req);
    req.bufs[0] = h2o_iovec_init(GET, strlen(GET));
    req.high_water = 64 * 1024;
    req.on_body = on_body;
    req.on_done = on_done;
    finished = 0;
    most_buffered = 0;
    up_send(f.target, &req);
    uint64_t taken = 0;
    int held = 0;
    for (int i = 0; i < 20000 && finished == 0; i++) {
        size_t before = req.body->size;
        h2o_evloop_run(f.loop, 1);
        held += before >= req.high_water && req.body->size == before;
        /* a slow reader: takes what is buffered now and then */
        if (i % 3 == 0 && req.body->size != 0) {
            taken += req.body->size;
            h2o_buffer_consume(&req.body, req.body->size);
            up_request_resume(&req);
        }
    }
    assert_int_equal(finished, 1);
    assert_int_equal(req.status, UP_OK);
    assert_int_equal(taken + req.body->size, 512 * 16 * 1024);
    /* bounded by the high water plus what one read takes from the kernel's buffers */
    /* reads stopped while the reader lagged (what one read takes from the kernel's buffers can
     * exceed the high water: h2o reads until EAGAIN) */
    assert_true(held > 0);
    assert_true(most_buffered < 512 * 16 * 1024);

    /* cancelled from inside its head callback: no on_done, the connection is closed */
    req.high_water = 0;
    req.on_body = NULL;
    req.on_head = on_head_cancel;
    finished = 0;
    up_send(f.target, &req);
    for (int i = 0; i < 20; i++)
        h2o_evloop_run(f.loop, 10);
    assert_int_equal(finished, 0);
    up_request_dispose(&req);
    fixture_dispose(&f);
    server_join(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(paced_opening),
        cmocka_unit_test(bounded_queue),
        cmocka_unit_test(streaming_and_cancel),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
