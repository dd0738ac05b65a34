/* Tests of body/arena.c: alignment, growth past a block, large pieces, reset and reuse. */
#include "body_test_util.h"

static void test_arena(void **state)
{
    body_arena_t a;
    body_arena_init(&a);
    body_mem_t mem = body_arena_mem(&a);
    for (size_t i = 1; i < 5000; i++) {
        char *p = body_alloc(&mem, i % 37 + 1);
        assert_int_equal((uintptr_t)p % 8, 0);
        memset(p, 'x', i % 37 + 1);
    }
    char *big = body_arena_alloc(&a, 3 * 1024 * 1024); /* beyond the largest block */
    memset(big, 'y', 3 * 1024 * 1024);
    body_arena_reset(&a);
    const char *text = "{\"a\":[1,2,{\"b\":\"c\"}]}";
    body_value_t *v = body_parse(&mem, text, strlen(text), 0, NULL);
    assert_non_null(v);
    size_t len;
    char *out = body_dump(&mem, v, &len);
    assert_int_equal(len, strlen(text));
    assert_memory_equal(out, text, len);
    body_arena_dispose(&a);
    body_arena_dispose(&a); /* twice is fine */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arena),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
