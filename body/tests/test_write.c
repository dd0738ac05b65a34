/* Tests of body/write.c: round trips: compact input written back byte for byte, the rest
 * canonically. */
#include "body_test_util.h"

/* ---- round trips ---- */

static void test_round_trips(void **state)
{
    expect_dump(
        " { \"a\" : [ 1 , 2.5 , -0 , 1E+2 , 1.10 , 12345678901234567890 ] ,\n\t\"b\" : { } , "
        "\"c\" : [ ] , \"d\" : [ [ ] , { } ] }\r\n",
        "{\"a\":[1,2.5,-0,1E+2,1.10,12345678901234567890],\"b\":{},\"c\":[],\"d\":[[],{}]}");
    expect_dump("0", "0");
    expect_dump("-0.0e-00", "-0.0e-00");
    expect_dump("1e999", "1e999");
    expect_dump(" true ", "true");
    expect_dump("false", "false");
    expect_dump("null", "null");
    expect_dump("\"\"", "\"\"");
    expect_dump("[null,true,false,\"x\",{\"\":\"\"}]", "[null,true,false,\"x\",{\"\":\"\"}]");
    expect_dump("\"h\xc3\xa9llo \xe2\x98\x83 \xf0\x9f\x98\x80 \xef\xbf\xbf \xf4\x8f\xbf\xbf\"",
                "\"h\xc3\xa9llo \xe2\x98\x83 \xf0\x9f\x98\x80 \xef\xbf\xbf \xf4\x8f\xbf\xbf\"");
    expect_dump("\"\x7f\"", "\"\x7f\"");
    expect_dump("{\"k\":{\"k\":{\"k\":[1,[2,[3]]]}}}", "{\"k\":{\"k\":{\"k\":[1,[2,[3]]]}}}");

    /* verbatim strings and numbers point into the input; types and flags */
    tmem_t t;
    tmem_init(&t);
    const char *text = "{\"name\":\"caf\xc3\xa9 au lait, long enough\",\"n\":-12,\"x\":1.5}";
    const char *in = exact(&t, text, strlen(text));
    body_error_t err;
    body_value_t *v = body_parse(&t.mem, in, strlen(text), 0, &err);
    assert_non_null(v);
    assert_int_equal(v->type, BODY_OBJECT);
    assert_int_equal(v->len, 3);
    assert_int_equal(v->cap, 3);
    assert_ptr_equal(v->u.members[0].key, in + 2);
    assert_int_equal(v->u.members[0].flags, BODY_VERBATIM);
    body_value_t *s = body_get(v, "name", 4);
    assert_int_equal(s->type, BODY_STRING);
    assert_int_equal(s->flags, BODY_VERBATIM);
    assert_ptr_equal(s->u.str, in + 9);
    assert_int_equal(s->len, strlen("caf\xc3\xa9 au lait, long enough"));
    body_value_t *n = body_get(v, "n", 1);
    assert_true(body_is_integer(n));
    assert_int_equal(n->len, 3);
    assert_memory_equal(n->u.str, "-12", 3);
    assert_false(body_is_integer(body_get(v, "x", 1)));
    assert_true(body_is(body_get(v, "x", 1), BODY_NUMBER));
    assert_null(body_get(v, "nam", 3));
    assert_null(body_get(s, "name", 4));

    body_value_t *a = parse(&t, "[]");
    assert_int_equal(a->type, BODY_ARRAY);
    assert_int_equal(a->len, 0);
    assert_int_equal(a->cap, 0);
    tmem_dispose(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trips),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
