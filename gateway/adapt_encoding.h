/* Content codings of adapted bodies (RFC 9110 §8.4): an upstream body compressed with gzip,
 * deflate or br is decoded, within a bound, before an adapter reads it; the adapted body goes to
 * the client as identity or gzip, as its Accept-Encoding prefers. Pass-through bodies never come
 * here: they stream as the upstream coded them. */
#ifndef GW_ADAPT_ENCODING_H
#define GW_ADAPT_ENCODING_H

#include <stddef.h>
#include <h2o.h>

typedef enum gw_coding {
    GW_CODING_IDENTITY,
    GW_CODING_GZIP,
    GW_CODING_DEFLATE,
    GW_CODING_BR,
    GW_CODING_UNKNOWN, /* another coding, or more than one */
} gw_coding_t;

/* The coding a Content-Encoding value names (NULL: none, identity). */
gw_coding_t gw_coding_of(const char *value, size_t len);

/* Decodes `in` (coded with `coding`, not identity) into memory from `pool`, at most `max` bytes.
 * Returns 0 with *out set, or -1 with *err naming what was wrong (a static string: truncated,
 * corrupt, larger than `max`). Memory stays bounded by about twice `max` whatever the input. */
int gw_coding_decode(h2o_mem_pool_t *pool, gw_coding_t coding, h2o_iovec_t in, size_t max,
                     h2o_iovec_t *out, const char **err);

/* Encodes `in` with gzip into memory from `pool`. */
h2o_iovec_t gw_coding_gzip(h2o_mem_pool_t *pool, h2o_iovec_t in);

/* What to send an adapted body as: GW_CODING_GZIP or GW_CODING_IDENTITY, from the client's
 * Accept-Encoding (NULL when absent) with its q-values (RFC 9110 §12.5.3). The higher q wins;
 * on a tie gzip when the upstream had compressed (`was_coded`), else identity. When neither is
 * acceptable, identity (the RFC's default). */
gw_coding_t gw_coding_choose(const char *accept, size_t len, int was_coded);

#endif
