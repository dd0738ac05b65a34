/* A three-version chain, v1 <- v2 <- v3, where only v3 has an upstream and v2 has no spec: v1
 * and v2 clients get their own shapes, v1's downgraded responses validate against v1's spec and
 * upgraded requests against v3's (specs/schema.h). Also several threads sharing one registry. */
#include <pthread.h>
#include "adp_test_util.h"
#include "schema.h"

static const char *V1 =
    "openapi: 3.0.3\n"
    "info: {title: crm, version: '1'}\n"
    "paths:\n"
    "  /customers:\n"
    "    get:\n"
    "      operationId: listCustomers\n"
    "      parameters: [{name: page, in: query, schema: {type: integer}}]\n"
    "      responses:\n"
    "        '200':\n"
    "          description: ok\n"
    "          content: {application/json: {schema: {type: array, items: {$ref: "
    "'#/components/schemas/Customer'}}}}\n"
    "    post:\n"
    "      operationId: createCustomer\n"
    "      requestBody: {content: {application/json: {schema: {$ref: "
    "'#/components/schemas/Customer'}}}}\n"
    "      responses:\n"
    "        '201': {description: ok, content: {application/json: {schema: {$ref: "
    "'#/components/schemas/Customer'}}}}\n"
    "  /accounts/{id}:\n"
    "    get:\n"
    "      operationId: getAccount\n"
    "      parameters: [{name: id, in: path, required: true, schema: {type: string}}]\n"
    "      responses:\n"
    "        '200': {description: ok, content: {application/json: {schema: {$ref: "
    "'#/components/schemas/Customer'}}}}\n"
    "components:\n"
    "  schemas:\n"
    "    Customer:\n"
    "      type: object\n"
    "      additionalProperties: false\n"
    "      required: [full_name, active]\n"
    "      properties:\n"
    "        id: {type: string, readOnly: true}\n"
    "        full_name: {type: string}\n"
    "        address_line: {type: string}\n"
    "        plan_id: {type: string}\n"
    "        active: {type: boolean}\n";

static const char *V3 =
    "openapi: 3.0.3\n"
    "info: {title: crm, version: '3'}\n"
    "paths:\n"
    "  /customers:\n"
    "    get:\n"
    "      operationId: listCustomers\n"
    "      parameters: [{name: cursor, in: query, schema: {type: string}}]\n"
    "      responses:\n"
    "        '200':\n"
    "          description: ok\n"
    "          headers: {X-Page-Count: {schema: {type: integer}}}\n"
    "          content:\n"
    "            application/json:\n"
    "              schema:\n"
    "                type: object\n"
    "                required: [data, has_more]\n"
    "                properties:\n"
    "                  data: {type: array, items: {$ref: '#/components/schemas/Customer'}}\n"
    "                  has_more: {type: boolean}\n"
    "    post:\n"
    "      operationId: createCustomer\n"
    "      requestBody: {content: {application/json: {schema: {$ref: "
    "'#/components/schemas/Customer'}}}}\n"
    "      responses:\n"
    "        '201': {description: ok, content: {application/json: {schema: {$ref: "
    "'#/components/schemas/Customer'}}}}\n"
    "  /profiles/{id}:\n"
    "    get:\n"
    "      operationId: getAccount\n"
    "      parameters: [{name: id, in: path, required: true, schema: {type: string}}]\n"
    "      responses:\n"
    "        '200': {description: ok, content: {application/json: {schema: {$ref: "
    "'#/components/schemas/Customer'}}}}\n"
    "components:\n"
    "  schemas:\n"
    "    Customer:\n"
    "      type: object\n"
    "      additionalProperties: false\n"
    "      required: [name, status]\n"
    "      properties:\n"
    "        id: {type: string, readOnly: true}\n"
    "        name: {type: string}\n"
    "        address:\n"
    "          type: object\n"
    "          properties: {line1: {type: string}, city: {type: string}}\n"
    "        plan:\n"
    "          type: object\n"
    "          required: [id]\n"
    "          properties: {id: {type: string}, name: {type: string}}\n"
    "        status: {type: string, enum: [enabled, disabled]}\n";

/* v2 has no spec: the change to v2 is located through v1's schemas and only checked against
 * v1's; the change to v3 uses operation-scoped steps. */
static const char *ADAPTER =
    "api: crm\n"
    "changes:\n"
    "  - to: v3\n"
    "    description: lists in an envelope; accounts became profiles; cursors\n"
    "    operations:\n"
    "      listCustomers:\n"
    "        query:\n"
    "          - rename: {old: page, new: cursor}\n"
    "        response:\n"
    "          - unwrap: {field: data, defaults: {has_more: false}}\n"
    "      getAccount:\n"
    "        path: {old: '/accounts/{id}', new: '/profiles/{id}'}\n"
    "    headers:\n"
    "      - rename: {old: X-Pages, new: X-Page-Count}\n"
    "  - to: v2\n"
    "    description: names, nested addresses, plans expanded, status instead of active\n"
    "    schemas:\n"
    "      Customer:\n"
    "        - rename: {old: full_name, new: name}\n"
    "        - move: {old: address_line, new: address.line1}\n"
    "        - added: {field: address.city}\n"
    "        - collapse: {old: plan_id, new: plan}\n"
    "        - convert: {field: active, old: boolean, new: enum, mapping: {true: enabled, false: "
    "disabled}}\n"
    "        - rename: {old: active, new: status}\n";

static spec_t *s1, *s3;
static adp_registry_t *reg;

static int setup(void **state)
{
    s1 = parse_spec_named("v1.yaml", V1);
    s3 = parse_spec_named("v3.yaml", V3);
    adp_version_info_t vs[3] = {{"v1", s1, 0}, {"v2", NULL, 0}, {"v3", s3, 1}};
    reg = load_reg(ADAPTER, vs, 3);
    return 0;
}

static int teardown(void **state)
{
    adp_registry_destroy(reg);
    spec_destroy(s1);
    spec_destroy(s3);
    return 0;
}

static void validate(const spec_t *spec, const spec_node_t *schema, const json_t *v,
                     spec_validate_direction_t dir)
{
    assert_non_null(schema);
    spec_validator_t *val = spec_validator_create(spec);
    spec_validation_t out;
    spec_validation_init(&out);
    spec_validate_options_t opts = {dir, 8};
    /* the validator takes body-model values: the test's jansson value through its text */
    char *text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    body_arena_t arena;
    body_arena_init(&arena);
    body_mem_t mem = body_arena_mem(&arena);
    body_value_t *inst = body_parse(&mem, text, strlen(text), 0, NULL);
    assert_non_null(inst);
    size_t n = spec_validate(val, schema, inst, &opts, &out);
    body_arena_dispose(&arena);
    free(text);
    for (size_t i = 0; i < n; ++i)
        print_message("# %s: %s\n", out.errors[i].instance_path, out.errors[i].message);
    spec_validation_dispose(&out);
    spec_validator_destroy(val);
    assert_int_equal(n, 0);
}

static const char *UPSTREAM_LIST =
    "{\"data\":[{\"id\":\"c1\",\"name\":\"Ann\",\"address\":{\"line1\":\"1 Main "
    "St\",\"city\":\"Oslo\"},"
    "\"plan\":{\"id\":\"gold\",\"name\":\"Gold\"},\"status\":\"enabled\"},"
    "{\"id\":\"c2\",\"name\":\"Bob\",\"status\":\"disabled\"}],\"has_more\":true}";

static void test_v1_list(void **state)
{
    const adp_plan_t *p = adp_plan_find(reg, 0, "listCustomers", NULL, NULL);
    assert_int_equal(adp_plan_hops(p), 2);
    adp_request_t req;
    adp_request_init(&req);
    req.path = "/customers";
    req.path_len = 10;
    req.query = "page=2";
    req.query_len = 6;
    adp_fields_push(&req.headers, "X-Pages", 7, "1", 1);
    assert_int_equal(adp_request_upgrade(p, &req), ADP_OK);
    assert_string_equal(req.upstream_query, "cursor=2");
    assert_null(req.upstream_path);
    assert_string_equal(req.headers.entries[0].name, "X-Page-Count");
    adp_request_dispose(&req);

    adp_response_t res;
    adp_response_init(&res);
    res.status = 200;
    adp_fields_push(&res.headers, "X-Page-Count", 12, "4", 1);
    res.body = UPSTREAM_LIST;
    res.body_len = strlen(UPSTREAM_LIST);
    adp_response_downgrade(p, &res);
    /* c2 lacks address.city, address.line1 and plan; without a v2 spec nothing says they are
     * optional, so each counts */
    assert_int_equal(res.mismatches, 3);
    assert_string_equal(res.first_mismatch.pointer,
                        "/1/plan"); /* the steps are undone last first */
    assert_string_equal(res.headers.entries[0].name, "X-Pages");
    json_t *out = js_bytes(res.body, res.body_len);
    adp_response_dispose(&res);
    assert_json(
        json_incref(out),
        "[{\"id\":\"c1\",\"full_name\":\"Ann\",\"address_line\":\"1 Main St\",\"plan_id\":\"gold\","
        "\"active\":true},{\"id\":\"c2\",\"full_name\":\"Bob\",\"active\":false}]");
    validate(s1,
             spec_response_schema(s1, spec_find_operation_by_id(s1, "listCustomers"), 200, NULL),
             out, SPEC_VALIDATE_RESPONSE);
    json_decref(out);
}

static void test_v2_list(void **state)
{
    /* v2 has no spec: its plans are found by path and it only sees the change to v3 */
    const adp_plan_t *p = adp_plan_match(reg, 1, "GET", "/customers", 10);
    assert_string_equal(adp_plan_operation(p), "listCustomers");
    assert_int_equal(adp_plan_hops(p), 1);
    size_t m;
    json_t *out = downgrade_body(p, 200, UPSTREAM_LIST, &m, NULL);
    assert_int_equal(m, 0);
    assert_int_equal(json_array_size(out), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(out, 1), "status")),
                        "disabled");
    json_decref(out);
}

static void test_v1_create(void **state)
{
    const adp_plan_t *p = adp_plan_find(reg, 0, "createCustomer", NULL, NULL);
    adp_request_t req;
    adp_request_init(&req);
    req.path = "/customers";
    req.path_len = 10;
    req.body = "{\"full_name\":\"Cy\",\"address_line\":\"2 Side Rd\",\"plan_id\":\"free\","
               "\"active\":false}";
    req.body_len = strlen(req.body);
    assert_int_equal(adp_request_upgrade(p, &req), ADP_OK);
    assert_int_equal(req.mismatches, 0);
    json_t *up = js_bytes(req.body, req.body_len);
    adp_request_dispose(&req);
    assert_json(json_incref(up), "{\"name\":\"Cy\",\"address\":{\"line1\":\"2 Side Rd\"},"
                                 "\"plan\":{\"id\":\"free\"},\"status\":\"disabled\"}");
    validate(s3, spec_request_schema(s3, spec_find_operation_by_id(s3, "createCustomer"), NULL), up,
             SPEC_VALIDATE_REQUEST);
    json_decref(up);

    size_t m;
    json_t *out = downgrade_body(
        p, 201,
        "{\"id\":\"c3\",\"name\":\"Cy\",\"plan\":{\"id\":\"free\",\"name\":\"Free\"},"
        "\"status\":\"disabled\"}",
        &m, NULL);
    assert_int_equal(m, 2); /* no address: address.city and address.line1 count */
    assert_json(json_incref(out),
                "{\"id\":\"c3\",\"full_name\":\"Cy\",\"plan_id\":\"free\",\"active\":false}");
    validate(s1,
             spec_response_schema(s1, spec_find_operation_by_id(s1, "createCustomer"), 201, NULL),
             out, SPEC_VALIDATE_RESPONSE);
    json_decref(out);
}

static void test_v1_path(void **state)
{
    const adp_plan_t *p = adp_plan_find(reg, 0, NULL, "GET", "/accounts/{id}");
    assert_string_equal(adp_plan_operation(p), "getAccount");
    adp_request_t req;
    adp_request_init(&req);
    req.path = "/accounts/c1";
    req.path_len = 12;
    assert_int_equal(adp_request_upgrade(p, &req), ADP_OK);
    assert_string_equal(req.upstream_path, "/profiles/c1");
    adp_request_dispose(&req);
    /* v2 knows the operation by its v1 path too: the rewrite is in the change to v3 */
    assert_string_equal(adp_plan_operation(adp_plan_match(reg, 1, "GET", "/accounts/c1", 12)),
                        "getAccount");
}

typedef struct {
    const adp_plan_t *plan;
    int rounds;
    size_t per_call;
    int ok;
} worker_t;

static const char *THREAD_BODY = "{\"data\":[{\"name\":\"A\",\"status\":\"enabled\"},{\"x\":1}]}";

static void *work(void *arg)
{
    worker_t *w = arg;
    w->ok = 1;
    for (int i = 0; i < w->rounds; ++i) {
        adp_response_t res;
        adp_response_init(&res);
        res.status = 200;
        res.body = THREAD_BODY;
        res.body_len = strlen(THREAD_BODY);
        adp_response_downgrade(w->plan, &res); /* in the exchange's own arena */
        json_t *out = res.body != NULL ? json_loadb(res.body, res.body_len, 0, NULL) : NULL;
        w->ok &= res.mismatches == w->per_call &&
                 json_is_true(json_object_get(json_array_get(out, 0), "active"));
        json_decref(out);
        adp_response_dispose(&res);
    }
    return NULL;
}

static void test_threads(void **state)
{
    const adp_plan_t *p = adp_plan_find(reg, 0, "listCustomers", NULL, NULL);
    size_t per_call;
    json_decref(downgrade_body(p, 200, THREAD_BODY, &per_call, NULL));
    assert_true(per_call > 0);
    uint64_t before = adp_plan_mismatch_count(p, ADP_DOWNGRADE);
    pthread_t t[4];
    worker_t w[4];
    for (int i = 0; i < 4; ++i) {
        w[i] = (worker_t){p, 500, per_call, 0};
        assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
    }
    for (int i = 0; i < 4; ++i) {
        pthread_join(t[i], NULL);
        assert_true(w[i].ok);
    }
    assert_int_equal(adp_plan_mismatch_count(p, ADP_DOWNGRADE) - before, 4 * 500 * per_call);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_v1_list),   cmocka_unit_test(test_v2_list),
        cmocka_unit_test(test_v1_create), cmocka_unit_test(test_v1_path),
        cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
