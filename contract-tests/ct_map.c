/* Open-addressing string map and hashing helpers shared inside the contract-tests library. */
#include "ct_map.h"

#include "ct_alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint64_t ct__hash_mix(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

uint64_t ct__hash_bytes(const void *data, size_t len, uint64_t seed)
{
    const unsigned char *p = data;
    uint64_t h = seed ^ (len * 0x9e3779b97f4a7c15ULL);
    while (len >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = ct__hash_mix(h ^ w) + 0x9e3779b97f4a7c15ULL;
        p += 8;
        len -= 8;
    }
    uint64_t tail = 0;
    for (size_t i = 0; i < len; i++)
        tail |= (uint64_t)p[i] << (8 * i);
    return ct__hash_mix(h ^ tail ^ 0xff51afd7ed558ccdULL);
}

void ct__map_init(ct_map_t *map)
{
    memset(map, 0, sizeof(*map));
}

void ct__map_dispose(ct_map_t *map)
{
    for (size_t i = 0; i < map->size; i++)
        free(map->entries[i].key);
    free(map->entries);
    free(map->slots);
    memset(map, 0, sizeof(*map));
}

static size_t find_slot(const ct_map_t *map, uint64_t hash, const char *key, size_t key_len)
{
    size_t mask = map->num_slots - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
        uint32_t s = map->slots[i];
        if (s == 0)
            return i;
        const ct_map_entry_t *e = &map->entries[s - 1];
        if (e->hash == hash && e->key_len == key_len && memcmp(e->key, key, key_len) == 0)
            return i;
    }
}

void *ct__map_get(const ct_map_t *map, const char *key, size_t key_len)
{
    if (map->size == 0)
        return NULL;
    uint32_t s = map->slots[find_slot(map, ct__hash_bytes(key, key_len, 0), key, key_len)];
    return s != 0 ? map->entries[s - 1].value : NULL;
}

static void rehash(ct_map_t *map, size_t num_slots)
{
    free(map->slots);
    map->slots = ct__xcalloc(num_slots, sizeof(*map->slots));
    map->num_slots = num_slots;
    for (size_t i = 0; i < map->size; i++) {
        const ct_map_entry_t *e = &map->entries[i];
        map->slots[find_slot(map, e->hash, e->key, e->key_len)] = (uint32_t)(i + 1);
    }
}

ct_map_entry_t *ct__map_insert(ct_map_t *map, const char *key, size_t key_len, void *value)
{
    if (map->size >= UINT32_MAX - 1) {
        fputs("contract-tests: map too large\n", stderr);
        abort();
    }
    /* keep the load factor under 1/2 so probes stay short */
    if ((map->size + 1) * 2 > map->num_slots)
        rehash(map, map->num_slots != 0 ? map->num_slots * 2 : 16);
    ct__grow((void **)&map->entries, &map->capacity, map->size + 1, sizeof(*map->entries));
    uint64_t hash = ct__hash_bytes(key, key_len, 0);
    ct_map_entry_t *e = &map->entries[map->size];
    e->hash = hash;
    e->key = ct__xstrndup(key, key_len);
    e->key_len = key_len;
    e->value = value;
    map->slots[find_slot(map, hash, key, key_len)] = (uint32_t)(map->size + 1);
    map->size++;
    return e;
}
