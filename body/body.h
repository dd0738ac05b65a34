/* body: the one model of a JSON request or response body (RFC 8259), shared by the adapters
 * (per-request edits), the diff engine (shadowing, replay) and schema validation. A strict,
 * iterative parser into caller-provided bump memory, a tree, a writer that copies untouched
 * strings and number text byte for byte, and the comparisons the users need. Depends on nothing
 * but libc and libm (the load-time bridge from jansson, body_jansson.h, aside); it sits below
 * specs/, adapters/ and contract-tests/.
 *
 * Ownership and lifetime:
 * - Memory comes from the caller through `body_mem_t`, a bump allocator released all at once (the
 *   gateway passes its request's h2o pool, the diff engine and the loaders an arena). Nothing is
 *   freed individually: every value, member array and decoded string lives until that memory is
 *   released. Edits never free; a grown container leaves its old entry array behind (bounded by
 *   the number of edits).
 * - Strings and numbers parsed from input point into the input buffer when they need no
 *   decoding, so the input must outlive the document.
 * - Numbers keep their source text: 1.10 stays 1.10 and 12345678901234567890 stays exact, on
 *   the way through. Values the caller creates get canonical text (reals always carry a '.' or
 *   an exponent, so they read back as reals).
 * - Objects keep member order. Duplicate names are merged at parse time, the last value kept in
 *   the first position (what jansson and JSON.parse do), so lookups never see two.
 * - Scalar nodes are immutable once made: edits replace them, so copies may share them.
 * - Not thread-safe per document; documents are independent, and the library has no global
 *   state. */
#ifndef BODY_H
#define BODY_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Where a document is allocated: `alloc` returns 8-byte aligned memory and never NULL (it
 * aborts, as h2o's pool does); everything is released at once by the owner of `ctx`. */
typedef struct st_body_mem_t {
    void *(*alloc)(void *ctx, size_t size);
    void *ctx;
} body_mem_t;

/* A malloc-backed bump arena for callers without a pool of their own (the diff engine, schema
 * validation, tests). Init it, hand out body_arena_mem, reset it between documents (keeps the
 * newest block for reuse) and dispose it. Out of memory aborts. Not thread-safe. */
typedef struct st_body_arena_t {
    struct st_body__block_t *head; /* private */
    size_t next_size;              /* private */
} body_arena_t;

void body_arena_init(body_arena_t *a);
/* 8-byte aligned, uninitialised memory that lives until the next reset or dispose. */
void *body_arena_alloc(body_arena_t *a, size_t size);
/* Releases everything allocated so far; the memory may be reused. */
void body_arena_reset(body_arena_t *a);
void body_arena_dispose(body_arena_t *a);
/* The arena as a body_mem_t; `a` must outlive its use. */
body_mem_t body_arena_mem(body_arena_t *a);

typedef enum body_type {
    BODY_NULL,
    BODY_FALSE,
    BODY_TRUE,
    BODY_NUMBER,
    BODY_STRING,
    BODY_ARRAY,
    BODY_OBJECT,
} body_type_t;

/* Value flags. */
#define BODY_VERBATIM 1u /* STRING: bytes need no escaping (written as they are) */
#define BODY_INTEGER 2u  /* NUMBER: integer syntax (no fraction, no exponent) */

typedef struct st_body_value_t body_value_t;

typedef struct st_body_member_t {
    const char *key; /* decoded bytes; may hold NUL; not NUL-terminated */
    uint32_t len;
    uint32_t flags; /* BODY_VERBATIM when the key needs no escaping */
    body_value_t *value;
} body_member_t;

struct st_body_value_t {
    uint8_t type;  /* body_type_t */
    uint8_t flags; /* ADP__JF_* */
    uint32_t len;  /* STRING: bytes (decoded); NUMBER: text bytes; ARRAY/OBJECT: entries */
    uint32_t cap;  /* ARRAY/OBJECT: allocated entries */
    union {
        const char *str;        /* STRING: decoded bytes; NUMBER: JSON number text */
        body_value_t **items;   /* ARRAY */
        body_member_t *members; /* OBJECT */
    } u;
};

/* Limits of the parser: nesting deeper than this, or input of 4 GiB or more, is an error. */
#define BODY_MAX_DEPTH 1000

/* What kind of problem stopped a parse. */
typedef enum body_errcode {
    BODY_ESYNTAX = 1, /* not JSON: unexpected character, bad escape, invalid UTF-8, ... */
    BODY_EDEPTH,      /* nested deeper than BODY_MAX_DEPTH */
    BODY_ERANGE,      /* a number beyond a double's range (only with BODY_PARSE_FINITE) */
    BODY_ESIZE,       /* empty input, or 4 GiB or more */
} body_errcode_t;

typedef struct st_body_error_t {
    body_errcode_t code;
    const char *message; /* static: "expected a value", "invalid UTF-8", ... */
    size_t offset;       /* byte offset of the problem */
    unsigned line, col;  /* 1-based; col counts bytes */
} body_error_t;

/* a[0..len) == b[0..len): member names are short, so fixed-size overlapping loads do most of
 * them without a library call. */
static inline int body_bytes_eq(const char *a, const char *b, size_t len)
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
void *body_alloc(const body_mem_t *mem, size_t size);

/* ---- parsing and writing ---- */

/* Parse flags. */
#define BODY_PARSE_FINITE                                                                          \
    1u /* a number whose value overflows a double is an error (BODY_ERANGE)                        \
        */

/* Parses one JSON text (RFC 8259: any value at the top, surrounding whitespace allowed) in
 * `buf`, which must outlive the result. Validates UTF-8 (RFC 3629: no overlongs, no
 * surrogates) and escapes (a \u surrogate must be a pair). `flags` is 0 or BODY_PARSE_*.
 * Returns the root, or NULL with `err` (may be NULL) set: code, message, offset, line and
 * column. Allocates only through `mem`, plus scratch buffers of its own freed before return. */
body_value_t *body_parse(const body_mem_t *mem, const char *buf, size_t len, unsigned flags,
                         body_error_t *err);

/* Validating scanners for streaming passes (adapters/stream.c), with the parser's exact rules.
 * A string starts after its opening quote: returns its closing quote (*escaped set when it
 * holds escapes), or NULL when invalid. A number starts at its first byte: returns its end
 * (flags get BODY_INTEGER for integer syntax), or NULL. */
const char *body_scan_string(const char *p, const char *end, int *escaped);
const char *body_scan_number(const char *p, const char *end, unsigned *flags);

/* The high bit set in each byte of `w` (first byte lowest, as loaded on a little-endian machine)
 * that is '"', '\\', < 0x20 or >= 0x80: the bytes that stop a string scan. Borrows only come
 * out of matching bytes, so bits above the lowest may be false; the lowest is exact. */
static inline uint64_t body_string_stops8(uint64_t w)
{
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');
    return (((q - ones) & ~q) | ((b - ones) & ~b) | ((w - ones * 0x20) & ~w) | w) & highs;
}

/* body_scan_string with its common case inline (streaming passes call it for every name and
 * string): a string of plain ASCII that ends within 16 bytes. Same results. */
static inline const char *body_scan_string_short(const char *p, const char *end, int *escaped)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (end - p >= 16) {
        for (int k = 0; k < 2; ++k) {
            uint64_t w;
            memcpy(&w, p + 8 * k, 8);
            uint64_t m = body_string_stops8(w);
            if (m != 0) {
                const char *q = p + 8 * k + (__builtin_ctzll(m) >> 3);
                if (*q != '"')
                    break;
                *escaped = 0;
                return q;
            }
        }
    }
#endif
    return body_scan_string(p, end, escaped);
}

/* body_scan_number with its common case inline: an integer that does not start with 0 (ids,
 * counts, prices). Same results. */
static inline const char *body_scan_number_short(const char *p, const char *end, unsigned *flags)
{
    const char *q = p + (*p == '-');
    if (q != end && *q >= '1' && *q <= '9') {
        do
            q++;
        while (q != end && (unsigned)(*q - '0') < 10);
        if (q == end || (*q != '.' && (*q | 0x20) != 'e')) {
            *flags = BODY_INTEGER;
            return q;
        }
    }
    return body_scan_number(p, end, flags);
}

/* Whether s[0..len) is valid UTF-8 (RFC 3629: no overlongs, no surrogates); NUL bytes are. */
int body_utf8_valid(const char *s, size_t len);
/* Whether the writer must escape a byte of s[0..len) ('"', '\\', controls): 0 means a string or
 * name may carry BODY_VERBATIM. */
int body_needs_escape(const char *s, size_t len);

/* Exact number of bytes body_write produces for `v` (compact form, no NUL). */
size_t body_write_size(const body_value_t *v);
/* Writes `v` compactly into `out` (at least body_write_size bytes). Returns the end. Strings not
 * marked verbatim are escaped: '"', '\\' and controls (\b \f \n \r \t, else \u00XX); other bytes,
 * UTF-8 included, are written as they are. */
char *body_write(const body_value_t *v, char *out);
/* Size, allocation from `mem` and write in one call; *len receives the length (no NUL added). */
char *body_dump(const body_mem_t *mem, const body_value_t *v, size_t *len);

/* ---- constructors (all allocate from `mem`) ---- */

body_value_t *body_null(const body_mem_t *mem);
body_value_t *body_bool(const body_mem_t *mem, int b);
/* Borrows `s` (len bytes, any content): it must outlive the document. Not verbatim. */
body_value_t *body_string(const body_mem_t *mem, const char *s, size_t len);
/* Copies `s` into `mem`. */
body_value_t *body_string_copy(const body_mem_t *mem, const char *s, size_t len);
body_value_t *body_integer(const body_mem_t *mem, int64_t i);
/* A finite double as the shortest text that reads back as the same double, with ".0" added
 * when it would otherwise look like an integer. NULL when `d` is not finite. */
body_value_t *body_real(const body_mem_t *mem, double d);
/* `text` must be valid JSON number syntax; borrowed. */
body_value_t *body_number_text(const body_mem_t *mem, const char *text, size_t len);
body_value_t *body_object(const body_mem_t *mem);
body_value_t *body_array(const body_mem_t *mem);
/* Deep copy of containers. Scalars (and the scalars inside containers) are shared, not copied:
 * nothing edits a scalar node in place, edits replace it. */
body_value_t *body_copy(const body_mem_t *mem, const body_value_t *v);

/* ---- reading ---- */

static inline int body_is(const body_value_t *v, body_type_t t)
{
    return v != NULL && v->type == t;
}
static inline int body_is_bool(const body_value_t *v)
{
    return v != NULL && (v->type == BODY_TRUE || v->type == BODY_FALSE);
}
static inline int body_is_integer(const body_value_t *v)
{
    return v != NULL && v->type == BODY_NUMBER && (v->flags & BODY_INTEGER) != 0;
}
/* 0 and the value when `v` is an integer-syntax number within int64, else -1. */
int body_int_value(const body_value_t *v, int64_t *out);
/* 0 and the value (possibly rounded) when `v` is a number whose value is finite, else -1. */
int body_real_value(const body_value_t *v, double *out);
/* Structural equality. Numbers compare by value: integers exactly, others as doubles, and an
 * integer never equals a non-integer-syntax number (1 != 1.0, as in jansson). Member order does
 * not matter. */
int body_equal(const body_value_t *a, const body_value_t *b);
/* Whether two numbers hold the same value, 1 and 1.0 included (the diff engine's and JSON
 * Schema's notion): integers within int64 exactly, an integer and a real only when the real is
 * exactly that integer, else as doubles; identical text is always equal. */
int body_number_equal(const body_value_t *a, const body_value_t *b);
/* Structural equality with numbers compared by value (body_number_equal): JSON Schema's notion
 * (enum, const, uniqueItems), where 1 equals 1.0. Member order does not matter. */
int body_equal_by_value(const body_value_t *a, const body_value_t *b);
/* The number's value as a double (integers beyond 2^53 rounded); NaN when not a number or
 * beyond a double's range. */
double body_number_value(const body_value_t *v);

/* ---- objects ---- */

/* The member called key[0..len), or NULL. Linear in the member count. */
body_value_t *body_get(const body_value_t *obj, const char *key, size_t len);
/* Sets member `key` (borrowed; must outlive the document) to `v`: replaces the value in place
 * when present, else appends. */
void body_set(const body_mem_t *mem, body_value_t *obj, const char *key, size_t len,
              body_value_t *v);
/* Removes the member; keeps the order of the others. Returns 0, or -1 when absent. */
int body_del(body_value_t *obj, const char *key, size_t len);

/* Renames member `key` to `to` (borrowed) where it stands. Returns 0, or -1 (nothing done) when
 * `key` is absent or `to` is taken. */
int body_rename(body_value_t *obj, const char *key, size_t len, const char *to, size_t to_len);

/* ---- arrays ---- */

static inline body_value_t *body_at(const body_value_t *arr, size_t i)
{
    return i < arr->len ? arr->u.items[i] : NULL;
}
/* Replaces element i (< len). */
void body_put(body_value_t *arr, size_t i, body_value_t *v);
void body_append(const body_mem_t *mem, body_value_t *arr, body_value_t *v);
/* Removes element i (< len), shifting the rest down. */
void body_remove(body_value_t *arr, size_t i);

#endif
