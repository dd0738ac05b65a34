/* Tests of tr_exporter.c (and tr_http.c through it) against a scripted collector thread on
 * 127.0.0.1: batches arrive as OTLP/HTTP POSTs, a dead collector fails its batches, a hanging one
 * fills the queue and what does not fit is dropped and counted, oversized spans are refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "tr_exporter.h"

typedef struct {
    int listen_fd;
    uint16_t port;
    int answer; /* 0: never answer */
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int requests; /* complete requests received */
    char first_head[1024];
} collector_t;

static int read_request(int fd, char *head, size_t head_cap)
{
    char buf[65536];
    size_t have = 0;
    char *end;
    for (;;) {
        ssize_t r = read(fd, buf + have, sizeof(buf) - have - 1);
        if (r <= 0)
            return -1;
        have += (size_t)r;
        buf[have] = '\0';
        if ((end = strstr(buf, "\r\n\r\n")) != NULL)
            break;
    }
    size_t head_len = (size_t)(end + 4 - buf);
    snprintf(head, head_cap, "%.*s", (int)head_len, buf);
    const char *cl = strstr(buf, "content-length: ");
    size_t body = cl != NULL ? strtoul(cl + 16, NULL, 10) : 0, got = have - head_len;
    while (got < body) {
        ssize_t r = read(fd, buf, sizeof(buf));
        if (r <= 0)
            return -1;
        got += (size_t)r;
    }
    return 0;
}

static void *collector_main(void *arg)
{
    collector_t *c = arg;
    for (;;) {
        int fd = accept(c->listen_fd, NULL, NULL);
        if (fd < 0)
            return NULL;
        char head[1024];
        while (read_request(fd, head, sizeof(head)) == 0) {
            pthread_mutex_lock(&c->lock);
            if (c->requests++ == 0)
                memcpy(c->first_head, head, sizeof(head));
            pthread_cond_broadcast(&c->cond);
            pthread_mutex_unlock(&c->lock);
            if (!c->answer)
                continue; /* the exporter's timeout ends this */
            static const char ok[] = "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok";
            if (write(fd, ok, sizeof(ok) - 1) < 0)
                break;
        }
        close(fd);
    }
}

static void collector_start(collector_t *c, int answer)
{
    memset(c, 0, sizeof(*c));
    c->answer = answer;
    pthread_mutex_init(&c->lock, NULL);
    pthread_cond_init(&c->cond, NULL);
    c->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t l = sizeof(a);
    assert_int_equal(bind(c->listen_fd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(listen(c->listen_fd, 16), 0);
    getsockname(c->listen_fd, (struct sockaddr *)&a, &l);
    c->port = ntohs(a.sin_port);
    pthread_create(&c->thread, NULL, collector_main, c);
}

static void collector_wait(collector_t *c, int requests)
{
    pthread_mutex_lock(&c->lock);
    while (c->requests < requests)
        pthread_cond_wait(&c->cond, &c->lock);
    pthread_mutex_unlock(&c->lock);
}

static void collector_stop(collector_t *c)
{
    shutdown(c->listen_fd, SHUT_RDWR);
    close(c->listen_fd);
    pthread_join(c->thread, NULL);
}

static tr_exporter_t *start(uint16_t port, size_t queue, size_t batch, uint64_t flush_ms,
                            uint64_t timeout_ms)
{
    char url[64], err[256];
    snprintf(url, sizeof(url), "http://127.0.0.1:%u/v1/traces", port);
    tr_exporter_config_t cfg = {.endpoint = url, .service_name = "versa",
                                .service_version = "0.1.0", .queue_size = queue,
                                .batch_size = batch, .flush_interval_ms = flush_ms,
                                .timeout_ms = timeout_ms};
    tr_exporter_t *e;
    assert_int_equal(tr_exporter_create(&e, &cfg, err, sizeof(err)), 0);
    return e;
}

static tr_span_t a_span(void)
{
    static const tr_attr_t attrs[] = {{"http.request.method", TR_ATTR_STRING, "GET", 3, 0}};
    tr_span_t s = {.name = "GET", .name_len = 3, .kind = TR_SPAN_SERVER, .start_ns = 1,
                   .end_ns = 2, .attrs = attrs, .num_attrs = 1};
    memset(s.trace_id, 1, 16);
    memset(s.span_id, 2, 8);
    return s;
}

static void exports_batches(void **state)
{
    collector_t c;
    collector_start(&c, 1);
    tr_exporter_t *e = start(c.port, 100, 2, 50, 5000);
    tr_span_t s = a_span();
    for (int i = 0; i != 5; ++i)
        assert_int_equal(tr_exporter_submit(e, &s), 0);
    collector_wait(&c, 2); /* two full batches at once, the last one after the interval */
    tr_exporter_destroy(e); /* flushes the rest */
    assert_non_null(strstr(c.first_head, "POST /v1/traces HTTP/1.1\r\n"));
    assert_non_null(strstr(c.first_head, "content-type: application/x-protobuf\r\n"));
    assert_int_equal(c.requests, 3);
    collector_stop(&c);
}

static void dead_collector(void **state)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0); /* bound, not listening: connects are refused */
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t l = sizeof(a);
    bind(fd, (struct sockaddr *)&a, sizeof(a));
    getsockname(fd, (struct sockaddr *)&a, &l);
    tr_exporter_t *e = start(ntohs(a.sin_port), 100, 3, 60000, 5000);
    tr_span_t s = a_span();
    for (int i = 0; i != 3; ++i)
        assert_int_equal(tr_exporter_submit(e, &s), 0); /* a full batch: sent at once */
    tr_exporter_stats_t st;
    do {
        usleep(10000);
        tr_exporter_stats(e, &st);
    } while (st.requests_failed == 0);
    assert_int_equal(st.failed, 3);
    assert_int_equal(st.exported, 0);
    assert_int_equal(st.requests_ok, 0);
    tr_exporter_destroy(e);
    close(fd);
}

static void hanging_collector_drops(void **state)
{
    collector_t c;
    collector_start(&c, 0);
    tr_exporter_t *e = start(c.port, 2, 2, 60000, 300);
    tr_span_t s = a_span();
    assert_int_equal(tr_exporter_submit(e, &s), 0);
    assert_int_equal(tr_exporter_submit(e, &s), 0); /* a full batch: sent, never answered */
    collector_wait(&c, 1);
    /* the exporter waits for the answer: the queue fills, then spans are dropped */
    assert_int_equal(tr_exporter_submit(e, &s), 0);
    assert_int_equal(tr_exporter_submit(e, &s), 0);
    for (int i = 0; i != 3; ++i)
        assert_int_equal(tr_exporter_submit(e, &s), -1);
    tr_exporter_stats_t st;
    tr_exporter_stats(e, &st);
    assert_int_equal(st.dropped[TR_DROP_QUEUE_FULL], 3);
    /* the hung request times out, the next batch is sent and times out too */
    collector_wait(&c, 2);
    for (;;) {
        tr_exporter_stats(e, &st);
        if (st.requests_failed == 2)
            break;
        usleep(10000);
    }
    assert_int_equal(st.failed, 4);
    assert_int_equal(st.exported, 0);
    assert_int_equal(st.queued, 0);
    tr_exporter_destroy(e);
    collector_stop(&c);
}

static void too_large_and_bad_endpoint(void **state)
{
    tr_exporter_t *e = start(9, 10, 10, 60000, 100);
    static char big[TR_OTLP_MAX_STRING];
    memset(big, 'x', sizeof(big));
    tr_attr_t attrs[20];
    for (int i = 0; i != 20; ++i)
        attrs[i] = tr_attr_str("k", big, sizeof(big));
    tr_span_t s = a_span();
    s.attrs = attrs;
    s.num_attrs = 20;
    assert_int_equal(tr_exporter_submit(e, &s), -1);
    tr_exporter_stats_t st;
    tr_exporter_stats(e, &st);
    assert_int_equal(st.dropped[TR_DROP_TOO_LARGE], 1);
    assert_int_equal(st.queued, 0);
    tr_exporter_destroy(e);
    char err[256];
    tr_exporter_config_t cfg = {.endpoint = "https://collector:4318/v1/traces",
                                .service_name = "versa", .service_version = "0",
                                .queue_size = 1, .batch_size = 1, .flush_interval_ms = 1,
                                .timeout_ms = 1};
    assert_int_equal(tr_exporter_create(&e, &cfg, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "https"));
    cfg.endpoint = "http://collector:4318/v1/traces?x=1";
    assert_int_equal(tr_exporter_create(&e, &cfg, err, sizeof(err)), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(exports_batches),
        cmocka_unit_test(dead_collector),
        cmocka_unit_test(hanging_collector_drops),
        cmocka_unit_test(too_large_and_bad_endpoint),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
