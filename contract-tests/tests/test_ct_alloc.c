/* Tests of ct_alloc.c: the aborting allocation wrappers and array growth. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ct_alloc.h"

static void test_strndup(void **state)
{
    char *s = ct__xstrndup("abcdef", 3);
    assert_string_equal(s, "abc");
    free(s);
    s = ct__xstrndup(NULL, 0);
    assert_string_equal(s, "");
    free(s);
}

static void test_zero_sizes(void **state)
{
    void *p = ct__xmalloc(0), *q = ct__xcalloc(0, 0);
    assert_non_null(p);
    assert_non_null(q);
    p = ct__xrealloc(p, 0);
    assert_non_null(p);
    free(p);
    free(q);
}

static void test_grow(void **state)
{
    int *items = NULL;
    size_t cap = 0;
    ct__grow((void **)&items, &cap, 1, sizeof(*items));
    assert_int_equal(cap, 8);
    for (int i = 0; i < 8; i++)
        items[i] = i;
    ct__grow((void **)&items, &cap, 8, sizeof(*items));
    assert_int_equal(cap, 8);
    ct__grow((void **)&items, &cap, 100, sizeof(*items));
    assert_int_equal(cap, 128);
    for (int i = 0; i < 8; i++)
        assert_int_equal(items[i], i);
    free(items);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strndup),
        cmocka_unit_test(test_zero_sizes),
        cmocka_unit_test(test_grow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
