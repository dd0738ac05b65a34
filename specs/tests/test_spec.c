/* Tests for specs/spec.c: fatal loader errors with positions, versions, documents, the public
 * sample specs (OpenAPI 3.0 examples, 3.1 schema "pass" fixtures, GitHub's API) and an alias
 * bomb that must stay cheap through the whole load. */
#include <dirent.h>
#include <stdlib.h>
#include "spec_test_util.h"

#define SHARED VERSA_SHARED_DIR "/specs/"

static void expect_fatal(const char *yaml, uint32_t line, uint32_t col, const char *pointer,
                         const char *needle)
{
    spec_t *spec = (spec_t *)1;
    spec_error_t err;
    assert_int_equal(spec_parse(&spec, "t.yaml", yaml, strlen(yaml), NULL, &err), -1);
    assert_null(spec);
    if (strstr(err.message, needle) == NULL)
        fail_msg("message '%s' lacks '%s'", err.message, needle);
    assert_position(&err, "t.yaml", line, col, pointer);
}

static void test_yaml_syntax_error(void **state)
{
    expect_fatal("openapi: 3.0.3\ninfo:\n  title: x\n  version: '1\npaths: {}\n", 6, 1, "",
                 "YAML syntax error");
    expect_fatal("openapi: 3.0.3\npaths:\n  /a: {get: {]\n", 3, 14, "", "YAML syntax error");
}

static void test_swagger_2_rejected(void **state)
{
    expect_fatal("swagger: \"2.0\"\ninfo: {title: t, version: '1'}\npaths: {}\n", 1, 10, "/swagger",
                 "Swagger 2.0 documents are not supported");
}

static void test_missing_openapi(void **state)
{
    expect_fatal("info: {title: t, version: '1'}\npaths: {}\n", 1, 1, "",
                 "missing 'openapi' field");
}

static void test_bad_openapi_values(void **state)
{
    expect_fatal("openapi: 3.1\n", 1, 10, "/openapi", "not a number (quote the version)");
    expect_fatal("openapi: [3]\n", 1, 10, "/openapi", "not a sequence");
    expect_fatal("info: {}\nopenapi: '2.5.0'\n", 2, 10, "/openapi",
                 "unsupported OpenAPI version \"2.5.0\"");
    expect_fatal("openapi: '3.2.0'\n", 1, 10, "/openapi", "unsupported OpenAPI version");
    expect_fatal("openapi: '3.0'\n", 1, 10, "/openapi", "unsupported OpenAPI version");
    expect_fatal("openapi: '3.0.x'\n", 1, 10, "/openapi", "unsupported OpenAPI version");
    expect_fatal("- openapi: 3.0.0\n", 1, 1, "", "must be a mapping, not a sequence");
}

static void test_missing_file(void **state)
{
    spec_t *spec = (spec_t *)1;
    spec_error_t err;
    assert_int_equal(spec_load(&spec, FIXTURES "does-not-exist.yaml", NULL, &err), -1);
    assert_null(spec);
    assert_string_equal(err.file, FIXTURES "does-not-exist.yaml");
    assert_non_null(strstr(err.message, "cannot read file"));
}

static void test_versions(void **state)
{
    spec_t *spec = parse_clean("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n");
    assert_int_equal(spec_version(spec), SPEC_OAS_30);
    assert_string_equal(spec_version_string(spec), "3.0.3");
    assert_ptr_equal(spec_node_get(spec_root(spec), "paths"),
                     spec_node_get(spec_root(spec), "paths"));
    spec_destroy(spec);
    spec = parse_clean("{\"openapi\": \"3.1.0-rc1\", \"info\": {\"title\": \"t\", "
                       "\"version\": \"1\"}}");
    assert_int_equal(spec_version(spec), SPEC_OAS_31);
    assert_int_equal(spec_path_count(spec), 0);
    spec_destroy(spec);
}

static void test_documents(void **state)
{
    spec_t *spec = load_spec(FIXTURES "multi/openapi.yaml");
    /* root, then each referenced file once, even when reached by several spellings */
    assert_int_equal(spec_document_count(spec), 10);
    assert_string_equal(spec_doc_file(spec_document(spec, 0)), FIXTURES "multi/openapi.yaml");
    assert_string_equal(spec_doc_file(spec_document(spec, 1)), FIXTURES "multi/paths/pets.yaml");
    assert_null(spec_document(spec, 10));
    const spec_node_t *pet = spec_component(spec, "schemas", "Pet");
    assert_non_null(pet);
    const spec_doc_t *doc = spec_node_document(spec, pet);
    assert_non_null(doc);
    assert_string_equal(spec_doc_file(doc), FIXTURES "multi/schemas/pet.yaml");
    assert_ptr_equal(spec_node_document(spec, spec_root(spec)), spec_document(spec, 0));
    assert_null(spec_node_document(spec, NULL));
    for (size_t i = 1; i < spec_document_count(spec); ++i)
        assert_ptr_not_equal(spec_document(spec, i), spec_document(spec, 0));
    spec_destroy(spec);
}

static void load_dir(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    size_t count = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n < 5 || strcmp(e->d_name + n - 5, ".yaml") != 0)
            continue;
        char path[1024];
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        spec_t *spec = load_spec(path);
        if (spec_error_count(spec) != 0) {
            dump_problems(spec);
            fail_msg("%s: %zu errors", path, spec_error_count(spec));
        }
        spec_destroy(spec);
        ++count;
    }
    closedir(d);
    assert_true(count > 5);
}

static void test_oas30_examples_load(void **state)
{
    load_dir(SHARED "oas30");
    spec_t *spec = load_spec(SHARED "oas30/petstore.yaml");
    assert_int_equal(spec_path_count(spec), 2);
    assert_int_equal(spec_operation_count(spec), 3);
    assert_non_null(spec_find_operation_by_id(spec, "showPetById"));
    spec_destroy(spec);
}

static void test_oas31_pass_fixtures_load(void **state)
{
    load_dir(SHARED "oas31-schema-tests/pass");
    /* a remote $ref is valid OpenAPI that Versa does not fetch: a warning, not an error */
    spec_t *spec = load_spec(SHARED "oas31-schema-tests/pass/security-scheme-object-examples.yaml");
    const spec_problem_t *p = find_problem(spec, SPEC_PROBLEM_REF_UNSUPPORTED, "remote");
    assert_int_equal(p->severity, SPEC_SEVERITY_WARNING);
    assert_string_equal(p->error.pointer, "/components/securitySchemes/external/$ref");
    spec_destroy(spec);
}

static void test_github_spec_loads(void **state)
{
    spec_t *spec = load_spec(SHARED "large/github-2022-06-11.yaml");
    size_t nproblems, nrefs;
    spec_problems(spec, &nproblems);
    if (nproblems != 0) {
        dump_problems(spec);
        fail_msg("%zu problems", nproblems);
    }
    /* the 2022-06-11 description has 498 paths holding 771 operations */
    assert_int_equal(spec_path_count(spec), 498);
    assert_int_equal(spec_operation_count(spec), 771);
    spec_refs(spec, &nrefs);
    assert_true(nrefs > 4000);
    for (size_t i = 0; i < spec_path_count(spec); ++i)
        assert_true(spec_path_at(spec, i)->indexed);
    spec_match_t m;
    const spec_path_t *p = spec_match(spec, "/repos/octo/hello/pulls/42/reviews", 34, &m);
    assert_non_null(p);
    assert_string_equal(p->template, "/repos/{owner}/{repo}/pulls/{pull_number}/reviews");
    assert_int_equal(m.count, 3);
    const spec_operation_t *op = spec_find_operation_by_id(spec, "pulls/list-reviews");
    assert_non_null(op);
    assert_ptr_equal(op->path, p);
    assert_non_null(spec_response_schema(spec, op, 200, "application/json"));
    spec_destroy(spec);
}

/* 10 levels of 10 aliases: 10^10 schema nodes if expanded. */
static char *alias_bomb(void)
{
    size_t cap = 8192, len = 0;
    char *y = malloc(cap);
    len += (size_t)snprintf(y + len, cap - len,
                            "openapi: 3.1.0\ninfo: {title: bomb, version: '1'}\ncomponents:\n"
                            "  schemas:\n    L0: &l0 {type: object, properties: {a: "
                            "{$ref: '#/components/schemas/Leaf'}}}\n"
                            "    Leaf: {type: string}\n");
    for (int level = 1; level < 10; ++level) {
        len += (size_t)snprintf(y + len, cap - len, "    L%d: &l%d {allOf: [", level, level);
        for (int i = 0; i < 10; ++i)
            len += (size_t)snprintf(y + len, cap - len, "%s*l%d", i ? ", " : "", level - 1);
        len += (size_t)snprintf(y + len, cap - len, "]}\n");
    }
    len += (size_t)snprintf(y + len, cap - len,
                            "paths:\n  /bomb:\n    post:\n      requestBody:\n        content:\n"
                            "          application/json:\n            schema: *l9\n"
                            "      responses:\n        '200': {description: ok}\n");
    assert_true(len < cap);
    return y;
}

static int count_props(void *ctx, const char *name, const spec_node_t *key,
                       const spec_node_t *schema)
{
    ++*(size_t *)ctx;
    return 0;
}

static void test_alias_bomb(void **state)
{
    char *yaml = alias_bomb();
    spec_t *spec = parse_clean(yaml);
    free(yaml);
    size_t nrefs;
    spec_refs(spec, &nrefs);
    assert_int_equal(nrefs, 1); /* the one $ref node, however many paths lead to it */
    const spec_operation_t *op = spec_operation_at(spec, 0);
    const spec_node_t *schema = spec_request_schema(spec, op, "application/json");
    assert_non_null(schema);
    /* the helpers bound their walk instead of expanding 10^9 allOf members */
    const spec_node_t *a = spec_schema_property(spec, schema, "a");
    assert_non_null(a);
    assert_true(spec_node_is(spec_node_get(a, "type"), "string"));
    assert_null(spec_schema_property(spec, schema, "missing"));
    size_t n = 0;
    spec_schema_each_property(spec, schema, count_props, &n);
    assert_true(n > 0 && n < 10000);
    spec_destroy(spec);
}

static void test_limits_pass_through(void **state)
{
    spec_load_options_t opts = {.limits = {.max_depth = 3}};
    const char *yaml = "openapi: 3.0.0\npaths:\n  /a:\n    get:\n      responses: {}\n";
    spec_t *spec = (spec_t *)1;
    spec_error_t err;
    assert_int_equal(spec_parse(&spec, "t.yaml", yaml, strlen(yaml), &opts, &err), -1);
    assert_null(spec);
    assert_non_null(strstr(err.message, "nesting deeper than 3"));
}

static void test_destroy_null(void **state)
{
    spec_destroy(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_yaml_syntax_error),
        cmocka_unit_test(test_swagger_2_rejected),
        cmocka_unit_test(test_missing_openapi),
        cmocka_unit_test(test_bad_openapi_values),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_versions),
        cmocka_unit_test(test_documents),
        cmocka_unit_test(test_oas30_examples_load),
        cmocka_unit_test(test_oas31_pass_fixtures_load),
        cmocka_unit_test(test_github_spec_loads),
        cmocka_unit_test(test_alias_bomb),
        cmocka_unit_test(test_limits_pass_through),
        cmocka_unit_test(test_destroy_null),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
