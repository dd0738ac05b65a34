/* Tests of compiling adapter files against the versions' specs (compile.c, check.c): unknown
 * operations, components and fields, types and enums that do not fit, path rewrites, gone
 * operations, and the shapes of steps; each error positioned in the adapter file (or, for an
 * operation a chain loses, in the spec). Also what compiles: plans, lookups, chains. */
#include "adp_test_util.h"

static const char *V1 =
    "openapi: 3.0.3\n"
    "info: {title: t, version: '1'}\n"
    "paths:\n"
    "  /pets:\n"
    "    get:\n"
    "      operationId: listPets\n"
    "      responses:\n"
    "        '200':\n"
    "          description: ok\n"
    "          content:\n"
    "            application/json:\n"
    "              schema: {type: array, items: {$ref: '#/components/schemas/Pet'}}\n"
    "    post:\n"
    "      operationId: createPet\n"
    "      requestBody: {content: {application/json: {schema: {$ref: "
    "'#/components/schemas/Pet'}}}}\n"
    "      responses: {'201': {description: created}}\n"
    "  /pets/{petId}:\n"
    "    get:\n"
    "      operationId: getPet\n"
    "      parameters: [{name: petId, in: path, required: true, schema: {type: string}}]\n"
    "      responses:\n"
    "        '200': {description: ok, content: {application/json: {schema: {$ref: "
    "'#/components/schemas/Pet'}}}}\n"
    "        '404': {description: not found}\n"
    "  /toys:\n"
    "    get:\n"
    "      operationId: listToys\n"
    "      responses: {'200': {description: ok}}\n"
    "components:\n"
    "  schemas:\n"
    "    Pet:\n"
    "      type: object\n"
    "      required: [name]\n"
    "      properties:\n"
    "        name: {type: string}\n"
    "        tag: {type: string}\n"
    "        price: {type: string}\n"
    "        status: {type: string, enum: [active, inactive]}\n";

static const char *V2 =
    "openapi: 3.0.3\n"
    "info: {title: t, version: '2'}\n"
    "paths:\n"
    "  /pets:\n"
    "    get:\n"
    "      operationId: listPets\n"
    "      responses:\n"
    "        '200':\n"
    "          description: ok\n"
    "          content:\n"
    "            application/json:\n"
    "              schema: {type: array, items: {$ref: '#/components/schemas/Pet'}}\n"
    "    post:\n"
    "      operationId: createPet\n"
    "      requestBody: {content: {application/json: {schema: {$ref: "
    "'#/components/schemas/Pet'}}}}\n"
    "      responses: {'201': {description: created}}\n"
    "  /animals/{animalId}:\n"
    "    get:\n"
    "      operationId: getPet\n"
    "      parameters: [{name: animalId, in: path, required: true, schema: {type: string}}]\n"
    "      responses:\n"
    "        '200': {description: ok, content: {application/json: {schema: {$ref: "
    "'#/components/schemas/Pet'}}}}\n"
    "        '410': {description: gone}\n"
    "components:\n"
    "  schemas:\n"
    "    Pet:\n"
    "      type: object\n"
    "      required: [name, price]\n"
    "      properties:\n"
    "        name: {type: string}\n"
    "        category: {type: string}\n"
    "        price: {type: integer}\n"
    "        status: {type: string, enum: [available, sold]}\n";

static spec_t *s1, *s2;
static adp_version_info_t vs[2];

static int setup(void **state)
{
    s1 = parse_spec_named("t1.yaml", V1);
    s2 = parse_spec_named("t2.yaml", V2);
    vs[0] = (adp_version_info_t){"v1", s1, 0};
    vs[1] = (adp_version_info_t){"v2", s2, 1};
    return 0;
}

static int teardown(void **state)
{
    spec_destroy(s1);
    spec_destroy(s2);
    return 0;
}

/* A valid base: the chain needs getPet's new path and listToys' removal declared. */
#define BASE                                                                                       \
    "api: t\n"                                                                                     \
    "changes:\n"                                                                                   \
    "  - to: v2\n"                                                                                 \
    "    operations:\n"                                                                            \
    "      getPet: {path: {old: '/pets/{petId}', new: '/animals/{petId}'}}\n"                      \
    "      listToys: {gone: true}\n"

typedef struct {
    const char *yaml;
    const char *error;
} bad_t;

static const bad_t bad[] = {
    /* schema-scoped steps: components and fields in both specs */
    {BASE "    schemas:\n      Pet:\n        - rename: {old: tagg, new: category}\n",
     "9:25: rename: 'tagg' is not declared in v1's schema Pet"},
    {BASE "    schemas:\n      Pet:\n        - rename: {old: tag, new: categ}\n",
     "9:35: rename: 'categ' is not declared in v2's schema Pet"},
    {BASE "    schemas:\n      Pets:\n        - rename: {old: tag, new: category}\n",
     "8:7: schemas: v1's spec has no component schema 'Pets'"},
    {BASE "    schemas:\n      Pet:\n        - convert: {field: price, old: number, new: "
          "integer_cents}\n",
     "9:28: convert: 'price' in v1's schema Pet is not declared as number"},
    {BASE "    schemas:\n      Pet:\n        - convert: {field: name, old: string, new: integer}\n",
     "9:28: convert: 'name' in v2's schema Pet is not declared as integer"},
    {BASE "    schemas:\n      Pet:\n        - map: {field: status, old_to_new: {active: "
          "available, paused: sold}}\n",
     "9:11: map: \"paused\" is not in the enum of 'status' in v1's schema Pet"},
    {BASE "    schemas:\n      Pet:\n        - map: {field: status, old_to_new: {active: free}}\n",
     "9:11: map: \"free\" is not in the enum of 'status' in v2's schema Pet"},
    {BASE "    schemas:\n      Pet:\n        - added: {field: \"name.first\"}\n",
     "9:26: added: 'name.first' is not declared in v2's schema Pet"},
    {BASE "    schemas:\n      Pet:\n        - removed: {field: tag, from: categoryy}\n",
     "9:39: removed: 'categoryy' is not declared in v2's schema Pet"},
    {BASE "    schemas:\n      Pet:\n        - convert: {field: \"\", old: number, new: string}\n",
     "9:28: convert: a schema step cannot replace the instance itself"},
    {BASE "    schemas:\n      Pet:\n        - unwrap: data\n",
     "9:11: unwrap: a schema step needs 'at' (the member holding the envelope)"},
    /* operation-scoped steps: operations in both specs, bodies, statuses */
    {BASE "      listPetz:\n        response: []\n",
     "7:7: operation 'listPetz' is not in v1's spec"},
    {BASE "      GET /pets/{petId}/toys: {}\n",
     "7:7: operation 'GET /pets/{petId}/toys' is not in v1's spec"},
    {"api: t\nchanges:\n  - to: v2\n    operations:\n      listToys: {gone: true}\n      GET "
     "/pets/{id}: {}\n",
     "6:7: operation 'GET /pets/{id}' is not in v2's spec (mark it 'gone: true', or give its "
     "'path' "
     "when the template changed)"},
    {BASE "      listPets: {gone: true}\n", "7:7: gone: v2's spec still has operation 'listPets'"},
    {"api: t\nchanges:\n  - to: v2\n    operations:\n      listToys: {gone: true}\n"
     "      getPet: {path: {old: '/pets/{id}/x', new: '/animals/{id}'}}\n",
     "6:28: path.old: '/pets/{id}/x' is not v1's template for getPet ('/pets/{petId}')"},
    {"api: t\nchanges:\n  - to: v2\n    operations:\n      listToys: {gone: true}\n"
     "      getPet: {path: {old: '/pets/{petId}', new: '/animal/{petId}'}}\n",
     "6:50: path.new: '/animal/{petId}' is not v2's template for getPet ('/animals/{animalId}')"},
    {"api: t\nchanges:\n  - to: v2\n    operations:\n      listToys: {gone: true}\n"
     "      getPet: {path: {old: '/pets/{petId}', new: '/animals/{id}'}}\n",
     "6:50: path.new: variable '{id}' is not in path.old"},
    {"api: t\nchanges:\n  - to: v2\n    operations:\n      listToys: {gone: true}\n"
     "      GET /pets/{petId}: {path: {old: '/toys', new: '/animals/{petId}'}}\n",
     "6:39: path.old: '/toys' is not the operation's template '/pets/{petId}'"},
    {BASE "      listPets:\n        response:\n          - rename: {old: \"[*].tagg\", new: "
          "\"[*].category\"}\n",
     "9:27: rename: '[*].tagg' is not declared in v1's responses of listPets"},
    {BASE "      createPet:\n        request:\n          - rename: {old: tag, new: kind}\n",
     "9:37: rename: 'kind' is not declared in v2's request body of createPet"},
    {"api: t\nchanges:\n  - to: v2\n    operations:\n      listToys: {gone: true}\n"
     "      getPet:\n        path: {old: '/pets/{petId}', new: '/animals/{petId}'}\n"
     "        response:\n          - status: {old: 404, new: 418}\n",
     "9:13: status: v2's getPet declares no response 418"},
    /* an operation the chain cannot follow is reported where the older spec declares it */
    {"api: t\nchanges:\n  - to: v2\n    operations:\n      getPet: {path: {old: '/pets/{petId}', "
     "new: '/animals/{petId}'}}\n",
     "25:5: operation listToys of v1 has no counterpart in v2's spec: in the change to v2, mark it "
     "'gone: true' or give its new 'path'"},
    {BASE "      listPets: {}\n      GET /pets: {}\n",
     "8:7: operations: 'GET /pets' names the same operation as 'listPets'"},
    {BASE "      listPets: {}\n      listPets: {}\n", "8:7: duplicate key 'listPets'"},
    /* deprecation entries name operations of that version */
    {BASE "versions:\n  v1: {operations: {listPetz: {deprecated: 2026-01-01}}}\n",
     "8:21: versions: operation 'listPetz' is not in v1's spec"},
};

static void test_errors(void **state)
{
    int failed = 0;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); ++i) {
        adp_registry_t *reg;
        spec_error_t err;
        char got[1200];
        if (adp_registry_parse(&reg, "a.yaml", bad[i].yaml, strlen(bad[i].yaml), vs, 2, NULL,
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

/* Errors in the shape of steps need no spec. */
static void test_step_shapes(void **state)
{
    const adp_version_info_t two[] = {{"v1", NULL, 0}, {"v2", NULL, 1}};
#define OP "api: t\nchanges:\n  - to: v2\n    operations:\n      GET /x:\n        response:\n"
    expect_load_error(
        OP "          - rename: {old: a.b, new: c.d}\n", two, 2,
        "7:37: rename: keeps a member in its object; use move to change where it lives");
    expect_load_error(OP "          - move: {old: a, new: a.b}\n", two, 2,
                      "7:13: move: old and new overlap");
    expect_load_error(
        OP "          - move: {old: \"x[*].a\", new: \"y[*].a\"}\n", two, 2,
        "7:13: move: both paths must share their wildcard part ('x[*].a' vs 'y[*].a')");
    expect_load_error(OP "          - added: {field: \"tags[*]\"}\n", two, 2,
                      "7:28: added: 'tags[*]' must end with a member name after its last wildcard");
    expect_load_error(OP "          - removed: {field: a, from: \"\"}\n", two, 2,
                      "7:39: removed.from: must name a member");
    expect_load_error(
        "api: t\nchanges:\n  - to: v2\n    schemas:\n      Pet: []\n", two, 2,
        "5:7: schemas: v1 has no spec, so instances of Pet cannot be located (give v1 "
        "a spec, or use operation-scoped steps)");
    expect_load_error(OP
                      "          - rename: {old: a, new: b}\n      GET /x:\n        response: []\n",
                      two, 2, "8:7: duplicate key 'GET /x'");
#undef OP
}

/* Steps that follow a restructuring step are written in an intermediate shape and are not
 * checked against either spec. */
static void test_intermediate_shapes(void **state)
{
    adp_registry_t *reg = load_reg(
        BASE "    schemas:\n      Pet:\n"
             "        - rename: {old: tag, new: category}\n"
             "        - map: {field: category, old_to_new: {a: b}}\n"
             "        - convert: {field: price, old: decimal_string, new: integer_cents}\n",
        vs, 2);
    adp_registry_destroy(reg);
}

static void test_plans(void **state)
{
    adp_registry_t *reg = load_reg(BASE "    schemas:\n      Pet:\n"
                                        "        - rename: {old: tag, new: category}\n"
                                        "versions:\n"
                                        "  v2:\n"
                                        "    operations:\n"
                                        "      createPet: {deprecated: 2026-01-01}\n",
                                   vs, 2);
    /* by operationId, by "METHOD /template", by path for versions without a spec */
    const adp_plan_t *p = adp_plan_find(reg, 0, "listPets", NULL, NULL);
    assert_non_null(p);
    assert_string_equal(adp_plan_operation(p), "listPets");
    assert_string_equal(adp_plan_version_name(p), "v1");
    assert_int_equal(adp_plan_hops(p), 1);
    assert_ptr_equal(adp_plan_find(reg, 0, NULL, "GET", "/pets"), p);
    assert_ptr_equal(adp_plan_match(reg, 0, "GET", "/pets", 5), p);
    const adp_plan_t *g = adp_plan_find(reg, 0, "getPet", NULL, NULL);
    assert_ptr_equal(adp_plan_match(reg, 0, "GET", "/pets/42", 8), g);
    assert_ptr_not_equal(g, p);
    /* a request body holding Pets needs buffering, a GET does not */
    assert_true(adp_plan_request_needs_body(adp_plan_find(reg, 0, "createPet", NULL, NULL)));
    assert_false(adp_plan_request_needs_body(p));
    assert_true(adp_plan_response_needs_body(p, 200));
    assert_false(adp_plan_response_needs_body(p, 404));
    /* the gone operation */
    const char *detail;
    const adp_plan_t *t = adp_plan_find(reg, 0, "listToys", NULL, NULL);
    assert_true(adp_plan_gone(t, 0, &detail));
    assert_string_equal(detail, "listToys was removed in version v2 of t");
    /* unknown operations get the version's fallback plan */
    const adp_plan_t *f = adp_plan_find(reg, 0, "nope", "GET", "/nope");
    assert_non_null(f);
    assert_string_equal(adp_plan_operation(f), "*");
    assert_ptr_equal(adp_plan_match(reg, 0, "DELETE", "/pets", 5), f);
    /* v2 has an upstream: only its deprecated operation has a plan */
    assert_null(adp_plan_find(reg, 1, "listPets", NULL, NULL));
    const adp_plan_t *c = adp_plan_find(reg, 1, "createPet", NULL, NULL);
    assert_non_null(c);
    assert_int_equal(adp_plan_hops(c), 0);
    assert_string_equal(adp_plan_deprecation(c)->deprecation, "@1767225600");
    /* every plan is listed once for metrics */
    size_t n = adp_registry_plan_count(reg);
    assert_true(n >= 5);
    for (size_t i = 0; i < n; ++i)
        assert_non_null(adp_plan_operation(adp_registry_plan_at(reg, i)));
    assert_null(adp_registry_plan_at(reg, n));
    adp_registry_destroy(reg);
}

/* Missing fields that the spec marks optional are not mismatches; required ones are. */
static void test_optional_fields(void **state)
{
    adp_registry_t *reg = load_reg(
        BASE "    schemas:\n      Pet:\n"
             "        - rename: {old: tag, new: category}\n"
             "        - convert: {field: price, old: decimal_string, new: integer_cents}\n",
        vs, 2);
    const adp_plan_t *p = adp_plan_find(reg, 0, "getPet", NULL, NULL);
    size_t m;
    char ptr[256];
    /* category is optional in v2; price is required there */
    assert_json(downgrade_body(p, 200, "{\"name\":\"a\"}", &m, ptr), "{\"name\":\"a\"}");
    assert_int_equal(m, 1);
    assert_string_equal(ptr, "/price");
    /* price is optional in v1: a v1 client may omit it */
    assert_json(
        upgrade_body(adp_plan_find(reg, 0, "createPet", NULL, NULL), "{\"name\":\"a\"}", &m, NULL),
        "{\"name\":\"a\"}");
    assert_int_equal(m, 0);
    assert_int_equal(adp_plan_mismatch_count(p, ADP_DOWNGRADE), 1);
    assert_int_equal(adp_plan_mismatch_count(p, ADP_UPGRADE), 0);
    adp_registry_destroy(reg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_step_shapes),
        cmocka_unit_test(test_intermediate_shapes),
        cmocka_unit_test(test_plans),
        cmocka_unit_test(test_optional_fields),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
