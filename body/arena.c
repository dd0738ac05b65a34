/* A malloc-backed bump arena for callers without a pool of their own (the diff engine, schema
 * validation, loaders, tests): blocks that double from 4 KiB to 1 MiB, released at once. */
#include <stdint.h>
#include <stdlib.h>
#include "body_internal.h"

#define BLOCK_MIN (4 * 1024)
#define BLOCK_MAX (1024 * 1024)

struct st_body__block_t {
    struct st_body__block_t *next;
    size_t size, used; /* bytes after the header */
};

#define HEADER ((sizeof(struct st_body__block_t) + 7) & ~(size_t)7)

void body_arena_init(body_arena_t *a)
{
    a->head = NULL;
    a->next_size = BLOCK_MIN;
}

void *body_arena_alloc(body_arena_t *a, size_t size)
{
    size = (size + 7) & ~(size_t)7;
    struct st_body__block_t *b = a->head;
    if (b == NULL || b->size - b->used < size) {
        size_t want = a->next_size;
        if (a->next_size < BLOCK_MAX)
            a->next_size *= 2;
        if (want < size)
            want = size;
        b = body__xrealloc(NULL, HEADER + want);
        b->size = want;
        b->used = 0;
        b->next = a->head;
        a->head = b;
    }
    void *p = (char *)b + HEADER + b->used;
    b->used += size;
    return p;
}

void body_arena_reset(body_arena_t *a)
{
    struct st_body__block_t *keep = a->head;
    if (keep == NULL)
        return;
    for (struct st_body__block_t *b = keep->next, *next; b != NULL; b = next) {
        next = b->next;
        free(b);
    }
    keep->next = NULL;
    keep->used = 0;
}

void body_arena_dispose(body_arena_t *a)
{
    body_arena_reset(a);
    free(a->head);
    a->head = NULL;
}

static void *arena_alloc(void *ctx, size_t size)
{
    return body_arena_alloc(ctx, size);
}

body_mem_t body_arena_mem(body_arena_t *a)
{
    return (body_mem_t){arena_alloc, a};
}
