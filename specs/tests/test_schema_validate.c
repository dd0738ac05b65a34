/* Tests specs/schema_validate.c and specs/schema_keywords.c: each keyword with a passing and a
 * failing instance, both OpenAPI dialects, $ref and recursion bounds (node conversions:
 * test_schema_convert.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "schema.h"

/* Memory for the instances: one arena for the test program. */
static const body_mem_t *test_mem(void)
{
    static body_arena_t arena;
    static body_mem_t mem;
    if (mem.alloc == NULL) {
        body_arena_init(&arena);
        mem = body_arena_mem(&arena);
    }
    return &mem;
}

/* JSON text as a body-model instance; the text must outlive it (test literals do). */
static body_value_t *instance(const char *json)
{
    body_error_t err;
    body_value_t *v = body_parse(test_mem(), json, strlen(json), 0, &err);
    if (v == NULL)
        fail_msg("bad test JSON %s: %s", json, err.message);
    return v;
}

typedef struct {
    spec_t *spec;
    spec_validator_t *v;
} fixture_t;

static const char schemas30[] =
    "openapi: 3.0.3\n"
    "info: {title: t, version: '1'}\n"
    "paths: {}\n"
    "components:\n"
    "  schemas:\n"
    "    Int: {type: integer}\n"
    "    Num: {type: number}\n"
    "    Str: {type: string}\n"
    "    NullableStr: {type: string, nullable: true}\n"
    "    Pet:\n"
    "      type: object\n"
    "      required: [id, name]\n"
    "      additionalProperties: false\n"
    "      properties:\n"
    "        id: {type: integer, readOnly: true}\n"
    "        name: {type: string, minLength: 1, maxLength: 3}\n"
    "        secret: {type: string, writeOnly: true}\n"
    "        tags: {type: array, items: {type: string}, maxItems: 2, uniqueItems: true}\n"
    "    ReadOnlyId: {type: integer, readOnly: true}\n"
    "    PetRef: {type: object, properties: {id: {$ref: '#/components/schemas/ReadOnlyId'}}}\n"
    "    PetWithSecret:\n"
    "      type: object\n"
    "      required: [secret]\n"
    "      properties:\n"
    "        secret: {type: string, writeOnly: true}\n"
    "    Color: {type: string, enum: [red, green], nullable: true}\n"
    "    Range: {type: number, minimum: 0, maximum: 10, exclusiveMaximum: true}\n"
    "    Multiple: {type: number, multipleOf: 0.5}\n"
    "    Slug: {type: string, pattern: '^[a-z0-9-]+$'}\n"
    "    Digits: {type: string, pattern: '^\\d{3}$'}\n"
    "    Lookahead: {type: string, pattern: '^(?=a)b$'}\n"
    "    Shape:\n"
    "      oneOf:\n"
    "        - {type: object, required: [r], properties: {r: {type: number}}}\n"
    "        - {type: object, required: [w], properties: {w: {type: number}}}\n"
    "    AnyNum:\n"
    "      anyOf: [{type: integer}, {type: string, pattern: '^[0-9]+$'}]\n"
    "    NotStr: {not: {type: string}}\n"
    "    Both:\n"
    "      allOf:\n"
    "        - {type: object, required: [a]}\n"
    "        - {type: object, required: [b]}\n"
    "    Tree:\n"
    "      type: object\n"
    "      properties:\n"
    "        value: {type: integer}\n"
    "        children: {type: array, items: {$ref: '#/components/schemas/Tree'}}\n"
    "    Loop:\n"
    "      allOf: [{$ref: '#/components/schemas/Loop'}]\n"
    "    RefSibling:\n"
    "      $ref: '#/components/schemas/Str'\n"
    "      maxLength: 1\n"
    "    Dict: {type: object, additionalProperties: {type: integer}}\n";

static const char schemas31[] =
    "openapi: 3.1.0\n"
    "info: {title: t, version: '1'}\n"
    "components:\n"
    "  schemas:\n"
    "    Str: {type: string}\n"
    "    MaybeStr: {type: [string, 'null']}\n"
    "    Const: {const: 42}\n"
    "    Excl: {type: number, exclusiveMinimum: 0, exclusiveMaximum: 10}\n"
    "    Never: false\n"
    "    Always: true\n"
    "    RefSibling:\n"
    "      $ref: '#/components/schemas/Str'\n"
    "      maxLength: 1\n"
    "    Tuple: {type: array, prefixItems: [{type: integer}, {type: string}], items: false}\n"
    "    HasInt: {type: array, contains: {type: integer}, maxContains: 1}\n"
    "    Names: {type: object, propertyNames: {pattern: '^[a-z]+$'}}\n"
    "    Patterned: {type: object, patternProperties: {'^x_': {type: integer}},\n"
    "                additionalProperties: false}\n"
    "    Dependent: {type: object, dependentRequired: {card: [billing]}}\n"
    "    Cond:\n"
    "      if: {properties: {kind: {const: a}}, required: [kind]}\n"
    "      then: {required: [alpha]}\n"
    "      else: {required: [beta]}\n";

static spec_t *parse(const char *yaml)
{
    spec_t *spec;
    spec_error_t err;
    if (spec_parse(&spec, "schemas.yaml", yaml, strlen(yaml), NULL, &err) != 0) {
        char buf[1024];
        fail_msg("parse: %s", spec_error_format(&err, buf, sizeof(buf)));
    }
    return spec;
}

static int setup30(void **state)
{
    fixture_t *f = calloc(1, sizeof(*f));
    f->spec = parse(schemas30);
    f->v = spec_validator_create(f->spec);
    *state = f;
    return 0;
}

static int setup31(void **state)
{
    fixture_t *f = calloc(1, sizeof(*f));
    f->spec = parse(schemas31);
    f->v = spec_validator_create(f->spec);
    *state = f;
    return 0;
}

/* The same validators frozen as the gateway freezes them: every schema compiled and linked
 * (schema_compile.c), so each test also runs through the compiled records. */
static int setup30_frozen(void **state)
{
    setup30(state);
    fixture_t *f = *state;
    spec_validator_freeze(f->v, NULL);
    return 0;
}

static int setup31_frozen(void **state)
{
    setup31(state);
    fixture_t *f = *state;
    spec_validator_freeze(f->v, NULL);
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    spec_validator_destroy(f->v);
    spec_destroy(f->spec);
    free(f);
    return 0;
}

/* The check over the text (spec_validate_text, schema_stream.c) on the same JSON: it may
 * accept only what the engine found valid and complete. Returns whether it accepted. */
static int text_agrees(fixture_t *f, const spec_node_t *s, const char *json,
                       const spec_validate_options_t *opts, size_t errors, int incomplete)
{
    int accepted = spec_validate_text(f->v, s, json, strlen(json), opts, test_mem());
    if (accepted && (errors != 0 || incomplete))
        fail_msg("the check over the text accepts %s, the engine found %zu error(s)%s", json,
                 errors, incomplete ? " (incomplete)" : "");
    return accepted;
}

/* Validates JSON text against a component schema; returns the error count, result in `out`.
 * The check over the text runs on it too; `text_accepted` (may be NULL) gets its answer. */
static size_t run_text(fixture_t *f, const char *schema, const char *json,
                       spec_validate_direction_t dir, spec_validation_t *out, int *text_accepted)
{
    char ptr[128];
    snprintf(ptr, sizeof(ptr), "/components/schemas/%s", schema);
    const spec_node_t *s = spec_pointer_get(spec_root(f->spec), ptr, strlen(ptr));
    assert_non_null(s);
    body_value_t *inst = instance(json);
    spec_validation_init(out);
    spec_validate_options_t opts = {.direction = dir};
    size_t n = spec_validate(f->v, s, inst, &opts, out);
    assert_int_equal(n, out->count < 16 ? out->count : n);
    int accepted = text_agrees(f, s, json, &opts, n, out->incomplete);
    if (text_accepted != NULL)
        *text_accepted = accepted;
    return n;
}

static size_t run(fixture_t *f, const char *schema, const char *json, spec_validate_direction_t dir,
                  spec_validation_t *out)
{
    return run_text(f, schema, json, dir, out, NULL);
}

static void expect_valid(fixture_t *f, const char *schema, const char *json)
{
    spec_validation_t r;
    int accepted;
    size_t n = run_text(f, schema, json, SPEC_VALIDATE_ANY, &r, &accepted);
    if (n != 0)
        fail_msg("%s should accept %s; got: %s at '%s'", schema, json, r.errors[0].message,
                 r.errors[0].instance_path);
    if (!accepted && !r.incomplete)
        fail_msg("the check over the text leaves %s against %s to the tree", json, schema);
    spec_validation_dispose(&r);
}

/* Expects exactly one error with this keyword, instance path and message fragment. */
static void expect_error(fixture_t *f, const char *schema, const char *json, const char *keyword,
                         const char *path, const char *fragment)
{
    spec_validation_t r;
    size_t n = run(f, schema, json, SPEC_VALIDATE_ANY, &r);
    if (n != 1)
        fail_msg("%s on %s: expected 1 error, got %zu%s%s", schema, json, n, n ? ": " : "",
                 n ? r.errors[0].message : "");
    assert_string_equal(r.errors[0].keyword, keyword);
    assert_string_equal(r.errors[0].instance_path, path);
    if (strstr(r.errors[0].message, fragment) == NULL)
        fail_msg("message \"%s\" lacks \"%s\"", r.errors[0].message, fragment);
    assert_non_null(r.errors[0].schema);
    spec_validation_dispose(&r);
}

static void test_types_integer_vs_number(void **state)
{
    fixture_t *f = *state;
    expect_valid(f, "Int", "3");
    expect_valid(f, "Int", "3.0"); /* JSON Schema: the value, not its spelling, is an integer */
    expect_error(f, "Int", "3.5", "type", "", "must be integer");
    expect_error(f, "Int", "\"3\"", "type", "", "must be integer");
    expect_valid(f, "Num", "3");
    expect_valid(f, "Num", "3.5");
    expect_error(f, "Num", "true", "type", "", "must be number");
    expect_error(f, "Str", "null", "type", "", "must be string");
}

static void test_nullable_30(void **state)
{
    fixture_t *f = *state;
    expect_valid(f, "NullableStr", "null");
    expect_valid(f, "NullableStr", "\"x\"");
    expect_valid(f, "Color", "null"); /* nullable admits null though the enum does not list it */
    expect_valid(f, "Color", "\"red\"");
    expect_error(f, "Color", "\"blue\"", "enum", "", "\"red\", \"green\"");
}

static void test_object_keywords(void **state)
{
    fixture_t *f = *state;
    expect_valid(f, "Pet", "{\"id\": 1, \"name\": \"Rex\"}");
    expect_error(f, "Pet", "{\"id\": 1}", "required", "", "\"name\"");
    expect_error(f, "Pet", "{\"id\": 1, \"name\": \"Rex\", \"x\": 1}", "additionalProperties", "/x",
                 "\"x\"");
    expect_error(f, "Pet", "{\"id\": 1, \"name\": \"\"}", "minLength", "/name", "fewer than 1");
    expect_error(f, "Pet", "{\"id\": 1, \"name\": \"Rexy\"}", "maxLength", "/name", "more than 3");
    /* lengths count characters, not UTF-8 bytes */
    expect_valid(f, "Pet", "{\"id\": 1, \"name\": \"\\u00e9\\u00e9\\u00e9\"}");
    expect_error(f, "Pet", "[]", "type", "", "must be object");
    expect_valid(f, "Dict", "{\"a\": 1, \"b\": 2}");
    expect_error(f, "Dict", "{\"a\": 1, \"b\": \"2\"}", "type", "/b", "integer");
}

static void test_array_keywords(void **state)
{
    fixture_t *f = *state;
    expect_valid(f, "Pet", "{\"id\": 1, \"name\": \"a\", \"tags\": [\"x\", \"y\"]}");
    expect_error(f, "Pet", "{\"id\": 1, \"name\": \"a\", \"tags\": [\"x\", 2]}", "type", "/tags/1",
                 "string");
    expect_error(f, "Pet", "{\"id\": 1, \"name\": \"a\", \"tags\": [\"x\", \"x\"]}", "uniqueItems",
                 "/tags", "duplicate");
    expect_error(f, "Pet", "{\"id\": 1, \"name\": \"a\", \"tags\": [\"x\", \"y\", \"z\"]}",
                 "maxItems", "/tags", "more than 2");
}

static void test_read_write_only(void **state)
{
    fixture_t *f = *state;
    spec_validation_t r;
    /* a request may omit the readOnly id; a response may not */
    assert_int_equal(run(f, "Pet", "{\"name\": \"a\"}", SPEC_VALIDATE_REQUEST, &r), 0);
    spec_validation_dispose(&r);
    assert_int_equal(run(f, "Pet", "{\"name\": \"a\"}", SPEC_VALIDATE_RESPONSE, &r), 1);
    spec_validation_dispose(&r);
    assert_int_equal(run(f, "PetWithSecret", "{}", SPEC_VALIDATE_RESPONSE, &r), 0);
    spec_validation_dispose(&r);
    assert_int_equal(run(f, "PetWithSecret", "{}", SPEC_VALIDATE_REQUEST, &r), 1);
    spec_validation_dispose(&r);
}

/* strict_direction (the gateway's view): a readOnly property sent in a request, or a writeOnly
 * one in a response, is an error, also when the property's schema is a $ref. */
static void expect_direction(fixture_t *f, const char *schema, const char *json,
                             spec_validate_direction_t dir, const char *keyword, const char *path)
{
    char ptr[128];
    snprintf(ptr, sizeof(ptr), "/components/schemas/%s", schema);
    const spec_node_t *s = spec_pointer_get(spec_root(f->spec), ptr, strlen(ptr));
    assert_non_null(s);
    spec_validation_t r;
    spec_validation_init(&r);
    spec_validate_options_t opts = {.direction = dir, .strict_direction = 1};
    size_t n = spec_validate(f->v, s, instance(json), &opts, &r);
    int accepted = text_agrees(f, s, json, &opts, n, r.incomplete);
    if (keyword == NULL && !accepted)
        fail_msg("the check over the text leaves %s against %s to the tree", json, schema);
    if (keyword == NULL) {
        if (n != 0)
            fail_msg("%s should accept %s; got: %s", schema, json, r.errors[0].message);
    } else {
        if (n != 1)
            fail_msg("%s on %s: expected 1 error, got %zu", schema, json, n);
        assert_string_equal(r.errors[0].keyword, keyword);
        assert_string_equal(r.errors[0].instance_path, path);
    }
    spec_validation_dispose(&r);
}

static void test_strict_direction(void **state)
{
    fixture_t *f = *state;
    const char *pet = "{\"id\": 1, \"name\": \"a\", \"secret\": \"s\"}";
    expect_direction(f, "Pet", "{\"id\": 1, \"name\": \"a\"}", SPEC_VALIDATE_REQUEST, "readOnly",
                     "/id");
    expect_direction(f, "Pet", "{\"id\": 1, \"name\": \"a\"}", SPEC_VALIDATE_RESPONSE, NULL, NULL);
    expect_direction(f, "Pet", pet, SPEC_VALIDATE_RESPONSE, "writeOnly", "/secret");
    expect_direction(f, "PetRef", "{\"id\": 1}", SPEC_VALIDATE_REQUEST, "readOnly", "/id");
    expect_direction(f, "PetRef", "{\"id\": 1}", SPEC_VALIDATE_RESPONSE, NULL, NULL);
    expect_direction(f, "PetRef", "{\"id\": \"x\"}", SPEC_VALIDATE_RESPONSE, "type", "/id");
}

static void test_numeric_keywords(void **state)
{
    fixture_t *f = *state;
    expect_valid(f, "Range", "0");
    expect_valid(f, "Range", "9.99");
    expect_error(f, "Range", "-1", "minimum", "", ">= 0");
    expect_error(f, "Range", "10", "maximum", "", "< 10"); /* 3.0 boolean exclusiveMaximum */
    expect_valid(f, "Multiple", "2.5");
    expect_error(f, "Multiple", "2.25", "multipleOf", "", "multiple of 0.5");
}

static void test_patterns(void **state)
{
    fixture_t *f = *state;
    expect_valid(f, "Slug", "\"my-pet-1\"");
    expect_error(f, "Slug", "\"My Pet\"", "pattern", "", "^[a-z0-9-]+$");
    expect_valid(f, "Digits", "\"123\"");
    expect_error(f, "Digits", "\"12a\"", "pattern", "", "pattern");
    /* ECMA-262 look-ahead is enforced (schema_regex.c): ^(?=a)b$ matches nothing */
    expect_error(f, "Lookahead", "\"zzz\"", "pattern", "", "(?=a)");
    /* non-ASCII input runs by code point: é is not in [a-z0-9-] */
    expect_error(f, "Slug", "\"\\u00e9\"", "pattern", "", "^[a-z0-9-]+$");
}

static void test_combinators(void **state)
{
    fixture_t *f = *state;
    expect_valid(f, "Shape", "{\"r\": 1}");
    expect_error(f, "Shape", "{\"q\": 1}", "oneOf", "", "exactly one");
    expect_error(f, "Shape", "{\"r\": 1, \"w\": 2}", "oneOf", "", "matches #0 and #1");
    expect_valid(f, "AnyNum", "7");
    expect_valid(f, "AnyNum", "\"7\"");
    expect_error(f, "AnyNum", "\"x\"", "anyOf", "", "anyOf");
    expect_valid(f, "NotStr", "1");
    expect_error(f, "NotStr", "\"s\"", "not", "", "not");
    expect_valid(f, "Both", "{\"a\": 1, \"b\": 2}");
    expect_error(f, "Both", "{\"a\": 1}", "required", "", "\"b\"");
}

static void test_refs_and_recursion(void **state)
{
    fixture_t *f = *state;
    expect_valid(f, "Tree", "{\"value\": 1, \"children\": [{\"value\": 2, \"children\": []}]}");
    expect_error(f, "Tree", "{\"children\": [{\"children\": [{\"value\": \"x\"}]}]}", "type",
                 "/children/0/children/0/value", "integer");
    /* a schema that contains itself without consuming the instance stops at the depth bound */
    spec_validation_t r;
    assert_int_equal(run(f, "Loop", "1", SPEC_VALIDATE_ANY, &r), 0);
    assert_true(r.incomplete);
    assert_true(r.steps > 100);
    spec_validation_dispose(&r);
    /* and at the step budget */
    spec_validation_init(&r);
    body_value_t *one = body_integer(test_mem(), 1);
    spec_validate_options_t opts = {.max_steps = 10};
    char ptr[] = "/components/schemas/Loop";
    spec_validate(f->v, spec_pointer_get(spec_root(f->spec), ptr, strlen(ptr)), one, &opts, &r);
    assert_true(r.incomplete);
    assert_int_equal(r.steps, 10);
    spec_validation_dispose(&r);
    /* 3.0: siblings of $ref are ignored */
    expect_valid(f, "RefSibling", "\"long\"");
}

static void test_max_errors(void **state)
{
    fixture_t *f = *state;
    const spec_node_t *s = spec_component(f->spec, "schemas", "Dict");
    body_value_t *inst = body_object(test_mem());
    for (int i = 0; i < 40; ++i) {
        char key[16];
        int n = snprintf(key, sizeof(key), "k%d", i);
        const char *name = body_string_copy(test_mem(), key, (size_t)n)->u.str;
        body_set(test_mem(), inst, name, (size_t)n, body_string(test_mem(), "x", 1));
    }
    spec_validation_t r;
    spec_validation_init(&r);
    spec_validate_options_t opts = {.max_errors = 5};
    assert_int_equal(spec_validate(f->v, s, inst, &opts, &r), 40);
    assert_int_equal(r.count, 5);
    spec_validation_dispose(&r);
}

static void test_dialect_31(void **state)
{
    fixture_t *f = *state;
    expect_valid(f, "MaybeStr", "null");
    expect_valid(f, "MaybeStr", "\"s\"");
    expect_error(f, "MaybeStr", "1", "type", "", "must be string,null");
    expect_valid(f, "Const", "42");
    expect_valid(f, "Const", "42.0");
    expect_error(f, "Const", "43", "const", "", "constant");
    expect_valid(f, "Excl", "5");
    expect_error(f, "Excl", "0", "exclusiveMinimum", "", "> 0");
    expect_error(f, "Excl", "10", "exclusiveMaximum", "", "< 10");
    expect_error(f, "Never", "1", "false", "", "false");
    expect_valid(f, "Always", "{\"anything\": []}");
    /* 3.1: $ref siblings apply */
    expect_error(f, "RefSibling", "\"long\"", "maxLength", "", "more than 1");
}

static void test_keywords_31(void **state)
{
    fixture_t *f = *state;
    expect_valid(f, "Tuple", "[1, \"a\"]");
    expect_error(f, "Tuple", "[\"a\", \"a\"]", "type", "/0", "integer");
    expect_error(f, "Tuple", "[1, \"a\", 3]", "false", "/2", "false");
    expect_valid(f, "HasInt", "[\"a\", 1]");
    expect_error(f, "HasInt", "[\"a\"]", "contains", "", "at least 1");
    expect_error(f, "HasInt", "[1, 2]", "maxContains", "", "at most 1");
    expect_valid(f, "Names", "{\"abc\": 1}");
    expect_error(f, "Names", "{\"ABC\": 1}", "propertyNames", "/ABC", "ABC");
    expect_valid(f, "Patterned", "{\"x_a\": 1}");
    expect_error(f, "Patterned", "{\"x_a\": \"s\"}", "type", "/x_a", "integer");
    expect_error(f, "Patterned", "{\"y\": 1}", "additionalProperties", "/y", "\"y\"");
    expect_valid(f, "Dependent", "{\"card\": 1, \"billing\": 2}");
    expect_error(f, "Dependent", "{\"card\": 1}", "dependentRequired", "", "\"billing\"");
    expect_valid(f, "Cond", "{\"kind\": \"a\", \"alpha\": 1}");
    expect_error(f, "Cond", "{\"kind\": \"a\"}", "required", "", "\"alpha\"");
    expect_error(f, "Cond", "{\"kind\": \"b\"}", "required", "", "\"beta\"");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_types_integer_vs_number, setup30, teardown),
        cmocka_unit_test_setup_teardown(test_nullable_30, setup30, teardown),
        cmocka_unit_test_setup_teardown(test_object_keywords, setup30, teardown),
        cmocka_unit_test_setup_teardown(test_array_keywords, setup30, teardown),
        cmocka_unit_test_setup_teardown(test_read_write_only, setup30, teardown),
        cmocka_unit_test_setup_teardown(test_strict_direction, setup30, teardown),
        cmocka_unit_test_setup_teardown(test_numeric_keywords, setup30, teardown),
        cmocka_unit_test_setup_teardown(test_patterns, setup30, teardown),
        cmocka_unit_test_setup_teardown(test_combinators, setup30, teardown),
        cmocka_unit_test_setup_teardown(test_refs_and_recursion, setup30, teardown),
        cmocka_unit_test_setup_teardown(test_max_errors, setup30, teardown),
        cmocka_unit_test_setup_teardown(test_dialect_31, setup31, teardown),
        cmocka_unit_test_setup_teardown(test_keywords_31, setup31, teardown),
        /* the same, frozen */
        cmocka_unit_test_setup_teardown(test_types_integer_vs_number, setup30_frozen, teardown),
        cmocka_unit_test_setup_teardown(test_nullable_30, setup30_frozen, teardown),
        cmocka_unit_test_setup_teardown(test_object_keywords, setup30_frozen, teardown),
        cmocka_unit_test_setup_teardown(test_array_keywords, setup30_frozen, teardown),
        cmocka_unit_test_setup_teardown(test_read_write_only, setup30_frozen, teardown),
        cmocka_unit_test_setup_teardown(test_strict_direction, setup30_frozen, teardown),
        cmocka_unit_test_setup_teardown(test_numeric_keywords, setup30_frozen, teardown),
        cmocka_unit_test_setup_teardown(test_patterns, setup30_frozen, teardown),
        cmocka_unit_test_setup_teardown(test_combinators, setup30_frozen, teardown),
        cmocka_unit_test_setup_teardown(test_refs_and_recursion, setup30_frozen, teardown),
        cmocka_unit_test_setup_teardown(test_max_errors, setup30_frozen, teardown),
        cmocka_unit_test_setup_teardown(test_dialect_31, setup31_frozen, teardown),
        cmocka_unit_test_setup_teardown(test_keywords_31, setup31_frozen, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
