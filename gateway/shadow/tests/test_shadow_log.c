/* Tests for shadow/shadow_log.c: JSON lines appended whole, rotation by size with a bounded
 * number of numbered files, lines longer than the limit, and open errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>
#include "shadow_internal.h"

static char dir[64];

static const char *path_of(const char *name)
{
    static char buf[4][128];
    static int next;
    char *p = buf[next++ % 4];
    snprintf(p, sizeof(buf[0]), "%s/%s", dir, name);
    return p;
}

static long size_of(const char *name)
{
    struct stat st;
    return stat(path_of(name), &st) == 0 ? (long)st.st_size : -1;
}

static char *slurp(const char *name)
{
    FILE *fp = fopen(path_of(name), "r");
    if (fp == NULL)
        return NULL;
    char *buf = calloc(1, 1 << 20);
    size_t n = fread(buf, 1, (1 << 20) - 1, fp);
    buf[n] = '\0';
    fclose(fp);
    return buf;
}

static int setup(void **state)
{
    snprintf(dir, sizeof(dir), "/tmp/versa-test-shadow-log-XXXXXX");
    return mkdtemp(dir) == NULL ? -1 : 0;
}

static int teardown(void **state)
{
    static const char *const names[] = {"d.log", "d.log.1", "d.log.2", "d.log.3", "d.log.4",
                                        "k.log", "k.log.1", "l.log",   "l.log.1", "a.log"};
    for (size_t i = 0; i != sizeof(names) / sizeof(names[0]); ++i)
        unlink(path_of(names[i]));
    return rmdir(dir);
}

/* A line of exactly n bytes (without its newline), marked with its number. */
static const char *line(int i, size_t n)
{
    static char buf[20000];
    memset(buf, 'x', n);
    int k = snprintf(buf, n + 1, "{\"n\":%d,\"pad\":\"", i);
    memset(buf + k, 'x', n - (size_t)k - 2);
    memcpy(buf + n - 2, "\"}", 2);
    buf[n] = '\0';
    return buf;
}

static void test_rotation(void **state)
{
    char err[256];
    gw_shadow_log_t *log = gw_shadow__log_open(path_of("d.log"), 4096, 3, err, sizeof(err));
    assert_non_null(log);
    assert_string_equal(gw_shadow__log_path(log), path_of("d.log"));
    /* 99 + newline = 100 bytes per line: 40 lines per file */
    for (int i = 0; i != 200; ++i)
        assert_int_equal(gw_shadow__log_write(log, line(i, 99), 99), 0);
    gw_shadow__log_close(log);
    assert_int_equal(size_of("d.log"), 4000);
    assert_int_equal(size_of("d.log.1"), 4000);
    assert_int_equal(size_of("d.log.2"), 4000);
    assert_int_equal(size_of("d.log.3"), 4000);
    assert_int_equal(size_of("d.log.4"), -1); /* keep: 3 */
    char *text = slurp("d.log");
    assert_true(strncmp(text, "{\"n\":160,", 9) == 0);
    free(text);
    text = slurp("d.log.3");
    assert_true(strncmp(text, "{\"n\":40,", 8) == 0);
    free(text);
}

static void test_reopen_appends_and_counts_existing_size(void **state)
{
    char err[256];
    gw_shadow_log_t *log = gw_shadow__log_open(path_of("a.log"), 4096, 1, err, sizeof(err));
    assert_int_equal(gw_shadow__log_write(log, line(1, 2999), 2999), 0);
    gw_shadow__log_close(log);
    log = gw_shadow__log_open(path_of("a.log"), 4096, 1, err, sizeof(err));
    assert_int_equal(gw_shadow__log_write(log, line(2, 1095), 1095), 0); /* exactly 4096 */
    assert_int_equal(size_of("a.log"), 4096);
    assert_int_equal(gw_shadow__log_write(log, line(3, 19), 19), 0);
    assert_int_equal(size_of("a.log"), 20);
    gw_shadow__log_close(log);
    unlink(path_of("a.log.1"));
}

static void test_keep_zero_truncates(void **state)
{
    char err[256];
    gw_shadow_log_t *log = gw_shadow__log_open(path_of("k.log"), 4096, 0, err, sizeof(err));
    for (int i = 0; i != 50; ++i)
        assert_int_equal(gw_shadow__log_write(log, line(i, 99), 99), 0);
    gw_shadow__log_close(log);
    assert_int_equal(size_of("k.log"), 1000);
    assert_int_equal(size_of("k.log.1"), -1);
}

static void test_long_line_gets_a_file_of_its_own(void **state)
{
    char err[256];
    gw_shadow_log_t *log = gw_shadow__log_open(path_of("l.log"), 4096, 1, err, sizeof(err));
    assert_int_equal(gw_shadow__log_write(log, line(1, 99), 99), 0);
    assert_int_equal(gw_shadow__log_write(log, line(2, 9999), 9999), 0);
    assert_int_equal(size_of("l.log"), 10000);
    assert_int_equal(size_of("l.log.1"), 100);
    assert_int_equal(gw_shadow__log_write(log, line(3, 99), 99), 0);
    assert_int_equal(size_of("l.log"), 100);
    assert_int_equal(size_of("l.log.1"), 10000);
    gw_shadow__log_close(log);
}

static void test_open_error(void **state)
{
    char err[256];
    assert_null(gw_shadow__log_open("/nonexistent-dir/x.log", 4096, 1, err, sizeof(err)));
    assert_string_equal(err, "cannot open the shadow log /nonexistent-dir/x.log: No such file or "
                             "directory");
    gw_shadow__log_close(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rotation),
        cmocka_unit_test(test_reopen_appends_and_counts_existing_size),
        cmocka_unit_test(test_keep_zero_truncates),
        cmocka_unit_test(test_long_line_gets_a_file_of_its_own),
        cmocka_unit_test(test_open_error),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
