/* Helpers shared by the adapters' unit tests: registries from inline YAML, JSON comparisons,
 * one-call upgrades and downgrades. */
#ifndef ADP_TEST_UTIL_H
#define ADP_TEST_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
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

/* Upgrades a body through `plan`; returns the new body and the mismatch count. */
static inline json_t *upgrade_body(const adp_plan_t *plan, const char *body, size_t *mismatches,
                                   char *pointer)
{
    adp_request_t req;
    adp_request_init(&req);
    req.path = "/";
    req.path_len = 1;
    adp_request_set_body_new(&req, js(body));
    assert_int_equal(adp_request_upgrade(plan, &req), ADP_OK);
    json_t *out = json_incref(req.body);
    if (mismatches != NULL)
        *mismatches = req.mismatches;
    if (pointer != NULL)
        strcpy(pointer, req.mismatches ? req.first_mismatch.pointer : "");
    adp_request_dispose(&req);
    return out;
}

static inline json_t *downgrade_body(const adp_plan_t *plan, int status, const char *body,
                                     size_t *mismatches, char *pointer)
{
    adp_response_t res;
    adp_response_init(&res);
    res.status = status;
    adp_response_set_body_new(&res, js(body));
    adp_response_downgrade(plan, &res);
    json_t *out = json_incref(res.body);
    if (mismatches != NULL)
        *mismatches = res.mismatches;
    if (pointer != NULL)
        strcpy(pointer, res.mismatches ? res.first_mismatch.pointer : "");
    adp_response_dispose(&res);
    return out;
}

#endif
