/* The harness test_stream.c and test_stream_chain.c share: a streaming pass checked against the
 * tree engine (the reference) on one body and on thousands of generated ones (the xorshift
 * generator, the tally of what streamed), and the text substitution that derives one version's
 * spec from another's. What is compared (one DFA, or a whole plan) is the caller's, through
 * sc_engines_t. */
#ifndef ADP_TESTS_STREAM_COMPARE_H
#define ADP_TESTS_STREAM_COMPARE_H

#include "adp_test_util.h"
#include "plan.h"

/* How one test runs each engine on `subject` (a DFA, a plan): `stream` returns 0 when the pass
 * streamed, with its output in *out; `tree` edits *doc in place (and may set it to NULL). */
typedef struct {
    int (*stream)(const void *subject, int upgrade, adp__run_t *run, const char **out,
                  size_t *out_len);
    void (*tree)(const void *subject, int upgrade, adp__run_t *run, body_value_t **doc);
} sc_engines_t;

typedef struct {
    size_t streamed, gave_up;
} sc_tally_t;

/* An edited body goes out compact, as the tree engine writes it: no whitespace between tokens. */
static inline int sc_compact(const char *p, size_t len)
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

/* JSON text with its members in order (jansson keeps them as they come): malloc'ed. */
static inline char *sc_ordered(const char *bytes, size_t len)
{
    json_t *v = js_bytes(bytes, len);
    char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);
    assert_non_null(s);
    json_decref(v);
    return s;
}

/* Runs both engines on `body`: the pass either gives up, or returns what the tree engine writes
 * (as JSON, members in the same order) and the tree engine met no mismatch. Returns 1 when it
 * streamed. */
static inline int sc_compare(const sc_engines_t *e, const void *subject, int upgrade,
                             const char *body, sc_tally_t *t)
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
    int streamed = e->stream(subject, upgrade, &rs, &out, &out_len) == 0;
    assert_int_equal(rs.mismatches, 0); /* a pass never counts: it gives up instead */
    body_error_t err;
    body_value_t *doc = body_parse(&mem2, in, len, 0, &err);
    if (doc == NULL) {
        if (streamed)
            fail_msg("streamed a body the parser rejects (%s): %s", err.message, body);
    } else {
        e->tree(subject, upgrade, &rt, &doc);
        if (streamed && rt.mismatches != 0)
            fail_msg("streamed where the tree engine counts %zu mismatch(es): %s", rt.mismatches,
                     body);
        if (streamed) {
            size_t tl = len;
            const char *tree = in;
            if (rt.changed)
                tree = doc != NULL ? body_dump(&mem2, doc, &tl) : "null";
            char *a = sc_ordered(out, out_len),
                 *b = sc_ordered(tree, rt.changed && doc == NULL ? 4 : tl);
            if (strcmp(a, b) != 0)
                fail_msg("stream and tree differ on %s\n stream %.*s\n   tree %.*s", body,
                         (int)out_len, out, (int)tl, tree);
            assert_int_equal(out == in, !rt.changed); /* untouched means the input itself */
            if (rt.changed && !sc_compact(out, out_len))
                fail_msg("not compact: %.*s", (int)out_len, out);
            free(a);
            free(b);
        }
    }
    streamed ? t->streamed++ : t->gave_up++;
    free(in);
    test_mem_free(&m1);
    test_mem_free(&m2);
    return streamed;
}

static inline void sc_expect(const sc_engines_t *e, const void *subject, int upgrade,
                             const char *body, int streams)
{
    sc_tally_t t = {0, 0};
    if (sc_compare(e, subject, upgrade, body, &t) != streams)
        fail_msg("expected streaming to %s on %s", streams ? "go through" : "give up", body);
}

/* Both outcomes must be common in each direction (t[0] down, t[1] up), or the test proves
 * little. */
static inline void sc_tally_check(const sc_tally_t t[2])
{
    for (int i = 0; i < 2; ++i) {
        print_message("# %s: %zu streamed, %zu given up\n", i ? "upgrade" : "downgrade",
                      t[i].streamed, t[i].gave_up);
        assert_true(t[i].streamed > 50);
        assert_true(t[i].gave_up > 50);
    }
}

/* xorshift64: the generated bodies are the same on every run. */
static inline uint64_t sc_rnd(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* One time in ten, one byte of the body buf[0, end) becomes JSON punctuation or another byte. */
static inline void sc_maybe_break(char *buf, const char *end, uint64_t *s)
{
    if (sc_rnd(s) % 10 == 0)
        buf[sc_rnd(s) % (size_t)(end - buf)] = "{}[],:\"x \\"[sc_rnd(s) % 10];
}

/* Compares the engines on 4000 generated bodies: a response for subjects[0], then a request for
 * subjects[1], in turn; put_body writes one from *s at o and returns its end; one in ten is
 * broken somewhere. Both outcomes must be common in each direction. */
static inline void sc_generated(const sc_engines_t *e, const void *const subjects[2], uint64_t seed,
                                char *(*put_body)(char *o, uint64_t *s, int upgrade))
{
    sc_tally_t t[2] = {{0, 0}, {0, 0}};
    char *buf = malloc(1 << 16);
    assert_non_null(buf);
    for (int n = 0; n < 4000; ++n) {
        int upgrade = n % 2;
        char *o = put_body(buf, &seed, upgrade);
        *o = '\0';
        sc_maybe_break(buf, o, &seed);
        sc_compare(e, subjects[upgrade], upgrade, buf, &t[upgrade]);
    }
    free(buf);
    sc_tally_check(t);
}

/* A malloc'ed copy of `text` with each occurrence of subs[i][0] replaced by subs[i][1] (the first
 * that matches, left to right); `grow` bounds what the replacements add. */
static inline char *sc_substitute(const char *text, const char *const subs[][2], size_t nsubs,
                                  size_t grow)
{
    char *out = malloc(strlen(text) + grow + 1), *o = out;
    assert_non_null(out);
    for (const char *s = text; *s != '\0';) {
        int hit = 0;
        for (size_t i = 0; i < nsubs && !hit; ++i)
            if (strncmp(s, subs[i][0], strlen(subs[i][0])) == 0) {
                o += sprintf(o, "%s", subs[i][1]);
                s += strlen(subs[i][0]);
                hit = 1;
            }
        if (!hit)
            *o++ = *s++;
    }
    *o = '\0';
    return out;
}

/* ---- one operation step at a time ---- */

/* An operation step built by hand as steps.c builds it: its two paths parsed and split at the
 * wildcard part they share (the step's base), their tails in *first and *second. */
typedef struct {
    adp__arena_t arena;
    adp__step_t step;
} sc_step_t;

static inline adp__jpath_t sc_path(adp__arena_t *a, const char *s)
{
    adp__jpath_t p;
    size_t off;
    const char *err;
    if (adp__jpath_parse(a, s, strlen(s), &p, &off, &err) != 0)
        fail_msg("'%s' at %zu: %s", s, off, err);
    return p;
}

static inline void sc_step_init(sc_step_t *c, adp__prim_t prim, const char *what,
                                int count_missing, const char *first, const char *second,
                                adp__jpath_t *first_tail, adp__jpath_t *second_tail)
{
    adp__arena_init(&c->arena);
    adp__jpath_t a = sc_path(&c->arena, first), b = sc_path(&c->arena, second);
    size_t wa = adp__jpath_wild_prefix(&a), wb = adp__jpath_wild_prefix(&b);
    size_t w = wa > wb ? wa : wb;
    memset(&c->step, 0, sizeof(c->step));
    c->step.prim = prim;
    c->step.what = what;
    c->step.count_missing = count_missing;
    c->step.base = adp__jpath_slice(&a, 0, w);
    *first_tail = adp__jpath_slice(&a, w, a.n);
    *second_tail = adp__jpath_slice(&b, w, b.n);
}

static inline int sc_stream_step(const void *step, int upgrade, adp__run_t *run,
                                 const char **out, size_t *out_len)
{
    return adp__stream_step(run, step, NULL, upgrade, out, out_len);
}

static inline void sc_tree_step(const void *step, int upgrade, adp__run_t *run,
                                body_value_t **doc)
{
    adp__run_steps(run, doc, step, 1);
}

/* The two engines on one step (`subject` an adp__step_t). */
static inline const sc_engines_t *sc_step_engines(void)
{
    static const sc_engines_t engines = {sc_stream_step, sc_tree_step};
    return &engines;
}

#endif
