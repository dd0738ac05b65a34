/* Tests of the streaming pass (stream.c) against the tree engine (apply.c), the reference: on
 * every body the pass either gives up, or returns what the tree engine writes (as JSON) and
 * the tree engine met no mismatch. Hand-picked edge cases, then thousands of generated bodies
 * (missing, extra, duplicate, escaped and ill-typed members, whitespace, broken JSON). */
#include <jansson.h>
#include "adp_test_util.h"
#include "plan.h"

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
    const char *from[] = {"TAG", "PRICE", "STATUSES", "OWNER"};
    const char *to[2][4] = {{"tag", "string", "active, inactive, pending", ""},
                            {"category", "integer", "available, sold, pending",
                             "        owner: {type: object, nullable: true}\n"}};
    size_t cap = strlen(SPEC) + 256;
    char *out = malloc(cap), *o = out;
    for (const char *s = SPEC; *s != '\0';) {
        int hit = 0;
        for (int i = 0; i < 4 && !hit; ++i)
            if (strncmp(s, from[i], strlen(from[i])) == 0) {
                o += sprintf(o, "%s", to[newer][i]);
                s += strlen(from[i]);
                hit = 1;
            }
        if (!hit)
            *o++ = *s++;
    }
    *o = '\0';
    return out;
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

typedef struct {
    size_t streamed, gave_up;
} tally_t;

/* An edited body goes out compact, as the tree engine writes it: no whitespace between tokens. */
static int compact(const char *p, size_t len)
{
    int in_string = 0;
    for (size_t i = 0; i < len; ++i) {
        if (in_string) {
            if (p[i] == '\\')
                ++i;
            else if (p[i] == '"')
                in_string = 0;
        } else if (p[i] == '"') {
            in_string = 1;
        } else if (p[i] == ' ' || p[i] == '\n' || p[i] == '\r' || p[i] == '\t') {
            return 0;
        }
    }
    return 1;
}

/* Runs both engines on `body`; checks the pass against the tree. Returns 1 when it streamed. */
static int compare(const adp__dfa_t *dfa, int upgrade, const char *body, tally_t *t)
{
    test_mem_t m1, m2;
    body_mem_t mem1 = test_mem(&m1), mem2 = test_mem(&m2);
    size_t len = strlen(body);
    char *in = exact_copy(body, len);
    adp__run_t rs = {
        .mem = &mem1, .scope = upgrade ? ADP__IN_REQUEST : ADP__IN_RESPONSE, .status = 200};
    adp__run_t rt = {.mem = &mem2, .scope = rs.scope, .status = 200};
    const char *out = in;
    size_t out_len = len;
    int streamed = adp__stream(&rs, dfa, upgrade, &out, &out_len) == 0;
    assert_int_equal(rs.mismatches, 0); /* the pass never counts: it gives up instead */
    body_error_t err;
    body_value_t *doc = body_parse(&mem2, in, len, 0, &err);
    if (doc == NULL) {
        if (streamed)
            fail_msg("streamed a body the parser rejects (%s): %s", err.message, body);
    } else {
        adp__run_dfa(&rt, doc, dfa, upgrade);
        if (streamed && rt.mismatches != 0)
            fail_msg("streamed where the tree engine counts %zu mismatch(es): %s", rt.mismatches,
                     body);
        if (streamed) {
            size_t tl;
            const char *tree = rt.changed ? body_dump(&mem2, doc, &tl) : in;
            tl = rt.changed ? tl : len;
            json_t *a = js_bytes(out, out_len), *b = js_bytes(tree, tl);
            if (!json_equal(a, b))
                fail_msg("stream and tree differ on %s\n stream %.*s\n   tree %.*s", body,
                         (int)out_len, out, (int)tl, tree);
            assert_int_equal(out == in, !rt.changed); /* untouched means the input itself */
            if (rt.changed && !compact(out, out_len))
                fail_msg("not compact: %.*s", (int)out_len, out);
            json_decref(a);
            json_decref(b);
        }
    }
    streamed ? t->streamed++ : t->gave_up++;
    free(in);
    test_mem_free(&m1);
    test_mem_free(&m2);
    return streamed;
}

static void expect(const adp__dfa_t *dfa, int upgrade, const char *body, int streams)
{
    tally_t t = {0, 0};
    if (compare(dfa, upgrade, body, &t) != streams)
        fail_msg("expected the pass to %s on %s", streams ? "stream" : "give up", body);
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

static uint64_t rnd(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

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
        if (rnd(s) % 4 == 0)
            continue;
        int repeat = rnd(s) % 40 == 0;
        for (int r = 0; r <= repeat; ++r) {
            *o += sprintf(*o, "%s%s\"%s\"%s:", first ? "" : ",", rnd(s) % 8 ? "" : " ",
                          names[upgrade][i], rnd(s) % 8 ? "" : " ");
            first = 0;
            if (i == 5 && depth < 3 && rnd(s) % 2)
                put_pet(o, s, upgrade, depth + 1);
            else if (rnd(s) % 3 == 0)
                put_value(o, s, depth + 1);
            else
                *o += sprintf(*o, "%s", values[rnd(s) % (sizeof(values) / sizeof(values[0]))]);
        }
    }
    *(*o)++ = '}';
}

static void put_value(char **o, uint64_t *s, int depth)
{
    static const char *scalars[] = {"0", "\"s\"", "\"\\n\"", "null", "false", "1e2"};
    if (depth > 3 || rnd(s) % 2)
        *o += sprintf(*o, "%s", scalars[rnd(s) % 6]);
    else
        *o += sprintf(*o, "[%s]", scalars[rnd(s) % 6]);
}

static void test_generated(void **state)
{
    fx_t f = fx();
    uint64_t seed = 0x9e3779b97f4a7c15u;
    tally_t t[2] = {{0, 0}, {0, 0}};
    char *buf = malloc(1 << 16);
    for (int n = 0; n < 4000; ++n) {
        int upgrade = n % 2;
        char *o = buf;
        if (upgrade) {
            put_pet(&o, &seed, 1, 0);
        } else {
            o += sprintf(o, "{\"items\":[");
            for (int k = 0, items = (int)(rnd(&seed) % 5); k < items; ++k) {
                if (k != 0)
                    *o++ = ',';
                put_pet(&o, &seed, 0, 0);
            }
            o += sprintf(o, "],\"more\":%s}", rnd(&seed) % 2 ? "true" : "false");
        }
        *o = '\0';
        if (rnd(&seed) % 10 == 0) /* break it somewhere */
            buf[rnd(&seed) % (size_t)(o - buf)] = "{}[],:\"x \\"[rnd(&seed) % 10];
        compare(upgrade ? f.up : f.down, upgrade, buf, &t[upgrade]);
    }
    free(buf);
    /* both outcomes must be common, or the test proves little */
    for (int i = 0; i < 2; ++i) {
        print_message("# %s: %zu streamed, %zu given up\n", i ? "upgrade" : "downgrade",
                      t[i].streamed, t[i].gave_up);
        assert_true(t[i].streamed > 50);
        assert_true(t[i].gave_up > 50);
    }
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
