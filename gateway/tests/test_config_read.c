/* Tests for gateway/config_read.c: sizes. (Its error context and typed readers are exercised
 * through every other config test, whose errors check key path, position and pointer.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "config_fixture.h"

static void test_parse_size(void **state)
{
    static const struct {
        const char *in;
        size_t out;
    } ok[] = {
        {"0", 0},
        {"1048576", 1048576},
        {"16MiB", 16 * 1024 * 1024},
        {"512KiB", 512 * 1024},
        {"1GiB", 1024 * 1024 * 1024},
        {"2TiB", 2ull * 1024 * 1024 * 1024 * 1024},
        {"1KB", 1000},
        {"3MB", 3000000},
        {"1GB", 1000000000},
        {"1TB", 1000000000000ull},
        {"100B", 100},
        {"16mib", 16 * 1024 * 1024},
        {"16 MiB", 16 * 1024 * 1024},
    };
    for (size_t i = 0; i != sizeof(ok) / sizeof(ok[0]); ++i) {
        size_t v = 1234;
        if (gw_parse_size(ok[i].in, &v) != 0 || v != ok[i].out)
            fail_msg("'%s': got %zu", ok[i].in, v);
    }
    static const char *bad[] = {"",
                                "MiB",
                                "-1",
                                "1.5MiB",
                                "16 ",
                                "16  MiB",
                                " 16",
                                "16Mi",
                                "16MiBs",
                                "0x10",
                                "16M",
                                "16 k",
                                "18446744073709551616",
                                "17179869184GiB",
                                "99999999999999999999"};
    for (size_t i = 0; i != sizeof(bad) / sizeof(bad[0]); ++i) {
        size_t v;
        if (gw_parse_size(bad[i], &v) != -1)
            fail_msg("'%s' accepted", bad[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_size),
    };
    return cmocka_run_group_tests(tests, config_setup, config_teardown);
}
