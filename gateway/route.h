/* Request resolution: which API and version serve a request, and which path goes upstream.
 * Pure (no h2o, no I/O) so every branch is unit-tested. */
#ifndef GW_ROUTE_H
#define GW_ROUTE_H

#include <stddef.h>
#include "config.h"
#include "problem.h"

typedef enum gw_selected_by {
    GW_SELECTED_BY_DEFAULT,
    GW_SELECTED_BY_PATH,
    GW_SELECTED_BY_ACCEPT,
    GW_SELECTED_BY_HEADER,
} gw_selected_by_t;

typedef struct st_gw_route_t {
    const gw_api_t *api;
    const gw_version_t *version;
    gw_selected_by_t selected_by;
    /* The normalised path with the version segment stripped ("/pets/7"), pointing into the
     * caller's scratch buffer; the upstream request path is upstream.base_path + this + query. */
    const char *path;
    size_t path_len;
    /* Set when gw_route returns -1. */
    gw_problem_kind_t problem;
    char detail[256];
} gw_route_t;

/* Resolves a request. `path` is the raw path (no query); `scratch` must hold path_len + 1 bytes.
 * `accept` / `version_header` may be NULL. Precedence: first path segment naming a version of
 * the matched API (stripped), then the vendor media type's version parameter in Accept, then
 * the configured header, then the default; selectors that name different versions -> 400
 * GW_PROBLEM_VERSION_CONFLICT. APIs match by longest prefix on segment boundaries, tried on the
 * path without a leading version segment when that segment names a version of some API.
 * Returns 0, or -1 with out->problem/detail set (404 no API / unknown path version, 406 unknown
 * Accept version, 400 unknown header version or malformed path/Accept). */
int gw_route(const gw_config_t *cfg, const char *path, size_t path_len, const char *accept,
             size_t accept_len, const char *version_header, size_t version_header_len,
             char *scratch, gw_route_t *out);

#endif
