/* oas3-schema: descriptors of every OpenAPI 3.0 and 3.1 object (fixed fields, their types, which
 * are required, allowed values, which version has them) and the constraints across fields that
 * the official JSON schemas (schemas/v3.0, schemas/v3.1) express with oneOf/if/not. */
#include <string.h>
#include <strings.h>
#include "../lint_internal.h"

/* Field constructors, to keep the tables one line per field. */
/* clang-format off */
#define STR(n, fl) {n, LK_STRING, LT_NONE, fl, NULL}
#define ENUM(n, vals, fl) {n, LK_STRING, LT_NONE, fl, vals}
#define BOOL(n, fl) {n, LK_BOOL, LT_NONE, fl, NULL}
#define NUM(n, fl) {n, LK_NUMBER, LT_NONE, fl, NULL}
#define COUNT(n, fl) {n, LK_COUNT, LT_NONE, fl, NULL}
#define ANY(n, fl) {n, LK_ANY, LT_NONE, fl, NULL}
#define OBJ(n, t, fl) {n, LK_OBJECT, t, fl, NULL}
#define MAP(n, t, fl) {n, LK_MAP, t, fl, NULL}
#define ARR(n, t, fl) {n, LK_ARRAY, t, fl, NULL}
#define STRS(n, fl) {n, LK_STRINGS, LT_NONE, fl, NULL}
#define STRMAP(n, fl) {n, LK_STRING_MAP, LT_NONE, fl, NULL}
#define MAPPING(n, fl) {n, LK_MAPPING, LT_NONE, fl, NULL}
#define SEQ(n, fl) {n, LK_SEQUENCE, LT_NONE, fl, NULL}
#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))
/* clang-format on */

/* ---- Helpers for the checks ---- */

static const spec_pair_t *pair_of(const spec_node_t *map, const char *key)
{
    for (size_t i = 0; i < map->u.map.len; ++i)
        if (strcmp(map->u.map.items[i].key->u.scalar.str, key) == 0)
            return &map->u.map.items[i];
    return NULL;
}

static void exclusive(lint__walk_t *w, const spec_node_t *node, const char *a, const char *b)
{
    const spec_pair_t *pb = pair_of(node, b);
    if (pair_of(node, a) != NULL && pb != NULL)
        lint__schema_error(w, pb->key, b, "\"%s\" and \"%s\" are mutually exclusive", a, b);
}

/* Exactly one of `schema` and `content`, and `content` with a single media type (Parameter and
 * Header Objects). */
static void schema_xor_content(lint__walk_t *w, const spec_node_t *node, const char *what)
{
    const spec_pair_t *schema = pair_of(node, "schema"), *content = pair_of(node, "content");
    if (schema == NULL && content == NULL)
        lint__schema_error(w, node, NULL, "%s must have either \"schema\" or \"content\"", what);
    else if (schema != NULL && content != NULL)
        lint__schema_error(w, content->key, "content",
                           "%s must not have both \"schema\" and \"content\"", what);
    if (content != NULL && content->value->kind == SPEC_NODE_MAPPING &&
        content->value->u.map.len != 1)
        lint__schema_error(w, content->value, "content",
                           "\"content\" must have exactly one media type, not %zu",
                           content->value->u.map.len);
}

static void not_here(lint__walk_t *w, const spec_pair_t *p, const char *why)
{
    lint__schema_error(w, p->key, p->key->u.scalar.str,
                       "Property \"%s\" is not expected to be here%s", p->key->u.scalar.str, why);
}

/* ---- Cross-field constraints ---- */

static void check_openapi(lint__walk_t *w, const spec_node_t *node)
{
    /* 3.1 §4.8.1: at least one of paths, components or webhooks */
    if (w->ctx->v31 && pair_of(node, "paths") == NULL && pair_of(node, "components") == NULL &&
        pair_of(node, "webhooks") == NULL)
        lint__schema_error(w, node, NULL,
                           "OpenAPI object must have at least one of \"paths\", \"components\" or "
                           "\"webhooks\"");
}

static void check_license(lint__walk_t *w, const spec_node_t *node)
{
    exclusive(w, node, "url", "identifier");
}

static void check_server_variable(lint__walk_t *w, const spec_node_t *node)
{
    const spec_pair_t *e = pair_of(node, "enum");
    /* 3.1 §4.8.6.1: "The array MUST NOT be empty" (3.0 says SHOULD) */
    if (w->ctx->v31 && e != NULL && e->value->kind == SPEC_NODE_SEQUENCE &&
        e->value->u.seq.len == 0)
        lint__schema_error(w, e->value, "enum", "\"enum\" must not be empty");
}

static const char *const param_styles[4][5] = {
    {"matrix", "label", "simple", NULL},                             /* path */
    {"form", "spaceDelimited", "pipeDelimited", "deepObject", NULL}, /* query */
    {"simple", NULL},                                                /* header */
    {"form", NULL},                                                  /* cookie */
};
static const char *const param_locations[] = {"path", "query", "header", "cookie", NULL};

static void check_parameter(lint__walk_t *w, const spec_node_t *node)
{
    schema_xor_content(w, node, "Parameter");
    exclusive(w, node, "example", "examples");
    const spec_node_t *in = spec_node_get(node, "in");
    int loc = -1;
    for (int i = 0; i < 4; ++i)
        if (spec_node_is(in, param_locations[i]))
            loc = i;
    if (loc < 0)
        return; /* a missing or wrong `in` was reported already */
    const spec_pair_t *req = pair_of(node, "required");
    int required = 0;
    if (req != NULL)
        spec_node_bool(req->value, &required);
    /* §4.7.12.1: "If the parameter location is "path", this property is REQUIRED and its value
     * MUST be true." The 3.1 schema enforces it for schema-based parameters only. */
    if (loc == 0 && !required && (!w->ctx->v31 || pair_of(node, "schema") != NULL)) {
        const spec_node_t *name = spec_node_get(node, "name");
        lint__schema_error(w, req != NULL ? req->value : node, req != NULL ? "required" : NULL,
                           "path parameter \"%s\" must have \"required: true\"",
                           name != NULL && name->kind == SPEC_NODE_SCALAR ? name->u.scalar.str
                                                                          : "");
    }
    const spec_pair_t *style = pair_of(node, "style");
    if (style != NULL && style->value->kind == SPEC_NODE_SCALAR) {
        int ok = 0;
        for (const char *const *s = param_styles[loc]; *s != NULL; ++s)
            ok |= spec_node_is(style->value, *s);
        if (!ok)
            lint__schema_error(w, style->value, "style",
                               "style \"%s\" is not allowed for %s parameters",
                               style->value->u.scalar.str, param_locations[loc]);
    }
    if (w->ctx->v31) {
        /* 3.1 schema: allowEmptyValue applies to query, allowReserved to query (and form cookies)
         */
        const spec_pair_t *p = pair_of(node, "allowEmptyValue");
        if (p != NULL && loc != 1)
            not_here(w, p, " (only query parameters have it)");
        p = pair_of(node, "allowReserved");
        if (p != NULL && loc != 1 && loc != 3)
            not_here(w, p, " (only query and cookie parameters have it)");
    }
}

static void check_header(lint__walk_t *w, const spec_node_t *node)
{
    schema_xor_content(w, node, "Header");
    exclusive(w, node, "example", "examples");
}

static void check_media_type(lint__walk_t *w, const spec_node_t *node)
{
    exclusive(w, node, "example", "examples");
}

static void check_example(lint__walk_t *w, const spec_node_t *node)
{
    exclusive(w, node, "value", "externalValue");
}

static void check_link(lint__walk_t *w, const spec_node_t *node)
{
    exclusive(w, node, "operationRef", "operationId");
    if (w->ctx->v31 && pair_of(node, "operationRef") == NULL &&
        pair_of(node, "operationId") == NULL)
        lint__schema_error(w, node, NULL,
                           "Link must have either \"operationRef\" or \"operationId\"");
}

static void check_responses(lint__walk_t *w, const spec_node_t *node)
{
    for (size_t i = 0; i < node->u.map.len; ++i)
        if (strncmp(node->u.map.items[i].key->u.scalar.str, "x-", 2) != 0)
            return;
    lint__schema_error(w, node, NULL, "Responses object must contain at least one response code");
}

static void check_security_scheme(lint__walk_t *w, const spec_node_t *node)
{
    static const struct {
        const char *type;
        const char *required[3];
        const char *allowed[4];
    } kinds[] = {
        {"apiKey", {"name", "in"}, {"name", "in"}},
        {"http", {"scheme"}, {"scheme", "bearerFormat"}},
        {"oauth2", {"flows"}, {"flows"}},
        {"openIdConnect", {"openIdConnectUrl"}, {"openIdConnectUrl"}},
        {"mutualTLS", {NULL}, {NULL}},
    };
    const spec_node_t *type = spec_node_get(node, "type");
    size_t k;
    for (k = 0; k < COUNT_OF(kinds); ++k)
        if (spec_node_is(type, kinds[k].type))
            break;
    if (k == COUNT_OF(kinds))
        return; /* reported by the `type` field */
    for (size_t i = 0; i < 3 && kinds[k].required[i] != NULL; ++i)
        if (pair_of(node, kinds[k].required[i]) == NULL)
            lint__schema_error(w, node, NULL,
                               "%s security scheme must have required property \"%s\"",
                               kinds[k].type, kinds[k].required[i]);
    for (size_t i = 0; i < node->u.map.len; ++i) {
        const spec_pair_t *p = &node->u.map.items[i];
        const char *key = p->key->u.scalar.str;
        if (strcmp(key, "type") == 0 || strcmp(key, "description") == 0 ||
            strncmp(key, "x-", 2) == 0)
            continue;
        int ok = 0;
        for (size_t j = 0; j < 4 && kinds[k].allowed[j] != NULL; ++j)
            ok |= strcmp(kinds[k].allowed[j], key) == 0;
        if (!ok)
            not_here(w, p, kinds[k].type[0] == 'a' ? " (not an apiKey field)" : "");
    }
    const spec_pair_t *in = pair_of(node, "in");
    if (k == 0 && in != NULL && !spec_node_is(in->value, "query") &&
        !spec_node_is(in->value, "header") && !spec_node_is(in->value, "cookie"))
        lint__schema_error(w, in->value, "in",
                           "\"in\" property must be equal to one of the allowed values: \"query\", "
                           "\"header\", \"cookie\"");
    const spec_pair_t *scheme = pair_of(node, "scheme"), *bearer = pair_of(node, "bearerFormat");
    if (k == 1 && bearer != NULL && scheme != NULL && scheme->value->kind == SPEC_NODE_SCALAR &&
        strcasecmp(scheme->value->u.scalar.str, "bearer") != 0)
        not_here(w, bearer, " (only the bearer scheme has it)");
}

static void check_schema(lint__walk_t *w, const spec_node_t *node)
{
    if (w->ctx->v31)
        return;
    /* 3.0 (JSON Schema Wright-00 §5.15, §5.20): required and enum need at least one element */
    static const char *const nonempty[] = {"required", "enum"};
    for (size_t i = 0; i < COUNT_OF(nonempty); ++i) {
        const spec_pair_t *p = pair_of(node, nonempty[i]);
        if (p != NULL && p->value->kind == SPEC_NODE_SEQUENCE && p->value->u.seq.len == 0)
            lint__schema_error(w, p->value, nonempty[i], "\"%s\" must not be empty", nonempty[i]);
    }
}

/* ---- Patterned field names ---- */

static const char *paths_key(const char *k, size_t len)
{
    return k[0] == '/' ? NULL : "Paths Object keys must begin with \"/\"";
}

/* §4.8.16: "default", an HTTP status code, or a range such as 2XX */
static const char *responses_key(const char *k, size_t len)
{
    if (strcmp(k, "default") == 0)
        return NULL;
    if (len == 3 && k[0] >= '1' && k[0] <= '5' &&
        ((k[1] >= '0' && k[1] <= '9' && k[2] >= '0' && k[2] <= '9') ||
         (k[1] == 'X' && k[2] == 'X')))
        return NULL;
    return "response codes must be \"default\", a status code such as \"200\" or a range such as "
           "\"2XX\"";
}

static const char *any_key(const char *k, size_t len)
{
    return NULL;
}

/* ---- Descriptors ---- */

static const char *const param_in[] = {"query", "header", "path", "cookie", NULL};
static const char *const encoding_styles[] = {"form", "spaceDelimited", "pipeDelimited",
                                              "deepObject", NULL};
static const char *const header_styles[] = {"simple", NULL};
static const char *const scheme_types30[] = {"apiKey", "http", "oauth2", "openIdConnect", NULL};
static const char *const scheme_types31[] = {"apiKey", "http",          "mutualTLS",
                                             "oauth2", "openIdConnect", NULL};

enum { REQ = LF_REQUIRED, REF = LF_REF };

static const lint__field_t openapi_fields[] = {
    STR("openapi", REQ),
    OBJ("info", LT_INFO, REQ),
    STR("jsonSchemaDialect", LF_V31),
    ARR("servers", LT_SERVER, 0),
    OBJ("paths", LT_PATHS, LF_REQUIRED30),
    MAP("webhooks", LT_PATH_ITEM, LF_V31),
    OBJ("components", LT_COMPONENTS, 0),
    ARR("security", LT_SECURITY_REQUIREMENT, 0),
    ARR("tags", LT_TAG, 0),
    OBJ("externalDocs", LT_EXTERNAL_DOCS, 0),
};

static const lint__field_t info_fields[] = {
    STR("title", REQ),        STR("summary", LF_V31),        STR("description", 0),
    STR("termsOfService", 0), OBJ("contact", LT_CONTACT, 0), OBJ("license", LT_LICENSE, 0),
    STR("version", REQ),
};

static const lint__field_t contact_fields[] = {STR("name", 0), STR("url", 0), STR("email", 0)};

static const lint__field_t license_fields[] = {STR("name", REQ), STR("identifier", LF_V31),
                                               STR("url", 0)};

static const lint__field_t server_fields[] = {
    STR("url", REQ),
    STR("description", 0),
    MAP("variables", LT_SERVER_VARIABLE, 0),
};

static const lint__field_t server_variable_fields[] = {
    STRS("enum", 0),
    STR("default", REQ),
    STR("description", 0),
};

static const lint__field_t components_fields[] = {
    MAP("schemas", LT_SCHEMA, LF_NAMES),
    MAP("responses", LT_RESPONSE, REF | LF_NAMES),
    MAP("parameters", LT_PARAMETER, REF | LF_NAMES),
    MAP("examples", LT_EXAMPLE, REF | LF_NAMES),
    MAP("requestBodies", LT_REQUEST_BODY, REF | LF_NAMES),
    MAP("headers", LT_HEADER, REF | LF_NAMES),
    MAP("securitySchemes", LT_SECURITY_SCHEME, REF | LF_NAMES),
    MAP("links", LT_LINK, REF | LF_NAMES),
    MAP("callbacks", LT_CALLBACK, REF | LF_NAMES),
    MAP("pathItems", LT_PATH_ITEM, LF_V31 | LF_NAMES),
};

static const lint__field_t path_item_fields[] = {
    STR("$ref", 0),
    STR("summary", 0),
    STR("description", 0),
    OBJ("get", LT_OPERATION, 0),
    OBJ("put", LT_OPERATION, 0),
    OBJ("post", LT_OPERATION, 0),
    OBJ("delete", LT_OPERATION, 0),
    OBJ("options", LT_OPERATION, 0),
    OBJ("head", LT_OPERATION, 0),
    OBJ("patch", LT_OPERATION, 0),
    OBJ("trace", LT_OPERATION, 0),
    ARR("servers", LT_SERVER, 0),
    ARR("parameters", LT_PARAMETER, REF),
};

static const lint__field_t operation_fields[] = {
    STRS("tags", 0),
    STR("summary", 0),
    STR("description", 0),
    OBJ("externalDocs", LT_EXTERNAL_DOCS, 0),
    STR("operationId", 0),
    ARR("parameters", LT_PARAMETER, REF),
    OBJ("requestBody", LT_REQUEST_BODY, REF),
    OBJ("responses", LT_RESPONSES, LF_REQUIRED30),
    MAP("callbacks", LT_CALLBACK, REF),
    BOOL("deprecated", 0),
    ARR("security", LT_SECURITY_REQUIREMENT, 0),
    ARR("servers", LT_SERVER, 0),
};

static const lint__field_t external_docs_fields[] = {STR("description", 0), STR("url", REQ)};

static const lint__field_t parameter_fields[] = {
    STR("name", REQ),
    ENUM("in", param_in, REQ),
    STR("description", 0),
    BOOL("required", 0),
    BOOL("deprecated", 0),
    BOOL("allowEmptyValue", 0),
    STR("style", 0),
    BOOL("explode", 0),
    BOOL("allowReserved", 0),
    OBJ("schema", LT_SCHEMA, 0),
    ANY("example", 0),
    MAP("examples", LT_EXAMPLE, REF),
    MAP("content", LT_MEDIA_TYPE, 0),
};

static const lint__field_t request_body_fields[] = {
    STR("description", 0),
    MAP("content", LT_MEDIA_TYPE, REQ),
    BOOL("required", 0),
};

static const lint__field_t media_type_fields[] = {
    OBJ("schema", LT_SCHEMA, 0),
    ANY("example", 0),
    MAP("examples", LT_EXAMPLE, REF),
    MAP("encoding", LT_ENCODING, 0),
};

static const lint__field_t encoding_fields[] = {
    STR("contentType", 0), MAP("headers", LT_HEADER, REF), ENUM("style", encoding_styles, 0),
    BOOL("explode", 0),    BOOL("allowReserved", 0),
};

static const lint__field_t response_fields[] = {
    STR("description", REQ),
    MAP("headers", LT_HEADER, REF),
    MAP("content", LT_MEDIA_TYPE, 0),
    MAP("links", LT_LINK, REF),
};

static const lint__field_t example_fields[] = {
    STR("summary", 0),
    STR("description", 0),
    ANY("value", 0),
    STR("externalValue", 0),
};

static const lint__field_t link_fields[] = {
    STR("operationRef", 0), STR("operationId", 0), MAPPING("parameters", 0),
    ANY("requestBody", 0),  STR("description", 0), OBJ("server", LT_SERVER, 0),
};

static const lint__field_t header_fields[] = {
    STR("description", 0),
    BOOL("required", 0),
    BOOL("deprecated", 0),
    BOOL("allowEmptyValue", LF_V30),
    ENUM("style", header_styles, 0),
    BOOL("explode", 0),
    BOOL("allowReserved", LF_V30),
    OBJ("schema", LT_SCHEMA, 0),
    ANY("example", 0),
    MAP("examples", LT_EXAMPLE, REF),
    MAP("content", LT_MEDIA_TYPE, 0),
};

static const lint__field_t tag_fields[] = {
    STR("name", REQ),
    STR("description", 0),
    OBJ("externalDocs", LT_EXTERNAL_DOCS, 0),
};

/* 3.0: the Schema Object's own subset of JSON Schema Wright-00, closed; 3.1: JSON Schema 2020-12
 * plus OpenAPI's vocabulary, open to unknown keywords (they are annotations). */
static const lint__field_t schema_fields[] = {
    STR("title", 0),
    NUM("multipleOf", 0),
    NUM("maximum", 0),
    BOOL("exclusiveMaximum", LF_V30),
    NUM("exclusiveMaximum", LF_V31),
    NUM("minimum", 0),
    BOOL("exclusiveMinimum", LF_V30),
    NUM("exclusiveMinimum", LF_V31),
    COUNT("maxLength", 0),
    COUNT("minLength", 0),
    STR("pattern", 0),
    COUNT("maxItems", 0),
    COUNT("minItems", 0),
    BOOL("uniqueItems", 0),
    COUNT("maxProperties", 0),
    COUNT("minProperties", 0),
    STRS("required", 0),
    SEQ("enum", 0),
    {"type", LK_SCHEMA_TYPE, LT_NONE, 0, NULL},
    OBJ("not", LT_SCHEMA, 0),
    ARR("allOf", LT_SCHEMA, 0),
    ARR("oneOf", LT_SCHEMA, 0),
    ARR("anyOf", LT_SCHEMA, 0),
    OBJ("items", LT_SCHEMA, 0),
    MAP("properties", LT_SCHEMA, 0),
    OBJ("additionalProperties", LT_SCHEMA, LF_BOOL),
    STR("description", 0),
    STR("format", 0),
    ANY("default", 0),
    BOOL("nullable", LF_V30),
    OBJ("discriminator", LT_DISCRIMINATOR, 0),
    BOOL("readOnly", 0),
    BOOL("writeOnly", 0),
    OBJ("xml", LT_XML, 0),
    OBJ("externalDocs", LT_EXTERNAL_DOCS, 0),
    ANY("example", 0),
    BOOL("deprecated", 0),
    STR("$ref", LF_V31),
    STR("$schema", LF_V31),
    STR("$id", LF_V31),
    STR("$anchor", LF_V31),
    STR("$dynamicAnchor", LF_V31),
    STR("$dynamicRef", LF_V31),
    MAP("$defs", LT_SCHEMA, LF_V31),
    STR("$comment", LF_V31),
    MAPPING("$vocabulary", LF_V31),
    ANY("const", LF_V31),
    COUNT("maxContains", LF_V31),
    COUNT("minContains", LF_V31),
    MAPPING("dependentRequired", LF_V31),
    OBJ("if", LT_SCHEMA, LF_V31),
    OBJ("then", LT_SCHEMA, LF_V31),
    OBJ("else", LT_SCHEMA, LF_V31),
    MAP("dependentSchemas", LT_SCHEMA, LF_V31),
    ARR("prefixItems", LT_SCHEMA, LF_V31 | LF_NONEMPTY),
    OBJ("contains", LT_SCHEMA, LF_V31),
    MAP("patternProperties", LT_SCHEMA, LF_V31),
    OBJ("propertyNames", LT_SCHEMA, LF_V31),
    OBJ("unevaluatedItems", LT_SCHEMA, LF_V31),
    OBJ("unevaluatedProperties", LT_SCHEMA, LF_V31),
    SEQ("examples", LF_V31),
    STR("contentEncoding", LF_V31),
    STR("contentMediaType", LF_V31),
    OBJ("contentSchema", LT_SCHEMA, LF_V31),
};

static const lint__field_t discriminator_fields[] = {
    STR("propertyName", REQ),
    STRMAP("mapping", 0),
};

static const lint__field_t xml_fields[] = {
    STR("name", 0), STR("namespace", 0), STR("prefix", 0), BOOL("attribute", 0), BOOL("wrapped", 0),
};

static const lint__field_t security_scheme_fields[] = {
    ENUM("type", scheme_types30, REQ | LF_V30),
    ENUM("type", scheme_types31, REQ | LF_V31),
    STR("description", 0),
    STR("name", 0),
    STR("in", 0),
    STR("scheme", 0),
    STR("bearerFormat", 0),
    OBJ("flows", LT_OAUTH_FLOWS, 0),
    STR("openIdConnectUrl", 0),
};

static const lint__field_t oauth_flows_fields[] = {
    OBJ("implicit", LT_FLOW_IMPLICIT, 0),
    OBJ("password", LT_FLOW_PASSWORD, 0),
    OBJ("clientCredentials", LT_FLOW_CLIENT_CREDENTIALS, 0),
    OBJ("authorizationCode", LT_FLOW_AUTHORIZATION_CODE, 0),
};

static const lint__field_t flow_implicit_fields[] = {
    STR("authorizationUrl", REQ),
    STR("refreshUrl", 0),
    STRMAP("scopes", REQ),
};

static const lint__field_t flow_token_fields[] = {
    STR("tokenUrl", REQ),
    STR("refreshUrl", 0),
    STRMAP("scopes", REQ),
};

static const lint__field_t flow_authorization_code_fields[] = {
    STR("authorizationUrl", REQ),
    STR("tokenUrl", REQ),
    STR("refreshUrl", 0),
    STRMAP("scopes", REQ),
};

#define FIELDS(a) a, COUNT_OF(a)
#define CLOSED LO_EXTENSIONS

static const lint__object_t objects[LT_COUNT] = {
    [LT_OPENAPI] = {"OpenAPI Object", FIELDS(openapi_fields), CLOSED, .check = check_openapi},
    [LT_INFO] = {"Info Object", FIELDS(info_fields), CLOSED},
    [LT_CONTACT] = {"Contact Object", FIELDS(contact_fields), CLOSED},
    [LT_LICENSE] = {"License Object", FIELDS(license_fields), CLOSED, .check = check_license},
    [LT_SERVER] = {"Server Object", FIELDS(server_fields), CLOSED},
    [LT_SERVER_VARIABLE] = {"Server Variable Object", FIELDS(server_variable_fields), CLOSED,
                            .check = check_server_variable},
    [LT_COMPONENTS] = {"Components Object", FIELDS(components_fields), CLOSED},
    [LT_PATHS] = {"Paths Object", NULL, 0, CLOSED, LK_OBJECT, LT_PATH_ITEM, 0, paths_key},
    [LT_PATH_ITEM] = {"Path Item Object", FIELDS(path_item_fields), CLOSED},
    [LT_OPERATION] = {"Operation Object", FIELDS(operation_fields), CLOSED},
    [LT_EXTERNAL_DOCS] = {"External Documentation Object", FIELDS(external_docs_fields), CLOSED},
    [LT_PARAMETER] = {"Parameter Object", FIELDS(parameter_fields), CLOSED,
                      .check = check_parameter},
    [LT_REQUEST_BODY] = {"Request Body Object", FIELDS(request_body_fields), CLOSED},
    [LT_MEDIA_TYPE] = {"Media Type Object", FIELDS(media_type_fields), CLOSED,
                       .check = check_media_type},
    [LT_ENCODING] = {"Encoding Object", FIELDS(encoding_fields), CLOSED},
    [LT_RESPONSES] = {"Responses Object", NULL, 0, CLOSED, LK_OBJECT, LT_RESPONSE, LF_REF,
                      responses_key, check_responses},
    [LT_RESPONSE] = {"Response Object", FIELDS(response_fields), CLOSED},
    [LT_CALLBACK] = {"Callback Object", NULL, 0, CLOSED, LK_OBJECT, LT_PATH_ITEM, 0, any_key},
    [LT_EXAMPLE] = {"Example Object", FIELDS(example_fields), CLOSED, .check = check_example},
    [LT_LINK] = {"Link Object", FIELDS(link_fields), CLOSED, .check = check_link},
    [LT_HEADER] = {"Header Object", FIELDS(header_fields), CLOSED, .check = check_header},
    [LT_TAG] = {"Tag Object", FIELDS(tag_fields), CLOSED},
    [LT_SCHEMA] = {"Schema Object", FIELDS(schema_fields), CLOSED | LO_OPEN31,
                   .check = check_schema},
    [LT_DISCRIMINATOR] = {"Discriminator Object", FIELDS(discriminator_fields), CLOSED | LO_OPEN30},
    [LT_XML] = {"XML Object", FIELDS(xml_fields), CLOSED},
    [LT_SECURITY_SCHEME] = {"Security Scheme Object", FIELDS(security_scheme_fields), CLOSED,
                            .check = check_security_scheme},
    [LT_OAUTH_FLOWS] = {"OAuth Flows Object", FIELDS(oauth_flows_fields), CLOSED},
    [LT_FLOW_IMPLICIT] = {"OAuth Flow Object", FIELDS(flow_implicit_fields), CLOSED},
    [LT_FLOW_PASSWORD] = {"OAuth Flow Object", FIELDS(flow_token_fields), CLOSED},
    [LT_FLOW_CLIENT_CREDENTIALS] = {"OAuth Flow Object", FIELDS(flow_token_fields), CLOSED},
    [LT_FLOW_AUTHORIZATION_CODE] = {"OAuth Flow Object", FIELDS(flow_authorization_code_fields),
                                    CLOSED},
    /* names of security schemes to scope lists; no extensions (an x- name is a scheme name) */
    [LT_SECURITY_REQUIREMENT] = {"Security Requirement Object", NULL, 0, 0, LK_STRINGS, LT_NONE, 0,
                                 any_key},
};

const lint__object_t *lint__object(lint__type_t type)
{
    return &objects[type];
}
