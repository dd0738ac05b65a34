/* Memory for the adapters: abort-on-failure malloc wrappers and the registry's bump arena
 * (everything a registry owns, except jansson values, is freed at once with it). */
#ifndef ADP_ALLOC_H
#define ADP_ALLOC_H

#include <stddef.h>
#include "adapters.h"
#include "spec_internal.h"

void *adp__xmalloc(size_t size);
void *adp__xcalloc(size_t n, size_t size);
void *adp__xrealloc(void *p, size_t size);
/* Grows *items (of `size` bytes each) so that it holds at least `need`; doubles the capacity. */
void adp__grow(void *items, size_t *cap, size_t need, size_t size);

/* The specs component's arena (one implementation for both); adapters add a few helpers. */
typedef spec__arena_t adp__arena_t;

void adp__arena_init(adp__arena_t *a);
void adp__arena_dispose(adp__arena_t *a);
/* Zeroed, 8-byte aligned memory. */
void *adp__arena_alloc(adp__arena_t *a, size_t size);
char *adp__arena_strndup(adp__arena_t *a, const char *s, size_t len);
char *adp__arena_strdup(adp__arena_t *a, const char *s);
char *adp__arena_printf(adp__arena_t *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The arena as an body_mem_t (for body values: plan constants, an exchange's own memory). */
body_mem_t adp__arena_mem(adp__arena_t *a);
/* Copies n items of `size` bytes (NULL when n is 0). */
void *adp__arena_memdup(adp__arena_t *a, const void *p, size_t n, size_t size);

#endif
