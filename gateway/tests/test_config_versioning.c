/* Tests for gateway/config_versioning.c: `versioning` and version names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "config_fixture.h"

static void test_errors_versioning(void **state)
{
    static const error_case_t cases[] = {
        {MINIMAL "versioning: v1\n", 8, 13, "versioning: expected a mapping, got string",
         "/versioning"},
        {MINIMAL "versioning: {defualt: v1}\n", 8, 14,
         "versioning: unknown key 'defualt' (did you mean 'default'?)", "/versioning"},
        {MINIMAL "versioning: {mediatype: x}\n", 8, 14, "did you mean 'media_type'?", NULL},
        {MINIMAL "versioning: {default: v9}\n", 8, 23,
         "versioning.default: unknown version 'v9' for API 'pets' (it has v1); set `default` on "
         "that API",
         "/versioning/default"},
        {MINIMAL "versioning: {default: true}\n", 8, 23,
         "versioning.default: expected a version name, got boolean", NULL},
        {MINIMAL "versioning: {default: ~}\n", 8, 23, "expected a version name, got null", NULL},
        {MINIMAL "versioning: {default: \"v 1\"}\n", 8, 23,
         "versioning.default: invalid version name 'v 1'", NULL},
        {MINIMAL "versioning: {media_type: json}\n", 8, 26,
         "versioning.media_type: 'json' is not a media type", "/versioning/media_type"},
        {MINIMAL "versioning: {media_type: \"application/vnd.acme+json; version=1\"}\n", 8, 26,
         "is not a media type (type/subtype, without parameters)", NULL},
        {MINIMAL "versioning: {media_type: \"application/\"}\n", 8, 26, "is not a media type",
         NULL},
        {MINIMAL "versioning: {media_type: \"/json\"}\n", 8, 26, "is not a media type", NULL},
        {MINIMAL "versioning: {media_type: 5}\n", 8, 26,
         "versioning.media_type: expected a string, got integer", NULL},
        {MINIMAL "versioning: {header: \"Api Version\"}\n", 8, 22,
         "versioning.header: 'Api Version' is not a valid header name", "/versioning/header"},
        {MINIMAL "versioning: {header: \"Api-Version:\"}\n", 8, 22, "is not a valid header name",
         NULL},
        {MINIMAL "versioning: {header: [a]}\n", 8, 22, "expected a string, got sequence", NULL},
    };
    CHECK_ERRORS(cases);

    gw_config_t *cfg = load_ok(MINIMAL "versioning: {media_type: Application/VND.Acme+JSON, "
                                       "header: X-API-Version}\n");
    assert_string_equal(cfg->versioning.media_type, "application/vnd.acme+json");
    assert_string_equal(cfg->versioning.header, "X-API-Version");
    assert_string_equal(cfg->versioning.header_lower, "x-api-version");
    gw_config_release(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_errors_versioning),
    };
    return cmocka_run_group_tests(tests, config_setup, config_teardown);
}
