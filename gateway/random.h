/* xorshift64* on caller-owned state (one per thread): request ids and sampling decisions need
 * spread, not secrecy, and must not take a lock. Seed with a non-zero value. */
#ifndef GW_RANDOM_H
#define GW_RANDOM_H

#include <stdint.h>

static inline uint64_t gw_random_next(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ull;
}

/* Uniform in [0, 1). */
static inline double gw_random_fraction(uint64_t *s)
{
    return (double)(gw_random_next(s) >> 11) * 0x1.0p-53;
}

#endif
