/* Tests of validate_answer.c: an answer routed to its operation and held to its response
 * (status declared or default, required and typed headers with lines joined, Content-Type, the
 * JSON body, invalid JSON), schema locations, the caller's parsed tree used as is, requests that
 * are no operation of the spec left unchecked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "validate.h"

static const char SPEC[] =
    "openapi: 3.0.3\n"
    "info: {title: t, version: '1'}\n"
    "paths:\n"
    "  /pets/{id}:\n"
    "    get:\n"
    "      operationId: getPet\n"
    "      parameters: [{name: id, in: path, required: true, schema: {type: integer}}]\n"
    "      responses:\n"
    "        '200':\n"
    "          description: ok\n"
    "          headers:\n"
    "            X-Rate: {required: true, schema: {type: integer, maximum: 10}}\n"
    "          content:\n"
    "            application/json:\n"
    "              schema: {$ref: '#/components/schemas/Pet'}\n"
    "        default: {description: error}\n"
    "  /plain:\n"
    "    get:\n"
    "      responses: {'201': {description: created}}\n"
    "components:\n"
    "  schemas:\n"
    "    Pet:\n"
    "      type: object\n"
    "      required: [id]\n"
    "      properties: {id: {type: integer}, name: {type: string, maxLength: 3}}\n";

static spec_t *spec;

static int setup(void **state)
{
    spec_error_t err;
    return spec_parse(&spec, "t.yaml", SPEC, strlen(SPEC), NULL, &err);
}

static int teardown(void **state)
{
    spec_destroy(spec);
    return 0;
}

static size_t run(gw_answer_checker_t *c, const char *path, int status, const up_header_t *h,
                  size_t nh, const char *body, ct_violation_t *out, size_t *total)
{
    return gw_answer_checker_run_views(c, "GET", 3, path, strlen(path), status, h, nh, body,
                                       body != NULL ? strlen(body) : 0, NULL, out, 20, total);
}

#define H(n, v)                                                                                    \
    {                                                                                              \
        n, sizeof(n) - 1, v, sizeof(v) - 1                                                         \
    }

static void test_conforming_and_violating(void **state)
{
    gw_answer_checker_t *c = gw_answer_checker_create(spec, 0);
    ct_violation_t out[20];
    size_t total;
    up_header_t ok[] = {H("Content-Type", "application/json"), H("x-rate", "3")};
    assert_int_equal(run(c, "/pets/1?x=1", 200, ok, 2, "{\"id\":1,\"name\":\"Rex\"}", out, &total),
                     0);
    assert_int_equal(total, 0);
    /* a body breaking the schema, a header over its maximum (two lines joined: "3, 11") */
    up_header_t bad[] = {H("content-type", "application/json"), H("X-Rate", "3"),
                         H("X-Rate", "11")};
    size_t n = run(c, "/pets/1", 200, bad, 3, "{\"name\":\"Rexy\"}", out, &total);
    assert_int_equal(n, total);
    int seen = 0;
    for (size_t i = 0; i != n; ++i) {
        assert_string_equal(out[i].operation, "getPet");
        assert_string_equal(out[i].side, "response");
        if (!strcmp(out[i].keyword, "maxLength")) {
            assert_string_equal(out[i].pointer, "/body/name");
            assert_string_equal(out[i].schema,
                                "#/components/schemas/Pet/properties/name/maxLength");
            seen |= 1;
        } else if (!strcmp(out[i].keyword, "required")) {
            assert_string_equal(out[i].pointer, "/body");
            seen |= 2;
        } else if (!strcmp(out[i].keyword, "type")) {
            assert_string_equal(out[i].pointer, "/header/X-Rate");
            seen |= 4; /* "3, 11" is an array, not an integer */
        }
    }
    assert_int_equal(seen, 7);
    /* the location cache answers the second time alike */
    n = run(c, "/pets/1", 200, bad, 3, "{\"name\":\"Rexy\"}", out, &total);
    assert_int_equal(n, 3);
    gw_answer_checker_destroy(c);
}

static void test_status_content_type_json(void **state)
{
    gw_answer_checker_t *c = gw_answer_checker_create(spec, 0);
    ct_violation_t out[20];
    size_t total;
    up_header_t text[] = {H("content-type", "text/plain"), H("x-rate", "1")};
    assert_int_equal(run(c, "/pets/1", 200, text, 2, "hi", out, &total), 1);
    assert_string_equal(out[0].keyword, "content-type");
    up_header_t json[] = {H("content-type", "application/problem+json")};
    assert_int_equal(run(c, "/pets/1", 500, json, 1, "{", out, &total),
                     0); /* default: no content */
    assert_int_equal(run(c, "/plain", 200, NULL, 0, NULL, out, &total), 1);
    assert_string_equal(out[0].keyword, "status");
    assert_string_equal(out[0].pointer, "/status");
    assert_string_equal(out[0].operation, "GET /plain");
    up_header_t j[] = {H("content-type", "application/json; charset=utf-8"), H("x-rate", "1")};
    assert_int_equal(run(c, "/pets/1", 200, j, 2, "{\"id\": ", out, &total), 1);
    assert_string_equal(out[0].keyword, "json");
    assert_string_equal(out[0].schema, "");
    /* not an operation of the spec: nothing to hold it to */
    assert_int_equal(run(c, "/nothing", 200, NULL, 0, NULL, out, &total), 0);
    assert_int_equal(total, 0);
    gw_answer_checker_destroy(c);
    gw_answer_checker_destroy(NULL);
}

static void test_parsed_tree_is_used(void **state)
{
    gw_answer_checker_t *c = gw_answer_checker_create(spec, 0);
    body_arena_t arena;
    body_arena_init(&arena);
    body_mem_t mem = body_arena_mem(&arena);
    const char *doc_text = "{\"id\":\"x\"}";
    const body_value_t *doc = body_parse(&mem, doc_text, strlen(doc_text), 0, NULL);
    ct_violation_t out[20];
    size_t total;
    up_header_t h[] = {H("content-type", "application/json"), H("x-rate", "1")};
    /* the bytes say valid, the tree says otherwise: the tree is what is checked */
    size_t n = gw_answer_checker_run_views(c, "GET", 3, "/pets/1", 7, 200, h, 2, "{\"id\":1}", 8,
                                           doc, out, 20, &total);
    assert_int_equal(n, 1);
    assert_string_equal(out[0].pointer, "/body/id");
    body_arena_dispose(&arena);
    gw_answer_checker_destroy(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conforming_and_violating),
        cmocka_unit_test(test_status_content_type_json),
        cmocka_unit_test(test_parsed_tree_is_used),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
