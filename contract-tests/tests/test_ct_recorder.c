/* Tests of ct_recorder.c: lines written and flushed, redaction, text vs base64 bodies and
 * truncation, rotation (keep N, truncate, oversized lines), overflow dropped and counted (also
 * with a stalled writer), write errors counted, and whole lines from concurrent producers. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sys/stat.h>

#include "ct_recorder.h"
#include "ct_capture_test.h"

static char *dir;

static int setup(void **state)
{
    dir = ct_test_tmpdir();
    return 0;
}

static int teardown(void **state)
{
    ct_test_rmdir(dir);
    return 0;
}

static char *path_in_dir(const char *name)
{
    char *p = malloc(strlen(dir) + strlen(name) + 2);
    sprintf(p, "%s/%s", dir, name);
    return p;
}

/* An exchange for /items/NNNN (fixed width, so every line has the same length). */
typedef struct {
    char path[32];
    ct_header_t req_headers[2];
    ct_exchange_t x;
} item_t;

static void item_init(item_t *it, int n, const char *body, size_t body_len)
{
    snprintf(it->path, sizeof(it->path), "/items/%04d", n);
    it->req_headers[0] = (ct_header_t){"Authorization", 13, "Bearer secret", 13};
    it->req_headers[1] = (ct_header_t){"Accept", 6, "*/*", 3};
    it->x = (ct_exchange_t){
        .time = {"2024-01-01T00:00:00.000Z", 24},
        .request = {.method = {"GET", 3},
                    .path = {it->path, strlen(it->path)},
                    .headers = it->req_headers,
                    .num_headers = 2},
        .response = {.status = 200, .body = {.bytes = body, .len = body_len}},
    };
}

static ct_recorder_t *recorder(const char *file, uint64_t max_bytes, unsigned keep,
                               size_t queue_bytes)
{
    ct_recorder_config_t cfg;
    ct_recorder_config_init(&cfg);
    cfg.path = file;
    cfg.max_bytes = max_bytes;
    cfg.keep = keep;
    if (queue_bytes != 0)
        cfg.queue_bytes = queue_bytes;
    ct_error_t err;
    ct_recorder_t *rec = ct_recorder_create(&cfg, &err);
    if (rec == NULL)
        fail_msg("%s", err.message);
    return rec;
}

/* The paths recorded in a file, in order, as a string "0001 0002"; "" for an empty file. */
static char *items_in(const char *file)
{
    char *text = ct_test_slurp(file, NULL);
    if (text == NULL)
        return NULL;
    char *out = calloc(1, strlen(text) + 1);
    for (char *line = text, *nl; (nl = strchr(line, '\n')) != NULL; line = nl + 1) {
        json_t *v = json_loadb(line, (size_t)(nl - line), 0, NULL);
        assert_non_null(v);
        const char *p = json_string_value(json_object_get(json_object_get(v, "request"), "path"));
        if (out[0] != '\0')
            strcat(out, " ");
        strcat(out, p + strlen("/items/"));
        json_decref(v);
    }
    free(text);
    return out;
}

static void assert_items(const char *file, const char *expected)
{
    char *got = items_in(file);
    if (expected == NULL) {
        if (got != NULL)
            fail_msg("%s exists, holding %s", file, got);
        return;
    }
    if (got == NULL)
        fail_msg("%s does not exist", file);
    if (strcmp(got, expected) != 0)
        fail_msg("%s holds \"%s\", expected \"%s\"", file, got, expected);
    free(got);
}

static void writes_redacted_lines(void **state)
{
    char *file = path_in_dir("w.jsonl");
    ct_recorder_t *rec = recorder(file, 0, 5, 0);
    for (int i = 0; i < 3; i++) {
        item_t it;
        item_init(&it, i, i == 1 ? "\x00\xff" : "{\"ok\":true}", i == 1 ? 2 : 11);
        assert_int_equal(ct_recorder_record(rec, &it.x), 0);
    }
    ct_error_t err;
    assert_int_equal(ct_recorder_flush(rec, &err), 0);
    assert_items(file, "0000 0001 0002");
    char *text = ct_test_slurp(file, NULL);
    assert_non_null(strstr(text, "[\"Authorization\",\"[redacted]\"]"));
    assert_null(strstr(text, "secret"));
    assert_non_null(strstr(text, "\"body\":\"{\\\"ok\\\":true}\""));
    assert_non_null(strstr(text, "\"body\":\"AP8=\",\"body_encoding\":\"base64\""));
    free(text);
    ct_recorder_stats_t st;
    ct_recorder_stats(rec, &st);
    assert_int_equal(st.queued, 3);
    assert_int_equal(st.written, 3);
    assert_int_equal(st.dropped, 0);
    assert_int_equal(st.rotations, 0);
    ct_recorder_destroy(rec);

    /* appending to an existing file; an empty list redacts nothing; bodies are capped */
    ct_recorder_config_t cfg;
    ct_recorder_config_init(&cfg);
    static const char *const none[] = {NULL};
    cfg.path = file;
    cfg.redact = none;
    cfg.num_redact = 0;
    cfg.max_body_bytes = 4;
    rec = ct_recorder_create(&cfg, &err);
    assert_non_null(rec);
    item_t it;
    item_init(&it, 3, "0123456789", 10);
    assert_int_equal(ct_recorder_record(rec, &it.x), 0);
    ct_recorder_destroy(rec);
    assert_items(file, "0000 0001 0002 0003");
    text = ct_test_slurp(file, NULL);
    assert_non_null(strstr(text, "Bearer secret"));
    assert_non_null(strstr(text, "\"body\":\"0123\",\"body_truncated\":true,\"body_size\":10"));
    free(text);
    free(file);
}

static size_t line_length(void)
{
    item_t it;
    item_init(&it, 0, "{}", 2);
    size_t len;
    ct_redact_t redact;
    ct_error_t err;
    ct_redact_init(&redact, NULL, 0, &err);
    free(ct_capture_encode(&it.x, &redact, 1 << 20, &len));
    ct_redact_dispose(&redact);
    return len;
}

static void record_items(ct_recorder_t *rec, int n)
{
    for (int i = 0; i < n; i++) {
        item_t it;
        item_init(&it, i, "{}", 2);
        assert_int_equal(ct_recorder_record(rec, &it.x), 0);
        if (i % 4 == 3) /* vary how lines reach the writer */
            ct_recorder_flush(rec, NULL);
    }
}

static void rotates_and_keeps_n_files(void **state)
{
    size_t len = line_length();
    char *file = path_in_dir("rot.jsonl");
    char *f1 = path_in_dir("rot.jsonl.1"), *f2 = path_in_dir("rot.jsonl.2"),
         *f3 = path_in_dir("rot.jsonl.3");
    ct_recorder_t *rec = recorder(file, 3 * len + 1, 2, 0);
    record_items(rec, 10);
    ct_recorder_stats_t st;
    ct_recorder_flush(rec, NULL);
    ct_recorder_stats(rec, &st);
    ct_recorder_destroy(rec);
    assert_int_equal(st.rotations, 3);
    assert_int_equal(st.written, 10);
    assert_items(file, "0009");
    assert_items(f1, "0006 0007 0008");
    assert_items(f2, "0003 0004 0005");
    assert_items(f3, NULL); /* 0000-0002 rotated out */
    struct stat sb;
    assert_int_equal(stat(f1, &sb), 0);
    assert_true((uint64_t)sb.st_size <= 3 * len + 1);
    assert_int_equal(sb.st_mode & 0777, 0600);
    free(file);
    free(f1);
    free(f2);
    free(f3);
}

static void keep_zero_truncates(void **state)
{
    size_t len = line_length();
    char *file = path_in_dir("trunc.jsonl"), *f1 = path_in_dir("trunc.jsonl.1");
    ct_recorder_t *rec = recorder(file, 2 * len, 0, 0);
    record_items(rec, 5);
    ct_recorder_destroy(rec);
    assert_items(file, "0004");
    assert_items(f1, NULL);
    free(file);
    free(f1);
}

static void oversized_lines_get_a_file_each(void **state)
{
    char *file = path_in_dir("big.jsonl"), *f1 = path_in_dir("big.jsonl.1"),
         *f2 = path_in_dir("big.jsonl.2");
    ct_recorder_t *rec = recorder(file, 10, 5, 0);
    record_items(rec, 3);
    ct_recorder_destroy(rec);
    assert_items(file, "0002");
    assert_items(f1, "0001");
    assert_items(f2, "0000");
    free(file);
    free(f1);
    free(f2);
}

static void overflow_is_counted(void **state)
{
    char *file = path_in_dir("small.jsonl");
    size_t len = line_length();
    ct_recorder_t *rec = recorder(file, 0, 5, len - 1); /* no line fits */
    item_t it;
    item_init(&it, 1, "{}", 2);
    assert_int_equal(ct_recorder_record(rec, &it.x), -1);
    assert_int_equal(ct_recorder_record(rec, &it.x), -1);
    ct_recorder_stats_t st;
    ct_recorder_stats(rec, &st);
    assert_int_equal(st.dropped, 2);
    assert_int_equal(st.dropped_bytes, 2 * len);
    assert_int_equal(st.queued, 0);
    ct_recorder_destroy(rec);
    assert_items(file, "");
    free(file);
}

typedef struct {
    int fd;
    size_t lines;
} drain_t;

static void *drain_fifo(void *arg)
{
    drain_t *d = arg;
    char buf[65536];
    for (;;) {
        ssize_t n = read(d->fd, buf, sizeof(buf));
        if (n < 0 && errno == EAGAIN) {
            usleep(1000);
            continue;
        }
        if (n <= 0)
            break;
        for (ssize_t i = 0; i < n; i++)
            d->lines += buf[i] == '\n';
    }
    return NULL;
}

/* The writer blocks on a full pipe: the queue fills, further records are dropped and counted, and
 * everything accepted still arrives once the reader drains the pipe. */
static void stalled_writer_drops_and_counts(void **state)
{
    char *fifo = path_in_dir("pipe");
    assert_int_equal(mkfifo(fifo, 0600), 0);
    drain_t d = {open(fifo, O_RDONLY | O_NONBLOCK), 0};
    assert_true(d.fd >= 0);
    ct_recorder_t *rec = recorder(fifo, 0, 5, 64 * 1024);
    static char body[1024];
    memset(body, 'x', sizeof(body));
    int accepted = 0, refused = 0;
    for (int i = 0; i < 2000; i++) {
        item_t it;
        item_init(&it, i, body, sizeof(body));
        if (ct_recorder_record(rec, &it.x) == 0)
            accepted++;
        else
            refused++;
    }
    assert_true(refused > 0); /* 2 MB against a 64 KiB pipe and a 64 KiB queue */
    pthread_t t;
    pthread_create(&t, NULL, drain_fifo, &d);
    assert_int_equal(ct_recorder_flush(rec, NULL), 0);
    ct_recorder_stats_t st;
    ct_recorder_stats(rec, &st);
    ct_recorder_destroy(rec); /* closes the write end: the reader sees the end */
    pthread_join(t, NULL);
    close(d.fd);
    assert_int_equal(st.queued, (uint64_t)accepted);
    assert_int_equal(st.dropped, (uint64_t)refused);
    assert_int_equal(st.written, (uint64_t)accepted);
    assert_int_equal(d.lines, (size_t)accepted);
    free(fifo);
}

static void write_errors_are_reported(void **state)
{
    ct_recorder_t *rec = recorder("/dev/full", 0, 5, 0);
    item_t it;
    item_init(&it, 1, "{}", 2);
    assert_int_equal(ct_recorder_record(rec, &it.x), 0);
    ct_error_t err;
    assert_int_equal(ct_recorder_flush(rec, &err), -1);
    assert_non_null(strstr(err.message, "No space left on device"));
    assert_int_equal(ct_recorder_flush(rec, &err), 0); /* reported once */
    ct_recorder_stats_t st;
    ct_recorder_stats(rec, &st);
    assert_int_equal(st.lost, 1);
    assert_int_equal(st.written, 0);
    assert_true(st.write_errors >= 1);
    ct_recorder_destroy(rec);
}

static void bad_settings(void **state)
{
    ct_recorder_config_t cfg;
    ct_recorder_config_init(&cfg);
    ct_error_t err;
    assert_null(ct_recorder_create(&cfg, &err)); /* no path */
    cfg.path = "/nonexistent-dir/x.jsonl";
    assert_null(ct_recorder_create(&cfg, &err));
    assert_non_null(strstr(err.message, "cannot open"));
    char *file = path_in_dir("ok.jsonl");
    cfg.path = file;
    cfg.keep = 1001;
    assert_null(ct_recorder_create(&cfg, &err));
    cfg.keep = 5;
    static const char *const bad_names[] = {"Bad Name"};
    cfg.redact = bad_names;
    cfg.num_redact = 1;
    assert_null(ct_recorder_create(&cfg, &err));
    assert_non_null(strstr(err.message, "not a header name"));
    ct_recorder_destroy(NULL);
    free(file);
}

typedef struct {
    ct_recorder_t *rec;
    int base;
} producer_t;

static void *produce(void *arg)
{
    producer_t *p = arg;
    for (int i = 0; i < 500; i++) {
        item_t it;
        item_init(&it, p->base + i, "{\"a\":[1,2,3]}", 13);
        ct_recorder_record(p->rec, &it.x);
    }
    return NULL;
}

static void concurrent_producers_write_whole_lines(void **state)
{
    char *file = path_in_dir("mt.jsonl");
    ct_recorder_t *rec = recorder(file, 0, 5, 64u << 20);
    pthread_t t[4];
    producer_t p[4];
    for (int i = 0; i < 4; i++) {
        p[i] = (producer_t){rec, i * 1000};
        pthread_create(&t[i], NULL, produce, &p[i]);
    }
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    ct_recorder_destroy(rec);
    char *items = items_in(file); /* every line parses */
    size_t n = 1;
    for (const char *c = items; *c; c++)
        n += *c == ' ';
    assert_int_equal(n, 2000);
    free(items);
    free(file);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(writes_redacted_lines),
        cmocka_unit_test(rotates_and_keeps_n_files),
        cmocka_unit_test(keep_zero_truncates),
        cmocka_unit_test(oversized_lines_get_a_file_each),
        cmocka_unit_test(overflow_is_counted),
        cmocka_unit_test(stalled_writer_drops_and_counts),
        cmocka_unit_test(write_errors_are_reported),
        cmocka_unit_test(bad_settings),
        cmocka_unit_test(concurrent_producers_write_whole_lines),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
