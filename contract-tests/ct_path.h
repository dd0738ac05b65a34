/* Internal: the path syntax shared by results and rules. Rendering turns the segment stack of a
 * comparison into `body.items[3].id` (concrete) or `body.items[*].id` (aggregated); parsing turns a
 * rule pattern into segments with wildcards. */
#ifndef CT_PATH_H
#define CT_PATH_H

#include <stddef.h>

#include "ct_rules.h"

/* Rendered paths longer than this end in "..." (so that hostile keys cannot grow reports). */
#define CT_PATH_MAX 1024

/* One step of a concrete path: an object key (or header name, or root name) or an array index. */
typedef struct st_ct_seg_t {
    const char *key; /* NULL for an index; borrowed from the document being compared */
    size_t len;      /* key length, or the index */
} ct_seg_t;

/* Writes the path of segs into buf (NUL-terminated, at most CT_PATH_MAX + 4 bytes, so buf must
 * hold CT_PATH_MAX + 8) and returns its length. `generic` writes indices as [*]. */
size_t ct__path_render(const ct_seg_t *segs, size_t n, int generic, char *buf);

typedef enum ct_pseg_kind {
    CT_PSEG_KEY,       /* exact key: name or ["quoted"] */
    CT_PSEG_GLOB,      /* key with '*' wildcards inside, e.g. x-forwarded-* */
    CT_PSEG_ANY_KEY,   /* '*': exactly one key */
    CT_PSEG_INDEX,     /* [3] */
    CT_PSEG_ANY_INDEX, /* [*] */
    CT_PSEG_ANY_DEPTH, /* '**': zero or more keys or indices */
} ct_pseg_kind_t;

typedef struct st_ct_pseg_t {
    ct_pseg_kind_t kind;
    char *str;  /* KEY and GLOB: owned text (may hold NULs from \u0000) */
    size_t len; /* text length, or the index of CT_PSEG_INDEX */
} ct_pseg_t;

/* Parses a pattern. On success returns 0 and an owned array (free with ct__pattern_free). On
 * failure returns -1 and says where in err. */
int ct__pattern_parse(const char *text, ct_pseg_t **segs, size_t *num_segs, ct_error_t *err);
void ct__pattern_free(ct_pseg_t *segs, size_t num_segs);

/* Whether pattern segment p matches path segment s. */
int ct__pseg_match(const ct_pseg_t *p, const ct_seg_t *s);

#endif
