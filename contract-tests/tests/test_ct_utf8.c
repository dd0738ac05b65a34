/* Tests of ct_utf8.c: character validation and sanitizing copies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ct_utf8.h"

static size_t len_of(const char *s, size_t avail)
{
    return ct__utf8_seq_len((const unsigned char *)s, avail);
}

static void test_seq_len(void **state)
{
    assert_int_equal(len_of("a", 1), 1);
    assert_int_equal(len_of("\xc3\xa9", 2), 2);
    assert_int_equal(len_of("\xe2\x82\xac", 3), 3);
    assert_int_equal(len_of("\xf0\x9f\x98\x80", 4), 4);
    assert_int_equal(len_of("\xf4\x8f\xbf\xbf", 4), 4); /* U+10FFFF */
    assert_int_equal(len_of("\xc3", 1), 0);             /* cut short */
    assert_int_equal(len_of("\xc3\x41", 2), 0);         /* not a continuation */
    assert_int_equal(len_of("\xc0\xaf", 2), 0);         /* overlong */
    assert_int_equal(len_of("\xe0\x80\xaf", 3), 0);     /* overlong */
    assert_int_equal(len_of("\xed\xa0\x80", 3), 0);     /* surrogate */
    assert_int_equal(len_of("\xf4\x90\x80\x80", 4), 0); /* beyond U+10FFFF */
    assert_int_equal(len_of("\x80", 1), 0);
    assert_int_equal(len_of("\xff", 1), 0);
}

static void test_dup(void **state)
{
    char *s = ct__utf8_dup("ok \xc3\xa9", 5, 100);
    assert_string_equal(s, "ok \xc3\xa9");
    free(s);
    s = ct__utf8_dup("a\xff"
                     "b\0c",
                     5, 100);
    assert_string_equal(s, "a\xef\xbf\xbd"
                           "b\xef\xbf\xbd"
                           "c");
    free(s);
    /* cut at the limit, between characters */
    s = ct__utf8_dup("\xc3\xa9\xc3\xa9", 4, 3);
    assert_string_equal(s, "\xc3\xa9");
    free(s);
    s = ct__utf8_dup("", 0, 0);
    assert_string_equal(s, "");
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seq_len),
        cmocka_unit_test(test_dup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
