/* The metrics registry of a serving process: row labels that only grow, so that counters carry
 * over a reload and a row index never changes meaning (metrics.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "metrics.h"

static char *dupstr(const char *s)
{
    char *p = strdup(s);
    if (p == NULL)
        abort();
    return p;
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n, size);
    if (p == NULL)
        abort();
    return p;
}

gw_metrics_layout_t *gw_metrics_layout_create(void)
{
    gw_metrics_layout_t *l = xcalloc(1, sizeof(*l));
    l->cap_rows = GW_METRICS_MAX_ROWS;
    l->cap_op_rows = GW_METRICS_MAX_OP_ROWS;
    l->api = xcalloc(l->cap_rows, sizeof(*l->api));
    l->version = xcalloc(l->cap_rows, sizeof(*l->version));
    l->op_api = xcalloc(l->cap_op_rows, sizeof(*l->op_api));
    l->op_version = xcalloc(l->cap_op_rows, sizeof(*l->op_version));
    l->op_name = xcalloc(l->cap_op_rows, sizeof(*l->op_name));
    l->op_index = xcalloc(l->cap_op_rows * 2, sizeof(*l->op_index));
    l->api[0] = dupstr("");
    l->version[0] = dupstr("");
    l->rows = 1;
    return l;
}

void gw_metrics_layout_destroy(gw_metrics_layout_t *l)
{
    if (l == NULL)
        return;
    for (size_t i = 0; i < l->rows; ++i) {
        free((char *)l->api[i]);
        free((char *)l->version[i]);
    }
    for (size_t i = 0; i < l->op_rows; ++i) {
        free((char *)l->op_api[i]);
        free((char *)l->op_version[i]);
        free(l->op_name[i]);
    }
    free(l->api);
    free(l->version);
    free(l->op_api);
    free(l->op_version);
    free(l->op_name);
    free(l->op_index);
    free(l);
}

long gw_metrics_layout_row(gw_metrics_layout_t *l, const char *api, const char *version)
{
    for (size_t i = 0; i < l->rows; ++i)
        if (strcmp(l->api[i], api) == 0 && strcmp(l->version[i], version) == 0)
            return (long)i;
    if (l->rows == l->cap_rows)
        return -1;
    l->api[l->rows] = dupstr(api);
    l->version[l->rows] = dupstr(version);
    __atomic_store_n(&l->rows, l->rows + 1, __ATOMIC_RELEASE); /* labels first, then the count */
    return (long)l->rows - 1;
}

static uint64_t fnv(uint64_t h, const char *s)
{
    for (; *s; ++s)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return (h ^ 0xff) * 1099511628211u; /* a separator, so "ab","c" differs from "a","bc" */
}

long gw_metrics_layout_op_row(gw_metrics_layout_t *l, const char *api, const char *version,
                              const char *name)
{
    size_t slots = l->cap_op_rows * 2;
    size_t i = (size_t)(fnv(fnv(fnv(14695981039346656037u, api), version), name) % slots);
    for (;; i = (i + 1) % slots) { /* at most half full: a free slot is always found */
        size_t r = l->op_index[i];
        if (r == 0)
            break;
        --r;
        if (strcmp(l->op_name[r], name) == 0 && strcmp(l->op_version[r], version) == 0 &&
            strcmp(l->op_api[r], api) == 0)
            return (long)r;
    }
    if (l->op_rows == l->cap_op_rows)
        return -1;
    size_t r = l->op_rows;
    l->op_api[r] = dupstr(api);
    l->op_version[r] = dupstr(version);
    l->op_name[r] = dupstr(name);
    l->op_index[i] = r + 1;
    __atomic_store_n(&l->op_rows, r + 1, __ATOMIC_RELEASE);
    return (long)r;
}
