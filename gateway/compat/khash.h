/* The part of klib's khash.h (version 0.2.8, as h2o 2.2.5 builds with it) that
 * <h2o/http2_internal.h> needs to compile: Debian's libh2o-dev-common installs that header but
 * not khash.h. Only the 64-bit-key map h2o declares for its HTTP/2 streams is supported, with the
 * same memory layout, hashing and probing, read-only: the gateway reads h2o's stream table
 * (guard_h2.c), it never writes it. Written for Versa from klib's documented layout. */
#ifndef GW_COMPAT_KHASH_H
#define GW_COMPAT_KHASH_H

#include <stdint.h>

typedef uint32_t khint32_t;
typedef uint64_t khint64_t;
typedef khint32_t khint_t;
typedef khint_t khiter_t;

/* two flag bits per bucket: 2 = empty, 1 = deleted */
#define gw__kh_isempty(flag, i) ((flag[(i) >> 4] >> (((i)&0xfU) << 1)) & 2)
#define gw__kh_isdel(flag, i) ((flag[(i) >> 4] >> (((i)&0xfU) << 1)) & 1)
#define gw__kh_iseither(flag, i) ((flag[(i) >> 4] >> (((i)&0xfU) << 1)) & 3)
#define kh_int64_hash_func(key) (khint32_t)((key) >> 33 ^ (key) ^ (key) << 11)

#define KHASH_MAP_INIT_INT64(name, khval_t)                                                        \
    typedef struct kh_##name##_s {                                                                 \
        khint_t n_buckets, size, n_occupied, upper_bound;                                          \
        khint32_t *flags;                                                                          \
        khint64_t *keys;                                                                           \
        khval_t *vals;                                                                             \
    } kh_##name##_t;                                                                               \
    static inline khint_t kh_get_##name(const kh_##name##_t *h, khint64_t key)                     \
    {                                                                                              \
        if (h->n_buckets == 0)                                                                     \
            return 0;                                                                              \
        khint_t mask = h->n_buckets - 1, step = 0, i = kh_int64_hash_func(key) & mask, last = i;   \
        while (!gw__kh_isempty(h->flags, i) && (gw__kh_isdel(h->flags, i) || h->keys[i] != key)) { \
            i = (i + (++step)) & mask;                                                             \
            if (i == last)                                                                         \
                return h->n_buckets;                                                               \
        }                                                                                          \
        return gw__kh_iseither(h->flags, i) ? h->n_buckets : i;                                    \
    }

#define khash_t(name) kh_##name##_t
#define kh_get(name, h, k) kh_get_##name(h, k)
#define kh_exist(h, x) (!gw__kh_iseither((h)->flags, (x)))
#define kh_val(h, x) ((h)->vals[x])
#define kh_begin(h) (khint_t)(0)
#define kh_end(h) ((h)->n_buckets)
#define kh_foreach_value(h, vvar, code)                                                            \
    {                                                                                              \
        for (khint_t gw__k = kh_begin(h); gw__k != kh_end(h); ++gw__k) {                           \
            if (!kh_exist(h, gw__k))                                                               \
                continue;                                                                          \
            (vvar) = kh_val(h, gw__k);                                                             \
            code;                                                                                  \
        }                                                                                          \
    }

#endif
