/* Internal: allocation wrappers of the contract-tests library. Out of memory aborts (the project's
 * one policy); sizes that come from input are bounded by the callers before they get here. */
#ifndef CT_ALLOC_H
#define CT_ALLOC_H

#include <stddef.h>

void *ct__xmalloc(size_t size);
void *ct__xcalloc(size_t n, size_t size);
void *ct__xrealloc(void *p, size_t size);
char *ct__xstrndup(const char *s, size_t len);
/* Grows *items (of `item_size` bytes each) so that it holds at least `need` items. */
void ct__grow(void **items, size_t *cap, size_t need, size_t item_size);

#endif
