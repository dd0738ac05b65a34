/* Tests of adapter file parsing (parse.c): structure, keywords, types, paths, dates and version
 * names; every error carries the line and column of the node at fault. */
#include "adp_test_util.h"

static const adp_version_info_t three[] = {{"v1", NULL, 0}, {"v2", NULL, 0}, {"v3", NULL, 1}};

typedef struct {
    const char *yaml;
    const char *error; /* "line:col: message" */
} bad_t;

#define HEAD "api: t\nchanges:\n  - to: v2\n"
#define OPS HEAD "    operations:\n      listPets:\n"

static const bad_t bad[] = {
    {"api: t\nextra: 1\n", "2:1: adapter file: unknown key 'extra'"},
    {"changes: []\n", "1:1: adapter file: missing 'api'"},
    {"api: [t]\n", "1:6: adapter file: expected a string, got sequence"},
    {"api: t\nchanges: {}\n", "2:10: changes: expected a sequence, got mapping"},
    {"api: t\nchanges:\n  - to: v9\n", "3:9: to: unknown version 'v9' (versions: v1, v2, v3)"},
    {"api: t\nchanges:\n  - to: v1\n",
     "3:9: to: 'v1' is the oldest version; a change leads to a newer one"},
    {"api: t\nchanges:\n  - description: x\n", "3:5: change: missing 'to'"},
    {"api: t\nchanges:\n  - to: v2\n    froms: 1\n", "4:5: change: unknown key 'froms'"},
    {"api: t\nchanges:\n  - to: v2\n  - to: v3\n",
     "4:9: to: changes are listed newest first, and 'v3' is newer than 'v2'"},
    {"api: t\nchanges:\n  - to: v2\n  - to: v2\n", "4:9: to: a second change to 'v2'"},
    {HEAD "    errors: sometimes\n", "4:13: errors: expected true or false, got string"},
    /* steps */
    {OPS "        response:\n          - renames: {old: a, new: b}\n",
     "7:13: unknown operation 'renames'"},
    {OPS "        response:\n          - {rename: {old: a, new: b}, move: {old: a, new: b}}\n",
     "7:13: step: expected exactly one operation (rename, move, added, removed, convert, map, "
     "collapse, expand, wrap, unwrap, status)"},
    {OPS "        response:\n          - rename: {old: a}\n", "7:21: rename: missing 'new'"},
    {OPS "        response:\n          - rename: {old: a, new: b, to: c}\n",
     "7:38: rename: unknown key 'to'"},
    {OPS "        response:\n          - rename: a\n",
     "7:21: rename: expected a mapping, got string"},
    {OPS "        response:\n          - rename: {old: \"a..b\", new: c}\n",
     "7:27: rename: bad JSON path 'a..b' at offset 2: empty name"},
    {OPS "        response:\n          - convert: {field: p, old: decimal, new: integer_cents}\n",
     "7:38: convert.old: unknown type 'decimal'"},
    {OPS "        response:\n          - convert: {field: p, old: boolean, new: number}\n",
     "7:22: convert: cannot convert between boolean and number"},
    {OPS "        response:\n          - convert: {field: p, old: boolean, new: enum}\n",
     "7:22: convert: boolean <-> enum needs a mapping {true: ..., false: ...}"},
    {OPS "        response:\n          - convert: {field: p, old: number, new: string, mapping: "
         "{a: b}}\n",
     "7:68: convert: mapping is only for boolean <-> enum"},
    {OPS "        response:\n          - convert: {field: p, old: boolean, new: enum, mapping: "
         "{true: a, x: b}}\n",
     "7:67: convert.mapping: keys must be true and false"},
    {OPS "        response:\n          - convert: {field: p, old: boolean, new: enum, mapping: "
         "{true: a, false: a}}\n",
     "7:67: convert.mapping: two values map to the same value, so the reverse is ambiguous; add "
     "new_to_old"},
    {OPS "        response:\n          - convert: {field: p, old: decimal_string, new: "
         "integer_cents, scale: 12}\n",
     "7:81: convert.scale: expected an integer 0..9"},
    {OPS "        response:\n          - map: {field: s, old_to_new: {a: x, b: x}}\n",
     "7:41: map.old_to_new: two values map to the same value, so the reverse is ambiguous; add "
     "new_to_old"},
    {OPS "        response:\n          - map: {field: s, old_to_new: {a: [x]}}\n",
     "7:45: map.old_to_new: values must be scalars"},
    {OPS "        response:\n          - map: {field: s}\n", "7:18: map: missing 'old_to_new'"},
    {OPS "        request:\n          - status: {old: 200, new: 204}\n",
     "7:13: status: only in an operation's response steps"},
    {OPS "        response:\n          - status: {old: 200, new: 200}\n",
     "7:21: status: old and new are equal"},
    {OPS "        response:\n          - status: {old: 200, new: 99}\n",
     "7:37: status.new: expected a status code 100..599"},
    {OPS "        response:\n          - rename: {old: a, new: b, in: request}\n",
     "7:42: rename.in: only schema steps choose request or response; this list already says which"},
    {OPS "        request:\n          - rename: {old: a, new: b, on: [4xx]}\n",
     "7:42: rename.on: status codes only apply to responses"},
    {OPS "        response:\n          - rename: {old: a, new: b, on: [6xx]}\n",
     "7:43: on: expected a status code, 1xx..5xx, 'errors' or 'any'"},
    {OPS "        response:\n          - rename: {old: a, new: b, on: []}\n",
     "7:42: on: empty list"},
    {OPS "        response:\n          - unwrap: {at: x}\n", "7:21: unwrap: missing 'field'"},
    {OPS "        response:\n          - unwrap: {field: data, defaults: {data: 1}}\n",
     "7:45: unwrap.defaults: must not hold the member 'data' itself"},
    {OPS "        response:\n          - collapse: {field: a, old: b}\n",
     "7:31: collapse: give either 'field' or 'old' and 'new'"},
    {OPS "        response:\n          - removed: {field: a, default: 1, from: b}\n",
     "7:51: removed: give either 'default' or 'from', not both"},
    /* operations */
    {HEAD "    operations:\n      get /pets: {}\n",
     "5:7: operation 'get /pets': expected an operationId or \"METHOD /template\""},
    {HEAD "    operations:\n      listPets: {requests: []}\n",
     "5:18: operation: unknown key 'requests'"},
    {HEAD "    operations:\n      listPets: {gone: true, request: []}\n",
     "5:24: gone: a gone operation has no other changes"},
    {HEAD "    operations:\n      listPets: {path: {old: pets, new: /x}}\n",
     "5:24: path: templates start with '/'"},
    {HEAD "    operations:\n      listPets: {gone: 3}\n",
     "5:24: gone: expected true or false, got integer"},
    /* headers and query parameters */
    {HEAD "    headers:\n      - rename: {old: \"X Total\", new: X-Total-Count}\n",
     "5:23: 'X Total' is not a valid header name"},
    {HEAD "    headers:\n      - added: {name: X-A, default: \"a\\r\\nb: c\"}\n",
     "5:37: header values cannot hold control characters"},
    {HEAD "    headers:\n      - renamed: {old: a, new: b}\n",
     "5:9: headers: unknown operation 'renamed' (rename, added, removed)"},
    {HEAD "    headers:\n      - rename: {old: x-a, new: X-A}\n",
     "5:17: rename: old and new are the same name"},
    {HEAD "    headers:\n      - rename: {old: a, new: b, in: request, on: [4xx]}\n",
     "5:51: on: status codes only apply to responses"},
    {HEAD "    query:\n      - rename: {old: a, new: b, in: request}\n",
     "5:34: rename: unknown key 'in'"},
    {HEAD "    query:\n      - added: {name: \"\", default: x}\n", "5:23: empty name"},
    /* deprecation metadata */
    {"api: t\nversions:\n  v7: {}\n", "3:3: versions: unknown version 'v7' (versions: v1, v2, v3)"},
    {"api: t\nversions:\n  v1: {deprecated: 2026-13-01}\n",
     "3:20: deprecated: expected a date (2026-06-30) or an RFC 3339 date-time"},
    {"api: t\nversions:\n  v1: {deprecated: 2026-06-30, sunset: 2026-01-01}\n",
     "3:40: sunset: earlier than the deprecation date (RFC 9745 §3)"},
    {"api: t\nversions:\n  v1: {link: \"https://x/a b\"}\n",
     "3:14: link: ' ' (0x20) is not allowed in a URI"},
    {"api: t\nversions:\n  v1: {link: docs}\n", "3:14: link: expected an absolute URI"},
    {"api: t\nversions:\n  v1: {after_sunset: redirect}\n",
     "3:22: after_sunset: expected 'gone' or 'serve'"},
    {"api: t\nversions:\n  v1: {operations: {listPets: {operations: {}}}}\n",
     "3:32: operation: unknown key 'operations'"},
    {"api: t\nversions:\n  v1: {sunsets: 2026-01-01}\n", "3:8: version: unknown key 'sunsets'"},
    /* YAML itself */
    {"api: t\nchanges: [\n",
     "3:1: YAML syntax error: did not find expected node content while parsing a flow node"},
    {"api: t\napi: u\n", "2:1: duplicate key 'api'"},
};

/* Runs every case and reports all differences before failing. */
static void test_errors(void **state)
{
    int failed = 0;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); ++i) {
        adp_registry_t *reg;
        spec_error_t err;
        char got[1200];
        if (adp_registry_parse(&reg, "a.yaml", bad[i].yaml, strlen(bad[i].yaml), three, 3, NULL,
                               &err) == 0) {
            adp_registry_destroy(reg);
            snprintf(got, sizeof(got), "(loaded)");
        } else {
            snprintf(got, sizeof(got), "%u:%u: %s", err.line, err.col, err.message);
        }
        if (strcmp(got, bad[i].error) != 0) {
            print_message("# case %zu\n#   expected %s\n#   got      %s\n", i, bad[i].error, got);
            failed = 1;
        }
    }
    assert_false(failed);
}

static void test_api_name(void **state)
{
    adp_registry_t *reg;
    spec_error_t err;
    adp_load_options_t opts = {.api = "pets"};
    const char *yaml = "api: cats\n";
    assert_int_equal(adp_registry_parse(&reg, "a.yaml", yaml, strlen(yaml), three, 3, &opts, &err),
                     -1);
    assert_string_equal(err.message,
                        "api: the file adapts 'cats', but it is configured for API 'pets'");
    assert_int_equal(err.line, 1);
    assert_int_equal(err.col, 6);
    assert_string_equal(err.file, "a.yaml");
}

static void test_versions_argument(void **state)
{
    adp_registry_t *reg;
    spec_error_t err;
    const char *yaml = "api: t\n";
    adp_version_info_t dup[] = {{"v1", NULL, 1}, {"v1", NULL, 1}};
    assert_int_equal(adp_registry_parse(&reg, "a.yaml", yaml, strlen(yaml), dup, 2, NULL, &err),
                     -1);
    assert_string_equal(err.message, "version v1 is listed twice");
    assert_int_equal(adp_registry_parse(&reg, "a.yaml", yaml, strlen(yaml), dup, 0, NULL, &err),
                     -1);
    assert_string_equal(err.message, "an API needs at least one version");
    adp_version_info_t none[] = {{"v1", NULL, 1}, {"v2", NULL, 0}};
    assert_int_equal(adp_registry_parse(&reg, "a.yaml", yaml, strlen(yaml), none, 2, NULL, &err),
                     -1);
    assert_string_equal(err.message, "version v2 has no upstream and no newer version has one");
    assert_int_equal(adp_registry_load(&reg, "/nonexistent/a.yaml", three, 3, NULL, &err), -1);
    assert_string_equal(err.file, "/nonexistent/a.yaml");
}

static void test_minimal(void **state)
{
    /* an API with nothing to adapt: every version passes through */
    adp_registry_t *reg = load_reg("api: t\n", three, 3);
    assert_int_equal(adp_registry_version_count(reg), 3);
    assert_int_equal(adp_registry_version(reg, "v2"), 1);
    assert_int_equal(adp_registry_version(reg, "v4"), SIZE_MAX);
    assert_string_equal(adp_registry_version_name(reg, 2), "v3");
    assert_int_equal(adp_registry_upstream_of(reg, 0), 2);
    assert_null(adp_plan_find(reg, 2, "listPets", "GET", "/pets"));
    /* versions without an upstream still get a (change-less) plan */
    const adp_plan_t *p = adp_plan_find(reg, 0, "listPets", "GET", "/pets");
    assert_non_null(p);
    assert_string_equal(adp_plan_operation(p), "*");
    assert_int_equal(adp_plan_hops(p), 0);
    assert_null(adp_plan_find(reg, 7, NULL, NULL, NULL));
    adp_registry_destroy(reg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_api_name),
        cmocka_unit_test(test_versions_argument),
        cmocka_unit_test(test_minimal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
