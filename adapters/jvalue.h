/* The adapters' JSON model for bodies in flight: a parse into caller-provided bump memory (the
 * gateway's request pool), in-place edits, and a serialiser that copies untouched strings and
 * numbers byte for byte. Built for the per-request path, where jansson's per-value malloc, hash
 * tables and printf-formatted numbers cost more than the transform itself. Internal to adapters/.
 *
 * Invariants:
 * - Nothing is freed individually: every value, member array and decoded string lives until the
 *   memory behind `adp_mem_t` is released. Edits never free; a grown container leaves its old
 *   entry array behind (bounded by the number of edits, which plans bound).
 * - Strings and numbers parsed from input point into the input buffer when they need no
 *   decoding, so the input must outlive the document.
 * - Numbers keep their source text: 1.10 stays 1.10 and 12345678901234567890 stays exact, on
 *   the way through. Values the engine creates get canonical text (reals always carry a '.' or
 *   an exponent, so they read back as reals).
 * - Objects keep member order. Duplicate names are merged at parse time, the last value kept in
 *   the first position (what jansson and JSON.parse do), so lookups never see two.
 * - Scalar nodes are immutable once made: edits replace them, so copies may share them.
 * - Not thread-safe per document; documents are independent. */
#ifndef ADP_JVALUE_H
#define ADP_JVALUE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "adapters.h"

typedef enum adp__jtype {
    ADP__J_NULL,
    ADP__J_FALSE,
    ADP__J_TRUE,
    ADP__J_NUMBER,
    ADP__J_STRING,
    ADP__J_ARRAY,
    ADP__J_OBJECT,
} adp__jtype_t;

/* Value flags. */
#define ADP__JF_VERBATIM 1u /* STRING: bytes need no escaping (written as they are) */
#define ADP__JF_INTEGER 2u  /* NUMBER: integer syntax (no fraction, no exponent) */

typedef struct st_adp__jv_t adp__jv_t;

typedef struct st_adp__jmember_t {
    const char *key; /* decoded bytes; may hold NUL; not NUL-terminated */
    uint32_t len;
    uint32_t flags; /* ADP__JF_VERBATIM when the key needs no escaping */
    adp__jv_t *value;
} adp__jmember_t;

struct st_adp__jv_t {
    uint8_t type;  /* adp__jtype_t */
    uint8_t flags; /* ADP__JF_* */
    uint32_t len;  /* STRING: bytes (decoded); NUMBER: text bytes; ARRAY/OBJECT: entries */
    uint32_t cap;  /* ARRAY/OBJECT: allocated entries */
    union {
        const char *str;          /* STRING: decoded bytes; NUMBER: JSON number text */
        adp__jv_t **items;        /* ARRAY */
        adp__jmember_t *members;  /* OBJECT */
    } u;
};

/* Limits of the parser: nesting deeper than this, or input of 4 GiB or more, is an error. */
#define ADP__JSON_MAX_DEPTH 1000

typedef struct st_adp__jerror_t {
    const char *message; /* static: "unexpected character", "invalid UTF-8", ... */
    size_t offset;       /* byte offset of the problem */
    unsigned line, col;  /* 1-based; col counts bytes */
} adp__jerror_t;

/* a[0..len) == b[0..len): member names are short, so fixed-size overlapping loads do most of
 * them without a library call. */
static inline int adp__bytes_eq(const char *a, const char *b, size_t len)
{
    uint64_t x, y, u, w;
    if (len >= 8 && len <= 16) {
        memcpy(&x, a, 8), memcpy(&y, b, 8), memcpy(&u, a + len - 8, 8), memcpy(&w, b + len - 8, 8);
        return ((x ^ y) | (u ^ w)) == 0;
    }
    if (len >= 4 && len < 8) {
        uint32_t x4, y4, u4, w4;
        memcpy(&x4, a, 4), memcpy(&y4, b, 4), memcpy(&u4, a + len - 4, 4);
        memcpy(&w4, b + len - 4, 4);
        return ((x4 ^ y4) | (u4 ^ w4)) == 0;
    }
    if (len < 4) {
        for (size_t i = 0; i < len; i++)
            if (a[i] != b[i])
                return 0;
        return 1;
    }
    return memcmp(a, b, len) == 0;
}

/* ---- memory ---- */

/* Bump allocation through `mem`: 8-byte aligned, never NULL (the allocator aborts). */
void *adp__jalloc(const adp_mem_t *mem, size_t size);

/* ---- parsing and writing ---- */

/* Parses one JSON text (RFC 8259: any value at the top, surrounding whitespace allowed) in
 * `buf`, which must outlive the result. Validates UTF-8 (RFC 3629: no overlongs, no
 * surrogates) and escapes (a \u surrogate must be a pair). Returns the root, or NULL with `err`
 * set. Allocates only through `mem`, plus one scratch buffer of its own freed before return. */
adp__jv_t *adp__json_parse(const adp_mem_t *mem, const char *buf, size_t len, adp__jerror_t *err);

/* Validating scanners for streaming passes (stream.c), with the parser's exact rules. A string
 * starts after its opening quote: returns its closing quote (*escaped set when it holds
 * escapes), or NULL when invalid. A number starts at its first byte: returns its end (flags get
 * ADP__JF_INTEGER for integer syntax), or NULL. */
const char *adp__json_scan_string(const char *p, const char *end, int *escaped);
const char *adp__json_scan_number(const char *p, const char *end, unsigned *flags);

/* Exact number of bytes adp__json_write produces for `v` (compact form, no NUL). */
size_t adp__json_size(const adp__jv_t *v);
/* Writes `v` compactly into `out` (at least adp__json_size bytes). Returns the end. Strings not
 * marked verbatim are escaped: '"', '\\' and controls (\b \f \n \r \t, else \u00XX); other bytes,
 * UTF-8 included, are written as they are. */
char *adp__json_write(const adp__jv_t *v, char *out);
/* Size, allocation from `mem` and write in one call; *len receives the length (no NUL added). */
char *adp__json_dump(const adp_mem_t *mem, const adp__jv_t *v, size_t *len);

/* ---- constructors (all allocate from `mem`) ---- */

adp__jv_t *adp__json_null(const adp_mem_t *mem);
adp__jv_t *adp__json_bool(const adp_mem_t *mem, int b);
/* Borrows `s` (len bytes, any content): it must outlive the document. Not verbatim. */
adp__jv_t *adp__json_string(const adp_mem_t *mem, const char *s, size_t len);
/* Copies `s` into `mem`. */
adp__jv_t *adp__json_string_copy(const adp_mem_t *mem, const char *s, size_t len);
adp__jv_t *adp__json_integer(const adp_mem_t *mem, int64_t i);
/* A finite double as the shortest text that reads back as the same double, with ".0" added
 * when it would otherwise look like an integer. NULL when `d` is not finite. */
adp__jv_t *adp__json_real(const adp_mem_t *mem, double d);
/* `text` must be valid JSON number syntax; borrowed. */
adp__jv_t *adp__json_number_text(const adp_mem_t *mem, const char *text, size_t len);
adp__jv_t *adp__json_object(const adp_mem_t *mem);
adp__jv_t *adp__json_array(const adp_mem_t *mem);
/* Deep copy of containers. Scalars (and the scalars inside containers) are shared, not copied:
 * nothing edits a scalar node in place, edits replace it. */
adp__jv_t *adp__json_copy(const adp_mem_t *mem, const adp__jv_t *v);
/* A copy of a jansson value (used at load time for plan constants). */
adp__jv_t *adp__json_from_jansson(const adp_mem_t *mem, const json_t *v);

/* ---- reading ---- */

static inline int adp__json_is(const adp__jv_t *v, adp__jtype_t t)
{
    return v != NULL && v->type == t;
}
static inline int adp__json_is_bool(const adp__jv_t *v)
{
    return v != NULL && (v->type == ADP__J_TRUE || v->type == ADP__J_FALSE);
}
static inline int adp__json_is_integer(const adp__jv_t *v)
{
    return v != NULL && v->type == ADP__J_NUMBER && (v->flags & ADP__JF_INTEGER) != 0;
}
/* 0 and the value when `v` is an integer-syntax number within int64, else -1. */
int adp__json_int_value(const adp__jv_t *v, int64_t *out);
/* 0 and the value (possibly rounded) when `v` is a number whose value is finite, else -1. */
int adp__json_real_value(const adp__jv_t *v, double *out);
/* Structural equality. Numbers compare by value: integers exactly, others as doubles, and an
 * integer never equals a non-integer-syntax number (1 != 1.0, as in jansson). Member order does
 * not matter. */
int adp__json_equal(const adp__jv_t *a, const adp__jv_t *b);

/* ---- objects ---- */

/* The member called key[0..len), or NULL. Linear in the member count. */
adp__jv_t *adp__json_get(const adp__jv_t *obj, const char *key, size_t len);
/* Sets member `key` (borrowed; must outlive the document) to `v`: replaces the value in place
 * when present, else appends. */
void adp__json_set(const adp_mem_t *mem, adp__jv_t *obj, const char *key, size_t len,
                   adp__jv_t *v);
/* Removes the member; keeps the order of the others. Returns 0, or -1 when absent. */
int adp__json_del(adp__jv_t *obj, const char *key, size_t len);

/* Renames member `key` to `to` (borrowed) where it stands. Returns 0, or -1 (nothing done) when
 * `key` is absent or `to` is taken. */
int adp__json_rename(adp__jv_t *obj, const char *key, size_t len, const char *to, size_t to_len);

/* ---- arrays ---- */

static inline adp__jv_t *adp__json_at(const adp__jv_t *arr, size_t i)
{
    return i < arr->len ? arr->u.items[i] : NULL;
}
/* Replaces element i (< len). */
void adp__json_put(adp__jv_t *arr, size_t i, adp__jv_t *v);
void adp__json_append(const adp_mem_t *mem, adp__jv_t *arr, adp__jv_t *v);
/* Removes element i (< len), shifting the rest down. */
void adp__json_remove(adp__jv_t *arr, size_t i);

#endif
