/* Memory for the adapters: abort-on-failure wrappers and the registry's arena. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "alloc.h"

#define CHUNK_SIZE (32 * 1024)

struct adp__arena_chunk {
    struct adp__arena_chunk *next;
    size_t used, size;
    _Alignas(8) char bytes[];
};

void *adp__xmalloc(size_t size)
{
    void *p = malloc(size != 0 ? size : 1);
    if (p == NULL)
        abort();
    return p;
}

void *adp__xcalloc(size_t n, size_t size)
{
    void *p = calloc(n != 0 ? n : 1, size != 0 ? size : 1);
    if (p == NULL)
        abort();
    return p;
}

void *adp__xrealloc(void *p, size_t size)
{
    void *r = realloc(p, size != 0 ? size : 1);
    if (r == NULL)
        abort();
    return r;
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
    a->chunks = NULL;
}

void adp__arena_dispose(adp__arena_t *a)
{
    struct adp__arena_chunk *c = a->chunks;
    while (c != NULL) {
        struct adp__arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    a->chunks = NULL;
}

void *adp__arena_alloc(adp__arena_t *a, size_t size)
{
    size = (size + 7) & ~(size_t)7;
    struct adp__arena_chunk *c = a->chunks;
    if (c == NULL || c->size - c->used < size) {
        size_t csize = size > CHUNK_SIZE / 4 ? size : CHUNK_SIZE;
        c = adp__xmalloc(sizeof(*c) + csize);
        c->used = 0;
        c->size = csize;
        /* A large one-off block goes behind the current chunk, whose free space stays usable. */
        if (csize != CHUNK_SIZE && a->chunks != NULL) {
            c->next = a->chunks->next;
            a->chunks->next = c;
        } else {
            c->next = a->chunks;
            a->chunks = c;
        }
    }
    void *p = c->bytes + c->used;
    c->used += size;
    memset(p, 0, size);
    return p;
}

char *adp__arena_strndup(adp__arena_t *a, const char *s, size_t len)
{
    char *p = adp__arena_alloc(a, len + 1);
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
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
