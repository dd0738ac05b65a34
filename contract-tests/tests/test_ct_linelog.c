/* Tests of ct_linelog.c: lines queued from several threads arrive whole, flush waits for them,
 * a full queue drops and counts, rotation through ct_logfile, bad settings refused. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sys/stat.h>

#include "ct_linelog.h"
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

static ct_linelog_t *open_log(const char *name, uint64_t max_bytes, size_t queue_bytes)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    ct_linelog_config_t cfg = {path, max_bytes, 3, queue_bytes, 0600};
    ct_error_t err;
    ct_linelog_t *log = ct_linelog_create(&cfg, &err);
    if (log == NULL)
        fail_msg("%s", err.message);
    return log;
}

static void *producer(void *arg)
{
    ct_linelog_t *log = arg;
    for (int i = 0; i != 500; ++i)
        ct_linelog_append(log, "{\"a\":1234567890}\n", 17);
    return NULL;
}

static void test_concurrent_lines_whole(void **state)
{
    ct_linelog_t *log = open_log("c.log", 0, 1 << 20);
    pthread_t t[4];
    for (int i = 0; i != 4; ++i)
        pthread_create(&t[i], NULL, producer, log);
    for (int i = 0; i != 4; ++i)
        pthread_join(t[i], NULL);
    assert_int_equal(ct_linelog_flush(log, NULL), 0);
    ct_linelog_stats_t st;
    ct_linelog_stats(log, &st);
    assert_int_equal(st.queued + st.dropped, 2000);
    assert_int_equal(st.written, st.queued);
    char path[4096];
    snprintf(path, sizeof(path), "%s/c.log", dir);
    FILE *f = fopen(path, "r");
    char buf[64];
    uint64_t n = 0;
    while (fgets(buf, sizeof(buf), f) != NULL) {
        assert_string_equal(buf, "{\"a\":1234567890}\n");
        ++n;
    }
    fclose(f);
    assert_int_equal(n, st.written);
    assert_string_equal(ct_linelog_path(log), path);
    ct_linelog_destroy(log);
}

static void test_full_queue_drops(void **state)
{
    ct_linelog_t *log = open_log("d.log", 0, 10);
    assert_int_equal(ct_linelog_append(log, "0123456789ab\n", 13), -1); /* larger than the queue */
    ct_linelog_stats_t st;
    ct_linelog_stats(log, &st);
    assert_int_equal(st.dropped, 1);
    assert_int_equal(st.dropped_bytes, 13);
    assert_int_equal(ct_linelog_append(log, "01234\n", 6), 0);
    ct_linelog_flush(log, NULL);
    ct_linelog_stats(log, &st);
    assert_int_equal(st.written, 1);
    ct_linelog_destroy(log);
    ct_linelog_destroy(NULL);
}

static void test_rotation_and_bad_settings(void **state)
{
    ct_linelog_t *log = open_log("r.log", 20, 1 << 16);
    for (int i = 0; i != 5; ++i) {
        ct_linelog_append(log, "0123456789\n", 11);
        ct_linelog_flush(log, NULL);
    }
    ct_linelog_stats_t st;
    ct_linelog_stats(log, &st);
    assert_int_equal(st.rotations, 4);
    ct_linelog_destroy(log);
    ct_error_t err;
    ct_linelog_config_t cfg = {"/nonexistent-dir/x", 0, 1, 100, 0600};
    assert_null(ct_linelog_create(&cfg, &err));
    assert_non_null(strstr(err.message, "cannot open"));
    cfg.queue_bytes = 0;
    assert_null(ct_linelog_create(&cfg, &err));
    cfg.path = NULL;
    assert_null(ct_linelog_create(&cfg, &err));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_concurrent_lines_whole),
        cmocka_unit_test(test_full_queue_drops),
        cmocka_unit_test(test_rotation_and_bad_settings),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
