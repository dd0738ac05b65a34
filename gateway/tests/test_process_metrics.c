/* Tests for gateway/process_metrics.c: the figures follow what the process does (a descriptor
 * opened, memory allocated and touched, CPU spent) and the exposition has every family with
 * its HELP and TYPE. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>
#include <cmocka.h>
#include "process_metrics.h"

static void test_figures_follow_the_process(void **state)
{
    (void)state;
    gw_process_stats_t a, b;
    assert_int_equal(gw_process_stats(&a), 0);
    assert_true(a.resident_bytes > 0 && a.virtual_bytes >= a.resident_bytes);
    assert_true(a.open_fds >= 3); /* stdin, stdout, stderr */
    double now = (double)time(NULL);
    assert_true(a.start_time > now - 3600 && a.start_time <= now + 1);
    assert_true(a.heap_held >= a.heap_in_use - a.heap_in_use % 4096 || a.heap_in_use == 0);

    int fd = open("/dev/null", O_RDONLY);
    assert_true(fd >= 0);
    size_t big = 8u << 20;
    char *p = malloc(big);
    assert_non_null(p);
    memset(p, 1, big); /* resident, not only reserved */
    volatile double x = 0;
    for (long i = 0; i < 20000000; i++) /* some CPU: about 20 ms */
        x += (double)i * 0.5;
    int rc = gw_process_stats(&b);
    free(p);
    close(fd);
    assert_int_equal(rc, 0);
    assert_int_equal(b.open_fds, a.open_fds + 1);
    assert_true(b.resident_bytes >= a.resident_bytes + big / 2);
    assert_true(b.cpu_seconds > a.cpu_seconds);
#ifndef __SANITIZE_ADDRESS__ /* ASan's allocator is not glibc's: mallinfo2 does not see it */
    assert_true(b.heap_in_use >= a.heap_in_use + big);
    assert_int_equal(gw_process_stats(&b), 0);
    assert_true(b.heap_in_use < a.heap_in_use + big);
#endif
    assert_int_equal(gw_process_stats(&b), 0);
    assert_int_equal(b.open_fds, a.open_fds);
}

static void test_exposition(void **state)
{
    (void)state;
    gw_metrics_out_t o = {NULL, 0, 0};
    gw_process_metrics_render(&o);
    assert_non_null(o.buf);
    static const char *const families[][2] = {
        {"process_cpu_seconds_total", "counter"},   {"process_resident_memory_bytes", "gauge"},
        {"process_virtual_memory_bytes", "gauge"},  {"process_open_fds", "gauge"},
        {"process_max_fds", "gauge"},               {"process_start_time_seconds", "gauge"},
        {"versa_memory_in_use_bytes", "gauge"},     {"versa_memory_held_bytes", "gauge"}};
    char want[256];
    for (size_t i = 0; i != sizeof(families) / sizeof(families[0]); i++) {
        snprintf(want, sizeof(want), "# HELP %s ", families[i][0]);
        assert_non_null(strstr(o.buf, want));
        snprintf(want, sizeof(want), "# TYPE %s %s\n%s ", families[i][0], families[i][1],
                 families[i][0]);
        assert_non_null(strstr(o.buf, want));
    }
    assert_int_equal(o.buf[o.len - 1], '\n');
    free(o.buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_figures_follow_the_process),
        cmocka_unit_test(test_exposition),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
