/* Tests of the streaming passes over whole plans (stream_chain.c, and stream_ops.c's steps)
 * against the tree engine, the reference: a v1 <- v2 <- v3 chain whose newest change unwraps an
 * envelope, collapses an object into its id, maps array elements and nests a shelter's address,
 * and whose older change renames, converts and maps Pet members and nests the shelter's head
 * count (moves across objects in both hops: nested going up, unnested coming down). On every
 * body the passes either give up, or return what the tree engine writes (as JSON, members in the
 * same order) and the tree engine met no mismatch. */
#include "stream_compare.h"

static const char *SPEC1 =
    "openapi: 3.0.3\n"
    "info: {title: t, version: '1'}\n"
    "paths:\n"
    "  /pets:\n"
    "    get:\n"
    "      operationId: listPets\n"
    "      responses:\n"
    "        '200': {description: ok, content: {application/json: {schema: {type: array, "
    "items: {$ref: '#/components/schemas/Pet'}}}}}\n"
    "    post:\n"
    "      operationId: createPet\n"
    "      requestBody: {content: {application/json: {schema: {$ref: "
    "'#/components/schemas/Pet'}}}}\n"
    "      responses: {'201': {description: ok}}\n"
    "  /shelters:\n"
    "    post:\n"
    "      operationId: addShelter\n"
    "      requestBody: {content: {application/json: {schema: {type: object, properties: "
    "{address_line: {type: string}, name: {type: string}, head_count: {type: integer}}}}}}\n"
    "      responses: {'200': {description: ok, content: {application/json: {schema: {type: "
    "object, properties: {address_line: {type: string}, name: {type: string}, head_count: "
    "{type: integer}}}}}}}\n"
    "components:\n"
    "  schemas:\n"
    "    Pet:\n"
    "      type: object\n"
    "      properties:\n"
    "        id: {type: integer}\n"
    "        tag: {type: string}\n"
    "        price: {type: string}\n"
    "        status: {type: string, enum: [active, inactive, pending]}\n"
    "        owner: {type: string, nullable: true}\n"
    "        labels: {type: array, items: {type: string}}\n";

/* v2: Pet renamed, converted and mapped, the shelter's head count nested; v3: the list in an
 * envelope, owner expanded, labels upper case, the shelter's address nested */
static char *spec_text(int v)
{
    const char *const subs[][2] = {
        {"version: '1'", v == 2 ? "version: '2'" : "version: '3'"},
        {"tag: {type: string}", "category: {type: string}"},
        {"price: {type: string}", "price: {type: integer}"},
        {"[active, inactive, pending]", "[available, sold, pending]"},
        {"owner: {type: string, nullable: true}",
         v == 2 ? "owner: {type: string, nullable: true}"
                : "owner: {type: object, nullable: true, properties: {id: {type: string}, name: "
                  "{type: string}}}"},
        {"schema: {type: array, items: {$ref: '#/components/schemas/Pet'}}",
         v == 2 ? "schema: {type: array, items: {$ref: '#/components/schemas/Pet'}}"
                : "schema: {type: object, properties: {data: {type: array, items: {$ref: "
                  "'#/components/schemas/Pet'}}, next: {type: string}}}"},
        {"address_line: {type: string}",
         v == 2 ? "address_line: {type: string}"
                : "address: {type: object, properties: {line1: {type: string}}}"},
        {"head_count: {type: integer}", "staff: {type: object, properties: {count: {type: "
                                        "integer}}}"},
    };
    return sc_substitute(SPEC1, subs, sizeof(subs) / sizeof(subs[0]), 1024);
}

static const char *ADAPTER =
    "api: t\n"
    "changes:\n"
    "  - to: v3\n"
    "    operations:\n"
    "      listPets:\n"
    "        response:\n"
    "          - unwrap: data\n"
    "          - collapse: {field: 'data[*].owner'}\n"
    "          - map: {field: 'data[*].labels[*]', old_to_new: {a: A, b: B}}\n"
    "      createPet:\n"
    "        request:\n"
    "          - collapse: {field: owner}\n"
    "      addShelter:\n"
    "        request:\n"
    "          - move: {old: address_line, new: address.line1}\n"
    "        response:\n"
    "          - move: {old: address_line, new: address.line1}\n"
    "  - to: v2\n"
    "    operations:\n"
    "      addShelter:\n"
    "        request:\n"
    "          - move: {old: head_count, new: staff.count}\n"
    "        response:\n"
    "          - move: {old: head_count, new: staff.count}\n"
    "    schemas:\n"
    "      Pet:\n"
    "        - rename: {old: tag, new: category}\n"
    "        - convert: {field: price, old: decimal_string, new: integer_cents}\n"
    "        - map: {field: status, old_to_new: {active: available, inactive: sold}}\n";

typedef struct {
    spec_t *specs[3];
    adp_registry_t *reg;
    const adp_plan_t *list, *create, *shelter;
} fx_t;

static fx_t fx(void)
{
    fx_t f;
    f.specs[0] = parse_spec_named("v1.yaml", SPEC1);
    for (int v = 2; v <= 3; ++v) {
        char *t = spec_text(v);
        f.specs[v - 1] = parse_spec_named(v == 2 ? "v2.yaml" : "v3.yaml", t);
        free(t);
    }
    adp_version_info_t vs[] = {{"v1", f.specs[0], 0}, {"v2", f.specs[1], 0}, {"v3", f.specs[2], 1}};
    f.reg = load_reg(ADAPTER, vs, 3);
    f.list = adp_plan_find(f.reg, 0, "listPets", NULL, NULL);
    f.create = adp_plan_find(f.reg, 0, "createPet", NULL, NULL);
    f.shelter = adp_plan_find(f.reg, 0, "addShelter", NULL, NULL);
    assert_non_null(f.list);
    assert_non_null(f.create);
    assert_non_null(f.shelter);
    assert_int_equal(f.list->nhops, 2);
    return f;
}

static void fx_free(fx_t *f)
{
    adp_registry_destroy(f->reg);
    for (int i = 0; i < 3; ++i)
        spec_destroy(f->specs[i]);
}

/* The tree engine over every hop, as exchange.c runs it. */
static void tree_run(const adp_plan_t *plan, adp__run_t *run, body_value_t **doc, int upgrade)
{
    if (upgrade) {
        for (size_t h = 0; h < plan->nhops; ++h) {
            adp__run_dfa(run, *doc, plan->hops[h]->req_dfa, 1);
            adp__run_steps(run, doc, plan->hops[h]->req_steps, plan->hops[h]->nreq_steps);
        }
        return;
    }
    for (size_t h = plan->nhops; h-- > 0 && *doc != NULL;) {
        const adp__hop_t *hop = plan->hops[h];
        adp__run_steps(run, doc, hop->res_steps, hop->nres_steps);
        for (size_t k = 0; k < hop->nres_dfas && *doc != NULL; ++k)
            if (adp__statuses_has(&hop->res_dfas[k].statuses, run->status)) {
                adp__run_dfa(run, *doc, hop->res_dfas[k].dfa, 0);
                break;
            }
    }
}

/* The passes over a whole plan, and the tree engine's run of it. */
static int stream_plan(const void *plan, int upgrade, adp__run_t *run, const char **out,
                       size_t *out_len)
{
    return upgrade ? adp__stream_request(plan, run, out, out_len)
                   : adp__stream_response(plan, run, 200, out, out_len);
}

static void tree_plan(const void *plan, int upgrade, adp__run_t *run, body_value_t **doc)
{
    tree_run(plan, run, doc, upgrade);
}

static const sc_engines_t ENGINES = {stream_plan, tree_plan};

static void expect(const adp_plan_t *plan, int upgrade, const char *body, int streams)
{
    sc_expect(&ENGINES, plan, upgrade, body, streams);
}

static void test_edge_cases(void **state)
{
    fx_t f = fx();
    const adp_plan_t *l = f.list, *c = f.create, *s = f.shelter;
    /* the common case: both hops, the envelope and the schema steps in one pass */
    expect(l, 0,
           "{\"data\": [{\"id\": 1, \"category\": \"dog\", \"owner\": {\"id\": \"u1\", \"name\": "
           "\"Ann\"}, \"price\": 1250, \"status\": \"available\", \"labels\": [\"A\", \"x\"]}], "
           "\"next\": \"c2\"}",
           1);
    expect(l, 0, "{\"next\":\"c\",\"data\":[]}", 1);
    expect(l, 0, "{\"data\":[null,{\"owner\":null,\"labels\":[]}]}", 1);
    expect(l, 0, "{\"data\":[{\"owner\":\"u1\"}]}", 1);     /* already an id: stays */
    expect(l, 0, "{\"data\":[{\"owner\":{\"id\":7}}]}", 1); /* any id value is taken */
    /* what the tree engine counts as mismatches, and what it merges */
    expect(l, 0, "{\"data\":[{\"owner\":{\"name\":\"Ann\"}}]}", 0);
    expect(l, 0, "{\"data\":[{\"owner\":[1]}]}", 0);
    expect(l, 0, "{\"data\":[{\"owner\":1.5}]}", 0);
    expect(l, 0, "{\"data\":[{\"labels\":[1]}]}", 0);
    expect(l, 0, "{\"data\":[{\"labels\":{\"a\":\"A\"}}]}", 0);
    expect(l, 0, "{\"data\":{\"a\":1}}", 0);
    expect(l, 0, "{\"next\":\"c\"}", 0);
    expect(l, 0, "[1]", 0);
    expect(l, 0, "{\"data\":[],\"data\":[]}", 0);
    expect(l, 0, "{\"data\":[{\"owner\":{\"id\":1,\"id\":2}}]}", 0);
    expect(l, 0, "{\"data\":[{\"price\":\"12\"}]}", 0);
    expect(l, 0, "{\"data\":[]", 0);
    /* requests: two hops up, the id expanded into an object */
    expect(c, 1, "{\"tag\":\"dog\",\"price\":\"12.50\",\"status\":\"active\",\"owner\":\"u1\"}", 1);
    expect(c, 1, "{\"owner\":7}", 1);
    expect(c, 1, "{\"owner\":{\"id\":\"u1\"}}", 1);
    expect(c, 1, "{\"owner\":null}", 1);
    expect(c, 1, "{\"owner\":true}", 0);
    expect(c, 1, "{\"id\":1}", 1);
    /* moves across objects in both hops: nested going up, unnested coming down; what the tree
     * engine would replace or count is its own */
    expect(s, 1, "{\"address_line\":\"Main St 1\",\"name\":\"x\"}", 1);
    expect(s, 1, "{\"head_count\":3,\"address_line\":\"A\",\"name\":\"x\"}", 1);
    expect(s, 1, "{\"head_count\":3,\"staff\":{\"since\":1}}", 1);
    expect(s, 0, "{\"address\":{\"line1\":\"A\"},\"name\":\"x\",\"staff\":{\"count\":3}}", 1);
    expect(s, 0, "{\"staff\":{\"count\":3,\"since\":1},\"address\":{\"line1\":null}}", 1);
    expect(s, 0, "{\"name\":\"x\",\"address\":null,\"staff\":{}}", 1);
    expect(s, 1, "{\"address_line\":\"A\",\"address\":{\"line1\":\"B\"}}", 0);
    expect(s, 1, "{\"address_line\":\"A\",\"address\":5}", 0);
    expect(s, 1, "{\"head_count\":1,\"staff\":{\"count\":2}}", 0);
    expect(s, 0, "{\"address\":{\"line1\":\"A\"},\"address_line\":\"B\"}", 0);
    expect(s, 0, "{\"staff\":[3]}", 0);
    expect(s, 0, "{\"address\":{\"line1\":\"A\",\"line1\":\"B\"}}", 0);
    fx_free(&f);
}

/* ---- generated bodies ---- */

static void put_pet(char **o, uint64_t *s, int upgrade)
{
    static const char *names[2][7] = {{"id", "category", "owner", "price", "status", "labels", "x"},
                                      {"id", "tag", "owner", "price", "status", "labels", "x"}};
    static const char *values[] = {"1",
                                   "\"dog\"",
                                   "null",
                                   "1250",
                                   "\"12.50\"",
                                   "\"available\"",
                                   "\"sold\"",
                                   "\"active\"",
                                   "{\"id\":\"u1\"}",
                                   "{\"id\":\"u1\",\"name\":\"A\"}",
                                   "{\"n\":1}",
                                   "[\"a\",\"B\"]",
                                   "[\"A\",\"x\"]",
                                   "[]",
                                   "true",
                                   "\"u\\u0031\"",
                                   "1.5",
                                   "[1]",
                                   "{\"id\":2,\"id\":3}"};
    *(*o)++ = '{';
    int first = 1;
    for (int i = 0; i < 7; ++i) {
        if (sc_rnd(s) % 4 == 0)
            continue;
        int repeat = sc_rnd(s) % 50 == 0;
        for (int r = 0; r <= repeat; ++r) {
            *o += sprintf(*o, "%s%s\"%s\"%s:%s", first ? "" : ",", sc_rnd(s) % 8 ? "" : " ",
                          names[upgrade][i], sc_rnd(s) % 8 ? "" : " ",
                          values[sc_rnd(s) % (sizeof(values) / sizeof(values[0]))]);
            first = 0;
        }
    }
    *(*o)++ = '}';
}

static char *put_body(char *o, uint64_t *s, int upgrade)
{
    if (upgrade) {
        put_pet(&o, s, 1);
        return o;
    }
    int next_first = sc_rnd(s) % 2;
    o += sprintf(o, "{%s\"data\":[", next_first ? "\"next\":\"c\"," : "");
    for (int k = 0, items = (int)(sc_rnd(s) % 4); k < items; ++k) {
        if (k != 0)
            *o++ = ',';
        put_pet(&o, s, 0);
    }
    o += sprintf(o, "]%s}", next_first ? "" : ",\"next\":\"c\"");
    return o;
}

static void test_generated(void **state)
{
    fx_t f = fx();
    const void *const subjects[2] = {f.list, f.create};
    sc_generated(&ENGINES, subjects, 0x2545f4914f6cdd1du, put_body);
    fx_free(&f);
}

/* A shelter in v1's shape (up) or v3's (down), with the names of every version, nulls, other
 * types, duplicates and whitespace. */
static char *put_shelter(char *o, uint64_t *s, int upgrade)
{
    static const char *names[] = {"address_line", "name", "head_count", "address", "staff", "x"};
    static const char *values[] = {"\"A\"", "1", "null", "{}", "[1]", "\"u\\u0031\""};
    static const char *inner[] = {"line1", "count", "since"};
    *o++ = '{';
    int first = 1;
    for (int i = 0; i < 6; ++i) {
        int want = upgrade ? i != 3 && i != 4 : i != 0 && i != 2; /* the version's own names */
        if (want ? sc_rnd(s) % 5 == 0 : sc_rnd(s) % 12 != 0)
            continue;
        int repeat = sc_rnd(s) % 60 == 0;
        for (int r = 0; r <= repeat; ++r) {
            o += sprintf(o, "%s%s\"%s\"%s:", first ? "" : ",", sc_rnd(s) % 8 ? "" : " ", names[i],
                         sc_rnd(s) % 8 ? "" : " ");
            first = 0;
            if ((i == 3 || i == 4) && sc_rnd(s) % 5 != 0) { /* an object, mostly */
                *o++ = '{';
                for (int k = 0, n = (int)(sc_rnd(s) % 3); k < n; ++k)
                    o += sprintf(o, "%s\"%s\":%s", k ? "," : "", inner[sc_rnd(s) % 3],
                                 values[sc_rnd(s) % 6]);
                *o++ = '}';
            } else {
                o += sprintf(o, "%s", values[sc_rnd(s) % 6]);
            }
        }
    }
    *o++ = '}';
    return o;
}

static void test_generated_moves(void **state)
{
    fx_t f = fx();
    const void *const subjects[2] = {f.shelter, f.shelter};
    sc_generated(&ENGINES, subjects, 0x5851f42d4c957f2du, put_shelter);
    fx_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_edge_cases),
        cmocka_unit_test(test_generated),
        cmocka_unit_test(test_generated_moves),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
