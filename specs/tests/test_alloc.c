/* Tests for specs/alloc.c: the arena (alignment, zeroing, large blocks) and the pointer map. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "spec_internal.h"

static void test_arena(void **state)
{
    spec__arena_t a;
    spec__arena_init(&a);
    char *prev = NULL;
    for (size_t i = 1; i < 5000; ++i) {
        size_t size = i % 97 + 1;
        char *p = spec__arena_alloc(&a, size);
        assert_int_equal((uintptr_t)p % 8, 0);
        for (size_t j = 0; j < size; ++j)
            assert_int_equal(p[j], 0);
        memset(p, 0xab, size);
        assert_ptr_not_equal(p, prev);
        prev = p;
    }
    /* a block larger than a chunk, then small ones that still use the current chunk */
    char *big = spec__arena_alloc(&a, 1 << 20);
    assert_int_equal(big[(1 << 20) - 1], 0);
    memset(big, 1, 1 << 20);
    char *s = spec__arena_strndup(&a, "hello, world", 5);
    assert_string_equal(s, "hello");
    spec__arena_dispose(&a);
    spec__arena_dispose(&a); /* idempotent */
}

static void test_ptrmap(void **state)
{
    spec__ptrmap_t m = {0};
    size_t v;
    assert_int_equal(spec__ptrmap_get(&m, 8, &v), 0);
    for (uintptr_t k = 1; k <= 10000; ++k)
        assert_int_equal(spec__ptrmap_put(&m, k * 8, (size_t)k, NULL), 1);
    assert_int_equal(m.len, 10000);
    for (uintptr_t k = 1; k <= 10000; ++k) {
        assert_int_equal(spec__ptrmap_get(&m, k * 8, &v), 1);
        assert_int_equal(v, k);
    }
    assert_int_equal(spec__ptrmap_get(&m, 3, NULL), 0);
    size_t existing = 0;
    assert_int_equal(spec__ptrmap_put(&m, 80, 99, &existing), 0);
    assert_int_equal(existing, 10);
    assert_int_equal(spec__ptrmap_get(&m, 80, &v), 1);
    assert_int_equal(v, 10); /* unchanged */
    /* slots: inserted as 0, then updated in place */
    size_t *slot = spec__ptrmap_slot(&m, 123456);
    assert_int_equal(*slot, 0);
    *slot = 5;
    assert_int_equal(*spec__ptrmap_slot(&m, 123456), 5);
    assert_int_equal(*spec__ptrmap_slot(&m, 80), 10);
    assert_int_equal(m.len, 10001);
    spec__ptrmap_dispose(&m);
    spec__ptrmap_dispose(&m);
    spec__ptrmap_t empty = {0};
    *spec__ptrmap_slot(&empty, 8) = 1; /* grows from nothing */
    assert_int_equal(spec__ptrmap_get(&empty, 8, &v), 1);
    assert_int_equal(v, 1);
    spec__ptrmap_dispose(&empty);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arena),
        cmocka_unit_test(test_ptrmap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
