/* Tests of ct_logfile.c: whole lines appended, rotation before the line that would cross
 * max_bytes (keep N, keep 0 truncates), a line longer than max_bytes alone in its file, an
 * existing file's size counted on open, open errors. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sys/stat.h>

#include "ct_logfile.h"
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

static const char *in_dir(const char *name)
{
    static char p[4096];
    snprintf(p, sizeof(p), "%s/%s", dir, name);
    return p;
}

static long size_of(const char *name)
{
    struct stat st;
    return stat(in_dir(name), &st) == 0 ? (long)st.st_size : -1;
}

/* n bytes: n-1 of 'a'+tag and a newline */
static const char *line(int tag, size_t n)
{
    static char buf[20000];
    memset(buf, 'a' + tag, n - 1);
    buf[n - 1] = '\n';
    return buf;
}

static void test_rotation_keeps_n(void **state)
{
    ct_logfile_t lf;
    ct_error_t err;
    char path[4096];
    snprintf(path, sizeof(path), "%s", in_dir("r.log"));
    assert_int_equal(ct_logfile_init(&lf, path, 250, 2, 0600, &err), 0);
    for (int i = 0; i != 8; ++i)
        assert_int_equal(ct_logfile_write(&lf, line(i, 100), 100), 0);
    /* 8 lines of 100 bytes, 2 per file: r.log, r.log.1, r.log.2; the oldest fell off */
    assert_int_equal(size_of("r.log"), 200);
    assert_int_equal(size_of("r.log.1"), 200);
    assert_int_equal(size_of("r.log.2"), 200);
    assert_int_equal(size_of("r.log.3"), -1);
    assert_int_equal(lf.stats.rotations, 3);
    assert_int_equal(lf.stats.written, 8);
    /* a batch of several lines is split at line ends */
    char batch[300];
    memcpy(batch, line(9, 100), 100);
    memcpy(batch + 100, line(9, 100), 100);
    memcpy(batch + 200, line(9, 100), 100);
    assert_int_equal(ct_logfile_write(&lf, batch, 300), 0);
    assert_int_equal(size_of("r.log"), 100);
    assert_int_equal(size_of("r.log.1"), 200);
    ct_logfile_dispose(&lf);
}

static void test_keep_zero_truncates_and_long_lines(void **state)
{
    ct_logfile_t lf;
    ct_error_t err;
    char path[4096];
    snprintf(path, sizeof(path), "%s", in_dir("t.log"));
    assert_int_equal(ct_logfile_init(&lf, path, 150, 0, 0600, &err), 0);
    assert_int_equal(ct_logfile_write(&lf, line(0, 100), 100), 0);
    assert_int_equal(ct_logfile_write(&lf, line(1, 100), 100), 0);
    assert_int_equal(size_of("t.log"), 100);
    assert_int_equal(size_of("t.log.1"), -1);
    assert_int_equal(ct_logfile_write(&lf, line(2, 1000), 1000), 0); /* alone */
    assert_int_equal(size_of("t.log"), 1000);
    ct_logfile_dispose(&lf);
    /* reopened: the existing size counts */
    assert_int_equal(ct_logfile_init(&lf, path, 1500, 0, 0600, &err), 0);
    assert_int_equal(lf.size, 1000);
    assert_int_equal(ct_logfile_write(&lf, line(3, 600), 600), 0);
    assert_int_equal(size_of("t.log"), 600);
    ct_logfile_dispose(&lf);
}

static void test_open_error(void **state)
{
    ct_logfile_t lf;
    ct_error_t err;
    assert_int_equal(ct_logfile_init(&lf, "/nonexistent-dir/x.log", 0, 1, 0600, &err), -1);
    assert_int_equal(errno, ENOENT);
    assert_non_null(strstr(err.message, "cannot open /nonexistent-dir/x.log"));
    assert_int_equal(ct_logfile_init(&lf, in_dir("k.log"), 0, 1001, 0600, &err), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rotation_keeps_n),
        cmocka_unit_test(test_keep_zero_truncates_and_long_lines),
        cmocka_unit_test(test_open_error),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
