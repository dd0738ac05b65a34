/* Memory for the adapters: abort-on-failure wrappers and the registry's arena. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "alloc.h"

void *adp__xmalloc(size_t size)
{
    return spec__xmalloc(size);
}

void *adp__xcalloc(size_t n, size_t size)
{
    return spec__xcalloc(n, size);
}

void *adp__xrealloc(void *p, size_t size)
{
    return spec__xrealloc(p, size);
}

void adp__grow(void *items, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return;
    size_t c = *cap != 0 ? *cap : 4;
    while (c < need)
        c *= 2;
    *(void **)items = adp__xrealloc(*(void **)items, c * size);
    *cap = c;
}

void adp__arena_init(adp__arena_t *a)
{
    spec__arena_init(a);
}

void adp__arena_dispose(adp__arena_t *a)
{
    spec__arena_dispose(a);
}

void *adp__arena_alloc(adp__arena_t *a, size_t size)
{
    return spec__arena_alloc(a, size); /* zeroed, 8-byte aligned */
}

char *adp__arena_strndup(adp__arena_t *a, const char *s, size_t len)
{
    return spec__arena_strndup(a, s, len);
}

char *adp__arena_strdup(adp__arena_t *a, const char *s)
{
    return adp__arena_strndup(a, s, strlen(s));
}

char *adp__arena_printf(adp__arena_t *a, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    if ((size_t)n < sizeof(small))
        return adp__arena_strndup(a, small, (size_t)n);
    char *p = adp__arena_alloc(a, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

void *adp__arena_memdup(adp__arena_t *a, const void *p, size_t n, size_t size)
{
    if (n == 0)
        return NULL;
    void *r = adp__arena_alloc(a, n * size);
    memcpy(r, p, n * size);
    return r;
}

static void *arena_mem_alloc(void *ctx, size_t size)
{
    return adp__arena_alloc(ctx, size);
}

body_mem_t adp__arena_mem(adp__arena_t *a)
{
    return (body_mem_t){arena_mem_alloc, a};
}
