/* Memory for the OpenAPI model: abort-on-failure malloc wrappers, the spec's arena, and the
 * pointer-keyed hash map used for reference lookup and visited sets. */
#include <stdlib.h>
#include <string.h>
#include "spec_internal.h"

/* Chunks start small and double up to CHUNK_SIZE (many small arenas stay small). */
#define FIRST_CHUNK (2 * 1024)
#define CHUNK_SIZE (64 * 1024)

struct spec__arena_chunk {
    struct spec__arena_chunk *next;
    size_t used, size;
    _Alignas(8) char bytes[];
};

void *spec__xmalloc(size_t size)
{
    void *p = malloc(size != 0 ? size : 1);
    if (p == NULL)
        abort();
    return p;
}

void *spec__xcalloc(size_t n, size_t size)
{
    void *p = calloc(n != 0 ? n : 1, size != 0 ? size : 1);
    if (p == NULL)
        abort();
    return p;
}

void *spec__xrealloc(void *p, size_t size)
{
    void *r = realloc(p, size != 0 ? size : 1);
    if (r == NULL)
        abort();
    return r;
}

void spec__arena_init(spec__arena_t *a)
{
    a->chunks = NULL;
}

void spec__arena_dispose(spec__arena_t *a)
{
    struct spec__arena_chunk *c = a->chunks;
    while (c != NULL) {
        struct spec__arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    a->chunks = NULL;
}

void *spec__arena_alloc(spec__arena_t *a, size_t size)
{
    size = (size + 7) & ~(size_t)7;
    struct spec__arena_chunk *c = a->chunks;
    if (c == NULL || c->size - c->used < size) {
        size_t regular = c == NULL ? FIRST_CHUNK : c->size * 2 < CHUNK_SIZE ? c->size * 2 : CHUNK_SIZE;
        size_t csize = size > regular / 4 ? size : regular;
        c = spec__xmalloc(sizeof(*c) + csize);
        c->used = 0;
        c->size = csize;
        /* A large one-off block goes behind the current chunk, whose free space stays usable. */
        if (csize != regular && a->chunks != NULL) {
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

char *spec__arena_strndup(spec__arena_t *a, const char *s, size_t len)
{
    char *p = spec__arena_alloc(a, len + 1);
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

static size_t hash_ptr(uintptr_t k)
{
    /* Fibonacci hashing of the address; the low bits of arena addresses carry little entropy. */
    uint64_t h = (uint64_t)k * 0x9E3779B97F4A7C15ull;
    return (size_t)(h ^ (h >> 29));
}

static void grow(spec__ptrmap_t *m)
{
    size_t oldcap = m->cap;
    uintptr_t *oldkeys = m->keys;
    size_t *oldvalues = m->values;
    m->cap = oldcap != 0 ? oldcap * 2 : 64;
    m->keys = spec__xcalloc(m->cap, sizeof(*m->keys));
    m->values = spec__xmalloc(m->cap * sizeof(*m->values));
    m->len = 0;
    for (size_t i = 0; i < oldcap; ++i)
        if (oldkeys[i] != 0)
            spec__ptrmap_put(m, oldkeys[i], oldvalues[i], NULL);
    free(oldkeys);
    free(oldvalues);
}

void spec__ptrmap_dispose(spec__ptrmap_t *m)
{
    free(m->keys);
    free(m->values);
    memset(m, 0, sizeof(*m));
}

/* The slot holding `key`, or the empty slot where it belongs. */
static size_t find(const spec__ptrmap_t *m, uintptr_t key)
{
    size_t mask = m->cap - 1, i = hash_ptr(key) & mask;
    while (m->keys[i] != 0 && m->keys[i] != key)
        i = (i + 1) & mask;
    return i;
}

int spec__ptrmap_put(spec__ptrmap_t *m, uintptr_t key, size_t value, size_t *existing)
{
    if ((m->len + 1) * 4 > m->cap * 3)
        grow(m);
    size_t i = find(m, key);
    if (m->keys[i] == key) {
        if (existing != NULL)
            *existing = m->values[i];
        return 0;
    }
    m->keys[i] = key;
    m->values[i] = value;
    ++m->len;
    return 1;
}

size_t *spec__ptrmap_slot(spec__ptrmap_t *m, uintptr_t key)
{
    if ((m->len + 1) * 4 > m->cap * 3)
        grow(m);
    size_t i = find(m, key);
    if (m->keys[i] != key) {
        m->keys[i] = key;
        m->values[i] = 0;
        ++m->len;
    }
    return &m->values[i];
}

int spec__ptrmap_get(const spec__ptrmap_t *m, uintptr_t key, size_t *value)
{
    if (m->cap == 0)
        return 0;
    size_t i = find(m, key);
    if (m->keys[i] != key)
        return 0;
    if (value != NULL)
        *value = m->values[i];
    return 1;
}
