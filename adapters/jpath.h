/* JSON paths as adapter files write them ("data[*].owner.name", "[*]", "$.items[0]",
 * "meta[\"a.b\"]", "labels.*"): parsed once at load into segments. */
#ifndef ADP_JPATH_H
#define ADP_JPATH_H

#include <stddef.h>
#include <stdint.h>
#include "alloc.h"

typedef enum adp__seg_kind {
    ADP__SEG_KEY,    /* .name or ["name"] */
    ADP__SEG_INDEX,  /* [3] */
    ADP__SEG_ITEMS,  /* [*]: every element of an array */
    ADP__SEG_VALUES, /* .*: every member value of an object */
} adp__seg_kind_t;

typedef struct st_adp__seg_t {
    adp__seg_kind_t kind;
    const char *key; /* ADP__SEG_KEY: NUL-terminated, may hold no NUL */
    size_t len;
    size_t index; /* ADP__SEG_INDEX */
} adp__seg_t;

typedef struct st_adp__jpath_t {
    const adp__seg_t *segs;
    size_t n; /* 0: the value itself (written "" or "$") */
} adp__jpath_t;

#define ADP__JPATH_MAX_SEGS 64

/* Parses `s` into `out` (segments and keys in the arena). Returns 0, or -1 with *err_off (byte
 * offset of the problem) and *err (static text). */
int adp__jpath_parse(adp__arena_t *a, const char *s, size_t len, adp__jpath_t *out, size_t *err_off,
                     const char **err);
/* Number of leading segments up to and including the last wildcard (0 when there is none). */
size_t adp__jpath_wild_prefix(const adp__jpath_t *p);
/* 1 when the first n segments of a and b are equal. */
int adp__jpath_prefix_eq(const adp__jpath_t *a, const adp__jpath_t *b, size_t n);
/* 1 when `a` is a prefix of (or equal to) `b`. */
int adp__jpath_is_prefix(const adp__jpath_t *a, const adp__jpath_t *b);
/* Segments [from, to) of p as a path sharing p's storage. */
adp__jpath_t adp__jpath_slice(const adp__jpath_t *p, size_t from, size_t to);
/* a followed by b, in the arena. */
adp__jpath_t adp__jpath_concat(adp__arena_t *arena, const adp__jpath_t *a, const adp__jpath_t *b);
/* The path written back in canonical form ("data[*].owner", "$" for the root), in the arena. */
char *adp__jpath_format(adp__arena_t *a, const adp__jpath_t *p);

#endif
