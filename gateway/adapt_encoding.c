/* Content codings of adapted bodies: bounded decoding (zlib for gzip and deflate, as h2o's own
 * compress filter uses it; libbrotli for br), gzip encoding, and the Accept-Encoding choice. */
#include <string.h>
#include <strings.h>
#include <brotli/decode.h>
#include <zlib.h>
#include "adapt_encoding.h"

static int token_is(const char *s, size_t len, const char *lit)
{
    return len == strlen(lit) && strncasecmp(s, lit, len) == 0;
}

static int is_ows(char c)
{
    return c == ' ' || c == '\t';
}

gw_coding_t gw_coding_of(const char *value, size_t len)
{
    if (value == NULL)
        return GW_CODING_IDENTITY;
    while (len != 0 && is_ows(*value))
        ++value, --len;
    while (len != 0 && is_ows(value[len - 1]))
        --len;
    if (len == 0 || token_is(value, len, "identity"))
        return GW_CODING_IDENTITY;
    if (token_is(value, len, "gzip") || token_is(value, len, "x-gzip")) /* RFC 9110 §8.4.1.3 */
        return GW_CODING_GZIP;
    if (token_is(value, len, "deflate"))
        return GW_CODING_DEFLATE;
    if (token_is(value, len, "br"))
        return GW_CODING_BR;
    return GW_CODING_UNKNOWN; /* another coding, or a list of them ("gzip, br") */
}

/* ---- decoding ---- */

/* Output that grows by doubling up to max + 1 bytes (one more than allowed: how a bomb is told
 * from a body of exactly `max`). Old blocks stay in the pool, so memory stays under 2 * max. */
typedef struct {
    h2o_mem_pool_t *pool;
    char *buf;
    size_t used, cap, limit;
} out_t;

static int grow(out_t *o)
{
    if (o->cap >= o->limit)
        return -1;
    size_t cap = o->cap * 2 < o->limit ? o->cap * 2 : o->limit;
    char *b = h2o_mem_alloc_pool(o->pool, cap);
    memcpy(b, o->buf, o->used);
    o->buf = b;
    o->cap = cap;
    return 0;
}

static const char TOO_LARGE[] = "its body decompresses to more than limits.max_adapted_body";
static const char TRUNCATED[] = "its compressed body is truncated";
static const char CORRUPT[] = "its compressed body is corrupt";
static const char TRAILING[] = "its compressed body has data after its end";

static int inflate_all(out_t *o, h2o_iovec_t in, int window_bits, int gzip, const char **err)
{
    z_stream z;
    memset(&z, 0, sizeof(z));
    if (inflateInit2(&z, window_bits) != Z_OK)
        h2o_fatal("inflateInit2 failed");
    z.next_in = (Bytef *)in.base;
    z.avail_in = (uInt)in.len;
    int ret = -1;
    for (;;) {
        if (o->used == o->cap && grow(o) != 0) {
            *err = TOO_LARGE;
            break;
        }
        z.next_out = (Bytef *)o->buf + o->used;
        z.avail_out = (uInt)(o->cap - o->used);
        int r = inflate(&z, Z_NO_FLUSH);
        o->used = o->cap - z.avail_out;
        if (r == Z_STREAM_END) {
            if (z.avail_in == 0) {
                ret = 0;
                break;
            }
            if (!gzip) {
                *err = TRAILING;
                break;
            }
            inflateReset(&z); /* RFC 1952 §2.2: a gzip file is a series of members */
            continue;
        }
        if (r == Z_BUF_ERROR && z.avail_in == 0) {
            *err = TRUNCATED;
            break;
        }
        if (r != Z_OK && r != Z_BUF_ERROR) {
            *err = CORRUPT;
            break;
        }
    }
    inflateEnd(&z);
    return ret;
}

static int brotli_all(out_t *o, h2o_iovec_t in, const char **err)
{
    BrotliDecoderState *st = BrotliDecoderCreateInstance(NULL, NULL, NULL);
    if (st == NULL)
        h2o_fatal("BrotliDecoderCreateInstance failed");
    const uint8_t *next_in = (const uint8_t *)in.base;
    size_t avail_in = in.len;
    int ret = -1;
    for (;;) {
        if (o->used == o->cap && grow(o) != 0) {
            *err = TOO_LARGE;
            break;
        }
        uint8_t *next_out = (uint8_t *)o->buf + o->used;
        size_t avail_out = o->cap - o->used;
        BrotliDecoderResult r =
            BrotliDecoderDecompressStream(st, &avail_in, &next_in, &avail_out, &next_out, NULL);
        o->used = o->cap - avail_out;
        if (r == BROTLI_DECODER_RESULT_SUCCESS) {
            if (avail_in == 0)
                ret = 0;
            else
                *err = TRAILING;
            break;
        }
        if (r == BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT) {
            *err = TRUNCATED;
            break;
        }
        if (r == BROTLI_DECODER_RESULT_ERROR) {
            *err = CORRUPT;
            break;
        }
    }
    BrotliDecoderDestroyInstance(st);
    return ret;
}

int gw_coding_decode(h2o_mem_pool_t *pool, gw_coding_t coding, h2o_iovec_t in, size_t max,
                     h2o_iovec_t *out, const char **err)
{
    *err = NULL;
    if (in.len > UINT32_MAX || max > SIZE_MAX / 2) {
        *err = TOO_LARGE;
        return -1;
    }
    size_t first = in.len < 4096 ? 16384 : in.len * 4; /* JSON compresses about 4 to 10 times */
    out_t o = {pool, NULL, 0, 0, max + 1};
    o.cap = first < o.limit ? first : o.limit;
    o.buf = h2o_mem_alloc_pool(pool, o.cap);
    int r;
    switch (coding) {
    case GW_CODING_GZIP:
        r = inflate_all(&o, in, 16 + MAX_WBITS, 1, err);
        break;
    case GW_CODING_DEFLATE:
        /* RFC 9110 §8.4.1.2: "deflate" is the zlib format; some servers send raw deflate */
        r = inflate_all(&o, in, MAX_WBITS, 0, err);
        if (r != 0 && *err == CORRUPT && o.used == 0) {
            *err = NULL;
            r = inflate_all(&o, in, -MAX_WBITS, 0, err);
        }
        break;
    case GW_CODING_BR:
        r = brotli_all(&o, in, err);
        break;
    default:
        *err = "its content coding is not one Versa decodes";
        return -1;
    }
    if (r == 0 && o.used > max) {
        *err = TOO_LARGE;
        r = -1;
    }
    if (r == 0)
        *out = h2o_iovec_init(o.buf, o.used);
    return r;
}

h2o_iovec_t gw_coding_gzip(h2o_mem_pool_t *pool, h2o_iovec_t in)
{
    z_stream z;
    memset(&z, 0, sizeof(z));
    /* level 1, as h2o's compress filter defaults to: adapted bodies are made per request */
    if (deflateInit2(&z, 1, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        h2o_fatal("deflateInit2 failed");
    size_t cap = deflateBound(&z, (uLong)in.len);
    char *buf = h2o_mem_alloc_pool(pool, cap);
    z.next_in = (Bytef *)in.base;
    z.avail_in = (uInt)in.len;
    z.next_out = (Bytef *)buf;
    z.avail_out = (uInt)cap;
    if (deflate(&z, Z_FINISH) != Z_STREAM_END) /* deflateBound makes room for all of it */
        h2o_fatal("deflate did not finish");
    size_t n = cap - z.avail_out;
    deflateEnd(&z);
    return h2o_iovec_init(buf, n);
}

/* ---- Accept-Encoding ---- */

/* q of one element's parameters (";q=0.5"), in thousandths; 1000 when absent. */
static int qvalue(const char *p, const char *end)
{
    while (p < end) {
        while (p < end && (is_ows(*p) || *p == ';'))
            ++p;
        if (end - p >= 2 && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
            p += 2;
            int q = 0, scale = 1000;
            if (p < end && (*p == '0' || *p == '1'))
                q = (*p++ - '0') * 1000;
            if (p < end && *p == '.')
                for (++p; p < end && *p >= '0' && *p <= '9' && scale > 1; ++p)
                    q += (*p - '0') * (scale /= 10);
            return q > 1000 ? 1000 : q;
        }
        while (p < end && *p != ';')
            ++p;
    }
    return 1000;
}

gw_coding_t gw_coding_choose(const char *accept, size_t len, int was_coded)
{
    if (accept == NULL)
        return GW_CODING_IDENTITY; /* no preference: any coding, but identity is cheapest */
    int gzip = -1, identity = -1, any = -1;
    const char *p = accept, *end = accept + len;
    while (p < end) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        const char *elem_end = comma != NULL ? comma : end;
        const char *t = p;
        while (t < elem_end && is_ows(*t))
            ++t;
        const char *te = t;
        while (te < elem_end && *te != ';' && !is_ows(*te))
            ++te;
        int q = qvalue(te, elem_end);
        if (token_is(t, (size_t)(te - t), "gzip") || token_is(t, (size_t)(te - t), "x-gzip"))
            gzip = q;
        else if (token_is(t, (size_t)(te - t), "identity"))
            identity = q;
        else if (token_is(t, (size_t)(te - t), "*"))
            any = q;
        p = elem_end + (comma != NULL);
    }
    if (gzip < 0)
        gzip = any >= 0 ? any : 0;
    if (identity < 0)
        identity = any >= 0 ? any : 1000; /* acceptable unless excluded (§12.5.3) */
    if (gzip == 0 && identity == 0)
        return GW_CODING_IDENTITY;
    if (gzip != identity)
        return gzip > identity ? GW_CODING_GZIP : GW_CODING_IDENTITY;
    return was_coded ? GW_CODING_GZIP : GW_CODING_IDENTITY;
}
