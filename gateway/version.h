/* API version negotiation: which configured version a request asks for, by path segment, vendor
 * media type parameter in Accept, or header (in that order of precedence), per the README. */
#ifndef GW_VERSION_H
#define GW_VERSION_H

#include <stddef.h>
#include "config.h"

/* Longest version name or selector value accepted, including the terminating NUL. */
#define GW_VERSION_NAME_MAX 64

/* Canonical form used to compare version names and selector values: lowercase, a leading 'v'
 * before a digit dropped, trailing ".0" components dropped: "v1", "1", "1.0", "V1.0.0" -> "1";
 * "2024-06-01" stays. Writes at most `size` bytes including NUL; returns length or -1 when the
 * value is empty, not shorter than GW_VERSION_NAME_MAX or holds characters outside
 * [A-Za-z0-9._-]. */
int gw_version_canonical(const char *s, size_t len, char *out, size_t size);

/* The API's version whose canonical name equals the canonical form of `s`, or NULL. */
const gw_version_t *gw_version_find(const gw_api_t *api, const char *s, size_t len);

/* Writes the API's version names, comma-separated in config order ("v1, v2"), into buf
 * (NUL-terminated, cut when `size` is too small); for error messages. Returns the length. */
size_t gw_version_list(const gw_api_t *api, char *buf, size_t size);

typedef enum gw_accept_result {
    GW_ACCEPT_NO_PREFERENCE, /* no Accept, or only ranges that don't name the vendor type */
    GW_ACCEPT_VERSION,       /* out set to the requested version value */
    GW_ACCEPT_UNAVAILABLE,   /* vendor ranges name only versions `api` lacks -> 406 */
    GW_ACCEPT_MALFORMED,     /* syntactically broken Accept naming the vendor type -> 400 */
} gw_accept_result_t;

/* Parses an Accept header (RFC 9110 §12.5.1: comma-separated media ranges, parameters, q-values,
 * case-insensitive type and parameter names, optional whitespace, quoted-string values) and
 * returns the `version` parameter of the highest-q range whose type is `media_type` and that
 * carries one (q=0 ranges are refusals and are skipped; ties go to the first). Other ranges
 * (`*` / `*`, application/json, the vendor type without `version`) express no preference, and
 * malformed ones are ignored unless they name `media_type`: a vendor range with bad syntax, a bad
 * q, a repeated or invalid `version` (see gw_version_canonical) or whitespace around '=' makes
 * the whole header GW_ACCEPT_MALFORMED. On GW_ACCEPT_VERSION, *value points into `accept` (quotes
 * stripped; escapes never occur in valid values). `accept` and `media_type` may be NULL. */
gw_accept_result_t gw_accept_version(const char *accept, size_t len, const char *media_type,
                                     const char **value, size_t *value_len);

/* As gw_accept_version, but negotiates against `api`: the highest-q vendor range naming a version
 * the API serves wins (RFC 9110 §12.5.1 — the client ranks what it accepts, the server picks the
 * best it has). When vendor ranges name only unknown versions, returns GW_ACCEPT_UNAVAILABLE with
 * *value the highest-q one, for the 406 detail. */
gw_accept_result_t gw_accept_negotiate(const char *accept, size_t len, const char *media_type,
                                       const gw_api_t *api, const char **value,
                                       size_t *value_len);

#endif
