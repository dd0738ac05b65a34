/* Tests for specs/ref.c: local and multi-file references, escapes, chains, cycles versus
 * recursive schemas, $ref keys that are data, broken references with positions, limits. */
#include "spec_internal.h"
#include "spec_test_util.h"

#define HEAD "openapi: 3.1.0\ninfo: {title: t, version: '1'}\n"

static const spec_ref_t *ref_at(const spec_t *spec, const char *fragment_of_holder)
{
    const spec_node_t *holder =
        spec_pointer_get(spec_root(spec), fragment_of_holder, strlen(fragment_of_holder));
    assert_non_null(holder);
    const spec_ref_t *ref = spec_ref_of(spec, holder);
    if (ref == NULL)
        fail_msg("%s is not a reference", fragment_of_holder);
    return ref;
}

static void test_local_escapes(void **state)
{
    spec_t *spec = parse_clean(HEAD "paths: {}\n"
                                    "components:\n"
                                    "  schemas:\n"
                                    "    a/b: {type: string}\n"
                                    "    t~ilde: {type: integer}\n"
                                    "    with space: {type: boolean}\n"
                                    "    x~1: {type: number}\n"
                                    "    '{id}': {type: 'null'}\n"
                                    "    List: {allOf: [{title: zero}, {title: one}]}\n"
                                    "    R1: {$ref: '#/components/schemas/a~1b'}\n"
                                    "    R2: {$ref: '#/components/schemas/t~0ilde'}\n"
                                    "    R3: {$ref: '#/components/schemas/with%20space'}\n"
                                    "    R4: {$ref: '#/components/schemas/x~01'}\n"
                                    "    R5: {$ref: '#/components/schemas/%7Bid%7D'}\n"
                                    "    R6: {$ref: '#/components/schemas/List/allOf/1'}\n"
                                    "    R7: {$ref: '#'}\n"
                                    "    R8: {$ref: ''}\n");
    static const struct {
        const char *name, *key, *value;
    } cases[] = {
        {"R1", "type", "string"},   {"R2", "type", "integer"},  {"R3", "type", "boolean"},
        {"R4", "type", "number"},   {"R5", "type", "null"},     {"R6", "title", "one"},
        {"R7", "openapi", "3.1.0"}, {"R8", "openapi", "3.1.0"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); ++i) {
        const spec_node_t *t = spec_component(spec, "schemas", cases[i].name);
        if (t == NULL || !spec_node_is(spec_node_get(t, cases[i].key), cases[i].value))
            fail_msg("%s did not resolve to %s: %s", cases[i].name, cases[i].key, cases[i].value);
    }
    const spec_ref_t *r1 = ref_at(spec, "/components/schemas/R1");
    assert_string_equal(r1->target_pointer, "/components/schemas/a~1b");
    assert_ptr_equal(r1->target_doc, spec_document(spec, 0));
    assert_ptr_equal(r1->target, r1->resolved);
    assert_int_equal(r1->problem, SIZE_MAX);
    assert_int_equal(r1->value->pos.line, 12);
    /* the decoded pointer, so R3's target pointer names the key as written */
    assert_string_equal(ref_at(spec, "/components/schemas/R3")->target_pointer,
                        "/components/schemas/with space");
    spec_destroy(spec);
}

static void test_multi_file(void **state)
{
    spec_t *spec = load_spec(FIXTURES "multi/openapi.yaml");
    size_t n;
    spec_problems(spec, &n);
    if (n != 0) {
        dump_problems(spec);
        fail_msg("%zu problems", n);
    }
    /* a path item in another file */
    const spec_path_t *pets = spec_find_path(spec, "/pets");
    assert_non_null(pets->node);
    assert_string_equal(pets->node->pos.file, FIXTURES "multi/paths/pets.yaml");
    assert_int_equal(pets->noperations, 2);
    /* a parameter in a third file, relative to the second */
    const spec_operation_t *list = spec_find_operation_by_id(spec, "listPets");
    assert_int_equal(list->nparams, 1);
    assert_string_equal(list->params[0].name, "limit");
    assert_string_equal(list->params[0].node->pos.file, FIXTURES "multi/parameters/limit.yaml");
    assert_true(spec_node_is(spec_node_get(list->params[0].schema, "maximum"), "100"));
    /* an operation in another file, merged with a path-level parameter from yet another */
    const spec_operation_t *get = spec_find_operation_by_id(spec, "showPetById");
    assert_string_equal(get->node->pos.file, FIXTURES "multi/ops/get-pet.yaml");
    assert_int_equal(get->nparams, 2);
    assert_string_equal(get->params[0].name, "petId");
    assert_string_equal(get->params[1].name, "verbose");
    /* a percent-encoded file name with a fragment */
    const spec_operation_t *owner = spec_find_operation_by_id(spec, "listOwnerPets");
    assert_non_null(owner);
    assert_string_equal(owner->node->pos.file, FIXTURES "multi/paths/owner pets.yaml");
    assert_int_equal(owner->nparams, 1);
    /* schemas across files, and a reference to a reference (PetAlias -> alias.yaml -> pet) */
    const spec_node_t *pet = spec_component(spec, "schemas", "Pet");
    assert_string_equal(pet->pos.file, FIXTURES "multi/schemas/pet.yaml");
    assert_ptr_equal(spec_component(spec, "schemas", "PetAlias"), pet);
    const spec_ref_t *alias = ref_at(spec, "/components/schemas/PetAlias");
    assert_string_equal(alias->target->pos.file, FIXTURES "multi/schemas/alias.yaml");
    assert_ptr_equal(alias->resolved, pet);
    assert_string_equal(spec_doc_file(alias->resolved_doc), FIXTURES "multi/schemas/pet.yaml");
    assert_string_equal(alias->resolved_pointer, "");
    /* the request body's schema refers back into the root file, to the alias */
    assert_ptr_equal(
        spec_request_schema(spec, spec_find_operation_by_id(spec, "createPet"), "application/json"),
        pet);
    /* a recursive schema across a file boundary is a link, not an expansion */
    assert_ptr_equal(spec_schema_property(spec, pet, "parent"), pet);
    const spec_node_t *tag = spec_schema_property(spec, pet, "tag");
    assert_string_equal(tag->pos.file, FIXTURES "multi/schemas/tag.yaml");
    /* a response in a file that refers back to the root */
    const spec_node_t *err = spec_response_schema(spec, list, 500, "application/json");
    assert_ptr_equal(err, spec_component(spec, "schemas", "Error"));
    spec_destroy(spec);
}

static void test_resolve_and_deref(void **state)
{
    spec_t *spec = parse_clean(HEAD "components:\n  schemas:\n    A: {type: string}\n"
                                    "    B: {$ref: '#/components/schemas/A'}\n");
    const spec_node_t *b = spec_pointer_get(spec_root(spec), "/components/schemas/B", 21);
    const spec_node_t *a = spec_pointer_get(spec_root(spec), "/components/schemas/A", 21);
    const spec_doc_t *doc = (const spec_doc_t *)1;
    assert_ptr_equal(spec_resolve(spec, b, &doc, NULL), a);
    assert_ptr_equal(doc, spec_document(spec, 0));
    assert_ptr_equal(spec_resolve(spec, a, &doc, NULL), a); /* not a reference: itself */
    assert_null(doc);
    assert_ptr_equal(spec_deref(spec, a), a);
    assert_null(spec_deref(spec, NULL));
    assert_null(spec_ref_of(spec, a));
    assert_null(spec_ref_of(spec, NULL));
    size_t n;
    const spec_ref_t *refs = spec_refs(spec, &n);
    assert_int_equal(n, 1);
    assert_ptr_equal(refs[0].node, b);
    spec_destroy(spec);
}

static void test_cycles_are_errors(void **state)
{
    spec_t *spec = parse_spec(HEAD "components:\n"
                                   "  schemas:\n"
                                   "    A: {$ref: '#/components/schemas/B'}\n"
                                   "    B: {$ref: '#/components/schemas/A'}\n"
                                   "    C: {$ref: '#/components/schemas/A'}\n"
                                   "    Self:\n"
                                   "      $ref: '#/components/schemas/Self'\n");
    size_t n;
    const spec_problem_t *p = spec_problems(spec, &n);
    assert_int_equal(n, 2);
    assert_int_equal(spec_error_count(spec), 2);
    assert_string_equal(p[0].code, SPEC_PROBLEM_REF_CYCLE);
    assert_position(&p[0].error, "t.yaml", 5, 15, NULL);
    assert_non_null(strstr(p[0].error.message, "t.yaml:5:15 -> t.yaml:6:15 -> t.yaml:5:15"));
    assert_string_equal(p[1].code, SPEC_PROBLEM_REF_CYCLE);
    assert_position(&p[1].error, "t.yaml", 9, 13, NULL);
    /* every reference into a cycle is broken and explained by the cycle's problem */
    const spec_node_t *c = spec_pointer_get(spec_root(spec), "/components/schemas/C", 21);
    spec_error_t err;
    assert_null(spec_resolve(spec, c, NULL, &err));
    assert_position(&err, "t.yaml", 5, 15, NULL);
    assert_null(spec_component(spec, "schemas", "Self"));
    spec_destroy(spec);

    spec = load_spec(FIXTURES "cycle/openapi.yaml");
    p = spec_problems(spec, &n);
    assert_int_equal(n, 1);
    assert_string_equal(p[0].code, SPEC_PROBLEM_REF_CYCLE);
    assert_position(&p[0].error, FIXTURES "cycle/openapi.yaml", 7, 13, NULL);
    assert_non_null(strstr(p[0].error.message, FIXTURES "cycle/b.yaml:1:7"));
    spec_destroy(spec);
}

static void test_recursive_schemas_are_fine(void **state)
{
    spec_t *spec = parse_clean(
        HEAD "components:\n"
             "  schemas:\n"
             "    Node:\n"
             "      type: object\n"
             "      properties:\n"
             "        children: {type: array, items: {$ref: '#/components/schemas/Node'}}\n"
             "        next: {$ref: '#/components/schemas/Node'}\n"
             "        other: {$ref: '#/components/schemas/Other'}\n"
             "    Other: {allOf: [{$ref: '#/components/schemas/Node'}]}\n");
    const spec_node_t *node = spec_component(spec, "schemas", "Node");
    assert_ptr_equal(spec_schema_property(spec, node, "next"), node);
    const spec_node_t *children = spec_schema_property(spec, node, "children");
    assert_ptr_equal(spec_schema_items(spec, children), node);
    const spec_node_t *other = spec_schema_property(spec, node, "other");
    assert_ptr_equal(spec_schema_property(spec, other, "next"), node);
    spec_destroy(spec);
}

/* Every $ref below except two sits in data and would fail if followed. */
static void test_refs_in_data_are_not_followed(void **state)
{
    spec_t *spec = parse_clean(
        HEAD "paths:\n"
             "  /a:\n"
             "    x-internal: {$ref: '#/nope1'}\n"
             "    get:\n"
             "      x-code-samples: [{$ref: '#/nope2'}]\n"
             "      responses:\n"
             "        x-note: {$ref: '#/nope3'}\n"
             "        '200':\n"
             "          description: ok\n"
             "          content:\n"
             "            application/json:\n"
             "              schema:\n"
             "                type: object\n"
             "                properties:\n"
             "                  $ref: {type: string}\n"
             "                  example: {$ref: '#/components/schemas/S'}\n"
             "                  default: {type: string}\n"
             "                example: {$ref: '#/nope4'}\n"
             "                default: {$ref: '#/nope5'}\n"
             "                enum: [{$ref: '#/nope6'}]\n"
             "                const: {$ref: '#/nope7'}\n"
             "                examples: [{$ref: '#/nope8'}]\n"
             "              example: {$ref: '#/nope9'}\n"
             "              examples:\n"
             "                one:\n"
             "                  value: {$ref: '#/nope10'}\n"
             "                two: {$ref: '#/components/examples/Two'}\n"
             "components:\n"
             "  schemas:\n"
             "    S: {type: string, default: {$ref: '#/nope11'}}\n"
             "    x-not-an-extension: {$ref: '#/components/schemas/S'}\n"
             "  examples:\n"
             "    Two: {value: {$ref: '#/nope12'}}\n"
             "  links:\n"
             "    L: {operationId: x, parameters: {$ref: '#/nope13'}, requestBody: {$ref: "
             "'#/nope14'}}\n"
             "  securitySchemes:\n"
             "    o: {type: oauth2, flows: {implicit: {authorizationUrl: 'https://x', scopes: "
             "{$ref: '#/nope15'}}}}\n"
             "  parameters:\n"
             "    P: {name: p, in: query, schema: {type: string, enum: [{$ref: '#/nope16'}]}}\n"
             "x-top: {$ref: '#/nope17'}\n");
    size_t n;
    const spec_ref_t *refs = spec_refs(spec, &n);
    assert_int_equal(n, 3);
    assert_string_equal(refs[0].value->u.scalar.str, "#/components/schemas/S");
    assert_string_equal(refs[1].value->u.scalar.str, "#/components/examples/Two");
    /* a schema named like an extension is still a component */
    assert_string_equal(refs[2].value->u.scalar.str, "#/components/schemas/S");
    assert_int_equal(refs[2].value->pos.line, 33);
    /* a property called "$ref" is a property */
    const spec_node_t *schema = spec_response_schema(spec, spec_operation_at(spec, 0), 200, NULL);
    const spec_node_t *prop = spec_schema_property(spec, schema, "$ref");
    assert_true(spec_node_is(spec_node_get(prop, "type"), "string"));
    assert_ptr_equal(spec_schema_property(spec, schema, "example"),
                     spec_component(spec, "schemas", "S"));
    spec_destroy(spec);
}

static void test_broken_references_are_listed(void **state)
{
    spec_t *spec = load_spec(FIXTURES "broken/openapi.yaml");
    const char *f = FIXTURES "broken/openapi.yaml";
    const spec_problem_t *p;
    p = find_problem(spec, SPEC_PROBLEM_REF_UNRESOLVED, "no 'parameters' in '/components'");
    assert_position(&p->error, f, 7, 17, "/paths/~1a/get/parameters/0/$ref");
    p = find_problem(spec, SPEC_PROBLEM_REF_UNRESOLVED, "nothere.yaml' not found");
    assert_position(&p->error, f, 8, 17, "/paths/~1a/get/parameters/1/$ref");
    p = find_problem(spec, SPEC_PROBLEM_REF_FILE, "YAML syntax error");
    assert_position(&p->error, FIXTURES "broken/bad.yaml", 3, 1, "");
    p = find_problem(spec, SPEC_PROBLEM_REF_UNRESOLVED, "'bad.yaml#/X'");
    assert_position(&p->error, f, 9, 17, "/paths/~1a/get/parameters/2/$ref");
    assert_non_null(strstr(p->error.message, "failed to load"));
    p = find_problem(spec, SPEC_PROBLEM_REF_UNSUPPORTED, "remote document");
    assert_int_equal(p->severity, SPEC_SEVERITY_WARNING);
    assert_position(&p->error, f, 10, 17, "/paths/~1a/get/parameters/3/$ref");
    p = find_problem(spec, SPEC_PROBLEM_REF_UNSUPPORTED, "not anchors");
    assert_position(&p->error, f, 11, 17, NULL);
    p = find_problem(spec, SPEC_PROBLEM_REF_UNRESOLVED, "is itself a $ref");
    assert_position(&p->error, f, 12, 17, NULL);
    p = find_problem(spec, SPEC_PROBLEM_REF_INVALID, "malformed %-escape");
    assert_position(&p->error, f, 13, 17, NULL);
    p = find_problem(spec, SPEC_PROBLEM_REF_INVALID, "must be a string, not an integer");
    assert_position(&p->error, f, 14, 17, "/paths/~1a/get/parameters/7/$ref");
    p = find_problem(spec, SPEC_PROBLEM_REF_UNRESOLVED,
                     "no '01' in '/components/schemas/List/allOf'");
    assert_position(&p->error, f, 15, 17, NULL);
    p = find_problem(spec, SPEC_PROBLEM_REF_UNRESOLVED, "$ref 'bad.yaml'");
    assert_position(&p->error, f, 16, 17, NULL);
    /* one problem each, the broken file once, nothing about the unusable parameters */
    size_t n;
    spec_problems(spec, &n);
    assert_int_equal(n, 11);
    assert_int_equal(spec_error_count(spec), 9);
    /* the model is still there, without the parameters it could not read */
    const spec_operation_t *op = spec_operation_at(spec, 0);
    assert_non_null(op);
    assert_int_equal(op->nparams, 0);
    spec_error_t err;
    const spec_node_t *list = spec_node_get(op->node, "parameters");
    assert_null(spec_resolve(spec, spec_node_at(list, 1), NULL, &err));
    assert_position(&err, f, 8, 17, NULL);
    assert_non_null(strstr(err.message, "not found"));
    spec_destroy(spec);
}

static void test_file_limit(void **state)
{
    spec_load_options_t opts = {.max_files = 3};
    spec_t *spec;
    spec_error_t err;
    assert_int_equal(spec_load(&spec, FIXTURES "multi/openapi.yaml", &opts, &err), 0);
    assert_int_equal(spec_document_count(spec), 3);
    const spec_problem_t *p = find_problem(spec, SPEC_PROBLEM_LIMIT, "max_files (3)");
    assert_int_equal(p->severity, SPEC_SEVERITY_ERROR);
    assert_true(p->error.line > 0);
    assert_non_null(strstr(p->error.message, "--max-files"));
    assert_true(spec_incomplete(spec));
    /* one problem for the limit, however many refs it left unresolved */
    size_t n, limits = 0;
    const spec_problem_t *all = spec_problems(spec, &n);
    for (size_t i = 0; i < n; ++i)
        limits += strcmp(all[i].code, SPEC_PROBLEM_LIMIT) == 0;
    assert_int_equal(limits, 1);
    spec_destroy(spec);
    /* the default loads them all */
    assert_int_equal(spec_load(&spec, FIXTURES "multi/openapi.yaml", NULL, &err), 0);
    assert_false(spec_incomplete(spec));
    spec_destroy(spec);
}

static void test_total_bytes_limit(void **state)
{
    spec_load_options_t opts = {.max_total_bytes = 1};
    spec_t *spec;
    spec_error_t err;
    assert_int_equal(spec_load(&spec, FIXTURES "multi/openapi.yaml", &opts, &err), 0);
    const spec_problem_t *p = find_problem(spec, SPEC_PROBLEM_LIMIT, "max_total_bytes");
    assert_int_equal(p->severity, SPEC_SEVERITY_ERROR);
    assert_true(spec_incomplete(spec));
    spec_destroy(spec);
}

static void test_chain_limit(void **state)
{
    const char *yaml = HEAD "components:\n  schemas:\n"
                            "    A: {$ref: '#/components/schemas/B'}\n"
                            "    B: {$ref: '#/components/schemas/C'}\n"
                            "    C: {$ref: '#/components/schemas/D'}\n"
                            "    D: {type: string}\n";
    spec_load_options_t opts = {.max_ref_chain = 2};
    spec_t *spec;
    spec_error_t err;
    assert_int_equal(spec_parse(&spec, "t.yaml", yaml, strlen(yaml), &opts, &err), 0);
    const spec_problem_t *p = find_problem(spec, SPEC_PROBLEM_LIMIT, "more than 2 references");
    assert_position(&p->error, "t.yaml", 5, 15, NULL);
    assert_null(spec_component(spec, "schemas", "A"));
    spec_destroy(spec);
    /* the same when the tail of the chain was finished first; its shorter chains are fine */
    const char *yaml2 = HEAD "components:\n  schemas:\n"
                             "    B: {$ref: '#/components/schemas/C'}\n"
                             "    C: {$ref: '#/components/schemas/D'}\n"
                             "    D: {type: string}\n"
                             "    A: {$ref: '#/components/schemas/B'}\n";
    assert_int_equal(spec_parse(&spec, "t.yaml", yaml2, strlen(yaml2), &opts, &err), 0);
    p = find_problem(spec, SPEC_PROBLEM_LIMIT, "more than 2 references");
    assert_position(&p->error, "t.yaml", 8, 15, NULL);
    assert_int_equal(spec_error_count(spec), 1);
    assert_null(spec_component(spec, "schemas", "A"));
    assert_non_null(spec_component(spec, "schemas", "B"));
    spec_destroy(spec);
    /* the default allows it */
    spec = parse_clean(yaml);
    assert_true(
        spec_node_is(spec_node_get(spec_component(spec, "schemas", "A"), "type"), "string"));
    spec_destroy(spec);
}

static void test_problem_inside_referenced_file_has_its_pointer(void **state)
{
    spec_t *spec =
        parse_spec(HEAD "paths:\n  /x:\n    $ref: '" FIXTURES "refd/items.yaml#/items/~1x'\n");
    const spec_problem_t *p = find_problem(spec, SPEC_PROBLEM_REF_INVALID, "must be a string");
    assert_position(&p->error, FIXTURES "refd/items.yaml", 4, 13, "/items/~1x/get/$ref");
    p = find_problem(spec, SPEC_PROBLEM_STRUCTURE, "'responses' must be a mapping");
    assert_position(&p->error, FIXTURES "refd/items.yaml", 7, 18, "/items/~1x/put/responses");
    spec_destroy(spec);
}

static void test_path_normalize(void **state)
{
    static const char *const cases[][2] = {
        {"a/./b//c", "a/b/c"}, {"a/b/", "a/b"},         {"a/../../b", "../b"},
        {"../x/../y", "../y"}, {"/a/../../b", "/b"},    {"/", "/"},
        {"./", "."},           {"a/..", "."},           {"", "."},
        {"/a/b/../c", "/a/c"}, {"x/../../..", "../.."}, {"a/b/c/../../d/./e", "a/d/e"},
    };
    spec__arena_t a;
    spec__arena_init(&a);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); ++i) {
        const char *got = spec__path_normalize(&a, cases[i][0]);
        if (strcmp(got, cases[i][1]) != 0)
            fail_msg("'%s' normalised to '%s', expected '%s'", cases[i][0], got, cases[i][1]);
    }
    spec__arena_dispose(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_path_normalize),
        cmocka_unit_test(test_local_escapes),
        cmocka_unit_test(test_multi_file),
        cmocka_unit_test(test_resolve_and_deref),
        cmocka_unit_test(test_cycles_are_errors),
        cmocka_unit_test(test_recursive_schemas_are_fine),
        cmocka_unit_test(test_refs_in_data_are_not_followed),
        cmocka_unit_test(test_broken_references_are_listed),
        cmocka_unit_test(test_file_limit),
        cmocka_unit_test(test_total_bytes_limit),
        cmocka_unit_test(test_chain_limit),
        cmocka_unit_test(test_problem_inside_referenced_file_has_its_pointer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
