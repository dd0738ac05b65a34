/* Tests of up_url.c: base URLs, http and https, and what they may not hold. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "up_url.h"

static void urls(void **state)
{
    char err[200];
    up_url_t u;
    assert_int_equal(up_url_parse("http://[::1]:8080", &u, err, sizeof(err)), 0);
    assert_string_equal(u.host, "::1");
    assert_string_equal(u.authority, "[::1]:8080");
    assert_int_equal(u.port, 8080);
    assert_string_equal(u.base_path, "");
    assert_string_equal(u.origin, "http://[::1]:8080");
    up_url_dispose(&u);
    assert_int_equal(up_url_parse("http://example.com", &u, err, sizeof(err)), 0);
    assert_int_equal(u.port, 80);
    up_url_dispose(&u);
    static const char *bad[] = {"ftp://x",        "http://",
                                "http://x:0",  "http://x:99999", "http://u@x",
                                "http://x/?q", "http://x/#f",    "http://x:12a", "https://"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (up_url_parse(bad[i], &u, err, sizeof(err)) != -1)
            fail_msg("accepted %s", bad[i]);
    assert_int_equal(up_url_parse("https://api.example.com/v2/", &u, err, sizeof(err)), 0);
    assert_true(u.is_tls);
    assert_int_equal(u.port, 443);
    assert_string_equal(u.base_path, "/v2");
    assert_string_equal(u.origin, "https://api.example.com");
    up_url_t copy;
    up_url_copy(&copy, &u);
    assert_string_equal(copy.authority, "api.example.com");
    up_url_dispose(&copy);
    up_url_dispose(&u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(urls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
