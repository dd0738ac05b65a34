/* Tests of the streaming pass's moves across objects (stream_move.c) against the tree engine
 * (apply.c), the reference, one move step at a time: nest, unnest, between sibling objects, below
 * a shared head (`data.x` -> `data.meta.x`) and below wildcards, two levels and more
 * (`x` -> `a.b.x`, `a.b.x` -> `c.d.x`) and through array indexes (`a[0].x` -> `a[0].meta.x`,
 * `a[0].x` -> `x`, `x` -> `a[0].x`), with and without counting an absent member. On every body the
 * pass either gives up, or returns exactly what the tree engine writes (as JSON with its members in
 * the tree's order) and the tree engine met no mismatch. Hand-picked edge cases with the expected
 * output (each one expected to stream must stream, so a regression to the tree engine fails), then
 * thousands of generated bodies. Whole plans with moves in a v1 <- v2 <- v3 chain are in
 * test_stream_chain.c. */
#include "stream_compare.h"

typedef sc_step_t mv_t;

/* A move step from `old` to `new` (a request step, so no status decides). */
static void mv_init(mv_t *m, const char *old, const char *new, int count_missing)
{
    sc_step_init(m, ADP__P_MOVE, "move", count_missing, old, new, &m->step.src, &m->step.dst);
    m->step.scope = ADP__IN_REQUEST;
}


/* The pass's output on `body` (it streamed: sc_compare said so), members in order. */
static char *streamed(const adp__step_t *step, const char *body)
{
    test_mem_t m;
    body_mem_t mem = test_mem(&m);
    adp__run_t run = {.mem = &mem, .scope = ADP__IN_REQUEST, .status = 200};
    const char *out = body;
    size_t out_len = strlen(body);
    assert_int_equal(adp__stream_step(&run, step, NULL, 1, &out, &out_len), 0);
    char *s = sc_ordered(out, out_len);
    test_mem_free(&m);
    return s;
}

/* The move old -> new on `body`: streams and writes `want`, or (want NULL) gives up. */
static void expect(const char *old, const char *new, int count_missing, const char *body,
                   const char *want)
{
    mv_t m;
    mv_init(&m, old, new, count_missing);
    sc_expect(sc_step_engines(), &m.step, 1, body, want != NULL);
    if (want != NULL) {
        char *got = streamed(&m.step, body), *w = sc_ordered(want, strlen(want));
        if (strcmp(got, w) != 0)
            fail_msg("%s -> %s on %s\n got  %s\n want %s", old, new, body, got, w);
        free(w);
        free(got);
    }
    adp__arena_dispose(&m.arena);
}

static void test_nest(void **state)
{
    const char *x = "x", *mx = "meta.x";
    /* a new object at the end, or the member last in the one that is there */
    expect(x, mx, 1, "{\"a\":1,\"x\":2,\"b\":3}", "{\"a\":1,\"b\":3,\"meta\":{\"x\":2}}");
    expect(x, mx, 1, "{\"x\":2}", "{\"meta\":{\"x\":2}}");
    expect(x, mx, 1, "{\"x\":{\"y\":[1,2]},\"a\":1}", "{\"a\":1,\"meta\":{\"x\":{\"y\":[1,2]}}}");
    expect(x, mx, 1, "{\"meta\":{\"k\":1},\"x\":2}", "{\"meta\":{\"k\":1,\"x\":2}}");
    expect(x, mx, 1, "{\"x\":2,\"meta\":{\"k\":1},\"z\":0}",
           "{\"meta\":{\"k\":1,\"x\":2},\"z\":0}");
    expect(x, mx, 1, "{\"x\":2,\"meta\":{}}", "{\"meta\":{\"x\":2}}");
    expect(x, mx, 1, "{\"a\":0,\"meta\":null,\"x\":2}", "{\"a\":0,\"meta\":{\"x\":2}}");
    expect(x, mx, 1, "{\"x\":null}", "{\"meta\":{\"x\":null}}"); /* a null member moves */
    /* whitespace anywhere, escapes in values: the output is compact, escapes kept */
    expect(x, mx, 1,
           " { \"a\" : 1 , \"x\" : [ 1 , \"s p\" ] , \"meta\" : { \"k\" : \"\\u00e9\" } } ",
           "{\"a\":1,\"meta\":{\"k\":\"\\u00e9\",\"x\":[1,\"s p\"]}}");
    /* absent: a mismatch when counted, nothing to do when not; null parents */
    expect(x, mx, 1, "{\"a\":1}", NULL);
    expect(x, mx, 0, "{\"a\":1}", "{\"a\":1}");
    expect(x, mx, 0, "{}", "{}");
    expect(x, mx, 1, "null", "null");
    /* conflicts and mismatches: the tree engine's */
    expect(x, mx, 1, "{\"x\":1,\"meta\":{\"x\":2}}", NULL);
    expect(x, mx, 1, "{\"x\":1,\"meta\":5}", NULL);
    expect(x, mx, 1, "{\"x\":1,\"meta\":[]}", NULL);
    expect(x, mx, 1, "[1]", NULL);
    expect(x, mx, 1, "{\"x\":1,\"x\":2}", NULL);
    expect(x, mx, 1, "{\"x\":1,\"meta\":{\"k\":1,\"k\":2}}", NULL);
    expect(x, mx, 1, "{\"x\":1,\"m\\u0065ta\":{}}", NULL);
    expect(x, mx, 1, "{\"x\":1,\"meta\":{}", NULL);
    expect(x, mx, 1, "{\"x\":01}", NULL);
    /* two levels down (test_deep has more) */
    expect(x, "m.n.x", 1, "{\"x\":1}", "{\"m\":{\"n\":{\"x\":1}}}");
    expect("a.b.x", "x", 1, "{\"a\":{\"b\":{\"x\":1}}}", "{\"x\":1}");
}

static void test_unnest(void **state)
{
    const char *mx = "meta.x", *x = "x";
    /* the member goes last; an object it leaves empty goes */
    expect(mx, x, 1, "{\"meta\":{\"x\":1,\"k\":2},\"a\":3}",
           "{\"meta\":{\"k\":2},\"a\":3,\"x\":1}");
    expect(mx, x, 1, "{\"meta\":{\"k\":2,\"x\":1}}", "{\"meta\":{\"k\":2},\"x\":1}");
    expect(mx, x, 1, "{\"a\":0,\"meta\":{\"x\":1},\"b\":3}", "{\"a\":0,\"b\":3,\"x\":1}");
    expect(mx, x, 1, "{\"meta\":{\"x\":1}}", "{\"x\":1}");
    expect(mx, x, 1, "{\"meta\" : { \"x\" : { \"y\" : 1 } } , \"a\" : 2}",
           "{\"a\":2,\"x\":{\"y\":1}}");
    /* absent, null parents */
    expect(mx, x, 1, "{\"meta\":{\"k\":2}}", NULL);
    expect(mx, x, 0, "{\"meta\":{\"k\":2}}", "{\"meta\":{\"k\":2}}");
    expect(mx, x, 1, "{\"a\":1}", NULL);
    expect(mx, x, 0, "{\"a\":1}", "{\"a\":1}");
    expect(mx, x, 1, "{\"meta\":null}", "{\"meta\":null}");
    /* conflicts and mismatches */
    expect(mx, x, 1, "{\"meta\":{\"x\":1},\"x\":2}", NULL);
    expect(mx, x, 1, "{\"x\":2,\"meta\":{\"x\":1}}", NULL);
    expect(mx, x, 1, "{\"meta\":\"x\"}", NULL);
    expect(mx, x, 1, "{\"meta\":[{\"x\":1}]}", NULL);
    expect(mx, x, 1, "{\"meta\":{\"x\":1,\"x\":2}}", NULL);
    expect(mx, x, 1, "{\"meta\":{\"\\u0078\":1}}", NULL);
}

static void test_siblings_and_heads(void **state)
{
    /* from one object into another */
    expect("a.x", "b.x", 1, "{\"a\":{\"x\":1,\"y\":2},\"b\":{\"z\":3}}",
           "{\"a\":{\"y\":2},\"b\":{\"z\":3,\"x\":1}}");
    expect("a.x", "b.x", 1, "{\"b\":{},\"a\":{\"x\":1}}", "{\"b\":{\"x\":1}}");
    expect("a.x", "b.y", 1, "{\"a\":{\"x\":1},\"c\":0}", "{\"c\":0,\"b\":{\"y\":1}}");
    expect("a.x", "b.x", 1, "{\"a\":{\"x\":1},\"b\":{\"x\":2}}", NULL);
    /* below a shared head: the object where the paths part stays where it is */
    expect("data.x", "data.meta.x", 1, "{\"data\":{\"x\":1,\"y\":2},\"n\":0}",
           "{\"data\":{\"y\":2,\"meta\":{\"x\":1}},\"n\":0}");
    expect("data.meta.x", "data.x", 1, "{\"data\":{\"meta\":{\"x\":1},\"y\":2}}",
           "{\"data\":{\"y\":2,\"x\":1}}");
    expect("data.a", "data.b", 1, "{\"data\":{\"a\":1,\"c\":2}}", "{\"data\":{\"c\":2,\"b\":1}}");
    /* ... unless the move empties it: the tree engine drops it and makes it again at the end */
    expect("data.x", "data.meta.x", 1, "{\"data\":{\"x\":1},\"n\":0}", NULL);
    expect("data.a", "data.b", 1, "{\"data\":{\"a\":1}}", NULL);
    /* the head absent (counted or not), null, or of another type */
    expect("data.x", "data.meta.x", 1, "{\"n\":0}", NULL);
    expect("data.x", "data.meta.x", 0, "{\"n\":0}", "{\"n\":0}");
    expect("data.x", "data.meta.x", 1, "{\"data\":null}", "{\"data\":null}");
    expect("data.x", "data.meta.x", 1, "{\"data\":[1]}", NULL);
    /* below wildcards, in every element */
    expect("items[*].x", "items[*].meta.x", 1,
           "{\"items\":[{\"x\":1,\"y\":1},null,{\"x\":2,\"meta\":{\"k\":0}}],\"more\":true}",
           "{\"items\":[{\"y\":1,\"meta\":{\"x\":1}},null,{\"meta\":{\"k\":0,\"x\":2}}],"
           "\"more\":true}");
    expect("items[*].meta.x", "items[*].x", 0, "{\"items\":[{\"meta\":{\"x\":1}},{\"y\":2}]}",
           "{\"items\":[{\"x\":1},{\"y\":2}]}");
    expect("items[*].x", "items[*].meta.x", 1, "{\"items\":[{\"x\":1},5]}", NULL);
    expect("*.x", "*.meta.x", 0, "{\"p\":{\"x\":1},\"q\":{\"y\":2}}",
           "{\"p\":{\"meta\":{\"x\":1}},\"q\":{\"y\":2}}");
    /* an index on a path (test_indexes has more): the element left empty goes, the array stays */
    expect("a[0].x", "x", 1, "{\"a\":[{\"x\":1}]}", "{\"a\":[],\"x\":1}");
}

/* expect() with JSON written with single quotes, for readability. */
static char *dq(const char *s)
{
    if (s == NULL)
        return NULL;
    char *d = strdup(s);
    assert_non_null(d);
    for (char *c = d; *c != '\0'; ++c)
        if (*c == '\'')
            *c = '"';
    return d;
}

static void expect_q(const char *old, const char *new, int count_missing, const char *body,
                     const char *want)
{
    char *b = dq(body), *w = dq(want);
    expect(old, new, count_missing, b, w);
    free(b);
    free(w);
}

/* The pass streams (does not give up) on `body`: a regression to the tree engine fails here. */
static void streams(const char *old, const char *new, int count_missing, const char *body)
{
    mv_t m;
    mv_init(&m, old, new, count_missing);
    char *b = dq(body);
    sc_expect(sc_step_engines(), &m.step, 1, b, 1);
    free(b);
    adp__arena_dispose(&m.arena);
}

static void test_deep(void **state)
{
    /* two levels down: objects made at the end, or the member last in the one present; nulls
     * replaced in place */
    const char *x = "x", *abx = "a.b.x";
    expect_q(x, abx, 1, "{'x':1}", "{'a':{'b':{'x':1}}}");
    expect_q(x, abx, 1, "{'k':0,'x':[1,{}]}", "{'k':0,'a':{'b':{'x':[1,{}]}}}");
    expect_q(x, abx, 1, "{'x':1,'a':{'k':0},'z':2}", "{'a':{'k':0,'b':{'x':1}},'z':2}");
    expect_q(x, abx, 1, "{'a':{'b':{'k':0}},'x':1}", "{'a':{'b':{'k':0,'x':1}}}");
    expect_q(x, abx, 1, "{'a':{'b':{}},'x':1}", "{'a':{'b':{'x':1}}}");
    expect_q(x, abx, 1, "{'a':null,'x':1}", "{'a':{'b':{'x':1}}}");
    expect_q(x, abx, 1, "{'x':1,'a':{'b':null,'c':3}}", "{'a':{'b':{'x':1},'c':3}}");
    expect_q(x, "a.b.c.d.x", 1, "{'x':1,'a':{'b':{'k':0}}}",
             "{'a':{'b':{'k':0,'c':{'d':{'x':1}}}}}");
    expect_q(x, abx, 1, " { 'x' : 1 , 'a' : { 'b' : { 'k' : \"\\u00e9\" } } } ",
             "{'a':{'b':{'k':\"\\u00e9\",'x':1}}}");
    /* conflicts and mismatches */
    expect_q(x, abx, 1, "{'a':{'b':{'x':2}},'x':1}", NULL);
    expect_q(x, abx, 1, "{'a':{'b':5},'x':1}", NULL);
    expect_q(x, abx, 1, "{'a':{'b':[]},'x':1}", NULL);
    expect_q(x, abx, 1, "{'a':[],'x':1}", NULL);
    expect_q(x, abx, 1, "{'a':'s','x':1}", NULL);
    expect_q(x, abx, 1, "{'a':{'b':{'k':1,'k':2}},'x':1}", NULL);
    expect_q(x, abx, 1, "{'k':0}", NULL);
    expect_q(x, abx, 0, "{'k':0}", "{'k':0}");

    /* two levels up: every object left empty goes, from the inside out */
    expect_q(abx, x, 1, "{'a':{'b':{'x':1}}}", "{'x':1}");
    expect_q(abx, x, 1, "{'a':{'b':{'x':1}},'k':0}", "{'k':0,'x':1}");
    expect_q(abx, x, 1, "{'a':{'b':{'x':1},'k':0}}", "{'a':{'k':0},'x':1}");
    expect_q(abx, x, 1, "{'a':{'k':0,'b':{'x':1}}}", "{'a':{'k':0},'x':1}");
    expect_q(abx, x, 1, "{'a':{'b':{'y':2,'x':1}}}", "{'a':{'b':{'y':2}},'x':1}");
    expect_q("a.b.c.d.x", x, 1, "{'a':{'k':0,'b':{'c':{'d':{'x':1}}}}}", "{'a':{'k':0},'x':1}");
    expect_q(abx, x, 1, "{'a':{'b':null}}", "{'a':{'b':null}}");
    expect_q(abx, x, 1, "{'a':null}", "{'a':null}");
    expect_q(abx, x, 1, "{'a':{'b':{'k':0}}}", NULL);
    expect_q(abx, x, 0, "{'a':{'b':{'k':0}}}", "{'a':{'b':{'k':0}}}");
    expect_q(abx, x, 1, "{'a':{}}", NULL);
    expect_q(abx, x, 0, "{'a':{}}", "{'a':{}}");
    expect_q(abx, x, 1, "{'a':{'b':1}}", NULL);
    expect_q(abx, x, 1, "{'a':{'b':[{'x':1}]}}", NULL);
    expect_q(abx, x, 1, "{'a':{'b':{'x':1}},'x':0}", NULL);

    /* from one branch into another */
    const char *cdx = "c.d.x";
    expect_q(abx, cdx, 1, "{'a':{'b':{'x':1}},'c':{'d':{'y':2}}}", "{'c':{'d':{'y':2,'x':1}}}");
    expect_q(abx, cdx, 1, "{'c':{'e':0},'a':{'b':{'x':1,'z':3}}}",
             "{'c':{'e':0,'d':{'x':1}},'a':{'b':{'z':3}}}");
    expect_q(abx, cdx, 1, "{'a':{'b':{'x':1}},'n':0}", "{'n':0,'c':{'d':{'x':1}}}");
    expect_q(abx, cdx, 1, "{'c':null,'a':{'b':{'x':1}}}", "{'c':{'d':{'x':1}}}");
    expect_q(abx, cdx, 1, "{'a':{'b':{'x':1}},'c':{'d':{'x':2}}}", NULL);
    expect_q(abx, "c.x", 1, "{'a':{'b':{'x':{'y':[1]}},'q':1}}",
             "{'a':{'q':1},'c':{'x':{'y':[1]}}}");
    /* below a shared head: the object where the paths part stays, unless the move empties it */
    expect_q("d.a.b.x", "d.x", 1, "{'d':{'a':{'b':{'x':1}},'k':0}}", "{'d':{'k':0,'x':1}}");
    expect_q("d.x", "d.a.b.x", 1, "{'d':{'x':1,'k':0},'n':1}",
             "{'d':{'k':0,'a':{'b':{'x':1}}},'n':1}");
    expect_q("d.a.b.x", "d.x", 1, "{'d':{'a':{'b':{'x':1}}},'k':0}", NULL);
    expect_q("d.a.b.x", "d.c.x", 1, "{'d':{'a':{'b':{'x':1}}}}", NULL);
    /* below wildcards */
    expect_q("items[*].a.b.x", "items[*].x", 0,
             "{'items':[{'a':{'b':{'x':1}}},{'a':{'b':{'x':2,'y':0}}},null,{'k':1}]}",
             "{'items':[{'x':1},{'a':{'b':{'y':0}},'x':2},null,{'k':1}]}");

    /* each case above that must stream does (expect() checks it); a few more shapes */
    streams(x, abx, 1, "{'x':1,'a':{'b':{'c':{}}}}");
    streams(abx, cdx, 0, "{'a':{'b':{}}}");
}

static void test_indexes(void **state)
{
    /* an index in the shared head */
    const char *a0x = "a[0].x", *a0mx = "a[0].meta.x";
    expect_q(a0x, a0mx, 1, "{'a':[{'x':1,'y':2},{'x':3}]}",
             "{'a':[{'y':2,'meta':{'x':1}},{'x':3}]}");
    expect_q(a0mx, a0x, 1, "{'a':[{'meta':{'x':1},'y':2}],'n':0}", "{'a':[{'y':2,'x':1}],'n':0}");
    expect_q("a[1].x", "a[1].b.c.x", 1, "{'a':[0,{'x':1,'y':2}]}",
             "{'a':[0,{'y':2,'b':{'c':{'x':1}}}]}");
    expect_q("a[0].b[1].x", "a[0].b[1].m.x", 1, "{'a':[{'b':[{},{'x':1,'k':0}]}]}",
             "{'a':[{'b':[{},{'k':0,'m':{'x':1}}]}]}");
    expect_q(a0x, a0mx, 1, "{'a':[{'x':1}]}", NULL); /* empties the object where they part */
    expect_q(a0x, a0mx, 1, "{'a':[]}", NULL);
    expect_q(a0x, a0mx, 0, "{'a':[]}", "{'a':[]}");
    expect_q(a0x, a0mx, 1, "{'a':[null]}", "{'a':[null]}");
    expect_q(a0x, a0mx, 1, "{'a':null}", "{'a':null}");
    expect_q(a0x, a0mx, 1, "{'a':{'x':1}}", NULL);
    expect_q(a0x, a0mx, 1, "{'a':[5]}", NULL);
    expect_q("a[2].x", "a[2].m.x", 1, "{'a':[{},{}]}", NULL);
    expect_q("a[2].x", "a[2].m.x", 0, "{'a':[{},{}]}", "{'a':[{},{}]}");

    /* an index on the source's side: an element left empty goes, the array stays */
    expect_q("a[1].x", "x", 1, "{'a':[0,{'x':1}]}", "{'a':[0],'x':1}");
    expect_q(a0x, "x", 1, "{'a':[{'x':1},2]}", "{'a':[2],'x':1}");
    expect_q(a0x, "x", 1, "{'a':[{'x':1,'k':0}]}", "{'a':[{'k':0}],'x':1}");
    expect_q("a[1].b.x", "x", 1, "{'a':[0,{'b':{'x':1}},2]}", "{'a':[0,2],'x':1}");
    expect_q(a0x, "x", 1, " { 'a' : [ { 'x' : 1 } , 2 ] } ", "{'a':[2],'x':1}");
    expect_q("a[1].x", "x", 1, "{'a':[0]}", NULL);
    expect_q("a[1].x", "x", 0, "{'a':[0]}", "{'a':[0]}");
    expect_q(a0x, "x", 1, "{'a':[null]}", "{'a':[null]}");
    expect_q(a0x, "x", 1, "{'a':[[1]]}", NULL);
    expect_q(a0x, "x", 1, "{'a':[{'x':1}],'x':2}", NULL);

    /* an index on the destination's side: into an element that is there */
    expect_q("x", a0x, 1, "{'x':1,'a':[{'k':0}]}", "{'a':[{'k':0,'x':1}]}");
    expect_q("x", "a[1].m.x", 1, "{'a':[0,{'k':0}],'x':1}", "{'a':[0,{'k':0,'m':{'x':1}}]}");
    expect_q("x", a0x, 1, "{'x':1,'a':[null,3]}", "{'a':[{'x':1},3]}");
    expect_q("x", a0x, 1, "{'x':1,'a':[]}", NULL);   /* out of range */
    expect_q("x", a0x, 1, "{'x':1}", NULL);          /* no array to make */
    expect_q("x", a0x, 1, "{'x':1,'a':null}", NULL); /* ditto */
    expect_q("x", a0x, 1, "{'x':1,'a':[{'x':0}]}", NULL);
    expect_q("x", a0x, 1, "{'x':1,'a':[5]}", NULL);
    expect_q("x", a0x, 1, "{'x':1,'a':{'k':0}}", NULL);
    expect_q("x", "a[0][1].x", 1, "{'x':1,'a':[[0,{}]]}", "{'a':[[0,{'x':1}]]}");
    expect_q("x", "a[0][1].x", 1, "{'x':1,'a':[[0,null]]}", "{'a':[[0,{'x':1}]]}");

    streams(a0x, a0mx, 0, "{'a':[{'x':1,'k':0}]}");
    streams("a[1].x", "x", 1, "{'a':[0,{'x':1}]}");
    streams("x", a0x, 1, "{'x':1,'a':[{}]}");
}

/* ---- generated bodies ---- */

static const char *NAMES[] = {"x", "y", "meta", "a", "b", "data", "items", "m\\u0065ta"};

static void put_object(char **o, uint64_t *s, int depth);

static void put_value(char **o, uint64_t *s, int depth, const char *name)
{
    static const char *scalars[] = {"0",     "\"s\"", "\"\\n\"", "null",
                                    "false", "1e2",   "[1,{}]",  "{}"};
    int objectish = strcmp(name, "x") != 0 && strcmp(name, "y") != 0;
    uint64_t r = sc_rnd(s) % 10;
    if (depth < 2 && strcmp(name, "items") == 0 && r < 7) {
        *(*o)++ = '[';
        for (int k = 0, n = (int)(sc_rnd(s) % 4); k < n; ++k) {
            if (k != 0)
                *(*o)++ = ',';
            if (sc_rnd(s) % 6 == 0)
                *o += sprintf(*o, "null");
            else
                put_object(o, s, depth + 1);
        }
        *(*o)++ = ']';
    } else if (depth < 2 && (objectish ? r < 7 : r < 2)) {
        put_object(o, s, depth + 1);
    } else {
        *o += sprintf(*o, "%s", scalars[sc_rnd(s) % (sizeof(scalars) / sizeof(scalars[0]))]);
    }
}

static void put_object(char **o, uint64_t *s, int depth)
{
    *(*o)++ = '{';
    int first = 1;
    for (size_t i = 0; i < sizeof(NAMES) / sizeof(NAMES[0]); ++i) {
        if (sc_rnd(s) % 4 == 0 || (i == 7 && sc_rnd(s) % 64 != 0))
            continue;
        int repeat = sc_rnd(s) % 200 == 0;
        for (int r = 0; r <= repeat; ++r) {
            *o += sprintf(*o, "%s%s\"%s\"%s:%s", first ? "" : ",", sc_rnd(s) % 8 ? "" : " ",
                          NAMES[i], sc_rnd(s) % 8 ? "" : " ", sc_rnd(s) % 8 ? "" : "\n");
            first = 0;
            put_value(o, s, depth, NAMES[i]);
        }
    }
    *(*o)++ = '}';
}

static void test_generated(void **state)
{
    /* each move, how many bodies of 600 must stream at least (counted: absent members give
     * up), and how many levels deeper than two the bodies go */
    static const struct {
        const char *old, *new;
        size_t min[2];
        int deeper;
    } moves[] = {
        {"x", "meta.x", {100, 50}, 0},
        {"meta.x", "x", {100, 30}, 0},
        {"a.x", "b.x", {100, 30}, 0},
        {"data.x", "data.meta.x", {100, 30}, 0},
        {"data.meta.x", "data.x", {100, 20}, 0},
        {"data.a", "data.b", {100, 30}, 0},
        {"items[*].x", "items[*].meta.x", {100, 50}, 0},
        {"items[*].meta.x", "items[*].y", {100, 50}, 0},
        {"*.meta.x", "*.x", {1, 0}, 0}, /* every member must be an object: rare */
        {"a.meta.x", "b.x", {100, 20}, 0},
        /* two levels and more, through indexes */
        {"x", "a.b.x", {80, 40}, 1},
        {"a.b.x", "x", {60, 8}, 1},
        {"a.b.x", "data.meta.x", {60, 10}, 1},
        {"data.a.b.x", "data.x", {80, 5}, 1},
        {"x", "data.a.b.y", {80, 40}, 1},
        {"items[0].x", "items[0].meta.x", {150, 30}, 0},
        {"items[1].meta.x", "x", {150, 20}, 0},
        {"items[0].x", "y", {150, 30}, 0},
        {"x", "items[0].meta.x", {80, 30}, 0},
        {"items[*].a.b.x", "items[*].x", {60, 50}, 1},
    };
    size_t nmoves = sizeof(moves) / sizeof(moves[0]);
    uint64_t seed = 0x853c49e6748fea9bu;
    char *buf = malloc(1 << 16);
    int ok = 1;
    for (size_t k = 0; k < nmoves; ++k)
        for (int count = 0; count < 2; ++count) {
            mv_t m;
            sc_tally_t t = {0, 0};
            mv_init(&m, moves[k].old, moves[k].new, count);
            for (int n = 0; n < 600; ++n) {
                char *o = buf;
                put_object(&o, &seed, -moves[k].deeper);
                *o = '\0';
                sc_maybe_break(buf, o, &seed);
                sc_compare(sc_step_engines(), &m.step, 1, buf, &t);
            }
            print_message("# %s -> %s%s: %zu streamed, %zu given up\n", moves[k].old, moves[k].new,
                          count ? " (counted)" : "", t.streamed, t.gave_up);
            /* both outcomes must be common, or the test proves little */
            ok &= t.streamed >= moves[k].min[count] && t.gave_up > 30;
            adp__arena_dispose(&m.arena);
        }
    free(buf);
    assert_true(ok);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nest),
        cmocka_unit_test(test_unnest),
        cmocka_unit_test(test_siblings_and_heads),
        cmocka_unit_test(test_deep),
        cmocka_unit_test(test_indexes),
        cmocka_unit_test(test_generated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
