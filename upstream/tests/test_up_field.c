/* Tests of up_field.c: tokens, field values, names and lists (RFC 9110 section 5). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "up_http.h"

static void tokens_and_lists(void **state)
{
    assert_true(up_http_is_token("X-Api_Version.1~", 16));
    assert_false(up_http_is_token("", 0));
    assert_false(up_http_is_token("a b", 3));
    assert_false(up_http_is_token("a:b", 3));
    assert_true(up_http_is_field_value("a\tb", 3));
    assert_false(up_http_is_field_value("a\rb", 3));
    assert_true(up_http_list_has("gzip, chunked;q=1", 17, "chunked"));
    assert_false(up_http_list_has("chunkedx", 8, "chunked"));
    assert_true(up_http_name_is("Content-Length", 14, "content-length"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tokens_and_lists),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
