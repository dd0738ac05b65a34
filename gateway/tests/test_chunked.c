/* Tests for gateway/chunked.c: framing seen whole, byte by byte, cut short, and malformed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>
#include "chunked.h"

static const char complete[] = "5;ext=1\r\nhello\r\n0A\r\n0123456789\r\n0\r\nx-t: 1\r\n\r\n";

static void test_complete_message(void **state)
{
    gw_chunk_tracker_t t;
    gw_chunk_tracker_init(&t);
    assert_int_equal(gw_chunk_tracker_feed(&t, complete, strlen(complete)), 0);
    assert_true(gw_chunk_tracker_done(&t));
}

static void test_every_split_point(void **state)
{
    for (size_t cut = 0; cut <= strlen(complete); ++cut) {
        gw_chunk_tracker_t t;
        gw_chunk_tracker_init(&t);
        assert_int_equal(gw_chunk_tracker_feed(&t, complete, cut), 0);
        assert_int_equal(gw_chunk_tracker_done(&t), cut == strlen(complete));
        assert_int_equal(gw_chunk_tracker_feed(&t, complete + cut, strlen(complete) - cut), 0);
        assert_true(gw_chunk_tracker_done(&t));
    }
}

static void test_byte_by_byte(void **state)
{
    gw_chunk_tracker_t t;
    gw_chunk_tracker_init(&t);
    for (size_t i = 0; i < strlen(complete); ++i)
        assert_int_equal(gw_chunk_tracker_feed(&t, complete + i, 1), 0);
    assert_true(gw_chunk_tracker_done(&t));
}

/* The case h2o 2.2 gets wrong: a close right after a complete chunk is not the end. */
static void test_cut_at_chunk_boundary(void **state)
{
    const char cut[] = "3\r\nabc\r\n";
    gw_chunk_tracker_t t;
    gw_chunk_tracker_init(&t);
    assert_int_equal(gw_chunk_tracker_feed(&t, cut, strlen(cut)), 0);
    assert_false(gw_chunk_tracker_done(&t));
    /* last-chunk without the trailer section's empty line is not complete either */
    assert_int_equal(gw_chunk_tracker_feed(&t, "0\r\n", 3), 0);
    assert_false(gw_chunk_tracker_done(&t));
    assert_int_equal(gw_chunk_tracker_feed(&t, "\r\n", 2), 0);
    assert_true(gw_chunk_tracker_done(&t));
}

static void test_malformed(void **state)
{
    static const char *bad[] = {"x\r\n", "5\r\nhelloX", "5\rX", ";\r\n", "5\r\nhello\rX",
                                "fffffffffffffffff\r\n"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); ++i) {
        gw_chunk_tracker_t t;
        gw_chunk_tracker_init(&t);
        assert_int_equal(gw_chunk_tracker_feed(&t, bad[i], strlen(bad[i])), -1);
        assert_false(gw_chunk_tracker_done(&t));
        assert_int_equal(gw_chunk_tracker_feed(&t, "0\r\n\r\n", 5), -1); /* stays failed */
    }
}

static void test_large_chunk_sizes(void **state)
{
    gw_chunk_tracker_t t;
    gw_chunk_tracker_init(&t);
    static char data[70000];
    memset(data, 'a', sizeof(data));
    assert_int_equal(gw_chunk_tracker_feed(&t, "10000\r\n", 7), 0);
    assert_int_equal(gw_chunk_tracker_feed(&t, data, 0x10000), 0);
    assert_false(gw_chunk_tracker_done(&t));
    assert_int_equal(gw_chunk_tracker_feed(&t, "\r\n0\r\n\r\n", 7), 0);
    assert_true(gw_chunk_tracker_done(&t));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_complete_message),      cmocka_unit_test(test_every_split_point),
        cmocka_unit_test(test_byte_by_byte),          cmocka_unit_test(test_cut_at_chunk_boundary),
        cmocka_unit_test(test_malformed),             cmocka_unit_test(test_large_chunk_sizes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
