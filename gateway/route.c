/* Request resolution: normalised path -> API (longest prefix) -> version (path, Accept, header,
 * default) -> the path that goes upstream. */
#include "route.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "path.h"
#include "version.h"

/* Longest client-supplied text echoed into a problem detail. */
#define ECHO_MAX 64

static int problem(gw_route_t *out, gw_problem_kind_t kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int problem(gw_route_t *out, gw_problem_kind_t kind, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->detail, sizeof(out->detail), fmt, ap);
    va_end(ap);
    out->problem = kind;
    return -1;
}

/* "v" + digits with optional dotted numeric parts: v1, V2, v1.1 */
static int looks_like_version(const char *s, size_t len)
{
    if (len < 2 || (s[0] != 'v' && s[0] != 'V'))
        return 0;
    int digit = 0;
    for (size_t i = 1; i != len; ++i) {
        if (s[i] >= '0' && s[i] <= '9')
            digit = 1;
        else if (s[i] == '.' && digit)
            digit = 0;
        else
            return 0;
    }
    return digit;
}

/* The version of `api` that the decoded first segment names: it must look like a version (v2) or
 * spell the configured name (2024-06-01), so that "/1/..." stays an ordinary path. */
static const gw_version_t *segment_version(const gw_api_t *api, const char *seg, size_t len)
{
    const gw_version_t *v = gw_version_find(api, seg, len);
    if (v == NULL)
        return NULL;
    if (looks_like_version(seg, len) ||
        (strlen(v->name) == len && strncasecmp(v->name, seg, len) == 0))
        return v;
    return NULL;
}

/* The first spec-routed API one of whose versions' specs has a path matching `path`; the match
 * is kept in out->spec_match. */
static const gw_api_t *spec_owner(const gw_config_t *cfg, const char *path, size_t len,
                                  gw_route_t *out)
{
    for (size_t i = 0; i != cfg->num_apis; ++i) {
        const gw_api_t *api = cfg->apis + i;
        if (!api->spec_routed)
            continue;
        for (size_t v = 0; v != api->num_versions; ++v) {
            const spec_t *spec = api->versions[v].spec;
            const spec_path_t *found;
            if (spec != NULL && (found = spec_match(spec, path, len, NULL)) != NULL) {
                out->spec_match.spec = spec;
                out->spec_match.path = path;
                out->spec_match.len = len;
                out->spec_match.found = found;
                return api;
            }
        }
    }
    return NULL;
}

/* Longest configured prefix; an API that owns the path through its specs beats only a
 * catch-all "" prefix, since a spec path is more specific than "everything". */
static const gw_api_t *longest_match(const gw_config_t *cfg, const char *path, size_t len,
                                     gw_route_t *out)
{
    const gw_api_t *best = NULL;
    for (size_t i = 0; i != cfg->num_apis; ++i) {
        const gw_api_t *api = cfg->apis + i;
        if (!api->spec_routed && (best == NULL || api->prefix_len > best->prefix_len) &&
            gw_path_has_prefix(path, len, api->prefix, api->prefix_len))
            best = api;
    }
    if (best == NULL || best->prefix_len == 0) {
        const gw_api_t *owner = spec_owner(cfg, path, len, out);
        if (owner != NULL)
            return owner;
    }
    return best;
}

static int names_any_version(const gw_config_t *cfg, const char *seg, size_t len)
{
    for (size_t i = 0; i != cfg->num_apis; ++i)
        if (segment_version(cfg->apis + i, seg, len) != NULL)
            return 1;
    return 0;
}

static const char *selector_name(gw_selected_by_t by, const gw_config_t *cfg)
{
    switch (by) {
    case GW_SELECTED_BY_PATH:
        return "the path";
    case GW_SELECTED_BY_ACCEPT:
        return "Accept";
    case GW_SELECTED_BY_HEADER:
        return cfg->versioning.header;
    default:
        return "the default";
    }
}

/* Picks the API and, when the first segment names one of its versions, that version. */
static int match_api(const gw_config_t *cfg, const char *norm, size_t norm_len, gw_route_t *out,
                     const gw_version_t **path_version)
{
    const char *seg, *rest;
    size_t seg_len = gw_path_first_segment(norm, norm_len, &seg, &rest);
    char decoded[GW_VERSION_NAME_MAX * 3];
    long dec_len = -1;
    if (seg_len != 0 && seg_len < sizeof(decoded))
        dec_len = gw_path_decode(seg, seg_len, decoded);
    int version_like = dec_len > 0 && (looks_like_version(decoded, (size_t)dec_len) ||
                                       names_any_version(cfg, decoded, (size_t)dec_len));
    const gw_api_t *stripped = NULL;
    if (version_like) {
        /* "/v1" alone leaves "/" (the normalised path starts with '/') */
        const char *p = rest != norm + norm_len ? rest : norm;
        size_t len = rest != norm + norm_len ? (size_t)(norm + norm_len - rest) : 1;
        stripped = longest_match(cfg, p, len, out);
        if (stripped != NULL &&
            (*path_version = segment_version(stripped, decoded, (size_t)dec_len)) != NULL) {
            out->api = stripped;
            out->path = p;
            out->path_len = len;
            return 0;
        }
    }
    const gw_api_t *full = longest_match(cfg, norm, norm_len, out);
    /* A prefix that itself spells the segment (an API at "/v1/old") wins; a catch-all "" prefix
     * does not hide an unknown version of a more specific API. */
    if (full != NULL && (full->prefix_len != 0 || stripped == NULL)) {
        out->api = full;
        out->path = norm;
        out->path_len = norm_len;
        return 0;
    }
    if (stripped != NULL) {
        char known[128];
        gw_version_list(stripped, known, sizeof(known));
        return problem(out, GW_PROBLEM_UNKNOWN_VERSION,
                       "version %.*s is not served by API %s; known: %s",
                       (int)(seg_len < ECHO_MAX ? seg_len : ECHO_MAX), seg, stripped->name, known);
    }
    return problem(out, GW_PROBLEM_NO_ROUTE, "no API serves the path %.*s",
                   (int)(norm_len < ECHO_MAX * 2 ? norm_len : ECHO_MAX * 2), norm);
}

static const gw_version_t *from_accept(const gw_config_t *cfg, const gw_api_t *api,
                                       const char *accept, size_t accept_len, gw_route_t *out)
{
    const char *value;
    size_t value_len;
    if (cfg->versioning.media_type == NULL || accept == NULL)
        return NULL;
    switch (gw_accept_negotiate(accept, accept_len, cfg->versioning.media_type, api, &value,
                                &value_len)) {
    case GW_ACCEPT_NO_PREFERENCE:
        return NULL;
    case GW_ACCEPT_UNAVAILABLE:
        break;
    case GW_ACCEPT_MALFORMED:
        problem(out, GW_PROBLEM_BAD_REQUEST, "malformed Accept header for %s",
                cfg->versioning.media_type);
        return NULL;
    case GW_ACCEPT_VERSION:
        break;
    }
    const gw_version_t *v = gw_version_find(api, value, value_len);
    if (v == NULL) {
        char known[128];
        gw_version_list(api, known, sizeof(known));
        problem(out, GW_PROBLEM_NOT_ACCEPTABLE,
                "version %.*s requested in Accept is not served by API %s; known: %s",
                (int)value_len, value, api->name, known);
    }
    return v;
}

static const gw_version_t *from_header(const gw_config_t *cfg, const gw_api_t *api,
                                       const char *value, size_t len, gw_route_t *out)
{
    if (cfg->versioning.header == NULL || value == NULL)
        return NULL;
    while (len != 0 && (*value == ' ' || *value == '\t')) /* OWS, RFC 9110 §5.5 */
        ++value, --len;
    while (len != 0 && (value[len - 1] == ' ' || value[len - 1] == '\t'))
        --len;
    const gw_version_t *v = gw_version_find(api, value, len);
    if (v == NULL) {
        char known[128];
        gw_version_list(api, known, sizeof(known));
        if (len == 0)
            problem(out, GW_PROBLEM_BAD_VERSION_HEADER, "the %s header is empty; known: %s",
                    cfg->versioning.header, known);
        else
            problem(out, GW_PROBLEM_BAD_VERSION_HEADER,
                    "version %.*s in the %s header is not served by API %s; known: %s",
                    (int)(len < ECHO_MAX ? len : ECHO_MAX), value, cfg->versioning.header,
                    api->name, known);
    }
    return v;
}

int gw_route(const gw_config_t *cfg, const char *path, size_t path_len, const char *accept,
             size_t accept_len, const char *version_header, size_t version_header_len,
             char *scratch, gw_route_t *out)
{
    memset(out, 0, sizeof(*out));
    long norm_len = gw_path_normalize(path, path_len, scratch);
    if (norm_len < 0)
        return problem(out, GW_PROBLEM_BAD_REQUEST,
                       "malformed request path (bad percent-escape, %%00 or control character)");

    const gw_version_t *by_path = NULL;
    if (match_api(cfg, scratch, (size_t)norm_len, out, &by_path) != 0)
        return -1;
    const gw_version_t *by_accept = from_accept(cfg, out->api, accept, accept_len, out);
    if (out->detail[0] != '\0')
        return -1;
    const gw_version_t *by_header =
        from_header(cfg, out->api, version_header, version_header_len, out);
    if (out->detail[0] != '\0')
        return -1;

    /* Selectors that are present must agree; the first in precedence order wins. */
    const struct {
        const gw_version_t *v;
        gw_selected_by_t by;
    } sel[] = {{by_path, GW_SELECTED_BY_PATH},
               {by_accept, GW_SELECTED_BY_ACCEPT},
               {by_header, GW_SELECTED_BY_HEADER}};
    out->version = out->api->default_version;
    out->selected_by = GW_SELECTED_BY_DEFAULT;
    int chosen = -1;
    for (int i = 0; i != 3; ++i) {
        if (sel[i].v == NULL)
            continue;
        if (chosen < 0) {
            chosen = i;
            out->version = sel[i].v;
            out->selected_by = sel[i].by;
        } else if (sel[i].v != sel[chosen].v) {
            return problem(out, GW_PROBLEM_VERSION_CONFLICT, "%s selects %s but %s selects %s",
                           selector_name(sel[chosen].by, cfg), sel[chosen].v->name,
                           selector_name(sel[i].by, cfg), sel[i].v->name);
        }
    }
    return 0;
}
