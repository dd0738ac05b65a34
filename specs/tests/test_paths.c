/* Tests for specs/paths.c: paths and operations in document order, parameter merging, responses,
 * request bodies, lookups, and structural problems reported with their JSON pointers. */
#include "spec_test_util.h"

#define HEAD "openapi: 3.0.3\ninfo: {title: t, version: '1'}\n"

static void test_document_order(void **state)
{
    spec_t *spec = parse_clean(HEAD "paths:\n"
                                    "  /b:\n"
                                    "    post: {operationId: b-post, responses: {}}\n"
                                    "    summary: B\n"
                                    "    get: {operationId: b-get, responses: {}}\n"
                                    "  /a:\n"
                                    "    trace: {operationId: a-trace, responses: {}}\n"
                                    "    options: {responses: {}}\n"
                                    "    head: {responses: {}}\n"
                                    "    patch: {responses: {}}\n"
                                    "    put: {responses: {}}\n"
                                    "    delete: {responses: {}}\n");
    assert_int_equal(spec_path_count(spec), 2);
    assert_string_equal(spec_path_at(spec, 0)->template, "/b");
    assert_string_equal(spec_path_at(spec, 1)->template, "/a");
    assert_null(spec_path_at(spec, 2));
    assert_int_equal(spec_operation_count(spec), 8);
    static const spec_method_t order[] = {SPEC_METHOD_POST,    SPEC_METHOD_GET,   SPEC_METHOD_TRACE,
                                          SPEC_METHOD_OPTIONS, SPEC_METHOD_HEAD,  SPEC_METHOD_PATCH,
                                          SPEC_METHOD_PUT,     SPEC_METHOD_DELETE};
    for (size_t i = 0; i < 8; ++i) {
        const spec_operation_t *op = spec_operation_at(spec, i);
        assert_int_equal(op->method, order[i]);
        assert_int_equal(op->index, i);
        assert_ptr_equal(op->path->by_method[op->method], op);
    }
    assert_null(spec_operation_at(spec, 8));
    const spec_path_t *b = spec_path_at(spec, 0);
    assert_int_equal(b->noperations, 2);
    assert_ptr_equal(&b->operations[1], spec_operation_at(spec, 1));
    assert_string_equal(b->operations[0].operation_id, "b-post");
    assert_int_equal(b->key->pos.line, 4);
    assert_int_equal(b->operations[1].key->pos.line, 7);
    assert_null(spec_path_at(spec, 1)->operations[1].operation_id);
    spec_destroy(spec);
}

static void test_parameter_merge(void **state)
{
    spec_t *spec =
        parse_clean(HEAD "paths:\n"
                         "  /pets/{id}:\n"
                         "    parameters:\n"
                         "      - {name: id, in: path, required: true, schema: {type: integer}}\n"
                         "      - {$ref: '#/components/parameters/Trace'}\n"
                         "      - {name: limit, in: query}\n"
                         "      - {name: q, in: query}\n"
                         "    get:\n"
                         "      parameters:\n"
                         "        - {name: x-trace-id, in: header, description: own}\n"
                         "        - {name: limit, in: query, required: true, schema: {$ref: "
                         "'#/components/schemas/Limit'}}\n"
                         "        - {name: q, in: cookie}\n"
                         "      responses: {}\n"
                         "    put: {responses: {}}\n"
                         "components:\n"
                         "  schemas:\n"
                         "    Limit: {type: integer, maximum: 50}\n"
                         "  parameters:\n"
                         "    Trace: {name: X-Trace-ID, in: header}\n");
    const spec_path_t *path = spec_path_at(spec, 0);
    assert_int_equal(path->nparams, 4);
    assert_string_equal(path->params[1].name, "X-Trace-ID");
    assert_ptr_equal(path->params[1].node, spec_component(spec, "parameters", "Trace"));
    assert_int_not_equal(path->params[1].written, path->params[1].node);
    const spec_operation_t *get = path->by_method[SPEC_METHOD_GET];
    /* id and q (query) kept from the path item; the header (case-insensitively) and limit
     * overridden; q in a cookie is another parameter */
    assert_int_equal(get->nparams, 5);
    assert_string_equal(get->params[0].name, "id");
    assert_int_equal(get->params[0].in, SPEC_PARAM_PATH);
    assert_true(get->params[0].required);
    assert_string_equal(get->params[1].name, "q");
    assert_int_equal(get->params[1].in, SPEC_PARAM_QUERY);
    assert_false(get->params[1].required);
    assert_string_equal(get->params[2].name, "x-trace-id");
    assert_int_equal(get->params[2].in, SPEC_PARAM_HEADER);
    assert_string_equal(get->params[3].name, "limit");
    assert_true(get->params[3].required);
    assert_ptr_equal(get->params[3].schema, spec_component(spec, "schemas", "Limit"));
    assert_string_equal(get->params[4].name, "q");
    assert_int_equal(get->params[4].in, SPEC_PARAM_COOKIE);
    assert_null(get->params[4].schema);
    /* without its own parameters, an operation has the path item's */
    const spec_operation_t *put = path->by_method[SPEC_METHOD_PUT];
    assert_int_equal(put->nparams, 4);
    assert_ptr_equal(put->params[0].node, path->params[0].node);
    spec_destroy(spec);
}

static void test_responses_and_body(void **state)
{
    spec_t *spec = parse_clean(HEAD "paths:\n"
                                    "  /a:\n"
                                    "    post:\n"
                                    "      operationId: create\n"
                                    "      requestBody: {$ref: '#/components/requestBodies/B'}\n"
                                    "      responses:\n"
                                    "        201: {description: created}\n"
                                    "        x-note: 1\n"
                                    "        4XX: {$ref: '#/components/responses/E'}\n"
                                    "        default: {description: other}\n"
                                    "components:\n"
                                    "  requestBodies:\n"
                                    "    B: {content: {application/json: {}}}\n"
                                    "  responses:\n"
                                    "    E: {description: client error}\n");
    const spec_operation_t *op = spec_find_operation_by_id(spec, "create");
    assert_ptr_equal(op->request_body, spec_component(spec, "requestBodies", "B"));
    assert_int_equal(op->nresponses, 3);
    assert_string_equal(op->responses[0].status, "201");
    assert_string_equal(op->responses[1].status, "4XX");
    assert_ptr_equal(op->responses[1].node, spec_component(spec, "responses", "E"));
    assert_int_equal(op->responses[1].key->pos.line, 11);
    assert_string_equal(op->responses[2].status, "default");
    spec_destroy(spec);
}

static void test_lookups(void **state)
{
    spec_t *spec = parse_clean(HEAD "paths:\n"
                                    "  /a: {get: {operationId: same, responses: {}}}\n"
                                    "  /b: {get: {operationId: same, responses: {}}, "
                                    "post: {operationId: other, responses: {}}}\n"
                                    "  /c: {get: {operationId: 42, responses: {}}}\n");
    /* a repeated operationId finds the first in document order */
    assert_ptr_equal(spec_find_operation_by_id(spec, "same"), spec_operation_at(spec, 0));
    assert_ptr_equal(spec_find_operation_by_id(spec, "other"), spec_operation_at(spec, 2));
    assert_ptr_equal(spec_find_operation_by_id(spec, "42"), spec_operation_at(spec, 3));
    assert_null(spec_find_operation_by_id(spec, "nope"));
    assert_null(spec_find_operation_by_id(spec, ""));
    assert_ptr_equal(spec_find_path(spec, "/b"), spec_path_at(spec, 1));
    assert_null(spec_find_path(spec, "/d"));
    spec_destroy(spec);
}

static void test_methods(void **state)
{
    spec_method_t m;
    assert_int_equal(spec_method_parse("PATCH", 5, &m), 0);
    assert_int_equal(m, SPEC_METHOD_PATCH);
    assert_int_equal(spec_method_parse("GETX", 3, &m), 0); /* length-delimited */
    assert_int_equal(m, SPEC_METHOD_GET);
    assert_int_equal(spec_method_parse("CONNECT", 7, &m), -1);
    assert_int_equal(spec_method_parse("get", 3, &m), -1);
    assert_string_equal(spec_method_name(SPEC_METHOD_TRACE), "TRACE");
    assert_null(spec_method_name(SPEC_METHOD_COUNT));
}

static void test_wrong_types_have_pointers(void **state)
{
    spec_t *spec = parse_spec(HEAD "paths:\n"
                                   "  /a:\n"
                                   "    get: 5\n"
                                   "    post:\n"
                                   "      parameters: {a: 1}\n"
                                   "      responses: []\n"
                                   "      requestBody: text\n"
                                   "    put:\n"
                                   "      operationId: [x]\n"
                                   "      parameters:\n"
                                   "        - name: x\n"
                                   "        - in: query\n"
                                   "        - {name: y, in: body}\n"
                                   "        - 7\n"
                                   "        - {name: [1], in: query}\n"
                                   "        - {name: z, in: query}\n"
                                   "      responses:\n"
                                   "        '200': oops\n"
                                   "  /b:\n"
                                   "    parameters: 3\n");
    static const struct {
        const char *needle, *pointer;
        uint32_t line, col;
    } cases[] = {
        {"an operation must be a mapping, not an integer", "/paths/~1a/get", 5, 10},
        {"'parameters' must be a sequence, not a mapping", "/paths/~1a/post/parameters", 7, 19},
        {"'responses' must be a mapping, not a sequence", "/paths/~1a/post/responses", 8, 18},
        {"'requestBody' must be a mapping, not a string", "/paths/~1a/post/requestBody", 9, 20},
        {"'operationId' must be a string, not a sequence", "/paths/~1a/put/operationId", 11, 20},
        {"parameter 'x' needs 'in'", "/paths/~1a/put/parameters/0", 13, 11},
        {"a parameter needs a 'name'", "/paths/~1a/put/parameters/1", 14, 11},
        {"parameter 'y' has 'in: body'", "/paths/~1a/put/parameters/2/in", 15, 25},
        {"a parameter must be a mapping, not an integer", "/paths/~1a/put/parameters/3", 16, 11},
        {"'name' must be a string, not a sequence", "/paths/~1a/put/parameters/4/name", 17, 18},
        {"a response must be a mapping, not a string", "/paths/~1a/put/responses/200", 20, 16},
        {"'parameters' must be a sequence, not an integer", "/paths/~1b/parameters", 22, 17},
    };
    size_t n;
    spec_problems(spec, &n);
    assert_int_equal(n, sizeof(cases) / sizeof(cases[0]));
    for (size_t i = 0; i < n; ++i) {
        const spec_problem_t *p = find_problem(spec, SPEC_PROBLEM_STRUCTURE, cases[i].needle);
        assert_position(&p->error, "t.yaml", cases[i].line, cases[i].col, cases[i].pointer);
    }
    /* what could be read is there */
    const spec_operation_t *put = spec_find_path(spec, "/a")->by_method[SPEC_METHOD_PUT];
    assert_int_equal(put->nparams, 1);
    assert_string_equal(put->params[0].name, "z");
    assert_int_equal(put->nresponses, 1);
    assert_null(put->responses[0].node);
    assert_null(spec_find_path(spec, "/a")->by_method[SPEC_METHOD_GET]);
    spec_destroy(spec);

    spec = parse_spec(HEAD "paths: [1]\n");
    const spec_problem_t *p = find_problem(spec, SPEC_PROBLEM_STRUCTURE, "'paths' must be");
    assert_position(&p->error, "t.yaml", 3, 8, "/paths");
    assert_int_equal(spec_path_count(spec), 0);
    spec_destroy(spec);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_document_order),
        cmocka_unit_test(test_parameter_merge),
        cmocka_unit_test(test_responses_and_body),
        cmocka_unit_test(test_lookups),
        cmocka_unit_test(test_methods),
        cmocka_unit_test(test_wrong_types_have_pointers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
