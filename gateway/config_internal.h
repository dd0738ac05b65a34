/* What the files of the config loader (gateway/config*.c) share among themselves: the loader's
 * state, the section loaders and a few readers. The readers that sub-key loaders elsewhere use
 * too (record.c, shadow/shadow_config.c) are declared in config.h. Include from config*.c only. */
#ifndef GW_CONFIG_INTERNAL_H
#define GW_CONFIG_INTERNAL_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <h2o/memory.h>
#include <h2o/string_.h>
#include "config.h"

#define GW__CONFIG_MAX_TIMEOUT_MS (24 * 3600 * 1000) /* longer is surely a typo */

/* Where in the document the loader is, for messages and JSON pointers; lives on the stack of
 * gw_config_load/from_doc. */
struct st_gw__config_loader_t {
    spec_error_t *err;
    const char *base_dir;
    char where[256];   /* "apis[0].versions.v1", prefixed to messages */
    char pointer[512]; /* "/apis/0/versions/v1" */
};

/* --- allocation (abort on failure, as h2o does) --- */

static inline char *xstrndup(const char *s, size_t len)
{
    return h2o_strdup(NULL, s, len).base;
}

static inline char *xstrdup(const char *s)
{
    return s == NULL ? NULL : xstrndup(s, strlen(s));
}

static inline void *xcalloc(size_t n, size_t size)
{
    if (n != 0 && size > SIZE_MAX / n)
        h2o_fatal("allocation size overflow");
    void *p = h2o_mem_alloc(n * size + 1);
    memset(p, 0, n * size + 1);
    return p;
}

static inline char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s;
    if (vasprintf(&s, fmt, ap) < 0)
        h2o_fatal("no memory");
    va_end(ap);
    return s;
}

static inline void lowercase(char *s)
{
    for (; *s != '\0'; ++s)
        if (*s >= 'A' && *s <= 'Z')
            *s = (char)(*s - 'A' + 'a');
}

/* --- readers (config_read.c, config_address.c, config_versioning.c); each records an error
 * and returns -1 (NULL) on bad input --- */

int gw__config_expect_mapping(gw__config_loader_t *l, const spec_node_t *n);
/* "host:port" or "[v6]:port" for a listener; the host lowercased, *address as written; both
 * malloc'ed. */
int gw__config_read_address(gw__config_loader_t *l, const spec_node_t *n, char **address,
                            char **host, uint16_t *port);
/* A normalised absolute path (a prefix, or an upstream base path) with the trailing '/' dropped:
 * "/pets/" -> "/pets", "/" -> "". Returns NULL and a malloc'ed *out, or what is wrong (no error
 * is recorded: the caller words the message). */
const char *gw__config_normalised_path(const char *s, size_t len, int allow_escapes, char **out);
/* A version name as written: any non-boolean, non-null scalar ("v1", 2, 1.0, 2024-06-01);
 * `canon` (GW_VERSION_NAME_MAX bytes) receives its canonical form. *name is borrowed from `n`. */
int gw__config_read_version_name(gw__config_loader_t *l, const spec_node_t *n, const char **name,
                                 char *canon);

/* --- section loaders: each reads one key of the file into `cfg`, the caller having entered it.
 * On error what was read so far stays in `cfg`, freed by gw_config_release. --- */

/* `listen` (config_listen.c): addresses and TLS material, checked at load. */
int gw__config_load_listen(gw__config_loader_t *l, const spec_node_t *seq, gw_config_t *cfg);
/* `admin` (config_listen.c); after `listen`, whose addresses it must not repeat. */
int gw__config_load_admin(gw__config_loader_t *l, const spec_node_t *n, gw_config_t *cfg);
/* `versioning` (config_versioning.c): the default version, media type and header. */
int gw__config_load_versioning(gw__config_loader_t *l, const spec_node_t *n, gw_config_t *cfg);
/* `limits` (config_limits.c). set_default_limits runs first, whether the key is there or not. */
void gw__config_set_default_limits(gw_config_t *cfg);
/* Derived limits and the checks between them; after the `limits` key (or without one). */
int gw__config_check_limits(gw__config_loader_t *l, const spec_node_t *n, gw_config_t *cfg);
int gw__config_load_limits(gw__config_loader_t *l, const spec_node_t *n, gw_config_t *cfg);
/* `apis` (config_apis.c): names, prefixes, versions, upstreams, timeouts and the sub-keys loaded
 * in other files (record, shadow). */
int gw__config_load_apis(gw__config_loader_t *l, const spec_node_t *seq, gw_config_t *cfg);
/* After `versioning` and `apis`: every API gets a default version (see gw_api_t). */
int gw__config_resolve_defaults(gw__config_loader_t *l, const spec_node_t *root, gw_config_t *cfg);

#endif
