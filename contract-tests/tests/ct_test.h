/* Helpers shared by the contract-tests unit tests (include after cmocka.h). */
#ifndef CT_TEST_H
#define CT_TEST_H

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ct_diff.h"
#include "ct_rules.h"

/* Memory for the test's body values: one arena for the whole test program, released at exit. */
static inline const body_mem_t *ct_test_mem(void)
{
    static body_arena_t arena;
    static body_mem_t mem;
    if (mem.alloc == NULL) {
        body_arena_init(&arena);
        mem = body_arena_mem(&arena);
    }
    return &mem;
}

/* A JSON text in the body model, parsed as ct_compare parses bodies. */
static inline body_value_t *ct_test_parse(const char *text)
{
    body_error_t err;
    body_value_t *v = body_parse(ct_test_mem(), text, strlen(text), BODY_PARSE_FINITE, &err);
    if (v == NULL)
        fail_msg("bad test JSON %s: %s", text, err.message);
    return v;
}

/* The same for a printf-formatted text (up to 255 bytes), copied into the test memory. */
static inline body_value_t *ct_test_parse_fmt(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
static inline body_value_t *ct_test_parse_fmt(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    size_t n = strlen(buf) + 1;
    char *text = body_alloc(ct_test_mem(), n); /* parsed values point into their text */
    memcpy(text, buf, n);
    return ct_test_parse(text);
}

/* Compares two JSON texts with ct_compare_json. */
static inline int ct_test_diff(const ct_rules_t *rules, const char *a, const char *b,
                               ct_result_t *res)
{
    return ct_compare_json(rules, NULL, ct_test_parse(a), ct_test_parse(b), res);
}

static inline const ct_diff_t *ct_test_find(const ct_result_t *res, ct_kind_t kind,
                                            const char *path)
{
    for (size_t i = 0; i < res->num_diffs; i++)
        if (res->diffs[i].kind == kind && strcmp(res->diffs[i].path, path) == 0)
            return &res->diffs[i];
    return NULL;
}

/* Fails the test with every difference listed unless exactly this one difference was found. */
static inline const ct_diff_t *ct_test_only(const ct_result_t *res, ct_kind_t kind,
                                            const char *path)
{
    if (res->num_diffs != 1 || res->diffs[0].kind != kind ||
        strcmp(res->diffs[0].path, path) != 0) {
        for (size_t i = 0; i < res->num_diffs; i++) {
            char line[512];
            ct_diff_format(&res->diffs[i], line, sizeof(line));
            print_message("  got: %s\n", line);
        }
        fail_msg("expected exactly one %s at %s, got %zu differences", ct_kind_name(kind), path,
                 res->num_diffs);
    }
    return &res->diffs[0];
}

static inline ct_rules_t *ct_test_rules(const char *const *lines, size_t n)
{
    ct_error_t err;
    ct_rules_t *rules = ct_rules_create(NULL, &err);
    assert_non_null(rules);
    for (size_t i = 0; i < n; i++)
        if (ct_rules_add_line(rules, lines[i], &err) != 0)
            fail_msg("rule %s: %s", lines[i], err.message);
    return rules;
}

static inline ct_response_t ct_test_response(int status, const char *content_type, const char *body)
{
    ct_response_t r = {.status = status};
    if (content_type != NULL) {
        r.content_type = content_type;
        r.content_type_len = strlen(content_type);
    }
    r.body = body;
    r.body_len = body != NULL ? strlen(body) : 0;
    return r;
}

#endif
