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
    "        name: {type: string}\n"
    "OWNER";

static char *spec_text(int newer)
{
    const char *const subs[2][4][2] = {
        {{"TAG", "tag"},
         {"PRICE", "string"},
         {"STATUSES", "active, inactive, pending"},
         {"OWNER", "        nick: {type: string}\n"
                   "        buddy: {$ref: '#/components/schemas/Pet'}\n"}},
        {{"TAG", "category"},
         {"PRICE", "integer"},
         {"STATUSES", "available, sold, pending"},
         {"OWNER", "        owner: {type: object, nullable: true}\n"
                   "        alias: {type: string}\n"}}};
    return sc_substitute(SPEC, subs[newer], 4, 512);
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
                             "inactive: sold}}\n"
                             "        - removed: {field: nick, from: name}\n"
                             "        - removed: {field: buddy, from: alias}\n";

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
    /* ... also in an object read by the shape of the one before: its names replayed from the
     * shape must reach the duplicate check of the members after the first that differs */
    expect(d, 0, "{\"items\":[{\"id\":1,\"price\":5},{\"id\":2,\"price\":6,\"id\":3}]}", 0);
    expect(d, 0, "{\"items\":[{\"id\":1,\"price\":5},{\"id\":2,\"x\":0,\"price\":6}]}", 1);
    expect(d, 0, "{\"items\":[{\"id\":1,\"price\":5},{\"id\":2,\"x\":0,\"id\":6}]}", 0);
    /* same names, other spacing: a shape matches bytes, so these are read the long way */
    expect(d, 0, "{\"items\":[{\"price\":5},{\"price\" :6},{\"price\":7}]}", 1);
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
    /* `removed` with `from`: a copy of the member, last, when the field is absent (test_copies
     * has the outputs) */
    expect(d, 0, "{\"items\":[{\"id\":1,\"name\":\"n\"}]}", 1);
    expect(d, 0, "{\"items\":[{\"name\":\"n\",\"nick\":\"k\"}]}", 1);
    expect(d, 0, "{\"items\":[{\"nick\":\"k\",\"name\":\"n\",\"category\":\"c\"}]}", 1);
    expect(d, 0, "{\"items\":[{\"name\" : {\"a\" : [1, \"\\u00e9\"]}, \"category\":\"c\"}]}", 1);
    expect(d, 0, "{\"items\":[{\"friend\":{\"name\":null,\"price\":5},\"name\":\"n\"}]}", 1);
    expect(d, 0, "{\"items\":[{\"alias\":\"a\",\"buddy\":null}]}", 1);
    expect(d, 0, "{\"items\":[{\"name\":\"n0\",\"friend\":null}]}", 1);
    expect(d, 0, "{\"items\":[{\"name\":\"n0\",\"friend\":{\"name\":\"n1\"}}]}", 1);
    expect(d, 0, "{\"items\":[{\"name\":\"n0\",\"friend\":{\"name\":\"n1\",\"friend\":null}}]}", 1);
    /* copies in nested objects: each object is read again, up to about ten times the body in all */
    char nested[2048], *o = nested;
    for (int depth = 0; depth < 2; ++depth) {
        int n = depth ? 60 : 6;
        o = nested + sprintf(nested, "{\"items\":[");
        for (int i = 0; i < n; ++i)
            o += sprintf(o, "{\"name\":\"n%d\",\"friend\":", i);
        o += sprintf(o, "null");
        for (int i = 0; i < n; ++i)
            *o++ = '}';
        sprintf(o, "]}");
        expect(d, 0, nested, depth == 0);
    }
    /* ... unless the copy's new place has work to do inside it (buddy is a Pet) */
    expect(d, 0, "{\"items\":[{\"alias\":\"a\"}]}", 0);
    expect(u, 1, "{\"nick\":\"k\",\"name\":\"n\"}", 1);
    /* an upgrade drops nick and buddy: the tree walks buddy (a Pet) first, counting what does not
     * fit there; the pass gives up rather than walk what it drops */
    expect(u, 1, "{\"nick\":\"k\",\"buddy\":{\"tag\":\"x\"},\"name\":\"n\"}", 0);
    expect(u, 1, "{\"buddy\":true}", 0);
    fx_free(&f);
}

/* ---- `removed` with `from` as an operation step ---- */

typedef sc_step_t cp_t;

/* The step `removed: {field, from}` downgrades with, split at the wildcards as steps.c does. */
static void cp_init(cp_t *c, const char *field, const char *from, int count_missing)
{
    sc_step_init(c, ADP__P_DERIVE, "removed", count_missing, field, from, &c->step.dst,
                 &c->step.src);
    c->step.scope = ADP__IN_REQUEST | ADP__IN_RESPONSE;
    adp__statuses_add(&c->step.on, 200);
}


/* JSON written with single quotes, for readability: malloc'ed with double quotes. */
static char *dq(const char *s)
{
    char *d = strdup(s);
    assert_non_null(d);
    for (char *c = d; *c != '\0'; ++c)
        if (*c == '\'')
            *c = '"';
    return d;
}

/* The step on `body` in a response: streams and writes `want`, or (want NULL) gives up. */
static void copies(const char *field, const char *from, int count_missing, const char *body,
                   const char *want)
{
    cp_t c;
    cp_init(&c, field, from, count_missing);
    char *b = dq(body);
    sc_expect(sc_step_engines(), &c.step, 0, b, want != NULL);
    if (want != NULL) {
        test_mem_t m;
        body_mem_t mem = test_mem(&m);
        adp__run_t run = {.mem = &mem, .scope = ADP__IN_RESPONSE, .status = 200};
        const char *out = b;
        size_t out_len = strlen(b);
        assert_int_equal(adp__stream_step(&run, &c.step, NULL, 0, &out, &out_len), 0);
        char *w = dq(want), *got = sc_ordered(out, out_len), *ww = sc_ordered(w, strlen(w));
        if (strcmp(got, ww) != 0)
            fail_msg("%s from %s on %s\n got  %s\n want %s", field, from, b, got, ww);
        free(w);
        free(got);
        free(ww);
        test_mem_free(&m);
    }
    free(b);
    adp__arena_dispose(&c.arena);
}

static void test_copies(void **state)
{
    const char *tag = "tag", *cat = "category";
    /* a copy of the member, last, whether it came first or last */
    copies(tag, cat, 1, "{'category':'c'}", "{'category':'c','tag':'c'}");
    copies(tag, cat, 1, "{'category':'c','x':1}", "{'category':'c','x':1,'tag':'c'}");
    copies(tag, cat, 1, "{'x':1,'category':{'a':[1,{}]}}",
           "{'x':1,'category':{'a':[1,{}]},'tag':{'a':[1,{}]}}");
    copies(tag, cat, 1, "{'category':null}", "{'category':null,'tag':null}");
    copies(tag, cat, 1, "{'category':\"\\u00e9\\n\"}",
           "{'category':\"\\u00e9\\n\",'tag':\"\\u00e9\\n\"}");
    copies(tag, cat, 1, " { 'category' : [ 1 , 'a b' ] , 'y' : 2 } ",
           "{'category':[1,'a b'],'y':2,'tag':[1,'a b']}");
    /* the object is read again (backwards to its start): quotes, backslashes, brackets in strings
     */
    copies(tag, cat, 1, "{'a':'x\\\"}{','category':'q\\\\','b':{'c':'}['}}",
           "{'a':'x\\\"}{','category':'q\\\\','b':{'c':'}['},'tag':'q\\\\'}");
    copies(tag, cat, 1, "[{'b':['{\\\\',{'c':'\\\\\\\"'}],'category':{'d':'\\\"{'}}]", NULL);
    copies("[*].tag", "[*].category", 1,
           "[{'b':['{\\\\',{'c':'\\\\\\\"'}],'category':{'d':'\\\"{'}}]",
           "[{'b':['{\\\\',{'c':'\\\\\\\"'}],'category':{'d':'\\\"{'},'tag':{'d':'\\\"{'}}]");
    /* present already: left; null and absent parents */
    copies(tag, cat, 1, "{'tag':'t','category':'c'}", "{'tag':'t','category':'c'}");
    copies(tag, cat, 1, "{'tag':'t'}", "{'tag':'t'}");
    copies(tag, cat, 1, "null", "null");
    /* the member to copy absent: a mismatch when counted */
    copies(tag, cat, 1, "{'x':1}", NULL);
    copies(tag, cat, 0, "{'x':1}", "{'x':1}");
    copies(tag, cat, 0, "{}", "{}");
    /* another type, duplicates, an escaped name, broken JSON: the tree engine's */
    copies(tag, cat, 1, "[1]", NULL);
    copies(tag, cat, 1, "5", NULL);
    copies(tag, cat, 1, "{'category':1,'category':2}", NULL);
    copies(tag, cat, 1, "{'c\\u0061tegory':1}", NULL);
    copies(tag, cat, 1, "{'category':01}", NULL);
    /* along a path, in every element */
    copies("items[*].tag", "items[*].category", 0,
           "{'items':[{'category':1},{'tag':2},null,{},{'category':{'k':[]},'z':0}],'n':1}",
           "{'items':[{'category':1,'tag':1},{'tag':2},null,{},{'category':{'k':[]},'z':0,"
           "'tag':{'k':[]}}],'n':1}");
    copies("data.tag", "data.category", 1, "{'data':{'category':'c'},'n':1}",
           "{'data':{'category':'c','tag':'c'},'n':1}");
    copies("data.tag", "data.category", 1, "{'data':{'tag':1,'category':'c'}}",
           "{'data':{'tag':1,'category':'c'}}");
    copies("data.tag", "data.category", 1, "{'data':null}", "{'data':null}");
    copies("data.tag", "data.category", 1, "{'n':1}", NULL);
    copies("data.tag", "data.category", 0, "{'n':1}", "{'n':1}");
    copies("data.tag", "data.category", 1, "{'data':[1]}", NULL);
    copies("a[1].b.tag", "a[1].b.category", 1, "{'a':[0,{'b':{'category':2}}]}",
           "{'a':[0,{'b':{'category':2,'tag':2}}]}");
    copies("a[1].tag", "a[1].category", 1, "{'a':[0]}", NULL);
    copies("a[1].tag", "a[1].category", 0, "{'a':[0]}", "{'a':[0]}");
    /* the paths part above the member: the tree engine's */
    copies("a.tag", "category", 1, "{'category':'c'}", NULL);
    copies("a.tag", "b.category", 1, "{'b':{'category':'c'}}", NULL);
}

/* ---- operation steps on generated bodies ---- */

static const char *NAMES[] = {"tag", "category", "data", "items", "x", "c\\u0061tegory"};

static void put_obj(char **o, uint64_t *s, int depth)
{
    static const char *scalars[] = {"0", "\"s\"", "\"\\n\"", "null", "false", "[1,{}]", "{}"};
    *(*o)++ = '{';
    int first = 1;
    for (size_t i = 0; i < sizeof(NAMES) / sizeof(NAMES[0]); ++i) {
        if (sc_rnd(s) % 3 == 0 || (i == 5 && sc_rnd(s) % 32 != 0))
            continue;
        int repeat = sc_rnd(s) % 100 == 0;
        for (int r = 0; r <= repeat; ++r) {
            *o += sprintf(*o, "%s%s\"%s\":%s", first ? "" : ",", sc_rnd(s) % 8 ? "" : " ", NAMES[i],
                          sc_rnd(s) % 8 ? "" : " ");
            first = 0;
            uint64_t k = sc_rnd(s) % 10;
            if (depth < 2 && i == 3 && k < 7) {
                *(*o)++ = '[';
                for (int e = 0, n = (int)(sc_rnd(s) % 3); e < n; ++e) {
                    if (e != 0)
                        *(*o)++ = ',';
                    put_obj(o, s, depth + 1);
                }
                *(*o)++ = ']';
            } else if (depth < 2 && k < (i == 2 ? 7u : 2u)) {
                put_obj(o, s, depth + 1);
            } else {
                *o +=
                    sprintf(*o, "%s", scalars[sc_rnd(s) % (sizeof(scalars) / sizeof(scalars[0]))]);
            }
        }
    }
    *(*o)++ = '}';
}

static void test_generated_steps(void **state)
{
    /* `removed` with `from`, and a drop, along paths; how many of 600 bodies must stream */
    static const struct {
        adp__prim_t prim;
        const char *field, *from;
        size_t min[2];
    } steps[] = {
        {ADP__P_DERIVE, "tag", "category", {300, 250}},
        {ADP__P_DERIVE, "items[*].tag", "items[*].category", {250, 250}},
        {ADP__P_DERIVE, "data.tag", "data.category", {250, 100}},
        {ADP__P_DERIVE, "items[0].tag", "items[0].category", {250, 60}},
        {ADP__P_DELETE, "data.x", "data.x", {250, 80}},
        {ADP__P_DELETE, "items[1].x", "items[1].x", {250, 25}},
    };
    uint64_t seed = 0x2545f4914f6cdd1du;
    char *buf = malloc(1 << 16);
    int ok = 1;
    for (size_t k = 0; k < sizeof(steps) / sizeof(steps[0]); ++k)
        for (int count = 0; count < 2; ++count) {
            cp_t c;
            sc_tally_t t = {0, 0};
            cp_init(&c, steps[k].field, steps[k].from, count);
            c.step.prim = steps[k].prim;
            for (int n = 0; n < 600; ++n) {
                char *o = buf;
                put_obj(&o, &seed, 0);
                *o = '\0';
                sc_maybe_break(buf, o, &seed);
                sc_compare(sc_step_engines(), &c.step, n % 2, buf, &t);
            }
            print_message("# %s %s <- %s%s: %zu streamed, %zu given up\n",
                          steps[k].prim == ADP__P_DERIVE ? "copy" : "drop", steps[k].field,
                          steps[k].from, count ? " (counted)" : "", t.streamed, t.gave_up);
            ok &= t.streamed >= steps[k].min[count] && t.gave_up > 30;
            adp__arena_dispose(&c.arena);
        }
    free(buf);
    assert_true(ok);
}

/* ---- generated bodies ---- */

static void put_value(char **o, uint64_t *s, int depth);

static void put_pet(char **o, uint64_t *s, int upgrade, int depth)
{
    static const char *names[2][10] = {
        {"id", "category", "owner", "price", "status", "friend", "extra", "name", "alias", "nick"},
        {"id", "tag", "owner", "price", "status", "friend", "extra", "name", "nick", "buddy"}};
    static const char *values[] = {"1",         "\"dog\"",       "null",     "1250",
                                   "\"12.50\"", "\"available\"", "\"sold\"", "\"active\"",
                                   "\"x\"",     "{\"a\":1}",     "[1,2]",    "true",
                                   "-0",        "1.5e3"};
    *(*o)++ = '{';
    int first = 1;
    for (int i = 0; i < 10; ++i) {
        if (sc_rnd(s) % 4 == 0 || (i == 9 && sc_rnd(s) % 8 != 0)) /* buddy, alias and nick: rare */
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
        cmocka_unit_test(test_copies),
        cmocka_unit_test(test_generated_steps),
        cmocka_unit_test(test_generated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
