/* Tests of body/jansson.c: load-time jansson values into the body model. */
#include "body_test_util.h"
#include <jansson.h>
#include "body_jansson.h"

static void test_from_jansson(void **state)
{
    tmem_t t;
    tmem_init(&t);
    body_value_t *v;
    /* from jansson: iteration order, NUL in strings and names, reals as shortest text */
    json_t *j = json_object();
    json_object_set_new(j, "z", json_integer(-5));
    json_object_set_new(j, "a", json_real(2.0));
    json_object_setn_new(j, "n\0l", 3, json_stringn("x\0y\"", 4));
    json_object_set_new(j, "arr", json_pack("[n,b,b,f,{},[]]", 1, 0, 0.1));
    json_object_set_new(j, "s", json_string("caf\xc3\xa9"));
    v = body_from_jansson(&t.mem, j);
    assert_string_equal(dump(&t, v), "{\"z\":-5,\"a\":2.0,\"n\\u0000l\":\"x\\u0000y\\\"\","
                                     "\"arr\":[null,true,false,0.1,{},[]],\"s\":\"caf\xc3\xa9\"}");
    assert_int_equal(v->u.members[0].flags, BODY_VERBATIM);
    assert_int_equal(v->u.members[2].flags, 0);
    assert_int_equal(body_get(v, "s", 1)->flags, BODY_VERBATIM);
    assert_int_equal(body_get(v, "n\0l", 3)->flags, 0);
    json_decref(j);
    tmem_dispose(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_from_jansson),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
