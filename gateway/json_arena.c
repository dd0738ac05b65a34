/* Arena allocator for jansson (see json_arena.h). Each block handed out carries an 8-byte header
 * saying where it came from, so free() of an arena block is a no-op and of a malloc'ed one a
 * free(), whichever scope the value outlived. */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include "json_arena.h"

#define CHUNK (256 * 1024)
#define KEEP_CHUNKS 4 /* memory kept per thread between scopes: 1 MiB */

enum { FROM_MALLOC = 1, FROM_ARENA = 2 };

struct chunk {
    struct chunk *next;
    size_t used, size;
    max_align_t bytes[];
};

/* The scope's state is per thread by nature (one loop per thread, one body at a time); it holds
 * no configuration, only reusable memory. */
static __thread struct {
    int active;
    struct chunk *chunks; /* current first */
    struct chunk *spare;  /* kept from earlier scopes */
    size_t nspare;
} arena;

static void *arena_alloc(size_t size)
{
    size = (size + 15) & ~(size_t)15;
    struct chunk *c = arena.chunks;
    if (c == NULL || c->size - c->used < size) {
        if (size <= CHUNK && arena.spare != NULL) {
            c = arena.spare;
            arena.spare = c->next;
            --arena.nspare;
        } else {
            size_t cap = size > CHUNK ? size : CHUNK;
            if ((c = malloc(sizeof(*c) + cap)) == NULL)
                abort();
            c->size = cap;
        }
        c->used = 0;
        c->next = arena.chunks;
        arena.chunks = c;
    }
    void *p = (char *)c->bytes + c->used;
    c->used += size;
    return p;
}

static void *json_alloc(size_t size)
{
    uint64_t *p = arena.active ? arena_alloc(size + 16) : malloc(size + 16);
    if (p == NULL)
        return NULL;
    p[0] = arena.active ? FROM_ARENA : FROM_MALLOC;
    return p + 2; /* keeps 16-byte alignment */
}

static void json_release(void *ptr)
{
    if (ptr == NULL)
        return;
    uint64_t *p = (uint64_t *)ptr - 2;
    if (p[0] == FROM_MALLOC)
        free(p);
}

void gw_json_arena_install(void)
{
    json_set_alloc_funcs(json_alloc, json_release);
}

void gw_json_arena_begin(void)
{
    arena.active = 1;
}

void gw_json_arena_end(void)
{
    arena.active = 0;
    while (arena.chunks != NULL) {
        struct chunk *c = arena.chunks;
        arena.chunks = c->next;
        if (c->size == CHUNK && arena.nspare < KEEP_CHUNKS) {
            c->next = arena.spare;
            arena.spare = c;
            ++arena.nspare;
        } else {
            free(c);
        }
    }
}

void gw_json_arena_thread_dispose(void)
{
    gw_json_arena_end();
    while (arena.spare != NULL) {
        struct chunk *c = arena.spare;
        arena.spare = c->next;
        free(c);
    }
    arena.nspare = 0;
}
