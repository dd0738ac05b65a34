/* Tests for gateway/access_log.c: lines reach the file in order, the queue wraps, overflow is
 * counted, and JSON escaping keeps every line valid. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>
#include "access_log.h"

static char *read_all(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    fseek(fp, 0, SEEK_END);
    *len = (size_t)ftell(fp);
    rewind(fp);
    char *buf = malloc(*len + 1);
    assert_int_equal(fread(buf, 1, *len, fp), *len);
    buf[*len] = '\0';
    fclose(fp);
    return buf;
}

static void test_lines_in_order_across_wraps(void **state)
{
    char path[] = "/tmp/versa-access-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    char err[256];
    gw_access_log_t *log = gw_access_log_create(GW_LOG_FILE, path, 100, err, sizeof(err));
    assert_non_null(log);
    int written = 0;
    for (int i = 0; i < 2000; ++i) {
        char line[64];
        int n = snprintf(line, sizeof(line), "{\"n\":%d}", i);
        while (gw_access_log_write(log, line, (size_t)n) != 0)
            usleep(100); /* the 100-byte queue is full: wait for the writer, for this test only */
        ++written;
    }
    gw_access_log_destroy(log);
    size_t len;
    char *buf = read_all(path, &len);
    int expect = 0;
    for (char *line = strtok(buf, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        json_error_t jerr;
        json_t *j = json_loads(line, 0, &jerr);
        assert_non_null(j);
        assert_int_equal(json_integer_value(json_object_get(j, "n")), expect++);
        json_decref(j);
    }
    assert_int_equal(expect, written);
    free(buf);
    unlink(path);
}

static void test_overflow_is_counted(void **state)
{
    char err[256];
    gw_access_log_t *log = gw_access_log_create(GW_LOG_FILE, "/dev/null", 16, err, sizeof(err));
    assert_non_null(log);
    assert_int_equal(gw_access_log_write(log, "a line longer than sixteen", 26), -1);
    assert_int_equal(gw_access_log_dropped(log), 1);
    gw_access_log_destroy(log);
}

static void test_open_error(void **state)
{
    char err[256];
    assert_null(gw_access_log_create(GW_LOG_FILE, "/nonexistent/dir/log", 1024, err, sizeof(err)));
    assert_non_null(strstr(err, "cannot open access log /nonexistent/dir/log"));
}

static void test_json_escape(void **state)
{
    char buf[64];
    size_t off = 0;
    const char in[] = "a\"b\\c\n\x01\x7f";
    gw_json_escape_into(buf, sizeof(buf), &off, in, sizeof(in) - 1);
    assert_string_equal(buf, "a\\\"b\\\\c\\u000a\\u0001\\u007f");
    /* valid UTF-8 passes, invalid bytes become U+FFFD */
    off = 0;
    gw_json_escape_into(buf, sizeof(buf), &off, "\xc3\xa9-\xff-\xed\xa0\x80", 8);
    assert_string_equal(buf, "\xc3\xa9-\\ufffd-\\ufffd\\ufffd\\ufffd");
    /* never past the buffer, always terminated */
    char small[8];
    off = 0;
    gw_json_escape_into(small, sizeof(small), &off, "\"\"\"\"\"\"", 6);
    assert_true(off < sizeof(small));
    assert_int_equal(small[off], '\0');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lines_in_order_across_wraps),
        cmocka_unit_test(test_overflow_is_counted),
        cmocka_unit_test(test_open_error),
        cmocka_unit_test(test_json_escape),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
