/* Internal: a small open-addressing hash map from byte strings to pointers, and the byte hash the
 * diff engine shares (report aggregation, structural hashing of JSON values). */
#ifndef CT_MAP_H
#define CT_MAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct st_ct_map_entry_t {
    uint64_t hash;
    char *key; /* owned copy, NUL-terminated (keys may also hold NULs; use key_len) */
    size_t key_len;
    void *value; /* borrowed: the map never frees values */
} ct_map_entry_t;

/* Insertion-ordered entries plus an index of slots into them. Not thread-safe. */
typedef struct st_ct_map_t {
    ct_map_entry_t *entries;
    size_t size, capacity;
    uint32_t *slots; /* 0 = empty, otherwise entry index + 1 */
    size_t num_slots;
} ct_map_t;

/* Seeded 64-bit hash of `len` bytes; stable within one process only. */
uint64_t ct__hash_bytes(const void *data, size_t len, uint64_t seed);

/* Mixes one 64-bit value into a well-distributed one (the splitmix64 finalizer). */
uint64_t ct__hash_mix(uint64_t x);

void ct__map_init(ct_map_t *map);
/* Frees keys and the index; values stay the caller's. */
void ct__map_dispose(ct_map_t *map);

/* Returns the value stored under the key, or NULL. */
void *ct__map_get(const ct_map_t *map, const char *key, size_t key_len);

/* Stores value under key, which must not be present yet; returns the new entry (its key is the
 * map's own copy, stable until dispose). Aborts when memory runs out. */
ct_map_entry_t *ct__map_insert(ct_map_t *map, const char *key, size_t key_len, void *value);

#endif
