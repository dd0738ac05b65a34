/* Tests of the streaming pass (stream.c) against the tree engine (apply.c), the reference: on
 * every body the pass either gives up, or returns what the tree engine writes (as JSON, members
 * in the same order) and the tree engine met no mismatch. Hand-picked edge cases, then thousands
 * of generated bodies (missing, extra, duplicate, escaped and ill-typed members, whitespace,
 * broken JSON). */
#include "stream_compare.h"

static const char *SPEC =
    "openapi: 3.0.3\n"
    "info: {title: t, version: '1'}\n"
    "paths:\n"
    "  /pets:\n"
    "    get:\n"
    "      operationId: listPets\n"
    "      responses:\n"
    "        '200': {description: ok, content: {application/json: {schema: {type: object, "
    "properties: {items: {type: array, items: {$ref: '#/components/schemas/Pet'}}, more: "
    "{type: boolean}}}}}}\n"
    "    post:\n"
    "      operationId: createPet\n"
    "      requestBody: {content: {application/json: {schema: {$ref: "
    "'#/components/schemas/Pet'}}}}\n"
    "      responses: {'201': {description: ok}}\n"
    "components:\n"
    "  schemas:\n"
    "    Pet:\n"
    "      type: object\n"
    "      properties:\n"
    "        id: {type: integer}\n"
    "        TAG: {type: string}\n"
    "        price: {type: PRICE}\n"
    "        status: {type: string, enum: [STATUSES]}\n"
    "        friend: {$ref: '#/components/schemas/Pet'}\n"
    "OWNER";

static char *spec_text(int newer)
{
    const char *const subs[2][4][2] = {
        {{"TAG", "tag"},
         {"PRICE", "string"},
         {"STATUSES", "active, inactive, pending"},
         {"OWNER", ""}},
        {{"TAG", "category"},
         {"PRICE", "integer"},
         {"STATUSES", "available, sold, pending"},
         {"OWNER", "        owner: {type: object, nullable: true}\n"}}};
    return sc_substitute(SPEC, subs[newer], 4, 256);
}

static const char *ADAPTER = "api: t\n"
                             "changes:\n"
                             "  - to: v2\n"
                             "    schemas:\n"
                             "      Pet:\n"
                             "        - rename: {old: tag, new: category}\n"
                             "        - added: {field: owner, default: null}\n"
                             "        - convert: {field: price, old: decimal_string, new: "
                             "integer_cents}\n"
                             "        - map: {field: status, old_to_new: {active: available, "
                             "inactive: sold}}\n";

typedef struct {
    spec_t *specs[2];
    adp_registry_t *reg;
    const adp__dfa_t *down, *up;
} fx_t;

static fx_t fx(void)
{
    fx_t f;
    for (int i = 0; i < 2; ++i) {
        char *t = spec_text(i);
        f.specs[i] = parse_spec_named(i ? "v2.yaml" : "v1.yaml", t);
        free(t);
    }
    adp_version_info_t v[] = {{"v1", f.specs[0], 0}, {"v2", f.specs[1], 1}};
    f.reg = load_reg(ADAPTER, v, 2);
    const adp_plan_t *list = adp_plan_find(f.reg, 0, "listPets", NULL, NULL);
    const adp_plan_t *create = adp_plan_find(f.reg, 0, "createPet", NULL, NULL);
    assert_non_null(list);
    assert_non_null(create);
    assert_int_equal(list->nhops, 1);
    assert_true(list->hops[0]->nres_dfas >= 1);
    f.down = list->hops[0]->res_dfas[0].dfa;
    f.up = create->hops[0]->req_dfa;
    assert_non_null(f.up);
    return f;
}

static void fx_free(fx_t *f)
{
    adp_registry_destroy(f->reg);
    spec_destroy(f->specs[0]);
    spec_destroy(f->specs[1]);
}

/* The pass over one DFA, and the tree engine's run of it. */
static int stream_dfa(const void *dfa, int upgrade, adp__run_t *run, const char **out,
                      size_t *out_len)
{
    return adp__stream(run, dfa, upgrade, out, out_len);
}

static void tree_dfa(const void *dfa, int upgrade, adp__run_t *run, body_value_t **doc)
{
    adp__run_dfa(run, *doc, dfa, upgrade);
}

static const sc_engines_t ENGINES = {stream_dfa, tree_dfa};

static void expect(const adp__dfa_t *dfa, int upgrade, const char *body, int streams)
{
    sc_expect(&ENGINES, dfa, upgrade, body, streams);
}

static void test_edge_cases(void **state)
{
    fx_t f = fx();
    const adp__dfa_t *d = f.down, *u = f.up;
    /* the common case, with nesting through `friend` and whitespace */
    expect(d, 0,
           "{\"items\": [{\"id\": 1, \"category\": \"dog\", \"owner\": {\"n\": 1}, \"price\": "
           "1250, \"status\": \"available\", \"friend\": {\"category\": \"cat\", \"price\": 5, "
           "\"status\": \"sold\"}}], \"more\": true}",
           1);
    expect(d, 0, "{\"items\": [], \"more\": false}", 1);
    expect(d, 0, "{}", 1);
    expect(d, 0, "{\"items\": [null]}", 1);
    expect(d, 0, "{\"items\": [{\"category\": null}]}", 1);
    expect(d, 0, "{\"items\": [{\"price\": null}]}", 1);
    expect(d, 0, "{\"items\": [{\"status\": null}]}", 1);
    expect(d, 0, "{\"items\": [{\"category\": null, \"price\": null}]}", 1);
    expect(d, 0, "{\"items\": [{\"price\": null, \"status\": null}]}", 1);
    expect(d, 0, "{\"items\": [null, {\"price\": null}]}", 1);
    expect(d, 0, "{\"items\": [null, {\"category\": null, \"price\": null, \"status\": null}]}", 1);
    /* untouched: nothing to rename, convert or map, all optional */
    expect(d, 0, "{\"items\":[{\"id\":1}]}", 1);
    /* escaped strings where nothing reads them are copied; an escaped name gives up */
    expect(d, 0, "{\"items\":[{\"id\":1,\"x\":\"a\\\"b\\u00e9\"}]}", 1);
    expect(d, 0, "{\"items\":[{\"c\\u0061tegory\":\"dog\"}]}", 0);
    /* duplicate names: the tree engine merges them */
    expect(d, 0, "{\"items\":[{\"id\":1,\"id\":2}]}", 0);
    /* a rename onto a present name, a value that does not convert or map, another type */
    expect(d, 0, "{\"items\":[{\"category\":\"a\",\"tag\":\"b\"}]}", 0);
    expect(d, 0, "{\"items\":[{\"price\":\"12\"}]}", 0);
    expect(d, 0, "{\"items\":[{\"status\":\"lost\"}]}", 1); /* unmapped string: kept */
    expect(d, 0, "{\"items\":[{\"status\":3}]}", 0);
    expect(d, 0, "{\"items\":[{\"price\":{\"a\":1}}]}", 0);
    expect(d, 0, "{\"items\":[5]}", 0);
    expect(d, 0, "{\"items\":{\"a\":1}}", 1); /* not the array the schema says: left alone */
    /* invalid JSON is the tree engine's to report */
    expect(d, 0, "{\"items\":[{\"id\":01}]}", 0);
    expect(d, 0, "{\"items\":[]} x", 0);
    expect(d, 0, "{\"items\":[\"\\ud800\"]}", 0);
    expect(d, 0, "[1,]", 0);
    /* requests: upgrade fills the default and converts the other way */
    expect(u, 1, "{\"tag\":\"dog\",\"price\":\"12.50\",\"status\":\"active\"}", 1);
    expect(u, 1, "{\"id\":7}", 1);
    expect(u, 1, "{\"owner\":{\"x\":1},\"price\":\"1.005\"}", 0);
    fx_free(&f);
}

/* ---- generated bodies ---- */

static void put_value(char **o, uint64_t *s, int depth);

static void put_pet(char **o, uint64_t *s, int upgrade, int depth)
{
    static const char *names[2][7] = {
        {"id", "category", "owner", "price", "status", "friend", "extra"},
        {"id", "tag", "owner", "price", "status", "friend", "extra"}};
    static const char *values[] = {"1",         "\"dog\"",       "null",     "1250",
                                   "\"12.50\"", "\"available\"", "\"sold\"", "\"active\"",
                                   "\"x\"",     "{\"a\":1}",     "[1,2]",    "true",
                                   "-0",        "1.5e3"};
    *(*o)++ = '{';
    int first = 1;
    for (int i = 0; i < 7; ++i) {
        if (sc_rnd(s) % 4 == 0)
            continue;
        int repeat = sc_rnd(s) % 40 == 0;
        for (int r = 0; r <= repeat; ++r) {
            *o += sprintf(*o, "%s%s\"%s\"%s:", first ? "" : ",", sc_rnd(s) % 8 ? "" : " ",
                          names[upgrade][i], sc_rnd(s) % 8 ? "" : " ");
            first = 0;
            if (i == 5 && depth < 3 && sc_rnd(s) % 2)
                put_pet(o, s, upgrade, depth + 1);
            else if (sc_rnd(s) % 3 == 0)
                put_value(o, s, depth + 1);
            else
                *o += sprintf(*o, "%s", values[sc_rnd(s) % (sizeof(values) / sizeof(values[0]))]);
        }
    }
    *(*o)++ = '}';
}

static void put_value(char **o, uint64_t *s, int depth)
{
    static const char *scalars[] = {"0", "\"s\"", "\"\\n\"", "null", "false", "1e2"};
    if (depth > 3 || sc_rnd(s) % 2)
        *o += sprintf(*o, "%s", scalars[sc_rnd(s) % 6]);
    else
        *o += sprintf(*o, "[%s]", scalars[sc_rnd(s) % 6]);
}

static char *put_body(char *o, uint64_t *s, int upgrade)
{
    if (upgrade) {
        put_pet(&o, s, 1, 0);
        return o;
    }
    o += sprintf(o, "{\"items\":[");
    for (int k = 0, items = (int)(sc_rnd(s) % 5); k < items; ++k) {
        if (k != 0)
            *o++ = ',';
        put_pet(&o, s, 0, 0);
    }
    o += sprintf(o, "],\"more\":%s}", sc_rnd(s) % 2 ? "true" : "false");
    return o;
}

static void test_generated(void **state)
{
    fx_t f = fx();
    const void *const subjects[2] = {f.down, f.up};
    sc_generated(&ENGINES, subjects, 0x9e3779b97f4a7c15u, put_body);
    fx_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_edge_cases),
        cmocka_unit_test(test_generated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
