/* Helpers shared by the OpenAPI model's unit tests: parse a spec from a string, find problems. */
#ifndef SPEC_TEST_UTIL_H
#define SPEC_TEST_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "spec.h"

#define FIXTURES "specs/tests/fixtures/"

static inline void dump_problems(const spec_t *spec)
{
    size_t n;
    const spec_problem_t *p = spec_problems(spec, &n);
    for (size_t i = 0; i < n; ++i) {
        char buf[1600];
        print_message("problem %zu [%s] %s (pointer '%s')\n", i, p[i].code,
                      spec_error_format(&p[i].error, buf, sizeof(buf)), p[i].error.pointer);
    }
}

/* Parses `yaml` as t.yaml; fails the test on a fatal error. */
static inline spec_t *parse_spec(const char *yaml)
{
    spec_t *spec = NULL;
    spec_error_t err;
    if (spec_parse(&spec, "t.yaml", yaml, strlen(yaml), NULL, &err) != 0)
        fail_msg("unexpected fatal error: %u:%u: %s", err.line, err.col, err.message);
    return spec;
}

/* Like parse_spec, and the spec must have no problems at all. */
static inline spec_t *parse_clean(const char *yaml)
{
    spec_t *spec = parse_spec(yaml);
    size_t n;
    spec_problems(spec, &n);
    if (n != 0) {
        dump_problems(spec);
        fail_msg("expected no problems, got %zu", n);
    }
    return spec;
}

static inline spec_t *load_spec(const char *path)
{
    spec_t *spec = NULL;
    spec_error_t err;
    if (spec_load(&spec, path, NULL, &err) != 0)
        fail_msg("unexpected fatal error: %s:%u:%u: %s", err.file, err.line, err.col, err.message);
    return spec;
}

/* The problem whose message contains `needle`, or a test failure. */
static inline const spec_problem_t *find_problem(const spec_t *spec, const char *code,
                                                 const char *needle)
{
    size_t n;
    const spec_problem_t *p = spec_problems(spec, &n);
    for (size_t i = 0; i < n; ++i)
        if (strcmp(p[i].code, code) == 0 && strstr(p[i].error.message, needle) != NULL)
            return &p[i];
    dump_problems(spec);
    fail_msg("no %s problem mentioning '%s'", code, needle);
    return NULL;
}

static inline void assert_position(const spec_error_t *e, const char *file, uint32_t line,
                                   uint32_t col, const char *pointer)
{
    if (strcmp(e->file, file) != 0 || e->line != line || e->col != col ||
        (pointer != NULL && strcmp(e->pointer, pointer) != 0))
        fail_msg("'%s' at %s:%u:%u '%s', expected %s:%u:%u '%s'", e->message, e->file, e->line,
                 e->col, e->pointer, file, line, col, pointer != NULL ? pointer : "(any)");
}

#endif
