/* Tests specs/schema_stream.c, the check over the text (spec_validate_text): it decides valid
 * documents without building their tree, leaves to the tree path what it cannot decide, and
 * never accepts what the engine refuses on the parsed document. (Every case of
 * test_schema_validate.c and of the JSON Schema Test Suite runs through it too.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "schema.h"

static const char spec_yaml[] =
    "openapi: 3.0.3\n"
    "info: {title: t, version: '1'}\n"
    "paths: {}\n"
    "components:\n"
    "  schemas:\n"
    "    Pet:\n"
    "      type: object\n"
    "      required: [id, name]\n"
    "      properties:\n"
    "        id: {type: integer, readOnly: true}\n"
    "        name: {type: string, minLength: 1}\n"
    "        price: {type: number, minimum: 0}\n"
    "        status: {type: string, enum: [available, sold]}\n"
    "        tags: {type: array, items: {type: string}, maxItems: 3}\n"
    "        owner: {$ref: '#/components/schemas/Owner'}\n"
    "    Owner:\n"
    "      type: object\n"
    "      nullable: true\n"
    "      additionalProperties: false\n"
    "      maxProperties: 2\n"
    "      properties:\n"
    "        login: {type: string, pattern: '^[a-z]+$'}\n"
    "        site: {type: string}\n"
    "    Pets: {type: array, items: {$ref: '#/components/schemas/Pet'}}\n"
    "    Dict: {type: object, additionalProperties: {type: integer}, maxProperties: 2}\n"
    "    Shapes:\n"
    "      type: array\n"
    "      items:\n"
    "        oneOf:\n"
    "          - {type: object, required: [r], properties: {r: {type: number}}}\n"
    "          - {type: object, required: [w], properties: {w: {type: number}}}\n"
    "    Anything: {description: no keywords}\n";

typedef struct {
    spec_t *spec;
    spec_validator_t *v;
    body_arena_t arena;
    body_mem_t mem; /* counts what the check asks of it */
    size_t allocs;
} fixture_t;

static void *counting_alloc(void *ctx, size_t size)
{
    fixture_t *f = ctx;
    body_mem_t inner = body_arena_mem(&f->arena);
    f->allocs++;
    return body_alloc(&inner, size);
}

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof(*f));
    spec_error_t err;
    if (spec_parse(&f->spec, "s.yaml", spec_yaml, strlen(spec_yaml), NULL, &err) != 0)
        fail_msg("parse: %s", err.message);
    f->v = spec_validator_create(f->spec);
    spec_validator_freeze(f->v, NULL); /* as the gateway does */
    body_arena_init(&f->arena);
    f->mem = (body_mem_t){counting_alloc, f};
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    body_arena_dispose(&f->arena);
    spec_validator_destroy(f->v);
    spec_destroy(f->spec);
    free(f);
    return 0;
}

static const spec_node_t *schema(fixture_t *f, const char *name)
{
    char ptr[128];
    snprintf(ptr, sizeof(ptr), "/components/schemas/%s", name);
    const spec_node_t *s = spec_pointer_get(spec_root(f->spec), ptr, strlen(ptr));
    assert_non_null(s);
    return s;
}

/* The engine's verdict on the parsed text: 1 valid and complete, 0 invalid, -1 not JSON. */
static int engine(fixture_t *f, const spec_node_t *s, const char *json,
                  const spec_validate_options_t *opts)
{
    body_value_t *doc = body_parse(&f->mem, json, strlen(json), 0, NULL);
    if (doc == NULL)
        return -1;
    spec_validation_t r;
    spec_validation_init(&r);
    int valid = spec_validate(f->v, s, doc, opts, &r) == 0 && !r.incomplete;
    spec_validation_dispose(&r);
    return valid;
}

/* The check's answer on `json`, after asserting it agrees with the engine where it accepts;
 * *allocs gets what it allocated. */
static int check(fixture_t *f, const char *name, const char *json, spec_validate_direction_t dir,
                 size_t *allocs)
{
    spec_validate_options_t opts = {.direction = dir, .strict_direction = 1};
    const spec_node_t *s = schema(f, name);
    f->allocs = 0;
    int accepted = spec_validate_text(f->v, s, json, strlen(json), &opts, &f->mem);
    if (allocs != NULL)
        *allocs = f->allocs;
    if (accepted && engine(f, s, json, &opts) != 1)
        fail_msg("%s: the check accepts %s, the engine does not", name, json);
    body_arena_reset(&f->arena);
    return accepted;
}

static const char pets[] =
    "[{\"id\": 1, \"name\": \"Rex\", \"price\": 12.5, \"status\": \"sold\", \"tags\": [\"a\"],\n"
    "  \"owner\": {\"login\": \"ann\", \"site\": \"x\"}},\n"
    " {\"id\": 2, \"name\": \"Tom\", \"owner\": null, \"extra\": {\"deep\": [1, {\"x\": null}]}}]";

/* A valid list of objects of known shape is decided in its text: no tree, no allocation. */
static void test_valid_without_a_tree(void **state)
{
    fixture_t *f = *state;
    size_t allocs;
    assert_true(check(f, "Pets", pets, SPEC_VALIDATE_RESPONSE, &allocs));
    assert_int_equal(allocs, 0);
    assert_true(check(f, "Pets", " [ ] ", SPEC_VALIDATE_RESPONSE, &allocs));
    assert_true(check(f, "Dict", "{\"a\": 1, \"b\": 2}", SPEC_VALIDATE_ANY, &allocs));
    assert_int_equal(allocs, 0);
    assert_true(check(f, "Anything", "{\"a\": [1, {}], \"b\": \"x\"}", SPEC_VALIDATE_ANY, &allocs));
    assert_int_equal(allocs, 0);
}

/* Parts whose schema needs a tree (oneOf here) are parsed on their own, and decided. */
static void test_tree_parts(void **state)
{
    fixture_t *f = *state;
    size_t allocs;
    assert_true(check(f, "Shapes", "[{\"r\": 1}, {\"w\": 2}]", SPEC_VALIDATE_ANY, &allocs));
    assert_true(allocs > 0);
    assert_false(check(f, "Shapes", "[{\"r\": 1}, {\"r\": 1, \"w\": 2}]", SPEC_VALIDATE_ANY, NULL));
    /* a string with escapes is decoded before the engine sees it */
    assert_true(check(f, "Pets", "[{\"id\": 1, \"name\": \"R\\u00e9x\\n\"}]", SPEC_VALIDATE_ANY,
                      NULL));
    assert_false(check(f, "Pets", "[{\"id\": 1, \"name\": \"\\u0000\", \"owner\": "
                                  "{\"login\": \"\\u0041\"}}]",
                       SPEC_VALIDATE_ANY, NULL));
}

/* Every keyword the walk checks itself, broken once. */
static void test_invalid(void **state)
{
    fixture_t *f = *state;
    static const char *const bad[] = {
        "{}",                                                  /* type */
        "[{\"id\": 1}]",                                       /* required */
        "[{\"id\": \"1\", \"name\": \"a\"}]",                  /* a property's type */
        "[{\"id\": 1, \"name\": \"\"}]",                       /* minLength, in the engine */
        "[{\"id\": 1, \"name\": \"a\", \"tags\": [1]}]",       /* items */
        "[{\"id\": 1, \"name\": \"a\", \"tags\": [\"a\", \"b\", \"c\", \"d\"]}]", /* maxItems */
        "[{\"id\": 1, \"name\": \"a\", \"owner\": {\"x\": 1}}]", /* additionalProperties: false */
        "[{\"id\": 1, \"name\": \"a\", \"owner\": {\"login\": \"A\"}}]",          /* pattern */
        "[{\"id\": 1, \"name\": \"a\", \"owner\": 3}]",        /* $ref'd type */
        "[{\"id\": 1, \"name\": \"a\", \"status\": \"lost\"}]", /* enum */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); ++i)
        if (check(f, "Pets", bad[i], SPEC_VALIDATE_ANY, NULL))
            fail_msg("accepted %s", bad[i]);
    assert_false(check(f, "Dict", "{\"a\": 1, \"b\": \"2\"}", SPEC_VALIDATE_ANY, NULL));
    assert_false(check(f, "Dict", "{\"a\": 1, \"b\": 2, \"c\": 3}", SPEC_VALIDATE_ANY, NULL));
}

/* OpenAPI's readOnly by direction, in the gateway's strict view. */
static void test_direction(void **state)
{
    fixture_t *f = *state;
    /* a request may leave out the readOnly id, and must not send it */
    assert_true(check(f, "Pets", "[{\"name\": \"a\"}]", SPEC_VALIDATE_REQUEST, NULL));
    assert_false(check(f, "Pets", "[{\"id\": 1, \"name\": \"a\"}]", SPEC_VALIDATE_REQUEST, NULL));
    /* a response must have it */
    assert_false(check(f, "Pets", "[{\"name\": \"a\"}]", SPEC_VALIDATE_RESPONSE, NULL));
    assert_true(check(f, "Pets", "[{\"id\": 1, \"name\": \"a\"}]", SPEC_VALIDATE_RESPONSE, NULL));
}

/* What the parser refuses, the check never accepts. */
static void test_not_json(void **state)
{
    fixture_t *f = *state;
    static const char *const bad[] = {
        "",        "  ",       "[",           "[1,]",           "{\"a\" 1}",    "{\"a\": 1,}",
        "[] []",   "[01]",     "[\"\\x\"]",   "[\"\x01\"]",     "[tru]",       "{\"a\": nul}",
        "[\"\xff\"]", "[\"\\ud800\"]", "{1: 2}", "[1 2]",     "{\"a\": {\"b\": [}]}",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); ++i) {
        if (check(f, "Anything", bad[i], SPEC_VALIDATE_ANY, NULL))
            fail_msg("accepted %s", bad[i]);
        if (check(f, "Dict", bad[i], SPEC_VALIDATE_ANY, NULL))
            fail_msg("accepted %s against Dict", bad[i]);
    }
    /* nesting: the parser's limit (1000) holds for skipped parts too; 1000 levels pass */
    static char deep[2 * 1001 + 1];
    for (int levels = 1000; levels <= 1001; ++levels) {
        memset(deep, '[', (size_t)levels);
        memset(deep + levels, ']', (size_t)levels);
        deep[2 * levels] = '\0';
        assert_int_equal(check(f, "Anything", deep, SPEC_VALIDATE_ANY, NULL), levels == 1000);
        /* the same below an object walked member by member (Pet: `extra` is undeclared) */
        char *wrapped = malloc(2 * (size_t)levels + 64);
        int at = sprintf(wrapped, "[{\"id\": 1, \"name\": \"a\", \"extra\": ");
        memset(wrapped + at, '[', (size_t)levels - 2);
        memset(wrapped + at + levels - 2, ']', (size_t)levels - 2);
        strcpy(wrapped + at + 2 * (levels - 2), "}]");
        assert_int_equal(check(f, "Pets", wrapped, SPEC_VALIDATE_RESPONSE, NULL), levels == 1000);
        free(wrapped);
    }
}

/* Texts whose parsed form differs from what the walk sees are left to the tree path. */
static void test_left_to_the_tree(void **state)
{
    fixture_t *f = *state;
    spec_validate_options_t any = {.direction = SPEC_VALIDATE_ANY};
    /* a declared name twice: the parser keeps the last value */
    const char *dup = "[{\"id\": \"x\", \"id\": 1, \"name\": \"a\"}]";
    assert_false(check(f, "Pets", dup, SPEC_VALIDATE_ANY, NULL));
    assert_int_equal(engine(f, schema(f, "Pets"), dup, &any), 1);
    /* an undeclared name twice counts once against maxProperties */
    const char *dup2 = "{\"a\": 1, \"b\": 2, \"a\": 3}";
    assert_false(check(f, "Dict", dup2, SPEC_VALIDATE_ANY, NULL));
    assert_int_equal(engine(f, schema(f, "Dict"), dup2, &any), 1);
    /* an escaped member name */
    const char *esc = "[{\"\\u0069d\": 1, \"name\": \"a\"}]";
    assert_false(check(f, "Pets", esc, SPEC_VALIDATE_ANY, NULL));
    assert_int_equal(engine(f, schema(f, "Pets"), esc, &any), 1);
    /* the step budget runs out: incomplete, not valid */
    spec_validate_options_t tight = {.direction = SPEC_VALIDATE_ANY, .max_steps = 3};
    assert_false(spec_validate_text(f->v, schema(f, "Pets"), pets, strlen(pets), &tight, &f->mem));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_valid_without_a_tree, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tree_parts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_invalid, setup, teardown),
        cmocka_unit_test_setup_teardown(test_direction, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_json, setup, teardown),
        cmocka_unit_test_setup_teardown(test_left_to_the_tree, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
