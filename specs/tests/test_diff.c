/* Unit tests of the spec diff engine (specs/diff*.c): the check table, self-diffs, equivalent
 * specs (key order, $ref vs inline, component names), recursion, inputs that cannot be
 * compared, and every report format. The per-check golden cases are in test_diff_cases.c. */
#include <stdlib.h>
#include "diff.h"
#include "spec_test_util.h"

static spec_diff_t *run(const char *a, const char *b)
{
    spec_t *x = parse_spec(a), *y = parse_spec(b);
    spec_diff_t *d = NULL;
    spec_error_t err;
    if (spec_diff_run(&d, x, y, NULL, &err) != 0)
        fail_msg("%u:%u: %s", err.line, err.col, err.message);
    spec_destroy(x);
    spec_destroy(y);
    return d;
}

static size_t breaking(const spec_diff_t *d)
{
    return spec_diff_count(d, SPEC_DIFF_WARNING);
}

static void dump(const spec_diff_t *d)
{
    spec_diff_write(stderr, d, SPEC_DIFF_TEXT);
}

static void test_check_table(void **state)
{
    (void)state;
    size_t n;
    const spec_diff_check_t *c = spec_diff_checks(&n);
    assert_true(n > 100);
    for (size_t i = 1; i < n; ++i)
        assert_true(strcmp(c[i - 1].id, c[i].id) < 0); /* sorted, unique: bsearch relies on it */
}

static const char *pets =
    "openapi: 3.0.3\n"
    "info: {title: t, version: '1'}\n"
    "paths:\n"
    "  /pets/{id}:\n"
    "    get:\n"
    "      operationId: getPet\n"
    "      parameters:\n"
    "        - {name: id, in: path, required: true, schema: {type: string}}\n"
    "        - {name: fields, in: query, schema: {type: string, enum: [a, b]}}\n"
    "      responses:\n"
    "        '200':\n"
    "          description: ok\n"
    "          content:\n"
    "            application/json:\n"
    "              schema: {$ref: '#/components/schemas/Pet'}\n"
    "components:\n"
    "  schemas:\n"
    "    Pet:\n"
    "      type: object\n"
    "      required: [id]\n"
    "      properties:\n"
    "        id: {type: string}\n"
    "        parent: {$ref: '#/components/schemas/Pet'}\n"
    "        kids: {type: array, items: {$ref: '#/components/schemas/Pet'}}\n";

static void test_self_diff_is_empty(void **state)
{
    (void)state;
    spec_diff_t *d = run(pets, pets);
    size_t n;
    spec_diff_findings(d, &n);
    if (n != 0)
        dump(d);
    assert_int_equal(n, 0);
    spec_diff_destroy(d);
}

/* Found by fuzz_spec_diff: a security list holding something other than a Security
 * Requirement Object (here null) matched nothing, itself included, so a spec compared with
 * itself reported api-security-alternative-added. */
static void test_self_diff_odd_security(void **state)
{
    (void)state;
    const char *odd = "openapi: 3.0.3\n"
                      "info: {title: t, version: '1'}\n"
                      "security: [{}, 7]\n"
                      "paths:\n"
                      "  /pets:\n"
                      "    get:\n"
                      "      responses: {'200': {description: ok}}\n"
                      "      security:\n"
                      "      -\n"
                      "      - {api_key: []}\n";
    spec_diff_t *d = run(odd, odd);
    size_t n;
    spec_diff_findings(d, &n);
    if (n != 0)
        dump(d);
    assert_int_equal(n, 0);
    spec_diff_destroy(d);
}

/* Found by fuzz_spec_diff: two templates of one shape (/pets/{id}, /pets/{[id}) were both
 * matched to the same operation, so a spec compared with itself found a difference. */
static void test_self_diff_same_shape(void **state)
{
    (void)state;
    const char *twins = "openapi: 3.0.3\n"
                        "info: {title: t, version: '1'}\n"
                        "paths:\n"
                        "  /pets/{id}:\n"
                        "    get: {responses: {'404': {description: no}}}\n"
                        "  /pets/{[id}:\n"
                        "    get: {responses: {'200': {description: ok}}}\n";
    spec_diff_t *d = run(twins, twins);
    size_t n;
    spec_diff_findings(d, &n);
    if (n != 0)
        dump(d);
    assert_int_equal(n, 0);
    spec_diff_destroy(d);
}

/* Same API: keys reordered, the schema inlined where it was a $ref (its recursion kept through
 * another component name), the path variable renamed. */
static void test_equivalent_specs(void **state)
{
    (void)state;
    const char *other =
        "openapi: 3.0.3\n"
        "info: {version: '1', title: t}\n"
        "components:\n"
        "  schemas:\n"
        "    Animal:\n"
        "      properties:\n"
        "        kids: {items: {$ref: '#/components/schemas/Animal'}, type: array}\n"
        "        parent: {$ref: '#/components/schemas/Animal'}\n"
        "        id: {type: string}\n"
        "      required: [id]\n"
        "      type: object\n"
        "paths:\n"
        "  /pets/{petId}:\n"
        "    get:\n"
        "      responses:\n"
        "        '200':\n"
        "          content:\n"
        "            application/json:\n"
        "              schema:\n"
        "                type: object\n"
        "                required: [id]\n"
        "                properties:\n"
        "                  id: {type: string}\n"
        "                  parent: {$ref: '#/components/schemas/Animal'}\n"
        "                  kids: {type: array, items: {$ref: '#/components/schemas/Animal'}}\n"
        "          description: ok\n"
        "      parameters:\n"
        "        - {in: query, name: fields, schema: {enum: [a, b], type: string}}\n"
        "        - {in: path, name: petId, required: true, schema: {type: string}}\n"
        "      operationId: getPet\n";
    spec_diff_t *d = run(pets, other);
    if (breaking(d) != 0)
        dump(d);
    assert_int_equal(breaking(d), 0);
    spec_diff_destroy(d);
}

static void test_recursive_change_found_once(void **state)
{
    (void)state;
    char *rev = strdup(pets);
    char *at = strstr(rev, "        id: {type: string}\n");
    memcpy(at, "        id: {type: number}\n", strlen("        id: {type: number}\n"));
    spec_diff_t *d = run(pets, rev);
    size_t n;
    const spec_diff_finding_t *f = spec_diff_findings(d, &n);
    assert_int_equal(n, 1); /* the recursion stops at the pair already compared */
    assert_string_equal(f[0].id, "response-property-type-changed");
    assert_string_equal(f[0].operation, "GET /pets/{id}");
    assert_string_equal(f[0].operation_id, "getPet");
    assert_string_equal(f[0].field, "id");
    assert_string_equal(f[0].component, "Pet");
    assert_string_equal(f[0].component_field, "id");
    assert_int_equal(f[0].line, 22);
    spec_diff_destroy(d);
    free(rev);
}

/* items: {$ref: Pet} became items: {oneOf: [string, Pet]}: Pet is compared with Pet, and only
 * the string alternative is new. */
static void test_plain_became_alternatives(void **state)
{
    (void)state;
    char *rev = malloc(strlen(pets) + 64);
    const char *at = strstr(pets, "kids: {type: array, items: {$ref: '#/components/schemas/Pet'}}");
    size_t head = (size_t)(at - pets);
    memcpy(rev, pets, head);
    sprintf(rev + head, "kids: {type: array, items: {oneOf: [{type: string}, "
                        "{$ref: '#/components/schemas/Pet'}]}}\n");
    spec_diff_t *d = run(pets, rev);
    size_t n;
    const spec_diff_finding_t *f = spec_diff_findings(d, &n);
    if (n != 1)
        dump(d);
    assert_int_equal(n, 1);
    assert_string_equal(f[0].id, "response-property-one-of-added");
    assert_string_equal(f[0].field, "kids[*]");
    spec_diff_destroy(d);
    free(rev);
}

static void test_versions_must_match(void **state)
{
    (void)state;
    const char *v31 = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n";
    const char *v30 = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n";
    spec_t *a = parse_spec(v30), *b = parse_spec(v31);
    spec_diff_t *d = NULL;
    spec_error_t err;
    assert_int_equal(spec_diff_run(&d, a, b, NULL, &err), -1);
    assert_null(d);
    assert_int_equal(err.line, 1);
    assert_non_null(strstr(err.message, "3.0.3 with OpenAPI 3.1.0"));
    spec_destroy(a);
    spec_destroy(b);
}

static void test_broken_refs_refused(void **state)
{
    (void)state;
    const char *broken = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n"
                         "  /a:\n    get:\n      responses:\n        '200':\n"
                         "          $ref: '#/components/responses/Nope'\n";
    const char *cycle = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n"
                        "components:\n  schemas:\n    A: {$ref: '#/components/schemas/B'}\n"
                        "    B: {$ref: '#/components/schemas/A'}\n";
    const char *ok = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n";
    const char *bad[] = {broken, cycle};
    for (size_t i = 0; i != 2; ++i) {
        spec_t *a = parse_spec(ok), *b = parse_spec(bad[i]);
        spec_diff_t *d = NULL;
        spec_error_t err;
        assert_int_equal(spec_diff_run(&d, a, b, NULL, &err), -1);
        assert_true(err.line > 0);
        spec_destroy(a);
        spec_destroy(b);
    }
}

static void test_pair_budget(void **state)
{
    (void)state;
    char *rev = strdup(pets);
    char *at = strstr(rev, "        id: {type: string}\n");
    memcpy(at, "        id: {type: number}\n", strlen("        id: {type: number}\n"));
    spec_t *a = parse_spec(pets), *b = parse_spec(rev);
    spec_diff_options_t opts = {.max_pairs = 1};
    spec_diff_t *d;
    spec_error_t err;
    assert_int_equal(spec_diff_run(&d, a, b, &opts, &err), 0);
    size_t n;
    spec_diff_findings(d, &n);
    assert_int_equal(n, 0); /* the root pair is compared, not the changed property below it */
    spec_diff_destroy(d);
    spec_destroy(a);
    spec_destroy(b);
    free(rev);
}

static void test_every_format(void **state)
{
    (void)state;
    char *rev = strdup(pets);
    char *at = strstr(rev, "enum: [a, b]");
    memcpy(at, "enum: [a, c]", 12);
    spec_diff_t *d = run(pets, rev);
    spec_diff_set_names(d, "a.yaml", "b <&> \"c\".yaml");
    const char *names[] = {"text", "json", "markdown", "html", "github", "sarif", "junit"};
    for (size_t i = 0; i != 7; ++i) {
        spec_diff_format_t fmt;
        assert_int_equal(spec_diff_format_parse(names[i], &fmt), 0);
        char *buf = NULL;
        size_t len = 0;
        FILE *out = open_memstream(&buf, &len);
        assert_int_equal(spec_diff_write(out, d, fmt), 0);
        fclose(out);
        assert_non_null(strstr(buf, "request-parameter-enum-value-removed"));
        if (fmt == SPEC_DIFF_HTML || fmt == SPEC_DIFF_JUNIT)
            assert_null(strstr(buf, "<&>"));
        free(buf);
    }
    spec_diff_format_t fmt;
    assert_int_equal(spec_diff_format_parse("yaml", &fmt), -1);
    spec_diff_destroy(d);
    free(rev);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_table),
        cmocka_unit_test(test_self_diff_is_empty),
        cmocka_unit_test(test_self_diff_odd_security),
        cmocka_unit_test(test_self_diff_same_shape),
        cmocka_unit_test(test_equivalent_specs),
        cmocka_unit_test(test_recursive_change_found_once),
        cmocka_unit_test(test_plain_became_alternatives),
        cmocka_unit_test(test_versions_must_match),
        cmocka_unit_test(test_broken_refs_refused),
        cmocka_unit_test(test_pair_budget),
        cmocka_unit_test(test_every_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
