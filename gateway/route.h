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
    /* The last spec match made while picking a spec-routed API, so that the handler need not
     * match the same path against the same spec again: usable when `spec` is the chosen
     * version's and `path`, `len` are the route's path. */
    struct {
        const spec_t *spec;
        const char *path;
        size_t len;
        const spec_path_t *found; /* never NULL when spec is set */
    } spec_match;
    /* Set when gw_route returns -1. */
    gw_problem_kind_t problem;
    char detail[256];
} gw_route_t;

/* Resolves a request. `path` is the raw path (no query); `scratch` must hold path_len + 1 bytes.
 * `accept` / `version_header` may be NULL (absent); an empty version header is a 400, an empty
 * Accept means no preference. Nothing needs to be NUL-terminated.
 * The path is normalised first (gw_path_normalize), so dot segments never cross APIs. A first
 * segment selects a version when it looks like one ("v" + digits with dotted parts: v1, V2.0)
 * or spells a configured version name (2024-06-01); "/1/..." is an ordinary path. The API is the
 * longest prefix, on segment boundaries, of the path without that segment if that API has the
 * version (the segment is then stripped); else the longest prefix of the whole path, unless only
 * the catch-all "" matches it while the stripped path matched an API: then the version is
 * unknown (404 GW_PROBLEM_UNKNOWN_VERSION, "version v9 is not served by API pets; known: v1,
 * v2"). Precedence: path segment, then the vendor media type's version parameter in Accept, then
 * the configured header, then the API's default; selectors that are present must name the same
 * version (400 VERSION_CONFLICT). Returns 0, or -1 with out->problem/detail set (400 malformed
 * path or Accept, 404 no API or unknown path version, 406 unknown Accept version, 400 unknown
 * header version). Pure and thread-safe; detail echoes at most 128 bytes of client input, raw
 * (gw_problem_render escapes it). */
int gw_route(const gw_config_t *cfg, const char *path, size_t path_len, const char *accept,
             size_t accept_len, const char *version_header, size_t version_header_len,
             char *scratch, gw_route_t *out);

#endif
