/* Aborting allocation wrappers for the contract-tests library. */
#include "ct_alloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *ct__xmalloc(size_t size)
{
    void *p = malloc(size != 0 ? size : 1);
    if (p == NULL) {
        fputs("contract-tests: out of memory\n", stderr);
        abort();
    }
    return p;
}

void *ct__xcalloc(size_t n, size_t size)
{
    void *p = calloc(n != 0 ? n : 1, size != 0 ? size : 1);
    if (p == NULL) {
        fputs("contract-tests: out of memory\n", stderr);
        abort();
    }
    return p;
}

void *ct__xrealloc(void *p, size_t size)
{
    p = realloc(p, size != 0 ? size : 1);
    if (p == NULL) {
        fputs("contract-tests: out of memory\n", stderr);
        abort();
    }
    return p;
}

char *ct__xstrndup(const char *s, size_t len)
{
    char *copy = ct__xmalloc(len + 1);
    if (len != 0)
        memcpy(copy, s, len);
    copy[len] = '\0';
    return copy;
}

void ct__grow(void **items, size_t *cap, size_t need, size_t item_size)
{
    if (need <= *cap)
        return;
    size_t n = *cap != 0 ? *cap : 8;
    while (n < need) {
        if (n > SIZE_MAX / 2 / item_size) {
            fputs("contract-tests: allocation size overflow\n", stderr);
            abort();
        }
        n *= 2;
    }
    *items = ct__xrealloc(*items, n * item_size);
    *cap = n;
}
