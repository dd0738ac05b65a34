/* Tests of ct_map.c: the string map and the hash helpers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "ct_map.h"

static void test_insert_get(void **state)
{
    ct_map_t m;
    ct__map_init(&m);
    assert_null(ct__map_get(&m, "a", 1));
    int values[5000];
    char key[32];
    for (int i = 0; i < 5000; i++) {
        int n = snprintf(key, sizeof(key), "key-%d", i);
        ct_map_entry_t *e = ct__map_insert(&m, key, (size_t)n, &values[i]);
        assert_string_equal(e->key, key);
    }
    assert_int_equal(m.size, 5000);
    for (int i = 0; i < 5000; i++) {
        int n = snprintf(key, sizeof(key), "key-%d", i);
        assert_ptr_equal(ct__map_get(&m, key, (size_t)n), &values[i]);
        /* entries keep insertion order */
        assert_ptr_equal(m.entries[i].value, &values[i]);
    }
    assert_null(ct__map_get(&m, "key-5000", 8));
    assert_null(ct__map_get(&m, "key-1", 4)); /* prefix of a key */
    ct__map_dispose(&m);
    ct__map_dispose(&m); /* disposing twice is harmless */
}

static void test_binary_keys(void **state)
{
    ct_map_t m;
    ct__map_init(&m);
    int a, b, c;
    ct__map_insert(&m, "x\0y", 3, &a);
    ct__map_insert(&m, "x\0z", 3, &b);
    ct__map_insert(&m, "", 0, &c);
    assert_ptr_equal(ct__map_get(&m, "x\0y", 3), &a);
    assert_ptr_equal(ct__map_get(&m, "x\0z", 3), &b);
    assert_ptr_equal(ct__map_get(&m, "", 0), &c);
    assert_null(ct__map_get(&m, "x", 1));
    ct__map_dispose(&m);
}

static void test_hash(void **state)
{
    const char *s = "the quick brown fox jumps over the lazy dog";
    size_t n = strlen(s);
    assert_true(ct__hash_bytes(s, n, 0) == ct__hash_bytes(s, n, 0));
    assert_true(ct__hash_bytes(s, n, 0) != ct__hash_bytes(s, n, 1));
    /* every length and every single-byte change matters */
    for (size_t len = 0; len < n; len++)
        assert_true(ct__hash_bytes(s, len, 0) != ct__hash_bytes(s, len + 1, 0));
    char t[64];
    memcpy(t, s, n);
    for (size_t i = 0; i < n; i++) {
        t[i] ^= 1;
        assert_true(ct__hash_bytes(t, n, 0) != ct__hash_bytes(s, n, 0));
        t[i] ^= 1;
    }
    assert_true(ct__hash_mix(1) != ct__hash_mix(2));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_insert_get),
        cmocka_unit_test(test_binary_keys),
        cmocka_unit_test(test_hash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
