/* Tests of body/tree.c: constructors, edits and copies. */
#include "body_test_util.h"

/* ---- constructors and accessors ---- */

static void expect_real(double d, const char *want)
{
    tmem_t t;
    tmem_init(&t);
    body_value_t *v = body_real(&t.mem, d);
    assert_non_null(v);
    assert_false(body_is_integer(v));
    assert_string_equal(dump(&t, v), want);
    double back;
    assert_int_equal(body_real_value(v, &back), 0);
    assert_true(back == d && signbit(back) == signbit(d));
    tmem_dispose(&t);
}

static void expect_int(int64_t i, const char *want)
{
    tmem_t t;
    tmem_init(&t);
    body_value_t *v = body_integer(&t.mem, i);
    assert_true(body_is_integer(v));
    assert_string_equal(dump(&t, v), want);
    int64_t back;
    assert_int_equal(body_int_value(v, &back), 0);
    assert_true(back == i);
    tmem_dispose(&t);
}

static void test_constructors(void **state)
{
    expect_int(0, "0");
    expect_int(7, "7");
    expect_int(10, "10");
    expect_int(-99, "-99");
    expect_int(100, "100");
    expect_int(1234567, "1234567");
    expect_int(INT64_MAX, "9223372036854775807");
    expect_int(INT64_MIN, "-9223372036854775808");
    expect_real(0.1, "0.1");
    expect_real(1.0, "1.0");
    expect_real(-0.0, "-0.0");
    expect_real(100, "100.0");
    expect_real(1e300, "1e+300");
    expect_real(1.0 / 3, "0.3333333333333333");
    expect_real(0.1 + 0.2, "0.30000000000000004");
    expect_real(123456789012345680000.0, "1.2345678901234568e+20");
    expect_real(5e-324, "4.94065645841247e-324");
    expect_real(1.7976931348623157e308, "1.7976931348623157e+308");
    expect_real(-1.5e-7, "-1.5e-07");

    tmem_t t;
    tmem_init(&t);
    assert_null(body_real(&t.mem, NAN));
    assert_null(body_real(&t.mem, INFINITY));
    assert_null(body_real(&t.mem, -INFINITY));

    const char *num = "2.50";
    body_value_t *v = body_number_text(&t.mem, num, 4);
    assert_ptr_equal(v->u.str, num);
    assert_false(body_is_integer(v));
    assert_true(body_is_integer(body_number_text(&t.mem, "-42", 3)));
    assert_false(body_is_integer(body_number_text(&t.mem, "1E3", 3)));

    char src[] = "copied";
    v = body_string_copy(&t.mem, src, 6);
    src[0] = 'X';
    assert_int_equal(v->type, BODY_STRING);
    assert_memory_equal(v->u.str, "copied", 6);
    assert_int_equal(body_string_copy(&t.mem, NULL, 0)->len, 0);

    assert_string_equal(dump(&t, body_null(&t.mem)), "null");
    assert_string_equal(dump(&t, body_bool(&t.mem, 2)), "true");
    assert_string_equal(dump(&t, body_bool(&t.mem, 0)), "false");
    assert_string_equal(dump(&t, body_object(&t.mem)), "{}");
    assert_string_equal(dump(&t, body_array(&t.mem)), "[]");

    tmem_dispose(&t);
}

/* ---- edits ---- */

static void test_edits(void **state)
{
    tmem_t t;
    tmem_init(&t);
    body_mem_t *m = &t.mem;
    body_value_t *o = parse(&t, "{\"a\":1,\"b\":{\"c\":[1,2]},\"d\":\"x\"}");

    body_set(m, o, "b", 1, body_integer(m, 2)); /* replaced in place */
    assert_string_equal(dump(&t, o), "{\"a\":1,\"b\":2,\"d\":\"x\"}");
    assert_int_equal(o->cap, 3);
    body_set(m, o, "e", 1, body_null(m)); /* appended: grows to 6 */
    assert_int_equal(o->len, 4);
    assert_int_equal(o->cap, 6);
    for (int i = 0; i < 3; i++)
        body_set(m, o, &"fgh"[i], 1, body_bool(m, i & 1));
    assert_int_equal(o->cap, 12);
    assert_string_equal(dump(&t, o),
                        "{\"a\":1,\"b\":2,\"d\":\"x\",\"e\":null,\"f\":false,\"g\":true,"
                        "\"h\":false}");
    assert_int_equal(body_del(o, "a", 1), 0);
    assert_int_equal(body_del(o, "g", 1), 0);
    assert_int_equal(body_del(o, "h", 1), 0);
    assert_int_equal(body_del(o, "zz", 2), -1);
    assert_string_equal(dump(&t, o), "{\"b\":2,\"d\":\"x\",\"e\":null,\"f\":false}");
    while (o->len != 0)
        assert_int_equal(body_del(o, o->u.members[0].key, o->u.members[0].len), 0);
    assert_string_equal(dump(&t, o), "{}");

    body_value_t *e = body_object(m); /* from empty: capacity 4, then 8 */
    body_set(m, e, "", 0, body_integer(m, 0));
    assert_int_equal(e->cap, 4);
    for (int i = 0; i < 4; i++)
        body_set(m, e, &"vwxy"[i], 1, body_integer(m, i + 1));
    assert_int_equal(e->cap, 8);
    assert_string_equal(dump(&t, e), "{\"\":0,\"v\":1,\"w\":2,\"x\":3,\"y\":4}");

    body_value_t *a = body_array(m);
    for (int i = 0; i < 5; i++)
        body_append(m, a, body_integer(m, i));
    assert_int_equal(a->len, 5);
    assert_int_equal(a->cap, 8);
    body_put(a, 0, body_string(m, "z", 1));
    body_remove(a, 2);
    body_remove(a, 3);
    assert_string_equal(dump(&t, a), "[\"z\",1,3]");
    assert_null(body_at(a, 3));
    assert_int_equal(body_at(a, 1)->type, BODY_NUMBER);
    body_remove(a, 0);
    body_remove(a, 0);
    body_remove(a, 0);
    assert_string_equal(dump(&t, a), "[]");

    body_value_t *p = parse(&t, "[5]"); /* parsed with exact capacity: grows on append */
    assert_int_equal(p->cap, 1);
    body_append(m, p, body_integer(m, 6));
    assert_int_equal(p->cap, 4);
    assert_string_equal(dump(&t, p), "[5,6]");
    tmem_dispose(&t);
}

static void test_copy(void **state)
{
    tmem_t t;
    tmem_init(&t);
    body_mem_t *m = &t.mem;
    const char *text = "{\"a\":[1,{\"b\":\"c\\n\"}],\"d\":{},\"e\":[],\"f\":1.5,\"g\":null}";
    body_value_t *o = parse(&t, text);
    body_value_t *c = body_copy(m, o);
    assert_true(body_equal(o, c));
    assert_ptr_not_equal(c, o);
    assert_ptr_not_equal(c->u.members, o->u.members);

    body_value_t *ca = body_get(c, "a", 1);
    assert_ptr_not_equal(ca, body_get(o, "a", 1));
    body_set(m, body_at(ca, 1), "b", 1, body_integer(m, 7));
    body_append(m, ca, body_null(m));
    body_set(m, body_get(c, "d", 1), "x", 1, body_null(m));
    body_del(c, "g", 1);
    assert_string_equal(dump(&t, o),
                        "{\"a\":[1,{\"b\":\"c\\n\"}],\"d\":{},\"e\":[],\"f\":1.5,\"g\":null}");
    assert_string_equal(dump(&t, c),
                        "{\"a\":[1,{\"b\":7},null],\"d\":{\"x\":null},\"e\":[],\"f\":1.5}");
    assert_false(body_equal(o, c));
    tmem_dispose(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_constructors),
        cmocka_unit_test(test_edits),
        cmocka_unit_test(test_copy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
