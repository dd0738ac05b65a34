/* Tests for specs/match.c: the path trie (literal over templated, backtracking, partial
 * segments, trailing slashes, percent-encoding), template problems, ambiguity and 405s. */
#include <stdlib.h>
#include "spec_test_util.h"

#define HEAD "openapi: 3.0.3\ninfo: {title: t, version: '1'}\n"
#define OP "{get: {responses: {'200': {description: ok}}}}"

/* The template matching `path`, or NULL. */
static const char *match(const spec_t *spec, const char *path, spec_match_t *m)
{
    const spec_path_t *p = spec_match(spec, path, strlen(path), m);
    return p != NULL ? p->template : NULL;
}

static void expect(const spec_t *spec, const char *path, const char *template)
{
    const char *got = match(spec, path, NULL);
    if (template == NULL && got != NULL)
        fail_msg("%s matched %s, expected nothing", path, got);
    if (template != NULL && (got == NULL || strcmp(got, template) != 0))
        fail_msg("%s matched %s, expected %s", path, got != NULL ? got : "nothing", template);
}

static void expect_var(const spec_match_t *m, size_t i, const char *name, const char *value)
{
    assert_true(i < m->count);
    assert_string_equal(m->vars[i].name, name);
    if (m->vars[i].value_len != strlen(value) ||
        memcmp(m->vars[i].value, value, m->vars[i].value_len) != 0)
        fail_msg("%s = '%.*s', expected '%s'", name, (int)m->vars[i].value_len, m->vars[i].value,
                 value);
}

static void test_literal_beats_template(void **state)
{
    spec_t *spec = parse_clean(HEAD "paths:\n"
                                    "  /pets/{petId}: " OP "\n"
                                    "  /pets/mine: " OP "\n"
                                    "  /pets: " OP "\n"
                                    "  /: " OP "\n");
    expect(spec, "/pets/mine", "/pets/mine");
    expect(spec, "/pets/7", "/pets/{petId}");
    expect(spec, "/pets", "/pets");
    expect(spec, "/", "/");
    expect(spec, "/pets/mine/x", NULL);
    expect(spec, "/dogs", NULL);
    expect(spec, "", NULL);
    expect(spec, "pets", NULL);
    spec_match_t m;
    assert_string_equal(match(spec, "/pets/42?verbose=1", &m), "/pets/{petId}");
    assert_int_equal(m.count, 1);
    expect_var(&m, 0, "petId", "42");
    assert_string_equal(match(spec, "/pets/mine", &m), "/pets/mine");
    assert_int_equal(m.count, 0);
    assert_null(match(spec, "/nope", &m));
    assert_int_equal(m.count, 0);
    spec_destroy(spec);
}

static void test_backtracking(void **state)
{
    spec_t *spec = parse_clean(HEAD "paths:\n"
                                    "  /a/b/c: " OP "\n"
                                    "  /a/{x}/d: " OP "\n"
                                    "  /a/b/{y}/f: " OP "\n"
                                    "  /a/{x}/c/e: " OP "\n"
                                    "  /u/{id}.json: " OP "\n"
                                    "  /u/{id}: " OP "\n");
    expect(spec, "/a/b/c", "/a/b/c");
    expect(spec, "/a/b/d", "/a/{x}/d");     /* literal b dead-ends at d */
    expect(spec, "/a/b/c/f", "/a/b/{y}/f"); /* literal b, then a variable */
    spec_match_t m;
    assert_string_equal(match(spec, "/a/b/c/e", &m), "/a/{x}/c/e"); /* two levels back */
    expect_var(&m, 0, "x", "b");
    assert_int_equal(m.count, 1);
    assert_string_equal(match(spec, "/a/b/q/f", &m), "/a/b/{y}/f");
    expect_var(&m, 0, "y", "q");
    /* a partial segment that dead-ends falls back to the whole-segment variable */
    expect(spec, "/u/7.json", "/u/{id}.json");
    expect(spec, "/u/7.xml", "/u/{id}");
    expect(spec, "/u/7.json/x", NULL);
    spec_destroy(spec);
}

static void test_trailing_slash_and_empty_segments(void **state)
{
    spec_t *spec = parse_clean(HEAD "paths:\n"
                                    "  /pets: " OP "\n"
                                    "  /pets/{id}: " OP "\n"
                                    "  /dirs/: " OP "\n");
    expect(spec, "/pets", "/pets");
    expect(spec, "/pets/", NULL); /* neither /pets nor an empty {id} */
    expect(spec, "/pets//", NULL);
    expect(spec, "//pets", NULL);
    expect(spec, "/dirs/", "/dirs/");
    expect(spec, "/dirs", NULL);
    spec_destroy(spec);
}

static void test_partial_segments(void **state)
{
    spec_t *spec = parse_clean(HEAD "paths:\n"
                                    "  /files/{name}.{ext}: " OP "\n"
                                    "  /files/{id}: " OP "\n"
                                    "  /files/report.pdf: " OP "\n"
                                    "  /r/{a}.{b}: " OP "\n"
                                    "  /r/{a}.json: " OP "\n"
                                    "  /v{major}/status: " OP "\n"
                                    "  /d/{from}..{to}: " OP "\n");
    spec_match_t m;
    assert_string_equal(match(spec, "/files/a.tar.gz", &m), "/files/{name}.{ext}");
    assert_int_equal(m.count, 2);
    expect_var(&m, 0, "name", "a");
    expect_var(&m, 1, "ext", "tar.gz");
    expect(spec, "/files/report.pdf", "/files/report.pdf");
    expect(spec, "/files/readme", "/files/{id}");
    expect(spec, "/files/.profile", "/files/{id}"); /* {name} cannot be empty */
    expect(spec, "/files/readme.", "/files/{id}");  /* nor {ext} */
    /* more literal text is more specific */
    assert_string_equal(match(spec, "/r/x.json", &m), "/r/{a}.json");
    expect_var(&m, 0, "a", "x");
    assert_string_equal(match(spec, "/r/x.y.json", &m), "/r/{a}.json");
    expect_var(&m, 0, "a", "x.y");
    expect(spec, "/r/x.xml", "/r/{a}.{b}");
    assert_string_equal(match(spec, "/v2/status", &m), "/v{major}/status");
    expect_var(&m, 0, "major", "2");
    expect(spec, "/v/status", NULL);
    assert_string_equal(match(spec, "/d/1..5", &m), "/d/{from}..{to}");
    expect_var(&m, 0, "from", "1");
    expect_var(&m, 1, "to", "5");
    spec_destroy(spec);
}

static void test_percent_encoding(void **state)
{
    spec_t *spec = parse_clean(HEAD "paths:\n"
                                    "  /pets/{id}: " OP "\n"
                                    "  /a b/{x}.txt: " OP "\n"
                                    "  /caf%C3%A9: " OP "\n");
    spec_match_t m;
    assert_string_equal(match(spec, "/p%65ts/a%2Fb", &m), "/pets/{id}");
    expect_var(&m, 0, "id", "a%2Fb"); /* still encoded, and never split on %2F */
    assert_string_equal(match(spec, "/a%20b/x%2etxt", &m), "/a b/{x}.txt");
    expect_var(&m, 0, "x", "x");
    expect(spec, "/caf%c3%a9", "/caf%C3%A9");
    expect(spec, "/caf\xc3\xa9", "/caf%C3%A9");
    expect(spec, "/pets%2Fx", NULL);
    expect(spec, "/p%6", NULL);
    spec_destroy(spec);
}

static void test_ambiguous_templates(void **state)
{
    spec_t *spec = parse_spec(HEAD "paths:\n"
                                   "  /a/{x}: " OP "\n"
                                   "  /a/{y}: " OP "\n"
                                   "  /f/{n}.{e}: " OP "\n"
                                   "  /f/{a}.{b}: " OP "\n"
                                   "  /p%61th: " OP "\n"
                                   "  /path: " OP "\n");
    size_t n;
    const spec_problem_t *p = spec_problems(spec, &n);
    assert_int_equal(n, 3);
    assert_string_equal(p[0].code, SPEC_PROBLEM_PATH_AMBIGUOUS);
    assert_position(&p[0].error, "t.yaml", 5, 3, "/paths/~1a~1{y}");
    assert_non_null(strstr(p[0].error.message, "'/a/{y}' is identical to '/a/{x}' (line 4)"));
    assert_position(&p[1].error, "t.yaml", 7, 3, "/paths/~1f~1{a}.{b}");
    assert_position(&p[2].error, "t.yaml", 9, 3, "/paths/~1path");
    /* the first keeps matching, with its own names; the others stay listed, not indexed */
    spec_match_t m;
    assert_string_equal(match(spec, "/a/1", &m), "/a/{x}");
    expect_var(&m, 0, "x", "1");
    assert_false(spec_find_path(spec, "/a/{y}")->indexed);
    assert_true(spec_find_path(spec, "/a/{x}")->indexed);
    assert_int_equal(spec_path_count(spec), 6);
    spec_destroy(spec);
}

static void test_malformed_templates(void **state)
{
    static const struct {
        const char *template, *needle;
    } cases[] = {
        {"pets", "must start with '/'"},
        {"/a/{b", "unclosed '{'"},
        {"/a/{b{c}}", "unclosed '{'"},
        {"/a/b}", "'}' without '{'"},
        {"/a/{}", "empty variable name"},
        {"/a/{x}{y}", "adjacent variables"},
        {"/a/{x}/{x}", "uses variable 'x' twice"},
        {"/a?b=1", "query or fragment"},
        {"/{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}/{i}/{j}/{k}/{l}/{m}/{n}/{o}/{p}/{q}",
         "more than 16 variables"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); ++i) {
        char yaml[512];
        snprintf(yaml, sizeof(yaml), HEAD "paths:\n  '%s': " OP "\n", cases[i].template);
        spec_t *spec = parse_spec(yaml);
        const spec_problem_t *p = find_problem(spec, SPEC_PROBLEM_PATH_TEMPLATE, cases[i].needle);
        assert_int_equal(p->error.line, 4);
        assert_int_equal(p->error.col, 3);
        assert_false(spec_path_at(spec, 0)->indexed);
        assert_int_equal(spec_operation_count(spec), 1); /* still listed for the lint */
        spec_destroy(spec);
    }
}

static void test_route_and_allow(void **state)
{
    spec_t *spec = parse_clean(HEAD "paths:\n"
                                    "  /pets/{id}:\n"
                                    "    delete: {responses: {'204': {description: gone}}}\n"
                                    "    get: {responses: {'200': {description: ok}}}\n"
                                    "    x-internal: true\n"
                                    "  /empty: {}\n");
    const spec_path_t *path;
    const spec_operation_t *op;
    spec_match_t m;
    assert_int_equal(spec_route(spec, "GET", 3, "/pets/1", 7, &path, &op, &m), SPEC_ROUTE_FOUND);
    assert_int_equal(op->method, SPEC_METHOD_GET);
    assert_ptr_equal(op->path, path);
    expect_var(&m, 0, "id", "1");
    assert_int_equal(spec_route(spec, "POST", 4, "/pets/1", 7, &path, &op, NULL),
                     SPEC_ROUTE_NO_METHOD);
    assert_null(op);
    assert_string_equal(path->template, "/pets/{id}");
    char allow[64];
    assert_int_equal(spec_path_allow(path, allow, sizeof(allow)), 11);
    assert_string_equal(allow, "GET, DELETE");
    assert_int_equal(spec_path_allow(path, allow, 5), 11); /* truncated, snprintf-style */
    assert_string_equal(allow, "GET,");
    assert_int_equal(spec_path_methods(path), 1u << SPEC_METHOD_GET | 1u << SPEC_METHOD_DELETE);
    assert_int_equal(spec_route(spec, "PROPFIND", 8, "/pets/1", 7, &path, &op, NULL),
                     SPEC_ROUTE_NO_METHOD);
    assert_int_equal(spec_route(spec, "get", 3, "/pets/1", 7, &path, &op, NULL),
                     SPEC_ROUTE_NO_METHOD); /* methods are case-sensitive (RFC 9110 §9.1) */
    assert_int_equal(spec_route(spec, "GET", 3, "/cats", 5, &path, &op, NULL), SPEC_ROUTE_NO_PATH);
    assert_null(path);
    assert_int_equal(spec_route(spec, "GET", 3, "/empty", 6, &path, &op, NULL),
                     SPEC_ROUTE_NO_METHOD);
    assert_int_equal(spec_path_allow(path, allow, sizeof(allow)), 0);
    assert_string_equal(allow, "");

    /* the method lookup alone, on a path matched already */
    const spec_path_t *pets = spec_match(spec, "/pets/1", 7, NULL);
    assert_int_equal(spec_route_path(pets, "DELETE", 6, &op), SPEC_ROUTE_FOUND);
    assert_int_equal(op->method, SPEC_METHOD_DELETE);
    assert_int_equal(spec_route_path(pets, "HEAD", 4, &op), SPEC_ROUTE_FOUND); /* GET's */
    assert_int_equal(op->method, SPEC_METHOD_GET);
    assert_int_equal(spec_route_path(pets, "PUT", 3, &op), SPEC_ROUTE_NO_METHOD);
    assert_null(op);
    spec_destroy(spec);
}

static void test_broken_path_item_not_matched(void **state)
{
    spec_t *spec = parse_spec(HEAD "paths:\n"
                                   "  /gone: {$ref: '#/components/pathItems/Nope'}\n"
                                   "  /list: []\n"
                                   "  x-extra: {get: {}}\n");
    assert_int_equal(spec_path_count(spec), 2);
    expect(spec, "/gone", NULL);
    expect(spec, "/list", NULL);
    find_problem(spec, SPEC_PROBLEM_STRUCTURE, "a path item must be a mapping, not a sequence");
    assert_null(spec_path_at(spec, 0)->node);
    spec_destroy(spec);
}

static void test_many_templates(void **state)
{
    size_t cap = 1 << 20, len = 0;
    char *yaml = malloc(cap);
    len += (size_t)snprintf(yaml + len, cap - len, HEAD "paths:\n");
    for (int i = 0; i < 1000; ++i)
        len += (size_t)snprintf(yaml + len, cap - len,
                                "  /r%d/{id}/items/{item}: " OP "\n  /r%d/{id}: " OP "\n", i, i);
    spec_t *spec = parse_clean(yaml);
    free(yaml);
    assert_int_equal(spec_path_count(spec), 2000);
    for (int i = 0; i < 1000; ++i) {
        char path[64], want[64];
        snprintf(path, sizeof(path), "/r%d/x/items/%d", i, i);
        snprintf(want, sizeof(want), "/r%d/{id}/items/{item}", i);
        expect(spec, path, want);
        snprintf(path, sizeof(path), "/r%d/x", i);
        snprintf(want, sizeof(want), "/r%d/{id}", i);
        expect(spec, path, want);
    }
    expect(spec, "/r1000/x", NULL);
    spec_destroy(spec);
}

static void test_no_paths(void **state)
{
    spec_t *spec = parse_clean(HEAD);
    expect(spec, "/", NULL);
    assert_int_equal(spec_path_count(spec), 0);
    spec_destroy(spec);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_literal_beats_template),
        cmocka_unit_test(test_backtracking),
        cmocka_unit_test(test_trailing_slash_and_empty_segments),
        cmocka_unit_test(test_partial_segments),
        cmocka_unit_test(test_percent_encoding),
        cmocka_unit_test(test_ambiguous_templates),
        cmocka_unit_test(test_malformed_templates),
        cmocka_unit_test(test_route_and_allow),
        cmocka_unit_test(test_broken_path_item_not_matched),
        cmocka_unit_test(test_many_templates),
        cmocka_unit_test(test_no_paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
