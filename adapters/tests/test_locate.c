/* Tests of schema location (locate.c): instances of a component found through arrays, nested
 * objects, maps, allOf, oneOf and recursive schemas, at every depth, in both directions. */
#include "adp_test_util.h"

/* One spec per version from a template where NAME is the Node's label member ("name" in v1,
 * "title" in v2) and PARENT the member pointing at the parent node. */
static char *spec_text(const char *tpl, const char *name, const char *parent)
{
    size_t cap = strlen(tpl) * 2 + 1;
    char *out = malloc(cap), *o = out;
    for (const char *s = tpl; *s != '\0';) {
        if (strncmp(s, "NAME", 4) == 0) {
            o += sprintf(o, "%s", name);
            s += 4;
        } else if (strncmp(s, "PARENT", 6) == 0) {
            o += sprintf(o, "%s", parent);
            s += 6;
        } else {
            *o++ = *s++;
        }
    }
    *o = '\0';
    return out;
}

static const char *TPL =
    "openapi: 3.0.3\n"
    "info: {title: t, version: '1'}\n"
    "paths:\n"
    "  /tree:\n"
    "    get:\n"
    "      operationId: getTree\n"
    "      responses:\n"
    "        '200': {description: ok, content: {application/json: {schema: {$ref: "
    "'#/components/schemas/Node'}}}}\n"
    "    put:\n"
    "      operationId: putTree\n"
    "      requestBody: {content: {application/json: {schema: {$ref: "
    "'#/components/schemas/Node'}}}}\n"
    "      responses: {'204': {description: ok}}\n"
    "  /index:\n"
    "    get:\n"
    "      operationId: getIndex\n"
    "      responses:\n"
    "        '200':\n"
    "          description: ok\n"
    "          content:\n"
    "            application/json:\n"
    "              schema: {type: object, additionalProperties: {$ref: "
    "'#/components/schemas/Node'}}\n"
    "  /mixed:\n"
    "    get:\n"
    "      operationId: getMixed\n"
    "      responses:\n"
    "        '200':\n"
    "          description: ok\n"
    "          content:\n"
    "            application/json:\n"
    "              schema:\n"
    "                type: array\n"
    "                items:\n"
    "                  oneOf:\n"
    "                    - {$ref: '#/components/schemas/Leaf'}\n"
    "                    - {$ref: '#/components/schemas/Other'}\n"
    "  /plain:\n"
    "    get:\n"
    "      operationId: getPlain\n"
    "      responses:\n"
    "        '200': {description: ok, content: {application/json: {schema: {type: object, "
    "properties: {n: {type: integer}}}}}}\n"
    "components:\n"
    "  schemas:\n"
    "    Node:\n"
    "      type: object\n"
    "      required: [NAME]\n"
    "      properties:\n"
    "        NAME: {type: string}\n"
    "        children: {type: array, items: {$ref: '#/components/schemas/Node'}}\n"
    "        PARENT: {$ref: '#/components/schemas/Node'}\n"
    "        leaf: {$ref: '#/components/schemas/Leaf'}\n"
    "    Leaf:\n"
    "      allOf:\n"
    "        - {$ref: '#/components/schemas/Base'}\n"
    "        - type: object\n"
    "          properties: {size: {type: integer}}\n"
    "    Base:\n"
    "      type: object\n"
    "      required: [NAME]\n"
    "      properties:\n"
    "        NAME: {type: string}\n"
    "    Other:\n"
    "      type: object\n"
    "      properties: {kind: {type: string}}\n";

static spec_t *s1, *s2;
static adp_version_info_t vs[2];

static int setup(void **state)
{
    char *a = spec_text(TPL, "name", "parent"), *b = spec_text(TPL, "title", "mother");
    s1 = parse_spec_named("t1.yaml", a);
    s2 = parse_spec_named("t2.yaml", b);
    free(a);
    free(b);
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

static const char *ADAPTER = "api: t\n"
                             "changes:\n"
                             "  - to: v2\n"
                             "    schemas:\n"
                             "      Node:\n"
                             "        - rename: {old: name, new: title}\n"
                             "        - rename: {old: parent, new: mother}\n"
                             "      Base:\n"
                             "        - rename: {old: name, new: title}\n";

static void test_recursive(void **state)
{
    adp_registry_t *reg = load_reg(ADAPTER, vs, 2);
    const adp_plan_t *p = adp_plan_find(reg, 0, "getTree", NULL, NULL);
    size_t m;
    /* every depth of the tree, through children and through the renamed parent link */
    assert_json(
        downgrade_body(
            p, 200,
            "{\"title\":\"root\",\"children\":[{\"title\":\"a\",\"children\":[{\"title\":\"a1\"}]},"
            "{\"title\":\"b\",\"mother\":{\"title\":\"m\",\"mother\":{\"title\":\"gm\"}}}]}",
            &m, NULL),
        "{\"name\":\"root\",\"children\":[{\"name\":\"a\",\"children\":[{\"name\":\"a1\"}]},"
        "{\"name\":\"b\",\"parent\":{\"name\":\"m\",\"parent\":{\"name\":\"gm\"}}}]}");
    assert_int_equal(m, 0);
    const adp_plan_t *u = adp_plan_find(reg, 0, "putTree", NULL, NULL);
    assert_true(adp_plan_request_needs_body(u));
    assert_json(
        upgrade_body(u,
                     "{\"name\":\"r\",\"parent\":{\"name\":\"p\",\"parent\":{\"name\":\"gp\"}},"
                     "\"children\":[{\"name\":\"c\"}]}",
                     &m, NULL),
        "{\"title\":\"r\",\"mother\":{\"title\":\"p\",\"mother\":{\"title\":\"gp\"}},"
        "\"children\":[{\"title\":\"c\"}]}");
    assert_int_equal(m, 0);
    /* a deep tree is walked without recursion limits of the schema itself */
    json_t *deep = json_object(), *cur = deep;
    for (int i = 0; i < 200; ++i) {
        json_t *child = json_object();
        json_object_set_new(cur, "title", json_integer(i));
        json_object_set_new(cur, "children", json_pack("[o]", child));
        cur = child;
    }
    json_object_set_new(cur, "title", json_string("bottom"));
    char *text = json_dumps(deep, JSON_COMPACT);
    json_t *out = downgrade_body(p, 200, text, &m, NULL);
    free(text);
    json_decref(deep);
    json_t *at = out;
    for (int i = 0; i < 200; ++i)
        at = json_array_get(json_object_get(at, "children"), 0);
    assert_string_equal(json_string_value(json_object_get(at, "name")), "bottom");
    json_decref(out);
    adp_registry_destroy(reg);
}

static void test_maps_and_allof(void **state)
{
    adp_registry_t *reg = load_reg(ADAPTER, vs, 2);
    const adp_plan_t *p = adp_plan_find(reg, 0, "getIndex", NULL, NULL);
    size_t m;
    /* map values are Nodes; a Node's leaf is a Leaf, which is a Base through allOf */
    assert_json(
        downgrade_body(p, 200,
                       "{\"x\":{\"title\":\"x\",\"leaf\":{\"title\":\"l\",\"size\":1}},\"y\":{"
                       "\"title\":\"y\"}}",
                       &m, NULL),
        "{\"x\":{\"name\":\"x\",\"leaf\":{\"name\":\"l\",\"size\":1}},\"y\":{\"name\":\"y\"}}");
    assert_int_equal(m, 0);
    adp_registry_destroy(reg);
}

static void test_oneof_is_tentative(void **state)
{
    adp_registry_t *reg = load_reg(ADAPTER, vs, 2);
    const adp_plan_t *p = adp_plan_find(reg, 0, "getMixed", NULL, NULL);
    size_t m;
    /* items may be Leaf (a Base) or Other: Base's step applies where it can, and an item of the
     * other branch is not a mismatch */
    assert_json(downgrade_body(p, 200, "[{\"title\":\"l\",\"size\":2},{\"kind\":\"o\"}]", &m, NULL),
                "[{\"name\":\"l\",\"size\":2},{\"kind\":\"o\"}]");
    assert_int_equal(m, 0);
    adp_registry_destroy(reg);
}

static void test_untouched_bodies(void **state)
{
    adp_registry_t *reg = load_reg(ADAPTER, vs, 2);
    /* no Node or Base can occur in getPlain's body: nothing to buffer, the fallback plan serves */
    const adp_plan_t *p = adp_plan_find(reg, 0, "getPlain", NULL, NULL);
    assert_string_equal(adp_plan_operation(p), "*");
    assert_false(adp_plan_response_needs_body(p, 200));
    assert_false(adp_plan_request_needs_body(p));
    adp_registry_destroy(reg);
}

static void test_state_limit(void **state)
{
    adp_registry_t *reg;
    spec_error_t err;
    adp_load_options_t opts = {.max_states = 2};
    assert_int_equal(
        adp_registry_parse(&reg, "a.yaml", ADAPTER, strlen(ADAPTER), vs, 2, &opts, &err), -1);
    assert_string_equal(err.file, "t1.yaml");
    assert_string_equal(
        err.message,
        "locating schemas of the change to v2 here needs more than 2 automaton states");
}

static void test_openapi_31(void **state)
{
    /* 3.1: a $ref with siblings applies both; type arrays allow null */
    const char *tpl = "openapi: 3.1.0\n"
                      "info: {title: t, version: '1'}\n"
                      "paths:\n"
                      "  /x:\n"
                      "    get:\n"
                      "      operationId: getX\n"
                      "      responses:\n"
                      "        '200':\n"
                      "          description: ok\n"
                      "          content:\n"
                      "            application/json:\n"
                      "              schema:\n"
                      "                $ref: '#/components/schemas/Wrapper'\n"
                      "                description: sibling of a reference\n"
                      "components:\n"
                      "  schemas:\n"
                      "    Wrapper:\n"
                      "      type: object\n"
                      "      properties:\n"
                      "        item: {type: [object, 'null'], $ref: '#/components/schemas/Item'}\n"
                      "    Item:\n"
                      "      type: object\n"
                      "      properties: {NAME: {type: string}}\n";
    char *a = spec_text(tpl, "name", ""), *b = spec_text(tpl, "title", "");
    spec_t *x1 = parse_spec_named("x1.yaml", a), *x2 = parse_spec_named("x2.yaml", b);
    free(a);
    free(b);
    adp_version_info_t v[2] = {{"v1", x1, 0}, {"v2", x2, 1}};
    adp_registry_t *reg = load_reg("api: t\nchanges:\n  - to: v2\n    schemas:\n      Item:\n"
                                   "        - rename: {old: name, new: title}\n",
                                   v, 2);
    const adp_plan_t *p = adp_plan_find(reg, 0, "getX", NULL, NULL);
    assert_json(downgrade_body(p, 200, "{\"item\":{\"title\":\"t\"}}", NULL, NULL),
                "{\"item\":{\"name\":\"t\"}}");
    assert_json(downgrade_body(p, 200, "{\"item\":null}", NULL, NULL), "{\"item\":null}");
    adp_registry_destroy(reg);
    spec_destroy(x1);
    spec_destroy(x2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_recursive),          cmocka_unit_test(test_maps_and_allof),
        cmocka_unit_test(test_oneof_is_tentative), cmocka_unit_test(test_untouched_bodies),
        cmocka_unit_test(test_state_limit),        cmocka_unit_test(test_openapi_31),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
