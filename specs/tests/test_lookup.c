/* Tests for specs/lookup.c: components and fragments, responses by status, media type choice,
 * and the schema helpers through $ref and allOf (3.0 and 3.1 semantics, bounded on cycles). */
#include "spec_test_util.h"

#define HEAD30 "openapi: 3.0.3\ninfo: {title: t, version: '1'}\n"
#define HEAD31 "openapi: 3.1.0\ninfo: {title: t, version: '1'}\n"

static void test_components_and_fragments(void **state)
{
    spec_t *spec = parse_clean(HEAD30 "paths: {}\ncomponents:\n  schemas:\n"
                                      "    Pet: {type: object}\n"
                                      "    Alias: {$ref: '#/components/schemas/Pet'}\n"
                                      "    a/b c: {type: string}\n");
    const spec_node_t *pet = spec_component(spec, "schemas", "Pet");
    assert_true(spec_node_is(spec_node_get(pet, "type"), "object"));
    assert_ptr_equal(spec_component(spec, "schemas", "Alias"), pet);
    assert_null(spec_component(spec, "schemas", "Nope"));
    assert_null(spec_component(spec, "responses", "Pet"));
    assert_ptr_equal(spec_lookup(spec, "#/components/schemas/Pet"), pet);
    assert_ptr_equal(spec_lookup(spec, "#/components/schemas/Alias"), pet);
    assert_ptr_equal(spec_lookup(spec, "#/components/schemas/a~1b%20c"),
                     spec_component(spec, "schemas", "a/b c"));
    assert_ptr_equal(spec_lookup(spec, "#"), spec_root(spec));
    assert_null(spec_lookup(spec, "/components/schemas/Pet")); /* a fragment starts with '#' */
    assert_null(spec_lookup(spec, "#/components/schemas/%zz"));
    assert_null(spec_lookup(spec, NULL));
    spec_destroy(spec);
}

static const char *responses_yaml =
    HEAD30 "paths:\n"
           "  /a:\n"
           "    get:\n"
           "      responses:\n"
           "        '200': {description: ok, content: {application/json: {schema: {title: ok}}}}\n"
           "        '404': {description: nf}\n"
           "        4XX: {description: client}\n"
           "        5xx: {description: server}\n"
           "        default:\n"
           "          description: other\n"
           "          content:\n"
           "            application/problem+json: {schema: {title: problem}}\n"
           "            text/*: {schema: {title: text}}\n"
           "            '*/*': {schema: {title: any}}\n"
           "    post:\n"
           "      requestBody:\n"
           "        content:\n"
           "          'application/json; charset=utf-8': {schema: {$ref: "
           "'#/components/schemas/In'}}\n"
           "          application/xml: {schema: {title: xml}}\n"
           "      responses:\n"
           "        '201': {description: created}\n"
           "components:\n"
           "  schemas:\n"
           "    In: {title: in}\n";

static const char *title(const spec_node_t *schema)
{
    return spec_node_str(spec_node_get(schema, "title"));
}

static void test_response_by_status(void **state)
{
    spec_t *spec = parse_clean(responses_yaml);
    const spec_operation_t *get = spec_operation_at(spec, 0);
    assert_string_equal(spec_operation_response(get, 200)->status, "200");
    assert_string_equal(spec_operation_response(get, 404)->status, "404");
    assert_string_equal(spec_operation_response(get, 400)->status, "4XX");
    assert_string_equal(spec_operation_response(get, 503)->status, "5xx");
    assert_string_equal(spec_operation_response(get, 302)->status, "default");
    assert_null(spec_operation_response(get, 99));
    assert_null(spec_operation_response(get, 600));
    const spec_operation_t *post = spec_operation_at(spec, 1);
    assert_null(spec_operation_response(post, 200));
    assert_string_equal(title(spec_response_schema(spec, get, 200, "application/json")), "ok");
    assert_string_equal(title(spec_response_schema(spec, get, 200, NULL)), "ok");
    assert_null(spec_response_schema(spec, get, 404, "application/json")); /* no content */
    assert_null(spec_response_schema(spec, post, 500, NULL));
    spec_destroy(spec);
}

static void test_media_type_choice(void **state)
{
    spec_t *spec = parse_clean(responses_yaml);
    const spec_operation_t *get = spec_operation_at(spec, 0);
    /* default's content: problem+json, text/ wildcard, any */
    assert_string_equal(title(spec_response_schema(spec, get, 302, "application/json")), "problem");
    assert_string_equal(title(spec_response_schema(spec, get, 302, "Application/Problem+JSON")),
                        "problem");
    assert_string_equal(title(spec_response_schema(spec, get, 302, "text/csv; header=present")),
                        "text");
    assert_string_equal(title(spec_response_schema(spec, get, 302, "image/png")), "any");
    assert_null(spec_response_schema(spec, get, 302, "nonsense"));
    const spec_operation_t *post = spec_operation_at(spec, 1);
    /* parameters in the content key are ignored, and the schema is dereferenced */
    assert_string_equal(title(spec_request_schema(spec, post, "application/json")), "in");
    assert_string_equal(title(spec_request_schema(spec, post, "application/xml")), "xml");
    assert_null(spec_request_schema(spec, post, "text/plain"));
    assert_null(spec_request_schema(spec, get, "application/json")); /* no body */
    const spec_node_t *content = spec_node_get(post->request_body, "content");
    const spec_node_t *media = spec_content_media(spec, content, "application/json");
    assert_ptr_equal(media, spec_node_get(content, "application/json; charset=utf-8"));
    assert_null(spec_content_media(spec, NULL, "application/json"));
    spec_destroy(spec);
}

static const char *schemas_yaml =
    "paths: {}\n"
    "components:\n"
    "  schemas:\n"
    "    Base:\n"
    "      properties:\n"
    "        id: {type: integer}\n"
    "        kind: {$ref: '#/components/schemas/Kind'}\n"
    "    Kind: {type: string}\n"
    "    Pet:\n"
    "      allOf:\n"
    "        - $ref: '#/components/schemas/Base'\n"
    "        - properties:\n"
    "            name: {type: string}\n"
    "      properties:\n"
    "        tag: {type: string}\n"
    "    PetRef:\n"
    "      $ref: '#/components/schemas/Pet'\n"
    "      properties:\n"
    "        extra: {type: boolean}\n"
    "    Pets: {type: array, items: {$ref: '#/components/schemas/Pet'}}\n"
    "    PetsWrapped: {allOf: [{$ref: '#/components/schemas/Pets'}]}\n"
    "    Loop: {allOf: [{$ref: '#/components/schemas/Loop2'}, "
    "{$ref: '#/components/schemas/Loop2'}]}\n"
    "    Loop2: {allOf: [{$ref: '#/components/schemas/Loop'}, "
    "{$ref: '#/components/schemas/Loop'}]}\n";

typedef struct {
    char names[512];
    size_t n;
} collected_t;

static int collect(void *ctx, const char *name, const spec_node_t *key, const spec_node_t *schema)
{
    collected_t *c = ctx;
    assert_non_null(key);
    assert_non_null(schema);
    size_t len = strlen(c->names);
    snprintf(c->names + len, sizeof(c->names) - len, "%s%s", len ? "," : "", name);
    return ++c->n == 100 ? 7 : 0;
}

static int stop_at_first(void *ctx, const char *name, const spec_node_t *key,
                         const spec_node_t *schema)
{
    return 42;
}

static void test_schema_helpers_30(void **state)
{
    char yaml[4096];
    snprintf(yaml, sizeof(yaml), "%s%s", HEAD30, schemas_yaml);
    spec_t *spec = parse_clean(yaml);
    const spec_node_t *pet = spec_component(spec, "schemas", "Pet");
    assert_ptr_equal(spec_schema_property(spec, pet, "kind"),
                     spec_component(spec, "schemas", "Kind"));
    assert_true(
        spec_node_is(spec_node_get(spec_schema_property(spec, pet, "name"), "type"), "string"));
    assert_null(spec_schema_property(spec, pet, "nope"));
    assert_null(spec_schema_property(spec, NULL, "id"));
    collected_t c = {{0}, 0};
    assert_int_equal(spec_schema_each_property(spec, pet, collect, &c), 0);
    assert_string_equal(c.names, "tag,id,kind,name"); /* own first, then allOf members */
    assert_int_equal(spec_schema_each_property(spec, pet, stop_at_first, NULL), 42);
    /* 3.0: siblings of $ref are ignored */
    const spec_node_t *written =
        spec_pointer_get(spec_root(spec), "/components/schemas/PetRef", 26);
    assert_null(spec_schema_property(spec, written, "extra"));
    assert_non_null(spec_schema_property(spec, written, "tag"));
    /* items, also through allOf */
    assert_ptr_equal(spec_schema_items(spec, spec_component(spec, "schemas", "Pets")), pet);
    assert_ptr_equal(spec_schema_items(spec, spec_component(spec, "schemas", "PetsWrapped")), pet);
    assert_null(spec_schema_items(spec, pet));
    /* an allOf cycle with fan-out ends on the bounds */
    const spec_node_t *loop = spec_component(spec, "schemas", "Loop");
    assert_null(spec_schema_property(spec, loop, "x"));
    c.n = 0;
    assert_int_equal(spec_schema_each_property(spec, loop, collect, &c), 0);
    assert_int_equal(c.n, 0);
    spec_destroy(spec);
}

static void test_schema_helpers_31(void **state)
{
    char yaml[4096];
    snprintf(yaml, sizeof(yaml), "%s%s", HEAD31, schemas_yaml);
    spec_t *spec = parse_clean(yaml);
    /* 3.1: a $ref applies alongside its siblings */
    const spec_node_t *written =
        spec_pointer_get(spec_root(spec), "/components/schemas/PetRef", 26);
    assert_true(spec_node_is(spec_node_get(spec_schema_property(spec, written, "extra"), "type"),
                             "boolean"));
    assert_non_null(spec_schema_property(spec, written, "id"));
    collected_t c = {{0}, 0};
    spec_schema_each_property(spec, written, collect, &c);
    assert_string_equal(c.names, "extra,tag,id,kind,name");
    spec_destroy(spec);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_components_and_fragments), cmocka_unit_test(test_response_by_status),
        cmocka_unit_test(test_media_type_choice),        cmocka_unit_test(test_schema_helpers_30),
        cmocka_unit_test(test_schema_helpers_31),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
