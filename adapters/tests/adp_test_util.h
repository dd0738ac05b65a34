/* Helpers shared by the adapters' unit tests: registries from inline YAML, JSON comparisons
 * (with jansson, an independent reader of the bytes the adapters write), a counting allocator,
 * one-call upgrades and downgrades. */
#ifndef ADP_TEST_UTIL_H
#define ADP_TEST_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>
#include "adapters.h"

/* Parses `yaml` as an OpenAPI document named `name`; fails the test on any problem. */
static inline spec_t *parse_spec_named(const char *name, const char *yaml)
{
    spec_t *spec = NULL;
    spec_error_t err;
    if (spec_parse(&spec, name, yaml, strlen(yaml), NULL, &err) != 0)
        fail_msg("%s:%u:%u: %s", name, err.line, err.col, err.message);
    if (spec_error_count(spec) != 0) {
        size_t n;
        const spec_problem_t *p = spec_problems(spec, &n);
        fail_msg("%s:%u:%u: %s", name, p[0].error.line, p[0].error.col, p[0].error.message);
    }
    return spec;
}

/* Compiles adapter YAML (named a.yaml) for the given versions; fails the test on an error. */
static inline adp_registry_t *load_reg(const char *yaml, const adp_version_info_t *v, size_t n)
{
    adp_registry_t *reg;
    spec_error_t err;
    if (adp_registry_parse(&reg, "a.yaml", yaml, strlen(yaml), v, n, NULL, &err) != 0)
        fail_msg("%s:%u:%u: %s", err.file, err.line, err.col, err.message);
    return reg;
}

/* Expects compiling to fail with "line:col: message". */
static inline void expect_load_error(const char *yaml, const adp_version_info_t *v, size_t n,
                                     const char *want)
{
    adp_registry_t *reg;
    spec_error_t err;
    char got[1200];
    int rc = adp_registry_parse(&reg, "a.yaml", yaml, strlen(yaml), v, n, NULL, &err);
    if (rc == 0) {
        adp_registry_destroy(reg);
        fail_msg("expected the error '%s', but the file loaded", want);
    }
    assert_null(reg);
    snprintf(got, sizeof(got), "%u:%u: %s", err.line, err.col, err.message);
    if (strcmp(got, want) != 0)
        fail_msg("expected '%s'\n   got      '%s'", want, got);
}

static inline json_t *js(const char *text)
{
    json_error_t e;
    json_t *v = json_loads(text, JSON_DECODE_ANY, &e);
    if (v == NULL)
        fail_msg("bad JSON in test: %s: %s", text, e.text);
    return v;
}

/* Bytes the adapters wrote, parsed by jansson (an independent reader): NULL for no bytes. */
static inline json_t *js_bytes(const char *bytes, size_t len)
{
    if (bytes == NULL)
        return NULL;
    json_error_t e;
    json_t *v = json_loadb(bytes, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
    if (v == NULL)
        fail_msg("the adapters wrote invalid JSON: %s: %.*s", e.text, (int)len, bytes);
    return v;
}

/* A copy of `text` without its NUL, in a buffer of exactly its length: ASan then catches a read
 * past the end of a body. free() it. */
static inline char *exact_copy(const char *text, size_t len)
{
    char *p = malloc(len != 0 ? len : 1);
    assert_non_null(p);
    memcpy(p, text, len);
    return p;
}

/* A caller's body_mem_t for tests: every allocation a malloc of its own (so ASan sees each one's
 * bounds), counted, all freed by test_mem_free. */
typedef struct {
    void **ptrs;
    size_t len, cap;
    size_t calls, bytes;
} test_mem_t;

static inline void *test_mem_alloc(void *ctx, size_t size)
{
    test_mem_t *m = ctx;
    if (m->len == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 64;
        m->ptrs = realloc(m->ptrs, m->cap * sizeof(*m->ptrs));
        assert_non_null(m->ptrs);
    }
    void *p = malloc(size != 0 ? size : 1);
    assert_non_null(p);
    assert_true(((uintptr_t)p & 7) == 0);
    m->ptrs[m->len++] = p;
    m->calls++;
    m->bytes += size;
    return p;
}

static inline body_mem_t test_mem(test_mem_t *m)
{
    memset(m, 0, sizeof(*m));
    return (body_mem_t){test_mem_alloc, m};
}

static inline void test_mem_free(test_mem_t *m)
{
    for (size_t i = 0; i < m->len; ++i)
        free(m->ptrs[i]);
    free(m->ptrs);
    memset(m, 0, sizeof(*m));
}

/* Compares with the expected JSON text (exact: 1 and 1.0 differ); consumes `v`. */
static inline void assert_json(json_t *v, const char *want)
{
    json_t *w = js(want);
    if (v == NULL || !json_equal(v, w)) {
        char *a = v != NULL ? json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_SORT_KEYS) : NULL;
        char *b = json_dumps(w, JSON_ENCODE_ANY | JSON_COMPACT | JSON_SORT_KEYS);
        print_message("expected %s\n     got %s\n", b, a != NULL ? a : "(null)");
        free(a);
        free(b);
        json_decref(v);
        json_decref(w);
        fail_msg("JSON differs");
    }
    json_decref(v);
    json_decref(w);
}

/* Upgrades a body (JSON text) through `plan` in the caller's memory; returns the bytes it would
 * send, parsed by jansson (NULL when the chain removed the body), and the mismatch count. */
static inline json_t *upgrade_body(const adp_plan_t *plan, const char *body, size_t *mismatches,
                                   char *pointer)
{
    test_mem_t mem;
    adp_request_t req;
    adp_request_init(&req);
    req.path = "/";
    req.path_len = 1;
    req.mem = test_mem(&mem);
    char *in = exact_copy(body, strlen(body));
    req.body = in;
    req.body_len = strlen(body);
    assert_int_equal(adp_request_upgrade(plan, &req), ADP_OK);
    json_t *out = js_bytes(req.body, req.body_len);
    if (mismatches != NULL)
        *mismatches = req.mismatches;
    if (pointer != NULL)
        strcpy(pointer, req.mismatches ? req.first_mismatch.pointer : "");
    adp_request_dispose(&req);
    test_mem_free(&mem);
    free(in);
    return out;
}

static inline json_t *downgrade_body(const adp_plan_t *plan, int status, const char *body,
                                     size_t *mismatches, char *pointer)
{
    test_mem_t mem;
    adp_response_t res;
    adp_response_init(&res);
    res.status = status;
    res.mem = test_mem(&mem);
    char *in = exact_copy(body, strlen(body));
    res.body = in;
    res.body_len = strlen(body);
    adp_response_downgrade(plan, &res);
    assert_false(res.body_invalid);
    json_t *out = js_bytes(res.body, res.body_len);
    if (mismatches != NULL)
        *mismatches = res.mismatches;
    if (pointer != NULL)
        strcpy(pointer, res.mismatches ? res.first_mismatch.pointer : "");
    adp_response_dispose(&res);
    test_mem_free(&mem);
    free(in);
    return out;
}

#endif
