/* Tests for gateway/config_apis.c: `apis`, their versions, timeouts and default versions. */
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

static void test_apis_and_versions(void **state)
{
    gw_config_t *cfg =
        load_ok(LISTEN "versioning: {default: 2}\n"
                       "apis:\n"
                       "  - name: pets\n"
                       "    prefix: /pets/\n"
                       "    versions:\n"
                       "      1:\n"
                       "      2.0: {spec: specs/pets-v2.yaml, upstream: \"http://h:1\"}\n"
                       "      2024-06-01: {upstream: \"http://h:2\"}\n"
                       "    timeouts: {connect_ms: 5}\n"
                       "    adapters: adapters/pets.yaml\n"
                       "  - name: root\n"
                       "    prefix: /\n"
                       "    versions: {v1: {upstream: \"http://h:3\"}, v2: "
                       "{upstream: \"http://h:4\", spec: /abs/spec.yaml}}\n"
                       "    default: v1\n"
                       "  - name: shop.v2_x-y\n"
                       "    prefix: /api/shops\n"
                       "    versions: {v2: {upstream: \"http://h:5\"}}\n");
    assert_int_equal(cfg->num_apis, 3);
    const gw_api_t *pets = cfg->apis, *root = cfg->apis + 1, *shops = cfg->apis + 2;
    assert_string_equal(pets->prefix, "/pets");
    assert_int_equal(pets->num_versions, 3);
    assert_string_equal(pets->versions[0].name, "1");
    assert_string_equal(pets->versions[0].canonical, "1");
    assert_false(pets->versions[0].has_upstream);
    assert_null(pets->versions[0].upstream.url);
    assert_string_equal(pets->versions[1].name, "2.0");
    assert_string_equal(pets->versions[1].canonical, "2");
    assert_string_equal(pets->versions[1].spec_path, tmp_path("specs/pets-v2.yaml"));
    assert_string_equal(pets->versions[2].name, "2024-06-01");
    assert_string_equal(pets->versions[2].canonical, "2024-06-01");
    assert_int_equal(pets->connect_timeout_ms, 5);
    assert_int_equal(pets->response_timeout_ms, 15000);
    assert_string_equal(pets->adapters_path, tmp_path("adapters/pets.yaml"));
    assert_ptr_equal(pets->default_version, pets->versions + 1); /* versioning.default: 2 */

    assert_string_equal(root->prefix, "");
    assert_int_equal(root->prefix_len, 0);
    assert_ptr_equal(root->default_version, root->versions); /* its own default wins */
    assert_string_equal(root->versions[1].spec_path, "/abs/spec.yaml");

    assert_string_equal(shops->name, "shop.v2_x-y");
    assert_string_equal(shops->prefix, "/api/shops");
    assert_ptr_equal(shops->default_version, shops->versions); /* "2" names v2 */
    gw_config_release(cfg);

    /* no default anywhere: the newest version */
    cfg = load_ok(LISTEN "apis:\n  - name: a\n    prefix: /a\n    versions:\n"
                         "      v1: {upstream: \"http://h:1\"}\n"
                         "      v3: {upstream: \"http://h:3\"}\n"
                         "      v2: {upstream: \"http://h:2\"}\n");
    assert_string_equal(cfg->apis[0].default_version->name, "v2");
    gw_config_release(cfg);
}

static void test_errors_apis(void **state)
{
    static const error_case_t cases[] = {
        {LISTEN "apis: {}\n", 3, 7, "apis: expected a sequence of APIs, got mapping", "/apis"},
        {LISTEN "apis: []\n", 3, 7, "apis: at least one API is required", "/apis"},
        {LISTEN "apis:\n  - pets\n", 4, 5, "apis[0]: expected a mapping, got string", "/apis/0"},
        {LISTEN "apis:\n  - prefix: /pets\n    versions: {v1: {upstream: \"http://h\"}}\n", 4, 5,
         "apis[0]: missing required key 'name'", "/apis/0"},
        {LISTEN "apis:\n  - name: pets\n    versions: {v1: {upstream: \"http://h\"}}\n", 4, 5,
         "apis[0]: API 'pets' has no 'prefix', so every version must name a 'spec' (version v1 "
         "has none)",
         NULL},
        {API_HEAD, 4, 5, "apis[0]: missing required key 'versions'", NULL},
        {API_HEAD "    prefx: /x\n    versions: {v1: {upstream: \"http://h\"}}\n", 6, 5,
         "apis[0]: unknown key 'prefx' (did you mean 'prefix'?)", "/apis/0"},
        {API_HEAD "    version: {v1: {upstream: \"http://h\"}}\n", 6, 5,
         "apis[0]: unknown key 'version' (did you mean 'versions'?)", NULL},
        {LISTEN
         "apis:\n  - name: 7\n    prefix: /a\n    versions: {v1: {upstream: \"http://h\"}}\n",
         4, 11, "apis[0].name: expected a string, got integer", "/apis/0/name"},
        {LISTEN "apis:\n  - name: pets api\n    prefix: /a\n    versions: {v1: {upstream: "
                "\"http://h\"}}\n",
         4, 11, "apis[0].name: invalid API name 'pets api'", NULL},
        {LISTEN "apis:\n"
                "  - name: pets\n    prefix: /a\n    versions: {v1: {upstream: \"http://h\"}}\n"
                "  - name: pets\n    prefix: /b\n    versions: {v1: {upstream: \"http://h\"}}\n",
         7, 11, "apis[1].name: duplicate API name 'pets' (also apis[0], line 4)", "/apis/1/name"},
        {LISTEN "apis:\n"
                "  - name: a\n    prefix: /pets\n    versions: {v1: {upstream: \"http://h\"}}\n"
                "  - name: b\n    prefix: /pets\n    versions: {v1: {upstream: \"http://h\"}}\n",
         8, 13, "apis[1].prefix: prefix '/pets' is already owned by API 'a' (line 5)",
         "/apis/1/prefix"},
        {LISTEN "apis:\n"
                "  - name: a\n    prefix: /pets\n    versions: {v1: {upstream: \"http://h\"}}\n"
                "  - name: b\n    prefix: /pets/\n    versions: {v1: {upstream: \"http://h\"}}\n",
         8, 13, "prefix '/pets/' is already owned by API 'a'", NULL},
        {LISTEN "apis:\n"
                "  - name: a\n    prefix: /\n    versions: {v1: {upstream: \"http://h\"}}\n"
                "  - name: b\n    prefix: \"/\"\n    versions: {v1: {upstream: \"http://h\"}}\n",
         8, 13, "prefix '/' is already owned by API 'a'", NULL},
    };
    CHECK_ERRORS(cases);
}

static void test_errors_versions(void **state)
{
    static const error_case_t cases[] = {
        {API_HEAD "    versions: [v1]\n", 6, 15,
         "apis[0].versions: expected a mapping, got sequence", "/apis/0/versions"},
        {API_HEAD "    versions: {}\n", 6, 15, "apis[0].versions: at least one version is required",
         NULL},
        {API_HEAD "    versions:\n      true: {upstream: \"http://h\"}\n", 7, 7,
         "apis[0].versions.true: expected a version name, got boolean", "/apis/0/versions/true"},
        {API_HEAD "    versions:\n      ~: {upstream: \"http://h\"}\n", 7, 7,
         "expected a version name, got null", NULL},
        {API_HEAD "    versions:\n      \"v 1\": {upstream: \"http://h\"}\n", 7, 7,
         "apis[0].versions.v 1: invalid version name 'v 1'", "/apis/0/versions/v 1"},
        {API_HEAD "    versions:\n      v1/x: {upstream: \"http://h\"}\n", 7, 7,
         "invalid version name 'v1/x'", "/apis/0/versions/v1~1x"},
        {API_HEAD "    versions:\n      v1: {upstream: \"http://h\"}\n"
                  "      1.0: {upstream: \"http://h\"}\n",
         8, 7, "apis[0].versions.1.0: version '1.0' is the same as version 'v1' (both mean 1)",
         "/apis/0/versions/1.0"},
        {API_HEAD "    versions:\n      V2: {upstream: \"http://h\"}\n"
                  "      v2: {upstream: \"http://h\"}\n",
         8, 7, "version 'v2' is the same as version 'V2'", NULL},
        {API_HEAD "    versions:\n      v1: http://h\n", 7, 11,
         "apis[0].versions.v1: expected a mapping, got string", "/apis/0/versions/v1"},
        {API_HEAD "    versions:\n      v1: {upstrem: \"http://h\"}\n", 7, 12,
         "apis[0].versions.v1: unknown key 'upstrem' (did you mean 'upstream'?)", NULL},
        {API_HEAD "    versions:\n      v1: {upstream: 9001}\n", 7, 22,
         "apis[0].versions.v1.upstream: expected a string, got integer",
         "/apis/0/versions/v1/upstream"},
        {API_HEAD "    versions:\n      v1: {upstream: \"http://h\", spec: 5}\n", 7, 40,
         "apis[0].versions.v1.spec: expected a string, got integer", "/apis/0/versions/v1/spec"},
        /* a version without upstream needs a newer one that has one */
        {API_HEAD "    versions:\n      v1: {upstream: \"http://h\"}\n      v2:\n", 8, 7,
         "apis[0].versions.v2: version 'v2' has no upstream, and no newer version has one",
         "/apis/0/versions/v2"},
        {API_HEAD "    versions:\n      v1: {spec: a.yaml}\n", 7, 7, "version 'v1' has no upstream",
         NULL},
        {API_HEAD "    versions:\n      v1:\n      v2: {}\n      v3:\n", 9, 7,
         "version 'v3' has no upstream", NULL},
        {API_HEAD "    versions: {v1: {upstream: \"http://h\"}}\n    default: v2\n", 7, 14,
         "apis[0].default: unknown version 'v2' (API 'pets' has v1)", "/apis/0/default"},
        {API_HEAD "    versions: {v1: {upstream: \"http://h\"}}\n    default: [v1]\n", 7, 14,
         "apis[0].default: expected a version name, got sequence", NULL},
        {API_HEAD "    versions: {v1: {upstream: \"http://h\"}}\n    adapters: 5\n", 7, 15,
         "apis[0].adapters: expected a string, got integer", "/apis/0/adapters"},
        /* versioning.default must exist in every API that has no default of its own */
        {LISTEN "versioning: {default: v2}\n"
                "apis:\n"
                "  - name: a\n    prefix: /a\n    versions: {v2: {upstream: \"http://h\"}}\n"
                "  - name: b\n    prefix: /b\n    versions: {v1: {upstream: \"http://h\"}}\n",
         3, 23, "versioning.default: unknown version 'v2' for API 'b' (it has v1)",
         "/versioning/default"},
    };
    CHECK_ERRORS(cases);
}

static void test_errors_timeouts(void **state)
{
    static const error_case_t cases[] = {
        {API_HEAD "    versions: {v1: {upstream: \"http://h\"}}\n    timeouts: 5\n", 7, 15,
         "apis[0].timeouts: expected a mapping, got integer", "/apis/0/timeouts"},
        {API_HEAD "    versions: {v1: {upstream: \"http://h\"}}\n    timeouts: {conect_ms: 5}\n", 7,
         16, "apis[0].timeouts: unknown key 'conect_ms' (did you mean 'connect_ms'?)", NULL},
        {API_HEAD "    versions: {v1: {upstream: \"http://h\"}}\n    timeouts: {connect_ms: 0}\n",
         7, 28, "apis[0].timeouts.connect_ms: expected an integer between 1 and 86400000, got 0",
         "/apis/0/timeouts/connect_ms"},
        {API_HEAD "    versions: {v1: {upstream: \"http://h\"}}\n"
                  "    timeouts: {response_ms: 1s}\n",
         7, 29, "apis[0].timeouts.response_ms: expected an integer, got string",
         "/apis/0/timeouts/response_ms"},
        {API_HEAD "    versions: {v1: {upstream: \"http://h\"}}\n"
                  "    timeouts: {response_ms: 86400001}\n",
         7, 29, "between 1 and 86400000", NULL},
    };
    CHECK_ERRORS(cases);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_apis_and_versions),
        cmocka_unit_test(test_errors_apis),
        cmocka_unit_test(test_errors_versions),
        cmocka_unit_test(test_errors_timeouts),
    };
    return cmocka_run_group_tests(tests, config_setup, config_teardown);
}
