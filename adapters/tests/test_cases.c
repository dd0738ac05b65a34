/* Golden-file tests of the adapters: every folder in adapters/tests/cases/ is a case holding
 * adapter.yaml, the specs it names and case.yaml, which lists the versions and the exchanges to
 * run with their expected results (or the load error expected instead). Adding a case needs no
 * C; the format is documented in adapters/README.md ("Golden cases"). Downgraded response
 * bodies are validated against the requested version's spec and upgraded request bodies against
 * the upstream version's, with specs/schema.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "adp_test_util.h"
#include "schema.h"

#define CASES_DIR "adapters/tests/cases"
#define MAX_VERSIONS 16

typedef struct {
    char dir[512];
    spec_doc_t *doc;
    adp_version_info_t versions[MAX_VERSIONS];
    spec_t *specs[MAX_VERSIONS];
    size_t n;
    adp_registry_t *reg;
} case_t;

static json_t *to_json(const spec_node_t *n)
{
    if (n == NULL)
        return NULL;
    spec_error_t err;
    json_t *v = spec_node_to_json(n, NULL, &err);
    if (v == NULL)
        fail_msg("%u:%u: %s", err.line, err.col, err.message);
    return v;
}

static char *dump(const json_t *v)
{
    return v != NULL ? json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT) : strdup("(none)");
}

/* A case's body (YAML) as the bytes an exchange carries, in a buffer of exactly their length;
 * NULL when the case has none. */
static char *body_bytes(const spec_node_t *n, size_t *len)
{
    *len = 0;
    json_t *v = to_json(n);
    if (v == NULL)
        return NULL;
    size_t size = json_dumpb(v, NULL, 0, JSON_ENCODE_ANY | JSON_COMPACT);
    char *out = malloc(size != 0 ? size : 1);
    assert_non_null(out);
    assert_int_equal(json_dumpb(v, out, size, JSON_ENCODE_ANY | JSON_COMPACT), size);
    json_decref(v);
    *len = size;
    return out;
}

static const char *str_of(const spec_node_t *map, const char *key)
{
    return spec_node_scalar(spec_node_get(map, key));
}

static void load_versions(case_t *c, const spec_node_t *list)
{
    assert_non_null(list);
    c->n = list->u.seq.len;
    assert_true(c->n <= MAX_VERSIONS);
    for (size_t i = 0; i < c->n; ++i) {
        const spec_node_t *v = list->u.seq.items[i];
        c->versions[i].name = str_of(v, "name");
        assert_non_null(c->versions[i].name);
        int up = 0;
        const spec_node_t *u = spec_node_get(v, "upstream");
        if (u != NULL)
            assert_int_equal(spec_node_bool(u, &up), 0);
        c->versions[i].has_upstream = up;
        const char *spec = str_of(v, "spec");
        if (spec != NULL) {
            char path[1024];
            spec_error_t err;
            snprintf(path, sizeof(path), "%s/%s", c->dir, spec);
            if (spec_load(&c->specs[i], path, NULL, &err) != 0)
                fail_msg("%s:%u:%u: %s", err.file, err.line, err.col, err.message);
            if (spec_error_count(c->specs[i]) != 0) {
                size_t np;
                const spec_problem_t *p = spec_problems(c->specs[i], &np);
                fail_msg("%s:%u:%u: %s", p[0].error.file, p[0].error.line, p[0].error.col,
                         p[0].error.message);
            }
        }
        c->versions[i].spec = c->specs[i];
    }
}

/* "adapter.yaml:3:5: message" with the case folder stripped. */
static void format_error(const case_t *c, const spec_error_t *err, char *buf, size_t size)
{
    const char *file = err->file;
    size_t dlen = strlen(c->dir);
    if (strncmp(file, c->dir, dlen) == 0 && file[dlen] == '/')
        file += dlen + 1;
    snprintf(buf, size, "%s:%u:%u: %s", file, err->line, err->col, err->message);
}

/* ---- fields ---- */

static void fields_from(adp_fields_t *f, const spec_node_t *n)
{
    if (n == NULL)
        return;
    assert_int_equal(n->kind, SPEC_NODE_MAPPING);
    for (size_t i = 0; i < n->u.map.len; ++i) {
        const spec_node_t *k = n->u.map.items[i].key, *v = n->u.map.items[i].value;
        const char *s = spec_node_scalar(v);
        assert_non_null(s);
        adp_fields_push(f, k->u.scalar.str, k->u.scalar.len, s, v->u.scalar.len);
    }
}

static char *fields_text(const adp_fields_t *f)
{
    char *out = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&out, &len);
    for (size_t i = 0; i < f->len; ++i)
        fprintf(m, "%.*s: %.*s\n", (int)f->entries[i].name_len, f->entries[i].name,
                (int)f->entries[i].value_len,
                f->entries[i].value != NULL ? f->entries[i].value : "");
    fclose(m);
    return out;
}

static void expect_fields(const char *what, const adp_fields_t *actual, const spec_node_t *n)
{
    if (n == NULL)
        return;
    adp_fields_t want;
    adp_fields_init(&want);
    fields_from(&want, n);
    char *a = fields_text(actual), *w = fields_text(&want);
    if (strcmp(a, w) != 0) {
        print_message("# %s headers expected:\n%s# actual:\n%s", what, w, a);
        free(a);
        free(w);
        adp_fields_dispose(&want);
        fail_msg("%s headers differ", what);
    }
    free(a);
    free(w);
    adp_fields_dispose(&want);
}

static void expect_body(const char *what, const json_t *actual, const spec_node_t *n)
{
    if (n == NULL)
        return;
    json_t *want = spec_node_is(n, "~absent") ? NULL : to_json(n);
    int same = want == NULL ? actual == NULL : actual != NULL && json_equal(want, (json_t *)actual);
    if (!same) {
        char *a = dump(actual), *w = dump(want);
        print_message("# %s body expected: %s\n# actual:   %s\n", what, w, a);
        free(a);
        free(w);
        json_decref(want);
        fail_msg("%s body differs", what);
    }
    json_decref(want);
}

static void expect_int(const char *what, long actual, const spec_node_t *n)
{
    int64_t v;
    if (n == NULL)
        return;
    assert_int_equal(spec_node_int(n, &v), 0);
    if (v != actual)
        fail_msg("%s: expected %lld, got %ld", what, (long long)v, actual);
}

static void validate(const char *what, const spec_t *spec, const spec_node_t *schema,
                     const json_t *body, spec_validate_direction_t dir)
{
    if (spec == NULL || schema == NULL || body == NULL)
        return;
    spec_validator_t *v = spec_validator_create(spec);
    spec_validation_t out;
    spec_validation_init(&out);
    spec_validate_options_t opts = {dir, 8};
    /* the validator takes body-model values: the test's jansson value through its text */
    char *text = json_dumps(body, JSON_ENCODE_ANY | JSON_COMPACT);
    body_arena_t arena;
    body_arena_init(&arena);
    body_mem_t mem = body_arena_mem(&arena);
    body_value_t *inst = body_parse(&mem, text, strlen(text), 0, NULL);
    assert_non_null(inst);
    size_t n = spec_validate(v, schema, inst, &opts, &out);
    body_arena_dispose(&arena);
    free(text);
    for (size_t i = 0; i < n; ++i)
        print_message("# %s: %s: %s\n", what, out.errors[i].instance_path, out.errors[i].message);
    spec_validation_dispose(&out);
    spec_validator_destroy(v);
    if (n != 0)
        fail_msg("%s does not validate against the spec", what);
}

/* ---- one exchange ---- */

static const spec_operation_t *operation_of(const case_t *c, size_t vi, const char *id,
                                            const char *method, const char *tpl)
{
    const spec_t *spec = c->specs[vi];
    if (spec == NULL)
        return NULL;
    if (id != NULL)
        return spec_find_operation_by_id(spec, id);
    const spec_path_t *p = tpl != NULL ? spec_find_path(spec, tpl) : NULL;
    spec_method_t m;
    if (p == NULL || spec_method_parse(method, strlen(method), &m) != 0)
        return NULL;
    return p->by_method[m];
}

static void run_exchange(case_t *c, const spec_node_t *x)
{
    const char *vname = str_of(x, "version");
    assert_non_null(vname);
    size_t vi = adp_registry_version(c->reg, vname);
    assert_true(vi != SIZE_MAX);
    const char *id = str_of(x, "operation"), *method = str_of(x, "method");
    const char *tpl = str_of(x, "template");
    const spec_node_t *req_n = spec_node_get(x, "request"), *up_n = spec_node_get(x, "upgraded");
    const spec_node_t *res_n = spec_node_get(x, "response"),
                      *down_n = spec_node_get(x, "downgraded");
    const char *path = req_n != NULL ? str_of(req_n, "path") : NULL;
    const adp_plan_t *plan;
    if (spec_node_get(x, "match") != NULL) { /* versions without a spec: match the concrete path */
        assert_non_null(method);
        assert_non_null(path);
        plan = adp_plan_match(c->reg, vi, method, path, strlen(path));
    } else {
        plan = adp_plan_find(c->reg, vi, id, method, tpl);
    }
    const spec_node_t *want_plan = spec_node_get(x, "plan");
    if (want_plan != NULL && spec_node_is(want_plan, "none")) {
        assert_null(plan);
        return;
    }
    assert_non_null(plan);
    if (want_plan != NULL)
        assert_string_equal(adp_plan_operation(plan), spec_node_scalar(want_plan));
    const char *now_s = str_of(x, "now");
    int64_t now = 0;
    if (now_s != NULL)
        assert_int_equal(adp_parse_date(now_s, strlen(now_s), &now), 0);
    const char *detail = NULL;
    int gone = adp_plan_gone(plan, (time_t)now, &detail);
    const spec_node_t *want_gone = up_n != NULL ? spec_node_get(up_n, "gone") : NULL;
    if (want_gone != NULL) {
        assert_true(gone);
        assert_string_equal(detail, spec_node_scalar(want_gone));
        return;
    }
    assert_false(gone);
    size_t upstream = adp_registry_upstream_of(c->reg, vi);
    const spec_operation_t *old_op = operation_of(c, vi, id, method, tpl);

    if (req_n != NULL) {
        adp_request_t req;
        adp_request_init(&req);
        req.path = path != NULL ? path : "/";
        req.path_len = strlen(req.path);
        req.query = str_of(req_n, "query");
        req.query_len = req.query != NULL ? strlen(req.query) : 0;
        fields_from(&req.headers, spec_node_get(req_n, "headers"));
        test_mem_t mem;
        req.mem = test_mem(&mem);
        char *in = body_bytes(spec_node_get(req_n, "body"), &req.body_len);
        req.body = in;
        adp_result_t r = adp_request_upgrade(plan, &req);
        const char *want_r = up_n != NULL ? str_of(up_n, "result") : NULL;
        assert_string_equal(r == ADP_OK         ? "ok"
                            : r == ADP_GONE     ? "gone"
                            : r == ADP_BAD_BODY ? "bad_body"
                                                : "bad_path",
                            want_r != NULL ? want_r : "ok");
        json_t *body = r == ADP_OK ? js_bytes(req.body, req.body_len) : NULL;
        if (up_n != NULL) {
            const char *p = str_of(up_n, "path"), *q = str_of(up_n, "query");
            if (p != NULL)
                assert_string_equal(req.upstream_path != NULL ? req.upstream_path : req.path, p);
            if (q != NULL)
                assert_string_equal(req.upstream_query != NULL ? req.upstream_query
                                    : req.query != NULL        ? req.query
                                                               : "",
                                    q);
            expect_fields("upgraded", &req.headers, spec_node_get(up_n, "headers"));
            expect_body("upgraded", body, spec_node_get(up_n, "body"));
            expect_int("upgraded mismatches", (long)req.mismatches,
                       spec_node_get(up_n, "mismatches"));
            const char *ptr = str_of(up_n, "mismatch_at");
            if (ptr != NULL)
                assert_string_equal(req.first_mismatch.pointer, ptr);
        }
        int check = 1;
        const spec_node_t *vn = up_n != NULL ? spec_node_get(up_n, "validate") : NULL;
        if (vn != NULL)
            assert_int_equal(spec_node_bool(vn, &check), 0);
        if (check && r == ADP_OK && method != NULL && c->specs[upstream] != NULL && body != NULL) {
            const char *upath = req.upstream_path != NULL ? req.upstream_path : req.path;
            const spec_operation_t *op = NULL;
            spec_route(c->specs[upstream], method, strlen(method), upath, strlen(upath), NULL, &op,
                       NULL);
            if (op != NULL)
                validate("upgraded request body", c->specs[upstream],
                         spec_request_schema(c->specs[upstream], op, NULL), body,
                         SPEC_VALIDATE_REQUEST);
        }
        json_decref(body);
        adp_request_dispose(&req);
        test_mem_free(&mem);
        free(in);
    }
    if (res_n != NULL) {
        adp_response_t res;
        adp_response_init(&res);
        int64_t status = 200;
        if (spec_node_get(res_n, "status") != NULL)
            assert_int_equal(spec_node_int(spec_node_get(res_n, "status"), &status), 0);
        res.status = (int)status;
        fields_from(&res.headers, spec_node_get(res_n, "headers"));
        test_mem_t mem;
        res.mem = test_mem(&mem);
        char *in = body_bytes(spec_node_get(res_n, "body"), &res.body_len);
        res.body = in;
        const spec_node_t *nb = down_n != NULL ? spec_node_get(down_n, "needs_body") : NULL;
        if (nb != NULL) {
            int want;
            assert_int_equal(spec_node_bool(nb, &want), 0);
            assert_int_equal(adp_plan_response_needs_body(plan, res.status), want);
        }
        adp_response_downgrade(plan, &res);
        adp_plan_deprecation_headers(plan, &res.headers);
        assert_false(res.body_invalid);
        json_t *body = js_bytes(res.body, res.body_len);
        if (down_n != NULL) {
            expect_int("downgraded status", res.status, spec_node_get(down_n, "status"));
            expect_fields("downgraded", &res.headers, spec_node_get(down_n, "headers"));
            expect_body("downgraded", body, spec_node_get(down_n, "body"));
            expect_int("downgraded mismatches", (long)res.mismatches,
                       spec_node_get(down_n, "mismatches"));
            const char *ptr = str_of(down_n, "mismatch_at");
            if (ptr != NULL)
                assert_string_equal(res.first_mismatch.pointer, ptr);
            const char *step = str_of(down_n, "mismatch_step");
            if (step != NULL)
                assert_string_equal(res.first_mismatch.step, step);
        }
        /* the client must receive a body its own version's spec describes */
        int check = 1;
        const spec_node_t *vn = down_n != NULL ? spec_node_get(down_n, "validate") : NULL;
        if (vn != NULL)
            assert_int_equal(spec_node_bool(vn, &check), 0);
        if (check && old_op != NULL)
            validate("downgraded response body", c->specs[vi],
                     spec_response_schema(c->specs[vi], old_op, res.status, NULL), body,
                     SPEC_VALIDATE_RESPONSE);
        json_decref(body);
        adp_response_dispose(&res);
        test_mem_free(&mem);
        free(in);
    }
}

static void run_case(void **state)
{
    const char *name = *state;
    case_t c;
    memset(&c, 0, sizeof(c));
    snprintf(c.dir, sizeof(c.dir), "%s/%s", CASES_DIR, name);
    char path[1024], msg[2048];
    spec_error_t err;
    snprintf(path, sizeof(path), "%s/case.yaml", c.dir);
    if (spec_doc_load(&c.doc, path, NULL, &err) != 0)
        fail_msg("%s:%u:%u: %s", err.file, err.line, err.col, err.message);
    const spec_node_t *root = spec_doc_root(c.doc);
    load_versions(&c, spec_node_get(root, "versions"));
    snprintf(path, sizeof(path), "%s/adapter.yaml", c.dir);
    adp_load_options_t opts = {.api = str_of(root, "api")};
    int rc = adp_registry_load(&c.reg, path, c.versions, c.n, &opts, &err);
    const char *want_error = str_of(root, "error");
    if (want_error != NULL) {
        assert_int_equal(rc, -1);
        format_error(&c, &err, msg, sizeof(msg));
        assert_string_equal(msg, want_error);
    } else {
        if (rc != 0) {
            format_error(&c, &err, msg, sizeof(msg));
            fail_msg("%s", msg);
        }
        const spec_node_t *xs = spec_node_get(root, "exchanges");
        for (size_t i = 0; xs != NULL && i < xs->u.seq.len; ++i) {
            print_message("# %s: %s\n", name, str_of(xs->u.seq.items[i], "name"));
            run_exchange(&c, xs->u.seq.items[i]);
        }
    }
    adp_registry_destroy(c.reg);
    for (size_t i = 0; i < c.n; ++i)
        spec_destroy(c.specs[i]);
    spec_doc_destroy(c.doc);
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void)
{
    DIR *d = opendir(CASES_DIR);
    if (d == NULL) {
        fprintf(stderr, "cannot open %s (run from the source root)\n", CASES_DIR);
        return 1;
    }
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        names = realloc(names, (n + 1) * sizeof(*names));
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof(*names), cmp_names);
    struct CMUnitTest *tests = calloc(n ? n : 1, sizeof(*tests));
    for (size_t i = 0; i < n; ++i) {
        tests[i].name = names[i];
        tests[i].test_func = run_case;
        tests[i].initial_state = names[i];
    }
    int failed = _cmocka_run_group_tests("adapter-cases", tests, n, NULL, NULL);
    for (size_t i = 0; i < n; ++i)
        free(names[i]);
    free(names);
    free(tests);
    return failed;
}
