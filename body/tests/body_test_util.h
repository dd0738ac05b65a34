/* Helpers shared by the body model's tests: test memory where every allocation is a malloc of
 * its own (so ASan catches the parser or writer going past one), parse and dump shortcuts, and
 * expectations on results and rejections. */
#ifndef BODY_TEST_UTIL_H
#define BODY_TEST_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "body.h"

/* Test memory used like a bump arena (released all at once), but every allocation is a malloc
 * of its own, exactly sized, so that ASan catches the parser or writer going past one. */
typedef struct st_tmem_t {
    body_mem_t mem;
    void **blocks;
    size_t n, cap;
} tmem_t;

static inline void *tmem_alloc(void *ctx, size_t size)
{
    tmem_t *t = ctx;
    if (t->n == t->cap) {
        t->cap = t->cap == 0 ? 64 : t->cap * 2;
        t->blocks = realloc(t->blocks, t->cap * sizeof(*t->blocks));
        assert_non_null(t->blocks);
    }
    void *p = malloc(size != 0 ? size : 1);
    assert_non_null(p);
    assert_true(((uintptr_t)p & 7) == 0);
    return t->blocks[t->n++] = p;
}

static inline void tmem_init(tmem_t *t)
{
    *t = (tmem_t){.mem = {tmem_alloc, t}};
}

static inline void tmem_dispose(tmem_t *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->blocks[i]);
    free(t->blocks);
}

/* A copy of text[0..len) in memory of exactly that size (no NUL after it). */
static inline const char *exact(tmem_t *t, const char *text, size_t len)
{
    char *p = tmem_alloc(t, len);
    if (len != 0)
        memcpy(p, text, len);
    return p;
}

static inline body_value_t *parse_n(tmem_t *t, const char *text, size_t len)
{
    body_error_t err;
    body_value_t *v = body_parse(&t->mem, exact(t, text, len), len, 0, &err);
    if (v == NULL)
        fail_msg("'%.*s': %u:%u: %s", (int)len, text, err.line, err.col, err.message);
    return v;
}

static inline body_value_t *parse(tmem_t *t, const char *text)
{
    return parse_n(t, text, strlen(text));
}

/* The compact text of v, NUL-terminated (the writer never emits a raw NUL). */
static inline const char *dump(tmem_t *t, const body_value_t *v)
{
    size_t len;
    const char *s = body_dump(&t->mem, v, &len);
    assert_int_equal(len, body_write_size(v));
    assert_null(memchr(s, '\0', len));
    char *z = tmem_alloc(t, len + 1);
    memcpy(z, s, len);
    z[len] = '\0';
    return z;
}

static inline void expect_dump(const char *in, const char *want)
{
    tmem_t t;
    tmem_init(&t);
    assert_string_equal(dump(&t, parse(&t, in)), want);
    tmem_dispose(&t);
}

static inline void expect_bad_n(const char *text, size_t len, const char *message, size_t offset,
                                unsigned line, unsigned col)
{
    tmem_t t;
    tmem_init(&t);
    body_error_t err = {0};
    body_value_t *v = body_parse(&t.mem, exact(&t, text, len), len, 0, &err);
    if (v != NULL)
        fail_msg("'%.*s' accepted (expected %s)", (int)len, text, message);
    body_errcode_t code = strcmp(message, "nesting too deep") == 0 ? BODY_EDEPTH
                          : len == 0 || len > UINT32_MAX           ? BODY_ESIZE
                                                                   : BODY_ESYNTAX;
    assert_int_equal(err.code, code);
    if (strcmp(err.message, message) != 0 || err.offset != offset || err.line != line ||
        err.col != col)
        fail_msg("'%.*s': got %s at %zu (%u:%u), expected %s at %zu (%u:%u)", (int)len, text,
                 err.message, err.offset, err.line, err.col, message, offset, line, col);
    tmem_dispose(&t);
}

static inline void expect_bad(const char *text, const char *message, size_t offset)
{
    expect_bad_n(text, strlen(text), message, offset, 1, (unsigned)offset + 1);
}

#endif
