/* Request path normalisation (RFC 3986 §5.2.4 dot-segment removal, duplicate slashes merged) done
 * once, before routing, on the still-encoded path, so the path that is matched and the path that
 * is forwarded are the same string and percent-decoding happens exactly once (upstream). */
#ifndef GW_PATH_H
#define GW_PATH_H

#include <stddef.h>

/* Normalises the path part (no query) of a request target into `out`, which must hold len + 1
 * bytes. Segments "." and ".." are recognised in any percent-encoded spelling (%2e, %2E); ".."
 * never climbs above the root. "//" merges to "/"; a final empty, "." or ".." segment keeps the
 * trailing slash ("/a/b/.." -> "/a/"). Escapes are kept as sent (%2F stays data inside its
 * segment). Returns the output length, or -1 when the path is invalid: empty or not starting with
 * '/', a bad or NUL (%00) escape, a control character or a space (which would split the request
 * line sent upstream). Callers strip the query first. */
long gw_path_normalize(const char *in, size_t len, char *out);

/* 1 when normalised `path` is `prefix` or starts with `prefix` followed by '/'. An empty prefix
 * matches everything. Comparison is on decoded segments, so %70ets matches /pets. */
int gw_path_has_prefix(const char *path, size_t len, const char *prefix, size_t prefix_len);

/* The first segment of a normalised path (without slashes); *rest points at the '/' that follows
 * it or at the end. Returns its length (0 for "/"). */
size_t gw_path_first_segment(const char *path, size_t len, const char **seg, const char **rest);

/* Percent-decodes `in` into `out` (len + 1 bytes). Returns the length or -1 on a bad escape. */
long gw_path_decode(const char *in, size_t len, char *out);

#endif
